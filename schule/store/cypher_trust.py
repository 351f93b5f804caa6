"""Cypher of the trust layer: accounts, tokens, versions, revisions, the audit log, review and merges.

Same rules as ``cypher.py``: named constants with ``$parameters``; relationship types that vary come
from the ``Rel`` enum. Accounts, tokens, versions, revisions and audit entries are not ``:Entity``
nodes, so they never reach export, search or counts.
"""

from __future__ import annotations

from schule.domain.model import Rel

# Accounts, tokens, versions and audit entries are not :Entity nodes: they never reach export,
# search or counts. Their ids and token hashes are ours; no user input is formatted into a query.

CREATE_ACCOUNT = """
MERGE (a:Account {name: $name})
ON CREATE SET a.id = $id, a.role = $role, a.person = $person, a.commune = $commune,
              a.status = 'active', a.created_at = $now, a.password_hash = $password_hash
"""

ACCOUNTS_BY_NAME = """
MATCH (a:Account)
WHERE a.name IN $names
RETURN properties(a) AS account
"""

ACCOUNTS_BY_ID = """
MATCH (a:Account)
WHERE a.id IN $ids
RETURN properties(a) AS account
"""

LIST_ACCOUNTS = """
MATCH (a:Account)
RETURN properties(a) AS account
ORDER BY a.name
"""

SET_ACCOUNT_HASH = """
MATCH (a:Account {id: $id})
SET a.password_hash = $password_hash
"""

REVOKE_ACCOUNT = """
MATCH (a:Account {id: $id})
SET a.status = 'revoked', a.revoked_at = $now
"""

REVOKE_TOKENS_OF = """
MATCH (t:Token)
WHERE t.account = $account AND t.revoked_at IS NULL
SET t.revoked_at = $now
"""

# Sign every browser of an account out (a password change or reset), except ``$keep`` (the session
# of whoever changed their own password; null keeps none). API tokens stay: they are not passwords.
REVOKE_SESSIONS_OF = """
MATCH (t:Token)
WHERE t.account = $account AND t.kind = 'session' AND t.revoked_at IS NULL AND ($keep IS NULL OR t.hash <> $keep)
SET t.revoked_at = $now
"""

CREATE_CREDENTIAL = """
CREATE (:Token {hash: $hash, account: $account, kind: $kind, created_at: $now, expires_at: $expires_at})
"""

REVOKE_CREDENTIAL = """
MATCH (t:Token {hash: $hash})
SET t.revoked_at = coalesce(t.revoked_at, $now)
"""

CREDENTIAL_WITH_ACCOUNT = """
MATCH (t:Token {hash: $hash})
MATCH (a:Account {id: t.account})
RETURN properties(t) AS token, properties(a) AS account
"""

# Versions number themselves per entity inside the write batch that makes the change.
APPEND_VERSION = """
OPTIONAL MATCH (v:Version {entity: $entity})
WITH count(v) AS n
CREATE (:Version {entity: $entity, kind: $kind, number: n + 1, at: $now, action: $action, state: $state,
                  author: $author, author_name: $author_name, author_role: $author_role,
                  author_commune: $author_commune, changes: $changes, note: $note})
"""

VERSIONS_OF = """
MATCH (v:Version)
WHERE v.entity IN $ids
RETURN properties(v) AS version
ORDER BY v.entity, v.number
"""

# The history of each asked id: its own versions and those of every entry merged into it (their
# tombstones point at it; a merge re-points older tombstones, so one hop finds them all), oldest first.
# Versions are never rewritten by a merge: each keeps its entity and number.
HISTORIES = """
UNWIND $ids AS asked
OPTIONAL MATCH (m:Entity {merged_into: asked})
WITH asked, [asked] + collect(m.id) AS owners
UNWIND owners AS owner
MATCH (v:Version {entity: owner})
RETURN asked, properties(v) AS version
ORDER BY asked, v.at, v.entity, v.number
"""

