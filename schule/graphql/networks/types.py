"""The Network type and the Membership edge (a commune's membership in a network)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind, Rel
from schule.graphql.context import Context
from schule.graphql.enums import MembershipBasis, MembershipRole
from schule.graphql.nodes import CREATED_AT, SLUG, SOURCE, UPDATED_AT, common, linked_node, resolve_nodes
from schule.graphql.registry import node_type, to_node

if TYPE_CHECKING:
    from schule.graphql.communes.types import Commune
    from schule.graphql.events.types import Event

CommuneRef = Annotated["Commune", strawberry.lazy("schule.graphql.communes.types")]
EventRef = Annotated["Event", strawberry.lazy("schule.graphql.events.types")]


@node_type(Kind.NETWORK)
@strawberry.type(
    description="Ein Netzwerk von Kommunen, z. B. 'Smart Cities: 5 für Südwestfalen' (die fünf "
    "Pionierkommunen), die 'Smart Cities Rahmenstrategie Südwestfalen' (Pionier- und Mitmacherkommunen) "
    "oder die 'Smart Cities: Schule' (Austausch von Mitarbeitenden der Verwaltungen)."
)
class Network(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Network]
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description="Name des Netzwerks.")
    description: str | None = strawberry.field(description="Beschreibung: Zweck, Träger, Bedingungen.")
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    source: str | None = strawberry.field(description=SOURCE)

    @classmethod
    def from_entity(cls, e: model.Network) -> Network:
        return cls(**common(e), name=e.name, description=e.description)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.NETWORK, info, node_ids, required)

    @strawberry.field(description="Mitgliedskommunen mit Rolle, Grundlage, Beitrittsdatum und Beleg.")
    async def members(
        self,
        info: Info[Context, None],
        roles: Annotated[
            list[MembershipRole] | None,
            strawberry.argument(description="Nur Mitglieder mit diesen Rollen, z. B. [MITMACHER]."),
        ] = None,
    ) -> list[Membership]:
        edges = await info.context.loaders.edges(Rel.MEMBER_OF, incoming=True).load(self.key)
        wanted = {r.value for r in roles} if roles else None
        return [
            Membership.from_edge(e.target, self.key, e.props)
            for e in edges
            if wanted is None or e.props.get("role") in wanted
        ]

    @strawberry.field(description="Veranstaltungen, die dieses Netzwerk ausgerichtet hat.")
    async def events(self, info: Info[Context, None]) -> list[EventRef]:
        entities = await info.context.loaders.related(Rel.ORGANISED_BY, [self.key], incoming=True, kind=Kind.EVENT)
        return [to_node(e) for e in entities]


@strawberry.type(
    description="Mitgliedschaft einer Kommune in einem Netzwerk (die Kante zwischen beiden), mit Rolle "
    "(z. B. Pionier- oder Mitmacherkommune) und Grundlage des Beitritts (Gründung, Letter of Intent, Ratsbeschluss)."
)
class Membership:
    commune_id: strawberry.Private[str]
    network_id: strawberry.Private[str]
    role: MembershipRole = strawberry.field(description="Rolle der Kommune im Netzwerk.")
    basis: MembershipBasis | None = strawberry.field(
        description="Grundlage des Beitritts: Gründung, Letter of Intent (Absichtserklärung der "
        "Verwaltungsspitze) oder Ratsbeschluss (Beschluss des Stadt- bzw. Gemeinderats)."
    )
    since: str | None = strawberry.field(description="Beitritt als JJJJ, JJJJ-MM oder JJJJ-MM-TT.")
    document: str | None = strawberry.field(
        description="Beleg des Beitritts, z. B. Titel oder Adresse des Ratsbeschlusses oder Letter of Intent."
    )
    source: str | None = strawberry.field(description=SOURCE)

    @classmethod
    def from_edge(cls, commune: str, network: str, props: dict[str, Any]) -> Membership:
        return cls(
            commune_id=commune,
            network_id=network,
            role=MembershipRole(props["role"]),
            basis=MembershipBasis(props["basis"]) if props.get("basis") else None,
            since=props.get("since"),
            document=props.get("document"),
            source=props.get("source"),
        )

    @strawberry.field(description="Die Mitgliedskommune.")
    def commune(self, info: Info[Context, None]) -> CommuneRef | None:
        return linked_node(info, self.commune_id)

    @strawberry.field(description="Das Netzwerk.")
    def network(self, info: Info[Context, None]) -> Network | None:
        return linked_node(info, self.network_id)
