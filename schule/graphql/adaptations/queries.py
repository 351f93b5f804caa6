"""Root query fields for adoptions."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql.adaptations.types import Adaptation, AdaptationStatus
from schule.graphql.context import Context
from schule.graphql.inputs import values
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.pagination import After, Before, Connection, First, Last, paginate


@strawberry.enum(description="Sortierung von Listen mit Übernahmen.")
class AdaptationSort(enum.Enum):
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")
    STARTED_DESC = strawberry.enum_value("started_desc", description="Zuletzt begonnene zuerst.")


@strawberry.input(description="Filter für Listen mit Übernahmen.")
class AdaptationFilter:
    sources: list[str] | None = strawberry.field(default=None, description="Nur Übernahmen dieser Projekte (IDs).")
    communes: list[str] | None = strawberry.field(
        default=None, description="Nur Übernahmen durch diese Kommunen (IDs)."
    )
    statuses: list[AdaptationStatus] | None = strawberry.field(default=None, description="Nur diese Stände.")

    def params(self) -> dict[str, Any]:
        return {
            "adopts": values(self.sources),
            "communes": values(self.communes),
            "statuses": [s.value for s in self.statuses] if self.statuses else None,
        }


async def adaptation_page(
    info: Info[Context, None], params: dict[str, Any], sort: AdaptationSort, first: int | None, after: str | None,
    last: int | None, before: str | None,
) -> Connection[Adaptation]:
    return await paginate(
        info.context.store, Kind.ADAPTATION, params, str(sort.value), first=first, after=after, last=last,
        before=before,
    )


@strawberry.type(description="Abfragen zu Übernahmen.")
class AdaptationQueries:
    @strawberry.field(description="Eine Übernahme, gesucht über unsere eigene ID; null, wenn es keine gibt.")
    async def adaptation(self, info: Info[Context, None], id: Annotated[str, ID_ARG]) -> Adaptation | None:  # noqa: A002
        return await lookup(info, Kind.ADAPTATION, id)

    @strawberry.field(description="Veröffentlichte Übernahmen, gefiltert, sortiert und seitenweise.")
    async def adaptations(
        self,
        info: Info[Context, None],
        filter: Annotated[AdaptationFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[AdaptationSort, SORT_ARG] = AdaptationSort.UPDATED_DESC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Adaptation]:
        return await adaptation_page(info, filter.params() if filter else {}, sort, first, after, last, before)
