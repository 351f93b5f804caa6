"""Enums of the API. Values mirror the domain enums (``schule.domain.model``) and the import format."""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum(description="Stand eines Projekts im Lebenszyklus.")
class ProjectStatus(enum.Enum):
    IDEA = strawberry.enum_value("idea", description="Idee: noch nicht geplant.")
    PLANNING = strawberry.enum_value("planning", description="In Planung (Konzept, Förderantrag, Ausschreibung).")
    IMPLEMENTATION = strawberry.enum_value("implementation", description="In Umsetzung (Aufbau, Pilotphase).")
    OPERATION = strawberry.enum_value("operation", description="Im Betrieb: läuft dauerhaft.")
    COMPLETED = strawberry.enum_value("completed", description="Abgeschlossen: planmäßig beendet.")
    STOPPED = strawberry.enum_value("stopped", description="Abgebrochen: vorzeitig eingestellt.")


@strawberry.enum(description="Art einer Erkenntnis (Lesson Learned) aus einem Projekt.")
class LessonType(enum.Enum):
    SUCCESS = strawberry.enum_value("success", description="Erfolg: was gut funktioniert hat.")
    PITFALL = strawberry.enum_value("pitfall", description="Stolperstein: was schiefging oder Zeit gekostet hat.")
    RECOMMENDATION = strawberry.enum_value(
        "recommendation", description="Empfehlung: was andere Kommunen genauso (oder anders) machen sollten."
    )


@strawberry.enum(description="Rolle einer Kommune in einem Netzwerk.")
class MembershipRole(enum.Enum):
    PIONEER = strawberry.enum_value(
        "pioneer",
        description="Pionierkommune: eine der fünf Modellkommunen des Bundes-Modellprojekts Smart Cities "
        "in Südwestfalen (Arnsberg, Bad Berleburg, Menden, Olpe, Soest), die Lösungen zuerst entwickeln.",
    )
    MITMACHER = strawberry.enum_value(
        "mitmacher",
        description="Mitmacherkommune: hat sich der regionalen Rahmenstrategie kostenlos und ohne "
        "Verpflichtung angeschlossen, per Letter of Intent oder Ratsbeschluss, und übernimmt Lösungen.",
    )
    SUPPORTER = strawberry.enum_value(
        "supporter", description="Unterstützer: fördert das Netzwerk, ohne Mitglied im engeren Sinn zu sein."
    )
    MEMBER = strawberry.enum_value("member", description="Mitglied ohne besondere Rolle.")


@strawberry.enum(description="Grundlage, auf der eine Kommune einem Netzwerk beigetreten ist.")
class MembershipBasis(enum.Enum):
    FOUNDING = strawberry.enum_value("founding", description="Gründungsmitglied: von Anfang an dabei.")
    LETTER_OF_INTENT = strawberry.enum_value(
        "letter_of_intent",
        description="Letter of Intent: schriftliche Absichtserklärung der Verwaltungsspitze "
        "(Bürgermeisterin oder Bürgermeister), ohne Beschluss des Rats.",
    )
    COUNCIL_RESOLUTION = strawberry.enum_value(
        "council_resolution",
        description="Ratsbeschluss: Beschluss des gewählten Stadt- oder Gemeinderats; gibt dem Beitritt "
        "ein politisches Mandat.",
    )


@strawberry.enum(
    description="Prüfstand eines Projekts oder einer Erkenntnis in der Moderation. Für alle sichtbar ist nur "
    "PUBLISHED; alles andere sehen nur die Verfasserin bzw. der Verfasser und die Moderation."
)
class ReviewState(enum.Enum):
    DRAFT = strawberry.enum_value("draft", description="Entwurf: noch nicht zur Prüfung eingereicht.")
    SUBMITTED = strawberry.enum_value("submitted", description="Eingereicht: wartet auf die Prüfung.")
    PUBLISHED = strawberry.enum_value("published", description="Veröffentlicht: für alle sichtbar und suchbar.")
    CHANGES_REQUESTED = strawberry.enum_value(
        "changes_requested", description="Zur Überarbeitung zurückgegeben; der Grund steht in `reviewNote`."
    )
    REJECTED = strawberry.enum_value("rejected", description="Abgelehnt; der Grund steht in `reviewNote`.")
    MERGED = strawberry.enum_value(
        "merged", description="Als Dublette in einen anderen Eintrag überführt; die alte ID führt zu ihm."
    )
