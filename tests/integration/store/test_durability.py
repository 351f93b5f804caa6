"""Durability of the embedded store: kill -9 while writes are being acknowledged, lose none of them;
a batch the engine sends again after a lost reply takes effect once."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from schule.domain.model import Kind, ReviewState
from schule.domain.records import parse_record
from schule.errors import StoreError
from schule.services import moderation
from schule.settings import Settings
from schule.store import Statement, open_store
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


@pytest.fixture
def quick_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watchdog's bounds, shortened: the real ones are 15 s of waiting and 3 s of looking."""
    from schule.store import watchdog

    monkeypatch.setattr(watchdog, "STUCK_AFTER_S", 1.0)
    monkeypatch.setattr(watchdog, "IDLE_S", 0.5)
    monkeypatch.setattr(watchdog, "CHECK_EVERY_S", 0.1)


def test_a_server_that_stops_answering_during_schema_setup_is_restarted_and_keeps_its_data(
    tmp_path: Path, quick_watchdog: None
) -> None:
    """FalkorDB 4.16 once deadlocked on the first graph command after a start (its main thread stuck
    in ``Globals_AddGraph``, not even PING answered): ``schule serve`` waited in schema setup forever
    and a CI run failed. A stopped process (SIGSTOP) answers nothing and works no more either, so it
    stands in for the deadlock here: same symptoms, a real server."""
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
        assert store.engine.watchdog.kills == 1  # type: ignore[attr-defined]
        store.upsert([parse_record(project(2))])
        assert set(store.get(["p-1", "p-2"])) == {"p-1", "p-2"}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(wedged, signal.SIGKILL)
        store.close()
        server.stop()


def test_a_graph_command_that_never_returns_while_ping_answers_is_sent_again_to_a_new_server(
    tmp_path: Path, quick_watchdog: None
) -> None:
    """The other face of the deadlock, seen in a CI run of the held-out search check: a graph command
    that never returned while the server still answered PING, and ``schule search`` waited silently
    until its caller killed it. ``CLIENT PAUSE … WRITE`` makes a real server do just that (GRAPH.QUERY
    waits, PING answers, the server idles)."""
    settings = Settings(data_dir=tmp_path, graph="stuck")
    server = EmbeddedServer(tmp_path)
    store = open_store(settings)
    admin = redis.Redis(unix_socket_path=server.socket_path)
    try:
        # given an acknowledged write, and then a server that holds every graph write back
        store.upsert([parse_record(project(1))])
        stuck = server.pid()
        admin.execute_command("CLIENT", "PAUSE", "600000", "WRITE")
        assert admin.ping()
        # when a member saves another entry
        store.upsert([parse_record(project(2))])
        # then the watchdog ended the stuck server, the write went to a new one, and nothing is lost
        assert store.engine.watchdog.kills == 1  # type: ignore[attr-defined]
        assert server.pid() not in (None, stuck)
        assert set(store.get(["p-1", "p-2"])) == {"p-1", "p-2"}
    finally:
        admin.close()
        store.close()
        server.stop()


def test_a_long_command_on_a_working_server_is_waited_for(tmp_path: Path, quick_watchdog: None) -> None:
    """What the watchdog must not do: end a server that works on a long command (an import's large
    batch, another process's write)."""
    settings = Settings(data_dir=tmp_path, graph="busy")
    server = EmbeddedServer(tmp_path)
    store = open_store(settings)
    try:
        pid = server.pid()
        # when a write runs longer than the watchdog's bound, the server working all the while
        n = 6_000_000
        store.engine.write([Statement("UNWIND range(1, $n) AS i CREATE (:Busy {i: i})", {"n": n})])
        # then the watchdog looked at it and let it finish: the same server, every node written once
        watchdog = store.engine.watchdog  # type: ignore[attr-defined]
        assert watchdog.looks >= 1, "the write ended before the watchdog looked: make it longer"
        assert watchdog.kills == 0 and server.pid() == pid
        assert store.engine.read("MATCH (b:Busy) RETURN count(b) AS n") == [{"n": n}]
    finally:
        store.close()
        server.stop()


def test_a_server_found_answering_nothing_is_started_again_only_if_it_does_not_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process opening the store finds the server alive but silent: replaying a long command from its
    append-only file (working) is waited for; a deadlocked one (not working) is ended and started again,
    instead of being waited for until LOAD_TIMEOUT_S (ten minutes)."""
    from schule.store import embedded

    monkeypatch.setattr(embedded, "WEDGED_AFTER_S", 0.5)
    monkeypatch.setattr(embedded, "PROBE_TIMEOUT_S", 0.5)
    server = EmbeddedServer(tmp_path)
    server.ensure_running()
    admin = redis.Redis(unix_socket_path=server.socket_path)
    pid = server.pid()
    assert pid is not None
    try:
        # a server busy in its main thread for a few seconds (a Lua loop of ~3 s; it would answer BUSY
        # after 5) answers nothing, but works
        busy = threading.Thread(target=lambda: admin.eval("local i = 0 while i < 300000000 do i = i + 1 end", 0))
        busy.start()
        try:
            time.sleep(0.3)
            assert EmbeddedServer(tmp_path)._probe() == "silent"
            EmbeddedServer(tmp_path).ensure_running()
        finally:
            busy.join()
        assert server.pid() == pid
        # a stopped one answers nothing and does not work
        os.kill(pid, signal.SIGSTOP)
        EmbeddedServer(tmp_path).ensure_running()
        assert server.pid() not in (None, pid)
        assert EmbeddedServer(tmp_path)._probe() == "up"
    finally:
        admin.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        server.stop()


def test_a_server_that_wedges_while_loading_is_started_again_and_keeps_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in CI: FalkorDB 4.16 logged "Done decoding graph" on a start and then answered nothing and
    did nothing; ``schule search`` killed it as wedged and then gave up (exit 75). A server stopped
    (SIGSTOP) while it loads stands in for that deadlock: same symptoms, a real server."""
    from schule.store import embedded

    monkeypatch.setattr(embedded, "WEDGED_AFTER_S", 1.0)
    settings = Settings(data_dir=tmp_path, graph="reload")
    store = open_store(settings)
    store.upsert([parse_record(project(1))])
    store.close()
    server = EmbeddedServer(tmp_path)
    server.stop()  # the next start loads the graph from its files
    wedged: list[int] = []
    real_wait = EmbeddedServer._wait_until_up

    def wedge_the_first_start(self: EmbeddedServer) -> bool:
        if not wedged:  # the first server stops once its socket is there (it is loading)
            deadline = time.monotonic() + 30
            while not os.path.exists(self.socket_path) and time.monotonic() < deadline:
                time.sleep(0.001)
            pid = self.pid()
            assert pid is not None
            os.kill(pid, signal.SIGSTOP)
            wedged.append(pid)
        return real_wait(self)

    monkeypatch.setattr(EmbeddedServer, "_wait_until_up", wedge_the_first_start)
    try:
        # when a process starts the server and the first start wedges
        server.ensure_running()

        # then a second start answers, with the acknowledged write
        assert wedged and server.pid() not in (None, wedged[0])
        store = open_store(settings)
        try:
            assert set(store.get(["p-1"])) == {"p-1"}
        finally:
            store.close()
    finally:
        for pid in wedged:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.stop()
