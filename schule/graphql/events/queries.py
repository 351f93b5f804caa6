"""Root query fields for events."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.events.types import Event
from schule.graphql.inputs import DateRange, values
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.pagination import After, Before, Connection, First, Last, paginate


@strawberry.enum(description="Sortierung von Veranstaltungslisten.")
class EventSort(enum.Enum):
    DATE_DESC = strawberry.enum_value("date_desc", description="Neueste zuerst.")
    DATE_ASC = strawberry.enum_value("date_asc", description="Älteste zuerst.")
    TITLE_ASC = strawberry.enum_value("title_asc", description="Nach Titel, A bis Z.")
    TITLE_DESC = strawberry.enum_value("title_desc", description="Nach Titel, Z bis A.")
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")


@strawberry.input(description="Filter für Veranstaltungslisten.")
class EventFilter:
    date: DateRange | None = strawberry.field(default=None, description="Nur Veranstaltungen in diesem Zeitraum.")
    organisers: list[str] | None = strawberry.field(
        default=None,
        description="Nur Veranstaltungen dieser Ausrichter (IDs von Organisationen, Kommunen oder Netzwerken).",
    )

    def params(self) -> dict[str, Any]:
        date_from, date_to = self.date.bounds("date") if self.date else (None, None)
        return {"date_from": date_from, "date_to": date_to, "organisers": values(self.organisers)}


@strawberry.type(description="Abfragen zu Veranstaltungen.")
class EventQueries:
    @strawberry.field(description="Eine Veranstaltung, gesucht über unsere eigene ID; null, wenn es keine gibt.")
    async def event(self, info: Info[Context, None], id: Annotated[str, ID_ARG]) -> Event | None:  # noqa: A002
        return await lookup(info, Kind.EVENT, id)

    @strawberry.field(description="Veranstaltungen, gefiltert, sortiert und seitenweise.")
    async def events(
        self,
        info: Info[Context, None],
        filter: Annotated[EventFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[EventSort, SORT_ARG] = EventSort.DATE_DESC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Event]:
        params = filter.params() if filter else {}
        return await paginate(
            info.context.store, Kind.EVENT, params, str(sort.value), first=first, after=after, last=last, before=before
        )
