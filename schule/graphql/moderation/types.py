"""Types of the moderation API: versions and revisions of an entry, audit entries, the result of a
workflow step. Who sees which versions and revisions is decided by the services
(``schule.services.history``, ``schule.services.revisions``); these types only show it."""

from __future__ import annotations

import enum
import json
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from schule.auth.identity import Identity
from schule.domain import model, trust
from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.enums import ReviewState
from schule.services import revisions
from schule.services.history import ShownVersion

if TYPE_CHECKING:
    from schule.graphql.adaptations.types import Adaptation
    from schule.graphql.communes.types import Commune
    from schule.graphql.lessons.types import Lesson
    from schule.graphql.projects.types import Project

ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]
LessonRef = Annotated["Lesson", strawberry.lazy("schule.graphql.lessons.types")]
AdaptationRef = Annotated["Adaptation", strawberry.lazy("schule.graphql.adaptations.types")]
CommuneRef = Annotated["Commune", strawberry.lazy("schule.graphql.communes.types")]

ReviewEntry = Annotated[
    ProjectRef | LessonRef | AdaptationRef,
    strawberry.union(
        "ReviewEntry",
        description="Ein Eintrag, den die Moderation prüft: ein Projekt, eine Erkenntnis (Lesson Learned) oder "
        "eine Übernahme.",
    ),
]

VALUE = (
    "Wert als Text: Zeichenketten wie gespeichert, Listen und Zahlen als JSON (z. B. [\"mobilitaet\"]); "
    "null, wenn das Feld leer war bzw. ist."
)


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def review_state(value: str | None) -> ReviewState | None:
    return ReviewState(value) if value in {s.value for s in ReviewState} else None


@strawberry.type(description="Eine Feldänderung innerhalb einer Version: welches Feld, alter und neuer Wert.")
class FieldChange:
    field: str = strawberry.field(
        description="Name des Felds im Importformat, z. B. 'summary', 'handlungsfelder' oder 'state' (Prüfstand)."
    )
    old: str | None = strawberry.field(description=f"Wert vorher. {VALUE}")
    new: str | None = strawberry.field(description=f"Wert nachher. {VALUE}")


@strawberry.type(
    description="Eine Version eines Projekts oder einer Erkenntnis: wer wann was geändert hat. Jede Änderung "
    "und jeder Schritt der Moderation (Einreichen, Freigeben, Ablehnen, Zusammenführen …) schreibt eine."
)
class EntryVersion:
    slug: str = strawberry.field(
        description="ID des Eintrags, für den die Version geschrieben wurde: der Eintrag selbst oder eine in ihn "
        "überführte Dublette (deren Versionen gehören nach dem Zusammenführen zur Geschichte des Eintrags)."
    )
    number: int = strawberry.field(description="Laufende Nummer der Version dieses Eintrags (`slug`), ab 1.")
    at: str = strawberry.field(description="Zeitpunkt (ISO 8601, UTC).")
    action: str = strawberry.field(
        description="Was geschah: 'create', 'update', 'record_adaptation', 'retag', 'submit', 'approve', "
        "'reject', 'request_changes' oder 'merge'."
    )
    state: ReviewState | None = strawberry.field(description="Prüfstand nach dieser Version.")
    author: str = strawberry.field(
        description="Wer die Änderung vorgenommen hat, so weit die anfragende Person es sehen darf: der Name des "
        "Kontos (für Moderation und Mitglieder der Kommunen des Eintrags), sonst 'Moderation' (Schritte der "
        "Moderation und Administration) oder der Name der Kommune des Mitglieds."
    )
    author_name: str | None = strawberry.field(
        description="Name des Kontos, das die Änderung vorgenommen hat; null für alle außer der Moderation und "
        "Mitgliedern der Kommunen des Eintrags."
    )
    author_role: str | None = strawberry.field(
        description="Rolle dieses Kontos: 'member', 'moderator' oder 'admin'; null wie `authorName`."
    )
    note: str | None = strawberry.field(
        description="Begründung oder Hinweis der Moderation zu diesem Schritt; null wie `authorName`."
    )
    changes: list[FieldChange] = strawberry.field(description="Die geänderten Felder, jeweils alt → neu.")

    @classmethod
    def of(cls, shown: ShownVersion) -> EntryVersion:
        v = shown.version
        return cls(
            slug=v.entity, number=v.number, at=v.at, action=v.action, state=review_state(v.state),
            author=shown.author, author_name=v.author_name, author_role=v.author_role, note=v.note,
            changes=field_changes(v.changes),
        )


def field_changes(changes: Any) -> list[FieldChange]:
    return [FieldChange(field=c.field, old=as_text(c.old), new=as_text(c.new)) for c in changes]


@strawberry.enum(description="Stand eines Änderungsvorschlags zu einem veröffentlichten Eintrag.")
class RevisionState(enum.Enum):
    PENDING = strawberry.enum_value("pending", description="Wartet auf die Prüfung durch die Moderation.")
    CHANGES_REQUESTED = strawberry.enum_value(
        "changes_requested", description="Zur Überarbeitung zurückgegeben; `note` sagt, was fehlt."
    )
    APPROVED = strawberry.enum_value("approved", description="Übernommen: der Eintrag zeigt die Änderung.")
    REJECTED = strawberry.enum_value("rejected", description="Abgelehnt; der Eintrag blieb, wie er war.")
    WITHDRAWN = strawberry.enum_value(
        "withdrawn", description="Zurückgezogen: die Verfasserin bzw. der Verfasser hat alles zurückgeändert."
    )


