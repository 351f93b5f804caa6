"""GraphQL types of the knowledge-transfer read side: peers, recommendations, experts, coverage and
network statistics. The rankings and counts are computed in ``schule.services.transfer``."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from schule.domain.population import CENSUS_ATTRIBUTION, CENSUS_DAY, size_class
from schule.domain.population import SizeClass as DomainSizeClass
from schule.graphql.enums import MembershipBasis, MembershipRole, ProjectStatus

if TYPE_CHECKING:
    from schule.graphql.adaptations.types import Adaptation
    from schule.graphql.communes.types import Commune
    from schule.graphql.handlungsfelder.types import Handlungsfeld
    from schule.graphql.lessons.types import Lesson
    from schule.graphql.networks.types import Network
    from schule.graphql.people.types import Person
    from schule.graphql.projects.types import Project

AdaptationRef = Annotated["Adaptation", strawberry.lazy("schule.graphql.adaptations.types")]
CommuneRef = Annotated["Commune", strawberry.lazy("schule.graphql.communes.types")]
HandlungsfeldRef = Annotated["Handlungsfeld", strawberry.lazy("schule.graphql.handlungsfelder.types")]
LessonRef = Annotated["Lesson", strawberry.lazy("schule.graphql.lessons.types")]
NetworkRef = Annotated["Network", strawberry.lazy("schule.graphql.networks.types")]
PersonRef = Annotated["Person", strawberry.lazy("schule.graphql.people.types")]
ProjectRef = Annotated["Project", strawberry.lazy("schule.graphql.projects.types")]

POPULATION_SOURCE = f"Quelle der Einwohnerzahlen: {CENSUS_ATTRIBUTION} (Stichtag {CENSUS_DAY})."


def _size_value(cls: DomainSizeClass, bounds: str) -> object:
    return strawberry.enum_value(cls.value, description=f"{cls.label}: {bounds} (BBSR-Schlüssel {cls.key}).")


@strawberry.enum(
    description="Stadt- und Gemeindetyp nach Einwohnerzahl, in den Klassen des BBSR (Bundesinstitut für Bau-, "
    "Stadt- und Raumforschung): Landgemeinde unter 5.000 Einwohnern, Kleinstadt 5.000 bis unter 20.000 "
    "(kleine/größere), Mittelstadt 20.000 bis unter 100.000 (kleinere/größere), Großstadt ab 100.000 "
    "(kleinere/große). Abgeleitet allein aus der Einwohnerzahl; die zentralörtliche Funktion, die das BBSR "
    "zusätzlich heranzieht, ist hier nicht erfasst."
)
class SizeClass(enum.Enum):
    LANDGEMEINDE = _size_value(DomainSizeClass.LANDGEMEINDE, "unter 5.000 Einwohner")
    KLEINE_KLEINSTADT = _size_value(DomainSizeClass.KLEINE_KLEINSTADT, "5.000 bis unter 10.000 Einwohner")
    GROESSERE_KLEINSTADT = _size_value(DomainSizeClass.GROESSERE_KLEINSTADT, "10.000 bis unter 20.000 Einwohner")
    KLEINERE_MITTELSTADT = _size_value(DomainSizeClass.KLEINERE_MITTELSTADT, "20.000 bis unter 50.000 Einwohner")
    GROESSERE_MITTELSTADT = _size_value(DomainSizeClass.GROESSERE_MITTELSTADT, "50.000 bis unter 100.000 Einwohner")
    KLEINERE_GROSSSTADT = _size_value(DomainSizeClass.KLEINERE_GROSSSTADT, "100.000 bis unter 500.000 Einwohner")
    GROSSE_GROSSSTADT = _size_value(DomainSizeClass.GROSSE_GROSSSTADT, "500.000 Einwohner und mehr")


_SIZE_CLASSES = {d: SizeClass(d.value) for d in DomainSizeClass}


def size_class_of(population: int | None) -> SizeClass | None:
    found = size_class(population)
    # a dict, not SizeClass(value): every commune node asks (46 of them on a 20-card list page)
    return _SIZE_CLASSES[found] if found is not None else None


REASONS = "Begründungen auf Deutsch, das Wichtigste zuerst."
SCORE = "Punktzahl der Rangfolge (höher ist passender); nur innerhalb einer Antwort vergleichbar."


@strawberry.type(
    description="Eine Kommune wie die gefragte: ähnlich groß (halb bis doppelt so viele Einwohner), "
    "gewichtet nach Größe (40 %), gleichem Kreis (20 %), gleicher Region (10 %), gemeinsamen Netzwerken (15 %) "
    "und gemeinsamen Handlungsfeldern ihrer Projekte (15 %). " + POPULATION_SOURCE
)
class CommunePeer:
    commune: CommuneRef = strawberry.field(description="Die ähnliche Kommune.")
    score: float = strawberry.field(description=SCORE + " Zwischen 0 und 1.")
    reasons: list[str] = strawberry.field(
        description=REASONS + " Z. B. „ähnliche Größe (24.665 / 24.651 Einwohner)“, „ebenfalls im Märkischen Kreis“."
    )


@strawberry.type(
    description="Ein Projekt, das ähnliche Kommunen oder Netzwerkpartner betreiben und die gefragte Kommune "
    "(noch) nicht: bewährte (in Betrieb, abgeschlossen) und von anderen übernommene Projekte stehen vorn."
)
class Recommendation:
    project: ProjectRef = strawberry.field(description="Das empfohlene Projekt.")
    score: float = strawberry.field(description=SCORE)
    reasons: list[str] = strawberry.field(
        description=REASONS + " Z. B. wo es läuft, ob es sich bewährt hat und wie oft es übernommen wurde."
    )


@strawberry.type(
    description="Eine Person mit Erfahrung zu einem Thema, belegt durch das, was sie getan hat: "
    "Ansprechperson passender Projekte, Autorin oder Autor passender Erkenntnisse, Leitung passender "
    "Übernahmen, angegebene Expertise; "
    "jüngere Belege zählen mehr. E-Mail und Telefon zeigt `person` nur, wenn die Regeln es erlauben."
)
class Expert:
    person: PersonRef = strawberry.field(description="Die Person.")
    score: float = strawberry.field(description=SCORE)
    reasons: list[str] = strawberry.field(description=REASONS)
    projects: list[ProjectRef] = strawberry.field(
        description="Belege: passende Projekte, für die die Person Ansprechperson ist (passendste zuerst)."
    )
    lessons: list[LessonRef] = strawberry.field(
        description="Belege: passende Erkenntnisse (Lessons Learned), die die Person verfasst hat (passendste zuerst)."
    )
    adaptations: list[AdaptationRef] = strawberry.field(
        description="Belege: passende Übernahmen, die die Person als Ansprechperson geleitet hat (passendste zuerst)."
    )


@strawberry.enum(description="Wonach die Abdeckung gruppiert wird.")
class CoverageGrouping(enum.Enum):
    COMMUNE = strawberry.enum_value("commune", description="Nach Kommune (`group` ist die ID der Kommune).")
    KREIS = strawberry.enum_value("kreis", description="Nach Kreis (`group` ist der Name des Kreises).")
    REGION = strawberry.enum_value("region", description="Nach Region (`group` ist der Name der Region).")


@strawberry.type(
    description="Eine Zelle der Abdeckung: wie viele veröffentlichte Projekte eine Gruppe von Kommunen in einem "
    "Handlungsfeld hat (Unterfelder zählen für ihr Oberfeld). Dieselbe Zahl wie `projects(filter: …)` mit "
    "dieser Gruppe (`communes`, `kreise` oder `regions`) und `handlungsfelder: [<dieses Feld>]`."
)
class CoverageCell:
    group: str = strawberry.field(
        description="Die Gruppe, so wie der Projektfilter sie erwartet: ID der Kommune, Name des Kreises "
        "oder der Region."
    )
    group_name: str = strawberry.field(description="Anzeigename der Gruppe (bei Kommunen ihr Name).")
    commune: CommuneRef | None = strawberry.field(description="Die Kommune, wenn nach Kommune gruppiert wird.")
    handlungsfeld: HandlungsfeldRef = strawberry.field(description="Das Handlungsfeld.")
    projects: int = strawberry.field(description="Anzahl der Projekte; 0 zeigt eine Lücke.")


@strawberry.type(description="Anzahl der Mitglieder mit einer Rolle.")
class RoleCount:
    role: MembershipRole = strawberry.field(description="Die Rolle.")
    count: int = strawberry.field(description="Anzahl der Mitgliedskommunen.")


@strawberry.type(description="Anzahl der Mitglieder, die auf einer Grundlage beigetreten sind.")
class BasisCount:
    basis: MembershipBasis | None = strawberry.field(description="Die Grundlage; null: nicht erfasst.")
    count: int = strawberry.field(description="Anzahl der Mitgliedskommunen.")


@strawberry.type(description="Eine Anzahl in einem Jahr.")
class YearCount:
    year: int | None = strawberry.field(description="Das Jahr; null: ohne erfasstes Jahr.")
    count: int = strawberry.field(description="Die Anzahl.")


@strawberry.type(description="Beitritte in einem Jahr auf einer Grundlage.")
class YearBasisCount:
    year: int | None = strawberry.field(description="Das Jahr; null: ohne erfasstes Jahr.")
    basis: MembershipBasis | None = strawberry.field(description="Die Grundlage; null: nicht erfasst.")
    count: int = strawberry.field(description="Anzahl der Beitritte.")


@strawberry.type(description="Die Handlungsfelder, in denen ein Kreis kein Projekt hat (Lücken).")
class KreisGaps:
    kreis: str = strawberry.field(description="Der Kreis.")
    handlungsfelder: list[HandlungsfeldRef] = strawberry.field(
        description="Handlungsfelder ohne Projekt in diesem Kreis, in Baumordnung; leer: keine Lücke."
    )


@strawberry.type(description="Projekte in einem Handlungsfeld (einschließlich seiner Unterfelder).")
class HandlungsfeldCount:
    handlungsfeld: HandlungsfeldRef = strawberry.field(description="Das Handlungsfeld.")
    projects: int = strawberry.field(description="Anzahl der Projekte.")


@strawberry.type(description="Projekte mit einem Stand.")
class StatusCount:
    status: ProjectStatus | None = strawberry.field(description="Der Stand; null: ohne Angabe.")
    projects: int = strawberry.field(description="Anzahl der Projekte.")


@strawberry.type(description="Projekte in Kommunen eines Kreises.")
class KreisCount:
    kreis: str | None = strawberry.field(description="Der Kreis; null: keine der Kommunen hat einen Kreis.")
    projects: int = strawberry.field(description="Anzahl der Projekte.")


@strawberry.type(
    description="Kennzahlen eines Netzwerks für eine Statistikseite. Projekte des Netzwerks sind die "
    "veröffentlichten Projekte in mindestens einer Mitgliedskommune, genau wie "
    "`projects(filter: {network: {network: <ID>}})`; jede Aufschlüsselung zählt wie diese Liste mit einem "
    "weiteren Filter (Handlungsfeld mit Unterfeldern, Stand, Kreis)."
)
class NetworkStats:
    network: NetworkRef = strawberry.field(description="Das Netzwerk.")
    members: int = strawberry.field(description="Anzahl der Mitgliedskommunen.")
    members_by_role: list[RoleCount] = strawberry.field(description="Mitglieder je Rolle (alle Rollen, auch 0).")
    members_by_basis: list[BasisCount] = strawberry.field(
        description="Mitglieder je Grundlage des Beitritts (alle Grundlagen, auch 0; null: nicht erfasst)."
    )
    joins_per_year: list[YearCount] = strawberry.field(
        description="Beitritte je Jahr (Jahr von `since` der Mitgliedschaft), aufsteigend; null: ohne Datum."
    )
    joins_per_year_by_basis: list[YearBasisCount] = strawberry.field(
        description="Beitritte je Jahr und Grundlage (nur Paare mit Beitritten): Jahr aufsteigend, ohne Datum "
        "zuletzt; innerhalb eines Jahres die Grundlagen in der Reihenfolge von `MembershipBasis`, nicht erfasst "
        "zuletzt. Die Summe je Jahr ist die Zahl aus `joinsPerYear`."
    )
    projects: int = strawberry.field(description="Anzahl der Projekte des Netzwerks.")
    projects_by_handlungsfeld: list[HandlungsfeldCount] = strawberry.field(
        description="Projekte je Handlungsfeld, einschließlich Unterfeldern (alle Felder in Baumordnung, auch 0)."
    )
    projects_by_status: list[StatusCount] = strawberry.field(
        description="Projekte je Stand (alle Stände, auch 0; null: ohne Angabe)."
    )
    projects_by_kreis: list[KreisCount] = strawberry.field(
        description="Projekte je Kreis ihrer Kommunen; ein Projekt in zwei Kreisen zählt in beiden, die Summe kann "
        "also größer sein als `projects`."
    )
    adoptions_per_year: list[YearCount] = strawberry.field(
        description="Übernahmen je Jahr: jede veröffentlichte Übernahme (`Adaptation`) einer Mitgliedskommune im "
        "Jahr ihres Beginns, und jede ADAPTED_FROM-Kante (`adaptedFrom`) eines Projekts des Netzwerks zu einem "
        "veröffentlichten Projekt, die keine Übernahme derselben Kommune schon zählt, im Jahr des Beginns "
        "(`started`) des übernehmenden Projekts; null: ohne Beginn. Ein Projekt, das zwei andere übernommen hat, "
        "zählt doppelt."
    )
    gaps_by_kreis: list[KreisGaps] = strawberry.field(
        description="Lücken je Kreis der Mitglieder: die Handlungsfelder ohne Projekt des Netzwerks im Kreis, "
        "genau die Nullen von `coverage(groupBy: KREIS, filter: {network: {network: <ID>}})`; jeder Kreis "
        "erscheint, auch ohne Lücke."
    )
