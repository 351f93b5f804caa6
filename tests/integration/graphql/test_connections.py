"""Connections: cursor pagination both ways, every filter, sorting, the page-size cap."""

from __future__ import annotations

from typing import Any

import pytest

from schule.graphql.limits import MAX_PAGE_SIZE
from tests.integration.graphql.conftest import Client

COMMUNES_PAGE = """
query($first: Int, $after: String, $last: Int, $before: String) {
  communes(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug } }
  }
}
"""
ALL_COMMUNE_SLUGS = "{ communes(first: 100) { nodes { slug } } }"
PROJECTS = """
query($filter: ProjectFilter, $sort: ProjectSort) {
  projects(filter: $filter, sort: $sort, first: 100) { totalCount nodes { slug title started updatedAt } }
}
"""
COMMUNES = """
query($filter: CommuneFilter, $sort: CommuneSort) {
  communes(filter: $filter, sort: $sort, first: 100) { totalCount nodes { slug name kreis region } }
}
"""
LESSONS = "query($filter: LessonFilter) { lessons(filter: $filter, first: 100) { totalCount nodes { slug } } }"
PEOPLE = "query($filter: PersonFilter) { people(filter: $filter, first: 100) { totalCount nodes { slug } } }"
FIELDS = """query($filter: HandlungsfeldFilter) {
  handlungsfelder(filter: $filter, first: 100) { totalCount nodes { slug } } }"""
NETWORKS = "query($filter: NetworkFilter) { networks(filter: $filter, first: 100) { totalCount nodes { slug } } }"
EVENTS = """query($filter: EventFilter, $sort: EventSort) {
  events(filter: $filter, sort: $sort, first: 100) { totalCount nodes { slug date } } }"""
ORGANISATIONS = """query($filter: OrganisationFilter) {
  organisations(filter: $filter, first: 100) { totalCount nodes { slug } } }"""
TOO_MANY = f"{{ projects(first: {MAX_PAGE_SIZE + 1}) {{ totalCount }} }}"
BAD_CURSOR = '{ projects(after: "kein-cursor") { totalCount } }'


def slugs(data: dict[str, Any], field: str) -> list[str]:
    return [n["slug"] for n in data[field]["nodes"]]


def test_forward_pagination_with_cursors(client: Client) -> None:
    # given all communes in the default order (name)
    everything = slugs(client.data(ALL_COMMUNE_SLUGS), "communes")
    # when walking forwards ten at a time
    seen, after, pages = [], None, 0
    while True:
        page = client.data(COMMUNES_PAGE, {"first": 10, "after": after})["communes"]
        pages += 1
        seen += [e["node"]["slug"] for e in page["edges"]]
        assert page["totalCount"] == len(everything)
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then every commune came exactly once, in order
    assert seen == everything
    assert pages == -(-len(everything) // 10)


def test_backward_pagination_with_cursors(client: Client) -> None:
    everything = slugs(client.data(ALL_COMMUNE_SLUGS), "communes")
    # when walking backwards from the end
    seen: list[str] = []
    before = None
    while True:
        page = client.data(COMMUNES_PAGE, {"last": 10, "before": before})["communes"]
        seen = [e["node"]["slug"] for e in page["edges"]] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen == everything
    # and a cursor from a forward page works for going back
    first_page = client.data(COMMUNES_PAGE, {"first": 5})["communes"]
    second = client.data(COMMUNES_PAGE, {"first": 5, "after": first_page["pageInfo"]["endCursor"]})["communes"]
    back = client.data(COMMUNES_PAGE, {"last": 5, "before": second["edges"][0]["cursor"]})["communes"]
    assert [e["node"]["slug"] for e in back["edges"]] == [e["node"]["slug"] for e in first_page["edges"]]
    assert back["pageInfo"]["hasNextPage"] is True and back["pageInfo"]["hasPreviousPage"] is False


def test_page_size_is_capped_and_cursors_checked(client: Client) -> None:
    too_many = client.execute(TOO_MANY)
    assert too_many.errors and f"höchstens {MAX_PAGE_SIZE}" in too_many.errors[0].message
    bad = client.execute(BAD_CURSOR)
    assert bad.errors and "Ungültiger Cursor" in bad.errors[0].message


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"communes": ["soest"]}, {"stadtlabor-soest", "offene-regionale-datenplattform"}),
        ({"kreise": ["Kreis Steinfurt"]}, {"smart-region-kreis-steinfurt-workshopreihe"}),
        ({"regions": ["Münsterland"]}, {"smart-region-kreis-steinfurt-workshopreihe"}),
        ({"handlungsfelder": ["mobilitaet"]}, {"smart-region-kreis-steinfurt-workshopreihe"}),
        ({"status": ["COMPLETED"]}, {"rahmenstrategie-suedwestfalen-2020"}),
        ({"tags": ["Kreis Steinfurt"]}, {"smart-region-kreis-steinfurt-workshopreihe"}),
        (
            {"network": {"network": "rahmenstrategie-suedwestfalen", "roles": ["MITMACHER"]}},
            {"stadtlabor-iserlohn"},
        ),
        ({"started": {"from": "2022", "to": "2022-12-31"}}, {"kampagne-5malklug"}),
    ],
)
def test_project_filters(client: Client, filter_: dict[str, Any], expected: set[str]) -> None:
    data = client.data(PROJECTS, {"filter": filter_})
    got = set(slugs(data, "projects"))
    assert expected <= got, got
    assert data["projects"]["totalCount"] == len(got)


