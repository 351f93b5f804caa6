"""Durability of the embedded store: kill -9 while writes are being acknowledged, lose none of them."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from schule.domain.records import parse_record
from schule.errors import StoreError
from schule.settings import Settings
from schule.store import open_store
from schule.store.embedded import EmbeddedServer

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
