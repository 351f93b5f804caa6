"""Mutations on projects: create, update, record an adaptation ("wir haben X übernommen")."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.graphql.context import Context
from schule.graphql.enums import ProjectStatus
from schule.graphql.errors import UserErrors, user_errors
from schule.graphql.projects.transfer import TransferInput, transfer_data
from schule.graphql.projects.types import Project
from schule.services import projects as service

WHO = (
    " Mitglieder schreiben für ihre eigene Kommune; ihre neuen Einträge werden von der Moderation geprüft "
    "(`state` SUBMITTED) und sind erst nach der Freigabe für alle sichtbar. Ändert ein Mitglied einen "
    "veröffentlichten Eintrag, bleibt er unverändert veröffentlicht (auch in der Suche): die Änderung wartet als "
    "Vorschlag (`pendingRevision`) auf die Prüfung und gilt erst nach der Freigabe. Einträge der Moderation "
    "sind sofort veröffentlicht. Jede Änderung wird als Version festgehalten (`history`)."
)
MEMBER_IDS = (
    "Nur für Moderation und Administration: eigene ID (Kleinbuchstaben, Ziffern, '-'); ohne Angabe aus dem "
    "Titel gebildet. Mitglieder geben keine ID an (sonst wird die Änderung mit INVALID abgelehnt): ihre "
    "Einträge bekommen eine vom Server gebildete ID, den Titel plus ein zufälliges Kürzel aus sechs Zeichen "
    "(z. B. 'parken-in-olpe-k3q7za')."
)

DATE = "Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT."


@strawberry.type(description="Ergebnis einer erfolgreichen Änderung an einem Projekt.")
class ProjectPayload:
    project: Project = strawberry.field(description="Das Projekt, wie es jetzt gespeichert ist.")


@strawberry.input(description="Ein neues Projekt. Verweise (Kommunen, Handlungsfelder, Personen, Projekte) sind IDs.")
class CreateProjectInput:
    id: str | None = strawberry.field(default=None, description=MEMBER_IDS)
    title: str = strawberry.field(description="Titel.")
    summary: str = strawberry.field(description="Kurzbeschreibung in ein bis zwei Sätzen.")
    description: str | None = strawberry.field(default=None, description="Ausführliche Beschreibung.")
    communes: list[str] | None = strawberry.field(default=None, description="IDs der Kommunen, in denen es läuft.")
    handlungsfelder: list[str] | None = strawberry.field(default=None, description="IDs der Handlungsfelder.")
    status: ProjectStatus | None = strawberry.field(default=None, description="Stand im Lebenszyklus.")
    tags: list[str] | None = strawberry.field(default=None, description="Freie Schlagwörter.")
    contacts: list[str] | None = strawberry.field(default=None, description="IDs der Ansprechpersonen.")
    adapted_from: list[str] | None = strawberry.field(
        default=None, description="IDs der Projekte, die dieses Projekt übernommen hat."
    )
    started: str | None = strawberry.field(default=None, description=f"Beginn: {DATE}")
    ended: str | None = strawberry.field(default=None, description=f"Ende: {DATE}")
    links: list[str] | None = strawberry.field(default=None, description="Weiterführende Adressen (URLs).")
    source: str | None = strawberry.field(default=None, description="Herkunft der Angaben.")
    transfer: TransferInput | None = strawberry.field(
        default=None, description="Übertragbarkeit: Voraussetzungen, Aufwand, Kosten, Förderung, Partner, Dokumente."
    )
    draft: bool = strawberry.field(
        default=False,
        description="Als Entwurf speichern statt zur Prüfung einzureichen (nur für Mitglieder; "
        "Einträge der Moderation werden direkt veröffentlicht). Einreichen später mit `submitEntry`.",
    )


@strawberry.input(
    description="Änderungen an einem Projekt. Nicht angegebene Felder bleiben, wie sie sind; "
    "null (oder eine leere Liste) löscht ein Feld."
)
class UpdateProjectInput:
    id: str = strawberry.field(description="ID des zu ändernden Projekts.")
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="Neuer Titel (Pflichtfeld: nicht löschbar)."
    )
    summary: str | None = strawberry.field(
        default=strawberry.UNSET, description="Neue Kurzbeschreibung (nicht löschbar)."
    )
    description: str | None = strawberry.field(default=strawberry.UNSET, description="Neue ausführliche Beschreibung.")
    communes: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Neue Kommunen (ersetzt die bisherigen). Mitglieder können Kommunen hinzufügen, aber keine "
        "entfernen (FORBIDDEN auf `communes`): das darf nur die Moderation.",
    )
    handlungsfelder: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Neue Handlungsfelder (ersetzt die bisherigen)."
    )
    status: ProjectStatus | None = strawberry.field(default=strawberry.UNSET, description="Neuer Stand.")
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Neue Schlagwörter (ersetzt die bisherigen)."
    )
    contacts: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Neue Ansprechpersonen (ersetzt die bisherigen)."
    )
    adapted_from: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Übernommene Projekte (ersetzt die bisherigen)."
    )
    started: str | None = strawberry.field(default=strawberry.UNSET, description=f"Neuer Beginn: {DATE}")
    ended: str | None = strawberry.field(default=strawberry.UNSET, description=f"Neues Ende: {DATE}")
    links: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Neue Adressen (ersetzt die bisherigen)."
    )
    source: str | None = strawberry.field(default=strawberry.UNSET, description="Neue Herkunftsangabe.")
    transfer: TransferInput | None = strawberry.field(
        default=strawberry.UNSET, description="Neue Übertragbarkeit (ersetzt die bisherige; null löscht sie)."
    )
    submit: bool = strawberry.field(
        default=False,
        description="Einen Entwurf (oder einen zur Überarbeitung zurückgegebenen Eintrag) mit dieser Änderung "
        "zur Prüfung einreichen. Ändert ein Mitglied ein veröffentlichtes Projekt, wird die Änderung ohnehin "
        "als Vorschlag geprüft.",
    )


@strawberry.input(description="„Wir haben X übernommen“: ein Projekt hat ein anderes nachgemacht oder angepasst.")
class RecordAdaptationInput:
    project: str = strawberry.field(description="ID des Projekts, das übernommen hat (das eigene).")
    adapted_from: str = strawberry.field(description="ID des Projekts, das übernommen wurde (das Vorbild).")


CreateProjectResult = Annotated[
    ProjectPayload | UserErrors,
    strawberry.union("CreateProjectResult", description="Das neue Projekt, oder warum es abgelehnt wurde."),
]
UpdateProjectResult = Annotated[
    ProjectPayload | UserErrors,
    strawberry.union(
        "UpdateProjectResult", description="Das geänderte Projekt, oder warum die Änderung abgelehnt wurde."
    ),
]
RecordAdaptationResult = Annotated[
    ProjectPayload | UserErrors,
    strawberry.union(
        "RecordAdaptationResult", description="Das übernehmende Projekt mit neuem `adaptedFrom`, oder warum abgelehnt."
    ),
]


def _fields(data: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Input fields in import-format names; UNSET (not given) ones are left out."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(data, name)
        if value is strawberry.UNSET:
            continue
        if isinstance(value, TransferInput):
            out[name] = transfer_data(value)
        else:
            out[name] = value.value if isinstance(value, ProjectStatus) else value
    return out


_PROJECT_FIELDS = (
    "title",
    "summary",
    "description",
    "communes",
    "handlungsfelder",
    "status",
    "tags",
    "contacts",
    "adapted_from",
    "started",
    "ended",
    "links",
    "source",
    "transfer",
)


@strawberry.type(description="Änderungen an Projekten.")
class ProjectMutations:
    @strawberry.mutation(
        description="Ein neues Projekt anlegen. Geprüft wird wie beim Import (Formate, Verweise)." + WHO
    )
    async def create_project(
        self,
        info: Info[Context, None],
        input: Annotated[CreateProjectInput, strawberry.argument(description="Das neue Projekt.")],  # noqa: A002
    ) -> CreateProjectResult:
        ctx = info.context
        data = {"id": input.id, **_fields(input, _PROJECT_FIELDS)}
        try:
            entity = await run_in_threadpool(service.create_project, ctx.store, ctx.identity, data, draft=input.draft)
        except service.Rejected as e:
            return user_errors(e.problems)
        return ProjectPayload(project=Project.from_entity(entity))

    @strawberry.mutation(description="Ein Projekt ändern: nur die angegebenen Felder." + WHO)
    async def update_project(
        self,
        info: Info[Context, None],
        input: Annotated[UpdateProjectInput, strawberry.argument(description="Die Änderungen.")],  # noqa: A002
    ) -> UpdateProjectResult:
        ctx = info.context
        try:
            entity = await run_in_threadpool(
                service.update_project, ctx.store, ctx.identity, input.id, _fields(input, _PROJECT_FIELDS),
                submit=input.submit,
            )
        except service.Rejected as e:
            return user_errors(e.problems)
        return ProjectPayload(project=Project.from_entity(entity))

    @strawberry.mutation(
        description="Festhalten, dass ein Projekt ein anderes übernommen hat („wir haben X übernommen“). "
        "Danach erscheint das Vorbild in `adaptedFrom` und das übernehmende Projekt in dessen `adaptations`, sofort "
        "und auch bei einem veröffentlichten Projekt: es ändert keinen veröffentlichten Text, nur diese Verbindung, "
        "und wird als Version festgehalten. Das Vorbild selbst wird nicht verändert."
    )
    async def record_adaptation(
        self,
        info: Info[Context, None],
        input: Annotated[RecordAdaptationInput, strawberry.argument(description="Wer hat wen übernommen.")],  # noqa: A002
    ) -> RecordAdaptationResult:
        ctx = info.context
        try:
            entity = await run_in_threadpool(
                service.record_adaptation, ctx.store, ctx.identity, input.project, input.adapted_from
            )
        except service.Rejected as e:
            return user_errors(e.problems)
        return ProjectPayload(project=Project.from_entity(entity))
