"""Merging duplicates over HTTP (the real app, lifespan included, on a data dir seeded by the CLI):
the survivor keeps the duplicate's history, readable through both ids, its ``source`` combines both,
and the audit log names the moderator who merged and the reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli.helpers import run_schule
from tests.e2e.trust.test_auth_http import Client, bearer, client_for

CREATE = """mutation($input: CreateProjectInput!) { createProject(input: $input) {
  __typename ... on ProjectPayload { project { slug state } } ... on UserErrors { errors { code field message } } } }"""
UPDATE = """mutation($input: UpdateProjectInput!) { updateProject(input: $input) {
  __typename ... on ProjectPayload { project { slug state } } ... on UserErrors { errors { code field message } } } }"""
APPROVE = """mutation($id: String!) { approveEntry(id: $id) {
  __typename ... on ModerationPayload { state } ... on UserErrors { errors { code message } } } }"""
MERGE = """mutation($duplicate: String!, $survivor: String!, $reason: String) {
  mergeEntries(duplicate: $duplicate, survivor: $survivor, reason: $reason) {
    __typename ... on ModerationPayload { state entry { ... on Project { slug source } } }
    ... on UserErrors { errors { code field message } } } }"""
HISTORY = """query($id: String!) { history(id: $id) { slug number action state authorName note
  changes { field old new } } }"""
PROJECT = "query($id: String!) { project(id: $id) { slug source history { slug action } } }"
AUDIT = """query($target: String) { auditLog(target: $target, first: 5) { nodes {
  action actorName actorRole target reason details } } }"""

SURVIVOR = {"id": "olpe-schulweg", "title": "Sichere Schulwege in Olpe",
            "summary": "Eine Karte zeigt sichere Wege zur Schule.", "communes": ["olpe"],
            "source": "Ratsvorlage 2024/12"}
DUPLICATE = {"id": "schulwegkarte-olpe", "title": "Schulwegkarte Olpe",
             "summary": "Dasselbe Projekt, noch einmal erfasst.", "communes": ["olpe"],
             "source": "Westfalenpost, 3. März 2024"}
REASON = "Doppelt erfasst: dasselbe Projekt der Stadt Olpe."


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("merge-e2e")
    seeded = run_schule("seed", data_dir=d)
    assert seeded.returncode == 0, seeded.stderr
    return d


@pytest.fixture(scope="module")
def tokens(data_dir: Path) -> dict[str, str]:
    out = {}
    for name, role, extra in [("anna", "member", ["--commune", "olpe"]), ("mona", "moderator", [])]:
        done = run_schule("user", "add", name, "--role", role, *extra, "--json", data_dir=data_dir)
        assert done.returncode == 0, done.stderr
        out[role] = json.loads(done.stdout)["token"]
    return out


@pytest.fixture
def client(data_dir: Path, tokens: dict[str, str]) -> Iterator[Client]:
    with client_for(data_dir) as c:
        yield c


def call(client: Client, token: str | None, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers=bearer(token) if token else {})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["__typename"] != "UserErrors", payload
    return payload


def test_the_survivor_keeps_the_duplicates_history_and_sources(client: Client, tokens: dict[str, str]) -> None:
    member, moderator = tokens["member"], tokens["moderator"]
    # given a duplicate with a history of its own: created by a member, changed, approved ...
    ok(call(client, member, CREATE, {"input": DUPLICATE})["createProject"])
    ok(call(client, member, UPDATE, {"input": {"id": DUPLICATE["id"], "summary": "Karte der Schulwege."}})
       ["updateProject"])
    ok(call(client, moderator, APPROVE, {"id": DUPLICATE["id"]})["approveEntry"])
    duplicate_history = call(client, None, HISTORY, {"id": DUPLICATE["id"]})["history"]
    assert [v["action"] for v in duplicate_history] == ["create", "update", "approve"]
    # ... and the entry it duplicates, from another source
    ok(call(client, moderator, CREATE, {"input": SURVIVOR})["createProject"])

    # when a moderator merges the duplicate into it, with a reason
    merged = ok(call(client, moderator, MERGE, {"duplicate": DUPLICATE["id"], "survivor": SURVIVOR["id"],
                                                "reason": REASON})["mergeEntries"])

    # then the survivor's source names both sources
    both = f"{SURVIVOR['source']}; {DUPLICATE['source']}"
    assert merged["entry"] == {"slug": SURVIVOR["id"], "source": both}
    project = call(client, None, PROJECT, {"id": SURVIVOR["id"]})["project"]
    assert project["source"] == both
    # and its history holds the duplicate's versions (as they were written), its own, and the merge
    history = call(client, None, HISTORY, {"id": SURVIVOR["id"]})["history"]
    steps = [(v["slug"], v["action"]) for v in history]
    assert steps[:3] == [(DUPLICATE["id"], "create"), (DUPLICATE["id"], "update"), (DUPLICATE["id"], "approve")]
    assert [v for v in history if v["slug"] == DUPLICATE["id"]][:3] == duplicate_history_with_slug(
        duplicate_history, DUPLICATE["id"])
    assert (SURVIVOR["id"], "create") in steps and (SURVIVOR["id"], "merge") in steps
    merge_step = next(v for v in history if v["slug"] == SURVIVOR["id"] and v["action"] == "merge")
    assert merge_step["note"] == REASON and merge_step["authorName"] == "mona"
    assert {"field": "source", "old": SURVIVOR["source"], "new": both} in merge_step["changes"]
    # the same history through the project's own field and through the duplicate's old id
    assert [(v["slug"], v["action"]) for v in project["history"]] == steps
    assert call(client, None, HISTORY, {"id": DUPLICATE["id"]})["history"] == history
    # and the audit log names the moderator who merged and why
    entry = call(client, moderator, AUDIT, {"target": SURVIVOR["id"]})["auditLog"]["nodes"][0]
    assert (entry["action"], entry["actorName"], entry["actorRole"], entry["reason"]) == (
        "merge", "mona", "moderator", REASON)
    details = json.loads(entry["details"])
    assert details["duplicate"] == DUPLICATE["id"]
    assert details["source"] == {"survivor": SURVIVOR["source"], "duplicate": DUPLICATE["source"], "merged": both}


def duplicate_history_with_slug(history: list[dict[str, Any]], slug: str) -> list[dict[str, Any]]:
    return [{**v, "slug": slug} for v in history]


def test_a_merge_whose_sources_would_not_fit_is_refused_and_changes_nothing(
        client: Client, tokens: dict[str, str]) -> None:
    moderator = tokens["moderator"]
    # given two entries whose sources together exceed the 1000 characters a source may have
    long_a, long_b = "Sitzungsprotokoll " + "A" * 600, "Pressemitteilung " + "B" * 600
    ok(call(client, moderator, CREATE, {"input": dict(SURVIVOR, id="lang-a", source=long_a)})["createProject"])
    ok(call(client, moderator, CREATE, {"input": dict(DUPLICATE, id="lang-b", source=long_b)})["createProject"])
    # when a moderator merges them
    refused = call(client, moderator, MERGE, {"duplicate": "lang-b", "survivor": "lang-a",
                                              "reason": REASON})["mergeEntries"]
    # then the merge is refused with a German reason that says what to do, on the duplicate
    assert refused["__typename"] == "UserErrors"
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("INVALID", ["duplicate"])
    assert "1000" in error["message"] and "kürzen" in error["message"]
    # and nothing changed: both entries, their sources and histories are as before
    for slug, source in (("lang-a", long_a), ("lang-b", long_b)):
        assert call(client, None, PROJECT, {"id": slug})["project"] == {
            "slug": slug, "source": source, "history": [{"slug": slug, "action": "create"}]}
