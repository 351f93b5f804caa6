"""Members edit their own entries over HTTP against the served app (httpx, real store): every field of
a draft, a returned entry fixed and resubmitted, an edit of a published entry as a pending revision
that a moderator approves on /pruefen, every problem of a post at once with German field names and
the typed values kept, withdrawing, and no editing of another commune's entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
import pytest

from tests.e2e.web.conftest import MEMBER_PASSWORD, WebServer

MODERATOR, MODERATOR_PASSWORD = "moderation-bearbeiten", "Bearbeiten-und-Pruefen-2024!"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PROJECT_STATE = """query($id: String!) { project(id: $id) {
  title summary description status tags links started ended source state reviewNote
  communes { slug } handlungsfelder { slug } contacts { slug } adaptedFrom { slug }
  transfer { prerequisites { type text } effortDays { min max } costsOnce { min max } costsYearly { min max }
             funding { programme share } repository publiccode standards
             partners { role organisation { slug } } documents { title url } }
  pendingRevision { state changes { field } }
} }"""
LESSON_STATE = "query($id: String!) { lesson(id: $id) { title text type state project { slug } author { slug } } }"


def _client(web_server: WebServer, name: str | None = None, password: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=web_server.base_url, timeout=30)
    if name:
        token = TOKEN.search(client.get("/anmelden").text).group(1)  # type: ignore[union-attr]
        assert client.post("/signin", data={"csrf_token": token, "name": name, "password": password}
                           ).status_code == 303
    return client


def _token(client: httpx.Client) -> str:
    """The session's CSRF token, from the sign-out form every page has once signed in; ``/anmelden``
    runs no query, so the tests stay clear of the query rate limit."""
    return TOKEN.search(client.get("/anmelden").text).group(1)  # type: ignore[union-attr]


def _post(client: httpx.Client, path: str, data: dict[str, object]) -> httpx.Response:
    return client.post(path, data={"csrf_token": _token(client), **data})


def _created(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/projekte/")[1].split("?")[0].split("/")[0]


def _project(client: httpx.Client, slug: str) -> dict[str, object]:
    data = client.post("/graphql", json={"query": PROJECT_STATE, "variables": {"id": slug}}).json()
    return data["data"]["project"]  # type: ignore[no-any-return]


class _FormFields(HTMLParser):
    """What a browser would post from the page's edit form: inputs, checked boxes, selected options, texts."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("action", "").endswith("/bearbeiten"):
            self._in_form = True
        if not self._in_form:
            return
        checkable = a.get("type") in ("checkbox", "radio")
        if tag == "input" and a.get("name") and (not checkable or "checked" in a):
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def _form_of(html: str) -> list[tuple[str, str]]:
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def _repost(client: httpx.Client, path: str, fields: list[tuple[str, str]]) -> httpx.Response:
    """Post the form's fields as the browser would (repeated names kept), with the save button."""
    return client.post(path, content=urlencode([*fields, ("aktion", "speichern")]),
                       headers={"content-type": "application/x-www-form-urlencoded"})


@pytest.fixture(scope="module")
def moderator(web_server: WebServer) -> str:
    return web_server.add_moderator(MODERATOR, MODERATOR_PASSWORD)


@pytest.fixture
def author(web_server: WebServer, member: str) -> Iterator[httpx.Client]:
    client = _client(web_server, member, MEMBER_PASSWORD)
    yield client
    client.close()


@pytest.fixture
def reviewer(web_server: WebServer, moderator: str) -> Iterator[httpx.Client]:
    client = _client(web_server, moderator, MODERATOR_PASSWORD)
    yield client
    client.close()


EVERY_FIELD = {
    "title": "Parkleitsystem Olpe, zweite Ausbaustufe", "summary": "Sensoren zeigen freie Parkplätze an.",
    "description": "Erst die Innenstadt, dann die Wohngebiete.", "communes": ["olpe", "attendorn"],
    "status": "IMPLEMENTATION", "started": "2021-05", "ended": "2024", "handlungsfelder": ["umwelt", "verwaltung"],
    "tags": "Parken, Sensorik", "contacts": ["matthias-barutowicz", "stephanie-arens"],
    "adaptedFrom": ["stadtlabor-soest"], "links": "https://www.olpe.de/parken\nhttps://www.olpe.de/sensoren",
    "source": "Ratsvorlage 2021/117",
    "transfer_staff": "Eine halbe Stelle in der IT", "transfer_data": "Parkraumdaten",
    "transfer_infrastructure": "LoRaWAN-Netz", "transfer_council_decision": "Beschluss des Bauausschusses",
    "transfer_other": "Ein Pilotgebiet", "transfer_effortDays_min": "20", "transfer_effortDays_max": "40",
    "transfer_costsOnce_min": "5000", "transfer_costsOnce_max": "15000", "transfer_costsYearly_max": "2000",
    "transfer_programme": "Modellprojekte Smart Cities", "transfer_share": "65",
    "transfer_programme_1": "Landesförderung Digitale Modellregion", "transfer_share_1": "20",
    "transfer_standards": "LoRaWAN, OParl", "transfer_repository": "https://github.com/olpe/parken",
    "transfer_publiccode": "https://github.com/olpe/parken/publiccode.yml",
    "transfer_document_title": "Ratsbeschluss", "transfer_document_url": "https://www.olpe.de/beschluss.pdf",
    "transfer_partner": "detecon", "transfer_partner_role": "SERVICE_PROVIDER",
}


