"""Every Cypher statement of the knowledge graph, as named constants with ``$parameters``
(the trust layer's statements are in ``cypher_trust.py``).

The same text runs on FalkorDB and on Neo4j. Labels and relationship types cannot be query
parameters in Cypher, so the few statements that vary by label or type are generated here, once,
from the ``Kind`` and ``Rel`` enums (an allow-list): no user input is ever formatted into a query.
Schema statements differ between the engines and live in the engine modules.
"""

from __future__ import annotations

import functools as _functools
import re as _re

from schule.domain.model import Kind, Rel

ENTITY = "Entity"

# -- writes ---------------------------------------------------------------------------------------

# Both labels in the MERGE pattern: adding a label to an existing node with SET is very slow on
# FalkorDB (10k nodes: 17 s instead of 0.6 s). Import validation guarantees that an existing id
# belongs to the same kind, so the pattern always matches the stored node.
_UPSERT_NODES = """
UNWIND $rows AS row
MERGE (n:Entity:{label} {{id: row.id}})
ON CREATE SET n.created_at = $now
WITH n, row, n.created_at AS created
SET n = row.props
SET n.created_at = created, n.updated_at = $now, n.kind = '{kind}'
"""
UPSERT_NODES: dict[Kind, str] = {k: _UPSERT_NODES.format(label=k.label, kind=k.value) for k in Kind}

# Bulk imports: nodes the import found absent when it validated the run are created without a MERGE,
# and their relationships without MERGE's check for an existing one (a new node has none, nor
# anything to delete). Should another writer create one of these ids in between, the unique
# constraint on Entity.id refuses the CREATE and the whole batch is undone: nothing is duplicated.
_CREATE_NODES = """
UNWIND $rows AS row
CREATE (n:Entity:{label})
SET n = row.props
SET n.created_at = $now, n.updated_at = $now, n.kind = '{kind}'
"""
CREATE_NODES: dict[Kind, str] = {k: _CREATE_NODES.format(label=k.label, kind=k.value) for k in Kind}

_CREATE_NEW_RELS = """
UNWIND $pairs AS pair
MATCH (a:Entity {{id: pair[0]}})
MATCH (b:Entity {{id: pair[1]}})
CREATE (a)-[:{rel}]->(b)
"""
CREATE_NEW_RELS: dict[Rel, str] = {r: _CREATE_NEW_RELS.format(rel=r.value) for r in Rel}

# UNWIND + property match lets both engines use the id index (an IN list may scan).
_DELETE_OUTGOING = """
UNWIND $ids AS id
MATCH (n:Entity {{id: id}})-[r:{rel}]->()
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
# The SET reads the counter in its own right-hand side: only that "direct dependency" makes Neo4j
# take the write lock before the read. Read into a WITH first, two concurrent writers could both
# see the same value (read committed) and hand out the same seqs ("lost updates" in Neo4j's docs).
APPEND_CHANGES = """
MERGE (c:ChangeCounter {name: 'changes'})
SET c.value = coalesce(c.value, 0) + size($entries)
WITH c.value - size($entries) AS base
UNWIND range(0, size($entries) - 1) AS i
CREATE (:Change {seq: base + i + 1, kind: $entries[i].kind, id: $entries[i].id, at: $now})
"""

# Every write batch runs once, even when an engine sends it again: FalkorDB's engine after a lost
# connection (the server may have applied the batch before the reply was lost), Neo4j's managed
# transactions after a transient error at commit. Each batch carries an operation id of its own and
# writes an Operation marker with it in the same atomic unit; a batch whose marker exists is skipped.
# Neo4j checks in the transaction (these two statements); FalkorDB, whose batch is one query, puts
# the same check in front of it (``falkordb.OPERATION_GUARD``). Markers are only needed while an
# engine may still retry (seconds); ``prune_operations`` deletes old ones with the change log.
OPERATION_DONE = """
MATCH (o:Operation {id: $op})
RETURN count(o) AS done
"""

RECORD_OPERATION = """
CREATE (:Operation {id: $op, at: $at})
"""

COUNT_OPERATIONS_BEFORE = """
MATCH (o:Operation)
WHERE o.at < $before
RETURN count(o) AS count
"""

DELETE_OPERATIONS_BEFORE = """
MATCH (o:Operation)
WHERE o.at < $before
WITH o ORDER BY o.at LIMIT $limit
DELETE o
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