def test_project_filter_by_handlungsfeld_includes_subfields_and_combines(client: Client) -> None:
    umwelt = set(slugs(client.data(PROJECTS, {"filter": {"handlungsfelder": ["umwelt"]}}), "projects"))
    klimaschutz = set(slugs(client.data(PROJECTS, {"filter": {"handlungsfelder": ["klimaschutz"]}}), "projects"))
    assert klimaschutz <= umwelt
    both = client.data(PROJECTS, {"filter": {"handlungsfelder": ["umwelt"], "status": ["COMPLETED"]}})
    assert set(slugs(both, "projects")) == {"rahmenstrategie-suedwestfalen-2020"}


def test_project_filters_by_end_date_and_empty_result(client: Client) -> None:
    data = client.data(PROJECTS, {"filter": {"ended": {"from": "1990", "to": "1991"}}})
    assert data["projects"] == {"totalCount": 0, "nodes": []}
    bad = client.execute(PROJECTS, {"filter": {"started": {"from": "März 2021"}}})
    assert bad.errors and "kein Datum" in bad.errors[0].message


def test_project_sorting(client: Client) -> None:
    by_title = [n["title"] for n in client.data(PROJECTS, {"sort": "TITLE_ASC"})["projects"]["nodes"]]
    assert by_title == sorted(by_title, key=str.lower)
    desc = [n["title"] for n in client.data(PROJECTS, {"sort": "TITLE_DESC"})["projects"]["nodes"]]
    assert desc == by_title[::-1]
    started = [n["started"] for n in client.data(PROJECTS, {"sort": "STARTED_DESC"})["projects"]["nodes"]]
    dated = [s for s in started if s]
    assert dated == sorted(dated, reverse=True) and started[: len(dated)] == dated
    updated = [n["updatedAt"] for n in client.data(PROJECTS, {"sort": "UPDATED_DESC"})["projects"]["nodes"]]
    assert updated == sorted(updated, reverse=True)


def test_commune_filters_and_sorting(client: Client) -> None:
    olpe = client.data(COMMUNES, {"filter": {"kreise": ["Kreis Olpe"]}})["communes"]
    assert olpe["totalCount"] == 7 and all(n["kreis"] == "Kreis Olpe" for n in olpe["nodes"])
    münsterland = client.data(COMMUNES, {"filter": {"regions": ["Münsterland"]}})["communes"]
    assert münsterland["totalCount"] == 24
    mitmacher = client.data(
        COMMUNES, {"filter": {"network": {"network": "rahmenstrategie-suedwestfalen", "roles": ["MITMACHER"]}}}
    )
    assert set(slugs(mitmacher, "communes")) == {"iserlohn", "plettenberg"}
    pioneers = client.data(COMMUNES, {"filter": {"network": {"network": "5-fuer-suedwestfalen"}}})
    assert set(slugs(pioneers, "communes")) == {"arnsberg", "bad-berleburg", "menden", "olpe", "soest"}
    named = client.data(COMMUNES, {"filter": {"nameContains": "BERG"}})
    assert {"arnsberg", "marsberg"} <= set(slugs(named, "communes")) and "olpe" not in slugs(named, "communes")
    names = [n["name"] for n in client.data(COMMUNES, {"sort": "NAME_DESC"})["communes"]["nodes"]]
    assert names == sorted(names, key=str.lower, reverse=True)


