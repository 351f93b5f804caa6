"""Per-request DataLoaders: every batch of lookups in one execution step is one store round trip.

The store is blocking, so each batch runs in the thread pool. Only published entities are
shown: drafts and rejected entries are treated as absent everywhere in the API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from schule.domain.model import Entity, Kind, Rel, ReviewState
from schule.store.base import Edge
from schule.store.graph import CypherGraphStore

RunBlocking = Callable[..., Awaitable[Any]]


class Loaders:
    """``run_blocking`` runs a store call off the event loop (default: Starlette's thread pool).

    Tests that count round trips may pass a runner that calls inline: thread results arriving in
    different event-loop ticks can split one level's loads into two batches, which makes counts
    vary by one or two from run to run (never with list length).
    """

    def __init__(self, store: CypherGraphStore, run_blocking: RunBlocking = run_in_threadpool) -> None:
        self.store = store
        self.run = run_blocking
        self.entity: DataLoader[str, Entity | None] = DataLoader(load_fn=self._load_entities)
        self._edges: dict[tuple[Rel, bool], DataLoader[str, list[Edge]]] = {}
        self._parents: asyncio.Future[dict[str, str]] | None = None

    async def _load_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        found = await self.run(self.store.get, list(ids))
        out: list[Entity | None] = []
        for i in ids:
            entity = found.get(i)
            out.append(entity if entity is not None and entity.state == ReviewState.PUBLISHED else None)
        return out

    def edges(self, rel: Rel, *, incoming: bool = False) -> DataLoader[str, list[Edge]]:
        """``rel`` edges leaving (or entering) a node; ``Edge.target`` is the node at the other end."""
        key = (rel, incoming)
        if key not in self._edges:

            async def load(ids: Sequence[str]) -> list[list[Edge]]:
                edges = await self.run(self.store.neighbours, rel, list(ids), incoming=incoming)
                by_source: dict[str, list[Edge]] = {i: [] for i in ids}
                for edge in edges:
                    by_source[edge.source].append(edge)
                return [sorted(by_source[i], key=lambda e: e.target) for i in ids]

            self._edges[key] = DataLoader(load_fn=load)
        return self._edges[key]

    async def entities(self, ids: Sequence[str], kind: Kind | None = None) -> list[Entity]:
        """The published entities with these ids (of ``kind``, if given), in the given order."""
        loaded = await self.entity.load_many(list(dict.fromkeys(ids)))
        return [e for e in loaded if e is not None and (kind is None or e.kind == kind)]

    async def related(
        self, rel: Rel, ids: Sequence[str], *, incoming: bool = False, kind: Kind | None = None
    ) -> list[Entity]:
        """Entities at the other end of ``rel`` edges from any of ``ids``."""
        per_id = await self.edges(rel, incoming=incoming).load_many(list(ids))
        targets = sorted({edge.target for edges in per_id for edge in edges})
        return await self.entities(targets, kind)

    async def subfield_parents(self) -> dict[str, str]:
        """The Handlungsfeld tree as child -> parent (a small relation: loaded once per request)."""
        if self._parents is None:
            self._parents = asyncio.ensure_future(self._load_parents())
        return await self._parents

    async def _load_parents(self) -> dict[str, str]:
        edges = await self.run(self.store.all_edges, Rel.SUBFIELD_OF)
        return {e.source: e.target for e in edges}

    async def with_subfields(self, field_id: str) -> list[str]:
        """``field_id`` and all Handlungsfelder below it."""
        parents = await self.subfield_parents()
        children: dict[str, list[str]] = {}
        for child, parent in parents.items():
            children.setdefault(parent, []).append(child)
        out, todo = [], [field_id]
        while todo:
            node = todo.pop()
            if node in out:
                continue
            out.append(node)
            todo.extend(children.get(node, []))
        return out