# The audit log is append-only: there is no statement that updates or deletes an AuditEntry.
APPEND_AUDIT = """
MERGE (c:AuditCounter {name: 'audit'})
WITH c, coalesce(c.value, 0) AS base
SET c.value = base + 1
CREATE (:AuditEntry {seq: base + 1, at: $now, action: $action, actor: $actor, actor_name: $actor_name,
                     actor_role: $actor_role, target: $target, target_kind: $target_kind, reason: $reason,
                     details: $details})
"""

AUDIT_PAGE = """
MATCH (e:AuditEntry)
WHERE ($target IS NULL OR e.target = $target) AND ($actor IS NULL OR e.actor = $actor)
WITH e ORDER BY e.seq DESC SKIP $skip LIMIT $limit
RETURN properties(e) AS entry
"""

AUDIT_COUNT = """
MATCH (e:AuditEntry)
WHERE ($target IS NULL OR e.target = $target) AND ($actor IS NULL OR e.actor = $actor)
RETURN count(e) AS count
"""

SET_REVIEW_STATE = """
MATCH (n:Entity {id: $id})
SET n.state = $state, n.review_note = $note, n.updated_at = $now
"""

# Freshness (schule/services/freshness.py): confirming an entry sets only the date it was last
# confirmed true; it changes no text, so it is no revision and keeps the state.
CONFIRM_ENTRY = """
MATCH (n:Entity {id: $id})
SET n.last_confirmed = $date, n.updated_at = $now
"""

# Published projects and lessons not confirmed since $cutoff (a date; dates compare as text, so a
# month '2025-11' counts as its first day), oldest first; with $commune only those of that commune (a
# project's own communes, a lesson's project's). Comprehensions in WITH, not WHERE, for FalkorDB.
_STALE = """
MATCH (n:Entity)
WHERE n.state = 'published' AND n.kind IN ['project', 'lesson'] AND coalesce(n.last_confirmed, '') < $cutoff
WITH n, CASE WHEN $commune IS NULL THEN [] ELSE
     [(n)-[:LOCATED_IN]->(c1:Commune) | c1.id] + [(n)-[:LEARNED_IN]->(:Project)-[:LOCATED_IN]->(c2:Commune) | c2.id]
     END AS owners
WHERE $commune IS NULL OR $commune IN owners
"""
STALE_ENTRIES = _STALE + """WITH n ORDER BY coalesce(n.last_confirmed, ''), n.id SKIP $skip LIMIT $limit
RETURN properties(n) AS props, [(n)-[r]->(m:Entity) | [type(r), m.kind, m.id]] AS refs
"""
STALE_ENTRIES_COUNT = _STALE + "RETURN count(n) AS count\n"

# A member's change to a published entry: a Revision node beside the entry (found by its `entity`
# property, like versions), never a change of the entry's node. Ids are ours (`rev-` + random hex),
# so MERGE makes a retried batch write it once.
SAVE_REVISION = """
MERGE (r:Revision {id: $id})
ON CREATE SET r.entity = $entity, r.kind = $kind, r.created_at = $now, r.author = $author,
              r.author_name = $author_name, r.author_role = $author_role, r.author_commune = $author_commune
SET r.state = $state, r.changes = $changes, r.updated_at = $now, r.note = null
"""

DECIDE_REVISION = """
MATCH (r:Revision {id: $id})
SET r.state = $state, r.note = $note, r.updated_at = $now, r.decided_at = $now, r.decided_by = $by,
    r.decided_by_name = $by_name
"""

REVISIONS_OF = """
UNWIND $ids AS entity
MATCH (r:Revision {entity: entity})
RETURN properties(r) AS revision
ORDER BY r.created_at DESC, r.id
"""

