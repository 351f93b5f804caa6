"""axe-core finds no violation on any page type, at 1280 and at 360 px; and no page scrolls
sideways on a 360 px phone. Each page type as the person who sees it: readers, a member, a
moderator, an admin; the 404 page and the 429 page (from a server with a strict sign-in limit)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from schule.app import create_app
from schule.auth.ratelimit import Limits, RateLimiter
from schule.settings import Settings
from tests.e2e.web.conftest import MEMBER_PASSWORD, ConsoleLog, Violation, WebServer, describe, serve

pytestmark = pytest.mark.browser

MODERATOR, ADMIN, STAFF_PASSWORD = "axe-moderation", "axe-verwaltung", "Barrieren finden 2026"
RECORD_ADOPTION = "mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { __typename } }"
HORIZONTAL_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
WIDTHS = {"1280": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 740}}

READER_PAGES = [
    "/", "/?q=Datenplattform", "/?q=gibtesnichtxyz", "/projekte/offene-regionale-datenplattform",
    "/erkenntnisse/anschluss-kostenlos-per-loi-oder-ratsbeschluss", "/kommunen/olpe",
    "/personen/matthias-barutowicz", "/handlungsfelder/wirtschaft", "/netzwerke/smart-cities-schule",
    "/netzwerke/rahmenstrategie-suedwestfalen", "/veranstaltungen/smart-cities-konferenz-2020",
    "/organisationen/suedwestfalen-agentur", "/uebernahmen/axe-uebernahme", "/anmelden", "/daten", "/impressum",
    "/datenschutz", "/barrierefreiheit", "/gibt-es-nicht",
    # browsing, statistics
    "/projekte", "/projekte?kreis=Kreis+Olpe&sortierung=titel", "/erkenntnisse", "/statistik",
    "/statistik?netzwerk=rahmenstrategie-suedwestfalen",
]
MEMBER_PAGES = ["/einreichen/projekt", "/einreichen/erkenntnis", "/meine-einreichungen", "/veraltet",
                "/konto/passwort", "/projekte/offene-regionale-datenplattform/bearbeiten",
                "/projekte/offene-regionale-datenplattform/uebernehmen",
                "/erkenntnisse/anschluss-kostenlos-per-loi-oder-ratsbeschluss/bearbeiten"]
PAGES = ([("reader", p) for p in READER_PAGES] + [("member", p) for p in MEMBER_PAGES]
         + [("moderator", "/pruefen"), ("admin", "/konten"), ("reader", "429")])


@pytest.fixture(scope="module")
def staff(web_server: WebServer, member: str) -> dict[str, tuple[str, str]]:
    tokens = {}
    for name, role in ((MODERATOR, "moderator"), (ADMIN, "admin")):
        done = web_server.schule("user", "add", name, "--role", role, "--commune", "olpe", "--password-stdin",
                                 "--json", stdin=STAFF_PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
        tokens[role] = json.loads(done.stdout)["token"]
    # an adoption for the adoption page (an admin's is published at once)
    adopted = httpx.post(web_server.url("/graphql"), timeout=30, headers={"Authorization": f"Bearer {tokens['admin']}"},
                         json={"query": RECORD_ADOPTION, "variables": {"input": {
                             "id": "axe-uebernahme", "source": "stadtlabor-soest", "commune": "olpe",
                             "status": "IN_PROGRESS", "started": "2025-03"}}})
    assert adopted.json()["data"]["recordAdoption"]["__typename"] == "AdaptationPayload", adopted.text
    # the member's list and the review queue with an entry in them (a long title, as real ones are)
    with httpx.Client(base_url=web_server.base_url, timeout=30) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/anmelden").text)
        assert token
        client.post("/signin", data={"csrf_token": token.group(1), "name": member, "password": MEMBER_PASSWORD})
        form = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/einreichen/projekt").text)
        assert form
        posted = client.post("/einreichen/projekt", data={
            "csrf_token": form.group(1), "title": "Digitale Bürgerbeteiligungsplattform für Stadtentwicklungsprojekte",
            "summary": "Bürgerinnen und Bürger beteiligen sich online an der Stadtentwicklung.", "communes": "olpe"})
        assert posted.status_code == 303, posted.text[:300]
    return {"member": (member, MEMBER_PASSWORD), "moderator": (MODERATOR, STAFF_PASSWORD),
            "admin": (ADMIN, STAFF_PASSWORD)}


@pytest.fixture(scope="module")
def strict_server(web_server: WebServer) -> Iterator[str]:
    """A second app on the same data dir whose sign-in allows one failure, then one every 2 minutes."""
    limits = Limits(sign_in=RateLimiter(1, 1 / 120), mutations=RateLimiter(1000, 10.0))
    with serve(create_app(Settings.from_env(web_server.env), seed=False, limits=limits)) as base_url:
        yield base_url


def sign_in(page: Page, base_url: str, name: str, password: str) -> None:
    page.goto(base_url + "/anmelden")
    page.get_by_label("Konto").fill(name)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(lambda url: "/anmelden" not in url)


def open_page(page: Page, who: str, path: str, web_server: WebServer, staff: dict[str, tuple[str, str]],
              strict: Callable[[], str]) -> None:
    if path == "429":
        base = strict()
        for _ in range(2):  # the second failure is over the limit
            page.goto(base + "/anmelden")
            page.get_by_label("Konto").fill("niemand")
            page.get_by_label("Passwort").fill("falsch falsch falsch")
            page.get_by_role("button", name="Anmelden").click()
        assert page.locator("h1").inner_text() == "Zu viele Anfragen"
        return
    if who != "reader":
        sign_in(page, web_server.base_url, *staff[who])
    page.goto(web_server.url(path))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("who", "path"), PAGES)
def test_no_axe_violations_and_no_sideways_scrolling(
    web_server: WebServer, staff: dict[str, tuple[str, str]], request: pytest.FixtureRequest,
    new_page: Callable[..., Page], axe: Callable[[Page], list[Violation]], console: ConsoleLog, who: str, path: str,
    width: str,
) -> None:
    extra: dict[str, Any] = {"is_mobile": True, "has_touch": True} if width == "360" else {}
    # bypass_csp: axe is injected as an inline script (the CSP itself is tested over HTTP)
    page = new_page(viewport=WIDTHS[width], bypass_csp=True, **extra)
    open_page(page, who, path, web_server, staff, lambda: request.getfixturevalue("strict_server"))
    assert page.evaluate("document.documentElement.lang") == "de"
    violations = axe(page)
    assert not violations, f"axe-core on {path} at {width} px:\n{describe(violations)}"
    if width == "360":
        overflow = page.evaluate(HORIZONTAL_OVERFLOW)
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""")
        assert overflow <= 0, f"{path} is {overflow} px wider than a 360 px screen: {wide}"
        header_search = page.locator("#kopf-suche")
        if header_search.count():  # wide enough for its placeholder "Projekte, Erfahrungen, Kommunen …"
            box = header_search.bounding_box()
            assert box and box["width"] >= 280, f"the header search on {path} is {box} at 360 px"
    # Chromium logs every 4xx document as a console error; for the error pages that is their point
    status = {"/gibt-es-nicht": 404, "429": 429}.get(path)
    console.errors[:] = [e for e in console.errors if f"status of {status} " not in e]


def test_the_check_finds_a_violation_when_there_is_one(
    web_server: WebServer, new_page: Callable[..., Page], axe: Callable[[Page], list[Violation]],
) -> None:
    # a negative control: an unlabelled field added to a clean page must be reported
    page = new_page(viewport=WIDTHS["1280"], bypass_csp=True)
    page.goto(web_server.url("/impressum"))
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert "label" in {v["id"] for v in axe(page)}
