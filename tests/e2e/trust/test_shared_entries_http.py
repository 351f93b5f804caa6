"""Published stays published, history shows only what was published, hidden drafts cannot be probed:
the seeded app over HTTP (ASGI, lifespan included), accounts made with the real CLI.

* A member's change to a published project (shared by several communes or not) is a pending
  revision: everyone keeps seeing the published text (search included) until a moderator approves
  it; no member removes a commune; recording "we adopted X" leaves X alone and the member's own
  project published.
* Public history: published versions only, the author as "Moderation" or the commune's name.
* Members get server-made ids, and a reference to an entry they cannot see is NOT_FOUND exactly
  like an unknown id.
* The web pages: the review queue shows the diff of a pending revision and approving it there
  applies it; a member sees the revision under "Meine Einreichungen"; the submit form gets a
  server-made id.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli.helpers import SCHULE, run_schule
from tests.e2e.trust.test_auth_http import Client, bearer, client_for

PASSWORD = "ein sehr gutes Passwort"
ACCOUNTS = {  # name -> role, commune
    "olpe-mitglied": ("member", "olpe"),
    "olpe-kollegin": ("member", "olpe"),
    "soest-mitglied": ("member", "soest"),
    "pruefer": ("moderator", None),
}

RESULT = "__typename ... on UserErrors { errors { code field message } }"
CREATE = f"""mutation($input: CreateProjectInput!) {{ createProject(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state }} }} }} }}"""
UPDATE = f"""mutation($input: UpdateProjectInput!) {{ updateProject(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state summary }} }} }} }}"""
ADAPT = f"""mutation($input: RecordAdaptationInput!) {{ recordAdaptation(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state adaptedFrom {{ slug }} }} }} }} }}"""
APPROVE = f"""mutation($id: String!) {{ approveEntry(id: $id) {{ {RESULT}
  ... on ModerationPayload {{ state revision {{ state }} }} }} }}"""
PUBLIC_VIEW = """query($id: String!) { project(id: $id) { slug state summary communes { slug } } }"""
REVISION = "pendingRevision { state authorName changes { field old new } }"
WITH_REVISION = f"query($id: String!) {{ project(id: $id) {{ slug state summary {REVISION} }} }}"
QUEUE = f"{{ reviewQueue(first: 50) {{ nodes {{ ... on Project {{ slug state {REVISION} }} }} }} }}"
SEARCH = "query($q: String!) { search(query: $q, first: 20) { hits { id } } }"
HISTORY_FIELDS = "number action state author authorName authorRole note changes { field old new }"
HISTORY = f"query($id: String!) {{ history(id: $id) {{ {HISTORY_FIELDS} }} }}"
PROJECT_HISTORY = f"query($id: String!) {{ project(id: $id) {{ history {{ {HISTORY_FIELDS} }} }} }}"
# only fields the API had before history was filtered: the leak is visible without the new `author`
OLD_HISTORY = "query($id: String!) { history(id: $id) { action state authorName authorRole changes { new } } }"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("shared-entries")
    seeded = run_schule("seed", data_dir=d)
    assert seeded.returncode == 0, seeded.stderr
    return d


@pytest.fixture(scope="module")
def tokens(data_dir: Path) -> dict[str, str]:
    """``schule user add NAME --role ROLE [--commune ID] --password-stdin --json`` per account."""
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    out = {}
    for name, (role, commune) in ACCOUNTS.items():
        extra = ["--commune", commune] if commune else []
        done = subprocess.run(
            [SCHULE, "user", "add", name, "--role", role, *extra, "--password-stdin", "--json"],
            input=PASSWORD + "\n", capture_output=True, text=True, timeout=120,
            env={**clean_env, "SCHULE_DATA_DIR": str(data_dir)},
        )
        assert done.returncode == 0, done.stderr
        out[name] = json.loads(done.stdout)["token"]
    return out


@pytest.fixture(scope="module")
def client(data_dir: Path, tokens: dict[str, str]) -> Iterator[Client]:
    with client_for(data_dir) as c:
        yield c


class Api:
    """GraphQL over HTTP as one account (or anonymously)."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client, self.token = client, token

    def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                    headers=bearer(self.token) if self.token else {})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture(scope="module")
def api(client: Client, tokens: dict[str, str]) -> dict[str, Api]:
    return {"anonymous": Api(client, None), **{name: Api(client, token) for name, token in tokens.items()}}


