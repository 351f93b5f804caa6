"""Project actions and the compact review queue over HTTP, on the real seeded app (``web_server``):
"Kontakt aufnehmen" (contact data for members only), "Wir übernehmen das" (an adoption recorded
through the form, reviewed, a duplicate refused in German), and the queue (submitter, commune, full
text, the diff of a pending revision, duplicate candidates, merge by choosing one, reject only with
a reason and a confirmation)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.web.conftest import MEMBER_PASSWORD, WebServer

MODERATOR, MODERATOR_PASSWORD = "moderation-aktionen", "Aktionen-Pruefen-2024!"
WITH_CONTACT = "rahmenstrategie-suedwestfalen-neuauflage-2021"
CONTACT_EMAIL = "m.barutowicz@suedwestfalen.com"
ADOPTED = "stadtlabor-menden"
OLPE_PROJECT = "offene-regionale-datenplattform"
UPDATE_SUMMARY = """mutation($input: UpdateProjectInput!) {
  updateProject(input: $input) { __typename ... on UserErrors { errors { code message } } }
}"""


@pytest.fixture(scope="module")
def moderator(web_server: WebServer) -> str:
    return web_server.add_moderator(MODERATOR, MODERATOR_PASSWORD)


def signed_in(web_server: WebServer, name: str, password: str) -> httpx.Client:
    browser = httpx.Client(base_url=web_server.base_url, timeout=60)
    token = csrf_token(browser.get("/anmelden").text)
    assert browser.post("/signin", data={"csrf_token": token, "name": name, "password": password}).status_code == 303
    return browser


@pytest.fixture
def member_browser(web_server: WebServer, member: str) -> Iterator[httpx.Client]:
    browser = signed_in(web_server, member, MEMBER_PASSWORD)
    yield browser
    browser.close()


@pytest.fixture
def moderator_browser(web_server: WebServer, moderator: str) -> Iterator[httpx.Client]:
    browser = signed_in(web_server, moderator, MODERATOR_PASSWORD)
    yield browser
    browser.close()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def queue_item(queue: str, slug: str) -> str:
    """The review queue's article of entry ``slug`` (its HTML)."""
    found = re.search(rf'<article class="review-item" id="eintrag-{re.escape(slug)}".*?</article>', queue, re.S)
    assert found, f"{slug} is not in the review queue"
    return found.group(0)


def submit_project(browser: httpx.Client, title: str, summary: str, description: str = "") -> str:
    token = csrf_token(browser.get("/einreichen/projekt").text)
    done = browser.post("/einreichen/projekt", data={
        "csrf_token": token, "title": title, "summary": summary, "description": description, "communes": "olpe"})
    assert done.status_code == 303, done.text
    return done.headers["location"].split("/projekte/")[1].split("?")[0]


def test_contact_data_is_shown_to_members_and_anonymous_visitors_get_a_sign_in_link(
    web_server: WebServer, member_browser: httpx.Client
) -> None:
    path = f"/projekte/{WITH_CONTACT}"
    # given an anonymous visitor: no contact data, but a sign-in link that returns to the page
    anonymous = httpx.get(web_server.url(path))
    assert anonymous.status_code == 200
    assert CONTACT_EMAIL not in anonymous.text
    assert f'href="/anmelden?weiter=/projekte/{WITH_CONTACT}">Anmelden, um Kontakt aufzunehmen' in anonymous.text
    assert "Kontakt aufnehmen" in anonymous.text
    # when a member opens the page
    page = member_browser.get(path).text
    # then the contact person has a mailto link whose subject names the project
    mailto = re.search(rf'href="(mailto:{re.escape(CONTACT_EMAIL)}\?subject=[^"]+)"', page)
    assert mailto, "no mailto link with a subject"
    subject = httpx.URL(html.unescape(mailto.group(1)).replace("mailto:", "http://x/")).params["subject"]
    assert subject == "Anfrage zum Projekt „Neuauflage der Smart Cities Rahmenstrategie für Südwestfalen“"
    # and the actions link to the contacts and to recording an adoption
    assert 'href="#kontakte">Kontakt aufnehmen' in page
    assert f'href="/projekte/{WITH_CONTACT}/uebernehmen">Wir übernehmen das' in page


