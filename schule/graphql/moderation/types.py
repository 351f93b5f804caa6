"""Types of the moderation API: versions of an entry, audit entries, the result of a workflow step."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from schule.domain import trust
from schule.graphql.enums import ReviewState

if TYPE_CHECKING:
    from schule.graphql.lessons.types import Lesson
    from schule.graphql.projects.types import Project

ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]
LessonRef = Annotated["Lesson", strawberry.lazy("schule.graphql.lessons.types")]

ReviewEntry = Annotated[
    ProjectRef | LessonRef,
    strawberry.union(
        "ReviewEntry",
        description="Ein Eintrag, den die Moderation prüft: ein Projekt oder eine Erkenntnis (Lesson Learned).",
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
    author_name: str | None = strawberry.field(description="Name des Kontos, das die Änderung vorgenommen hat.")
    author_role: str | None = strawberry.field(description="Rolle dieses Kontos: 'member', 'moderator' oder 'admin'.")
    note: str | None = strawberry.field(description="Begründung oder Hinweis der Moderation zu diesem Schritt.")
    changes: list[FieldChange] = strawberry.field(description="Die geänderten Felder, jeweils alt → neu.")

    @classmethod
    def of(cls, v: trust.Version) -> EntryVersion:
        return cls(
            slug=v.entity, number=v.number, at=v.at, action=v.action, state=review_state(v.state),
            author_name=v.author_name, author_role=v.author_role, note=v.note,
            changes=[FieldChange(field=c.field, old=as_text(c.old), new=as_text(c.new)) for c in v.changes],
        )


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
