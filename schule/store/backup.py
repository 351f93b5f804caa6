"""Backup and restore queries of the graph store: every node and relationship, out and back in.

A mixin of ``CypherGraphStore`` (which provides ``_read``), used by ``schule.services.backup``, which
decides what a backup file holds and checks it before a restore writes anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schule.domain.model import Rel
from schule.store import cypher_backup as q
from schule.store.base import Statement

BACKUP_PAGE = 1000
RESTORE_CHUNK = 1000


@dataclass(frozen=True)
class Inventory:
    """What a store holds, counted the way a backup sees it.

    ``nodes`` and ``relationships`` count what a backup writes (by label, by type); ``skipped``
    what it leaves out on purpose; ``unknown`` names label sets and relationships it cannot write
    (a backup refuses rather than silently losing them). Two equal inventories taken before and
    after a backup (with the counters, which every write moves) show that nothing was written
    in between."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    skipped: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


class BackupQueries:
    # provided by CypherGraphStore
    def _read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        raise NotImplementedError

    def node_count(self) -> int:
        """Every node of the graph, ours or not (a restore goes into an empty store only)."""
        rows = self._read(q.NODE_COUNT)
        return int(rows[0]["count"]) if rows else 0

    def inventory(self) -> Inventory:
        nodes = {label: 0 for label in q.NODE_KEYS}
        skipped: dict[str, int] = {}
        unknown: list[str] = []
        for row in self._read(q.NODE_LABEL_COUNTS):
            labels = sorted(row["labels"])
            count = int(row["count"])
            own = [label for label in labels if label != "Entity"]
            entity = "Entity" in labels
            if len(own) == 1 and own[0] in q.NODE_KEYS and entity == (own[0] in q.ENTITY_LABELS):
                nodes[own[0]] += count
            elif labels and labels[0] in q.NOT_BACKED_UP and len(labels) == 1:
                skipped[labels[0]] = skipped.get(labels[0], 0) + count
            else:
                unknown.append(f"{count} Knoten mit den Labels {':'.join(labels) or '(keine)'}")
        relationships = {rel.value: 0 for rel in Rel}
        between_entities = 0
        for row in self._read(q.ENTITY_RELATIONSHIP_COUNTS):
            between_entities += int(row["count"])
            if row["type"] in relationships:
                relationships[row["type"]] += int(row["count"])
            else:
                unknown.append(f"{row['count']} Beziehungen vom Typ {row['type']}")
        total = int(self._read(q.RELATIONSHIP_COUNT)[0]["count"])
        if total != between_entities:
            unknown.append(f"{total - between_entities} Beziehungen, die nicht zwei Einträge verbinden")
        return Inventory(nodes, relationships, skipped, unknown)

    def iter_backup_nodes(self, label: str) -> Iterator[dict[str, Any]]:
        """Every node with ``label`` (an allow-listed label of ``cypher_backup.NODE_KEYS``), all of
        its properties, ordered by its key, page by page."""
        query = q.NODES_PAGE[label]
        skip = 0
        while True:
            rows = self._read(query, {"skip": skip, "limit": BACKUP_PAGE})
            for row in rows:
                yield dict(row["props"] or {})
            if len(rows) < BACKUP_PAGE:
                return
            skip += BACKUP_PAGE

    def relationships_from(self, ids: Sequence[str]) -> list[tuple[str, str, str, dict[str, Any]]]:
        """The outgoing relationships of these entities as (type, source, target, properties),
        sorted by source, type and target."""
        if not ids:
            return []
        rows = self._read(q.RELATIONSHIPS_FROM, {"ids": list(ids)})
        out = [(row["type"], row["source"], row["target"], dict(row["props"] or {})) for row in rows]
        return sorted(out, key=lambda r: (r[1], r[0], r[2]))

    @staticmethod
    def restore_statements(
        nodes: Mapping[str, Sequence[dict[str, Any]]],
        relationships: Mapping[Rel, Sequence[tuple[str, str, dict[str, Any]]]],
    ) -> list[Statement]:
        """The statements that write a checked backup into an empty store, for one atomic ``write``:
        nodes by label (``nodes[label]`` holds property maps with the label's key properties),
        then relationships by type (source id, target id, properties). ``RESTORE_CHUNK`` rows per
        statement, as an import writes them."""
        statements: list[Statement] = []
        for label, keys in q.NODE_KEYS.items():
            rows = [{**{key: props[key] for key in keys}, "props": props} for props in nodes.get(label, ())]
            statements += _chunked(q.RESTORE_NODES[label], rows)
        for rel in Rel:
            rows = [{"source": s, "target": t, "props": p} for s, t, p in relationships.get(rel, ())]
            statements += _chunked(q.RESTORE_RELATIONSHIPS[rel], rows)
        return statements


def _chunked(query: str, rows: list[dict[str, Any]]) -> list[Statement]:
    return [Statement(query, {"rows": rows[i:i + RESTORE_CHUNK]}) for i in range(0, len(rows), RESTORE_CHUNK)]
