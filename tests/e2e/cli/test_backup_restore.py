"""``schule backup`` and ``schule restore`` as a user runs them: everything out (drafts, versions, the
audit log, accounts with their token and password hashes, sessions, merge redirects), back into an
empty data dir, and the tokens made before the backup still sign GraphQL requests in."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli.api import APPROVE, CREATE, RESULT, STEP, add_user, graphql
from tests.e2e.cli.helpers import SCHULE, run_schule
from tests.e2e.trust.test_auth_http import bearer, client_for, sign_in_form

REJECT = f'mutation($id: String!) {{ rejectEntry(id: $id, reason: "Doppelt.") {{ {RESULT} ... on {STEP} }} }}'
MERGE = f"""mutation {{ mergeEntries(duplicate: "stadtlabor-iserlohn", survivor: "stadtlabor-menden",
  reason: "Test") {{ {RESULT} ... on {STEP} }} }}"""
MY = "{ mySubmissions { ... on Project { slug state } } }"
AUDIT = "{ auditLog(first: 50) { totalCount nodes { action target } } }"
HISTORY = 'query { history(id: "olpe-schulweg") { action } }'
PROJECT = 'query { project(id: "stadtlabor-iserlohn") { slug } }'
PASSWORD = "ein sehr gutes Passwort"


def backup_lines(path: Path) -> list[dict[str, Any]]:
    """The backup's lines, decoded; the header without its time (the only thing two backups of one
    state may differ in)."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]
    del lines[0]["created_at"]
    return lines


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str], str]]:
    """A seeded data dir after a working day: accounts (one with a password and a web session),
    a draft, an approved and a rejected submission, a merge. Yields the dir, the API tokens and the
    session cookie."""
    data_dir = tmp_path_factory.mktemp("backup-original")
    assert run_schule("seed", data_dir=data_dir).returncode == 0
    tokens = {"member": add_user(data_dir, "anna", "member", "--commune", "olpe"),
              "moderator": add_user(data_dir, "mona", "moderator")}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    with_password = subprocess.run(
        [SCHULE, "user", "add", "wera", "--role", "member", "--commune", "soest", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=120,
        env={**env, "SCHULE_DATA_DIR": str(data_dir)},
    )
    assert with_password.returncode == 0, with_password.stderr
    with client_for(data_dir) as c:
        member, moderator = tokens["member"], tokens["moderator"]
        project = {"title": "Schulwegsicherung", "summary": "Karte sicherer Schulwege.", "communes": ["olpe"]}
        for slug, draft in (("olpe-entwurf", True), ("olpe-schulweg", False), ("olpe-doppelt", False)):
            created = graphql(c, CREATE, member, input={"id": slug, **project, "draft": draft})["createProject"]
            assert created["__typename"] == "ProjectPayload", created
        assert graphql(c, APPROVE, moderator, id="olpe-schulweg")["approveEntry"]["state"] == "PUBLISHED"
        assert graphql(c, REJECT, moderator, id="olpe-doppelt")["rejectEntry"]["state"] == "REJECTED"
        assert graphql(c, MERGE, moderator)["mergeEntries"]["__typename"] == "ModerationPayload"
        csrf = sign_in_form(c)
        signed_in = c.post("/signin", data={"name": "wera", "password": PASSWORD, "csrf_token": csrf},
                           follow_redirects=False)
        assert signed_in.status_code == 303
        session = signed_in.cookies["schule_session"]
    yield data_dir, tokens, session


def test_backup_then_restore_into_an_empty_data_dir_keeps_everything(
    original: tuple[Path, dict[str, str], str], tmp_path: Path
) -> None:
    # given a backup of a data dir with drafts, versions, audit entries, accounts, sessions, a merge
    data_dir, _, _ = original
    first = tmp_path / "sicherung.jsonl"
    done = run_schule("backup", str(first), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert oct(first.stat().st_mode & 0o777) == "0o600"  # it holds password and token hashes
    lines = backup_lines(first)
    by_label = {label: [line["props"] for line in lines if line.get("node") == label]
                for label in {line["node"] for line in lines if "node" in line}}
    assert {"olpe-entwurf": "draft", "olpe-schulweg": "published", "olpe-doppelt": "rejected",
            "stadtlabor-iserlohn": "merged"}.items() <= {p["id"]: p["state"] for p in by_label["Project"]}.items()
    merged = next(p for p in by_label["Project"] if p["id"] == "stadtlabor-iserlohn")
    assert merged["merged_into"] == "stadtlabor-menden"
    assert {v["entity"] for v in by_label["Version"]} >= {"olpe-entwurf", "olpe-schulweg", "olpe-doppelt"}
    assert {"approve", "reject", "merge"} <= {a["action"] for a in by_label["AuditEntry"]}
    assert {a["name"] for a in by_label["Account"]} == {"anna", "mona", "wera"}
    assert next(a for a in by_label["Account"] if a["name"] == "wera")["password_hash"].startswith("$argon2id$")
    assert {t["kind"] for t in by_label["Token"]} == {"api", "session"}
    assert by_label["ChangeCounter"][0]["value"] > 0 and by_label["AuditCounter"][0]["value"] >= 3

    # when it is restored into an empty data dir and backed up again from there
    restored = tmp_path / "wiederhergestellt"
    done = run_schule("restore", str(first), data_dir=restored)
    assert done.returncode == 0, done.stderr
    assert "wiederhergestellt" in done.stdout
    second = tmp_path / "nochmal.jsonl"
    assert run_schule("backup", str(second), data_dir=restored).returncode == 0

    # then both backups hold exactly the same, line by line
    assert backup_lines(second) == lines
    # and search finds restored entries (the index was rebuilt from the restored graph)
    found = run_schule("search", "Schulwegsicherung", "--json", data_dir=restored)
    assert found.returncode == 0, found.stderr
    assert "olpe-schulweg" in [hit["id"] for hit in json.loads(found.stdout)]


def test_tokens_and_sessions_from_before_the_backup_work_after_the_restore(
    original: tuple[Path, dict[str, str], str], tmp_path: Path
) -> None:
    # given a data dir restored from a backup
    data_dir, tokens, session = original
    backup = tmp_path / "sicherung.jsonl"
    assert run_schule("backup", str(backup), data_dir=data_dir).returncode == 0
    restored = tmp_path / "wiederhergestellt"
    assert run_schule("restore", str(backup), data_dir=restored).returncode == 0

    with client_for(restored) as c:
        # when the member asks for their own entries with the token made before the backup
        mine = graphql(c, MY, tokens["member"])["mySubmissions"]
        # then the request is theirs: their draft and their rejected submission are listed
        assert {(e["slug"], e["state"]) for e in mine} >= {("olpe-entwurf", "DRAFT"), ("olpe-doppelt", "REJECTED")}
        # and the moderator's token reads the audit log, with every entry of before
        audit = graphql(c, AUDIT, tokens["moderator"])["auditLog"]
        assert {("approve", "olpe-schulweg"), ("reject", "olpe-doppelt")} <= {
            (n["action"], n["target"]) for n in audit["nodes"]}
        # and the versions are there, the merged id still leads to its survivor
        assert [v["action"] for v in graphql(c, HISTORY, tokens["member"])["history"]][:1] == ["create"]
        assert graphql(c, PROJECT)["project"] == {"slug": "stadtlabor-menden"}
        # and the web session signed in before the backup is still signed in
        me = c.get("/auth/session", headers={"Cookie": f"schule_session={session}"}).json()
        assert me["authenticated"] and me["name"] == "wera"
        # while a made-up token is still refused
        assert c.post("/graphql", json={"query": MY}, headers=bearer("schule_erfunden")).status_code == 401


def test_restore_into_a_store_that_holds_anything_is_refused_in_one_line(
    original: tuple[Path, dict[str, str], str], tmp_path: Path
) -> None:
    # given a backup, and a data dir that was seeded
    data_dir, _, _ = original
    backup = tmp_path / "sicherung.jsonl"
    assert run_schule("backup", str(backup), data_dir=data_dir).returncode == 0
    target = tmp_path / "voll"
    assert run_schule("seed", data_dir=target).returncode == 0
    before = run_schule("stats", "--json", data_dir=target).stdout

    # when the backup is restored into it
    done = run_schule("restore", str(backup), data_dir=target)

    # then it is refused with one line, and nothing changed
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "leeren Speicher" in done.stderr, done.stderr
    assert run_schule("stats", "--json", data_dir=target).stdout == before


def test_a_damaged_backup_is_refused_before_anything_is_written(
    original: tuple[Path, dict[str, str], str], tmp_path: Path
) -> None:
    # given a backup cut short (its last line lost) and one with a bad line
    data_dir, _, _ = original
    backup = tmp_path / "sicherung.jsonl"
    assert run_schule("backup", str(backup), data_dir=data_dir).returncode == 0
    lines = backup.read_text(encoding="utf-8").split("\n")
    cut = tmp_path / "abgeschnitten.jsonl"
    cut.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")
    bad = tmp_path / "kaputt.jsonl"
    broken = json.loads(lines[5])
    broken["node"] = "Geheimnis"
    bad.write_text("\n".join([*lines[:5], json.dumps(broken), *lines[6:]]), encoding="utf-8")
    export = tmp_path / "export.jsonl"
    assert run_schule("export", str(export), data_dir=data_dir).returncode == 0

    for damaged, reason in ((cut, "unvollständig"), (bad, f"{bad}:6: unbekanntes Label 'Geheimnis'"),
                            (export, "keine schule-Sicherung")):
        # when it is restored into an empty data dir
        target = tmp_path / f"leer-{damaged.stem}"
        done = run_schule("restore", str(damaged), data_dir=target)
        # then it is refused with one line naming the problem, and the store stays empty
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1 and reason in done.stderr, done.stderr
        counts = json.loads(run_schule("stats", "--json", data_dir=target).stdout)
        assert set(counts.values()) == {0}
