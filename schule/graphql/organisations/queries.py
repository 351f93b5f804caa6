"""Root query fields for organisations."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.inputs import values
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.organisations.types import Organisation
from schule.graphql.pagination import After, Before, Connection, First, Last, paginate


@strawberry.enum(description="Sortierung von Organisationslisten.")
class OrganisationSort(enum.Enum):
    NAME_ASC = strawberry.enum_value("name_asc", description="Nach Name, A bis Z.")
    NAME_DESC = strawberry.enum_value("name_desc", description="Nach Name, Z bis A.")
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")


@strawberry.input(description="Filter für Organisationslisten.")
class OrganisationFilter:
    types: list[str] | None = strawberry.field(
        default=None, description="Nur Organisationen dieser Arten, z. B. ['Regionalagentur']."
    )

    def params(self) -> dict[str, Any]:
        return {"types": values(self.types)}


@strawberry.type(description="Abfragen zu Organisationen.")
class OrganisationQueries:
    @strawberry.field(description="Eine Organisation, gesucht über unsere eigene ID; null, wenn es keine gibt.")
    async def organisation(
        self,
        info: Info[Context, None],
        id: Annotated[str, ID_ARG],  # noqa: A002
    ) -> Organisation | None:
        return await lookup(info, Kind.ORGANISATION, id)

    @strawberry.field(
        description="Organisationen (Agenturen, Ministerien, Unternehmen …), gefiltert, sortiert und seitenweise."
    )
    async def organisations(
        self,
        info: Info[Context, None],
        filter: Annotated[OrganisationFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[OrganisationSort, SORT_ARG] = OrganisationSort.NAME_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Organisation]:
        params = filter.params() if filter else {}
        return await paginate(
            info.context.store,
            Kind.ORGANISATION,
            params,
            str(sort.value),
            first=first,
            after=after,
            last=last,
            before=before,
        )
