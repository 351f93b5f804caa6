"""Transferability of a project (``Project.transfer``): what another commune needs to take it over.
The parts and their rules are in ``schule.domain.transferability``; every part is optional."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain import transferability
from schule.domain.model import Kind
from schule.graphql.context import Context
from schule.graphql.registry import to_node

if TYPE_CHECKING:
    from schule.graphql.organisations.types import Organisation

OrganisationRef = Annotated["Organisation", strawberry.lazy("schule.graphql.organisations.types")]


@strawberry.enum(description="Art einer Voraussetzung für die Übernahme.")
class PrerequisiteType(enum.Enum):
    STAFF = strawberry.enum_value("staff", description="Personal (Stellen, Kompetenzen).")
    DATA = strawberry.enum_value("data", description="Daten, die vorliegen müssen.")
    INFRASTRUCTURE = strawberry.enum_value("infrastructure", description="Infrastruktur (Netz, Sensoren, Räume).")
    COUNCIL_DECISION = strawberry.enum_value("council_decision", description="Ein Ratsbeschluss.")
    OTHER = strawberry.enum_value("other", description="Sonstiges.")


@strawberry.enum(description="Rolle eines Partners in einem Projekt.")
class PartnerRole(enum.Enum):
    OPERATOR = strawberry.enum_value("operator", description="Betreiber.")
    SERVICE_PROVIDER = strawberry.enum_value("service_provider", description="Dienstleister.")
    FUNDER = strawberry.enum_value("funder", description="Fördermittelgeber.")


@strawberry.type(description="Eine Voraussetzung, die eine Kommune für die Übernahme mitbringen muss.")
class Prerequisite:
    type: PrerequisiteType = strawberry.field(description="Art der Voraussetzung.")
    text: str = strawberry.field(description="Was genau gebraucht wird.")


@strawberry.type(description="Eine Spanne von…bis; eine offene Seite ist null.")
class Range:
    min: int | None = strawberry.field(description="Untergrenze.")
    max: int | None = strawberry.field(description="Obergrenze.")


@strawberry.type(description="Eine Förderung: Programm und Förderquote.")
class Funding:
    programme: str = strawberry.field(description="Förderprogramm, z. B. „Modellprojekte Smart Cities“.")
    share: float | None = strawberry.field(description="Förderquote in Prozent; null, wenn unbekannt.")


@strawberry.type(description="Eine Organisation, die am Projekt beteiligt ist, mit ihrer Rolle.")
class Partner:
    organisation_id: strawberry.Private[str]
    role: PartnerRole = strawberry.field(description="Rolle: Betreiber, Dienstleister oder Fördermittelgeber.")

    @strawberry.field(description="Die Organisation; null, wenn sie nicht (mehr) sichtbar ist.")
    async def organisation(self, info: Info[Context, None]) -> OrganisationRef | None:
        entity = await info.context.loaders.entity.load(self.organisation_id)
        return to_node(entity) if entity is not None and entity.kind == Kind.ORGANISATION else None


@strawberry.type(description="Ein Dokument zum Projekt, z. B. Ratsbeschluss, Leistungsbeschreibung, Evaluation.")
class TransferDocument:
    title: str = strawberry.field(description="Titel des Dokuments.")
    url: str = strawberry.field(description="Adresse des Dokuments.")


@strawberry.type(
    description="Übertragbarkeit: was eine andere Kommune für die Übernahme braucht. Jeder Teil ist optional; "
    "Unbekanntes bleibt leer und wird nie geschätzt. Die Lizenz steht in `Project.license`."
)
class Transferability:
    prerequisites: list[Prerequisite] = strawberry.field(description="Voraussetzungen.")
    effort_days: Range | None = strawberry.field(description="Aufwand in Personentagen.")
    costs_once: Range | None = strawberry.field(description="Einmalige Kosten in Euro.")
    costs_yearly: Range | None = strawberry.field(description="Laufende Kosten in Euro pro Jahr.")
    funding: list[Funding] = strawberry.field(description="Förderungen.")
    repository: str | None = strawberry.field(description="Adresse des Quellcodes, wenn die Lösung Software ist.")
    publiccode: str | None = strawberry.field(description="Adresse der publiccode.yml, wenn es eine gibt.")
    standards: list[str] = strawberry.field(description="Standards und Schnittstellen, z. B. LoRaWAN, OParl.")
    partners: list[Partner] = strawberry.field(description="Partner und Dienstleister mit ihrer Rolle.")
    documents: list[TransferDocument] = strawberry.field(description="Dokumente.")

    @classmethod
    def of(cls, text: str | None) -> Transferability | None:
        data = transferability.loads(text)
        if not data:
            return None

        def rng(name: str) -> Range | None:
            r = data.get(name)
            return Range(min=r.get("min"), max=r.get("max")) if r else None

        return cls(
            prerequisites=[Prerequisite(type=PrerequisiteType(p["type"]), text=p["text"])
                           for p in data.get("prerequisites", ())],
            effort_days=rng("effort_days"), costs_once=rng("costs_once"), costs_yearly=rng("costs_yearly"),
            funding=[Funding(programme=f["programme"], share=f.get("share")) for f in data.get("funding", ())],
            repository=data.get("repository"), publiccode=data.get("publiccode"),
            standards=list(data.get("standards", ())),
            partners=[Partner(organisation_id=p["organisation"], role=PartnerRole(p["role"]))
                      for p in data.get("partners", ())],
            documents=[TransferDocument(title=d["title"], url=d["url"]) for d in data.get("documents", ())],
        )


@strawberry.input(description="Eine Voraussetzung.")
class PrerequisiteInput:
    type: PrerequisiteType = strawberry.field(description="Art der Voraussetzung.")
    text: str = strawberry.field(description="Was genau gebraucht wird.")


@strawberry.input(description="Eine Spanne; mindestens eine Seite angeben.")
class RangeInput:
    min: int | None = strawberry.field(default=None, description="Untergrenze.")
    max: int | None = strawberry.field(default=None, description="Obergrenze.")


@strawberry.input(description="Eine Förderung.")
class FundingInput:
    programme: str = strawberry.field(description="Förderprogramm.")
    share: float | None = strawberry.field(default=None, description="Förderquote in Prozent.")


@strawberry.input(description="Ein Partner mit Rolle.")
class PartnerInput:
    organisation: str = strawberry.field(description="ID der Organisation.")
    role: PartnerRole = strawberry.field(description="Rolle.")


@strawberry.input(description="Ein Dokument.")
class TransferDocumentInput:
    title: str = strawberry.field(description="Titel.")
    url: str = strawberry.field(description="Adresse (https://…).")


@strawberry.input(description="Übertragbarkeit eines Projekts; ersetzt die bisherige ganz. Alle Teile optional.")
class TransferInput:
    prerequisites: list[PrerequisiteInput] | None = strawberry.field(default=None, description="Voraussetzungen.")
    effort_days: RangeInput | None = strawberry.field(default=None, description="Aufwand in Personentagen.")
    costs_once: RangeInput | None = strawberry.field(default=None, description="Einmalige Kosten in Euro.")
    costs_yearly: RangeInput | None = strawberry.field(default=None, description="Laufende Kosten in Euro pro Jahr.")
    funding: list[FundingInput] | None = strawberry.field(default=None, description="Förderungen.")
    repository: str | None = strawberry.field(default=None, description="Adresse des Quellcodes.")
    publiccode: str | None = strawberry.field(default=None, description="Adresse der publiccode.yml.")
    standards: list[str] | None = strawberry.field(default=None, description="Standards und Schnittstellen.")
    partners: list[PartnerInput] | None = strawberry.field(default=None, description="Partner mit Rolle.")
    documents: list[TransferDocumentInput] | None = strawberry.field(default=None, description="Dokumente.")


def transfer_data(value: TransferInput) -> dict[str, Any] | None:
    """The import-format ``transfer`` object of an input (None: nothing given, the field is cleared)."""
    def rng(r: RangeInput | None) -> dict[str, int] | None:
        return None if r is None else {k: v for k, v in (("min", r.min), ("max", r.max)) if v is not None}

    out: dict[str, Any] = {
        "prerequisites": [{"type": p.type.value, "text": p.text} for p in value.prerequisites or ()],
        "effort_days": rng(value.effort_days), "costs_once": rng(value.costs_once),
        "costs_yearly": rng(value.costs_yearly),
        "funding": [{"programme": f.programme, **({"share": f.share} if f.share is not None else {})}
                    for f in value.funding or ()],
        "repository": value.repository, "publiccode": value.publiccode, "standards": list(value.standards or ()),
        "partners": [{"organisation": p.organisation, "role": p.role.value} for p in value.partners or ()],
        "documents": [{"title": d.title, "url": d.url} for d in value.documents or ()],
    }
    out = {k: v for k, v in out.items() if v not in (None, [], {})}
    return out or None
