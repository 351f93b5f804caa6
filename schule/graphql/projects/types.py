"""The Project type: a smart-city project of one or more communes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind, Rel
from schule.graphql.context import Context
from schule.graphql.enums import ProjectStatus, ReviewState
from schule.graphql.freshness.fields import LAST_CONFIRMED_AT, LAST_CONFIRMED_BY, confirmed_by
from schule.graphql.moderation.duplicates import MERGED_INTO, SIMILAR, SimilarFirst, merged_into, similar_entries
from schule.graphql.nodes import (
    CREATED_AT,
    HISTORY,
    OWN_REVISION,
    PENDING_REVISION,
    REVIEW_NOTE,
    REVIEW_STATE,
    REVISIONS,
    SLUG,
    SOURCE,
    UPDATED_AT,
    common,
    entry_history,
    linked_nodes,
    related_nodes,
    resolve_nodes,
    review,
)
from schule.graphql.pagination import After, Before, Connection, First, Last
from schule.graphql.registry import node_type

# a dict, not ProjectStatus(value): every project node asks (20 on a list page)
_STATUSES = {status: ProjectStatus(status.value) for status in model.ProjectStatus}

if TYPE_CHECKING:
    from schule.graphql.moderation.types import EntryRevision, EntryVersion
    from schule.graphql.search.types import SearchHit

EntryVersionRef = Annotated["EntryVersion", strawberry.lazy("schule.graphql.moderation.types")]
EntryRevisionRef = Annotated["EntryRevision", strawberry.lazy("schule.graphql.moderation.types")]
SearchHitRef = Annotated["SearchHit", strawberry.lazy("schule.graphql.search.types")]

if TYPE_CHECKING:
    from schule.graphql.adaptations.types import Adaptation, AdoptionSummary
    from schule.graphql.communes.types import Commune
    from schule.graphql.handlungsfelder.types import Handlungsfeld
    from schule.graphql.lessons.types import Lesson
    from schule.graphql.people.types import Person
    from schule.graphql.projects.transfer import Transferability

CommuneRef = Annotated["Commune", strawberry.lazy("schule.graphql.communes.types")]
HandlungsfeldRef = Annotated["Handlungsfeld", strawberry.lazy("schule.graphql.handlungsfelder.types")]
LessonRef = Annotated["Lesson", strawberry.lazy("schule.graphql.lessons.types")]
PersonRef = Annotated["Person", strawberry.lazy("schule.graphql.people.types")]
TransferabilityRef = Annotated["Transferability", strawberry.lazy("schule.graphql.projects.transfer")]
AdaptationRef = Annotated["Adaptation", strawberry.lazy("schule.graphql.adaptations.types")]
AdoptionSummaryRef = Annotated["AdoptionSummary", strawberry.lazy("schule.graphql.adaptations.types")]


@node_type(Kind.PROJECT)
@strawberry.type(
    description="Ein Smart-City-Projekt einer oder mehrerer Kommunen, z. B. ein Stadtlabor "
    "(Experimentier-, Lern- und Beteiligungsort einer Kommune) oder eine gemeinsame Datenplattform. "
    "Projekte sind der Kern des Wissenstransfers: andere Kommunen sollen sie übernehmen können, statt "
    "das Rad neu zu erfinden."
)
class Project(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Project]
    slug: str = strawberry.field(description=SLUG)
    title: str = strawberry.field(description="Titel des Projekts.")
    summary: str = strawberry.field(description="Kurzbeschreibung in ein bis zwei Sätzen.")
    description: str | None = strawberry.field(description="Ausführliche Beschreibung (Klartext).")
    status: ProjectStatus | None = strawberry.field(description="Stand im Lebenszyklus, falls bekannt.")
    tags: list[str] = strawberry.field(description="Freie Schlagwörter, z. B. 'Mitmacherkommunen'.")
    links: list[str] = strawberry.field(description="Weiterführende Adressen (URLs).")
    started: str | None = strawberry.field(description="Beginn als JJJJ, JJJJ-MM oder JJJJ-MM-TT.")
    ended: str | None = strawberry.field(description="Ende als JJJJ, JJJJ-MM oder JJJJ-MM-TT; leer, solange es läuft.")
    license: str | None = strawberry.field(
        description="Lizenz einer Open-Source-Lösung als SPDX-Ausdruck, z. B. 'EUPL-1.2'; leer, wenn keine "
        "angegeben ist."
    )
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    source: str | None = strawberry.field(description=SOURCE)
    state: ReviewState = strawberry.field(description=REVIEW_STATE)
    review_note: str | None = strawberry.field(description=REVIEW_NOTE)
    last_confirmed_at: str | None = strawberry.field(description=LAST_CONFIRMED_AT)

    @classmethod
    def from_entity(cls, e: model.Project) -> Project:
        return cls(
            **common(e),
            **review(e),
            title=e.title,
            summary=e.summary,
            description=e.description,
            status=_STATUSES[e.status] if e.status else None,
            tags=list(e.tags),
            links=list(e.links),
            started=e.started,
            ended=e.ended,
            license=e.license,
            last_confirmed_at=e.last_confirmed,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.PROJECT, info, node_ids, required)

    @strawberry.field(description="Kommunen (Städte und Gemeinden), in denen das Projekt läuft.")
    def communes(self, info: Info[Context, None]) -> list[CommuneRef]:
        return linked_nodes(info, self.entity.communes, Kind.COMMUNE)

    @strawberry.field(
        description="Handlungsfelder des Projekts: Themenbereiche einer Smart-City-Strategie wie Mobilität, "
        "Verwaltung oder Umwelt."
    )
    def handlungsfelder(self, info: Info[Context, None]) -> list[HandlungsfeldRef]:
        return linked_nodes(info, self.entity.handlungsfelder, Kind.HANDLUNGSFELD)

    @strawberry.field(description="Erkenntnisse (Lessons Learned), die in diesem Projekt gewonnen wurden.")
    def lessons(self, info: Info[Context, None]) -> list[LessonRef]:
        return related_nodes(info, Rel.LEARNED_IN, self.key, incoming=True, kind=Kind.LESSON)

    @strawberry.field(description="Ansprechpersonen für andere Kommunen, die das Projekt übernehmen wollen.")
    def contacts(self, info: Info[Context, None]) -> list[PersonRef]:
        return linked_nodes(info, self.entity.contacts, Kind.PERSON)

    @strawberry.field(description="Projekte, die dieses Projekt übernommen (nachgemacht, angepasst) hat.")
    def adapted_from(self, info: Info[Context, None]) -> list[Project]:
        return linked_nodes(info, self.entity.adapted_from, Kind.PROJECT)

    @strawberry.field(
        description="Projekte anderer Kommunen, die dieses Projekt übernommen haben "
        "(„wir haben X übernommen“): die Gegenrichtung von `adaptedFrom`."
    )
    def adaptations(self, info: Info[Context, None]) -> list[Project]:
        return related_nodes(info, Rel.ADAPTED_FROM, self.key, incoming=True, kind=Kind.PROJECT)

    @strawberry.field(
        description="Übernahmen dieses Projekts durch andere Kommunen als eigene Einträge, mit Stand und Ergebnis "
        "(veröffentlichte; zuletzt geänderte zuerst)."
    )
    async def adaptation_records(
        self, info: Info[Context, None], first: First = None, after: After = None, last: Last = None,
        before: Before = None,
    ) -> Connection[AdaptationRef]:
        from schule.graphql.adaptations.queries import AdaptationSort, adaptation_page

        return await adaptation_page(info, {"adopts": [self.key]}, AdaptationSort.UPDATED_DESC, first, after, last,
                                     before)

    @strawberry.field(
        description="Wie viele Kommunen das Projekt übernommen haben und mit welchem Ergebnis "
        "(aus den veröffentlichten Übernahmen; eine Kommune zählt einmal, mit ihrem neuesten Stand)."
    )
    async def adoption_summary(self, info: Info[Context, None]) -> AdoptionSummaryRef:
        from schule.graphql.adaptations.types import AdoptionSummary

        records = await info.context.loaders.related(Rel.ADOPTS, [self.key], incoming=True, kind=Kind.ADAPTATION)
        latest: dict[str, model.Adaptation] = {}
        for r in records:
            newer = isinstance(r, model.Adaptation) and (
                r.commune not in latest or (r.updated_at or "") > (latest[r.commune].updated_at or ""))
            if newer and isinstance(r, model.Adaptation) and r.state == model.ReviewState.PUBLISHED:
                latest[r.commune] = r
        count = {s: sum(1 for r in latest.values() if r.status == s) for s in model.AdaptationStatus}
        return AdoptionSummary(
            communes=len(latest), done=count[model.AdaptationStatus.DONE],
            in_progress=count[model.AdaptationStatus.IN_PROGRESS], planned=count[model.AdaptationStatus.PLANNED],
            abandoned=count[model.AdaptationStatus.ABANDONED],
        )

    @strawberry.field(
        description="Übertragbarkeit: was eine andere Kommune für die Übernahme braucht (Voraussetzungen, Aufwand, "
        "Kosten, Förderung, Software, Standards, Partner, Dokumente); null, wenn nichts davon bekannt ist."
    )
    def transfer(self) -> TransferabilityRef | None:
        from schule.graphql.projects.transfer import Transferability

        return Transferability.of(self.entity.transfer)

    @strawberry.field(description=LAST_CONFIRMED_BY)
    async def last_confirmed_by(self, info: Info[Context, None]) -> str | None:
        return await confirmed_by(info, self.key, self.entity.last_confirmed)

    @strawberry.field(description=HISTORY)
    async def history(self, info: Info[Context, None]) -> list[EntryVersionRef]:
        return await entry_history(info, self.key)

    @strawberry.field(description=PENDING_REVISION)
    async def pending_revision(self, info: Info[Context, None]) -> EntryRevisionRef | None:
        from schule.graphql.moderation.types import pending_revision

        return await pending_revision(info, self.entity)

    @strawberry.field(description=REVISIONS)
    async def revisions(self, info: Info[Context, None]) -> list[EntryRevisionRef]:
        from schule.graphql.moderation.types import entry_revisions

        return await entry_revisions(info, self.entity)

    @strawberry.field(description=OWN_REVISION)
    async def own_revision(self, info: Info[Context, None]) -> EntryRevisionRef | None:
        from schule.graphql.moderation.types import own_revision

        return await own_revision(info, self.entity)

    @strawberry.field(description=SIMILAR)
    async def similar(self, info: Info[Context, None], first: SimilarFirst = 5) -> list[SearchHitRef]:
        return await similar_entries(info, self.entity, first)

    @strawberry.field(description=MERGED_INTO)
    async def merged_into(self, info: Info[Context, None]) -> Project | None:
        return await merged_into(info, self.entity)
