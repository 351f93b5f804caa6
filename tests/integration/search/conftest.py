"""Shared by the search-sync tests: a seeded store with an index that follows it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schule.services.search_sync import SearchSync
from schule.services.seeding import seed
from schule.store import CypherGraphStore
from tests.conftest import SEED_DIR


@pytest.fixture
def sync(store: CypherGraphStore, tmp_path: Path) -> Iterator[SearchSync]:
    seed(store, SEED_DIR)
    s = SearchSync(store, tmp_path / "search")
    s.repair()
    yield s
    s.close()


def ids(results: object) -> list[str]:
    """The ids of a result page's hits, best first."""
    return [h.id for h in results.hits]  # type: ignore[attr-defined]
