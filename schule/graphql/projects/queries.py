"""Root query fields for projects."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql import lookahead
from schule.graphql.context import Context
from schule.graphql.enums import ProjectStatus
from schule.graphql.inputs import DateRange, NetworkRoleFilter, values
from schule.graphql.nodes import FILTER_ARG, ID_ARG, SORT_ARG, lookup
from schule.graphql.pagination import After, Before, Connection, First, Last, Prefetch, paginate, selects
from schule.graphql.projects.types import Project
from schule.services.project_lists import ProjectLists


@strawberry.enum(description="Sortierung von Projektlisten.")
class ProjectSort(enum.Enum):
    TITLE_ASC = strawberry.enum_value("title_asc", description="Nach Titel, A bis Z.")
    TITLE_DESC = strawberry.enum_value("title_desc", description="Nach Titel, Z bis A.")
    UPDATED_DESC = strawberry.enum_value("updated_desc", description="Zuletzt geänderte zuerst.")
    STARTED_DESC = strawberry.enum_value("started_desc", description="Zuletzt begonnene zuerst; ohne Beginn am Ende.")
    STARTED_ASC = strawberry.enum_value("started_asc", description="Zuerst begonnene zuerst; ohne Beginn am Ende.")
    ADOPTIONS_DESC = strawberry.enum_value(
        "adoptions_desc",
        description="Am häufigsten übernommene zuerst: nach der Zahl der Kommunen mit einer veröffentlichten Übernahme "
        "(`adoptionSummary.communes`), bei Gleichstand nach Titel.",
    )


@strawberry.input(description="Filter für Projektlisten. Listen-Bedingungen treffen zu, wenn einer der Werte passt.")
class ProjectFilter:
    communes: list[str] | None = strawberry.field(
        default=None, description="Nur Projekte in einer dieser Kommunen (IDs, z. B. ['soest'])."
    )
    kreise: list[str] | None = strawberry.field(
        default=None,
        description="Nur Projekte in Kommunen dieser Kreise (Landkreise), z. B. ['Hochsauerlandkreis', 'Kreis Soest'].",
    )
    regions: list[str] | None = strawberry.field(
        default=None, description="Nur Projekte in Kommunen dieser Regionen, z. B. ['Südwestfalen']."
    )
    handlungsfelder: list[str] | None = strawberry.field(
        default=None,
        description="Nur Projekte in einem dieser Handlungsfelder (IDs), einschließlich ihrer Unterfelder: "
        "'umwelt' findet auch Projekte in 'energie'.",
    )
    status: list[ProjectStatus] | None = strawberry.field(
        default=None, description="Nur Projekte mit einem dieser Stände."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="Nur Projekte mit einem dieser Schlagwörter (exakt)."
    )
    network: NetworkRoleFilter | None = strawberry.field(
        default=None,
        description="Nur Projekte in Kommunen, die in einem Netzwerk eine bestimmte Rolle haben, z. B. alle "
        "Projekte von Mitmacherkommunen der Rahmenstrategie.",
    )
    started: DateRange | None = strawberry.field(
        default=None, description="Nur Projekte, deren Beginn in diesem Zeitraum liegt."
    )
    ended: DateRange | None = strawberry.field(
        default=None, description="Nur Projekte, deren Ende in diesem Zeitraum liegt."
    )

    def params(self) -> dict[str, Any]:
        started_from, started_to = self.started.bounds("started") if self.started else (None, None)
        ended_from, ended_to = self.ended.bounds("ended") if self.ended else (None, None)
        return {
            "communes": values(self.communes),
            "kreise": values(self.kreise),
            "regions": values(self.regions),
            "handlungsfelder": values(self.handlungsfelder),
            "status": [s.value for s in self.status] if self.status else None,
            "tags": values(self.tags),
            "started_from": started_from,
            "started_to": started_to,
            "ended_from": ended_from,
            "ended_to": ended_to,
            **(self.network.params() if self.network else {}),
        }


@strawberry.type(description="Abfragen zu Projekten.")
class ProjectQueries:
    @strawberry.field(
        description="Ein veröffentlichtes Projekt, gesucht über unsere eigene ID; null, wenn es keins gibt."
    )
    async def project(self, info: Info[Context, None], id: Annotated[str, ID_ARG]) -> Project | None:  # noqa: A002
        around = lookahead.plan(info, lookahead.PROJECT)
        if around:  # the project with what its fields will ask for: one worker-thread call
            await info.context.loaders.read_around([id], around)
        return await lookup(info, Kind.PROJECT, id)

    @strawberry.field(description="Veröffentlichte Projekte, gefiltert, sortiert und seitenweise.")
    async def projects(
        self,
        info: Info[Context, None],
        filter: Annotated[ProjectFilter | None, FILTER_ARG] = None,  # noqa: A002
        sort: Annotated[ProjectSort, SORT_ARG] = ProjectSort.TITLE_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Project]:
        params = filter.params() if filter else {}
        return await paginate(
            ProjectLists(info.context.store), Kind.PROJECT, params, str(sort.value),
            first=first, after=after, last=last, before=before, prefetch=_links_prefetch(info),
        )


def _links_prefetch(info: Info[Context, None]) -> Prefetch | None:
    """A list page's communes and Handlungsfelder, read with the page when the query asks for them
    (the list and search cards show both): the same entities, one round trip and one step fewer."""
    wanted = selects(info, "communes", "handlungsfelder")
    if not wanted:
        return None
    return Prefetch(info.context.loaders, lambda p: [*(p.communes if "communes" in wanted else ()),
                                                     *(p.handlungsfelder if "handlungsfelder" in wanted else ())])