def errors(result: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    assert result["__typename"] == "UserErrors", result
    return [(e["code"], e["field"]) for e in result["errors"]]


def found(api: Api, query: str) -> set[str]:
    return {h["id"] for h in api.data(SEARCH, {"q": query})["search"]["hits"]}


# -- 4: shared projects, pending revisions, adaptations ------------------------------------------


def test_a_member_cannot_take_a_shared_project_away_from_the_other_communes(api: dict[str, Api]) -> None:
    # given the campaign of all five pioneer communes, published
    before = api["anonymous"].data(PUBLIC_VIEW, {"id": "kampagne-5malklug"})["project"]
    assert before["state"] == "PUBLISHED" and len(before["communes"]) == 5
    # when a member of Olpe narrows it down to Olpe and overwrites its text
    result = api["olpe-mitglied"].data(UPDATE, {"input": {
        "id": "kampagne-5malklug", "summary": "VANDALISED", "communes": ["olpe"]}})["updateProject"]
    # then that is refused on the field `communes`, in German
    assert errors(result) == [("FORBIDDEN", ["input", "communes"])]
    assert "Kommune" in result["errors"][0]["message"]
    # and nothing changed for anyone
    assert api["anonymous"].data(PUBLIC_VIEW, {"id": "kampagne-5malklug"})["project"] == before
    assert api["olpe-mitglied"].data(WITH_REVISION, {"id": "kampagne-5malklug"})["project"]["pendingRevision"] is None


def test_a_members_change_to_a_published_project_waits_for_review_as_a_revision(api: dict[str, Api]) -> None:
    # given the Rahmenstrategie 2020 of the five pioneers, published and searchable
    project = "rahmenstrategie-suedwestfalen-2020"
    old = api["anonymous"].data(PUBLIC_VIEW, {"id": project})["project"]
    new = "Die Strategie, ergänzt um den Quartiersfunkmast in Soest."
    assert project not in found(api["anonymous"], "Quartiersfunkmast")
    # when a member of Soest (one of its communes) changes its summary
    result = api["soest-mitglied"].data(UPDATE, {"input": {"id": project, "summary": new}})["updateProject"]
    # then the project stays published with its published text, for the member too
    assert result["project"] == {"slug": project, "state": "PUBLISHED", "summary": old["summary"]}
    assert api["anonymous"].data(PUBLIC_VIEW, {"id": project})["project"] == old
    assert project not in found(api["anonymous"], "Quartiersfunkmast")
    # and the change waits as a revision: the member sees it, the public does not
    mine = api["soest-mitglied"].data(WITH_REVISION, {"id": project})["project"]["pendingRevision"]
    assert mine == {"state": "PENDING", "authorName": "soest-mitglied",
                    "changes": [{"field": "summary", "old": old["summary"], "new": new}]}
    assert api["anonymous"].data(WITH_REVISION, {"id": project})["project"]["pendingRevision"] is None
    # and moderators find it in the review queue with the diff against the published version
    queue = api["pruefer"].data(QUEUE)["reviewQueue"]["nodes"]
    entry = next(n for n in queue if n.get("slug") == project)
    assert entry["state"] == "PUBLISHED" and entry["pendingRevision"] == mine
    # when a moderator approves it
    approved = api["pruefer"].data(APPROVE, {"id": project})["approveEntry"]
    assert approved == {"__typename": "ModerationPayload", "state": "PUBLISHED", "revision": {"state": "APPROVED"}}
    # then everyone sees the new text, search finds it, and the history names Soest, not the account
    assert api["anonymous"].data(PUBLIC_VIEW, {"id": project})["project"] == {**old, "summary": new}
    assert project in found(api["anonymous"], "Quartiersfunkmast")
    assert api["pruefer"].data(WITH_REVISION, {"id": project})["project"]["pendingRevision"] is None
    last = api["anonymous"].data(HISTORY, {"id": project})["history"][-1]
    assert (last["action"], last["state"], last["author"], last["authorName"]) == (
        "approve_revision", "PUBLISHED", "Soest", None)
    assert {"field": "summary", "old": old["summary"], "new": new} in last["changes"]


def test_recording_an_adaptation_leaves_both_projects_published(api: dict[str, Api]) -> None:
    # given Soest's and Arnsberg's published Stadtlabore
    # when a member of Soest records that the Stadtlabor Soest adopted Arnsberg's
    result = api["soest-mitglied"].data(ADAPT, {"input": {
        "project": "stadtlabor-soest", "adaptedFrom": "stadtlabor-arnsberg"}})["recordAdaptation"]
    # then Soest's project stays published and names its model at once
    assert result["project"]["state"] == "PUBLISHED"
    assert {"slug": "stadtlabor-arnsberg"} in result["project"]["adaptedFrom"]
    view = "query($id: String!) { project(id: $id) { state adaptations { slug } history { action } } }"
    soest = api["anonymous"].data(view, {"id": "stadtlabor-soest"})["project"]
    assert soest["state"] == "PUBLISHED"
    assert [v["action"] for v in soest["history"]] == ["record_adaptation"]
    # and Arnsberg's project is untouched: still published, no version, now listing the adaptation
    arnsberg = api["pruefer"].data(view, {"id": "stadtlabor-arnsberg"})["project"]
    assert arnsberg == {"state": "PUBLISHED", "adaptations": [{"slug": "stadtlabor-soest"}], "history": []}


# -- 5: public history -----------------------------------------------------------------------------


def test_public_history_shows_only_published_versions_and_no_account_names(api: dict[str, Api]) -> None:
    # given a draft of Olpe's member, edited and submitted, then approved
    draft_text = "Entwurf: noch ungeprüfte Angaben über den Schulbus-Ticker."
    created = api["olpe-mitglied"].data(CREATE, {"input": {
        "title": "Schulbus-Ticker Olpe", "summary": draft_text, "communes": ["olpe"], "draft": True}})
    slug = created["createProject"]["project"]["slug"]
    submitted = api["olpe-mitglied"].data(UPDATE, {"input": {
        "id": slug, "summary": "Der Ticker zeigt Verspätungen der Schulbusse.", "submit": True}})
    assert submitted["updateProject"]["project"]["state"] == "SUBMITTED"
    assert api["pruefer"].data(APPROVE, {"id": slug})["approveEntry"]["state"] == "PUBLISHED"

    # when the public and a member of another commune read its history
    for who in ("anonymous", "soest-mitglied"):
        leaked = api[who].data(OLD_HISTORY, {"id": slug})["history"]
        # then no account name or role, no unpublished step, no draft text
        assert leaked and all(v["authorName"] is None and v["authorRole"] is None for v in leaked), who
        assert {v["state"] for v in leaked} == {"PUBLISHED"}, who
        for query in (HISTORY, PROJECT_HISTORY):
            data = api[who].data(query, {"id": slug})
            versions = data["history"] if "history" in data else data["project"]["history"]
            assert [(v["action"], v["author"]) for v in versions] == [("approve", "Moderation")], who
            assert draft_text not in json.dumps(versions, ensure_ascii=False)

    # and the author's commune and the moderators see every step, with names
    for who in ("olpe-mitglied", "olpe-kollegin", "pruefer"):
        full = api[who].data(HISTORY, {"id": slug})["history"]
        assert [(v["action"], v["authorName"]) for v in full] == [
            ("create", "olpe-mitglied"), ("update", "olpe-mitglied"), ("approve", "pruefer")], who
        assert draft_text in json.dumps(full, ensure_ascii=False)


# -- 8: hidden drafts cannot be probed -------------------------------------------------------------


def test_a_hidden_draft_looks_exactly_like_an_unknown_id(api: dict[str, Api]) -> None:
    # given a draft of Olpe that nobody else may see
    draft = api["olpe-mitglied"].data(CREATE, {"input": {
        "title": "Geheimer Entwurf", "summary": "Noch nicht eingereicht.", "communes": ["olpe"], "draft": True,
    }})["createProject"]["project"]["slug"]
    soest = api["soest-mitglied"]

    # when a member of Soest chooses its id for a project of their own, or an unused one
    def create(**extra: Any) -> dict[str, Any]:
        payload = {"title": "Parken in Soest", "summary": "Sensoren.", "communes": ["soest"], **extra}
        result: dict[str, Any] = soest.data(CREATE, {"input": payload})["createProject"]
        return result

    # then both are refused alike: members do not choose ids
    taken, free = create(id=draft), create(id="noch-voellig-frei")
    assert taken == free and errors(taken) == [("INVALID", ["input", "id"])]
    # and without an id the server makes one: the title's slug plus a short random suffix
    made = create()["project"]["slug"]
    assert re.fullmatch(r"parken-in-soest-[a-z2-7]{6}", made)

    # when they refer to the draft, or to an id that does not exist
    def refer(target: str) -> dict[str, Any]:
        return create(adaptedFrom=[target])

    hidden, unknown = refer(draft), refer("gibt-es-nicht")
    # then the answers are the same, but for the id
    assert errors(hidden) == errors(unknown) == [("NOT_FOUND", ["input", "adaptedFrom"])]
    assert hidden["errors"][0]["message"].replace(draft, "X") == unknown["errors"][0]["message"].replace(
        "gibt-es-nicht", "X")
    edit = soest.data(UPDATE, {"input": {"id": made, "adaptedFrom": [draft]}})["updateProject"]
    assert errors(edit) == [("NOT_FOUND", ["input", "adaptedFrom"])]
    # and moderators still choose ids
    chosen = api["pruefer"].data(CREATE, {"input": {
        "id": "moderiert-mit-eigener-id", "title": "Von der Moderation", "summary": "Eigene ID."}})
    assert chosen["createProject"]["project"] == {"slug": "moderiert-mit-eigener-id", "state": "PUBLISHED"}


# -- the web pages -----------------------------------------------------------------------------------


def sign_in(c: Client, name: str) -> None:
    page = c.get("/anmelden").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    done = c.post("/signin", data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)},
                  follow_redirects=False)
    assert done.status_code == 303, done.text