COUNT_PUBLISHED_BY_KIND = """
MATCH (n:Entity)
WHERE n.state = 'published'
RETURN n.kind AS kind, count(n) AS count
"""

COUNT_MEMBERSHIPS = """
MATCH (:Commune)-[m:MEMBER_OF]->(:Network)
RETURN count(m) AS count
"""

# Whole kinds page by key (the last id of the previous page), not by SKIP: a SKIP page sorts and skips
# everything before it, so reading a kind was quadratic (150,000 lessons: 300 pages, the last ones
# ~240 ms each; by key ~45 ms, found through the label's id index on both engines).
_PAGE_OF_KIND = """
MATCH (n:{label})
WHERE n.state = 'published' AND n.id > $after
WITH n ORDER BY n.id LIMIT $limit
RETURN properties(n) AS props, [(n)-[r]->(m:Entity) | [type(r), m.kind, m.id]] AS refs
"""
PAGE_OF_KIND: dict[Kind, str] = {k: _PAGE_OF_KIND.format(label=k.label) for k in Kind}

PAGE_OF_MEMBERSHIPS = """
MATCH (c:Commune)-[m:MEMBER_OF]->(n:Network)
WITH c, m, n ORDER BY c.id, n.id SKIP $skip LIMIT $limit
RETURN c.id AS commune, n.id AS network, properties(m) AS props
"""

# Export: published records with their references to published records only, so that an export
# never names a record it leaves out (schule/services/exporting.py says what is dropped and why).
_EXPORT_PAGE_OF_KIND = """
MATCH (n:{label})
WHERE n.state = 'published' AND n.id > $after
WITH n ORDER BY n.id LIMIT $limit
RETURN properties(n) AS props,
       [(n)-[r]->(m:Entity) WHERE m.state = 'published' | [type(r), m.kind, m.id]] AS refs
"""
EXPORT_PAGE_OF_KIND: dict[Kind, str] = {k: _EXPORT_PAGE_OF_KIND.format(label=k.label) for k in Kind}

