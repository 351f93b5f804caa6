"""The Handlungsfeld type: a field of action of a smart-city strategy, in a tree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind, Rel
from schule.graphql.context import Context
from schule.graphql.nodes import CREATED_AT, SLUG, SOURCE, UPDATED_AT, common, resolve_nodes
from schule.graphql.registry import node_type, to_node

if TYPE_CHECKING:
    from schule.graphql.lessons.types import Lesson
    from schule.graphql.projects.types import Project

ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]
LessonRef = Annotated["Lesson", strawberry.lazy("schule.graphql.lessons.types")]
INCLUDE_SUBFIELDS = strawberry.argument(
    description="Auch Einträge aus den Unterfeldern (und deren Unterfeldern) einbeziehen?"
)


@node_type(Kind.HANDLUNGSFELD)
@strawberry.type(
    description="Ein Handlungsfeld: ein Themenbereich, nach dem Smart-City-Strategien ihre Projekte ordnen, "
    "z. B. Mobilität, Verwaltung, Umwelt oder Wirtschaft. Handlungsfelder bilden einen Baum: 'Energie' ist "
    "ein Unterfeld von 'Umwelt'."
)
class Handlungsfeld(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Handlungsfeld]
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description="Name, z. B. 'Mobilität'.")
    description: str | None = strawberry.field(description="Was zu diesem Handlungsfeld gehört.")
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    source: str | None = strawberry.field(description=SOURCE)

    @classmethod
    def from_entity(cls, e: model.Handlungsfeld) -> Handlungsfeld:
        return cls(**common(e), name=e.name, description=e.description)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.HANDLUNGSFELD, info, node_ids, required)

    @strawberry.field(description="Das übergeordnete Handlungsfeld; null bei einem Handlungsfeld der obersten Ebene.")
    async def parent(self, info: Info[Context, None]) -> Handlungsfeld | None:
        if self.entity.parent is None:
            return None
        entity = await info.context.loaders.entity.load(self.entity.parent)
        return to_node(entity) if entity is not None else None

    @strawberry.field(description="Die direkten Unterfelder.")
    async def children(self, info: Info[Context, None]) -> list[Handlungsfeld]:
        entities = await info.context.loaders.related(
            Rel.SUBFIELD_OF, [self.key], incoming=True, kind=Kind.HANDLUNGSFELD
        )
        return [to_node(e) for e in entities]

    async def _in_field(self, info: Info[Context, None], kind: Kind, include_subfields: bool) -> list[Any]:
        loaders = info.context.loaders
        ids = await loaders.with_subfields(self.key) if include_subfields else [self.key]
        entities = await loaders.related(Rel.IN_FIELD, ids, incoming=True, kind=kind)
        return [to_node(e) for e in entities]

    @strawberry.field(description="Projekte in diesem Handlungsfeld.")
    async def projects(
        self, info: Info[Context, None], include_subfields: Annotated[bool, INCLUDE_SUBFIELDS] = False
    ) -> list[ProjectRef]:
        return await self._in_field(info, Kind.PROJECT, include_subfields)

    @strawberry.field(description="Erkenntnisse (Lessons Learned) in diesem Handlungsfeld.")
    async def lessons(
        self, info: Info[Context, None], include_subfields: Annotated[bool, INCLUDE_SUBFIELDS] = False
    ) -> list[LessonRef]:
        return await self._in_field(info, Kind.LESSON, include_subfields)
