"""Root query fields for networks."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.inputs import values
from schule.graphql.networks.types import Network
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.pagination import After, Before, Connection, First, Last, paginate


@strawberry.enum(description="Sortierung von Netzwerklisten.")
class NetworkSort(enum.Enum):
    NAME_ASC = strawberry.enum_value("name_asc", description="Nach Name, A bis Z.")
    NAME_DESC = strawberry.enum_value("name_desc", description="Nach Name, Z bis A.")
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")


@strawberry.input(description="Filter für Netzwerklisten.")
class NetworkFilter:
    communes: list[str] | None = strawberry.field(
        default=None, description="Nur Netzwerke, in denen eine dieser Kommunen Mitglied ist (IDs)."
    )

    def params(self) -> dict[str, Any]:
        return {"communes": values(self.communes)}


@strawberry.type(description="Abfragen zu Netzwerken.")
class NetworkQueries:
    @strawberry.field(description="Ein Netzwerk, gesucht über unsere eigene ID; null, wenn es keins gibt.")
    async def network(self, info: Info[Context, None], id: Annotated[str, ID_ARG]) -> Network | None:  # noqa: A002
        return await lookup(info, Kind.NETWORK, id)

    @strawberry.field(description="Netzwerke von Kommunen, gefiltert, sortiert und seitenweise.")
    async def networks(
        self,
        info: Info[Context, None],
        filter: Annotated[NetworkFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[NetworkSort, SORT_ARG] = NetworkSort.NAME_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Network]:
        params = filter.params() if filter else {}
        return await paginate(
            info.context.store, Kind.NETWORK, params, str(sort.value),
            first=first, after=after, last=last, before=before,
        )
