"""Root query fields for communes."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql import lookahead
from schule.graphql.communes.types import Commune
from schule.graphql.context import Context
from schule.graphql.inputs import NetworkRoleFilter, values
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.pagination import After, Before, Connection, First, Last, paginate


@strawberry.enum(description="Sortierung von Kommunenlisten.")
class CommuneSort(enum.Enum):
    NAME_ASC = strawberry.enum_value("name_asc", description="Nach Name, A bis Z.")
    NAME_DESC = strawberry.enum_value("name_desc", description="Nach Name, Z bis A.")
    POPULATION_DESC = strawberry.enum_value(
        "population_desc", description="Einwohnerstärkste zuerst; ohne Angabe am Ende."
    )
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")


@strawberry.input(description="Filter für Kommunenlisten.")
class CommuneFilter:
    name_contains: str | None = strawberry.field(
        default=None, description="Nur Kommunen, deren Name diesen Text enthält (ohne Beachtung der Großschreibung)."
    )
    kreise: list[str] | None = strawberry.field(
        default=None, description="Nur Kommunen in diesen Kreisen (Landkreisen), z. B. ['Kreis Olpe']."
    )
    regions: list[str] | None = strawberry.field(
        default=None, description="Nur Kommunen in diesen Regionen, z. B. ['Südwestfalen']."
    )
    network: NetworkRoleFilter | None = strawberry.field(
        default=None,
        description="Nur Kommunen, die in diesem Netzwerk Mitglied sind (mit einer der Rollen, falls angegeben), "
        "z. B. die Mitmacherkommunen der Rahmenstrategie.",
    )

    def params(self) -> dict[str, Any]:
        return {
            "name_contains": self.name_contains or None,
            "kreise": values(self.kreise),
            "regions": values(self.regions),
            **(self.network.params() if self.network else {}),
        }


@strawberry.type(description="Abfragen zu Kommunen.")
class CommuneQueries:
    @strawberry.field(
        description="Eine Kommune, gesucht über unsere eigene ID (z. B. 'arnsberg'); null, wenn es keine gibt."
    )
    async def commune(self, info: Info[Context, None], id: Annotated[str, ID_ARG]) -> Commune | None:  # noqa: A002
        around = lookahead.plan(info, lookahead.COMMUNE)
        if around:  # the commune with what its fields will ask for: one worker-thread call
            await info.context.loaders.read_around([id], around)
        return await lookup(info, Kind.COMMUNE, id)

    @strawberry.field(description="Kommunen (Städte und Gemeinden), gefiltert, sortiert und seitenweise.")
    async def communes(
        self,
        info: Info[Context, None],
        filter: Annotated[CommuneFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[CommuneSort, SORT_ARG] = CommuneSort.NAME_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Commune]:
        params = filter.params() if filter else {}
        return await paginate(
            info.context.store, Kind.COMMUNE, params, str(sort.value),
            first=first, after=after, last=last, before=before,
        )