def test_a_member_edits_every_field_of_a_draft(author: httpx.Client) -> None:
    # given a draft saved from the submit form
    draft = _created(_post(author, "/einreichen/projekt", {
        "title": "Parkleitsystem Olpe", "summary": "Freie Parkplätze.", "communes": "olpe", "aktion": "entwurf"}))
    assert _project(author, draft)["state"] == "DRAFT"
    page = author.get(f"/projekte/{draft}/bearbeiten")
    assert page.status_code == 200 and "Entwurf" in page.text and 'value="Parkleitsystem Olpe"' in page.text

    # when the member fills in every field of the data model and saves the draft again
    saved = _post(author, f"/projekte/{draft}/bearbeiten", {**EVERY_FIELD, "aktion": "speichern"})

    # then it stays a draft, with every field stored as typed
    assert saved.status_code == 303 and saved.headers["location"].endswith("/bearbeiten?gespeichert=entwurf")
    stored = _project(author, draft)
    assert stored["state"] == "DRAFT"
    assert (stored["title"], stored["summary"], stored["description"], stored["status"], stored["started"],
            stored["ended"], stored["source"]) == (
        EVERY_FIELD["title"], EVERY_FIELD["summary"], EVERY_FIELD["description"], "IMPLEMENTATION", "2021-05",
        "2024", "Ratsvorlage 2021/117")
    assert {c["slug"] for c in stored["communes"]} == {"olpe", "attendorn"}  # type: ignore[index, union-attr]
    assert {h["slug"] for h in stored["handlungsfelder"]} == {"umwelt", "verwaltung"}  # type: ignore[index, union-attr]
    assert {p["slug"] for p in stored["contacts"]} == {"matthias-barutowicz", "stephanie-arens"}  # type: ignore[index, union-attr]
    assert [p["slug"] for p in stored["adaptedFrom"]] == ["stadtlabor-soest"]  # type: ignore[index, union-attr]
    assert stored["tags"] == ["Parken", "Sensorik"]
    assert stored["links"] == ["https://www.olpe.de/parken", "https://www.olpe.de/sensoren"]
    transfer = stored["transfer"]
    assert {(p["type"], p["text"]) for p in transfer["prerequisites"]} == {  # type: ignore[index]
        ("STAFF", "Eine halbe Stelle in der IT"), ("DATA", "Parkraumdaten"), ("INFRASTRUCTURE", "LoRaWAN-Netz"),
        ("COUNCIL_DECISION", "Beschluss des Bauausschusses"), ("OTHER", "Ein Pilotgebiet")}
    assert transfer["effortDays"] == {"min": 20, "max": 40}  # type: ignore[index]
    assert transfer["costsOnce"] == {"min": 5000, "max": 15000}  # type: ignore[index]
    assert transfer["costsYearly"] == {"min": None, "max": 2000}  # type: ignore[index]
    assert [(f["programme"], f["share"]) for f in transfer["funding"]] == [  # type: ignore[index]
        ("Modellprojekte Smart Cities", 65), ("Landesförderung Digitale Modellregion", 20)]
    assert transfer["standards"] == ["LoRaWAN", "OParl"]  # type: ignore[index]
    assert (transfer["repository"], transfer["publiccode"]) == (  # type: ignore[index]
        "https://github.com/olpe/parken", "https://github.com/olpe/parken/publiccode.yml")
    assert transfer["partners"] == [{"role": "SERVICE_PROVIDER", "organisation": {"slug": "detecon"}}]  # type: ignore[index]
    assert transfer["documents"] == [{"title": "Ratsbeschluss", "url": "https://www.olpe.de/beschluss.pdf"}]  # type: ignore[index]

    # and the edit form shows it all again (with an empty row to add one more funding programme)
    again = author.get(saved.headers["location"]).text
    assert "Der Entwurf ist gespeichert" in again
    for shown in ('value="2021-05"', 'value="Landesförderung Digitale Modellregion"', 'id="transfer_programme_2"',
                  'value="detecon" selected', 'id="adaptedFrom-stadtlabor-soest" name="adaptedFrom" '
                  'value="stadtlabor-soest" checked', 'value="SERVICE_PROVIDER" selected'):
        assert shown in again, shown


