"""Cypher of backup and restore (``schule backup`` / ``schule restore``): every node and relationship
with all its properties, out of one store and into another, empty one (either engine).

Same rules as ``cypher.py``: named constants with ``$parameters``. Labels and relationship types
cannot be parameters, so the statements that vary by them are generated here, once, from the
allow-lists ``NODE_KEYS`` (labels) and ``Rel`` (types).
"""

from __future__ import annotations

from schule.domain.model import Kind, Rel

# Per label: the properties that identify a node of it. Restore MERGEs on them (idempotent: Neo4j
# may retry a transaction); backups list nodes in their order. Entities carry :Entity as well.
ENTITY_LABELS: dict[str, Kind] = {k.label: k for k in Kind}
NODE_KEYS: dict[str, tuple[str, ...]] = {
    **{label: ("id",) for label in ENTITY_LABELS},
    "Account": ("name",),  # unique, a constraint on Neo4j (ids are unique too)
    "Token": ("hash",),  # API tokens and web sessions, as SHA-256 of the secret
    "Version": ("entity", "number"),
    "AuditEntry": ("seq",),
    "AuditCounter": ("name",),
    "ChangeCounter": ("name",),
}
# Nodes a backup leaves out on purpose: the change log's entries (see schule/services/backup.py) and
# the markers of applied write batches (they only guard a resend of the same batch, for a day; a
# restore is its own batch with its own marker).
NOT_BACKED_UP = ("Change", "Operation")

# -- what is there (counted before and after a backup, to notice writes in between) ----------------

NODE_LABEL_COUNTS = """
MATCH (n)
RETURN labels(n) AS labels, count(n) AS count
"""

ENTITY_RELATIONSHIP_COUNTS = """
MATCH (:Entity)-[r]->(:Entity)
RETURN type(r) AS type, count(r) AS count
"""

RELATIONSHIP_COUNT = """
MATCH ()-[r]->()
RETURN count(r) AS count
"""

NODE_COUNT = """
MATCH (n)
RETURN count(n) AS count
"""

# -- backup ---------------------------------------------------------------------------------------

_NODES_PAGE = """
MATCH (n:{label})
WITH n ORDER BY {order} SKIP $skip LIMIT $limit
RETURN properties(n) AS props, labels(n) AS labels
"""
NODES_PAGE: dict[str, str] = {
    label: _NODES_PAGE.format(label=label, order=", ".join(f"n.{key}" for key in keys))
    for label, keys in NODE_KEYS.items()
}

# The outgoing relationships of a page of entities (found through the id index, so the whole backup
# reads each relationship once, instead of sorting all of them for every page).
RELATIONSHIPS_FROM = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props
"""

# -- restore --------------------------------------------------------------------------------------

_RESTORE_NODES = """
UNWIND $rows AS row
MERGE (n:{labels} {{{key}}})
SET n = row.props
"""
RESTORE_NODES: dict[str, str] = {
    label: _RESTORE_NODES.format(
        labels=f"Entity:{label}" if label in ENTITY_LABELS else label,
        key=", ".join(f"{key}: row.{key}" for key in keys),
    )
    for label, keys in NODE_KEYS.items()
}

_RESTORE_RELATIONSHIPS = """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.source}})
MATCH (b:Entity {{id: row.target}})
MERGE (a)-[r:{rel}]->(b)
SET r = row.props
"""
RESTORE_RELATIONSHIPS: dict[Rel, str] = {r: _RESTORE_RELATIONSHIPS.format(rel=r.value) for r in Rel}