def test_other_kinds_filters(client: Client) -> None:
    by_project = client.data(LESSONS, {"filter": {"projects": ["rahmenstrategie-suedwestfalen-2020"]}})
    assert "plettenberg-politisches-mandat-per-ratsbeschluss" in slugs(by_project, "lessons")
    by_author = client.data(LESSONS, {"filter": {"authors": ["stephanie-arens"]}})
    assert slugs(by_author, "lessons") == ["ganze-region-nimmt-teil"]
    by_commune = client.data(LESSONS, {"filter": {"communes": ["steinfurt"]}})
    assert "steinfurt-prioritaeten-umwelt-energie-wirtschaft" in slugs(by_commune, "lessons")
    by_field = client.data(LESSONS, {"filter": {"handlungsfelder": ["technologie"]}})
    assert "datenplattform-fuer-die-ganze-region" in slugs(by_field, "lessons")
    kinds = client.data(LESSONS, {"filter": {"types": ["PITFALL", "SUCCESS", "RECOMMENDATION"]}})["lessons"]
    assert kinds["totalCount"] <= client.data(LESSONS)["lessons"]["totalCount"]
    people = client.data(PEOPLE, {"filter": {"organisations": ["suedwestfalen-agentur"]}})
    assert set(slugs(people, "people")) == {"matthias-barutowicz", "stephanie-arens"}
    assert client.data(PEOPLE, {"filter": {"communes": ["olpe"]}})["people"]["totalCount"] == 0
    roots = client.data(FIELDS, {"filter": {"rootsOnly": True}})
    assert "umwelt" in slugs(roots, "handlungsfelder") and "energie" not in slugs(roots, "handlungsfelder")
    under = client.data(FIELDS, {"filter": {"parents": ["umwelt"]}})
    assert set(slugs(under, "handlungsfelder")) == {"energie", "klimafolgenanpassung", "klimaschutz"}
    networks = client.data(NETWORKS, {"filter": {"communes": ["plettenberg"]}})
    assert "rahmenstrategie-suedwestfalen" in slugs(networks, "networks")
    orgs = client.data(ORGANISATIONS, {"filter": {"types": ["Regionalagentur"]}})
    assert slugs(orgs, "organisations") == ["suedwestfalen-agentur"]


def test_event_date_filter_organiser_and_sort(client: Client) -> None:
    events = client.data(EVENTS, {"filter": {"date": {"from": "2021"}}, "sort": "DATE_ASC"})["events"]["nodes"]
    assert [e["slug"] for e in events] == ["west-workshop-smart-region-modul-1", "smart-cities-konferenz-2022"]
    newest = client.data(EVENTS, {"sort": "DATE_DESC"})["events"]["nodes"]
    assert newest[0]["slug"] == "smart-cities-konferenz-2022"
    by_west = client.data(EVENTS, {"filter": {"organisers": ["west"]}})
    assert slugs(by_west, "events") == ["west-workshop-smart-region-modul-1"]


FILTERED_PAGE = """
query($filter: ProjectFilter, $first: Int, $after: String) {
  projects(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { slug }
  }
}
"""


@pytest.mark.parametrize(
    "filter_",
    [
        {"regions": ["Südwestfalen"]},
        {"handlungsfelder": ["umwelt", "menschen", "lebensqualitaet", "technologie", "verwaltung"]},
        {"status": ["OPERATION", "IMPLEMENTATION", "PLANNING"]},
    ],
)
def test_filtered_pages_count_with_the_page(client: Client, filter_: dict[str, Any]) -> None:
    # given the whole filtered list in one page
    whole = client.data(PROJECTS, {"filter": filter_})["projects"]
    assert whole["totalCount"] == len(whole["nodes"]) >= 3
    # when walking it two at a time, up to a page after the last one
    seen: list[str] = []
    after = None
    while True:
        page = client.data(FILTERED_PAGE, {"filter": filter_, "first": 2, "after": after})["projects"]
        # then every page, the last and the empty one after it included, counts the whole list
        assert page["totalCount"] == whole["totalCount"]
        seen += slugs({"projects": page}, "projects")
        if not page["nodes"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [n["slug"] for n in whole["nodes"]]


def test_filtered_page_without_matches_counts_zero(client: Client) -> None:
    data = client.data(FILTERED_PAGE, {"filter": {"regions": ["Atlantis"]}, "first": 5})
    assert data["projects"] == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}
