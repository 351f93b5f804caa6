"""The Lesson type: a lesson learned (Erkenntnis) from a project."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.enums import LessonType, ReviewState
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
    linked_node,
    linked_nodes,
    resolve_nodes,
    review,
)
from schule.graphql.registry import node_type, to_node

if TYPE_CHECKING:
    from schule.graphql.moderation.types import EntryRevision, EntryVersion
    from schule.graphql.search.types import SearchHit

EntryVersionRef = Annotated["EntryVersion", strawberry.lazy("schule.graphql.moderation.types")]
EntryRevisionRef = Annotated["EntryRevision", strawberry.lazy("schule.graphql.moderation.types")]
SearchHitRef = Annotated["SearchHit", strawberry.lazy("schule.graphql.search.types")]

if TYPE_CHECKING:
    from schule.graphql.handlungsfelder.types import Handlungsfeld
    from schule.graphql.people.types import Person
    from schule.graphql.projects.types import Project

ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]
PersonRef = Annotated["Person", strawberry.lazy("schule.graphql.people.types")]
HandlungsfeldRef = Annotated["Handlungsfeld", strawberry.lazy("schule.graphql.handlungsfelder.types")]


@node_type(Kind.LESSON)
@strawberry.type(
    description="Eine Erkenntnis (Lesson Learned) aus einem Projekt: ein Erfolg, ein Stolperstein oder eine "
    "Empfehlung, damit andere Kommunen nicht dieselben Fehler machen."
)
class Lesson(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Lesson]
    slug: str = strawberry.field(description=SLUG)
    title: str = strawberry.field(description="Die Erkenntnis in einem Satz.")
    text: str = strawberry.field(description="Ausführliche Darstellung (Klartext).")
    type: LessonType | None = strawberry.field(description="Art: Erfolg, Stolperstein oder Empfehlung.")
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    source: str | None = strawberry.field(description=SOURCE)
    state: ReviewState = strawberry.field(description=REVIEW_STATE)
    review_note: str | None = strawberry.field(description=REVIEW_NOTE)
    last_confirmed_at: str | None = strawberry.field(description=LAST_CONFIRMED_AT)

    @classmethod
    def from_entity(cls, e: model.Lesson) -> Lesson:
        return cls(
            **common(e), **review(e), title=e.title, text=e.text, type=LessonType(e.type.value) if e.type else None,
            last_confirmed_at=e.last_confirmed,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.LESSON, info, node_ids, required)

    @strawberry.field(description="Das Projekt, in dem die Erkenntnis gewonnen wurde.")
    async def project(self, info: Info[Context, None]) -> ProjectRef | None:
        entity = await info.context.loaders.entity.load(self.entity.project)
        return to_node(entity) if entity is not None else None

    @strawberry.field(description="Wer die Erkenntnis aufgeschrieben hat.")
    def author(self, info: Info[Context, None]) -> PersonRef | None:
        return linked_node(info, self.entity.author)

    @strawberry.field(description="Handlungsfelder (Themenbereiche), zu denen die Erkenntnis gehört.")
    def handlungsfelder(self, info: Info[Context, None]) -> list[HandlungsfeldRef]:
        return linked_nodes(info, self.entity.handlungsfelder, Kind.HANDLUNGSFELD)

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
    async def merged_into(self, info: Info[Context, None]) -> Lesson | None:
        return await merged_into(info, self.entity)