def test_a_returned_entry_is_fixed_and_resubmitted(author: httpx.Client, reviewer: httpx.Client) -> None:
    # given a submission the moderation sends back with a reason
    slug = _created(_post(author, "/einreichen/projekt", {
        "title": "Bürgerbus Olpe", "summary": "Ein Bus.", "communes": "olpe"}))
    reason = "Bitte beschreiben Sie, wer den Bus fährt und wie man ihn bestellt."
    sent_back = _post(reviewer, "/pruefen", {"aktion": "zurueckgeben", "id": slug, "reason": reason})
    assert sent_back.status_code == 303

    # when the member opens it from "Meine Einreichungen"
    mine = author.get("/meine-einreichungen").text
    assert f'href="/projekte/{slug}/bearbeiten">Überarbeiten' in mine
    page = author.get(f"/projekte/{slug}/bearbeiten").text
    # then the moderator's reason stands above the form
    assert "Die Moderation bittet um Änderungen" in page and reason in page
    assert page.index(reason) < page.index("<form method=\"post\" action=\"/projekte/")

    # and fixing and resubmitting it puts it back into the review queue, with the new text
    fixed = _post(author, f"/projekte/{slug}/bearbeiten", {
        "title": "Bürgerbus Olpe", "summary": "Ehrenamtliche fahren; bestellt wird per Telefon am Vortag.",
        "communes": "olpe", "aktion": "einreichen"})
    assert fixed.status_code == 303 and fixed.headers["location"] == f"/projekte/{slug}?eingereicht=1"
    stored = _project(author, slug)
    assert stored["state"] == "SUBMITTED" and stored["summary"].startswith("Ehrenamtliche")  # type: ignore[union-attr]
    assert "Bürgerbus Olpe" in reviewer.get("/pruefen").text


def test_an_edit_of_a_published_entry_waits_as_a_revision_until_a_moderator_approves_it(
    web_server: WebServer, author: httpx.Client, reviewer: httpx.Client,
) -> None:
    # given a published project of the member's commune, with every field filled in
    slug = _created(_post(author, "/einreichen/projekt", {
        **EVERY_FIELD, "title": "Digitale Bauakte Olpe", "summary": "Bauanträge online.", "aktion": "einreichen"}))
    assert _post(reviewer, "/pruefen", {"aktion": "freigeben", "id": slug}).status_code == 303
    entry = author.get(f"/projekte/{slug}").text
    assert f'href="/projekte/{slug}/bearbeiten">Bearbeiten' in entry

    # (saving the form unchanged proposes nothing)
    form = author.get(f"/projekte/{slug}/bearbeiten").text
    unchanged = _repost(author, f"/projekte/{slug}/bearbeiten", _form_of(form))
    assert unchanged.headers["location"].endswith("gespeichert=unveraendert")
    assert _project(author, slug)["pendingRevision"] is None

    # when the member changes only its summary on the edit page, which says the change will be reviewed
    assert "Ihre Änderung geht als Änderungsvorschlag an die Moderation" in form
    assert "Änderung zur Prüfung vorschlagen" in form
    fields = [(k, "Bauanträge online, mit Statusanzeige." if k == "summary" else v) for k, v in _form_of(form)]
    proposed = _repost(author, f"/projekte/{slug}/bearbeiten", fields)
    assert proposed.status_code == 303 and proposed.headers["location"].endswith("gespeichert=vorschlag")

    # then everyone still reads the published summary, and only that change waits in the review queue
    # (every other field of the form came back exactly as stored)
    public = _client(web_server)
    try:
        assert "Bauanträge online.<" in public.get(f"/projekte/{slug}").text
        assert "Statusanzeige" not in public.get(f"/projekte/{slug}").text
        stored = _project(author, slug)
        assert stored["state"] == "PUBLISHED" and stored["summary"] == "Bauanträge online."
        assert stored["pendingRevision"] == {"state": "PENDING", "changes": [{"field": "summary"}]}
        # (the edit form shows the member's proposal, so editing again builds on it)
        assert "Bauanträge online, mit Statusanzeige." in author.get(f"/projekte/{slug}/bearbeiten").text
        assert "Statusanzeige" in reviewer.get("/pruefen").text

        # when a moderator approves it on /pruefen
        approved = _post(reviewer, "/pruefen", {"aktion": "freigeben", "id": slug})
        assert approved.status_code == 303 and "freigeben-aenderung" in approved.headers["location"]

        # then the change is what everyone reads, and nothing else of the entry changed
        assert "Bauanträge online, mit Statusanzeige." in public.get(f"/projekte/{slug}").text
        after = _project(author, slug)
        assert after["transfer"] == stored["transfer"] and after["contacts"] == stored["contacts"]
    finally:
        public.close()


