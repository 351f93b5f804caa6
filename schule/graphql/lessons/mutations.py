"""Mutations on lessons learned."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.graphql.context import Context
from schule.graphql.enums import LessonType
from schule.graphql.errors import UserErrors, user_errors
from schule.graphql.lessons.types import Lesson
from schule.graphql.projects.mutations import MEMBER_IDS
from schule.services import projects as service


@strawberry.type(description="Ergebnis einer erfolgreichen Änderung an einer Erkenntnis.")
class LessonPayload:
    lesson: Lesson = strawberry.field(description="Die Erkenntnis, wie sie jetzt gespeichert ist.")


@strawberry.input(description="Eine neue Erkenntnis (Lesson Learned) zu einem Projekt.")
class AddLessonInput:
    id: str | None = strawberry.field(default=None, description=MEMBER_IDS)
    project: str = strawberry.field(description="ID des Projekts, aus dem die Erkenntnis stammt.")
    title: str = strawberry.field(description="Die Erkenntnis in einem Satz.")
    text: str = strawberry.field(description="Ausführliche Darstellung.")
    type: LessonType | None = strawberry.field(default=None, description="Art: Erfolg, Stolperstein oder Empfehlung.")
    handlungsfelder: list[str] | None = strawberry.field(default=None, description="IDs der Handlungsfelder.")
    author: str | None = strawberry.field(default=None, description="ID der Person, die sie aufgeschrieben hat.")
    source: str | None = strawberry.field(default=None, description="Herkunft der Angaben.")
    draft: bool = strawberry.field(
        default=False,
        description="Als Entwurf speichern statt zur Prüfung einzureichen (nur für Mitglieder; "
        "Einträge der Moderation werden direkt veröffentlicht). Einreichen später mit `submitEntry`.",
    )


@strawberry.input(
    description="Änderungen an einer Erkenntnis. Nicht angegebene Felder bleiben, wie sie sind; "
    "null (oder eine leere Liste) löscht ein Feld."
)
class UpdateLessonInput:
    id: str = strawberry.field(description="ID der zu ändernden Erkenntnis.")
    project: str | None = strawberry.field(
        default=strawberry.UNSET, description="ID des Projekts, aus dem sie stammt (nicht löschbar)."
    )
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Neuer Titel (nicht löschbar).")
    text: str | None = strawberry.field(default=strawberry.UNSET, description="Neuer Text (nicht löschbar).")
    type: LessonType | None = strawberry.field(default=strawberry.UNSET, description="Neue Art.")
    handlungsfelder: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Neue Handlungsfelder (ersetzt die bisherigen)."
    )
    author: str | None = strawberry.field(default=strawberry.UNSET, description="ID der Person, die sie aufschrieb.")
    source: str | None = strawberry.field(default=strawberry.UNSET, description="Neue Herkunftsangabe.")
    submit: bool = strawberry.field(
        default=False,
        description="Einen Entwurf (oder eine zur Überarbeitung zurückgegebene Erkenntnis) mit dieser Änderung "
        "zur Prüfung einreichen. Ändert ein Mitglied eine veröffentlichte Erkenntnis, wird die Änderung ohnehin "
        "als Vorschlag geprüft.",
    )


_LESSON_FIELDS = ("project", "title", "text", "type", "handlungsfelder", "author", "source")


AddLessonResult = Annotated[
    LessonPayload | UserErrors,
    strawberry.union("AddLessonResult", description="Die neue Erkenntnis, oder warum sie abgelehnt wurde."),
]


UpdateLessonResult = Annotated[
    LessonPayload | UserErrors,
    strawberry.union(
        "UpdateLessonResult", description="Die geänderte Erkenntnis, oder warum die Änderung abgelehnt wurde."
    ),
]


@strawberry.type(description="Änderungen an Erkenntnissen.")
class LessonMutations:
    @strawberry.mutation(
        description="Eine Erkenntnis zu einem Projekt hinzufügen. Mitglieder schreiben zu Projekten ihrer "
        "eigenen Kommune; ihre Erkenntnisse werden von der Moderation geprüft und sind erst nach der Freigabe "
        "für alle sichtbar. Erkenntnisse der Moderation sind sofort veröffentlicht."
    )
    async def add_lesson(
        self,
        info: Info[Context, None],
        input: Annotated[AddLessonInput, strawberry.argument(description="Die neue Erkenntnis.")],  # noqa: A002
    ) -> AddLessonResult:
        ctx = info.context
        data = {
            "id": input.id,
            "project": input.project,
            "title": input.title,
            "text": input.text,
            "type": input.type.value if input.type else None,
            "handlungsfelder": input.handlungsfelder,
            "author": input.author,
            "source": input.source,
        }
        try:
            entity = await run_in_threadpool(service.add_lesson, ctx.store, ctx.identity, data, draft=input.draft)
        except service.Rejected as e:
            return user_errors(e.problems)
        return LessonPayload(lesson=Lesson.from_entity(entity))

    @strawberry.mutation(
        description="Eine Erkenntnis ändern: nur die angegebenen Felder. Mitglieder ändern Erkenntnisse ihrer "
        "Kommune; ändern sie eine veröffentlichte, bleibt sie unverändert veröffentlicht (auch in der Suche), und "
        "die Änderung wartet als Vorschlag (`pendingRevision`) auf die Prüfung. Jede Änderung wird als Version "
        "festgehalten (`history`)."
    )
    async def update_lesson(
        self,
        info: Info[Context, None],
        input: Annotated[UpdateLessonInput, strawberry.argument(description="Die Änderungen.")],  # noqa: A002
    ) -> UpdateLessonResult:
        ctx = info.context
        changes: dict[str, Any] = {}
        for name in _LESSON_FIELDS:
            value = getattr(input, name)
            if value is not strawberry.UNSET:
                changes[name] = value.value if isinstance(value, LessonType) else value
        try:
            entity = await run_in_threadpool(
                service.update_lesson, ctx.store, ctx.identity, input.id, changes, submit=input.submit
            )
        except service.Rejected as e:
            return user_errors(e.problems)
        return LessonPayload(lesson=Lesson.from_entity(entity))