EXPORT_PAGE_OF_MEMBERSHIPS = """
MATCH (c:Commune)-[m:MEMBER_OF]->(n:Network)
WHERE c.state = 'published' AND n.state = 'published'
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

# -- change-log retention (schule/services/change_log.py decides the horizon) ----------------------
# Pruning deletes a prefix of the log: every entry up to a cut-off seq, in windows of seq numbers
# (one bounded write per window, found through the Change.seq index on both engines). The counter
# node is never touched, so LAST_CHANGE (and the next seq handed out) never goes backwards.

OLDEST_CHANGE = """
MATCH (c:Change)
RETURN min(c.seq) AS seq
"""

# The first entry still inside an age horizon; everything before it may go. No index on `at`: this
# scans the (retained) log once per prune. `at` is an ISO-8601 UTC text of one fixed format
# (rows.now_iso), so text order is time order.
FIRST_CHANGE_SINCE = """
MATCH (c:Change)
WHERE c.at >= $at
RETURN min(c.seq) AS seq
"""

COUNT_CHANGES_UP_TO = """
MATCH (c:Change)
WHERE c.seq <= $seq
RETURN count(c) AS count
"""

DELETE_CHANGES_BETWEEN = """
MATCH (c:Change)
WHERE c.seq >= $low AND c.seq <= $high
DELETE c
"""

LAST_CHANGE = """
MATCH (c:ChangeCounter {name: 'changes'})
RETURN c.value AS seq
"""

PING = "RETURN 1 AS ok"

# -- filtered, sorted pages (GraphQL connections) -------------------------------------------------
# One query text per kind and sort key. Every filter is a $parameter that is either null (no
# restriction) or a value; sort keys come from the allow-list LIST_SORTS (fixed ORDER BY texts).
# Only published entities are listed. Dates are strings (YYYY, YYYY-MM or YYYY-MM-DD), so ranges
# compare lexicographically: '2021' < '2021-05' < '2021-05-03' < '2022'.
# FalkorDB cannot evaluate pattern comprehensions inside WHERE ("Unable to resolve filtered
# alias"), so related ids are first projected in a WITH, and only when their filter is set (CASE).
# Every pattern comprehension in one WITH needs its own variable names: FalkorDB returns empty
# lists for a second comprehension that reuses one (seen with two `(c:Commune)`).


def _related(param: str, pattern: str, alias: str) -> str:
    return f"CASE WHEN ${param} IS NULL THEN null ELSE [{pattern}] END AS {alias}"


_FIELDS_WITH_SUBFIELDS = _related(
    "handlungsfelder", "(n)-[:IN_FIELD]->(:Handlungsfeld)-[:SUBFIELD_OF*0..]->(h:Handlungsfeld) | h.id", "fields"
)
_NETWORK_ROLE = (
    "any(ms IN memberships WHERE ms[0] = $network AND ($network_roles IS NULL OR ms[1] IN $network_roles))"
)

# Per kind: (derived columns, predicates). Both may refer to n and to the filter parameters.
LIST_FILTERS: dict[Kind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Kind.PROJECT: (
        (
            _related("communes", "(n)-[:LOCATED_IN]->(c1:Commune) | c1.id", "communes"),
            _related("kreise", "(n)-[:LOCATED_IN]->(c2:Commune) | c2.kreis", "kreise"),
            _related("regions", "(n)-[:LOCATED_IN]->(c3:Commune) | c3.region", "regions"),
            _FIELDS_WITH_SUBFIELDS,
            _related("network", "(n)-[:LOCATED_IN]->(:Commune)-[m:MEMBER_OF]->(w:Network) | [w.id, m.role]",
                     "memberships"),
        ),
        (
            "($status IS NULL OR n.status IN $status)",
            "($tags IS NULL OR any(t IN coalesce(n.tags, []) WHERE t IN $tags))",
            "($started_from IS NULL OR n.started >= $started_from)",
            "($started_to IS NULL OR n.started <= $started_to)",
            "($ended_from IS NULL OR n.ended >= $ended_from)",
            "($ended_to IS NULL OR n.ended <= $ended_to)",
            "($communes IS NULL OR any(x IN communes WHERE x IN $communes))",
            "($kreise IS NULL OR any(x IN kreise WHERE x IN $kreise))",
            "($regions IS NULL OR any(x IN regions WHERE x IN $regions))",
            "($handlungsfelder IS NULL OR any(x IN fields WHERE x IN $handlungsfelder))",
            f"($network IS NULL OR {_NETWORK_ROLE})",
        ),
    ),
    Kind.COMMUNE: (
        (_related("network", "(n)-[m:MEMBER_OF]->(w:Network) | [w.id, m.role]", "memberships"),),
        (
            "($name_contains IS NULL OR toLower(n.name) CONTAINS toLower($name_contains))",
            "($kreise IS NULL OR n.kreis IN $kreise)",
            "($regions IS NULL OR n.region IN $regions)",
            f"($network IS NULL OR {_NETWORK_ROLE})",
        ),
    ),
    Kind.PERSON: (
        (
            _related("communes", "(n)-[:WORKS_FOR]->(c:Commune) | c.id", "communes"),
            _related("organisations", "(n)-[:WORKS_FOR]->(o:Organisation) | o.id", "organisations"),
        ),
        (
            "($communes IS NULL OR any(x IN communes WHERE x IN $communes))",
            "($organisations IS NULL OR any(x IN organisations WHERE x IN $organisations))",
        ),
    ),
    Kind.LESSON: (
        (
            _related("projects", "(n)-[:LEARNED_IN]->(p:Project) | p.id", "projects"),
            _related("authors", "(n)-[:AUTHORED_BY]->(a:Person) | a.id", "authors"),
            _related("communes", "(n)-[:LEARNED_IN]->(:Project)-[:LOCATED_IN]->(c:Commune) | c.id", "communes"),
            _FIELDS_WITH_SUBFIELDS,
        ),
        (
            "($types IS NULL OR n.type IN $types)",
            "($projects IS NULL OR any(x IN projects WHERE x IN $projects))",
            "($authors IS NULL OR any(x IN authors WHERE x IN $authors))",
            "($communes IS NULL OR any(x IN communes WHERE x IN $communes))",
            "($handlungsfelder IS NULL OR any(x IN fields WHERE x IN $handlungsfelder))",
        ),
    ),
    Kind.HANDLUNGSFELD: (
        (
            _related("parents", "(n)-[:SUBFIELD_OF]->(p:Handlungsfeld) | p.id", "parents"),
            "CASE WHEN $roots_only = true THEN [(n)-[:SUBFIELD_OF]->(q:Handlungsfeld) | q.id] ELSE [] END"
            " AS own_parents",
        ),
        (
            "($parents IS NULL OR any(x IN parents WHERE x IN $parents))",
            "size(own_parents) = 0",
        ),
    ),
    Kind.NETWORK: (
        (_related("communes", "(n)<-[:MEMBER_OF]-(c:Commune) | c.id", "communes"),),
        ("($communes IS NULL OR any(x IN communes WHERE x IN $communes))",),
    ),
    Kind.EVENT: (
        (_related("organisers", "(n)-[:ORGANISED_BY]->(o:Entity) | o.id", "organisers"),),
        (
            "($date_from IS NULL OR n.date >= $date_from)",
            "($date_to IS NULL OR n.date <= $date_to)",
            "($organisers IS NULL OR any(x IN organisers WHERE x IN $organisers))",
        ),
    ),
    Kind.ORGANISATION: ((), ("($types IS NULL OR n.type IN $types)",)),
    Kind.ADAPTATION: (
        (
            _related("adopts", "(n)-[:ADOPTS]->(p:Project) | p.id", "adopted"),
            _related("communes", "(n)-[:ADOPTED_IN]->(c:Commune) | c.id", "communes"),
        ),
        (
            "($statuses IS NULL OR n.status IN $statuses)",
            "($adopts IS NULL OR any(x IN adopted WHERE x IN $adopts))",
            "($communes IS NULL OR any(x IN communes WHERE x IN $communes))",
        ),
    ),
}

# Seeds: when a filter is set, the query starts from the few nodes it names (an index lookup or a
# small label scan) and walks to the candidates, instead of computing pattern comprehensions for
# every entity of the kind (at 10,000 projects: ~15 ms instead of ~500 ms for Kreis + Handlungsfeld).
# A seed for $p replaces the predicate "($p IS NULL OR …)" and must select exactly the same rows.
# Active seeds are chained in this order (most selective first); "{n}" is "n:Label" in the first.
LIST_SEEDS: dict[Kind, tuple[tuple[str, str], ...]] = {
    Kind.PROJECT: (
        ("communes", "MATCH (sc:Commune) WHERE sc.id IN $communes\nMATCH ({n})-[:LOCATED_IN]->(sc)\n"),
        ("handlungsfelder", "MATCH (sh:Handlungsfeld) WHERE sh.id IN $handlungsfelder\n"
                            "MATCH ({n})-[:IN_FIELD]->(:Handlungsfeld)-[:SUBFIELD_OF*0..]->(sh)\n"),
        ("network", "MATCH (sw:Network) WHERE sw.id = $network\n"
                    "MATCH ({n})-[:LOCATED_IN]->(:Commune)-[sm:MEMBER_OF]->(sw)\n"
                    "WHERE $network_roles IS NULL OR sm.role IN $network_roles\n"),
        ("kreise", "MATCH (sk:Commune) WHERE sk.kreis IN $kreise\nMATCH ({n})-[:LOCATED_IN]->(sk)\n"),
        ("regions", "MATCH (sr:Commune) WHERE sr.region IN $regions\nMATCH ({n})-[:LOCATED_IN]->(sr)\n"),
    ),
}


def _params_in(text: str) -> set[str]:
    return set(_re.findall(r"\$([a-z_]+)", text))


def _alias_of(derived: str) -> str:
    return derived.rsplit(" AS ", 1)[1].strip()


def _filter_clause(kind: Kind, active: frozenset[str] | None = None) -> str:
    """The MATCH/WHERE of a list query. With ``active`` (the filter parameters that are set),
    only the predicates and derived columns those filters need are included: FalkorDB evaluates
    every pattern comprehension of a WITH for every row, even under a CASE that discards it,
    so leaving unused ones out is what keeps an unfiltered list of 10,000 projects fast.
    Predicates without parameters (e.g. ``roots_only``'s) always stay."""
    derived, predicates = LIST_FILTERS[kind]
    seeds = [(name, text) for name, text in LIST_SEEDS.get(kind, ()) if active is not None and name in active]
    if active is not None:
        predicates = tuple(p for p in predicates if not _params_in(p) or _params_in(p) & active)
        predicates = tuple(p for p in predicates if not any(p.startswith(f"(${name} IS NULL OR") for name, _ in seeds))
        used = " ".join(predicates)
        derived = tuple(d for d in derived if _re.search(rf"\b{_alias_of(d)}\b", used))
    # one iteration variable per predicate: FalkorDB confuses equal names in one clause
    predicates = tuple(_re.sub(r"\bx\b", f"x{i}", p) for i, p in enumerate(predicates))
    head = f"MATCH (n:{kind.label})\nWHERE n.state = 'published'\n"
    if seeds:
        # The state is read through a projection: FalkorDB would otherwise test a plain
        # `WHERE n.state` before the DISTINCT, on every walked row (100,000 projects in one region:
        # 200,000 reads of nodes in no useful order, ~100 ms) instead of once per project.
        head = "".join(text.format(n=f"n:{kind.label}" if i == 0 else "n") + "WITH DISTINCT n\n"
                       for i, (_, text) in enumerate(seeds))
        head += "WITH n, n.state AS n_state\nWHERE n_state = 'published'\n"
    if not predicates:
        return head
    columns = "".join(f",\n     {d}" for d in derived)
    where = "\n  AND ".join(predicates)
    return f"{head}WITH n{columns}\nWHERE {where}\n"


# The filter parameters each kind's list query takes (null = no filter).
LIST_PARAMS: dict[Kind, tuple[str, ...]] = {
    kind: tuple(sorted(_params_in(_filter_clause(kind)))) for kind in LIST_FILTERS
}

_BY_NAME = {"name_asc": "toLower(n.name), n.id", "name_desc": "toLower(n.name) DESC, n.id"}
_BY_TITLE = {"title_asc": "toLower(n.title), n.id", "title_desc": "toLower(n.title) DESC, n.id"}
_BY_UPDATED = {"updated_desc": "n.updated_at DESC, n.id"}
LIST_SORTS: dict[Kind, dict[str, str]] = {
    Kind.PROJECT: {
        **_BY_TITLE, **_BY_UPDATED,
        "started_desc": "coalesce(n.started, '') DESC, n.id",
        "started_asc": "coalesce(n.started, '9999') ASC, n.id",
        "adoptions_desc": "adoptions DESC, toLower(n.title), n.id",
    },
    Kind.COMMUNE: {**_BY_NAME, **_BY_UPDATED, "population_desc": "coalesce(n.population, -1) DESC, n.id"},
    Kind.PERSON: {**_BY_NAME, **_BY_UPDATED},
    Kind.LESSON: {**_BY_TITLE, **_BY_UPDATED},
    Kind.HANDLUNGSFELD: {**_BY_NAME, **_BY_UPDATED},
    Kind.NETWORK: {**_BY_NAME, **_BY_UPDATED},
    Kind.EVENT: {
        **_BY_TITLE, **_BY_UPDATED,
        "date_desc": "n.date DESC, n.id",
        "date_asc": "n.date ASC, n.id",
    },
    Kind.ORGANISATION: {**_BY_NAME, **_BY_UPDATED},
    Kind.ADAPTATION: {
        **_BY_UPDATED,
        "started_desc": "coalesce(n.started, '') DESC, n.id",
    },
}


# Sort keys that order by a computed value: (its expression, its alias, a relationship type whose
# in-degree 0 means the value is 0). The column is projected in a WITH of its own before the ORDER BY
# (FalkorDB cannot evaluate a pattern comprehension inside ORDER BY: "Unable to locate a value with
# alias"). A pattern comprehension costs FalkorDB ~60 µs a row even when it finds nothing (10,000
# projects: ~600 ms), so an unfiltered page splits the rows with the O(1) `indegree()` (Neo4j's
# engine writes it as a COUNT subquery, see schule/store/neo4j.py): only the few projects that have
# adaptations are counted (10,000 projects, 1,000 adopted: ~80 ms). A filtered page counts its
# candidates only, after they are collected.
LIST_SORT_COLUMNS: dict[Kind, dict[str, tuple[str, str, str]]] = {
    Kind.PROJECT: {
        # The communes with a published adaptation record, each once: `Project.adoptionSummary.communes`.
        # reduce() keeps distinct ids (neither backend has DISTINCT inside a list comprehension).
        "adoptions_desc": (
            "size(reduce(seen = [], ac IN [(n)<-[:ADOPTS]-(aa:Adaptation)-[:ADOPTED_IN]->(ak:Commune)"
            " WHERE aa.state = 'published' | ak.id] | CASE WHEN ac IN seen THEN seen ELSE seen + ac END))",
            "adoptions",
            "ADOPTS",
        ),
    },
}


def _sorted_page(kind: Kind, sort: str, carried: str) -> str:
    """``WITH <carried> ORDER BY … SKIP $skip LIMIT $limit`` for the allow-listed ``sort`` key,
    after the WITH of its computed column if it has one."""
    order = LIST_SORTS[kind][sort]
    column = LIST_SORT_COLUMNS.get(kind, {}).get(sort)
    if column is None:
        return f"WITH {carried} ORDER BY {order} SKIP $skip LIMIT $limit\n"
    expression, alias, _ = column
    return (f"WITH {carried}, {expression} AS {alias}\n"
            f"WITH {carried}, {alias} ORDER BY {order} SKIP $skip LIMIT $limit\n")


_RETURN_PAGE = "RETURN properties(n) AS props, [(n)-[r]->(m:Entity) | [type(r), m.kind, m.id]] AS refs\n"


@_functools.lru_cache(maxsize=1024)
def list_page_query(kind: Kind, sort: str, active: frozenset[str]) -> str:
    """A page of ``kind`` for the allow-listed ``sort`` key and the set of active filters."""
    column = LIST_SORT_COLUMNS.get(kind, {}).get(sort)
    if column is None:
        return _filter_clause(kind, active) + _sorted_page(kind, sort, "n") + _RETURN_PAGE
    expression, alias, rel = column
    rows = _filter_clause(kind, active)
    return (
        "CALL {\n"
        f"{rows}WITH n WHERE indegree(n, '{rel}') > 0\n"
        f"WITH n, {expression} AS {alias}\n"
        f"RETURN n, {alias}\n"
        "UNION ALL\n"
        f"{rows}WITH n WHERE indegree(n, '{rel}') = 0\n"
        f"RETURN n, 0 AS {alias}\n"
        "}\n"
        f"WITH n, {alias} ORDER BY {LIST_SORTS[kind][sort]} SKIP $skip LIMIT $limit\n"
        + _RETURN_PAGE
    )


@_functools.lru_cache(maxsize=1024)
def list_count_query(kind: Kind, active: frozenset[str]) -> str:
    return _filter_clause(kind, active) + "RETURN count(n) AS count\n"


# A page and the number of all matching rows in one query. Finding the candidates (the seeds' walks,
# DISTINCT, the predicates) is most of a filtered list's work (GRAPH.PROFILE at 10,000 projects,
# Kreis + Handlungsfeld: ~85 % before the sort); a separate count query did all of it again. Here the
# candidates are collected once, counted, and unwound for the sort (which keeps its LIMIT, so
# FalkorDB still sorts with a bounded heap): ~15 % more than the page alone, instead of ~90 %.
# A page past the end has no rows and so no total (the store counts apart then).
@_functools.lru_cache(maxsize=1024)
def list_counted_query(kind: Kind, sort: str, active: frozenset[str]) -> str:
    return (
        _filter_clause(kind, active)
        + "WITH collect(n) AS matching\n"
        + "WITH matching, size(matching) AS total\n"
        + "UNWIND matching AS n\n"
        + _sorted_page(kind, sort, "total, n")
        + "RETURN total, properties(n) AS props, [(n)-[r]->(m:Entity) | [type(r), m.kind, m.id]] AS refs\n"
    )

# -- knowledge transfer (schule/store/project_facts.py) -------------------------------------------
# The scalars of every published project, for the in-memory facts of peers, recommendations and
# coverage (schule/services/transfer/facts.py); its edges come from ALL_EDGES, one query per relation
# (pattern comprehensions for 10,000 projects cost FalkorDB ~1 s; these reads ~0.1 s each).
PUBLISHED_PROJECT_FACTS = """
MATCH (p:Project)
WHERE p.state = 'published'
RETURN p.id AS id, p.title AS title, p.status AS status, p.started AS started, p.ended AS ended,
       p.tags AS tags, p.updated_at AS updated_at
"""
