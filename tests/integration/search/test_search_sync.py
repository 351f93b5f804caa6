"""The index follows the graph: every write reaches it, crashes leave nothing silently missing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from schule.domain.records import parse_record
from schule.search import index as index_module
from schule.services import search as search_service
from schule.services import search_sync
from schule.services.search import SearchService
from schule.services.search_sync import SearchSync, SyncStopped
from schule.settings import Settings
from schule.store import CypherGraphStore, open_store
from schule.store.embedded import EmbeddedServer
from tests.integration.search.conftest import ids

PARKING = {"kind": "project", "id": "olpe-parkplatzsensoren", "title": "Parkplatzsensoren in der Innenstadt",
           "summary": "Sensoren zeigen freie Stellplätze in Olpe an.", "commune": "olpe", "status": "operation"}


def test_a_write_is_searchable_after_the_next_drain(store: CypherGraphStore, sync: SearchSync) -> None:
    store.upsert([parse_record(PARKING)])
    assert "olpe-parkplatzsensoren" not in ids(sync.index.search("Parkplatz"))
    assert sync.pending() > 0

    applied = sync.drain()

    assert applied > 0 and sync.pending() == 0
    assert ids(sync.index.search("Parkplatz"))[0] == "olpe-parkplatzsensoren"


def test_search_service_reads_its_own_writes(store: CypherGraphStore, sync: SearchSync) -> None:
    store.upsert([parse_record(PARKING)])

    results = SearchService(sync).search("Parkplatzsensoren")

    assert ids(results)[0] == "olpe-parkplatzsensoren"


def test_update_and_adaptation_reach_the_index(store: CypherGraphStore, sync: SearchSync) -> None:
    store.upsert([parse_record(PARKING)])
    sync.drain()

    store.upsert([parse_record(dict(PARKING, title="Smarte Parkraumbewirtschaftung"))])
    store.upsert([parse_record({"kind": "project", "id": "soest-parken", "title": "Parken in Soest",
                                "summary": "Übernommen aus Olpe.", "commune": "soest",
                                "adapted_from": ["olpe-parkplatzsensoren"]})])
    sync.drain()

    assert ids(sync.index.search("Parkraumbewirtschaftung"))[0] == "olpe-parkplatzsensoren"
    assert ids(sync.index.search("Parken", filters={"commune": ["soest"]}))[0] == "soest-parken"


def test_drain_is_idempotent(store: CypherGraphStore, sync: SearchSync) -> None:
    store.upsert([parse_record(PARKING)])
    sync.drain()
    count = sync.index.doc_count()

    sync._write_state(0)  # as if every change were still pending
    sync.drain()

    assert sync.index.doc_count() == count


def test_crash_after_index_commit_before_state_is_replayed(
    store: CypherGraphStore, sync: SearchSync, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.upsert([parse_record(PARKING)])
    before = sync.applied_seq()

    def crash(seq: int) -> None:
        raise SystemExit("crash")

    with monkeypatch.context() as m:
        m.setattr(sync, "_write_state", crash)
        with pytest.raises(SystemExit):
            sync.drain()

    assert sync.applied_seq() == before  # the change is still pending, not lost
    sync.drain()
    assert sync.pending() == 0
    assert ids(sync.index.search("Parkplatzsensoren"))[0] == "olpe-parkplatzsensoren"


def test_repair_restores_documents_that_went_missing(store: CypherGraphStore, sync: SearchSync) -> None:
    expected = sync.index.doc_count()
    sync.index.delete(["commune:olpe", "commune:soest"])

    outcome = sync.repair()

    assert outcome == "re-indexed 2 documents whose content differed from the graph"
    assert sync.index.doc_count() == expected
    assert "olpe" in ids(sync.index.search("Olpe"))


def test_repair_rebuilds_when_many_documents_differ(
        store: CypherGraphStore, sync: SearchSync, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_sync, "REPAIR_REINDEX_MIN", 1)  # rebuild when more than 1 document differs
    monkeypatch.setattr(search_sync, "REPAIR_REBUILD_SHARE", 0.0)
    expected = sync.index.doc_count()
    sync.index.delete(["commune:olpe", "commune:soest"])

    outcome = sync.repair()

    assert outcome == f"rebuilt (2 of {expected - 2} documents differed from the graph)"
    assert sync.index.doc_count() == expected
    assert sync.repair() == "in sync"


def test_repair_rebuilds_an_index_without_fingerprints(
        store: CypherGraphStore, sync: SearchSync, monkeypatch: pytest.MonkeyPatch) -> None:
    # given an index as a version before document fingerprints wrote it
    def schema_before_fingerprints():  # type: ignore[no-untyped-def]
        schema = index_module._schema_with_fingerprints()
        schema.remove("fingerprint")
        return schema

    with monkeypatch.context() as m:
        m.setattr(index_module, "_schema_with_fingerprints", index_module._schema, raising=False)
        m.setattr(index_module, "_schema", schema_before_fingerprints)
        m.setattr(index_module, "_fields", index_module._index_fields)
        sync.index.rebuild(sync.builder.all())
    assert not sync.index.has_fingerprints()
    # the follower keeps writing to it
    store.upsert([parse_record(PARKING)])
    sync.drain()
    assert "olpe-parkplatzsensoren" in ids(sync.index.search("Parkplatzsensoren"))
    # when it is repaired, it is rebuilt with fingerprints
    assert sync.repair() == "rebuilt (index without document fingerprints, written by an older version)"
    assert sync.index.has_fingerprints()
    assert sync.repair() == "in sync"
    assert "olpe-parkplatzsensoren" in ids(sync.index.search("Parkplatzsensoren"))


def test_repair_rebuilds_when_state_is_lost(store: CypherGraphStore, sync: SearchSync) -> None:
    sync.state_file.unlink()

    assert sync.repair().startswith("rebuilt")
    assert sync.repair() == "in sync"


def test_stop_during_a_rebuild_keeps_the_live_index(store: CypherGraphStore, sync: SearchSync) -> None:
    expected = sync.index.doc_count()
    sync.state_file.unlink()  # the next repair must rebuild
    documents = sync.builder.all

    def stop_after_a_few():  # type: ignore[no-untyped-def]
        for n, doc in enumerate(documents()):
            if n == 3:
                sync.stop()  # as the app's shutdown does, from another thread
            yield doc

    sync.builder.all = stop_after_a_few  # type: ignore[method-assign]

    with pytest.raises(SyncStopped):
        sync.repair()

    assert sync.index.doc_count() == expected
    assert "olpe" in ids(sync.index.search("Olpe"))
    assert sync.applied_seq() is None  # still pending: the next start rebuilds
    with pytest.raises(SyncStopped):
        sync.drain()


def test_repair_rebuilds_an_index_written_by_an_older_analysis(store: CypherGraphStore, sync: SearchSync) -> None:
    live = sync.index.path / (sync.index.path / "current").readlink()
    (live / "ANALYSIS_VERSION").unlink()  # as an index from before the marker existed (version 1)
    assert not sync.index.analysis_current()

    outcome = sync.repair()

    assert "older version of the German analysis" in outcome
    assert sync.index.analysis_current()
    assert "olpe" in ids(sync.index.search("Olpe"))
    assert sync.repair() == "in sync"


def test_only_one_process_drains_at_a_time(store: CypherGraphStore, sync: SearchSync) -> None:
    store.upsert([parse_record(PARKING)])
    other = SearchSync(store, sync.dir)
    try:
        with sync._drain_lock(wait=True):
            assert other.drain() == 0  # does not block, does not apply
        assert other.drain() > 0
    finally:
        other.close()


def test_a_search_waits_for_a_drain_that_another_thread_is_running(
        store: CypherGraphStore, sync: SearchSync) -> None:
    # the app's follower thread holds the drain lock while it applies the change that a moderator's
    # approval just wrote; the moderator's search must not answer from the index before that change
    store.upsert([parse_record(PARKING)])
    follower = SearchSync(store, sync.dir)
    lock_taken = threading.Event()

    def follower_drain() -> None:
        with follower._drain_lock(wait=True):
            lock_taken.set()
            time.sleep(0.5)  # the drain is slow: the search arrives in the middle of it
            follower._apply_after(follower.applied_seq() or 0)

    thread = threading.Thread(target=follower_drain)
    thread.start()
    try:
        assert lock_taken.wait(5)
        assert "olpe-parkplatzsensoren" in ids(SearchService(sync).search("Parkplatz"))
    finally:
        thread.join()
        follower.close()


def test_searches_behind_a_drain_wait_for_its_progress_not_for_the_lock(
        store: CypherGraphStore, sync: SearchSync, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a drain in progress (another thread of the app) that will apply a member's write
    store.upsert([parse_record(PARKING)])
    drains: list[int] = []
    real = SearchSync._drain_locked

    def counted(self: SearchSync) -> int:
        applied = real(self)
        if applied:  # a drain that found nothing left costs one read; only work done twice is waste
            drains.append(applied)
        return applied

    monkeypatch.setattr(SearchSync, "_drain_locked", counted)
    lock_taken = threading.Event()

    def follower_drain() -> None:
        with sync._drain_lock(wait=True):
            lock_taken.set()
            time.sleep(0.3)
            sync._drain_locked()

    follower = threading.Thread(target=follower_drain)
    follower.start()
    assert lock_taken.wait(5)
    # when eight searches arrive meanwhile
    found: list[bool] = []
    searches = [threading.Thread(target=lambda: found.append(
        "olpe-parkplatzsensoren" in ids(SearchService(sync).search("Parkplatz")))) for _ in range(8)]
    for t in searches:
        t.start()
    for t in [follower, *searches]:
        t.join(10)
    # then every one finds the write, and none of them applied it again after the follower
    assert found == [True] * 8
    assert len(drains) == 1


def test_searches_waiting_for_another_process_poll_and_do_not_wake_each_other(
        store: CypherGraphStore, sync: SearchSync, monkeypatch: pytest.MonkeyPatch) -> None:
    # given another process (another SearchSync on the same index) that holds the drain lock
    store.upsert([parse_record(PARKING)])
    other = SearchSync(store, sync.dir)
    looks: list[int] = []
    real = SearchSync.applied_seq

    def counted(self: SearchSync) -> int | None:
        looks.append(1)
        return real(self)

    monkeypatch.setattr(SearchSync, "applied_seq", counted)
    target = store.last_change()
    wait_s, waiters = 0.5, 8
    try:
        with other._drain_lock(wait=True):
            # when eight searches of this process wait for it to apply the write
            threads = [threading.Thread(target=sync.catch_up, args=(target, wait_s)) for _ in range(waiters)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
    finally:
        other.close()

    # then each looked about once per poll interval (25 times in 0.5 s; a few more for the scheduler),
    # not in a loop of waking one another (thousands of looks: 14 % of a server's CPU under load)
    polls = wait_s / search_sync._LOCK_POLL_S
    assert len(looks) <= waiters * (polls * 2 + 4), len(looks)


def test_a_search_answers_from_the_index_when_another_drain_takes_too_long(
        store: CypherGraphStore, sync: SearchSync, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_service, "READ_YOUR_WRITES_WAIT_S", 0.2)
    store.upsert([parse_record(PARKING)])
    other = SearchSync(store, sync.dir)
    try:
        with sync._drain_lock(wait=True):  # e.g. a full rebuild of a large index in another process
            results = SearchService(other).search("Olpe")
    finally:
        other.close()
    assert results.total > 0 and "olpe-parkplatzsensoren" not in ids(results)


WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from schule.domain.records import parse_record
    from schule.services.search_sync import SearchSync, SyncStopped
    from schule.settings import Settings
    from schule.store import open_store
    settings = Settings(data_dir=Path(sys.argv[1]), graph="killed")
    store = open_store(settings)
    sync = SearchSync(store, settings.data_dir / "search")
    sync.repair()
    store.upsert([parse_record({json_record})])
    # the graph write is acknowledged; die before the index hears of it
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_kill_9_between_graph_write_and_index_update(tmp_path: Path) -> None:
    # given a process that writes to the graph and is killed before updating the index
    script = WRITER.replace("{json_record}", repr(PARKING))
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == -9, proc.stderr
    settings = Settings(data_dir=tmp_path, graph="killed")
    store = open_store(settings)
    sync = SearchSync(store, tmp_path / "search")
    try:
        # when the next process searches
        assert sync.pending() > 0
        results = SearchService(sync).search("Parkplatzsensoren")
        # then the write is found: it was pending in the change log, not lost
        assert ids(results) == ["olpe-parkplatzsensoren"]
        assert sync.pending() == 0
    finally:
        sync.close()
        store.close()
        EmbeddedServer(tmp_path).stop()


def test_cli_search_json_contract(tmp_path: Path) -> None:
    from tests.e2e.cli.helpers import run_schule

    run_schule("seed", data_dir=tmp_path)
    result = run_schule("search", "Datenplattform", "--json", "--limit", "3", data_dir=tmp_path)

    hits = json.loads(result.stdout)
    assert result.returncode == 0, result.stderr
    assert 0 < len(hits) <= 3
    assert all(set(h) == {"id", "kind", "title", "score"} for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert "offene-regionale-datenplattform" in [h["id"] for h in hits]


def test_a_bulk_import_is_caught_up_by_a_rebuild(store: CypherGraphStore, sync: SearchSync,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    # given an import of more changes than the index would take entry by entry (a bulk import)
    many = [dict(PARKING, id=f"massen-projekt-{i}", title=f"Massenprojekt Nummer {i}") for i in range(1200)]
    store.upsert([parse_record(r) for r in many])
    backlog = sync.pending()
    assert backlog > search_sync.REPAIR_REINDEX_MIN
    # when the index catches up
    with caplog.at_level("INFO", logger="schule.search"):
        sync.drain()
    # then it rebuilt once instead of replaying the log, and holds every document and the seed
    assert f"{backlog} changes behind; rebuilding" in caplog.text
    assert sync.pending() == 0
    assert sync.index.search("Massenprojekt", limit=5).total == 1200
    assert ids(sync.index.search("Parkplatzsensoren"))[0].startswith(("massen-projekt-", "olpe-"))
    assert sync.index.search("Datenplattform").total > 0  # seeded documents are still there
