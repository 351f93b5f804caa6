"""Seeding: load the curated seed data in ``seed/`` (idempotent: seeding twice is an update)."""

from __future__ import annotations

from pathlib import Path

from schule.services.importing import ImportResult, Progress, import_files, seed_files
from schule.store.graph import CypherGraphStore


def seed(store: CypherGraphStore, seed_dir: Path, progress: Progress | None = None) -> ImportResult:
    return import_files(store, seed_files(seed_dir), progress)


def seed_if_empty(store: CypherGraphStore, seed_dir: Path) -> ImportResult | None:
    """Seed a store that holds no entity at all; leave any other store alone."""
    if any(store.counts().values()):
        return None
    return seed(store, seed_dir)
