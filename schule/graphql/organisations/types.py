"""The Organisation type: agencies, ministries, companies and other non-commune actors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind, Rel
from schule.graphql.context import Context
from schule.graphql.nodes import CREATED_AT, SLUG, SOURCE, UPDATED_AT, common, resolve_nodes
from schule.graphql.registry import node_type, to_node

if TYPE_CHECKING:
    from schule.graphql.events.types import Event
    from schule.graphql.people.types import Person

PersonRef = Annotated["Person", strawberry.lazy("schule.graphql.people.types")]
EventRef = Annotated["Event", strawberry.lazy("schule.graphql.events.types")]


@node_type(Kind.ORGANISATION)
@strawberry.type(
    description="Eine Organisation, die keine Kommune ist: z. B. die Südwestfalen Agentur (Regionalagentur), "
    "eine Wirtschaftsförderung, ein Kreis als Träger, ein Ministerium oder ein Beratungsunternehmen."
)
class Organisation(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Organisation]
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description="Name der Organisation.")
    type: str | None = strawberry.field(description="Art der Organisation, z. B. 'Regionalagentur' oder 'Ministerium'.")
    website: str | None = strawberry.field(description="Internetauftritt.")
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    source: str | None = strawberry.field(description=SOURCE)

    @classmethod
    def from_entity(cls, e: model.Organisation) -> Organisation:
        return cls(**common(e), name=e.name, type=e.type, website=e.website)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.ORGANISATION, info, node_ids, required)

    @strawberry.field(description="Personen, die für diese Organisation arbeiten.")
    async def people(self, info: Info[Context, None]) -> list[PersonRef]:
        entities = await info.context.loaders.related(Rel.WORKS_FOR, [self.key], incoming=True, kind=Kind.PERSON)
        return [to_node(e) for e in entities]

    @strawberry.field(description="Veranstaltungen, die diese Organisation ausgerichtet hat.")
    async def events(self, info: Info[Context, None]) -> list[EventRef]:
        entities = await info.context.loaders.related(Rel.ORGANISED_BY, [self.key], incoming=True, kind=Kind.EVENT)
        return [to_node(e) for e in entities]
