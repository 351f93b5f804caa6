"""The store seam: the ``GraphStore`` protocol and the small engine interface beneath it.

``GraphStore`` is what services use: domain objects in, domain objects out. One implementation,
``schule.store.graph.CypherGraphStore``, runs the shared Cypher of ``cypher.py`` on an ``Engine``;
an engine is FalkorDB (embedded default) or Neo4j and hides only driver and schema differences.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from schule.domain.model import Entity, Kind, Membership, Rel
from schule.domain.records import Record


@dataclass(frozen=True)
class Statement:
    query: str
    params: dict[str, Any]


class Engine(Protocol):
    """A Cypher-speaking database connection."""

    name: str
    # Rows per statement of a large write (``CypherGraphStore.upsert_statements``).
    write_chunk: int

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a read-only query; rows as dicts keyed by the RETURN aliases."""

    def write(self, statements: Sequence[Statement]) -> None:
        """Run the statements as one atomic, durable unit (acknowledged means stored)."""

    def setup_schema(self) -> None:
        """Create unique-id constraints and indexes; idempotent."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Edge:
    """A relationship seen from ``source``: the neighbour's id and the edge's properties."""

    source: str
    target: str
    props: dict[str, Any]


@dataclass(frozen=True)
class Change:
    seq: int
    kind: str
    id: str


class GraphStore(Protocol):
    """The knowledge graph. Methods take and return our own ids and domain objects."""

    def setup(self) -> None:
        """Prepare constraints and indexes (idempotent; runs at start)."""

    def upsert(self, records: Sequence[Record]) -> None:
        """Write validated records atomically: nodes, their owned relationships, memberships,
        and one change-log entry per entity. Re-writing a record replaces it (an update)."""

    def get(self, ids: Sequence[str]) -> dict[str, Entity]:
        """The entities with these ids (any kind); missing ids are absent from the result."""

    def kinds_of(self, ids: Sequence[str]) -> dict[str, Kind]: ...

    def neighbours(self, rel: Rel, ids: Sequence[str], *, incoming: bool = False) -> list[Edge]:
        """All ``rel`` edges leaving (or, with ``incoming``, entering) the given nodes."""

    def all_edges(self, rel: Rel) -> list[Edge]:
        """Every ``rel`` edge; for small relations such as the Handlungsfeld tree."""

    def counts(self) -> dict[str, int]:
        """Number of entities per kind, plus ``membership``."""

    def iter_entities(self, kind: Kind) -> Iterator[Entity]:
        """Every published entity of a kind, sorted by id."""

    def iter_export(self) -> Iterator[dict[str, Any]]:
        """Every published record in the import format, kind by kind, sorted by id; references to
        unpublished entries are dropped, records that need one are left out (see ``exporting``)."""

    def published_counts(self) -> dict[str, int]:
        """Number of published entities per kind."""

    def memberships(self) -> list[Membership]: ...

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        """Change-log entries after ``seq``, oldest first. Seqs are handed out without gaps, so a
        missing number means the entry was pruned (see ``prune_changes``)."""

    def last_change(self) -> int:
        """The newest seq handed out (0 for none); kept by a counter node, never lowered by pruning."""

    def oldest_change(self) -> int | None:
        """The seq of the oldest retained change-log entry; None if the log is empty."""

    def prune_changes(self, *, before: str | None = None, keep_last: int | None = None, batch: int = ...,
                      checkpoint: Callable[[], None] | None = None) -> int:
        """Delete the oldest change-log entries (older than ``before``, beyond the newest
        ``keep_last``) in bounded batches, always keeping the newest; returns how many."""

    def ping(self) -> bool: ...

    def close(self) -> None: ...

    def list_page(self, kind: Kind, filters: dict[str, Any], sort: str, skip: int, limit: int) -> list[Entity]:
        """A page of published entities of ``kind``: filtered, sorted (an allow-listed key of
        ``cypher.LIST_SORTS``) and sliced in the database."""

    def count_matching(self, kind: Kind, filters: dict[str, Any]) -> int:
        """How many published entities of ``kind`` match ``filters``."""

    def list_page_counted(
        self, kind: Kind, filters: dict[str, Any], sort: str, skip: int, limit: int
    ) -> tuple[list[Entity], int | None]:
        """``list_page`` together with ``count_matching`` where one query can answer both cheaply;
        the count is None where it would cost a query of its own (the caller counts if it needs to)."""


class TrustStore(GraphStore, Protocol):
    """What moderation adds to the store (``CypherGraphStore`` implements it): accounts, tokens,
    versions, the append-only audit log, review queues and merges. These nodes (``Account``,
    ``Token``, ``Version``, ``AuditEntry``) are not ``Entity`` nodes: never exported or indexed.
    Methods named ``*_statements`` build statements for one atomic ``write`` together with the
    change they belong to."""

    def write(self, statements: Sequence[Statement]) -> None:
        """Run statements as one atomic, durable unit."""

    def get_resolved(self, ids: Sequence[str]) -> dict[str, Entity]:
        """Like ``get``, but an id merged away yields its survivor (keyed by the id asked for)."""

    def resolve_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """For each existing id: the id it resolves to (itself, or the survivor of a merge)."""

    def review_queue(self, kinds: Sequence[str] | None, skip: int, limit: int) -> list[Entity]:
        """Submitted entities, oldest submission first."""

    def review_queue_count(self, kinds: Sequence[str] | None = None) -> int: ...

    def versions_of(self, ids: Sequence[str]) -> list[Any]:
        """``schule.domain.trust.Version`` values written for these ids, per entity oldest first."""

    def histories(self, ids: Sequence[str]) -> dict[str, list[Any]]:
        """Per id: its versions and those of the entries merged into it, oldest first."""

    def audit_page(self, *, target: str | None = None, actor: str | None = None, skip: int = 0,
                   limit: int = 50) -> list[Any]:
        """``schule.domain.trust.AuditEntry`` values, newest first."""