def test_a_member_records_an_adoption_that_waits_for_review_and_a_second_one_is_refused(
    web_server: WebServer, member_browser: httpx.Client, moderator_browser: httpx.Client
) -> None:
    form_path = f"/projekte/{ADOPTED}/uebernehmen"
    # given anonymous visitors are sent to sign in first (and back here afterwards)
    anonymous = httpx.get(web_server.url(form_path))
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/anmelden?weiter=/projekte/{ADOPTED}/uebernehmen"
    # when a member of Olpe fills in the form
    form = member_browser.get(form_path)
    assert form.status_code == 200 and "<strong>Olpe</strong>" in form.text
    values = {"csrf_token": csrf_token(form.text), "status": "PLANNED", "started": "2025-03",
              "contact": "", "outcome": "Wir richten ein Stadtlabor in der Innenstadt ein."}
    done = member_browser.post(form_path, data=values)
    # then the adoption is recorded, with a German confirmation that links to it
    assert done.status_code == 303, done.text
    confirmation = member_browser.get(done.headers["location"]).text
    assert "Vielen Dank! Die Übernahme ist erfasst." in confirmation and "Die Moderation prüft sie" in confirmation
    adoption = re.search(r'href="/uebernahmen/([a-z0-9-]+)">Zur Übernahme', confirmation).group(1)  # type: ignore[union-attr]
    own = member_browser.get(f"/uebernahmen/{adoption}")
    assert own.status_code == 200 and "Noch nicht veröffentlicht" in own.text
    # and it waits in the review queue, with who recorded it and for which commune
    item = queue_item(moderator_browser.get("/pruefen").text, adoption)
    assert "Olpe übernimmt „Stadtlabor Menden“" in item
    assert "mitglied-olpe" in item and "Wir richten ein Stadtlabor in der Innenstadt ein." in item
    # and the member's list shows it
    mine = member_browser.get("/meine-einreichungen")
    assert mine.status_code == 200 and "Olpe übernimmt „Stadtlabor Menden“" in mine.text
    # when the member records the same adoption again, it is refused in German, the values kept
    again = member_browser.post(form_path, data=values | {"csrf_token": csrf_token(member_browser.get(form_path).text)})
    assert again.status_code == 200 and 'role="alert"' in again.text
    assert "Diese Übernahme ist schon erfasst" in again.text
    assert "Wir richten ein Stadtlabor in der Innenstadt ein." in again.text
    # and a bad date is explained at its field
    bad = member_browser.post(form_path, data=values | {"started": "März", "csrf_token": csrf_token(again.text)})
    assert bad.status_code == 200 and 'id="started-fehler"' in bad.text


def test_the_queue_shows_a_new_entry_with_submitter_commune_full_text_and_duplicate_candidates(
    member_browser: httpx.Client, moderator_browser: httpx.Client
) -> None:
    # given a member's submission that is nearly a published project
    description = ("Ein Experimentier-, Lern- und Beteiligungsort wie die Stadtlabore der Pionierkommunen.\n\n"
                   "Zweiter Absatz.")
    entry = submit_project(member_browser, "Stadtlabor Olpe", "Experimentier-, Lern- und Beteiligungsort in Olpe.",
                           description)
    # when a moderator opens the queue
    item = queue_item(moderator_browser.get("/pruefen").text, entry)
    # then the entry shows kind, submitter, commune, date and its full text behind <details>
    assert "Projekt" in item and "mitglied-olpe" in item and "<dd>Olpe</dd>" in item
    assert re.search(r"Eingereicht am</dt><dd>\d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}</dd>", item)  # a German date
    details = re.search(r"<details.*?</details>", item, re.S).group(0)  # type: ignore[union-attr]
    assert "Zweiter Absatz." in details
    # and published Stadtlabor projects as candidates to merge into, to choose with a radio button
    candidates = re.findall(r'type="radio" id="[^"]+" name="survivor" value="([a-z0-9-]+)"', item)
    assert any(c.startswith("stadtlabor-") for c in candidates), candidates
    assert entry not in candidates
    # and one form with all four steps, the destructive ones marked as such
    assert item.count("<form") == 1
    assert 'value="ablehnen" class="danger"' in item and 'value="zusammenfuehren" class="danger"' in item


