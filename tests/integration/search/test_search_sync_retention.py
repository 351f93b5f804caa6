"""A search index and a pruned change log: behind the retained window it rebuilds, within it it drains;
nothing a pruned entry carried goes missing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from schule.app import follow_change_log
from schule.domain.records import Record, parse_record
from schule.search import SearchDocument
from schule.services.change_log import Retention, prune_change_log
from schule.services.search_sync import SearchSync, SyncStopped
from schule.store import CypherGraphStore
from tests.integration.search.conftest import ids

PARKING = {"kind": "project", "id": "olpe-parkplatzsensoren", "title": "Parkplatzsensoren in der Innenstadt",
           "summary": "Sensoren zeigen freie Stellplätze in Olpe an.", "commune": "olpe", "status": "operation"}
OLPE_RENAMED = {"kind": "commune", "id": "olpe", "name": "Olpe am Biggesee", "kreis": "Kreis Olpe",
                "region": "Südwestfalen"}
WINDOWS = {"kind": "project", "id": "soest-fenstersensoren", "title": "Fenstersensoren in Schulen",
           "summary": "Messen die Luftqualität im Klassenzimmer.", "commune": "soest"}


def write(store: CypherGraphStore, *records: dict[str, object], at: str | None = None) -> None:
    parsed: list[Record] = [parse_record(r) for r in records]
    store._write(store.upsert_statements(parsed, now=at))


def expected_documents(store: CypherGraphStore) -> int:
    return sum(store.published_counts().values())


def forbid_rebuild(monkeypatch: pytest.MonkeyPatch, sync: SearchSync) -> None:
    def no_rebuild(docs: object, **_: object) -> int:
        raise AssertionError("the index was rebuilt, not drained")

    monkeypatch.setattr(sync.index, "rebuild", no_rebuild)


def test_a_follower_behind_the_pruned_log_rebuilds_on_drain(store: CypherGraphStore, sync: SearchSync) -> None:
    # given changes this index never applied, then pruned away (only the newest entry is left)
    write(store, PARKING)
    write(store, OLPE_RENAMED)
    write(store, WINDOWS)
    assert store.prune_changes(keep_last=1) > 0
    assert store.oldest_change() == store.last_change() > sync.applied_seq() + 1  # type: ignore[operator]

    # when it drains
    sync.drain()

    # then it rebuilt: the pruned changes are in the index as well as the retained one
    assert sync.applied_seq() == store.last_change()
    assert sync.index.doc_count() == expected_documents(store)
    assert ids(sync.index.search("Parkplatzsensoren"))[0] == "olpe-parkplatzsensoren"
    assert "olpe" in ids(sync.index.search("Biggesee"))
    assert ids(sync.index.search("Fenstersensoren"))[0] == "soest-fenstersensoren"
    assert sync.repair() == "in sync"


def test_repair_rebuilds_when_the_log_was_pruned_past_the_index(store: CypherGraphStore, sync: SearchSync) -> None:
    # given an index that was not running while the log moved on and was pruned by age
    write(store, PARKING)
    in_ten_days = datetime.now(UTC) + timedelta(days=10)
    write(store, OLPE_RENAMED, at=in_ten_days.isoformat(timespec="milliseconds"))
    applied = sync.applied_seq()
    prune_change_log(store, Retention(days=7, max_entries=0), now=in_ten_days)

    # when the app starts
    outcome = sync.repair()

    # then it rebuilt because of the prune, and found what the pruned entry carried
    assert outcome == f"rebuilt (change log pruned past this index: applied {applied}, oldest kept {applied + 2})"  # type: ignore[operator]
    assert ids(sync.index.search("Parkplatzsensoren"))[0] == "olpe-parkplatzsensoren"
    assert "olpe" in ids(sync.index.search("Biggesee"))
    assert sync.index.doc_count() == expected_documents(store)


def test_a_follower_within_the_window_just_drains(
    store: CypherGraphStore, sync: SearchSync, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an index that applied everything up to now, then new changes, then a prune of all
    # entries the index had already applied
    applied = sync.applied_seq()
    assert applied is not None and applied > 1
    write(store, PARKING)
    write(store, OLPE_RENAMED)
    store.prune_changes(keep_last=2)
    assert store.oldest_change() == applied + 1
    forbid_rebuild(monkeypatch, sync)

    # when it drains or repairs
    applied_now = sync.drain()
    outcome = sync.repair()

    # then it applied exactly the retained changes, without a rebuild
    assert applied_now == 2
    assert outcome == "in sync"
    assert ids(sync.index.search("Parkplatzsensoren"))[0] == "olpe-parkplatzsensoren"
    assert "olpe" in ids(sync.index.search("Biggesee"))


def test_a_prune_during_a_rebuild_makes_it_build_again(store: CypherGraphStore, sync: SearchSync) -> None:
    # given a rebuild during which other processes write and prune the log past its start
    documents = sync.builder.all
    builds = []

    def writes_and_prunes_meanwhile() -> Iterator[SearchDocument]:
        builds.append(1)
        if len(builds) == 1:
            write(store, PARKING)
            write(store, WINDOWS)
            store.prune_changes(keep_last=1)
        yield from documents()

    sync.builder.all = writes_and_prunes_meanwhile  # type: ignore[method-assign]

    # when the index is rebuilt
    count = sync.rebuild()

    # then the first build was not trusted to catch up over the gap: a second one saw everything
    assert len(builds) == 2
    assert count == sync.index.doc_count() == expected_documents(store)
    assert ids(sync.index.search("Parkplatzsensoren"))[0] == "olpe-parkplatzsensoren"
    assert sync.applied_seq() == store.last_change()


def test_pruning_stops_at_the_next_batch_once_stopped(store: CypherGraphStore, sync: SearchSync) -> None:
    write(store, PARKING)
    before = store.oldest_change()
    sync.stop()

    with pytest.raises(SyncStopped):
        sync.prune_change_log(Retention(days=7, max_entries=1))

    assert store.oldest_change() == before


def test_the_app_follower_prunes_after_it_drained(store: CypherGraphStore, sync: SearchSync) -> None:
    # given old entries in the log and a new write the follower has not applied yet
    oldest = store.oldest_change()
    write(store, PARKING)

    # when the app's follower runs for a drain or two
    async def follow_briefly() -> None:
        stopping = asyncio.Event()
        follower = asyncio.create_task(follow_change_log(sync, stopping, Retention(days=7, max_entries=1)))
        for _ in range(100):
            await asyncio.sleep(0.1)
            if store.oldest_change() != oldest:
                break
        sync.stop()
        stopping.set()
        await follower

    asyncio.run(follow_briefly())

    # then it applied the write first and then pruned the log to its newest entry
    assert ids(sync.index.search("Parkplatzsensoren"))[0] == "olpe-parkplatzsensoren"
    assert store.oldest_change() == store.last_change() == sync.applied_seq()
