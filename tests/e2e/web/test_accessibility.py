"""Keyboard use, labels and small screens, checked in the browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import WebServer

pytestmark = pytest.mark.browser

UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.outerHTML)"""
HORIZONTAL_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_the_first_tab_stop_skips_to_the_content(web_server: WebServer, page: Page) -> None:
    page.goto(web_server.url("/?q=Datenplattform"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_a_search_can_be_made_with_the_keyboard_alone(web_server: WebServer, page: Page) -> None:
    page.goto(web_server.url("/"))
    page.keyboard.press("Tab")  # skip link
    while page.evaluate("document.activeElement.id") != "suche":
        page.keyboard.press("Tab")
    page.keyboard.type("Stadtlabor")
    page.keyboard.press("Enter")
    expect(page.locator(".hit").first).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/?q=Stadtlabor", "/anmelden", "/kommunen/olpe"])
def test_every_form_field_has_a_label(web_server: WebServer, page: Page, path: str) -> None:
    page.goto(web_server.url(path))
    assert page.evaluate(UNLABELLED_FIELDS) == []


@pytest.mark.parametrize(
    ("path", "name"),
    [("/?q=Datenplattform", "30-phone-search"), ("/projekte/offene-regionale-datenplattform", "31-phone-project"),
     ("/netzwerke/rahmenstrategie-suedwestfalen", "32-phone-network"), ("/daten", "33-phone-open-data")],
)
def test_pages_fit_a_phone_screen(
    web_server: WebServer, new_page: Callable[..., Page], screenshot: Callable[[Page, str], Path], path: str, name: str
) -> None:
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(web_server.url(path))
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0
    screenshot(page, name)