def test_a_merge_chosen_from_the_candidates_asks_for_confirmation_and_the_member_sees_where_it_went(
    member_browser: httpx.Client, moderator_browser: httpx.Client
) -> None:
    # given a near-duplicate submission and its candidates in the queue
    entry = submit_project(member_browser, "Stadtlabor Soest (Kopie aus Olpe)",
                           "Experimentier-, Lern- und Beteiligungsort der Pionierkommune Soest.")
    queue = moderator_browser.get("/pruefen").text
    candidates = re.findall(r'name="survivor" value="([a-z0-9-]+)"', queue_item(queue, entry))
    assert candidates
    survivor = candidates[0]
    step = {"csrf_token": csrf_token(queue), "id": entry, "titel": "Stadtlabor Soest (Kopie aus Olpe)",
            "art": "PROJECT", "aktion": "zusammenfuehren", "survivor": survivor, "survivor_id": "",
            "reason": "Dasselbe Stadtlabor."}
    # when the moderator chooses the first candidate and merges
    confirm = moderator_browser.post("/pruefen", data=step)
    # then a confirmation page asks first, and nothing is merged yet
    assert confirm.status_code == 200 and "Wirklich zusammenführen?" in confirm.text
    assert f'href="/projekte/{survivor}"' in confirm.text
    assert entry in moderator_browser.get("/pruefen").text
    # when confirmed
    done = moderator_browser.post("/pruefen", data={
        k: v for k, v in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', confirm.text)})
    assert done.status_code == 303 and "erledigt=zusammenfuehren" in done.headers["location"]
    # then the member's list says where the entry went, with a link to it
    mine = member_browser.get("/meine-einreichungen").text
    row = re.search(r"<tr>(?:(?!</tr>).)*Stadtlabor Soest \(Kopie aus Olpe\)(?:(?!</tr>).)*</tr>", mine, re.S)
    assert row, "the merged entry is not in the member's list"
    assert re.search(rf'zusammengeführt in <a href="/projekte/{survivor}">[^<]+</a>', row.group(0))


def test_a_pending_revision_shows_its_diff_and_rejecting_it_needs_a_reason_and_a_confirmation(
    member_browser: httpx.Client, moderator_browser: httpx.Client
) -> None:
    # given a member's proposed change of a published project of Olpe
    published = "Gemeinsame technologische Grundlage der 5 für Südwestfalen, auf der alle künftigen " \
        "Smart-City-Lösungen aufsetzen sollen."
    proposed = published.replace("Gemeinsame technologische", "Gemeinsame offene") + " Neu: Daten der Region."
    changed = member_browser.post("/graphql", json={"query": UPDATE_SUMMARY, "variables": {
        "input": {"id": OLPE_PROJECT, "summary": proposed}}}, headers={"X-CSRF-Token": csrf_token(
            member_browser.get("/meine-einreichungen").text)})
    assert changed.json()["data"]["updateProject"]["__typename"] != "UserErrors", changed.text
    # when a moderator opens the queue
    queue = moderator_browser.get("/pruefen").text
    item = queue_item(queue, OLPE_PROJECT)
    # then the diff names the field in German, with the old and new value and the new words marked
    assert "<th scope=\"row\">Kurzbeschreibung</th>" in item
    assert "<td>Gemeinsame <del>technologische</del> Grundlage der 5" in item
    assert "<td>Gemeinsame <ins>offene</ins> Grundlage der 5" in item and "<ins>Neu: Daten der Region.</ins>" in item
    assert "Vorgeschlagen von</dt><dd>mitglied-olpe</dd>" in item
    # when the moderator rejects it without a reason: refused in German, nothing decided
    token = csrf_token(queue)
    step = {"csrf_token": token, "id": OLPE_PROJECT, "aktion": "ablehnen", "titel": "x", "art": "PROJECT"}
    refused = moderator_browser.post("/pruefen", data=step | {"reason": "  "})
    assert refused.status_code == 200 and "Begründung" in queue_item(refused.text, OLPE_PROJECT)
    assert 'role="alert"' in queue_item(refused.text, OLPE_PROJECT)
    # with a reason, a confirmation page comes first, and the revision still waits
    confirm = moderator_browser.post("/pruefen", data=step | {"reason": "Bitte mit Quelle."})
    assert confirm.status_code == 200 and "Wirklich ablehnen?" in confirm.text and "Bitte mit Quelle." in confirm.text
    assert 'value="ja"' in confirm.text
    assert "Kurzbeschreibung" in queue_item(moderator_browser.get("/pruefen").text, OLPE_PROJECT)
    # and confirmed, it is rejected
    done = moderator_browser.post("/pruefen", data=step | {"reason": "Bitte mit Quelle.", "bestaetigt": "ja"})
    assert done.status_code == 303 and "erledigt=ablehnen-aenderung" in done.headers["location"]
