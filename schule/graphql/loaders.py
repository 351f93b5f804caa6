"""Per-request DataLoaders: the lookups of one execution step are one store round trip.

Entity lookups (``entity``) and edge lookups (``edges(rel, incoming=…)``) that their DataLoaders
dispatch in the same step are collected and sent together, as one query
(``schule.store.neighbourhood.get_with_neighbours``), which also returns the entities at the other
end of the edges: those are primed into ``entity``, so resolving them costs no further round trip.
Step by step, a project's detail (the project; its lessons, adaptations, contacts and communes; the
lessons' authors) would take three round trips, each a hop to a worker thread; its root field reads
them ahead in one worker-thread call instead (``read_around``, planned by ``lookahead.py``).

What an entity loader returns is what ``access.visible`` allows this request's identity (the
loaders apply ``access.screen``, the same rules, to what the combined query returns): published
entries for everyone, unpublished ones only for their authors and moderators (to everyone else
they are absent, so another commune's draft looks exactly like an id that does not exist), an id
merged away yields its survivor, and people's e-mail and phone are redacted unless the caller may
see them. The loaders are built per request for one identity, so a cache never crosses callers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard, TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from schule.auth.identity import ANONYMOUS, Identity
from schule.domain.model import Entity, Kind, Rel
from schule.domain.trust import Revision
from schule.graphql.sharing import Shared, SharedLoader
from schule.services import access, history
from schule.services.history import ShownVersion
from schule.store.base import Edge
from schule.store.graph import CypherGraphStore
from schule.store.neighbourhood import Direction, get_with_neighbours

RunBlocking = Callable[..., Awaitable[Any]]
Found = tuple[dict[str, Entity], dict[Direction, list[Edge]]]
# What a field of a node reads around it: the edges it follows, and what the fields of the nodes at
# their other ends read in turn (e.g. a project's lessons and each lesson's author).
Plan = dict[Direction, "Plan"]
Around = dict[Direction, dict[str, list[Edge]]]  # edges read around nodes, by direction and source


async def run_in_thread(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Runs one store call in a worker thread: the event loop stays free meanwhile."""
    return await run_in_threadpool(fn, *args, **kwargs)


