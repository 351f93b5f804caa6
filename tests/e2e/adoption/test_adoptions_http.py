"""Adoptions as records, over HTTP on the seeded app (accounts made with the real CLI): a member of
Herscheid records "we are adopting the Stadtlabor Soest"; the moderation publishes it; the member
later reports it done, with an outcome, which waits as a revision until approved; the project shows
how many communes adopted it with what result; search ranks a project with a done adoption higher;
export and import carry the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.adoption.conftest import Api
from tests.e2e.cli.helpers import run_schule

RESULT = "__typename ... on UserErrors { errors { code field message } }"
FIELDS = "slug state status outcome started source { slug } commune { slug } project { slug }"
RECORD = f"""mutation($input: RecordAdoptionInput!) {{ recordAdoption(input: $input) {{ {RESULT}
  ... on AdaptationPayload {{ adaptation {{ {FIELDS} }} }} }} }}"""
UPDATE = f"""mutation($input: UpdateAdoptionInput!) {{ updateAdoption(input: $input) {{ {RESULT}
  ... on AdaptationPayload {{ adaptation {{ {FIELDS} pendingRevision {{ changes {{ field new }} }} }} }} }} }}"""
APPROVE = f"""mutation($id: String!) {{ approveEntry(id: $id) {{ {RESULT} ... on ModerationPayload {{ state }} }} }}"""
ADOPTION = f"query($id: String!) {{ adaptation(id: $id) {{ {FIELDS} }} }}"
PROJECT = """query($id: String!) { project(id: $id) {
  adoptionSummary { communes done inProgress planned abandoned }
  adaptationRecords(first: 10) { totalCount nodes { slug status outcome commune { slug } } } } }"""
QUEUE = "{ reviewQueue(first: 50) { nodes { __typename ... on Adaptation { slug } } } }"
RECOMMEND = "query($c: String!) { recommendations(commune: $c, first: 50) { score reasons project { slug } } }"
SEARCH = "query($q: String!) { search(query: $q, first: 20) { hits { id kind score } } }"


def errors(result: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    assert result["__typename"] == "UserErrors", result
    return [(e["code"], e["field"]) for e in result["errors"]]


def scores(api: Api, query: str) -> dict[str, float]:
    return {h["id"]: h["score"] for h in api.data(SEARCH, {"q": query})["search"]["hits"] if h["kind"] == "PROJECT"}


def recommendations(api: Api, commune: str) -> dict[str, Any]:
    return {r["project"]["slug"]: r for r in api.data(RECOMMEND, {"c": commune})["recommendations"]}


def test_an_adoption_is_recorded_reviewed_reported_done_and_counted(api: dict[str, Api], data_dir: Path) -> None:
    before = scores(api["anonymous"], "Stadtlabor")
    recommended = recommendations(api["anonymous"], "plettenberg")
    # a member of Herscheid records that Herscheid is adopting the Stadtlabor Soest
    recorded = api["herscheid-mitglied"].data(RECORD, {"input": {
        "source": "stadtlabor-soest", "commune": "herscheid", "status": "PLANNED", "started": "2026-03"}})
    adoption = recorded["recordAdoption"]["adaptation"]
    assert adoption["state"] == "SUBMITTED" and adoption["status"] == "PLANNED"
    assert adoption["source"] == {"slug": "stadtlabor-soest"} and adoption["commune"] == {"slug": "herscheid"}
    slug = adoption["slug"]
    # then nobody else sees it yet, the moderation has it in the queue
    assert api["anonymous"].data(ADOPTION, {"id": slug})["adaptation"] is None
    assert api["anonymous"].data(PROJECT, {"id": "stadtlabor-soest"})["project"]["adoptionSummary"]["communes"] == 0
    queue = api["pruefer"].data(QUEUE)["reviewQueue"]["nodes"]
    assert {"__typename": "Adaptation", "slug": slug} in queue

    # when the moderation publishes it
    assert api["pruefer"].data(APPROVE, {"id": slug})["approveEntry"]["state"] == "PUBLISHED"
    project = api["anonymous"].data(PROJECT, {"id": "stadtlabor-soest"})["project"]
    assert project["adoptionSummary"] == {"communes": 1, "done": 0, "inProgress": 0, "planned": 1, "abandoned": 0}
    assert project["adaptationRecords"]["totalCount"] == 1
    assert project["adaptationRecords"]["nodes"][0]["commune"] == {"slug": "herscheid"}

    # a second record of the same adoption is refused: status and outcome belong in the first
    again = api["herscheid-mitglied"].data(RECORD, {"input": {"source": "stadtlabor-soest", "commune": "herscheid"}})
    assert errors(again["recordAdoption"]) == [("DUPLICATE", ["input", "source"])]

    # and the member later reports it done, with what had to change
    outcome = "Läuft seit Herbst; statt eines eigenen Raums nutzen wir die Bücherei."
    updated = api["herscheid-mitglied"].data(UPDATE, {"input": {"id": slug, "status": "DONE", "outcome": outcome}})
    pending = updated["updateAdoption"]["adaptation"]
    # then the published record stays as it was until the moderation approves the revision
    assert pending["status"] == "PLANNED" and pending["state"] == "PUBLISHED"
    assert {"field": "status", "new": "done"} in pending["pendingRevision"]["changes"]
    assert api["anonymous"].data(ADOPTION, {"id": slug})["adaptation"]["status"] == "PLANNED"
    assert api["pruefer"].data(APPROVE, {"id": slug})["approveEntry"]["state"] == "PUBLISHED"
    shown = api["anonymous"].data(ADOPTION, {"id": slug})["adaptation"]
    assert shown["status"] == "DONE" and shown["outcome"] == outcome
    summary = api["anonymous"].data(PROJECT, {"id": "stadtlabor-soest"})["project"]["adoptionSummary"]
    assert summary == {"communes": 1, "done": 1, "inProgress": 0, "planned": 0, "abandoned": 0}

    # and search ranks the Stadtlabor Soest higher against the other Stadtlabore than before
    after = scores(api["anonymous"], "Stadtlabor")
    assert after["stadtlabor-soest"] / after["stadtlabor-arnsberg"] > \
        1.02 * before["stadtlabor-soest"] / before["stadtlabor-arnsberg"]

    # and recommendations favour it
    now = recommendations(api["anonymous"], "plettenberg")
    assert now["stadtlabor-soest"]["score"] > recommended["stadtlabor-soest"]["score"]
    assert "in 1 weiteren Kommune erfolgreich übernommen" in now["stadtlabor-soest"]["reasons"]

    # and the record survives an export and an import into an empty store
    exported = run_schule("export", data_dir=data_dir)
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in exported.stdout.splitlines() if '"adaptation"' in line]
    record = next(r for r in lines if r["id"] == slug)
    assert record == {"kind": "adaptation", "id": slug, "adopts": "stadtlabor-soest", "commune": "herscheid",
                      "status": "done", "outcome": outcome, "started": "2026-03"}


def test_a_member_records_adoptions_only_for_their_own_commune(api: dict[str, Api]) -> None:
    result = api["soest-mitglied"].data(RECORD, {"input": {"source": "stadtlabor-arnsberg", "commune": "herscheid"}})
    assert errors(result["recordAdoption"])[0][0] == "FORBIDDEN"


def test_bad_input_is_refused_field_by_field(api: dict[str, Api]) -> None:
    unknown = api["herscheid-mitglied"].data(RECORD, {"input": {"source": "gibt-es-nicht", "commune": "herscheid"}})
    assert errors(unknown["recordAdoption"]) == [("NOT_FOUND", ["input", "source"])]
    bad_date = api["herscheid-mitglied"].data(RECORD, {"input": {
        "source": "stadtlabor-arnsberg", "commune": "herscheid", "started": "März"}})
    assert errors(bad_date["recordAdoption"]) == [("INVALID", ["input", "started"])]
    anonymous = api["anonymous"].data(RECORD, {"input": {"source": "stadtlabor-arnsberg", "commune": "herscheid"}})
    assert errors(anonymous["recordAdoption"])[0][0] == "FORBIDDEN"