# The review queue: submitted entries, and published ones with a pending revision (since when it
# was proposed). Members' revisions of entries no longer published are left out.
REVIEW_QUEUE = """
OPTIONAL MATCH (p:Revision {state: 'pending'})
WITH collect(DISTINCT p.entity) AS revised
MATCH (n:Entity)
WHERE (n.state = 'submitted' OR (n.state = 'published' AND n.id IN revised))
  AND ($kinds IS NULL OR n.kind IN $kinds)
OPTIONAL MATCH (r:Revision {entity: n.id, state: 'pending'})
WITH n, min(r.created_at) AS proposed
WITH n, coalesce(proposed, n.updated_at) AS since
ORDER BY since, n.id SKIP $skip LIMIT $limit
RETURN properties(n) AS props, [(n)-[x]->(m:Entity) | [type(x), m.kind, m.id]] AS refs
"""

REVIEW_QUEUE_COUNT = """
OPTIONAL MATCH (p:Revision {state: 'pending'})
WITH collect(DISTINCT p.entity) AS revised
MATCH (n:Entity)
WHERE (n.state = 'submitted' OR (n.state = 'published' AND n.id IN revised))
  AND ($kinds IS NULL OR n.kind IN $kinds)
RETURN count(n) AS count
"""

# An account's entries: those it created, and those it proposed revisions of (last touched first).
# Merged entries stay in the list (state 'merged', ``merged_into``): the member sees where theirs went.
ENTRIES_OF_ACCOUNT = """
OPTIONAL MATCH (p:Revision {author: $account})
WITH collect(DISTINCT p.entity) AS revised
MATCH (n:Entity)
WHERE n.created_by = $account OR n.id IN revised
OPTIONAL MATCH (r:Revision {author: $account, entity: n.id})
WITH n, max(r.updated_at) AS proposed
WITH n, CASE WHEN proposed IS NOT NULL AND proposed > n.updated_at THEN proposed ELSE n.updated_at END AS touched
ORDER BY touched DESC, n.id SKIP $skip LIMIT $limit
RETURN properties(n) AS props, [(n)-[x]->(m:Entity) | [type(x), m.kind, m.id]] AS refs
"""

MERGE_TARGETS = """
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id, n.merged_into AS merged_into
"""

NEIGHBOUR_IDS = """
MATCH (n:Entity {id: $id})--(m:Entity)
RETURN DISTINCT m.id AS id, m.kind AS kind
"""

# A merge moves every relationship of the duplicate ($old) to the survivor ($new); an edge the
# survivor already has keeps its own properties. Self-loops (old <-> new) are dropped.
_MOVE_OUTGOING = """
MATCH (old:Entity {{id: $old}})-[r:{rel}]->(t:Entity)
WHERE t.id <> $new
MATCH (new:Entity {{id: $new}})
MERGE (new)-[r2:{rel}]->(t)
ON CREATE SET r2 = properties(r)
"""
_MOVE_INCOMING = """
MATCH (old:Entity {{id: $old}})<-[r:{rel}]-(s:Entity)
WHERE s.id <> $new
MATCH (new:Entity {{id: $new}})
MERGE (s)-[r2:{rel}]->(new)
ON CREATE SET r2 = properties(r)
"""
MOVE_OUTGOING: dict[Rel, str] = {r: _MOVE_OUTGOING.format(rel=r.value) for r in Rel}
MOVE_INCOMING: dict[Rel, str] = {r: _MOVE_INCOMING.format(rel=r.value) for r in Rel}

DROP_RELATIONSHIPS = """
MATCH (old:Entity {id: $old})-[r]-()
DELETE r
"""

# The duplicate stays as a tombstone (state 'merged', merged_into the survivor), so its id keeps
# resolving and can never be reused; earlier duplicates merged into it now point at the survivor.
TOMBSTONE = """
MATCH (old:Entity {id: $old})
SET old.state = 'merged', old.merged_into = $new, old.updated_at = $now
"""

# The survivor's source names the duplicate's source too (``schule.services.merge``).
SET_SOURCE = """
MATCH (n:Entity {id: $id})
SET n.source = $source, n.updated_at = $now
"""

REPOINT_MERGED = """
MATCH (o:Entity {merged_into: $old})
SET o.merged_into = $new
"""