def test_a_member_edits_a_lesson_and_the_form_keeps_every_field(author: httpx.Client) -> None:
    # given a lesson draft of an Olpe project
    project = _created(_post(author, "/einreichen/projekt", {
        "title": "Sensorik im Freibad Olpe", "summary": "Wassertemperatur online.", "communes": "olpe"}))
    created = _post(author, "/einreichen/erkenntnis", {
        "project": project, "title": "Früh mit dem Bademeister reden", "text": "Er kennt die Stellen.",
        "aktion": "entwurf"})
    assert created.status_code == 303, created.text
    lesson = created.headers["location"].split("/erkenntnisse/")[1].split("/")[0]

    # when the member changes every field of it
    saved = _post(author, f"/erkenntnisse/{lesson}/bearbeiten", {
        "project": project, "title": "Früh mit dem Team des Freibads reden", "text": "Es kennt die Messstellen.",
        "type": "RECOMMENDATION", "handlungsfelder": ["umwelt"], "author": "katharina-hogrebe",
        "source": "Workshop 2023", "aktion": "einreichen"})

    # then it is submitted with every change, and the form shows them again
    assert saved.status_code == 303 and saved.headers["location"] == f"/erkenntnisse/{lesson}?eingereicht=1"
    stored = author.post("/graphql", json={"query": LESSON_STATE, "variables": {"id": lesson}}).json()
    assert stored["data"]["lesson"] == {
        "title": "Früh mit dem Team des Freibads reden", "text": "Es kennt die Messstellen.", "type": "RECOMMENDATION",
        "state": "SUBMITTED", "project": {"slug": project}, "author": {"slug": "katharina-hogrebe"}}
    assert f'href="/erkenntnisse/{lesson}/bearbeiten">Bearbeiten' in author.get(f"/erkenntnisse/{lesson}").text
    form = dict(_form_of(author.get(f"/erkenntnisse/{lesson}/bearbeiten").text))
    assert (form["project"], form["type"], form["author"], form["source"], form["handlungsfelder"]) == (
        project, "RECOMMENDATION", "katharina-hogrebe", "Workshop 2023", "umwelt")


def test_every_problem_of_a_post_is_shown_at_once_with_german_names_and_the_values_kept(
    author: httpx.Client,
) -> None:
    # when a member posts a project with several mistakes
    page = _post(author, "/einreichen/projekt", {
        "title": "", "summary": "", "communes": "olpe", "started": "Mai 2021", "links": "www.olpe.de",
        "description": "Bleibt stehen."})

    # then the form comes back with one summary at the top naming each mistake in German, linked to its field
    assert page.status_code == 200
    html = page.text
    summary = html[html.index('id="fehler"'):html.index("</div>", html.index('id="fehler"'))]
    assert 'role="alert"' in html[html.index('<div class="errors"'):html.index('id="fehler"')]
    for anchor, label in (("title", "Titel"), ("summary", "Kurzbeschreibung"), ("started", "Beginn"),
                          ("links", "Links")):
        assert f'<a href="#{anchor}">{label}: ' in summary, label
    assert "Feld '" not in html  # no import-format field names
    # and each field says what is wrong with it, marked invalid and described by its message
    assert re.search(r'<input id="title" name="title"[^>]*aria-describedby="title-fehler"[^>]*aria-invalid="true"',
                     html)
    assert re.search(r'<input id="started"[^>]*aria-describedby="started-hilfe started-fehler"', html)
    # and everything typed is still there
    assert 'value="Mai 2021"' in html and ">www.olpe.de</textarea>" in html and ">Bleibt stehen.</textarea>" in html

    # and a message that names another field names it in German too
    page = _post(author, "/einreichen/projekt", {"title": "T", "summary": "S", "started": "2022", "ended": "2021"})
    assert '<a href="#ended">Ende: liegt vor „Beginn“</a>' in page.text

    # and a number the page cannot send is explained together with the other mistakes it can see
    page = _post(author, "/einreichen/projekt", {
        "title": "", "summary": "Eine Kurzbeschreibung", "transfer_costsOnce_min": "15.000 €"})
    assert '<a href="#transfer_costsOnce_min">Übertragbarkeit: Bitte nur ganze Zahlen' in page.text
    assert '<a href="#title">Titel: darf nicht leer sein</a>' in page.text
    assert 'value="15.000 €"' in page.text


