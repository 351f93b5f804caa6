"""Every Cypher statement schule runs, as named constants with ``$parameters``.

The same text runs on FalkorDB and on Neo4j. Labels and relationship types cannot be query
parameters in Cypher, so the few statements that vary by label or type are generated here, once,
from the ``Kind`` and ``Rel`` enums (an allow-list): no user input is ever formatted into a query.
Schema statements differ between the engines and live in the engine modules.
"""

from __future__ import annotations

from schule.domain.model import Kind, Rel

ENTITY = "Entity"

# -- writes ---------------------------------------------------------------------------------------

_UPSERT_NODES = """
UNWIND $rows AS row
MERGE (n:Entity {{id: row.id}})
ON CREATE SET n.created_at = $now
WITH n, row, n.created_at AS created
SET n = row.props
SET n:{label}, n.created_at = created, n.updated_at = $now, n.kind = '{kind}'
"""
UPSERT_NODES: dict[Kind, str] = {k: _UPSERT_NODES.format(label=k.label, kind=k.value) for k in Kind}

_DELETE_OUTGOING = """
MATCH (n:Entity)-[r:{rel}]->()
WHERE n.id IN $ids
DELETE r
"""
DELETE_OUTGOING: dict[Rel, str] = {r: _DELETE_OUTGOING.format(rel=r.value) for r in Rel}

_CREATE_RELS = """
UNWIND $pairs AS pair
MATCH (a:Entity {{id: pair[0]}})
MATCH (b:Entity {{id: pair[1]}})
MERGE (a)-[:{rel}]->(b)
"""
CREATE_RELS: dict[Rel, str] = {r: _CREATE_RELS.format(rel=r.value) for r in Rel}

UPSERT_MEMBERSHIPS = """
UNWIND $rows AS row
MATCH (c:Commune {id: row.commune})
MATCH (n:Network {id: row.network})
MERGE (c)-[m:MEMBER_OF]->(n)
SET m = row.props
"""

# The change log: every write appends one Change per touched entity in the same atomic batch.
# Search indexes (one per app instance) follow it by sequence number. The counter node
# serialises writers on Neo4j (a write lock) and FalkorDB executes writes one at a time anyway.
APPEND_CHANGES = """
MERGE (c:ChangeCounter {name: 'changes'})
WITH c, coalesce(c.value, 0) AS base
SET c.value = base + size($entries)
WITH base
UNWIND range(0, size($entries) - 1) AS i
CREATE (:Change {seq: base + i + 1, kind: $entries[i].kind, id: $entries[i].id, at: $now})
"""

# -- reads ----------------------------------------------------------------------------------------

# A node with its properties and its outgoing references as [type, target kind, target id].
GET_NODES = """
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN properties(n) AS props, [(n)-[r]->(m:Entity) | [type(r), m.kind, m.id]] AS refs
"""

KINDS_OF = """
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id, n.kind AS kind
"""

COUNT_BY_KIND = """
MATCH (n:Entity)
RETURN n.kind AS kind, count(n) AS count
"""

COUNT_MEMBERSHIPS = """
MATCH (:Commune)-[m:MEMBER_OF]->(:Network)
RETURN count(m) AS count
"""

_PAGE_OF_KIND = """
MATCH (n:{label})
WHERE n.state = 'published'
WITH n ORDER BY n.id SKIP $skip LIMIT $limit
RETURN properties(n) AS props, [(n)-[r]->(m:Entity) | [type(r), m.kind, m.id]] AS refs
"""
PAGE_OF_KIND: dict[Kind, str] = {k: _PAGE_OF_KIND.format(label=k.label) for k in Kind}

PAGE_OF_MEMBERSHIPS = """
MATCH (c:Commune)-[m:MEMBER_OF]->(n:Network)
WITH c, m, n ORDER BY c.id, n.id SKIP $skip LIMIT $limit
RETURN c.id AS commune, n.id AS network, properties(m) AS props
"""

_OUTGOING = """
MATCH (a:Entity)-[r:{rel}]->(b:Entity)
WHERE a.id IN $ids
RETURN a.id AS source, b.id AS target, properties(r) AS props
"""
_INCOMING = """
MATCH (a:Entity)<-[r:{rel}]-(b:Entity)
WHERE a.id IN $ids
RETURN a.id AS source, b.id AS target, properties(r) AS props
"""
OUTGOING: dict[Rel, str] = {r: _OUTGOING.format(rel=r.value) for r in Rel}
INCOMING: dict[Rel, str] = {r: _INCOMING.format(rel=r.value) for r in Rel}

_ALL_EDGES = """
MATCH (a:Entity)-[r:{rel}]->(b:Entity)
RETURN a.id AS source, b.id AS target, properties(r) AS props
"""
ALL_EDGES: dict[Rel, str] = {r: _ALL_EDGES.format(rel=r.value) for r in Rel}

CHANGES_SINCE = """
MATCH (c:Change)
WHERE c.seq > $seq
WITH c ORDER BY c.seq LIMIT $limit
RETURN c.seq AS seq, c.kind AS kind, c.id AS id
"""

LAST_CHANGE = """
MATCH (c:ChangeCounter {name: 'changes'})
RETURN c.value AS seq
"""

PING = "RETURN 1 AS ok"
