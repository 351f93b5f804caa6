"""The Commune type: a town or municipality (Stadt oder Gemeinde)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind, Rel
from schule.domain.population import CENSUS_ATTRIBUTION, CENSUS_DAY
from schule.graphql.context import Context
from schule.graphql.nodes import CREATED_AT, SLUG, SOURCE, UPDATED_AT, common, related_nodes, resolve_nodes
from schule.graphql.registry import node_type, to_node
from schule.graphql.transfer.resolve import commune_peers, first_argument
from schule.graphql.transfer.types import POPULATION_SOURCE, CommunePeer, SizeClass, size_class_of
from schule.store.base import Edge

if TYPE_CHECKING:
    from schule.graphql.events.types import Event
    from schule.graphql.networks.types import Membership
    from schule.graphql.people.types import Person
    from schule.graphql.projects.types import Project

ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]
PersonRef = Annotated["Person", strawberry.lazy("schule.graphql.people.types")]
MembershipRef = Annotated["Membership", strawberry.lazy("schule.graphql.networks.types")]
EventRef = Annotated["Event", strawberry.lazy("schule.graphql.events.types")]


@node_type(Kind.COMMUNE)
@strawberry.type(
    description="Eine Kommune: eine Stadt oder Gemeinde, z. B. Arnsberg oder Bad Berleburg. Kommunen "
    "gehören zu einem Kreis und einer Region und sind Mitglied in Netzwerken (etwa als Pionier- oder "
    "Mitmacherkommune)."
)
class Commune(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Commune]
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description="Name der Kommune, z. B. 'Bad Berleburg'.")
    kreis: str | None = strawberry.field(
        description="Kreis (Landkreis), zu dem die Kommune gehört, z. B. 'Hochsauerlandkreis' oder 'Kreis Soest'. "
        "Ein Kreis ist die Verwaltungsebene über den kreisangehörigen Städten und Gemeinden."
    )
    region: str | None = strawberry.field(
        description="Region, z. B. 'Südwestfalen' (die fünf Kreise Hochsauerlandkreis, Märkischer Kreis, Olpe, "
        "Siegen-Wittgenstein und Soest) oder 'Münsterland'."
    )
    ags: str | None = strawberry.field(
        description="Amtlicher Gemeindeschlüssel (AGS): achtstellige amtliche Kennziffer der Gemeinde."
    )
    population: int | None = strawberry.field(
        description="Einwohnerzahl, falls bekannt. In den mitgelieferten Daten die Zahl des Zensus 2022 "
        f"(Stichtag {CENSUS_DAY}); Quelle: {CENSUS_ATTRIBUTION}. Woher die Zahl stammt, sagt `source`."
    )
    size_class: SizeClass | None = strawberry.field(
        description="Stadt- und Gemeindetyp nach BBSR, abgeleitet aus `population` (null ohne Einwohnerzahl)."
    )
    website: str | None = strawberry.field(description="Internetauftritt der Kommune.")
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    source: str | None = strawberry.field(description=SOURCE)

    @classmethod
    def from_entity(cls, e: model.Commune) -> Commune:
        return cls(
            **common(e),
            name=e.name,
            kreis=e.kreis,
            region=e.region,
            ags=e.ags,
            population=e.population,
            size_class=size_class_of(e.population),
            website=e.website,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.COMMUNE, info, node_ids, required)

    @strawberry.field(description="Projekte, die in dieser Kommune laufen.")
    async def projects(self, info: Info[Context, None]) -> list[ProjectRef]:
        entities = await info.context.loaders.related(Rel.LOCATED_IN, [self.key], incoming=True, kind=Kind.PROJECT)
        return [to_node(e) for e in entities]

    @strawberry.field(description="Personen, die bei dieser Kommune (der Stadt- oder Gemeindeverwaltung) arbeiten.")
    def people(self, info: Info[Context, None]) -> list[PersonRef]:
        return related_nodes(info, Rel.WORKS_FOR, self.key, incoming=True, kind=Kind.PERSON)

    @strawberry.field(
        description="Mitgliedschaften dieser Kommune in Netzwerken, mit Rolle, Grundlage (Letter of Intent, "
        "Ratsbeschluss, Gründung), Beitrittsdatum und Beleg."
    )
    def memberships(self, info: Info[Context, None]) -> list[MembershipRef]:
        from schule.graphql.networks.types import Membership

        def answer(edges: list[Edge]) -> list[MembershipRef]:
            return [Membership.from_edge(self.key, e.target, e.props) for e in edges]

        # a plain list when the commune page's read_around primed the edges (no task per field)
        now = info.context.loaders.cached_edges(Rel.MEMBER_OF, self.key)
        if now is not None:
            return answer(now)

        async def later() -> list[MembershipRef]:
            return answer(await info.context.loaders.edges(Rel.MEMBER_OF).load(self.key))

        return later()  # type: ignore[return-value]

    @strawberry.field(
        description="Kommunen wie diese, die ähnlichsten zuerst: halb bis doppelt so viele Einwohner, gewichtet nach "
        "Größe, Kreis, Region, gemeinsamen Netzwerken und Handlungsfeldern, jede mit Begründungen. "
        + POPULATION_SOURCE
    )
    async def peers(
        self, info: Info[Context, None], first: Annotated[int, first_argument(5, "Kommunen")] = 5
    ) -> list[CommunePeer]:
        return await commune_peers(info, self.key, first)

    @strawberry.field(description="Veranstaltungen, die diese Kommune ausgerichtet hat.")
    async def events(self, info: Info[Context, None]) -> list[EventRef]:
        entities = await info.context.loaders.related(Rel.ORGANISED_BY, [self.key], incoming=True, kind=Kind.EVENT)
        return [to_node(e) for e in entities]
