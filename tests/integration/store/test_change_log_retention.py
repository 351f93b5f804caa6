"""Change-log retention in the store: old entries go in bounded batches, the sequence never goes back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from schule.domain.records import parse_record
from schule.services.change_log import Retention, prune_change_log
from schule.store import CypherGraphStore
from schule.store.base import Statement

LONG_AGO = "2020-01-01T00:00:00.000+00:00"
LAST_WEEK = "2024-04-24T12:00:00.000+00:00"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # LAST_WEEK is 7 days before


def commune(n: int) -> dict[str, str]:
    return {"kind": "commune", "id": f"gemeinde-{n}", "name": f"Gemeinde {n}"}


def write_at(store: CypherGraphStore, at: str, first: int, count: int) -> None:
    """``count`` communes written as one write at time ``at``: one change entry each."""
    records = [parse_record(commune(n)) for n in range(first, first + count)]
    store._write(store.upsert_statements(records, now=at))


def seqs(store: CypherGraphStore) -> list[int]:
    return [c.seq for c in store.changes_since(0, limit=100_000)]


def test_pruning_by_age_keeps_newer_entries_and_the_counter(store: CypherGraphStore) -> None:
    # given 5 entries from long ago and 3 from within the week
    write_at(store, LONG_AGO, 0, 5)
    write_at(store, "2024-04-30T08:00:00.000+00:00", 5, 3)

    # when the log is pruned to 7 days
    result = prune_change_log(store, Retention(days=7, max_entries=0), now=NOW)

    # then the old entries are gone, the new ones and the counter stay
    assert result.deleted == 5
    assert seqs(store) == [6, 7, 8]
    assert (result.oldest, result.last) == (6, 8)
    assert store.oldest_change() == 6 and store.last_change() == 8


def test_pruning_everything_keeps_the_newest_entry_and_the_sequence_continues(store: CypherGraphStore) -> None:
    # given a log in which every entry is older than the horizon
    write_at(store, LONG_AGO, 0, 4)

    # when it is pruned
    deleted = store.prune_changes(before=LAST_WEEK)

    # then the newest entry stays, so the counter and the log agree, and new writes continue it
    assert deleted == 3
    assert seqs(store) == [4]
    assert store.last_change() == 4
    write_at(store, LAST_WEEK, 10, 1)
    assert seqs(store) == [4, 5]


def test_the_counter_keeps_the_sequence_when_the_log_is_empty(store: CypherGraphStore) -> None:
    # given a log whose entries are all gone (by hand: pruning itself always keeps the newest)
    write_at(store, LONG_AGO, 0, 3)
    store._write([Statement("MATCH (c:Change) DELETE c", {})])

    # then the sequence does not go back, and pruning an empty log is a no-op
    assert store.oldest_change() is None
    assert store.last_change() == 3
    assert store.prune_changes(before=LAST_WEEK, keep_last=1) == 0
    write_at(store, LAST_WEEK, 10, 1)
    assert seqs(store) == [4]


def test_pruning_by_count_keeps_the_newest_n(store: CypherGraphStore) -> None:
    write_at(store, LAST_WEEK, 0, 10)

    deleted = store.prune_changes(keep_last=4)

    assert deleted == 6
    assert seqs(store) == [7, 8, 9, 10]
    assert store.prune_changes(keep_last=0) == 3  # 0 keeps the newest all the same
    assert seqs(store) == [10]


def test_age_and_count_together_cut_at_whichever_reaches_further(store: CypherGraphStore) -> None:
    write_at(store, LONG_AGO, 0, 2)
    write_at(store, "2024-04-30T08:00:00.000+00:00", 2, 6)

    assert store.prune_changes(before=LAST_WEEK, keep_last=100) == 2  # age reaches further
    assert store.prune_changes(before=LAST_WEEK, keep_last=3) == 3  # count reaches further
    assert seqs(store) == [6, 7, 8]


def test_pruning_in_batches_deletes_everything_old(
    store: CypherGraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a log much longer than one batch, and a record of every write the engine runs
    write_at(store, LONG_AGO, 0, 1000)
    write_at(store, LONG_AGO, 1000, 1000)
    write_at(store, "2024-04-30T08:00:00.000+00:00", 2000, 7)
    writes: list[list[Statement]] = []
    engine_write = store.engine.write

    def recorded(statements: Sequence[Statement]) -> None:
        writes.append(list(statements))
        engine_write(statements)

    monkeypatch.setattr(store.engine, "write", recorded)
    checkpoints: list[int] = []

    # when it is pruned 300 entries at a time
    deleted = store.prune_changes(before=LAST_WEEK, batch=300, checkpoint=lambda: checkpoints.append(len(writes)))

    # then every old entry is gone, in ceil(2000 / 300) = 7 writes of one bounded statement each
    assert deleted == 2000
    assert seqs(store) == list(range(2001, 2008))
    assert [len(w) for w in writes] == [1] * 7
    windows = [(w[0].params["low"], w[0].params["high"]) for w in writes]
    assert windows[0] == (1, 300) and windows[-1] == (1801, 2000)
    assert all(high - low < 300 for low, high in windows)
    assert checkpoints == list(range(7))  # asked before every batch


def test_a_pruned_log_still_serves_changes_since(store: CypherGraphStore) -> None:
    write_at(store, LONG_AGO, 0, 5)
    write_at(store, LAST_WEEK, 5, 2)
    store.prune_changes(before="2024-01-01T00:00:00.000+00:00")

    assert [c.seq for c in store.changes_since(2)] == [6, 7]
    assert [c.id for c in store.changes_since(6)] == ["gemeinde-6"]



def operation_markers(store: CypherGraphStore) -> list[str]:
    return [r["id"] for r in store._read("MATCH (o:Operation) RETURN o.id AS id ORDER BY o.at")]


def test_write_batch_markers_go_with_the_log_a_day_after_their_write(store: CypherGraphStore) -> None:
    # given three write batches, each with the marker that makes a resend of it a no-op
    for first in (0, 2, 4):
        write_at(store, LONG_AGO, first, 2)
    markers = operation_markers(store)
    assert len(markers) == 3
    # when the log is pruned now: the markers stay (an engine may still resend those batches)
    prune_change_log(store, Retention(days=7, max_entries=0), now=datetime.now(UTC))
    assert set(markers) <= set(operation_markers(store))
    # when it is pruned two days later: those markers are gone
    prune_change_log(store, Retention(days=7, max_entries=0), now=datetime.now(UTC) + timedelta(days=2), batch=2)
    assert not set(markers) & set(operation_markers(store))