def test_a_member_withdraws_a_submission_and_a_proposed_change(
    author: httpx.Client, reviewer: httpx.Client,
) -> None:
    # given a submission waiting for review
    slug = _created(_post(author, "/einreichen/projekt", {
        "title": "Wasserstandsmelder Biggesee", "summary": "Pegel online.", "communes": "olpe"}))
    assert "Wasserstandsmelder Biggesee" in reviewer.get("/pruefen").text
    assert f'href="/projekte/{slug}/zurueckziehen"' in author.get(f"/projekte/{slug}/bearbeiten").text

    # when the member asks to withdraw it, a confirmation page asks first (a plain form, no script)
    confirm = author.get(f"/projekte/{slug}/zurueckziehen")
    assert confirm.status_code == 200 and "Einreichung zurückziehen?" in confirm.text
    assert _project(author, slug)["state"] == "SUBMITTED"
    done = _post(author, f"/projekte/{slug}/zurueckziehen", {})

    # then it is a draft again, kept as written, and out of the review queue
    assert done.status_code == 303 and done.headers["location"].endswith("gespeichert=zurueckgezogen")
    stored = _project(author, slug)
    assert (stored["state"], stored["summary"]) == ("DRAFT", "Pegel online.")
    assert "Wasserstandsmelder Biggesee" not in reviewer.get("/pruefen").text

    # and once published, a proposed change can be withdrawn too; the published entry stays
    assert _post(author, f"/projekte/{slug}/bearbeiten", {
        "title": "Wasserstandsmelder Biggesee", "summary": "Pegel online.", "communes": "olpe",
        "aktion": "einreichen"}).status_code == 303
    assert _post(reviewer, "/pruefen", {"aktion": "freigeben", "id": slug}).status_code == 303
    assert _post(author, f"/projekte/{slug}/bearbeiten", {
        "title": "Wasserstandsmelder Biggesee", "summary": "Pegel und Warnungen online.", "communes": "olpe"}
    ).status_code == 303
    assert _project(author, slug)["pendingRevision"] is not None
    assert "Änderungsvorschlag zurückziehen?" in author.get(f"/projekte/{slug}/zurueckziehen").text
    withdrawn = _post(author, f"/projekte/{slug}/zurueckziehen", {})
    assert withdrawn.headers["location"].endswith("gespeichert=vorschlag-zurueckgezogen")
    stored = _project(author, slug)
    assert (stored["state"], stored["summary"], stored["pendingRevision"]) == ("PUBLISHED", "Pegel online.", None)


OTHERS = "smart-region-kreis-steinfurt-workshopreihe"
OTHERS_TITLE = "Smart Region Kreis Steinfurt: Workshop-Reihe zur gemeinsamen Digitalisierungsstrategie"


def test_a_member_cannot_edit_another_communes_entry(author: httpx.Client) -> None:
    # given a published project of Kreis Steinfurt's communes, which the Olpe member can read (not a
    # Stadtlabor: other tests of this session merge Olpe's duplicates into those, so Olpe becomes one
    # of their communes)
    assert author.get(f"/projekte/{OTHERS}").status_code == 200
    assert f'href="/projekte/{OTHERS}/bearbeiten"' not in author.get(f"/projekte/{OTHERS}").text

    # when the member opens its edit page, or posts to it anyway
    page = author.get(f"/projekte/{OTHERS}/bearbeiten")
    token = _token(author)
    posted = author.post(f"/projekte/{OTHERS}/bearbeiten", data={
        "csrf_token": token, "title": "Übernommen", "summary": "Von Olpe geändert."})
    withdraw = author.post(f"/projekte/{OTHERS}/zurueckziehen", data={"csrf_token": token})

    # then a German page refuses it, and nothing changed
    for response in (page, posted, withdraw):
        assert response.status_code == 403
        assert '<html lang="de">' in response.text and "<h1>Nicht erlaubt</h1>" in response.text
        assert "Einträge Ihrer eigenen Kommune" in response.text
    assert _project(author, OTHERS)["title"] == OTHERS_TITLE
    assert _project(author, OTHERS)["pendingRevision"] is None
