"""A project page on paper: no navigation or forms, link addresses written out, headings kept with
what follows them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.e2e.web.conftest import WebServer

pytestmark = pytest.mark.browser

PROJECT = "/projekte/offene-regionale-datenplattform"
SHOWN = "(el) => getComputedStyle(el).display !== 'none'"
AFTER = "(el) => getComputedStyle(el, '::after').content"


def test_a_printed_project_page_has_no_navigation_and_spells_out_its_links(
    web_server: WebServer, new_page: Callable[..., Page],
) -> None:
    page = new_page(viewport={"width": 800, "height": 1100})
    page.goto(web_server.url(PROJECT))
    # on screen: header, navigation, search form are there
    assert page.locator(".site-header").evaluate(SHOWN)
    assert page.locator("form.header-search").evaluate(SHOWN)

    # when printed
    page.emulate_media(media="print")

    # then no header, navigation, footer or form
    for selector in (".site-header", ".site-footer", "nav", "form", ".skip-link"):
        for element in page.locator(selector).all():
            assert not element.evaluate(SHOWN), selector
    # the content is there, and each link in it carries its address after its text
    assert page.locator("main h1").evaluate(SHOWN)
    link = page.locator("main a[href^='/']").first
    href = link.get_attribute("href")
    assert link.evaluate(AFTER) == f'" ({href})"'
    # headings stay with the text after them
    assert page.locator("main h2").first.evaluate("(el) => getComputedStyle(el).breakAfter") == "avoid"
