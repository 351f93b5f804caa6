"""Member flows in the browser: sign in, submit a project, see that it waits for review."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import MEMBER_PASSWORD, WebServer

pytestmark = pytest.mark.browser

TITLE = "Digitale Bürgersprechstunde im Rathaus Olpe"


def sign_in(page: Page, web_server: WebServer, name: str, password: str) -> None:
    page.goto(web_server.url("/"))
    page.get_by_role("link", name="Anmelden").click()
    page.get_by_label("Konto").fill(name)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def test_submitting_needs_sign_in(web_server: WebServer, page: Page) -> None:
    page.goto(web_server.url("/einreichen/projekt"))
    expect(page).to_have_url(re.compile(r"/anmelden\?weiter="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")


def test_a_member_signs_in_submits_a_project_that_waits_for_review(
    member: str, web_server: WebServer, page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    # given a signed-in member of Olpe
    sign_in(page, web_server, member, MEMBER_PASSWORD)

    # when they submit a project without a summary, they are told what is missing
    page.get_by_role("link", name="Einreichen").click()
    expect(page.get_by_role("group", name="Kommunen").get_by_label("Olpe", exact=True)).to_be_checked()
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_role("button", name="Projekt einreichen").click()
    expect(page.locator(".errors")).to_be_visible()
    screenshot(page, "20-submit-project-errors")

    # when they complete the form and submit it
    page.get_by_label("Kurzbeschreibung").fill("Bürgerinnen und Bürger sprechen per Video mit dem Rathaus.")
    page.get_by_label("Beschreibung", exact=True).fill("Termine werden online gebucht; das Gespräch läuft im Browser.")
    page.get_by_label("Verwaltung", exact=True).check()
    page.get_by_label("Stand", exact=True).select_option("OPERATION")  # other tests add projects named "…stand…"
    page.get_by_label("Schlagwörter", exact=True).fill("Videosprechstunde, Bürgerservice")
    screenshot(page, "21-submit-project")
    page.get_by_role("button", name="Projekt einreichen").click()

    # then they see their entry, and are told that the moderation reviews it first
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("status")).to_contain_text("eingereicht")
    expect(page.get_by_role("status")).to_contain_text("Die Moderation prüft es")

    # and it is not in search until a moderator approved it (tests/e2e/web/test_review_flow.py)
    page.get_by_label("Suchbegriff").fill("Bürgersprechstunde")
    page.get_by_label("Suchbegriff").press("Enter")
    expect(page.locator("#treffer-titel")).to_contain_text("für „Bürgersprechstunde“")
    expect(page.get_by_role("link", name=re.compile("Bürgersprechstunde im Rathaus Olpe"))).to_have_count(0)
    screenshot(page, "22-search-submitted")

    # and "Meine Einreichungen" lists it with its state
    page.get_by_role("link", name="Meine Einreichungen").click()
    row = page.get_by_role("row", name=re.compile(TITLE))
    expect(row).to_contain_text("eingereicht, wartet auf Prüfung")
