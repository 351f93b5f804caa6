"""Durability of the embedded store: kill -9 while writes are being acknowledged, lose none of them;
a batch the engine sends again after a lost reply takes effect once."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
import redis

from schule.domain.model import Kind, ReviewState
from schule.domain.records import parse_record
from schule.errors import StoreError
from schule.services import moderation
from schule.settings import Settings
from schule.store import open_store
from schule.store.embedded import EmbeddedServer
from tests.integration.trust.world import NEW_PROJECT, build_world

WRITES = 400
KILL_AFTER = 150


def project(i: int) -> dict[str, object]:
    return {"kind": "project", "id": f"p-{i}", "title": f"Projekt {i}", "summary": "Dauerhaft gespeichert?"}


def test_kill_9_during_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    # given a store on its own embedded server, and a writer acknowledging one write at a time
    settings = Settings(data_dir=tmp_path, graph="durability")
    server = EmbeddedServer(tmp_path)
    store = open_store(settings)
    acknowledged: list[str] = []
    failed: list[str] = []

    def writer() -> None:
        for i in range(WRITES):
            record = parse_record(project(i))
            try:
                store.upsert([record])
            except StoreError:
                failed.append(record.id)
                continue
            acknowledged.append(record.id)

    thread = threading.Thread(target=writer)
    thread.start()

    # when the server is killed with SIGKILL in the middle of the writes
    while len(acknowledged) < KILL_AFTER:
        thread.join(timeout=0.01)
    pid = server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # the writer keeps going: a write may be in flight right now
    thread.join(timeout=120)

    # then the store came back by itself (the next write restarted the server) ...
    assert not thread.is_alive()
    assert server.pid() != pid
    assert len(acknowledged) + len(failed) == WRITES
    assert len(acknowledged) > KILL_AFTER
    # ... and after a clean stop and a cold start from disk, every acknowledged write is there
    store.close()
    server.stop()
    reopened = open_store(settings)
    try:
        present = set(reopened.get(acknowledged))
        assert present == set(acknowledged)
        assert reopened.counts()["project"] >= len(acknowledged)
    finally:
        reopened.close()
        server.stop()


def test_server_is_restarted_when_it_died_between_calls(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, graph="restart")
    server = EmbeddedServer(tmp_path)
    store = open_store(settings)
    store.upsert([parse_record(project(1))])
    old_pid = server.pid()
    assert old_pid is not None

    os.kill(old_pid, signal.SIGKILL)
    found = store.get(["p-1"])

    try:
        assert "p-1" in found
        assert server.pid() not in (None, old_pid)
    finally:
        store.close()
        server.stop()


class LostReply:
    """Wraps the FalkorDB graph handle of a store: the next write query reaches the server and is
    applied and acknowledged, then the server is killed (SIGKILL) and the client sees a dropped
    connection instead of the reply, as when a connection dies between the server's commit and the
    client reading the answer. ``FalkorEngine._with_restart`` then restarts the server (the AOF
    replays) and sends the same batch again."""

    def __init__(self, graph: Any, server: EmbeddedServer) -> None:
        self.graph, self.server, self.lost = graph, server, 0

    def query(self, *args: Any, **kwargs: Any) -> Any:
        self.graph.query(*args, **kwargs)  # applied: the server answered
        if not self.lost:
            self.lost += 1
            pid = self.server.pid()
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            raise redis.ConnectionError("connection lost before the reply was read")
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.graph, name)


def test_a_batch_replayed_after_a_lost_reply_is_applied_once(tmp_path: Path) -> None:
    # given a submitted entry on a store with its own embedded server
    settings = Settings(data_dir=tmp_path, graph="replay")
    server = EmbeddedServer(tmp_path)
    store = open_store(settings)
    try:
        world = build_world(store)
        schulweg = moderation.create_entry(store, world.member_a, Kind.PROJECT, dict(NEW_PROJECT), submit=True).id
        last_change = store.last_change()
        audited = store.audit_count()
        old_pid = server.pid()
        # when the approval's batch is applied but its reply is lost, and the engine sends it again
        lost = LostReply(store.engine.graph, server)  # type: ignore[attr-defined]
        store.engine.graph = lost  # type: ignore[attr-defined]
        approved = moderation.approve(store, world.moderator, schulweg, "Passt.")
        # then the retry really happened (a new server, the same batch sent twice) ...
        assert lost.lost == 1 and server.pid() not in (None, old_pid)
        assert approved.state == ReviewState.PUBLISHED
        # ... and the batch took effect once: one version, one audit entry, one change-log entry
        assert [v.action for v in store.versions_of([schulweg])] == ["create", "approve"]
        assert store.audit_count() == audited + 1
        assert [(c.kind, c.id) for c in store.changes_since(last_change)] == [("project", schulweg)]
        assert store.last_change() == last_change + 1
        # and a later write is applied as usual (the operation ids are per batch, not per content)
        moderation.edit_entry(store, world.moderator, schulweg, {"summary": "Karte der sicheren Schulwege."})
        assert [v.action for v in store.versions_of([schulweg])] == ["create", "approve", "update"]
    finally:
        store.close()
        server.stop()


def test_a_server_that_stops_answering_during_schema_setup_is_restarted_and_keeps_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FalkorDB 4.16 once deadlocked on the first graph command after a start (its main thread stuck
    in ``Globals_AddGraph``, not even PING answered): ``schule serve`` waited in schema setup forever
    and a CI run failed. A stopped process (SIGSTOP) answers nothing either, so it stands in for the
    deadlock here: same symptoms, a real server."""
    from schule.store import falkordb

    monkeypatch.setattr(falkordb, "SETUP_STEP_TIMEOUT_S", 2.0)  # the real bound is 20 s a statement
    settings = Settings(data_dir=tmp_path, graph="wedged")
    server = EmbeddedServer(tmp_path)
    store = open_store(settings)
    try:
        # given an acknowledged write, and then a server that answers nothing any more
        store.upsert([parse_record(project(1))])
        wedged = server.pid()
        assert wedged is not None
        os.kill(wedged, signal.SIGSTOP)
        # when the schema is set up (as every process opening the store does)
        store.setup()
        # then the wedged server was replaced by a new one, which has the acknowledged write
        assert server.pid() not in (None, wedged)
        store.upsert([parse_record(project(2))])
        assert set(store.get(["p-1", "p-2"])) == {"p-1", "p-2"}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(wedged, signal.SIGKILL)
        store.close()
        server.stop()
