"""Root query fields for Handlungsfelder."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.handlungsfelder.types import Handlungsfeld
from schule.graphql.inputs import values
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.pagination import After, Before, Connection, First, Last, paginate


@strawberry.enum(description="Sortierung von Listen mit Handlungsfeldern.")
class HandlungsfeldSort(enum.Enum):
    NAME_ASC = strawberry.enum_value("name_asc", description="Nach Name, A bis Z.")
    NAME_DESC = strawberry.enum_value("name_desc", description="Nach Name, Z bis A.")
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")


@strawberry.input(description="Filter für Listen mit Handlungsfeldern.")
class HandlungsfeldFilter:
    roots_only: bool | None = strawberry.field(
        default=None, description="Nur Handlungsfelder der obersten Ebene (ohne übergeordnetes Feld)?"
    )
    parents: list[str] | None = strawberry.field(
        default=None, description="Nur direkte Unterfelder dieser Handlungsfelder (IDs)."
    )

    def params(self) -> dict[str, Any]:
        return {"roots_only": bool(self.roots_only), "parents": values(self.parents)}


@strawberry.type(description="Abfragen zu Handlungsfeldern.")
class HandlungsfeldQueries:
    @strawberry.field(
        description="Ein Handlungsfeld, gesucht über unsere eigene ID (z. B. 'mobilitaet'); null, wenn es keins gibt."
    )
    async def handlungsfeld(
        self,
        info: Info[Context, None],
        id: Annotated[str, ID_ARG],  # noqa: A002
    ) -> Handlungsfeld | None:
        return await lookup(info, Kind.HANDLUNGSFELD, id)

    @strawberry.field(
        description="Handlungsfelder (Themenbereiche von Smart-City-Strategien), gefiltert, sortiert und seitenweise."
    )
    async def handlungsfelder(
        self,
        info: Info[Context, None],
        filter: Annotated[HandlungsfeldFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[HandlungsfeldSort, SORT_ARG] = HandlungsfeldSort.NAME_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Handlungsfeld]:
        params = filter.params() if filter else {}
        return await paginate(
            info.context.store,
            Kind.HANDLUNGSFELD,
            params,
            str(sort.value),
            first=first,
            after=after,
            last=last,
            before=before,
        )