@strawberry.type(
    description="Ein Änderungsvorschlag eines Mitglieds zu einem veröffentlichten Projekt oder einer "
    "veröffentlichten Erkenntnis. Bis die Moderation ihn freigibt, sehen alle den veröffentlichten Stand "
    "(auch die Suche). Sichtbar nur für die Moderation und für Mitglieder der Kommunen des Eintrags."
)
class EntryRevision:
    state: RevisionState = strawberry.field(description="Stand des Vorschlags.")
    created_at: str = strawberry.field(description="Zeitpunkt des Vorschlags (ISO 8601, UTC).")
    updated_at: str = strawberry.field(description="Zeitpunkt der letzten Änderung oder Entscheidung.")
    author_name: str | None = strawberry.field(description="Name des Kontos, das die Änderung vorgeschlagen hat.")
    own: bool = strawberry.field(description="Hat die anfragende Person selbst ihn vorgeschlagen?")
    note: str | None = strawberry.field(
        description="Begründung der Moderation (bei Ablehnung oder Rückgabe) oder ihr Hinweis zur Freigabe."
    )
    changes: list[FieldChange] = strawberry.field(
        description="Die vorgeschlagenen Feldänderungen: `old` ist der veröffentlichte Wert (bei offenen "
        "Vorschlägen der heutige, sonst der zur Zeit des Vorschlags), `new` der vorgeschlagene."
    )
    author_commune_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, revision: trust.Revision, entity: model.Entity, identity: Identity) -> EntryRevision:
        return cls(
            state=RevisionState(revision.state.value), created_at=revision.created_at, updated_at=revision.updated_at,
            author_name=revision.author_name,
            own=revision.author is not None and revision.author == identity.account_id,
            note=revision.note, changes=field_changes(revisions.shown_changes(entity, revision)),
            author_commune_id=revision.author_commune,
        )

    @strawberry.field(description="Die Kommune, für die das Mitglied den Vorschlag gemacht hat.")
    async def author_commune(self, info: Info[Context, None]) -> CommuneRef | None:
        from schule.graphql.registry import to_node

        if not self.author_commune_id:
            return None
        found = await info.context.loaders.entity.load(self.author_commune_id)
        return to_node(found) if found is not None and found.kind == Kind.COMMUNE else None


async def entry_revisions(info: Info[Context, None], entity: model.Entity) -> list[EntryRevision]:
    """The revisions of ``entity`` the caller may see (``revisions.may_see``), newest first."""
    identity = info.context.identity
    if not identity.authenticated:
        return []
    found = await info.context.loaders.revisions.load(entity.id)
    if not found:
        return []
    if isinstance(entity, model.Lesson):
        project = await info.context.loaders.entity.load(entity.project)
        communes = project.communes if isinstance(project, model.Project) else ()
    elif isinstance(entity, model.Adaptation):
        communes = (entity.commune,)
    else:
        communes = entity.communes if isinstance(entity, model.Project) else ()
    return [EntryRevision.of(r, entity, identity) for r in found if revisions.may_see(identity, r, communes)]


async def own_revision(info: Info[Context, None], entity: model.Entity) -> EntryRevision | None:
    mine = [r for r in await entry_revisions(info, entity) if r.own]
    return mine[0] if mine else None


async def pending_revision(info: Info[Context, None], entity: model.Entity) -> EntryRevision | None:
    open_ = [r for r in await entry_revisions(info, entity)
             if r.state in (RevisionState.PENDING, RevisionState.CHANGES_REQUESTED)]
    return open_[-1] if open_ else None


@strawberry.type(
    description="Ein Eintrag im Prüfprotokoll: eine Handlung der Moderation oder Administration. Das Protokoll "
    "wird nur ergänzt, nie geändert."
)
class AuditEntry:
    seq: int = strawberry.field(description="Laufende Nummer im Protokoll.")
    at: str = strawberry.field(description="Zeitpunkt (ISO 8601, UTC).")
    action: str = strawberry.field(description="Was getan wurde, z. B. 'approve', 'reject', 'merge', 'add_account'.")
    actor_name: str | None = strawberry.field(description="Name des handelnden Kontos.")
    actor_role: str | None = strawberry.field(description="Rolle des handelnden Kontos.")
    target: str | None = strawberry.field(description="ID des betroffenen Eintrags oder Kontos.")
    target_kind: str | None = strawberry.field(description="Art des betroffenen Eintrags, z. B. 'project'.")
    reason: str | None = strawberry.field(description="Angegebene Begründung.")
    details: str = strawberry.field(description="Weitere Angaben als JSON-Objekt (z. B. geänderte Felder).")

    @classmethod
    def of(cls, a: trust.AuditEntry) -> AuditEntry:
        return cls(
            seq=a.seq, at=a.at, action=a.action, actor_name=a.actor_name, actor_role=a.actor_role, target=a.target,
            target_kind=a.target_kind, reason=a.reason, details=json.dumps(a.details, ensure_ascii=False, default=str),
        )


@strawberry.type(description="Ergebnis eines erfolgreichen Schritts der Moderation.")
class ModerationPayload:
    entry: ReviewEntry = strawberry.field(
        description="Der Eintrag, wie er jetzt gespeichert ist (beim Zusammenführen: der verbleibende)."
    )
    state: ReviewState = strawberry.field(description="Sein Prüfstand nach dem Schritt.")
    revision: EntryRevision | None = strawberry.field(
        default=None,
        description="Der Änderungsvorschlag, über den der Schritt entschieden hat (freigegeben: übernommen, "
        "abgelehnt, zurückgegeben); null, wenn der Schritt den Eintrag selbst betraf.",
    )
