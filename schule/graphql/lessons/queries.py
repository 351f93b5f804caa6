"""Root query fields for lessons learned."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.enums import LessonType
from schule.graphql.inputs import values
from schule.graphql.lessons.types import Lesson
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.pagination import After, Before, Connection, First, Last, paginate


@strawberry.enum(description="Sortierung von Listen mit Erkenntnissen.")
class LessonSort(enum.Enum):
    TITLE_ASC = strawberry.enum_value("title_asc", description="Nach Titel, A bis Z.")
    TITLE_DESC = strawberry.enum_value("title_desc", description="Nach Titel, Z bis A.")
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")


@strawberry.input(description="Filter für Listen mit Erkenntnissen (Lessons Learned).")
class LessonFilter:
    projects: list[str] | None = strawberry.field(
        default=None, description="Nur Erkenntnisse aus diesen Projekten (IDs)."
    )
    communes: list[str] | None = strawberry.field(
        default=None, description="Nur Erkenntnisse aus Projekten in diesen Kommunen (IDs)."
    )
    authors: list[str] | None = strawberry.field(default=None, description="Nur Erkenntnisse dieser Personen (IDs).")
    handlungsfelder: list[str] | None = strawberry.field(
        default=None, description="Nur Erkenntnisse in diesen Handlungsfeldern (IDs), einschließlich ihrer Unterfelder."
    )
    types: list[LessonType] | None = strawberry.field(default=None, description="Nur Erkenntnisse dieser Arten.")

    def params(self) -> dict[str, Any]:
        return {
            "projects": values(self.projects),
            "communes": values(self.communes),
            "authors": values(self.authors),
            "handlungsfelder": values(self.handlungsfelder),
            "types": [t.value for t in self.types] if self.types else None,
        }


@strawberry.type(description="Abfragen zu Erkenntnissen.")
class LessonQueries:
    @strawberry.field(description="Eine Erkenntnis, gesucht über unsere eigene ID; null, wenn es keine gibt.")
    async def lesson(self, info: Info[Context, None], id: Annotated[str, ID_ARG]) -> Lesson | None:  # noqa: A002
        return await lookup(info, Kind.LESSON, id)

    @strawberry.field(description="Erkenntnisse (Lessons Learned), gefiltert, sortiert und seitenweise.")
    async def lessons(
        self,
        info: Info[Context, None],
        filter: Annotated[LessonFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[LessonSort, SORT_ARG] = LessonSort.TITLE_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Lesson]:
        params = filter.params() if filter else {}
        return await paginate(
            info.context.store, Kind.LESSON, params, str(sort.value), first=first, after=after, last=last, before=before
        )