async def run_inline(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Runs a store call on the event loop. For tests that count round trips, never for serving."""
    return fn(*args, **kwargs)


@dataclass
class _Step:
    """The entity and edge lookups dispatched in one execution step, and their shared result."""

    result: asyncio.Future[Found]
    ids: list[str] = field(default_factory=list)
    wanted: dict[Direction, list[str]] = field(default_factory=dict)
    waiting: Shared[Found] = field(init=False)

    def __post_init__(self) -> None:
        self.waiting = Shared(self.result)


_T = TypeVar("_T")


def _answered(future: asyncio.Future[_T] | None) -> TypeGuard[asyncio.Future[_T]]:
    """Whether a loader's cached future holds an answer one can take without waiting."""
    return future is not None and future.done() and not future.cancelled() and future.exception() is None


class Loaders:
    """Per-request DataLoaders over the store. ``run_blocking`` runs one batched store call.

    The default runs it in a worker thread, one hop per execution step (the step's lookups are one
    round trip). Calls used to run inline, on the event loop, because a batch is an index lookup of
    well under a millisecond and the thread hop cost more CPU (bench/graphql: a detail request
    9.7 -> 6.8 ms when a request made ~23 hops; +1.2 ms with one hop per step). But a query that
    makes many large steps then held the event loop for seconds: ``/healthz`` and every other
    request waited, and the request timeout could not fire until the loop was free (29 aliases
    of a nested list froze the server for ~10 s). A network round trip to Neo4j would make each
    inline call slower still. In a thread, the loop keeps serving, and cancelling a request
    (its timeout) stops it at its next ``await``: a call already running in a thread finishes,
    and nothing of that request issues another one (the steps after it never start). The price,
    measured with bench/graphql at 10k projects: 4.9 -> 6.0 ms CPU per detail request.
    """

    def __init__(
        self, store: CypherGraphStore, run_blocking: RunBlocking = run_in_thread, *, identity: Identity = ANONYMOUS
    ) -> None:
        self.store = store
        self.run = run_blocking
        self.identity = identity
        self.entity: DataLoader[str, Entity | None] = SharedLoader(load_fn=self._load_entities)
        self._edges: dict[tuple[Rel, bool], DataLoader[str, list[Edge]]] = {}
        self._parents: Shared[dict[str, str]] | None = None
        self.versions: DataLoader[str, list[ShownVersion]] = SharedLoader(load_fn=self._load_versions)
        self.revisions: DataLoader[str, list[Revision]] = SharedLoader(load_fn=self._load_revisions)
        self._step: _Step | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def _load_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        found, _ = await self._lookup(ids)
        return [found.get(i) for i in ids]

    def _lookup(self, ids: Sequence[str], direction: Direction | None = None) -> asyncio.Future[Found]:
        """Adds entity ids (or, with ``direction``, edge sources) to this step's round trip.

        DataLoaders run their batch functions for one execution step in the same turn of the
        event loop; the round trip is sent in the next turn, so it holds all of them. Each batch
        waits on a future of its own (``Shared``): one cancelled batch leaves the others theirs."""
        step = self._step
        if step is None or step.result.done():  # done before sending: every waiter was cancelled
            loop = asyncio.get_running_loop()
            step = self._step = _Step(loop.create_future())
            loop.call_soon(self._send, step)
        if direction is None:
            step.ids.extend(ids)
        else:
            step.wanted.setdefault(direction, []).extend(ids)
        return step.waiting.waiter()

    def _send(self, step: _Step) -> None:
        self._step = None
        task = asyncio.ensure_future(self._round_trip(step))
        self._sending.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._sending.discard)

    async def _round_trip(self, step: _Step) -> None:
        if step.result.done():
            return  # a batch waiting for it was cancelled (the request timed out): no call
        try:
            found, edges = await self.run(self._visible_with_neighbours, step.ids, step.wanted)
        except BaseException as e:
            if not step.result.done():
                step.result.set_exception(e)
            if isinstance(e, asyncio.CancelledError):
                raise
            return
        # the entities at the other end, as the entity loader would return them (None: not visible)
        self.entity.prime_many({edge.target: found.get(edge.target) for es in edges.values() for edge in es})
        if not step.result.done():
            step.result.set_result((found, edges))

    def _visible_with_neighbours(self, ids: list[str], wanted: dict[Direction, list[str]]) -> Found:
        found, edges = get_with_neighbours(self.store, ids, wanted)
        return access.screen(self.store, self.identity, found), edges

    async def _load_versions(self, ids: Sequence[str]) -> list[list[ShownVersion]]:
        """Versions of entries the caller was already allowed to load (the field sits on them), as
        this caller may see them (``history.shown_versions``: the public sees published ones only)."""
        shown = await self.run(self._shown_versions, list(ids))
        return [shown.get(i, []) for i in ids]

    def _shown_versions(self, ids: list[str]) -> dict[str, list[ShownVersion]]:
        entities = self.store.get(ids)
        return history.shown_versions(self.store, self.identity, entities, self.store.histories(list(entities)))

    async def _load_revisions(self, ids: Sequence[str]) -> list[list[Revision]]:
        """Revisions of entries, newest first; the resolver screens them for the caller."""
        found = await self.run(self.store.revisions_of, list(ids))
        by_entity: dict[str, list[Revision]] = {i: [] for i in ids}
        for r in found:
            by_entity.setdefault(r.entity, []).append(r)
        return [by_entity[i] for i in ids]

    def edges(self, rel: Rel, *, incoming: bool = False) -> DataLoader[str, list[Edge]]:
        """``rel`` edges leaving (or entering) a node; ``Edge.target`` is the node at the other end."""
        key = (rel, incoming)
        if key not in self._edges:

            async def load(ids: Sequence[str]) -> list[list[Edge]]:
                _, edges = await self._lookup(ids, key)
                by_source: dict[str, list[Edge]] = {i: [] for i in ids}
                for edge in edges.get(key, []):
                    if edge.source in by_source:  # another batch of this step may have asked too
                        by_source[edge.source].append(edge)
                return [sorted(by_source[i], key=lambda e: e.target) for i in ids]

            self._edges[key] = SharedLoader(load_fn=load)
        return self._edges[key]

    async def entities(self, ids: Sequence[str], kind: Kind | None = None) -> list[Entity]:
        """The entities with these ids the caller may see (of ``kind``, if given), in the given order;
        two ids that resolve to one survivor of a merge yield it once."""
        loaded = await self.entity.load_many(list(dict.fromkeys(ids)))
        seen: set[str] = set()
        out = []
        for e in loaded:
            if e is not None and (kind is None or e.kind == kind) and e.id not in seen:
                seen.add(e.id)
                out.append(e)
        return out

    def cached(self, ids: Sequence[str], kind: Kind | None = None) -> list[Entity] | None:
        """``entities(ids, kind)`` without waiting, if every id is already loaded (or primed) in this
        request; else None. A resolver that can answer from it returns a plain list, which
        graphql-core completes without a task, a gather and a future per item (the list page's
        links: ``Project.communes``, ``Project.handlungsfelder``)."""
        loaded: list[Entity | None] = []
        for i in dict.fromkeys(ids):
            future = self.entity.cache_map.get(i)
            if not _answered(future):
                return None
            loaded.append(future.result())
        seen: set[str] = set()
        out = []
        for e in loaded:
            if e is not None and (kind is None or e.kind == kind) and e.id not in seen:
                seen.add(e.id)
                out.append(e)
        return out

    def cached_edges(self, rel: Rel, key: str, *, incoming: bool = False) -> list[Edge] | None:
        """``edges(rel, incoming).load(key)`` without waiting, if this request has loaded (or
        ``read_around`` primed) them; else None."""
        loader = self._edges.get((rel, incoming))
        future = None if loader is None else loader.cache_map.get(key)
        if not _answered(future):
            return None
        edges: list[Edge] = future.result()
        return edges

    def cached_related(self, rel: Rel, key: str, *, incoming: bool = False, kind: Kind | None = None,
                       ) -> list[Entity] | None:
        """``related(rel, [key], incoming, kind)`` without waiting, if the edges and every entity at
        their other end are loaded (or primed) in this request; else None (see ``cached``)."""
        edges = self.cached_edges(rel, key, incoming=incoming)
        if edges is None:
            return None
        return self.cached(sorted({edge.target for edge in edges}), kind)

    async def read_around(self, ids: Sequence[str], plan: Plan) -> None:
        """Reads ``ids`` and the neighbourhood ``plan`` names in one worker-thread call (a store
        round trip per level of the plan) and primes the entity and edge loaders with it, as if
        they had loaded it: the fields the plan was made for then answer without a step of their
        own (a project's detail: one thread hop instead of three)."""
        if not ids:
            return
        entities, edges = await self.run(self._around, list(dict.fromkeys(ids)), plan)
        self.entity.prime_many(entities)
        for (rel, incoming), by_source in edges.items():
            loader = self.edges(rel, incoming=incoming)
            loader.prime_many({source: sorted(found, key=lambda e: e.target) for source, found in by_source.items()})

    def _around(self, ids: list[str], plan: Plan) -> tuple[dict[str, Entity | None], Around]:
        found: dict[str, Entity] = {}
        edges: Around = {}
        todo: list[tuple[list[str], Plan, bool]] = [(ids, plan, True)]
        while todo:
            sources, level, fetch = todo.pop()
            entities, around = get_with_neighbours(self.store, sources if fetch else [], {d: sources for d in level})
            found.update(entities)
            for direction, below in level.items():
                by_source: dict[str, list[Edge]] = {i: [] for i in sources}
                for edge in around.get(direction, []):
                    by_source.setdefault(edge.source, []).append(edge)
                edges.setdefault(direction, {}).update(by_source)
                targets = sorted({edge.target for edge in around.get(direction, [])})
                if below and targets:
                    todo.append((targets, below, False))  # the targets themselves are already read
        visible = access.screen(self.store, self.identity, found)
        return {i: visible.get(i) for i in {*ids, *found}}, edges

    def visible(self, ids: Sequence[str]) -> dict[str, Entity | None]:
        """Blocking: the entities with these ids as the entity loader would return them (None: not
        visible), for ``prime``. Runs in the caller's worker thread (a connection's page query)."""
        if not ids:
            return {}
        found, _ = self._visible_with_neighbours(list(dict.fromkeys(ids)), {})
        return {i: found.get(i) for i in ids}

    def prime(self, found: dict[str, Entity | None]) -> None:
        """Puts what ``visible`` returned into the entity loader's cache (as if loaded)."""
        self.entity.prime_many(found)

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
            self._parents = Shared(asyncio.ensure_future(self._load_parents()))
        return await self._parents.waiter()

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
