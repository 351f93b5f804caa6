"""Is this entry still true? Over HTTP on the seeded app: seed entries carry the date of their
sources, members of the owning commune and moderators confirm entries (a version, no revision, still
published), ``staleEntries`` lists what was not confirmed for twelve months, per commune for members;
export and import carry the date."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from schule.settings import ConfigError, Settings
from schule.web.rendering import datum
from tests.e2e.adoption.conftest import Api
from tests.e2e.cli.helpers import run_schule

RESULT = "__typename ... on UserErrors { errors { code field message } }"
CONFIRM = f"""mutation($id: String!) {{ confirmEntry(id: $id) {{ {RESULT}
  ... on ConfirmPayload {{ entry {{ __typename ... on Project {{ slug state lastConfirmedAt }}
                                               ... on Lesson {{ slug state lastConfirmedAt }} }} }} }} }}"""
FRESHNESS = """query($id: String!) { project(id: $id) { lastConfirmedAt lastConfirmedBy updatedAt
  history { action changes { field new } } } }"""
STALE = """query($first: Int, $commune: String) { staleEntries(first: $first, commune: $commune) {
  totalCount nodes { __typename ... on Project { slug lastConfirmedAt } ... on Lesson { slug lastConfirmedAt } } } }"""


def stale(api: Api, commune: str | None = None) -> tuple[int, list[str]]:
    found = api.data(STALE, {"first": 100, "commune": commune})["staleEntries"]
    return found["totalCount"], [n["slug"] for n in found["nodes"]]


def request_error(api: Api, query: str, variables: dict[str, Any]) -> str:
    response = api.client.post("/graphql", json={"query": query, "variables": variables},
                               headers={"Authorization": f"Bearer {api.token}"} if api.token else {})
    body = response.json()
    assert body.get("errors"), body
    return str(body["errors"][0]["extensions"]["code"])


def test_entries_are_confirmed_by_their_commune_and_listed_when_stale(api: dict[str, Api], data_dir: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    # the seed keeps the date of its source (seeds/002, 2.11.2022), not the import time
    before = api["anonymous"].data(FRESHNESS, {"id": "stadtlabor-soest"})["project"]
    assert before["lastConfirmedAt"] == "2022-11-02" and before["lastConfirmedBy"] is None
    assert before["updatedAt"][:4] >= "2026"
    # stale entries: only for signed-in members (their commune's) and moderators
    assert request_error(api["anonymous"], STALE, {"first": 10}) == "FORBIDDEN"
    count, soest = stale(api["soest-mitglied"])
    assert "stadtlabor-soest" in soest and "stadtlabor-arnsberg" not in soest and count == len(soest)
    assert request_error(api["soest-mitglied"], STALE, {"first": 10, "commune": "arnsberg"}) == "FORBIDDEN"
    assert "stadtlabor-arnsberg" in stale(api["pruefer"], "arnsberg")[1]
    assert stale(api["pruefer"])[0] > count

    # a member of another commune may not confirm Soest's project
    other = api["herscheid-mitglied"].data(CONFIRM, {"id": "stadtlabor-soest"})["confirmEntry"]
    assert other["__typename"] == "UserErrors" and other["errors"][0]["code"] == "FORBIDDEN"
    # when a member of Soest confirms it
    confirmed = api["soest-mitglied"].data(CONFIRM, {"id": "stadtlabor-soest"})["confirmEntry"]["entry"]
    # then it is confirmed today, still published, and no longer stale
    assert confirmed == {"__typename": "Project", "slug": "stadtlabor-soest", "state": "PUBLISHED",
                         "lastConfirmedAt": today}
    after = api["anonymous"].data(FRESHNESS, {"id": "stadtlabor-soest"})["project"]
    assert after["lastConfirmedAt"] == today and after["lastConfirmedBy"] == "Soest"
    assert {"action": "confirm", "changes": [{"field": "last_confirmed", "new": today}]} in after["history"]
    assert stale(api["soest-mitglied"]) == (count - 1, [s for s in soest if s != "stadtlabor-soest"])

    # and a moderator confirms a lesson of any commune
    assert "ganze-region-nimmt-teil" in stale(api["pruefer"])[1]
    done = api["pruefer"].data(CONFIRM, {"id": "ganze-region-nimmt-teil"})["confirmEntry"]["entry"]
    assert done["__typename"] == "Lesson" and done["lastConfirmedAt"] == today

    # and the pages say when an entry was last confirmed
    for path in ("/projekte/stadtlabor-soest", "/erkenntnisse/ganze-region-nimmt-teil"):
        assert "Zuletzt bestätigt</dt><dd>" + datum(today) in api["anonymous"].client.get(path).text

    # and export writes the date, which an import into an empty store reads back
    exported = run_schule("export", data_dir=data_dir)
    assert exported.returncode == 0, exported.stderr
    record = next(json.loads(line) for line in exported.stdout.splitlines() if '"stadtlabor-soest"' in line
                  and json.loads(line).get("id") == "stadtlabor-soest")
    assert record["last_confirmed"] == today


def test_export_and_import_round_trip_the_dates(tmp_path: Path, data_dir: Path) -> None:
    first = run_schule("export", str(tmp_path / "a.jsonl"), data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    fresh = tmp_path / "fresh"
    imported = run_schule("import", str(tmp_path / "a.jsonl"), data_dir=fresh)
    assert imported.returncode == 0, imported.stderr
    second = run_schule("export", str(tmp_path / "b.jsonl"), data_dir=fresh)
    assert second.returncode == 0, second.stderr
    a = sorted((tmp_path / "a.jsonl").read_text("utf-8").splitlines())
    b = sorted((tmp_path / "b.jsonl").read_text("utf-8").splitlines())
    assert a == b
    assert any('"last_confirmed"' in line and '"kind": "lesson"' in line for line in b)


def test_the_stale_horizon_is_a_setting() -> None:
    assert Settings.from_env({}).stale_after_months == 12
    assert Settings.from_env({"SCHULE_STALE_AFTER_MONTHS": "6"}).stale_after_months == 6
    with pytest.raises(ConfigError):
        Settings.from_env({"SCHULE_STALE_AFTER_MONTHS": "0"})
