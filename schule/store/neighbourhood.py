"""Entities and their neighbours in one query: what the GraphQL loaders ask for in one execution step.

``get_with_neighbours(store, ids, wanted)`` does in one round trip what ``store.get(ids)`` and one
``store.neighbours(rel, …)`` per ``wanted`` relation would do in several, and also returns the
entities at the other end of those edges (their properties and references come with the edge). A
project's detail (the project, then its lessons, adaptations, contacts and communes, then the
lessons' authors) takes three round trips instead of six.

The query is a ``UNION ALL`` of one part per relation and direction, generated from the ``Rel``
enum (an allow-list) like the rest of ``cypher.py``; ids are always parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from schule.domain.model import Entity, Rel
from schule.store.base import Edge
from schule.store.rows import entity_from_row

if TYPE_CHECKING:
    from schule.store.graph import CypherGraphStore

# (relationship, incoming): the edges ``neighbours(rel, ids, incoming=…)`` returns.
Direction = tuple[Rel, bool]

_REFS = "[(n)-[r]->(m:Entity) | [type(r), m.kind, m.id]] AS refs"
_NODES = f"""MATCH (n:Entity)
WHERE n.id IN $ids
RETURN 0 AS part, null AS source, null AS edge, properties(n) AS props, {_REFS}"""
_NEIGHBOURS = """MATCH (a:Entity){arrow}(n:Entity)
WHERE a.id IN ${param}
RETURN {part} AS part, a.id AS source, properties(e) AS edge, properties(n) AS props, {refs}"""
_ARROWS = {False: "-[e:{rel}]->", True: "<-[e:{rel}]-"}


@functools.lru_cache(maxsize=256)
def neighbourhood_query(with_ids: bool, directions: tuple[Direction, ...]) -> str:
    """Rows of ``part`` 0: the nodes with ``$ids`` (if ``with_ids``); of ``part`` i: the edges of
    ``directions[i - 1]`` from the nodes in ``$n<i>``, with the node at the other end."""
    parts = [_NODES] if with_ids else []
    for i, (rel, incoming) in enumerate(directions, start=1):
        arrow = _ARROWS[incoming].format(rel=Rel(rel).value)
        parts.append(_NEIGHBOURS.format(arrow=arrow, param=f"n{i}", part=i, refs=_REFS))
    return "\nUNION ALL\n".join(parts) + "\n"


def get_with_neighbours(
    store: CypherGraphStore, ids: Sequence[str], wanted: Mapping[Direction, Sequence[str]]
) -> tuple[dict[str, Entity], dict[Direction, list[Edge]]]:
    """``store.get(ids)`` and ``store.neighbours(rel, wanted[(rel, incoming)], incoming=incoming)``
    for every entry of ``wanted``, in one round trip. The entities are keyed by id: those with
    ``ids`` (missing ones absent, as in ``get``) and every entity at the other end of an edge."""
    ids = list(dict.fromkeys(ids))
    directions = tuple(sorted(((Rel(rel), incoming) for (rel, incoming), of in wanted.items() if of),
                              key=lambda d: (d[0].value, d[1])))
    edges: dict[Direction, list[Edge]] = {(Rel(rel), incoming): [] for rel, incoming in wanted}
    if not directions:
        return store.get(ids), edges
    params: dict[str, object] = {f"n{i}": list(dict.fromkeys(wanted[d])) for i, d in enumerate(directions, start=1)}
    if ids:
        params["ids"] = ids
    rows = store._read(neighbourhood_query(bool(ids), directions), params)
    entities: dict[str, Entity] = {}
    for row in rows:
        entity = entities.get(row["props"]["id"])
        if entity is None:
            entity = entities[row["props"]["id"]] = entity_from_row(row["props"], row["refs"])
        part = int(row["part"])
        if part:
            edges[directions[part - 1]].append(Edge(row["source"], entity.id, dict(row["edge"] or {})))
    return entities, edges
