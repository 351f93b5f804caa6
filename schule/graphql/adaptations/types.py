"""The Adaptation type: a commune's adoption of another commune's project, with how it went."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind
from schule.domain.problems import Code
from schule.errors import refuse
from schule.graphql.context import Context
from schule.graphql.enums import ReviewState
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
    entry_history,
    resolve_nodes,
    review,
)
from schule.graphql.registry import node_type, to_node

if TYPE_CHECKING:
    from schule.graphql.communes.types import Commune
    from schule.graphql.moderation.types import EntryRevision, EntryVersion
    from schule.graphql.people.types import Person
    from schule.graphql.projects.types import Project

ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]
CommuneRef = Annotated["Commune", strawberry.lazy("schule.graphql.communes.types")]
PersonRef = Annotated["Person", strawberry.lazy("schule.graphql.people.types")]
EntryVersionRef = Annotated["EntryVersion", strawberry.lazy("schule.graphql.moderation.types")]
EntryRevisionRef = Annotated["EntryRevision", strawberry.lazy("schule.graphql.moderation.types")]


@strawberry.enum(description="Wie weit eine Kommune mit der Übernahme eines Projekts ist.")
class AdaptationStatus(enum.Enum):
    PLANNED = strawberry.enum_value("planned", description="Geplant: die Kommune will das Projekt übernehmen.")
    IN_PROGRESS = strawberry.enum_value("in_progress", description="In Arbeit: die Übernahme läuft.")
    DONE = strawberry.enum_value("done", description="Erledigt: das Projekt läuft auch in dieser Kommune.")
    ABANDONED = strawberry.enum_value("abandoned", description="Aufgegeben: die Übernahme wurde abgebrochen.")


def status_of(value: model.AdaptationStatus | None) -> AdaptationStatus | None:
    return AdaptationStatus(value.value) if value else None


@node_type(Kind.ADAPTATION)
@strawberry.type(
    description="Eine Übernahme: eine Kommune übernimmt das Projekt einer anderen („wir übernehmen X“), "
    "mit Stand, Ergebnis (was funktioniert hat, was angepasst werden musste), Zeitraum und Ansprechperson. "
    "Mitglieder erfassen Übernahmen ihrer eigenen Kommune; die Moderation prüft sie wie Projekte."
)
class Adaptation(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Adaptation]
    slug: str = strawberry.field(description=SLUG)
    status: AdaptationStatus | None = strawberry.field(description="Stand der Übernahme; null, wenn unbekannt.")
    outcome: str | None = strawberry.field(
        description="Ergebnis: was funktioniert hat und was angepasst werden musste (Klartext)."
    )
    started: str | None = strawberry.field(description="Beginn der Übernahme (JJJJ, JJJJ-MM oder JJJJ-MM-TT).")
    ended: str | None = strawberry.field(description="Ende der Übernahme (JJJJ, JJJJ-MM oder JJJJ-MM-TT).")
    provenance: str | None = strawberry.field(description=SOURCE)
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    state: ReviewState = strawberry.field(description=REVIEW_STATE)
    review_note: str | None = strawberry.field(description=REVIEW_NOTE)

    @classmethod
    def from_entity(cls, e: model.Adaptation) -> Adaptation:
        return cls(
            key=e.id, slug=e.id, entity=e, status=status_of(e.status), outcome=e.outcome, started=e.started,
            ended=e.ended, provenance=e.source, created_at=e.created_at, updated_at=e.updated_at, **review(e),
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.ADAPTATION, info, node_ids, required)

    @strawberry.field(description="Das übernommene Projekt (das Vorbild).")
    async def source(self, info: Info[Context, None]) -> ProjectRef:
        entity = await info.context.loaders.entity.load(self.entity.adopts)
        if entity is None:  # withdrawn after the adoption was published: a typed error, not a masked one
            raise refuse(Code.NOT_FOUND, f"Das übernommene Projekt {self.entity.adopts!r} ist nicht mehr "
                         "veröffentlicht.", "source")
        return to_node(entity)

    @strawberry.field(description="Die Kommune, die das Projekt übernimmt.")
    async def commune(self, info: Info[Context, None]) -> CommuneRef:
        entity = await info.context.loaders.entity.load(self.entity.commune)
        if entity is None:
            raise refuse(Code.NOT_FOUND, f"Die Kommune {self.entity.commune!r} ist nicht mehr veröffentlicht.",
                         "commune")
        return to_node(entity)

    @strawberry.field(description="Das eigene Projekt der übernehmenden Kommune, wenn erfasst.")
    async def project(self, info: Info[Context, None]) -> ProjectRef | None:
        if self.entity.project is None:
            return None
        entity = await info.context.loaders.entity.load(self.entity.project)
        return to_node(entity) if entity is not None else None

    @strawberry.field(description="Ansprechperson der übernehmenden Kommune für Rückfragen.")
    async def contact(self, info: Info[Context, None]) -> PersonRef | None:
        if self.entity.contact is None:
            return None
        entity = await info.context.loaders.entity.load(self.entity.contact)
        return to_node(entity) if entity is not None else None

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


@strawberry.type(description="Übernahmen eines Projekts durch andere Kommunen, nach Stand zusammengezählt.")
class AdoptionSummary:
    communes: int = strawberry.field(description="Wie viele Kommunen das Projekt übernehmen oder übernommen haben.")
    done: int = strawberry.field(description="Davon mit abgeschlossener Übernahme (Stand DONE).")
    in_progress: int = strawberry.field(description="Davon mit laufender Übernahme (IN_PROGRESS).")
    planned: int = strawberry.field(description="Davon mit geplanter Übernahme (PLANNED).")
    abandoned: int = strawberry.field(description="Davon mit aufgegebener Übernahme (ABANDONED).")
