"""The web pages' pure helpers: URL parameters of the search, pagination, highlight sanitising."""

from __future__ import annotations

from starlette.requests import Request

from schule.web.detail_pages import ProjectPage
from schule.web.rendering import highlight, paragraphs, query_string
from schule.web.search_page import SearchRequest, page_numbers, split_highlights


def request_for(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": query.encode(), "headers": []})


def test_search_parameters_become_the_api_filter() -> None:
    # given a shared URL with a query, two communes, a kind and a page
    search = SearchRequest.from_request(request_for("q=Stadt++labor&kommune=olpe&kommune=soest&art=project&seite=3"))

    # then the query is normalised and the filter uses the API's names and enum values
    assert search.query == "Stadt labor"
    assert search.page == 3
    assert search.api_filter() == {"kinds": ["PROJECT"], "communes": ["olpe", "soest"]}


def test_unknown_kinds_and_bad_pages_are_ignored() -> None:
    search = SearchRequest.from_request(request_for("q=x&art=drop-table&seite=-4"))
    assert search.api_filter() is None
    assert search.page == 1
    assert SearchRequest.from_request(request_for("q=x&seite=zwei")).page == 1


def test_toggling_a_facet_value_adds_or_removes_it_and_resets_the_page() -> None:
    search = SearchRequest.from_request(request_for("q=Daten&kommune=olpe&seite=2"))
    assert search.url(toggle=("kommune", "soest")) == "/?q=Daten&kommune=olpe&kommune=soest"
    assert search.url(toggle=("kommune", "olpe")) == "/?q=Daten"
    assert search.url(page=4) == "/?q=Daten&kommune=olpe&seite=4"
    assert search.url(query="Datenplattform") == "/?q=Datenplattform&kommune=olpe"


def test_page_numbers_show_first_last_and_neighbours_with_gaps() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_highlights_let_only_mark_through() -> None:
    # given a highlight as the API sends it, and one with a tag that must never reach the page
    assert highlight("a &lt;b&gt; <mark>Daten</mark>") == "a &lt;b&gt; <mark>Daten</mark>"
    assert highlight('<mark>x</mark><script>alert(1)</script><img src=x onerror=alert(1)>') == (
        "<mark>x</mark>&lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(1)>"
    )


def test_a_title_highlight_is_told_apart_from_text_snippets() -> None:
    hit = {"title": "Daten & mehr", "highlights": ["<mark>Daten</mark> &amp; mehr", "… viele <mark>Daten</mark> …"]}
    split = split_highlights(hit)
    assert split["title_html"] == "<mark>Daten</mark> &amp; mehr"
    assert split["snippets"] == ["… viele <mark>Daten</mark> …"]
    only_text = split_highlights({"title": "Anderes", "highlights": ["… <mark>Daten</mark> …"]})
    assert only_text["title_html"] is None and only_text["snippets"] == ["… <mark>Daten</mark> …"]


def test_query_strings_and_paragraphs() -> None:
    assert query_string({"q": "Bürger beteiligung", "art": ["project", "lesson"], "leer": ""}) == (
        "?q=B%C3%BCrger+beteiligung&art=project&art=lesson"
    )
    assert query_string({}) == ""
    assert paragraphs("Eins.\n\n  Zwei.\n \nDrei.") == ["Eins.", "Zwei.", "Drei."]
    assert paragraphs(None) == []


def test_a_commune_page_url_names_the_page_of_projects_by_cursor() -> None:
    # the first page, the page after a cursor, the page before one; what cannot be a cursor is ignored
    assert ProjectPage.from_request(request_for("")).variables() == {"first": 20, "after": None}
    assert ProjectPage.from_request(request_for("nach=b2Zmc2V0OjE5")).variables() == {
        "first": 20, "after": "b2Zmc2V0OjE5"}
    assert ProjectPage.from_request(request_for("vor=b2Zmc2V0OjIw")).variables() == {
        "last": 20, "before": "b2Zmc2V0OjIw"}
    assert ProjectPage.from_request(request_for("nach=%3Cscript%3E")) == ProjectPage()
    assert ProjectPage.from_request(request_for("nach=" + "a" * 101)) == ProjectPage()


def test_a_page_of_projects_links_to_the_first_previous_and_next_page() -> None:
    middle = {"hasPreviousPage": True, "hasNextPage": True, "startCursor": "b2Zmc2V0OjIw", "endCursor": "b2Zmc2V0OjM5"}
    assert ProjectPage(after="b2Zmc2V0OjE5").links("/kommunen/olpe", middle) == {
        "first_url": "/kommunen/olpe#projekte",
        "previous_url": "/kommunen/olpe?vor=b2Zmc2V0OjIw#projekte",
        "next_url": "/kommunen/olpe?nach=b2Zmc2V0OjM5#projekte",
    }
    only = {"hasPreviousPage": False, "hasNextPage": False, "startCursor": None, "endCursor": None}
    assert ProjectPage().links("/kommunen/olpe", only) == {"first_url": None, "previous_url": None, "next_url": None}
    # a page past the end (an old link after projects were removed) still leads back to the start
    assert ProjectPage(after="b2Zmc2V0Ojk5").links("/kommunen/olpe", only)["first_url"] == "/kommunen/olpe#projekte"
