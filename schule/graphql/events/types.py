"""The Event type: conferences, workshops and other meetings of the network."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind
from schule.graphql.communes.types import Commune
from schule.graphql.context import Context
from schule.graphql.networks.types import Network
from schule.graphql.nodes import CREATED_AT, SLUG, SOURCE, UPDATED_AT, common, resolve_nodes
from schule.graphql.organisations.types import Organisation
from schule.graphql.registry import node_type, to_node

Organiser = Annotated[
    Organisation | Commune | Network,
    strawberry.union(
        "Organiser",
        description="Ausrichter einer Veranstaltung: eine Organisation, eine Kommune oder ein Netzwerk.",
    ),
]


@node_type(Kind.EVENT)
@strawberry.type(
    description="Eine Veranstaltung des Netzwerks, z. B. die jährliche Smart Cities: Konferenz oder ein "
    "Workshop, in dem Kommunen gemeinsam an einer Strategie arbeiten."
)
class Event(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Event]
    slug: str = strawberry.field(description=SLUG)
    title: str = strawberry.field(description="Titel der Veranstaltung.")
    date: str = strawberry.field(description="Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT (so genau wie bekannt).")
    place: str | None = strawberry.field(description="Ort, z. B. 'Siegerlandhalle, Siegen' oder 'online'.")
    description: str | None = strawberry.field(description="Beschreibung: Programm, Teilnehmende, Ergebnisse.")
    links: list[str] = strawberry.field(description="Weiterführende Adressen (URLs).")
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    source: str | None = strawberry.field(description=SOURCE)

    @classmethod
    def from_entity(cls, e: model.Event) -> Event:
        return cls(
            **common(e), title=e.title, date=e.date, place=e.place, description=e.description, links=list(e.links)
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.EVENT, info, node_ids, required)

    @strawberry.field(description="Ausrichter: Organisation, Kommune oder Netzwerk.")
    async def organiser(self, info: Info[Context, None]) -> Organiser | None:
        if self.entity.organiser is None:
            return None
        entity = await info.context.loaders.entity.load(self.entity.organiser)
        return to_node(entity) if entity is not None else None
