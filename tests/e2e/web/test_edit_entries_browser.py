"""Editing in the browser, at 1280 and at 360 px: a member fixes an entry the moderation sent back
(the error summary takes the focus when something is missing), a moderator approves it; the member
then changes the published entry, which waits as a revision until the moderator approves that too.
No page scrolls sideways, every field has a label, and the browser reports no errors (``new_page``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import MEMBER_PASSWORD, WebServer, sign_in
from tests.e2e.web.test_accessibility import HORIZONTAL_OVERFLOW, UNLABELLED_FIELDS

pytestmark = pytest.mark.browser

MODERATOR, MODERATOR_PASSWORD = "moderation-bearbeiten-browser", "Im-Browser-Pruefen-2024!"
REASON = "Bitte schreiben Sie, wie Bürgerinnen und Bürger den Dienst nutzen."


@pytest.fixture(scope="module")
def moderator(web_server: WebServer) -> str:
    return web_server.add_moderator(MODERATOR, MODERATOR_PASSWORD)


def fits(page: Page) -> None:
    """No sideways scrolling, and every field labelled."""
    page.wait_for_load_state()  # a page still loading has no layout to measure (as in test_project_actions)
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0, page.url
    assert page.evaluate(UNLABELLED_FIELDS) == [], page.url


@pytest.mark.parametrize("width", [1280, 360])
def test_a_member_fixes_a_returned_entry_and_a_moderator_approves_it_and_a_later_revision(
    width: int, member: str, moderator: str, web_server: WebServer, new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    title = f"Online-Terminvergabe Bürgerbüro Olpe ({width} px)"
    viewport = {"width": width, "height": 900}
    author, reviewer = new_page(viewport=viewport), new_page(viewport=viewport)
    sign_in(author, web_server, member, MEMBER_PASSWORD)
    sign_in(reviewer, web_server, moderator, MODERATOR_PASSWORD)

    # given a member's submission
    author.goto(web_server.url("/einreichen/projekt"))
    fits(author)
    author.get_by_label("Titel").fill(title)
    author.get_by_label("Kurzbeschreibung").fill("Termine online buchen.")
    author.get_by_role("button", name="Projekt einreichen").click()
    expect(author.get_by_role("heading", level=1)).to_have_text(title)

    # which the moderation sends back with a reason
    reviewer.goto(web_server.url("/pruefen"))
    item = reviewer.get_by_role("article", name=title)
    item.get_by_label("Begründung").fill(REASON)
    item.get_by_role("button", name=re.compile("^Zurückgeben")).click()
    expect(reviewer.get_by_role("status")).to_contain_text("zurückgegeben")

    # when the member opens it from "Meine Einreichungen", the reason stands above the form
    # (its width at 360 px is item 7's, not checked here)
    author.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Meine Einreichungen").click()
    row = author.get_by_role("row", name=re.compile(re.escape(title)))
    row.get_by_role("link", name=re.compile("^Überarbeiten")).click()
    expect(author.get_by_role("heading", name="Die Moderation bittet um Änderungen")).to_be_visible()
    expect(author.locator(".review-reason")).to_contain_text(REASON)
    fits(author)
    screenshot(author, f"50-edit-returned-{width}")

    # and a post with the title emptied comes back with the error summary focused, the text kept
    author.get_by_label("Titel").fill("")
    author.get_by_label("Kurzbeschreibung").fill("Termine online buchen, ohne Konto, mit Erinnerung per SMS.")
    author.get_by_role("button", name="Zur Prüfung einreichen").click()
    summary = author.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("^Titel: "))).to_be_visible()
    expect(author.get_by_label("Kurzbeschreibung")).to_have_value(
        "Termine online buchen, ohne Konto, mit Erinnerung per SMS.")
    expect(author.get_by_label("Titel")).to_have_attribute("aria-invalid", "true")
    fits(author)
    screenshot(author, f"51-edit-errors-{width}")
    summary.get_by_role("link", name=re.compile("^Titel: ")).click()
    expect(author.get_by_label("Titel")).to_be_focused()

    # and fixed, it is submitted again
    author.get_by_label("Titel").fill(title)
    author.get_by_role("button", name="Zur Prüfung einreichen").click()
    expect(author.get_by_role("status")).to_contain_text("Die Moderation prüft es")

    # when the moderator approves it
    reviewer.goto(web_server.url("/pruefen"))
    reviewer.get_by_role("article", name=title).get_by_role("button", name=re.compile("^Freigeben")).click()
    expect(reviewer.get_by_role("status")).to_contain_text("freigegeben")

    # then the member may change the published entry: from its page, as a proposal
    author.reload()
    author.get_by_role("link", name="Bearbeiten", exact=True).click()
    expect(author.get_by_text("Ihre Änderung geht als Änderungsvorschlag an die Moderation")).to_be_visible()
    author.get_by_label("Kurzbeschreibung").fill("Termine online buchen, auch für Kfz-Zulassungen.")
    author.get_by_role("button", name="Änderung zur Prüfung vorschlagen").click()
    expect(author.get_by_role("status")).to_contain_text("wartet auf die Prüfung")
    fits(author)
    entry = web_server.url(author.url.split(web_server.base_url)[1].split("/bearbeiten")[0])

    # which everyone else does not see yet
    visitor = new_page(viewport=viewport)
    visitor.goto(entry)
    expect(visitor.locator(".lead")).to_have_text("Termine online buchen, ohne Konto, mit Erinnerung per SMS.")

    # until the moderator approves the change
    reviewer.goto(web_server.url("/pruefen"))
    item = reviewer.get_by_role("article", name=title)
    expect(item).to_contain_text("Kfz-Zulassungen")
    item.get_by_role("button", name=re.compile("^Änderung freigeben")).click()
    expect(reviewer.get_by_role("status")).to_contain_text("Änderung ist übernommen")
    visitor.reload()
    expect(visitor.locator(".lead")).to_have_text("Termine online buchen, auch für Kfz-Zulassungen.")
    fits(visitor)


def test_withdrawing_asks_first_and_works_without_javascript(
    member: str, web_server: WebServer, new_page: Callable[..., Page],
) -> None:
    author = new_page(viewport={"width": 360, "height": 900}, java_script_enabled=False)
    author.goto(web_server.url("/anmelden"))
    author.get_by_label("Konto").fill(member)
    author.get_by_label("Passwort").fill(MEMBER_PASSWORD)
    author.get_by_role("button", name="Anmelden").click()
    author.goto(web_server.url("/einreichen/projekt"))
    author.get_by_label("Titel").fill("Laternen-Störungsmelder Olpe")
    author.get_by_label("Kurzbeschreibung").fill("Defekte Laternen melden.")
    author.get_by_role("button", name="Projekt einreichen").click()
    author.goto(author.url.split("?")[0] + "/bearbeiten")
    author.get_by_role("link", name="Einreichung zurückziehen").click()
    expect(author.get_by_role("heading", level=1)).to_have_text("Einreichung zurückziehen?")
    fits(author)
    author.get_by_role("button", name="Ja, zurückziehen").click()
    expect(author.get_by_role("status")).to_contain_text("wieder ein Entwurf")
    expect(author.get_by_role("button", name="Zur Prüfung einreichen")).to_be_visible()
