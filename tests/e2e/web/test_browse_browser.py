"""A member browses /projekte in the browser at desktop and phone width: picks a Kreis, sorts by
title, goes to page 2 and opens a card, without JavaScript of ours, without console errors (the
``new_page`` fixture fails the test on any) and, at 360 px, without horizontal scrolling."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.browse_server import browse_server  # noqa: F401
from tests.e2e.web.conftest import WebServer

pytestmark = pytest.mark.browser

HORIZONTAL_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.outerHTML)"""


@pytest.mark.parametrize(("width", "height", "name"), [(1280, 900, "desktop"), (360, 740, "phone")])
def test_a_member_filters_sorts_pages_and_opens_a_project(
    browse_server: WebServer, new_page: Callable[..., Page],  # noqa: F811
    screenshot: Callable[[Page, str], Path], width: int, height: int, name: str,
) -> None:
    phone = width < 500
    page = new_page(viewport={"width": width, "height": height}, **({"is_mobile": True, "has_touch": True}
                                                                    if phone else {}))
    # given the projects list, reached through the main navigation
    page.goto(browse_server.url("/"))
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Projekte").click()
    expect(page).to_have_url(re.compile(r"/projekte$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Projekte")
    expect(page.locator(".entry-card")).to_have_count(20)
    assert page.evaluate(UNLABELLED_FIELDS) == []
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0
    screenshot(page, f"40-{name}-projekte")

    # when the member picks the Kreis Steinfurt facet
    kreis = page.locator(".facet").filter(has=page.get_by_role("heading", name="Kreis"))
    kreis.get_by_role("link", name=re.compile("Kreis Steinfurt")).click()
    expect(page).to_have_url(re.compile(r"kreis=Kreis\+Steinfurt"))
    expect(page.locator(".results-title")).to_contain_text("31 Einträge")
    expect(page.locator(".active-filters")).to_contain_text("Kreis: Kreis Steinfurt")

    # and sorts by title (the selection stays)
    page.get_by_label("Sortierung").select_option("titel")
    page.get_by_role("button", name="Sortieren").click()
    expect(page).to_have_url(re.compile(r"kreis=Kreis\+Steinfurt.*sortierung=titel"))
    titles = page.locator(".entry-card-title").all_inner_texts()
    assert titles == sorted(titles, key=str.lower) and len(titles) == 20
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0
    screenshot(page, f"41-{name}-projekte-steinfurt-titel")

    # and goes to page 2
    page.get_by_role("navigation", name="Seiten der Liste").get_by_role("link", name="Weiter").click()
    expect(page).to_have_url(re.compile(r"seite=2"))
    expect(page.locator(".entry-card")).to_have_count(11)
    second = page.locator(".entry-card-title").all_inner_texts()
    assert second[0].lower() >= titles[-1].lower()
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0
    screenshot(page, f"42-{name}-projekte-seite-2")

    # then a card opens the project's page
    first = second[0]
    page.get_by_role("link", name=first, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first)
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0


def test_the_lists_announce_their_feeds_and_the_lessons_list_fits_a_phone(
    browse_server: WebServer, new_page: Callable[..., Page], screenshot: Callable[[Page, str], Path],  # noqa: F811
) -> None:
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(browse_server.url("/erkenntnisse?art=pitfall"))
    feed = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    expect(feed).to_have_attribute("href", "/erkenntnisse.atom?art=pitfall")
    expect(page.locator(".entry-card").first).to_be_visible()
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0
    screenshot(page, "43-phone-erkenntnisse")
