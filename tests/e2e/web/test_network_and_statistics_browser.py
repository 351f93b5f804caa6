"""The start page, the network page and ``/statistik`` in chromium, on a desktop and a phone screen:
they render without console errors (the CSP would report a blocked inline style), fit a 360 px
screen without horizontal scrolling, and their charts are images with accessible names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import WebServer
from tests.e2e.web.test_accessibility import HORIZONTAL_OVERFLOW

pytestmark = pytest.mark.browser

SCREENS = {"desktop": {"viewport": {"width": 1280, "height": 900}},
           "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}}
PAGES = {"start": "/", "network": "/netzwerke/smart-cities-schule", "statistics": "/statistik"}
# each chart's width as drawn, against the width of the page's main column
CHART_WIDTHS = """() => [...document.querySelectorAll('svg.chart')].map(svg => [
  svg.getBoundingClientRect().width, document.querySelector('main').clientWidth])"""


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_fits_the_screen_without_errors(
    web_server: WebServer, new_page: Callable[..., Page], screenshot: Callable[[Page, str], Path],
    name: str, screen: str,
) -> None:
    page = new_page(**SCREENS[screen])
    page.goto(web_server.url(PAGES[name]))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate(HORIZONTAL_OVERFLOW) <= 0
    for width, column in page.evaluate(CHART_WIDTHS):
        assert 0 < width <= column
    screenshot(page, f"50-{name}-{screen}")


def test_statistik_charts_are_named_images_next_to_their_tables(web_server: WebServer, page: Page) -> None:
    page.goto(web_server.url("/statistik"))
    charts = page.get_by_role("img")
    expect(charts).to_have_count(5)
    expect(page.get_by_role("img", name="Projekte je Handlungsfeld")).to_be_visible()
    expect(page.get_by_role("img", name="Beitritte je Jahr nach Grundlage")).to_be_visible()
    expect(page.get_by_role("table", name="Projekte je Kreis")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(5)
    # the navigation names the page as the current one
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link", name="Statistik")).to_have_attribute("aria-current", "page")


def test_from_the_start_page_to_the_network_and_its_numbers(web_server: WebServer, page: Page) -> None:
    page.goto(web_server.url("/"))
    expect(page.get_by_role("heading", name="Neu")).to_be_visible()
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Netzwerk").click()
    # the five pioneers the network's own text names (seed/networks.jsonl)
    expect(page.get_by_role("heading", name="Pionierkommunen (5)")).to_be_visible()
    expect(page.get_by_role("heading", name="Unterstützer (0)")).to_be_visible()
    page.get_by_role("link", name="Das Netzwerk in Zahlen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Smart Cities: Schule")
