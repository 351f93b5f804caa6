"""Root query fields for people."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.inputs import values
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.pagination import After, Before, Connection, First, Last, paginate
from schule.graphql.people.types import Person


@strawberry.enum(description="Sortierung von Personenlisten.")
class PersonSort(enum.Enum):
    NAME_ASC = strawberry.enum_value("name_asc", description="Nach Name, A bis Z (nach Vorname, wie gespeichert).")
    NAME_DESC = strawberry.enum_value("name_desc", description="Nach Name, Z bis A.")
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")


@strawberry.input(description="Filter für Personenlisten.")
class PersonFilter:
    communes: list[str] | None = strawberry.field(
        default=None, description="Nur Personen, die bei einer dieser Kommunen arbeiten (IDs)."
    )
    organisations: list[str] | None = strawberry.field(
        default=None, description="Nur Personen, die bei einer dieser Organisationen arbeiten (IDs)."
    )

    def params(self) -> dict[str, Any]:
        return {"communes": values(self.communes), "organisations": values(self.organisations)}


@strawberry.type(description="Abfragen zu Personen.")
class PersonQueries:
    @strawberry.field(description="Eine Person, gesucht über unsere eigene ID; null, wenn es keine gibt.")
    async def person(self, info: Info[Context, None], id: Annotated[str, ID_ARG]) -> Person | None:  # noqa: A002
        return await lookup(info, Kind.PERSON, id)

    @strawberry.field(description="Personen, gefiltert, sortiert und seitenweise.")
    async def people(
        self,
        info: Info[Context, None],
        filter: Annotated[PersonFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[PersonSort, SORT_ARG] = PersonSort.NAME_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Person]:
        params = filter.params() if filter else {}
        return await paginate(
            info.context.store, Kind.PERSON, params, str(sort.value), first=first, after=after, last=last, before=before
        )
