"""Shared fixtures: real stores only.

* ``store_settings`` / ``store``: parametrised over the backends. The embedded FalkorDB always;
  Neo4j whenever ``NEO4J_URI`` is set (use a throw-away database: tests wipe it).
* One embedded server per test session in a temporary data dir; every test gets a graph of its
  own on it, so tests are isolated without paying a server start each.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from schule.settings import Settings
from schule.store import CypherGraphStore, open_store
from schule.store.embedded import EmbeddedServer

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "seed"
BACKENDS = ["embedded"] + (["neo4j"] if os.environ.get("NEO4J_URI") else [])
_graph_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def embedded_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = tmp_path_factory.mktemp("embedded")
    server = EmbeddedServer(data_dir)
    server.ensure_running()
    yield data_dir
    server.stop()


def make_settings(backend: str, data_dir: Path, graph: str, **extra: object) -> Settings:
    if backend == "neo4j":
        return Settings(
            data_dir=data_dir,
            store="neo4j",
            graph=graph,
            neo4j_uri=os.environ["NEO4J_URI"],
            neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
            neo4j_password=os.environ.get("NEO4J_PASSWORD", ""),
            neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
            seed_dir=SEED_DIR,
            **extra,  # type: ignore[arg-type]
        )
    return Settings(data_dir=data_dir, store="embedded", graph=graph, seed_dir=SEED_DIR, **extra)  # type: ignore[arg-type]


def wipe(store: CypherGraphStore, graph: str) -> None:
    if store.engine.name == "neo4j":
        store.engine.driver.execute_query("MATCH (n) DETACH DELETE n")  # type: ignore[attr-defined]
    else:
        store.engine.graph.delete()  # type: ignore[attr-defined]


@pytest.fixture(params=BACKENDS)
def store_settings(request: pytest.FixtureRequest, embedded_data_dir: Path, tmp_path: Path) -> Settings:
    """Settings for a fresh, empty graph on the given backend (data dir for indexes is per test)."""
    graph = f"test_{next(_graph_numbers)}"
    if request.param == "embedded":
        return make_settings("embedded", embedded_data_dir, graph)
    return make_settings("neo4j", tmp_path, graph)


@pytest.fixture
def store(store_settings: Settings) -> Iterator[CypherGraphStore]:
    s = open_store(store_settings)
    if s.engine.name == "neo4j":
        wipe(s, store_settings.graph)
        s.setup()
    yield s
    try:
        wipe(s, store_settings.graph)
    finally:
        # The session's embedded server stays up for other tests; only the connection closes.
        if s.engine.name == "neo4j":
            s.close()
        else:
            s.engine.db.connection.connection_pool.disconnect()  # type: ignore[attr-defined]