def csrf_of(page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return token.group(1)


def test_the_review_page_shows_a_revisions_diff_and_approving_applies_it(
    data_dir: Path, api: dict[str, Api]
) -> None:
    # given a member's pending change to the published Neuauflage of the Rahmenstrategie
    project = "rahmenstrategie-suedwestfalen-neuauflage-2021"
    old = api["anonymous"].data(PUBLIC_VIEW, {"id": project})["project"]["summary"]
    new = "Neuauflage mit einem Kapitel über Funknetze in Olpe."
    api["olpe-mitglied"].data(UPDATE, {"input": {"id": project, "summary": new}})
    with client_for(data_dir) as member, client_for(data_dir) as moderator:
        # then the member sees it under "Meine Einreichungen", waiting
        sign_in(member, "olpe-mitglied")
        mine = member.get("/meine-einreichungen")
        row = mine.text.split(f'href="/projekte/{project}"', 1)[1].split("</tr>", 1)[0]
        assert "Änderung wartet auf Prüfung" in row
        # and the moderator's review queue shows the diff: field, published value, proposed value
        sign_in(moderator, "pruefer")
        queue = moderator.get("/pruefen")
        assert queue.status_code == 200
        item = queue.text.split(f'id="eintrag-{project}"', 1)[1].split("</article>", 1)[0]
        assert re.search(r"<th[^>]*>\s*Feld\s*</th>\s*<th[^>]*>\s*bisher\s*</th>\s*<th[^>]*>\s*neu\s*</th>", item)
        # (changed words are marked with <del>/<ins>: compare the text without the marks)
        text = re.sub(r"<[^>]+>", "", item)
        assert old in text and new in text
        # when the moderator approves it on the page
        done = moderator.post("/pruefen", data={"csrf_token": csrf_of(queue.text), "id": project,
                                                "aktion": "freigeben"}, follow_redirects=False)
        assert done.status_code == 303
        assert "übernommen" in moderator.get(done.headers["location"]).text
    # then its page shows the new text to everyone
    assert api["anonymous"].data(PUBLIC_VIEW, {"id": project})["project"]["summary"] == new


def test_the_submit_form_gets_a_server_made_id(data_dir: Path) -> None:
    with client_for(data_dir) as member:
        sign_in(member, "olpe-kollegin")
        form = member.get("/einreichen/projekt").text
        done = member.post("/einreichen/projekt", data={
            "csrf_token": csrf_of(form), "title": "Bürgerfunk Olpe", "summary": "Ein Funknetz für alle.",
            "communes": "olpe"}, follow_redirects=False)
        assert done.status_code == 303, done.text
        assert re.fullmatch(r"/projekte/buergerfunk-olpe-[a-z2-7]{6}\?eingereicht=1", done.headers["location"])
