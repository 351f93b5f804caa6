"""Shared steps of the transfer resolvers: the ``first`` argument, and entries through the loaders."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from schule.domain.model import Entity, Kind, ReviewState
from schule.domain.problems import Code
from schule.errors import refuse
from schule.graphql.context import Context
from schule.graphql.limits import MAX_PAGE_SIZE
from schule.graphql.loaders import Loaders
from schule.graphql.registry import to_node
from schule.graphql.sharing import SharedLoader
from schule.graphql.transfer.types import CommunePeer
from schule.services.transfer.facts import facts_for
from schule.services.transfer.peers import Peer, rank_peers


def first_argument(default: int, what: str) -> Any:
    return strawberry.argument(description=f"Höchstens so viele {what}, die besten zuerst (1 bis {MAX_PAGE_SIZE}; "
                                           f"ohne Angabe {default}).")


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise refuse(Code.INVALID, f"`first` muss zwischen 1 und {MAX_PAGE_SIZE} liegen (angefragt: {first}).",
                     "first")


async def entities(info: Info[Context, None], ids: Sequence[str], kind: Kind) -> dict[str, Entity]:
    """The published entities with these ids, as this request's loaders show them."""
    found = await info.context.loaders.entities(list(dict.fromkeys(ids)), kind)
    return {e.id: e for e in found if e.state == ReviewState.PUBLISHED}


async def existing(info: Info[Context, None], entity_id: str, kind: Kind, argument: str, label: str) -> Entity:
    entity = await info.context.loaders.entity.load(entity_id)
    if entity is None or entity.kind != kind or entity.state != ReviewState.PUBLISHED:
        raise refuse(Code.NOT_FOUND, f"{label} mit der ID {entity_id!r}.", argument)
    return entity


PeerLoader = DataLoader[tuple[str, int], list[Peer]]
# One per request (keyed by the request's loaders, gone with them): the peers of every commune an
# execution step asks for (``communes { peers }``) are ranked in one worker-thread call, on one snapshot.
_peer_loaders: weakref.WeakKeyDictionary[Loaders, PeerLoader] = weakref.WeakKeyDictionary()


def peer_loader(info: Info[Context, None]) -> PeerLoader:
    loaders = info.context.loaders
    loader = _peer_loaders.get(loaders)
    if loader is None:
        store = info.context.store

        async def load(keys: Sequence[tuple[str, int]]) -> list[list[Peer]]:
            def rank() -> list[list[Peer]]:
                facts = facts_for(store)
                return [rank_peers(facts, commune, first) for commune, first in keys]

            return await run_in_threadpool(rank)

        loader = _peer_loaders[loaders] = SharedLoader(load_fn=load)
    return loader


async def commune_peers(info: Info[Context, None], commune: str, first: int) -> list[CommunePeer]:
    """``Commune.peers``: the ranking of ``schule.services.transfer.peers``."""
    check_first(first)
    peers = await peer_loader(info).load((commune, first))
    communes = await entities(info, [p.commune for p in peers], Kind.COMMUNE)
    return [CommunePeer(commune=to_node(communes[p.commune]), score=p.score, reasons=list(p.reasons))
            for p in peers if p.commune in communes]


