"""Seeding: load the curated seed data in ``seed/`` (idempotent: seeding twice is an update)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from schule import file_lock
from schule.errors import StoreError
from schule.services.importing import ImportResult, Progress, import_files, seed_files
from schule.store.graph import CypherGraphStore


def seed(store: CypherGraphStore, seed_dir: Path, progress: Progress | None = None) -> ImportResult:
    return import_files(store, seed_files(seed_dir), progress)


def seed_if_empty(store: CypherGraphStore, seed_dir: Path, lock_file: Path | None = None) -> ImportResult | None:
    """Seed a store that holds no entity at all; leave any other store alone.

    Several processes start on one empty store at once (``schule serve --workers N``): with
    ``lock_file`` (in the data dir they share) they seed one after the other, and the later ones
    find the store seeded. Processes that share no data dir (several hosts on one Neo4j) race: the
    import is one transaction, so the losers' imports fail whole on the unique ids; a loser that
    then finds the store seeded carries on."""
    with _locked(lock_file):
        if any(store.counts().values()):
            return None
        try:
            return seed(store, seed_dir)
        except StoreError:
            if any(store.counts().values()):
                return None  # another process seeded it meanwhile
            raise


def _locked(lock_file: Path | None) -> AbstractContextManager[None]:
    if lock_file is None:
        return nullcontext()
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    return file_lock.exclusive(lock_file)
