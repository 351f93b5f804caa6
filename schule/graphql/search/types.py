"""Types of the search API."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from schule.domain.model import Kind
from schule.graphql.adaptations.types import Adaptation
from schule.graphql.communes.types import Commune
from schule.graphql.events.types import Event
from schule.graphql.handlungsfelder.types import Handlungsfeld
from schule.graphql.lessons.types import Lesson
from schule.graphql.networks.types import Network
from schule.graphql.organisations.types import Organisation
from schule.graphql.people.types import Person
from schule.graphql.projects.types import Project
from schule.graphql.registry import to_node


@strawberry.enum(description="Art eines Suchtreffers.")
class SearchKind(enum.Enum):
    PROJECT = strawberry.enum_value("project", description="Projekt einer Kommune.")
    LESSON = strawberry.enum_value("lesson", description="Lesson learned: eine Erfahrung aus einem Projekt.")
    COMMUNE = strawberry.enum_value("commune", description="Kommune (Stadt oder Gemeinde).")
    PERSON = strawberry.enum_value("person", description="Ansprechperson (nur öffentliche Angaben).")
    EVENT = strawberry.enum_value("event", description="Veranstaltung, z. B. die Smart Cities: Konferenz.")
    HANDLUNGSFELD = strawberry.enum_value(
        "handlungsfeld", description="Handlungsfeld: Themenbereich wie Mobilität, Verwaltung oder Umwelt."
    )
    ORGANISATION = strawberry.enum_value("organisation", description="Organisation, z. B. Südwestfalen Agentur.")
    NETWORK = strawberry.enum_value("network", description="Netzwerk, z. B. die Smart Cities: Schule.")
    ADAPTATION = strawberry.enum_value(
        "adaptation", description="Übernahme: eine Kommune übernimmt das Projekt einer anderen, mit Ergebnis."
    )


@strawberry.enum(description="Facetten, nach denen Suchtreffer gezählt und gefiltert werden können.")
class SearchFacetName(enum.Enum):
    KIND = strawberry.enum_value("kind", description="Art des Treffers.")
    HANDLUNGSFELD = strawberry.enum_value(
        "handlungsfeld", description="Handlungsfeld (ein Treffer zählt auch für die übergeordneten Felder)."
    )
    COMMUNE = strawberry.enum_value("commune", description="Kommune.")
    KREIS = strawberry.enum_value("kreis", description="Kreis (Landkreis), z. B. Märkischer Kreis.")
    REGION = strawberry.enum_value("region", description="Region, z. B. Südwestfalen oder Münsterland.")
    STATUS = strawberry.enum_value("status", description="Projektstatus, z. B. operation (in Betrieb).")
    TRANSFER = strawberry.enum_value(
        "transfer", description="Was ein Projekt über seine Übernahme sagt (TransferFeature), z. B. open_source."
    )
    STANDARD = strawberry.enum_value("standard", description="Standards und Schnittstellen, z. B. LoRaWAN, OParl.")


@strawberry.enum(description="Angaben zur Übertragbarkeit eines Projekts, nach denen die Suche filtert. "
                 "Ein Merkmal fehlt, wenn der Eintrag es nicht angibt.")
class TransferFeature(enum.Enum):
    ADOPTED = strawberry.enum_value("adopted", description="Von mindestens einer Kommune erfolgreich übernommen.")
    OPEN_SOURCE = strawberry.enum_value(
        "open_source", description="Software mit Quellcode-Adresse, publiccode.yml oder offener Lizenz."
    )
    COSTS = strawberry.enum_value("costs", description="Aufwand oder Kosten sind angegeben.")
    FUNDING = strawberry.enum_value("funding", description="Eine Förderung ist angegeben.")
    PREREQUISITES = strawberry.enum_value("prerequisites", description="Voraussetzungen sind beschrieben.")
    DOCUMENTS = strawberry.enum_value(
        "documents", description="Unterlagen liegen bei (Ratsbeschluss, Leistungsbeschreibung …)."
    )


@strawberry.input(description="Filter für die Suche: innerhalb einer Facette ODER, zwischen Facetten UND.")
class SearchFilter:
    kinds: list[SearchKind] | None = strawberry.field(default=None, description="Nur diese Arten.")
    handlungsfelder: list[strawberry.ID] | None = strawberry.field(
        default=None, description="IDs von Handlungsfeldern; Unterfelder sind eingeschlossen."
    )
    communes: list[strawberry.ID] | None = strawberry.field(default=None, description="IDs von Kommunen.")
    kreise: list[str] | None = strawberry.field(default=None, description="Namen von Kreisen.")
    regions: list[str] | None = strawberry.field(default=None, description="Namen von Regionen.")
    statuses: list[str] | None = strawberry.field(
        default=None, description="Projektstatus: idea, planning, implementation, operation, completed, stopped."
    )
    transfer: list[TransferFeature] | None = strawberry.field(
        default=None, description="Nur Projekte mit diesen Angaben zur Übertragbarkeit (mehrere: eine genügt)."
    )
    standards: list[str] | None = strawberry.field(
        default=None, description="Standards und Schnittstellen, wie die Facette `standard` sie nennt (z. B. OParl)."
    )


# One member per SearchKind (tests/unit/graphql/test_search_node_kinds.py holds the two together).
SearchNode = Annotated[
    Project | Lesson | Commune | Person | Event | Handlungsfeld | Organisation | Network | Adaptation,
    strawberry.union(
        "SearchNode",
        description="Der gefundene Eintrag selbst, als sein eigener Typ (`... on Project { … }`).",
    ),
]


@strawberry.type(description="Ein Suchtreffer.")
class SearchHit:
    kind: SearchKind = strawberry.field(description="Art des Treffers.")
    id: strawberry.ID = strawberry.field(description="Unsere eigene ID des Treffers (z. B. für project(id:)).")
    title: str = strawberry.field(description="Titel oder Name.")
    score: float = strawberry.field(description="Relevanz; höher ist besser. Nur innerhalb einer Suche vergleichbar.")
    highlights: list[str] = strawberry.field(
        description="Textausschnitte als HTML: alles maskiert, Fundstellen in <mark>…</mark>."
    )

    @strawberry.field(
        description="Der gefundene Eintrag selbst, mit allen seinen Feldern: eine Trefferliste braucht so nur "
        "eine Anfrage. null, wenn der Eintrag inzwischen nicht mehr sichtbar ist (der Suchindex folgt "
        "Änderungen nach wenigen Sekunden)."
    )
    async def node(self, info: Info[Any, None]) -> SearchNode | None:
        # the per-request entity loader: the hits of one list are one store round trip, and it
        # applies the access rules (unpublished entries are absent, contact data redacted)
        entity = await info.context.loaders.entity.load(str(self.id))
        if entity is None or entity.kind is not Kind(str(self.kind.value)):
            return None
        return to_node(entity)


@strawberry.type(description="Ein Wert einer Facette mit der Zahl der Treffer.")
class FacetValue:
    value: str = strawberry.field(description="Wert zum Filtern (eine ID oder ein Name).")
    label: str = strawberry.field(description="Anzeigename auf Deutsch.")
    count: int = strawberry.field(description="Zahl der Treffer mit diesem Wert (über alle Seiten).")


@strawberry.type(description="Eine Facette mit ihren Werten, häufigste zuerst.")
class Facet:
    name: SearchFacetName = strawberry.field(description="Welche Facette.")
    values: list[FacetValue] = strawberry.field(description="Werte mit Trefferzahlen.")


@strawberry.type(description="Ergebnis einer Suche.")
class SearchResult:
    total: int = strawberry.field(description="Zahl aller Treffer (nicht nur dieser Seite).")
    hits: list[SearchHit] = strawberry.field(description="Treffer dieser Seite, beste zuerst.")
    facets: list[Facet] = strawberry.field(description="Facetten mit Zahlen, zum Filtern.")
    suggestions: list[str] = strawberry.field(
        description="„Meinten Sie …?“: korrigierte Suchanfragen in echten Wörtern, wenn es wenige Treffer gibt."
    )
