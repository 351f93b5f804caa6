"""Backup and restore on every engine (embedded FalkorDB; Neo4j when ``NEO4J_URI`` is set): the same
store code writes a backup, restores it into the emptied store, and a second backup is identical."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

import pytest

from schule.auth.identity import Identity
from schule.domain.model import Kind
from schule.domain.problems import Code
from schule.errors import ProblemError
from schule.services import accounts, backup, merge, moderation
from schule.services.backup import backup_to_file
from schule.services.restore import read_backup, restore
from schule.services.seeding import seed
from schule.settings import Settings
from schule.store import CypherGraphStore
from tests.conftest import SEED_DIR, wipe
from tests.integration.trust.world import NEW_PROJECT, build_world


def lines_of(path: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]
    del lines[0]["created_at"]
    return lines


def a_working_day(store: CypherGraphStore) -> str:
    """Seed data, accounts, a draft, a submission approved and one rejected, a merge, a session;
    returns an API token made on the way."""
    seed(store, SEED_DIR)
    world = build_world(store)
    moderation.create_entry(store, world.member_a, Kind.PROJECT, {"id": "entwurf", **NEW_PROJECT})
    moderation.create_entry(store, world.member_a, Kind.PROJECT, {"id": "eingereicht", **NEW_PROJECT}, submit=True)
    moderation.approve(store, world.moderator, "eingereicht")
    moderation.create_entry(store, world.member_a, Kind.PROJECT, {"id": "doppelt", **NEW_PROJECT}, submit=True)
    moderation.reject(store, world.moderator, "doppelt", "Doppelt.")
    merge.merge(store, world.moderator, "eingereicht", "olpe-parken", "Dasselbe.")
    _, token = accounts.add_account(store, Identity.system(), "wera", "member", commune="soest",
                                    password="ein sehr gutes Passwort")
    assert accounts.sign_in(store, "wera", "ein sehr gutes Passwort") is not None
    return token


def test_a_backup_restored_into_the_emptied_store_gives_the_same_backup(
    store: CypherGraphStore, store_settings: Settings, tmp_path: Path
) -> None:
    # given a store after a working day, and its backup
    token = a_working_day(store)
    first = tmp_path / "eins.jsonl"
    summary = backup_to_file(store, first)
    assert summary.nodes["Version"] >= 5 and summary.nodes["AuditEntry"] >= 3 and summary.nodes["Token"] >= 6

    # when the store is emptied and the backup restored into it
    wipe(store, store_settings.graph)
    store.setup()
    assert store.node_count() == 0
    restored = restore(store, read_backup(first))

    # then a second backup holds exactly what the first held
    second = tmp_path / "zwei.jsonl"
    backup_to_file(store, second)
    assert lines_of(second) == lines_of(first)
    assert restored == summary
    # and the token made before the backup authenticates its account again
    identity = accounts.identity_for_token(store, token)
    assert identity is not None and identity.name == "wera"
    # and the merged id still leads to its survivor, the draft is still a draft
    assert store.resolve_ids(["olpe-parken"]) == {"olpe-parken": "eingereicht"}
    assert store.get(["entwurf"])["entwurf"].state == "draft"


def test_restore_into_a_store_that_holds_anything_changes_nothing(store: CypherGraphStore, tmp_path: Path) -> None:
    # given a backup of a store, and that store still full
    seed(store, SEED_DIR)
    path = tmp_path / "sicherung.jsonl"
    backup_to_file(store, path)
    before = store.counts()

    # when it is restored into the same store
    with pytest.raises(ProblemError) as refused:
        restore(store, read_backup(path))

    # then it is refused as a store in the wrong state, and nothing changed
    assert refused.value.code == Code.INVALID_STATE
    assert store.counts() == before


class WritesOnce:
    """An output that, on the first line after the header, writes to the store: a real write while the
    backup reads (as a server on the same data dir would make)."""

    def __init__(self, out: TextIO, write: Any) -> None:
        self.out, self.write_to_store, self.lines = out, write, 0

    def write(self, text: str) -> int:
        self.lines += 1
        if self.lines == 2 and self.write_to_store is not None:
            self.write_to_store()
            self.write_to_store = None
        return self.out.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


def test_a_write_while_the_backup_reads_makes_it_start_again(
    store: CypherGraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a store, and a project that is written while the first attempt of a backup reads
    seed(store, SEED_DIR)
    world = build_world(store)
    real = backup.write_backup
    attempts = []

    def late() -> None:
        moderation.create_entry(store, world.moderator, Kind.PROJECT, {"id": "spaet", **NEW_PROJECT})

    def writing_meanwhile(s: CypherGraphStore, out: TextIO) -> backup.Summary:
        attempts.append(1)
        return real(s, WritesOnce(out, late if len(attempts) == 1 else None))  # type: ignore[arg-type]

    monkeypatch.setattr(backup, "write_backup", writing_meanwhile)

    # when the backup is written
    path = tmp_path / "sicherung.jsonl"
    backup_to_file(store, path)

    # then the first attempt was discarded and the second holds the late project, with its version
    assert len(attempts) == 2
    lines = lines_of(path)
    assert "spaet" in {line["props"].get("id") for line in lines if line.get("node") == "Project"}
    assert "spaet" in {line["props"]["entity"] for line in lines if line.get("node") == "Version"}
    read_backup(path)  # and it is consistent (counts, references)
