"""In the browser, at 1280 and 360 px: a member clicks "Wir übernehmen das" and records an adoption;
a moderator merges a duplicate by choosing it from the candidates, confirming on a page of its own.
No page scrolls sideways at 360 px, and the browser reports no errors (the ``new_page`` fixture)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import MEMBER_PASSWORD, WebServer, sign_in
from tests.e2e.web.test_accessibility import HORIZONTAL_OVERFLOW
from tests.e2e.web.test_project_actions_http import signed_in, submit_project

pytestmark = pytest.mark.browser

MODERATOR, MODERATOR_PASSWORD = "moderation-browser", "Browser-Pruefen-2024!"
# one project per width: a commune records an adoption of a project once
ADOPTIONS = {1280: ("stadtlabor-iserlohn", "Stadtlabor Iserlohn"), 360: ("stadtlabor-arnsberg", "Stadtlabor Arnsberg")}


@pytest.fixture(scope="module")
def moderator(web_server: WebServer) -> str:
    return web_server.add_moderator(MODERATOR, MODERATOR_PASSWORD)


def viewport(width: int) -> dict[str, object]:
    if width < 400:
        return {"viewport": {"width": width, "height": 740}, "is_mobile": True, "has_touch": True}
    return {"viewport": {"width": width, "height": 900}}


def fits(page: Page) -> None:
    page.wait_for_load_state()  # a page still loading has no layout to measure (CI: documentElement null)
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0, f"{page.url} scrolls sideways"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_member_clicks_wir_uebernehmen_das_and_records_an_adoption(
    web_server: WebServer, member: str, new_page: Callable[..., Page], screenshot: Callable[[Page, str], Path],
    width: int,
) -> None:
    slug, title = ADOPTIONS[width]
    page = new_page(**viewport(width))
    # given a member of Olpe on a project page
    sign_in(page, web_server, member, MEMBER_PASSWORD)
    page.goto(web_server.url(f"/projekte/{slug}"))
    fits(page)
    # when they click "Wir übernehmen das" and fill in the form
    page.get_by_role("link", name="Wir übernehmen das").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Wir übernehmen „{title}“")
    fits(page)
    page.get_by_label("Stand").select_option(label="in Arbeit")
    page.get_by_label("Geplanter Beginn").fill("2025-04")
    page.get_by_label("Notiz").fill("Wir starten mit einem Raum in der Stadtbücherei.")
    screenshot(page, f"40-adopt-form-{width}")
    page.get_by_role("button", name="Übernahme erfassen").click()
    # then a German confirmation links to the recorded adoption, which waits for review
    expect(page.get_by_role("status")).to_contain_text("Die Übernahme ist erfasst")
    fits(page)
    page.get_by_role("link", name="Zur Übernahme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Olpe übernimmt „{title}“")
    expect(page.locator(".notice")).to_contain_text("Noch nicht veröffentlicht")
    fits(page)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_moderator_merges_a_duplicate_by_choosing_it_from_the_candidates(
    web_server: WebServer, member: str, moderator: str, new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], Path], width: int,
) -> None:
    # given a member's near-duplicate of a published Stadtlabor
    duplicate = f"Stadtlabor Soest noch einmal ({width})"
    author = signed_in(web_server, member, MEMBER_PASSWORD)
    try:
        submit_project(author, duplicate, "Experimentier-, Lern- und Beteiligungsort der Pionierkommune Soest.")
    finally:
        author.close()
    reviewer = new_page(**viewport(width))
    sign_in(reviewer, web_server, moderator, MODERATOR_PASSWORD)
    with reviewer.expect_navigation():  # measured on the review page, not between two documents
        reviewer.get_by_role("link", name=re.compile("^Prüfen")).click()
    fits(reviewer)
    item = reviewer.get_by_role("article", name=duplicate)
    expect(item).to_contain_text("mitglied-olpe")
    # when the moderator chooses the first candidate and merges
    candidate = item.get_by_role("radio").first
    chosen = item.locator(f"label[for='{candidate.get_attribute('id')}']").inner_text()
    candidate.check()
    item.get_by_label("Begründung").fill("Dasselbe Stadtlabor.")
    screenshot(reviewer, f"41-review-merge-{width}")
    item.get_by_role("button", name=re.compile("^Zusammenführen")).click()
    # then a page asks once more, and after confirming the duplicate is gone from the queue
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Wirklich zusammenführen?")
    fits(reviewer)
    reviewer.get_by_role("button", name="Ja, zusammenführen").click()
    expect(reviewer.get_by_role("status")).to_contain_text("überführt")
    expect(reviewer.get_by_role("article", name=duplicate)).to_have_count(0)
    # and the member sees where the entry went
    author_page = new_page(**viewport(width))
    sign_in(author_page, web_server, member, MEMBER_PASSWORD)
    author_page.get_by_role("link", name="Meine Einreichungen").click()
    row = author_page.get_by_role("row", name=re.compile(re.escape(duplicate)))
    expect(row.get_by_role("link", name=chosen)).to_be_visible()
    expect(row).to_contain_text(f"zusammengeführt in {chosen}")
