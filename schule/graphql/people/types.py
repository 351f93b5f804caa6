"""The Person type: a contact person or author, with consent-gated contact details."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from schule.domain import model
from schule.domain.model import Kind, Rel
from schule.graphql.communes.types import Commune
from schule.graphql.context import Context
from schule.graphql.nodes import CREATED_AT, SLUG, SOURCE, UPDATED_AT, common, resolve_nodes
from schule.graphql.organisations.types import Organisation
from schule.graphql.registry import node_type, to_node
from schule.services import access

if TYPE_CHECKING:
    from schule.graphql.lessons.types import Lesson
    from schule.graphql.projects.types import Project

ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]
LessonRef = Annotated["Lesson", strawberry.lazy("schule.graphql.lessons.types")]
Employer = Annotated[
    Commune | Organisation,
    strawberry.union(
        "Employer",
        description="Arbeitgeber einer Person: eine Kommune (Stadt- oder Gemeindeverwaltung) oder eine "
        "Organisation (z. B. Regionalagentur, Wirtschaftsförderung, Ministerium).",
    ),
]

CONTACT_GATE = (
    "Nur sichtbar, wenn die Person der Weitergabe zugestimmt hat (`contactConsent`) und die Anfrage "
    "angemeldet ist (Zugangsschlüssel oder Sitzung); sonst null."
)


@node_type(Kind.PERSON)
@strawberry.type(
    description="Eine Person: Ansprechperson für Projekte oder Autorin bzw. Autor von Erkenntnissen, "
    "meist aus einer Kommunalverwaltung oder einer Organisation der Region."
)
class Person(relay.Node):
    key: relay.NodeID[str]
    entity: strawberry.Private[model.Person]
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description="Vor- und Nachname.")
    role: str | None = strawberry.field(
        description="Funktion, z. B. 'Projektmanager, Smart Cities: 5 für Südwestfalen'."
    )
    expertise: list[str] = strawberry.field(description="Themen, zu denen die Person Auskunft geben kann.")
    contact_consent: bool = strawberry.field(
        description="Hat die Person zugestimmt, dass angemeldete Mitglieder E-Mail und Telefon sehen?"
    )
    created_at: str | None = strawberry.field(description=CREATED_AT)
    updated_at: str | None = strawberry.field(description=UPDATED_AT)
    source: str | None = strawberry.field(description=SOURCE)

    @classmethod
    def from_entity(cls, e: model.Person) -> Person:
        return cls(
            **common(e), name=e.name, role=e.role, expertise=list(e.expertise), contact_consent=e.contact_consent
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return await resolve_nodes(cls, Kind.PERSON, info, node_ids, required)

    def _contact_visible(self, info: Info[Context, None]) -> bool:
        # the loaders already redact (access.visible); this also covers people built elsewhere
        return access.can_see_contact(info.context.identity, self.entity)

    @strawberry.field(description=f"E-Mail-Adresse. {CONTACT_GATE}")
    def email(self, info: Info[Context, None]) -> str | None:
        return self.entity.email if self._contact_visible(info) else None

    @strawberry.field(description=f"Telefonnummer. {CONTACT_GATE}")
    def phone(self, info: Info[Context, None]) -> str | None:
        return self.entity.phone if self._contact_visible(info) else None

    @strawberry.field(description="Arbeitgeber: die Kommune oder Organisation, für die die Person arbeitet.")
    async def employer(self, info: Info[Context, None]) -> Employer | None:
        employer_id = self.entity.commune or self.entity.organisation
        if employer_id is None:
            return None
        entity = await info.context.loaders.entity.load(employer_id)
        return to_node(entity) if entity is not None else None

    @strawberry.field(description="Projekte, für die die Person Ansprechperson ist.")
    async def projects(self, info: Info[Context, None]) -> list[ProjectRef]:
        entities = await info.context.loaders.related(Rel.CONTACT, [self.key], incoming=True, kind=Kind.PROJECT)
        return [to_node(e) for e in entities]

    @strawberry.field(description="Erkenntnisse (Lessons Learned), die die Person verfasst hat.")
    async def lessons(self, info: Info[Context, None]) -> list[LessonRef]:
        entities = await info.context.loaders.related(Rel.AUTHORED_BY, [self.key], incoming=True, kind=Kind.LESSON)
        return [to_node(e) for e in entities]
