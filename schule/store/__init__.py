"""The graph store: ``open_store(settings)`` gives a ready ``GraphStore`` for the configured engine."""

from __future__ import annotations

from schule.settings import Settings
from schule.store.base import Change, Edge, GraphStore, Statement
from schule.store.graph import CypherGraphStore

__all__ = ["open_store", "GraphStore", "CypherGraphStore", "Change", "Edge", "Statement"]


def open_store(settings: Settings) -> CypherGraphStore:
    """Connect to (and for ``embedded``, start) the store and make sure its schema exists."""
    if settings.store == "neo4j":
        from schule.store.neo4j import Neo4jEngine

        assert settings.neo4j_uri is not None
        engine = Neo4jEngine(
            settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
        )
    else:
        from schule.store.embedded import EmbeddedServer
        from schule.store.falkordb import FalkorEngine

        engine = FalkorEngine(EmbeddedServer(settings.data_dir), settings.graph)  # type: ignore[assignment]
    store = CypherGraphStore(engine)
    store.setup()
    return store
