"""A member finds an imported project by searching on ``/`` and opens its page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import WebServer

pytestmark = pytest.mark.browser

PARKPLATZ_TITLE = "Parkplatzsensoren in der Innenstadt"
LESSON_TITLE = "Funkabdeckung messen, bevor die Sensoren eingebaut werden"
PARKPLATZ_RECORDS = [
    {
        "kind": "project", "id": "parkplatzsensoren-olpe", "title": PARKPLATZ_TITLE,
        "summary": "Sensoren im Asphalt melden freie Parkplätze in der Olper Innenstadt in Echtzeit.",
        "description": "Bodensensoren erkennen, ob ein Stellplatz belegt ist.\n\n"
                       "Die Daten fließen in die Offene Regionale Datenplattform und in eine Park-App.",
        "commune": "olpe", "handlungsfelder": ["mobilitaet"], "status": "operation",
        "tags": ["Parken", "Sensorik", "LoRaWAN"],
    },
    {
        "kind": "lesson", "id": "parkplatzsensoren-olpe-funkabdeckung", "project": "parkplatzsensoren-olpe",
        "title": LESSON_TITLE, "type": "pitfall",
        "text": "In zwei Straßen reichte das Funknetz nicht bis in den Boden. Messen Sie die Abdeckung vorher.",
    },
]


@pytest.fixture(scope="module")
def parkplatz_imported(web_server: WebServer, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The project and its lesson, imported with ``schule import`` while the server runs."""
    path: Path = tmp_path_factory.mktemp("import") / "parkplatz.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in PARKPLATZ_RECORDS), encoding="utf-8")
    result = web_server.schule("import", str(path))
    assert result.returncode == 0, result.stderr


def test_a_member_searches_parkplatz_and_opens_the_project_with_olpe_and_its_lesson(
    parkplatz_imported: None, web_server: WebServer, page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    # given the start page
    page.goto(web_server.url("/"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    screenshot(page, "01-start")

    # when the member searches for "Parkplatz" with the labelled search box
    page.get_by_label("Suchbegriff").fill("Parkplatz")
    page.get_by_label("Suchbegriff").press("Enter")

    # then the URL carries the query and the project is among the hits, with a highlighted snippet
    expect(page).to_have_url(re.compile(r"/\?q=Parkplatz$"))
    # (by its heading: the lesson's card links to its project too)
    hit = page.locator(".hit", has=page.get_by_role("heading", name=PARKPLATZ_TITLE))
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_be_visible()
    screenshot(page, "02-search-parkplatz")

    # when the member opens the result
    hit.get_by_role("link", name=PARKPLATZ_TITLE).click()

    # then the project page shows Olpe and the lesson
    expect(page.get_by_role("heading", level=1)).to_have_text(PARKPLATZ_TITLE)
    expect(page.locator(".facts").get_by_role("link", name="Olpe")).to_be_visible()
    expect(page.get_by_role("link", name=LESSON_TITLE)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    screenshot(page, "03-project-parkplatz")

    # and the lesson's page leads back to the project
    page.get_by_role("link", name=LESSON_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSON_TITLE)
    expect(page.get_by_role("link", name=PARKPLATZ_TITLE)).to_be_visible()
    screenshot(page, "04-lesson")


def test_a_shared_search_link_with_a_filter_shows_the_same_results(
    parkplatz_imported: None, web_server: WebServer, page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    # given a search for "Stadtlabor"
    page.goto(web_server.url("/?q=Stadtlabor"))
    total_before = page.locator(".hit").count()

    # when the member filters by the kind "Projekte"
    page.locator(".facet").filter(has_text="Art").get_by_role("link", name=re.compile("^Projekte")).click()

    # then the URL carries the filter, only projects are listed and the filter can be removed
    expect(page).to_have_url(re.compile(r"art=project"))
    kinds = page.locator(".hit .badge[class*='kind-']").all_inner_texts()  # cards also show a project's stand
    assert kinds and set(kinds) == {"Projekt"}
    assert len(kinds) <= total_before
    expect(page.locator(".active-filters")).to_contain_text("Art: Projekte")
    screenshot(page, "05-search-filtered")

    # when the link is opened elsewhere (shared), it shows the same hits
    shared = page.url
    titles = page.locator(".hit h3").all_inner_texts()
    page.goto(shared)
    assert page.locator(".hit h3").all_inner_texts() == titles


def test_a_misspelt_query_offers_a_suggestion(web_server: WebServer, page: Page) -> None:
    # when the member swaps two letters of a name, so that nothing matches
    page.goto(web_server.url("/?q=Olep"))
    expect(page.locator(".results-title")).to_contain_text("Keine Treffer")

    # then "Meinten Sie …?" offers a corrected query that finds something
    suggestion = page.locator(".suggestions a").first
    expect(suggestion).to_have_text("Olpe")
    suggestion.click()
    expect(page).to_have_url(re.compile(r"/\?q=Olpe$"))
    expect(page.locator(".hit").first).to_be_visible()


@pytest.mark.parametrize(
    ("path", "heading", "name"),
    [
        ("/kommunen/olpe", "Olpe", "06-commune-olpe"),
        ("/netzwerke/rahmenstrategie-suedwestfalen", "Smart Cities Rahmenstrategie Südwestfalen", "07-network"),
        ("/handlungsfelder/umwelt", "Umwelt", "08-handlungsfeld"),
        ("/personen/matthias-barutowicz", "Matthias Barutowicz", "09-person"),
        ("/projekte/offene-regionale-datenplattform", "Offene Regionale Datenplattform", "10-project"),
    ],
)
def test_detail_pages_render_in_german_without_errors(
    web_server: WebServer, page: Page, screenshot: Callable[[Page, str], Path], path: str, heading: str, name: str
) -> None:
    # when a detail page is opened
    page.goto(web_server.url(path))

    # then it shows its heading, in a German document, and the browser reports no errors (fixture)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    screenshot(page, name)


def test_network_page_lists_members_by_role(web_server: WebServer, page: Page) -> None:
    page.goto(web_server.url("/netzwerke/rahmenstrategie-suedwestfalen"))
    expect(page.get_by_role("heading", name=re.compile("^Pionierkommunen"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Mitmacherkommunen"))).to_be_visible()
    expect(page.get_by_role("link", name="Soest", exact=True)).to_be_visible()
