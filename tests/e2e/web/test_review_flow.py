"""Review in the browser: a member's submission is not in search until a moderator approved it in
the review queue; a rejected one never is. Every review form carries the session's CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import MEMBER_PASSWORD, WebServer, sign_in

pytestmark = pytest.mark.browser

MODERATOR, MODERATOR_PASSWORD = "moderation-suedwestfalen", "Pruefen-und-Freigeben-2024!"
APPROVED = "Mängelmelder für Schulwege in Olpe"
REJECTED = "Werbung für einen Parkplatzanbieter in Olpe"
MERGE_REASON = "Dasselbe Stadtlabor, einmal aus Olpe eingereicht."
AUDIT_OF_SURVIVOR = '{ auditLog(target: "stadtlabor-soest", first: 1) { nodes { action actorName reason } } }'
HISTORY_OF = "query($id: String!) { history(id: $id) { slug action } }"


@pytest.fixture(scope="module")
def moderator(web_server: WebServer) -> str:
    return web_server.add_moderator(MODERATOR, MODERATOR_PASSWORD)


def submit_project(page: Page, title: str, summary: str) -> None:
    page.get_by_role("link", name="Einreichen").click()
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Kurzbeschreibung").fill(summary)
    page.get_by_role("button", name="Projekt einreichen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status")).to_contain_text("Die Moderation prüft es")


def search(page: Page, web_server: WebServer, query: str) -> None:
    page.goto(web_server.url("/"))
    page.get_by_label("Suchbegriff").first.fill(query)
    page.get_by_label("Suchbegriff").first.press("Enter")
    expect(page.locator("#treffer-titel")).to_contain_text(f"für „{query}“")


def test_a_submission_is_found_in_search_only_after_a_moderator_approved_it(
    member: str, moderator: str, web_server: WebServer, new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    # given a member of Olpe who submits a project
    author = new_page(viewport={"width": 1280, "height": 900})
    sign_in(author, web_server, member, MEMBER_PASSWORD)
    submit_project(author, APPROVED, "Eltern und Kinder melden Gefahrenstellen auf dem Schulweg per App.")

    # then it is not found in search
    search(author, web_server, "Mängelmelder Schulwege")
    expect(author.get_by_role("link", name=APPROVED)).to_have_count(0)

    # when a moderator signs in, the header says something waits, and the queue shows the entry
    reviewer = new_page(viewport={"width": 1280, "height": 900})
    sign_in(reviewer, web_server, moderator, MODERATOR_PASSWORD)
    expect(reviewer.get_by_test_id("queue-count")).not_to_have_text("0")
    reviewer.get_by_role("link", name=re.compile("^Prüfen")).click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Prüfliste")
    item = reviewer.get_by_role("article", name=APPROVED)
    expect(item).to_be_visible()
    screenshot(reviewer, "30-review-queue")

    # and approves it
    item.get_by_role("button", name=re.compile("^Freigeben")).click()
    expect(reviewer.get_by_role("status")).to_contain_text("freigegeben")
    expect(reviewer.get_by_role("article", name=APPROVED)).to_have_count(0)
    screenshot(reviewer, "31-review-queue-approved")

    # then anyone finds it in search on /, and its page shows it
    visitor = new_page(viewport={"width": 1280, "height": 900})
    search(visitor, web_server, "Mängelmelder Schulwege")
    visitor.get_by_role("link", name=APPROVED).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(APPROVED)
    expect(visitor.locator(".notice")).to_have_count(0)

    # and the author sees it published under "Meine Einreichungen"
    author.get_by_role("link", name="Meine Einreichungen").click()
    expect(author.get_by_role("row", name=re.compile(APPROVED))).to_contain_text("veröffentlicht")


def test_a_rejected_submission_never_appears_in_search(
    member: str, moderator: str, web_server: WebServer, new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    # given a member's submission
    author = new_page(viewport={"width": 1280, "height": 900})
    sign_in(author, web_server, member, MEMBER_PASSWORD)
    submit_project(author, REJECTED, "Ein Anbieter wirbt für seine kostenpflichtigen Parkplätze.")

    # when a moderator rejects it, first without a reason (refused), then with one
    reviewer = new_page(viewport={"width": 1280, "height": 900})
    sign_in(reviewer, web_server, moderator, MODERATOR_PASSWORD)
    reviewer.goto(web_server.url("/pruefen"))
    item = reviewer.get_by_role("article", name=REJECTED)
    item.get_by_label("Begründung").fill("   ")
    item.get_by_role("button", name=re.compile("^Ablehnen")).click()
    item = reviewer.get_by_role("article", name=REJECTED)
    expect(item.get_by_role("alert")).to_contain_text("Begründung")
    item.get_by_label("Begründung").fill("Werbung gehört nicht in den Wissenstransfer.")
    item.get_by_role("button", name=re.compile("^Ablehnen")).click()
    # (rejecting asks once more, on a page of its own)
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Wirklich ablehnen?")
    reviewer.get_by_role("button", name="Ja, ablehnen").click()
    expect(reviewer.get_by_role("status")).to_contain_text("abgelehnt")
    screenshot(reviewer, "32-review-queue-rejected")

    # then it is not found in search, by anyone
    for page in (reviewer, author):
        search(page, web_server, "Parkplatzanbieter")
        expect(page.get_by_role("link", name=REJECTED)).to_have_count(0)

    # and the author reads the reason under "Meine Einreichungen"
    author.get_by_role("link", name="Meine Einreichungen").click()
    row = author.get_by_role("row", name=re.compile(REJECTED))
    expect(row).to_contain_text("abgelehnt")
    expect(row).to_contain_text("Werbung gehört nicht in den Wissenstransfer.")
    screenshot(author, "33-my-submissions")


def test_review_forms_need_the_session_csrf_token(member: str, moderator: str, web_server: WebServer) -> None:
    for name, password, path in ((moderator, MODERATOR_PASSWORD, "/pruefen"),
                                 (member, MEMBER_PASSWORD, "/meine-einreichungen")):
        with httpx.Client(base_url=web_server.base_url, timeout=30) as browser:
            # given a signed-in account
            form = browser.get("/anmelden").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
            assert browser.post("/signin", data={"csrf_token": token, "name": name,
                                                 "password": password}).status_code == 303
            # when a review form arrives without the session's token, or with the pre-sign-in one
            for data in ({"aktion": "freigeben", "id": "stadtlabor-soest"},
                         {"aktion": "freigeben", "id": "stadtlabor-soest", "csrf_token": token}):
                refused = browser.post(path, data=data)
                # then it is refused
                assert refused.status_code == 403 and "Formular abgelaufen" in refused.text


def test_members_cannot_open_the_review_queue(member: str, web_server: WebServer) -> None:
    with httpx.Client(base_url=web_server.base_url, timeout=30) as browser:
        assert browser.get("/pruefen").headers["location"].startswith("/anmelden")
        form = browser.get("/anmelden").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        browser.post("/signin", data={"csrf_token": token, "name": member, "password": MEMBER_PASSWORD})
        page = browser.get("/pruefen")
        assert page.status_code == 403 and "Nur für die Moderation" in page.text


def test_a_failed_sign_in_returns_to_the_sign_in_page_with_a_german_message(
    member: str, web_server: WebServer, page: Page
) -> None:
    page.goto(web_server.url("/anmelden"))
    page.get_by_label("Konto").fill(member)
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(r"/anmelden\?fehler=anmeldung"))
    expect(page.get_by_role("alert")).to_have_text("Konto oder Passwort stimmt nicht.")


def _signed_in(web_server: WebServer, name: str, password: str) -> httpx.Client:
    browser = httpx.Client(base_url=web_server.base_url, timeout=30)
    form = browser.get("/anmelden").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    assert browser.post("/signin", data={"csrf_token": token, "name": name, "password": password}).status_code == 303
    return browser


def _session_token(browser: httpx.Client, path: str) -> str:
    page = browser.get(path).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_a_moderator_merges_a_duplicate_submission_into_the_published_project(
    member: str, moderator: str, web_server: WebServer
) -> None:
    author, reviewer = _signed_in(web_server, member, MEMBER_PASSWORD), _signed_in(web_server, moderator,
                                                                                   MODERATOR_PASSWORD)
    try:
        # given a member's submission that duplicates a published project
        token = _session_token(author, "/einreichen/projekt")
        done = author.post("/einreichen/projekt", data={
            "csrf_token": token, "title": "Stadtlabor Olpe (Dublette)", "summary": "Wie das Stadtlabor Soest.",
            "communes": "olpe"})
        assert done.status_code == 303
        duplicate = done.headers["location"].split("/projekte/")[1].split("?")[0]
        # when a moderator merges it into that project from the review queue
        token = _session_token(reviewer, "/pruefen")
        merged = reviewer.post("/pruefen", data={"csrf_token": token, "aktion": "zusammenfuehren", "id": duplicate,
                                                 "survivor": "stadtlabor-soest", "merge_reason": MERGE_REASON,
                                                 "bestaetigt": "ja"})
        assert merged.status_code == 303 and "erledigt=zusammenfuehren" in merged.headers["location"]
        # and the audit log records who merged and why, the survivor's history the duplicate's versions
        audit = reviewer.post("/graphql", json={"query": AUDIT_OF_SURVIVOR}).json()["data"]["auditLog"]["nodes"][0]
        assert (audit["action"], audit["actorName"], audit["reason"]) == ("merge", moderator, MERGE_REASON)
        history = reviewer.post("/graphql", json={"query": HISTORY_OF, "variables": {"id": duplicate}})
        assert {(v["slug"], v["action"]) for v in history.json()["data"]["history"]} >= {
            (duplicate, "create"), ("stadtlabor-soest", "merge")}
        # (the public sees the merge, but not the steps of the submission that was never published)
        public = httpx.post(web_server.url("/graphql"), json={"query": HISTORY_OF, "variables": {"id": duplicate}})
        steps = {(v["slug"], v["action"]) for v in public.json()["data"]["history"]}
        assert ("stadtlabor-soest", "merge") in steps and (duplicate, "create") not in steps
        # then the queue no longer lists it, and its old address shows the surviving project
        assert duplicate not in reviewer.get("/pruefen").text
        page = httpx.get(web_server.url(f"/projekte/{duplicate}"))
        assert page.status_code == 200 and "<h1>Stadtlabor Soest</h1>" in page.text
        # and a merge into an unknown id is explained on the queue page, not as an error page
        token = _session_token(author, "/einreichen/projekt")
        again = author.post("/einreichen/projekt", data={
            "csrf_token": token, "title": "Noch eine Dublette", "summary": "Doppelt.", "communes": "olpe"})
        second = again.headers["location"].split("/projekte/")[1].split("?")[0]
        token = _session_token(reviewer, "/pruefen")
        unknown = reviewer.post("/pruefen", data={"csrf_token": token, "aktion": "zusammenfuehren", "id": second,
                                                  "survivor": "gibt-es-nicht", "bestaetigt": "ja"})
        assert unknown.status_code == 200 and "gibt-es-nicht" in unknown.text and 'role="alert"' in unknown.text
    finally:
        author.close()
        reviewer.close()
