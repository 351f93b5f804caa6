"""Seeding an empty store when several server processes start on it at once (``serve --workers N``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from schule.services.importing import ImportResult
from schule.services.seeding import seed_if_empty
from schule.settings import Settings
from schule.store import CypherGraphStore, open_store
from tests.conftest import SEED_DIR


def _at_once(store_settings: Settings, call: Callable[[CypherGraphStore], ImportResult | None],
             processes: int = 3) -> list[ImportResult | None | BaseException]:
    """``call`` from ``processes`` threads, each with a store connection of its own, released together."""
    stores = [open_store(store_settings) for _ in range(processes)]
    start = threading.Barrier(processes)
    outcomes: list[ImportResult | None | BaseException] = [None] * processes

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = call(stores[i])
        except BaseException as e:  # noqa: BLE001 - reported by the test
            outcomes[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(processes)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    finally:
        for s in stores:
            s.close()
    return outcomes


def test_processes_sharing_a_data_dir_seed_one_after_the_other(
        store: CypherGraphStore, store_settings: Settings, tmp_path: Path) -> None:
    # given an empty store and three processes that start on it at the same moment
    lock = tmp_path / "seed.lock"

    outcomes = _at_once(store_settings, lambda s: seed_if_empty(s, SEED_DIR, lock))

    # then one seeds, the others find it seeded and carry on, and the seed is there once
    seeded = [o for o in outcomes if isinstance(o, ImportResult)]
    assert len(seeded) == 1 and outcomes.count(None) == 2, outcomes
    assert store.counts()["commune"] >= 83
    assert seed_if_empty(store, SEED_DIR, lock) is None


def test_processes_without_a_shared_lock_all_start(
        store: CypherGraphStore, store_settings: Settings) -> None:
    # given processes that share no data dir (several hosts on one Neo4j): no lock between them
    outcomes = _at_once(store_settings, lambda s: seed_if_empty(s, SEED_DIR))

    # then none fails: whoever loses the race finds the store seeded by another
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert any(isinstance(o, ImportResult) for o in outcomes)
    assert store.counts()["commune"] >= 83
