"""Open data: everything published, for everyone, as CSV and JSON-LD, with a DCAT-AP.de catalogue.

Datasets (``DATASETS``): projects, lessons learned, communes, Handlungsfelder, memberships of
communes in networks, and public contacts. Rules:

* **Only published entries**, and references only to published entries (a project's link to a
  lesson still in review is left out, not named).
* **No personal data** except of people who agreed to be a public contact (``public_contact``,
  separate from ``contact_consent``, which only lets signed-in members see e-mail and phone):
  everyone else does not appear at all, not even by name, neither in their own dataset nor as a
  project's contact or a lesson's author. E-mail addresses and phone numbers written into free
  text (descriptions, sources) are replaced by "[entfernt]", ``mailto:`` links left out.
* **CSV**: RFC 4180 (comma, double quotes, CRLF), UTF-8 without byte order mark, a header row
  with German column names (``Dataset.columns`` explains each); lists within a cell separated by
  "; " (links by spaces). A cell that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading
  apostrophe, so that a spreadsheet program shows it as text instead of running it as a formula.
* **JSON-LD**: schema.org where it fits (``schema:Project``, ``schema:CreativeWork``,
  ``schema:AdministrativeArea``, ``schema:OrganizationRole``, ``schema:Person``), SKOS for the
  Handlungsfeld taxonomy, Dublin Core for subjects and dates, and a few own terms (``schule:``,
  explained on ``/daten``). The ``@context`` is inline: no client has to fetch anything.
* Every entry's ``@id`` is the address of its web page (``/projekte/<id>`` …).

``build_snapshot`` reads the store once; ``Snapshot`` holds every file's rows and nodes and the
catalogue. The web layer caches a snapshot per change-log position (``store.last_change()``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schule.domain.data_licences import DataLicence
from schule.domain.model import (
    Commune,
    Handlungsfeld,
    Kind,
    Lesson,
    LessonKind,
    MembershipBasis,
    MembershipRole,
    Network,
    Organisation,
    Person,
    Project,
    ProjectStatus,
)
from schule.store.graph import CypherGraphStore

REMOVED = "[entfernt]"
_EMAIL = re.compile(r"(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?i)\b(?:tel(?:efon)?|fon|phone|mobil|handy|fax)\b\.?:?\s*\+?\d[\d\s/().-]{4,}\d"  # with a label
    r"|\+\d{2}[\s\d/().-]{6,}\d"  # or international
)
_FORMULA = ("=", "+", "-", "@")

STATUS_DE = {ProjectStatus.IDEA: "Idee", ProjectStatus.PLANNING: "in Planung",
             ProjectStatus.IMPLEMENTATION: "in Umsetzung", ProjectStatus.OPERATION: "in Betrieb",
             ProjectStatus.COMPLETED: "abgeschlossen", ProjectStatus.STOPPED: "eingestellt"}
LESSON_DE = {LessonKind.SUCCESS: "Erfolg", LessonKind.PITFALL: "Stolperstein",
             LessonKind.RECOMMENDATION: "Empfehlung"}
ROLE_DE = {MembershipRole.PIONEER: "Pionierkommune", MembershipRole.MITMACHER: "Mitmacherkommune",
           MembershipRole.SUPPORTER: "Unterstützer", MembershipRole.MEMBER: "Mitglied"}
BASIS_DE = {MembershipBasis.FOUNDING: "Gründungsmitglied", MembershipBasis.LETTER_OF_INTENT: "Absichtserklärung",
            MembershipBasis.COUNCIL_RESOLUTION: "Ratsbeschluss"}
PAGES = {Kind.PROJECT: "projekte", Kind.LESSON: "erkenntnisse", Kind.COMMUNE: "kommunen",
         Kind.HANDLUNGSFELD: "handlungsfelder", Kind.PERSON: "personen", Kind.NETWORK: "netzwerke",
         Kind.ORGANISATION: "organisationen"}


@dataclass(frozen=True)
class Dataset:
    """One dataset of the catalogue: files ``<name>.csv`` and ``<name>.jsonld`` under ``/daten/``."""

    name: str
    title: str
    description: str
    keywords: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (CSV column, German meaning)

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]


_ADDRESS = ("Adresse", "Adresse der Seite in der Web-Anwendung; zugleich die ID (@id) in JSON-LD")
_MODIFIED = ("Geändert", "Zeitpunkt der letzten Änderung (ISO 8601, UTC)")

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "projekte", "Smart-City-Projekte",
        "Veröffentlichte Smart-City-Projekte und Open-Source-Lösungen der Kommunen: Beschreibung, Stand, "
        "Kommunen, Handlungsfelder und welches Projekt welches übernommen hat.",
        ("Smart City", "Projekte", "Open Source", "Wissenstransfer", "Kommunen"),
        (("ID", "dauerhafte Kennung"), ("Titel", "Name des Projekts"),
         ("Kurzbeschreibung", "ein bis zwei Sätze"), ("Beschreibung", "ausführliche Beschreibung"),
         ("Kommune", "Namen der Kommunen"), ("Kommune-ID", "IDs der Kommunen (Datensatz Kommunen)"),
         ("Handlungsfeld", "Namen der Handlungsfelder"), ("Handlungsfeld-ID", "IDs der Handlungsfelder"),
         ("Stand", "Idee, in Planung, in Umsetzung, in Betrieb, abgeschlossen oder eingestellt"),
         ("Beginn", "JJJJ, JJJJ-MM oder JJJJ-MM-TT"), ("Ende", "wie Beginn; leer, solange es läuft"),
         ("Schlagworte", "freie Schlagworte"), ("Links", "weiterführende Adressen"),
         ("Lizenz", "Lizenz einer Open-Source-Lösung (SPDX)"),
         ("Übernommen von", "IDs der Projekte, die als Vorbild dienten"),
         ("Ansprechpersonen", "Namen öffentlicher Ansprechpersonen (Datensatz Ansprechpersonen)"),
         ("Ansprechpersonen-ID", "ihre IDs"), ("Quelle", "woher die Angaben stammen"), _ADDRESS, _MODIFIED),
    ),
    Dataset(
        "erkenntnisse", "Erkenntnisse (Lessons Learned)",
        "Was Kommunen in ihren Projekten gelernt haben: Erfolge, Stolpersteine und Empfehlungen.",
        ("Lessons Learned", "Erfahrungen", "Smart City", "Wissenstransfer"),
        (("ID", "dauerhafte Kennung"), ("Titel", "Überschrift"), ("Text", "die Erkenntnis"),
         ("Art", "Erfolg, Stolperstein oder Empfehlung"), ("Projekt-ID", "ID des Projekts"),
         ("Projekt", "Titel des Projekts"), ("Handlungsfeld", "Namen der Handlungsfelder"),
         ("Handlungsfeld-ID", "IDs der Handlungsfelder"),
         ("Autorin oder Autor", "Name, nur bei öffentlichen Ansprechpersonen"), ("Quelle", "woher sie stammt"),
         _ADDRESS, _MODIFIED),
    ),
    Dataset(
        "kommunen", "Kommunen",
        "Die Städte und Gemeinden des Netzwerks mit Kreis, Region, amtlichem Gemeindeschlüssel und Einwohnerzahl.",
        ("Kommunen", "Gemeinden", "Südwestfalen", "Gemeindeschlüssel"),
        (("ID", "dauerhafte Kennung"), ("Name", "Name der Kommune"), ("Kreis", "Kreis"), ("Region", "Region"),
         ("AGS", "amtlicher Gemeindeschlüssel"), ("Einwohner", "Einwohnerzahl"), ("Website", "Internetauftritt"),
         ("Quelle", "woher die Angaben stammen"), _ADDRESS, _MODIFIED),
    ),
    Dataset(
        "handlungsfelder", "Handlungsfelder",
        "Die Themenbereiche der Smart-City-Strategie (z. B. Mobilität, Verwaltung, Umwelt) als Hierarchie.",
        ("Handlungsfelder", "Smart-City-Strategie", "Themen"),
        (("ID", "dauerhafte Kennung"), ("Name", "Name des Handlungsfelds"),
         ("Übergeordnet", "ID des übergeordneten Handlungsfelds"), ("Beschreibung", "Beschreibung"),
         _ADDRESS, _MODIFIED),
    ),
    Dataset(
        "mitgliedschaften", "Mitgliedschaften von Kommunen in Netzwerken",
        "Welche Kommune in welchem Netzwerk mitmacht, in welcher Rolle, seit wann und auf welcher Grundlage.",
        ("Netzwerk", "Mitgliedschaften", "Mitmacherkommunen", "Pionierkommunen"),
        (("Kommune-ID", "ID der Kommune"), ("Kommune", "Name der Kommune"), ("Netzwerk-ID", "ID des Netzwerks"),
         ("Netzwerk", "Name des Netzwerks"),
         ("Rolle", "Pionierkommune, Mitmacherkommune, Unterstützer oder Mitglied"),
         ("Grundlage", "Gründungsmitglied, Absichtserklärung oder Ratsbeschluss"),
         ("Seit", "JJJJ, JJJJ-MM oder JJJJ-MM-TT"), ("Dokument", "Beleg, z. B. ein Ratsbeschluss"),
         ("Adresse", "Adresse der Seite der Kommune")),
    ),
    Dataset(
        "ansprechpersonen", "Öffentliche Ansprechpersonen",
        "Personen, die ausdrücklich zugestimmt haben, als öffentliche Ansprechperson genannt zu werden; "
        "alle anderen Personen erscheinen in den offenen Daten nicht.",
        ("Ansprechpersonen", "Kontakte", "Wissenstransfer"),
        (("ID", "dauerhafte Kennung"), ("Name", "Vor- und Nachname"), ("Funktion", "Funktion oder Rolle"),
         ("Kommune-ID", "ID der Kommune, für die die Person arbeitet"),
         ("Organisation", "Name der Organisation, für die die Person arbeitet"), ("E-Mail", "E-Mail-Adresse"),
         ("Telefon", "Telefonnummer"), ("Themen", "Themen, zu denen die Person Auskunft gibt"), _ADDRESS,
         _MODIFIED),
    ),
)
DATASET_NAMES = frozenset(d.name for d in DATASETS)


def scrub(text: str | None) -> str:
    """Free text without e-mail addresses and phone numbers."""
    if not text:
        return ""
    return _PHONE.sub(REMOVED, _EMAIL.sub(REMOVED, text))


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def to_csv(columns: list[str], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c, "")) for c in columns])
    return out.getvalue()


# -- JSON-LD helpers ------------------------------------------------------------------------------


def context(base: str) -> dict[str, str]:
    return {
        "schema": "https://schema.org/",
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "dcatde": "http://dcat-ap.de/def/dcatde/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "vcard": "http://www.w3.org/2006/vcard/ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "schule": f"{base}/daten#",
    }


def _de(text: str | None) -> dict[str, str] | None:
    return {"@value": text, "@language": "de"} if text else None


def _date(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    kind = {4: "xsd:gYear", 7: "xsd:gYearMonth"}.get(len(value), "xsd:date")
    return {"@value": value, "@type": kind}


def _datetime(value: str | None) -> dict[str, str] | None:
    return {"@value": value, "@type": "xsd:dateTime"} if value else None


def _node(**properties: Any) -> dict[str, Any]:
    """A JSON-LD node without empty properties (``schema_name`` -> ``schema:name``)."""
    out: dict[str, Any] = {}
    for key, value in properties.items():
        if value in (None, "", [], {}):
            continue
        name = key if key.startswith("@") else key.replace("_", ":", 1)
        out[name] = value
    return out


def _spdx(licence: str) -> Any:
    return {"@id": f"https://spdx.org/licenses/{licence}"} if re.fullmatch(r"[A-Za-z0-9.+-]+", licence) else licence


# -- the snapshot ---------------------------------------------------------------------------------


@dataclass
class Table:
    dataset: Dataset
    rows: list[dict[str, str]] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    modified: str | None = None

    def csv(self) -> str:
        return to_csv(self.dataset.column_names, self.rows)

    def jsonld(self, base: str) -> dict[str, Any]:
        return {"@context": context(base), "@graph": self.nodes}


@dataclass
class Snapshot:
    """Every open-data file of one state of the graph, for one public address and licence."""

    base: str
    licence: DataLicence
    publisher: str
    tables: dict[str, Table]

    @property
    def modified(self) -> str | None:
        dates = [t.modified for t in self.tables.values() if t.modified]
        return max(dates) if dates else None

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def catalogue(self) -> dict[str, Any]:
        """The DCAT-AP.de catalogue: one ``dcat:Dataset`` per table, a CSV and a JSON-LD distribution each."""
        licence = {"@id": self.licence.uri}
        publisher = _node(**{"@id": self.url("/daten#herausgeber"), "@type": "foaf:Agent"}, foaf_name=self.publisher,
                          foaf_homepage={"@id": self.url("/")})
        contact = _node(**{"@id": self.url("/daten#kontakt"), "@type": "vcard:Organization"},
                        vcard_fn=self.publisher, vcard_hasURL={"@id": self.url("/daten")})
        attribution = f"{self.publisher}, {self.url('/daten')}" if self.licence.attribution else None
        datasets = []
        for table in self.tables.values():
            d = table.dataset
            distributions = []
            for suffix, media, file_type, label in (
                ("csv", "text/csv", "CSV", "CSV"),
                ("jsonld", "application/ld+json", "JSON_LD", "JSON-LD"),
            ):
                address = self.url(f"/daten/{d.name}.{suffix}")
                distributions.append(_node(
                    **{"@id": address, "@type": "dcat:Distribution"},
                    dct_title=_de(f"{d.title} ({label})"),
                    dcat_accessURL={"@id": address}, dcat_downloadURL={"@id": address},
                    dcat_mediaType={"@id": f"https://www.iana.org/assignments/media-types/{media}"},
                    dct_format={"@id": f"http://publications.europa.eu/resource/authority/file-type/{file_type}"},
                    dct_license=licence, dcatde_licenseAttributionByText=_de(attribution),
                    dct_modified=_datetime(table.modified),
                ))
            datasets.append(_node(
                **{"@id": self.url(f"/daten#datensatz-{d.name}"), "@type": "dcat:Dataset"},
                dct_identifier=self.url(f"/daten#datensatz-{d.name}"),
                dct_title=_de(d.title), dct_description=_de(d.description),
                dcat_keyword=[_de(k) for k in d.keywords],
                dcat_theme=[{"@id": "http://publications.europa.eu/resource/authority/data-theme/REGI"},
                            {"@id": "http://publications.europa.eu/resource/authority/data-theme/GOVE"}],
                dct_publisher={"@id": publisher["@id"]}, dcat_contactPoint={"@id": contact["@id"]},
                dct_license=licence, dct_accessRights={
                    "@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"},
                dct_language={"@id": "http://publications.europa.eu/resource/authority/language/DEU"},
                dct_modified=_datetime(table.modified), dcat_landingPage={"@id": self.url("/daten")},
                dcat_distribution=distributions,
            ))
        catalogue = _node(
            **{"@id": self.url("/daten/katalog.jsonld"), "@type": "dcat:Catalog"},
            dct_title=_de(f"Offene Daten von {self.publisher}"),
            dct_description=_de("Projekte, Erkenntnisse, Kommunen, Handlungsfelder, Mitgliedschaften und öffentliche "
                                "Ansprechpersonen des Wissenstransfer-Netzwerks, als CSV und JSON-LD."),
            dct_publisher={"@id": publisher["@id"]}, dct_license=licence,
            dct_language={"@id": "http://publications.europa.eu/resource/authority/language/DEU"},
            dct_modified=_datetime(self.modified), foaf_homepage={"@id": self.url("/daten")},
            dcat_dataset=datasets,
        )
        return {"@context": context(self.base), "@graph": [catalogue, publisher, contact]}


class _Reader:
    """The published graph, read once, with lookups by id."""

    def __init__(self, store: CypherGraphStore) -> None:
        def published(kind: Kind) -> dict[str, Any]:
            return {e.id: e for e in store.iter_entities(kind)}

        self.projects: dict[str, Project] = published(Kind.PROJECT)
        self.lessons: dict[str, Lesson] = published(Kind.LESSON)
        self.communes: dict[str, Commune] = published(Kind.COMMUNE)
        self.fields: dict[str, Handlungsfeld] = published(Kind.HANDLUNGSFELD)
        self.networks: dict[str, Network] = published(Kind.NETWORK)
        self.organisations: dict[str, Organisation] = published(Kind.ORGANISATION)
        self.people: dict[str, Person] = {i: p for i, p in published(Kind.PERSON).items() if p.public_contact}
        self.memberships = [m for m in store.memberships()
                            if m.commune in self.communes and m.network in self.networks]


def build_snapshot(store: CypherGraphStore, base: str, licence: DataLicence, publisher: str) -> Snapshot:
    r = _Reader(store)

    def page(kind: Kind, entity_id: str) -> str:
        return f"{base}/{PAGES[kind]}/{entity_id}"

    def ref(kind: Kind, entity_id: str, name: str | None = None) -> dict[str, Any]:
        return _node(**{"@id": page(kind, entity_id)}, schema_name=name)

    def latest(entities: Iterable[Any]) -> str | None:
        dates = [e.updated_at for e in entities if e.updated_at]
        return max(dates) if dates else None

    tables = {d.name: Table(d) for d in DATASETS}

    t = tables["projekte"]
    for p in r.projects.values():
        communes = [c for c in p.communes if c in r.communes]
        fields = [h for h in p.handlungsfelder if h in r.fields]
        contacts = [c for c in p.contacts if c in r.people]
        adapted = [a for a in p.adapted_from if a in r.projects]
        links = [link for link in p.links if not link.lower().startswith("mailto:")]
        t.rows.append({
            "ID": p.id, "Titel": p.title, "Kurzbeschreibung": scrub(p.summary), "Beschreibung": scrub(p.description),
            "Kommune": "; ".join(r.communes[c].name for c in communes), "Kommune-ID": "; ".join(communes),
            "Handlungsfeld": "; ".join(r.fields[h].name for h in fields), "Handlungsfeld-ID": "; ".join(fields),
            "Stand": STATUS_DE[p.status] if p.status else "", "Beginn": p.started or "", "Ende": p.ended or "",
            "Schlagworte": "; ".join(p.tags), "Links": " ".join(links), "Lizenz": p.license or "",
            "Übernommen von": "; ".join(adapted),
            "Ansprechpersonen": "; ".join(r.people[c].name for c in contacts),
            "Ansprechpersonen-ID": "; ".join(contacts),
            "Quelle": scrub(p.source), "Adresse": page(Kind.PROJECT, p.id), "Geändert": p.updated_at or "",
        })
        t.nodes.append(_node(
            **{"@id": page(Kind.PROJECT, p.id), "@type": "schema:Project"},
            schema_identifier=p.id, schema_name=_de(p.title), schema_disambiguatingDescription=_de(scrub(p.summary)),
            schema_description=_de(scrub(p.description)),
            schema_location=[ref(Kind.COMMUNE, c, r.communes[c].name) for c in communes],
            dct_subject=[ref(Kind.HANDLUNGSFELD, h, r.fields[h].name) for h in fields],
            schule_stand=p.status.value if p.status else None,
            schema_foundingDate=_date(p.started), schema_dissolutionDate=_date(p.ended),
            schema_keywords=list(p.tags), rdfs_seeAlso=[{"@id": link} for link in links],
            schema_license=_spdx(p.license) if p.license else None,
            schema_isBasedOn=[{"@id": page(Kind.PROJECT, a)} for a in adapted],
            schule_ansprechperson=[ref(Kind.PERSON, c, r.people[c].name) for c in contacts],
            dct_source=scrub(p.source) or None, dct_modified=_datetime(p.updated_at),
        ))
    t.modified = latest(r.projects.values())

    t = tables["erkenntnisse"]
    for lesson in r.lessons.values():
        project = r.projects.get(lesson.project)
        fields = [h for h in lesson.handlungsfelder if h in r.fields]
        author = r.people.get(lesson.author or "")
        t.rows.append({
            "ID": lesson.id, "Titel": lesson.title, "Text": scrub(lesson.text),
            "Art": LESSON_DE[lesson.type] if lesson.type else "",
            "Projekt-ID": project.id if project else "", "Projekt": project.title if project else "",
            "Handlungsfeld": "; ".join(r.fields[h].name for h in fields), "Handlungsfeld-ID": "; ".join(fields),
            "Autorin oder Autor": author.name if author else "", "Quelle": scrub(lesson.source),
            "Adresse": page(Kind.LESSON, lesson.id), "Geändert": lesson.updated_at or "",
        })
        t.nodes.append(_node(
            **{"@id": page(Kind.LESSON, lesson.id), "@type": "schema:CreativeWork"},
            schema_identifier=lesson.id, schema_name=_de(lesson.title), schema_text=_de(scrub(lesson.text)),
            schema_genre=_de(LESSON_DE[lesson.type]) if lesson.type else None,
            schema_about=ref(Kind.PROJECT, project.id, project.title) if project else None,
            dct_subject=[ref(Kind.HANDLUNGSFELD, h, r.fields[h].name) for h in fields],
            schema_author=ref(Kind.PERSON, author.id, author.name) if author else None,
            dct_source=scrub(lesson.source) or None, dct_modified=_datetime(lesson.updated_at),
        ))
    t.modified = latest(r.lessons.values())

    t = tables["kommunen"]
    for c in r.communes.values():
        t.rows.append({
            "ID": c.id, "Name": c.name, "Kreis": c.kreis or "", "Region": c.region or "", "AGS": c.ags or "",
            "Einwohner": "" if c.population is None else str(c.population), "Website": c.website or "",
            "Quelle": scrub(c.source), "Adresse": page(Kind.COMMUNE, c.id), "Geändert": c.updated_at or "",
        })
        t.nodes.append(_node(
            **{"@id": page(Kind.COMMUNE, c.id), "@type": "schema:AdministrativeArea"},
            schema_identifier=c.id, schema_name=_de(c.name), schule_ags=c.ags,
            schule_einwohner={"@value": c.population, "@type": "xsd:integer"} if c.population is not None else None,
            schema_containedInPlace=_node(**{"@type": "schema:AdministrativeArea"}, schema_name=_de(c.kreis))
            if c.kreis else None,
            schule_region=c.region, schema_url={"@id": c.website} if c.website else None,
            dct_modified=_datetime(c.updated_at),
        ))
    t.modified = latest(r.communes.values())

    t = tables["handlungsfelder"]
    for h in r.fields.values():
        parent = h.parent if h.parent in r.fields else None
        t.rows.append({
            "ID": h.id, "Name": h.name, "Übergeordnet": parent or "", "Beschreibung": scrub(h.description),
            "Adresse": page(Kind.HANDLUNGSFELD, h.id), "Geändert": h.updated_at or "",
        })
        t.nodes.append(_node(
            **{"@id": page(Kind.HANDLUNGSFELD, h.id), "@type": "skos:Concept"},
            skos_notation=h.id, skos_prefLabel=_de(h.name), skos_definition=_de(scrub(h.description)),
            skos_broader={"@id": page(Kind.HANDLUNGSFELD, parent)} if parent else None,
            skos_inScheme={"@id": f"{base}/daten#datensatz-handlungsfelder"},
            dct_modified=_datetime(h.updated_at),
        ))
    t.modified = latest(r.fields.values())

    t = tables["mitgliedschaften"]
    for m in r.memberships:
        commune, network = r.communes[m.commune], r.networks[m.network]
        t.rows.append({
            "Kommune-ID": m.commune, "Kommune": commune.name, "Netzwerk-ID": m.network, "Netzwerk": network.name,
            "Rolle": ROLE_DE[m.role], "Grundlage": BASIS_DE[m.basis] if m.basis else "", "Seit": m.since or "",
            "Dokument": scrub(m.document), "Adresse": page(Kind.COMMUNE, m.commune),
        })
        role_id = f"{page(Kind.COMMUNE, m.commune)}#mitgliedschaft-{m.network}"
        t.nodes.append(_node(
            **{"@id": role_id, "@type": "schema:OrganizationRole"},
            schema_member=ref(Kind.COMMUNE, m.commune, commune.name),
            schema_memberOf=ref(Kind.NETWORK, m.network, network.name),
            schema_roleName=_de(ROLE_DE[m.role]), schule_rolle=m.role.value,
            schule_grundlage=_de(BASIS_DE[m.basis]) if m.basis else None, schema_startDate=_date(m.since),
            schule_dokument=scrub(m.document) or None,
        ))
    # Memberships carry no time of their own: the newest change of a commune or network in them.
    t.modified = latest([*(r.communes[m.commune] for m in r.memberships),
                         *(r.networks[m.network] for m in r.memberships)])

    t = tables["ansprechpersonen"]
    for person in r.people.values():
        organisation = r.organisations.get(person.organisation or "")
        commune_id = person.commune if person.commune in r.communes else None
        t.rows.append({
            "ID": person.id, "Name": person.name, "Funktion": person.role or "", "Kommune-ID": commune_id or "",
            "Organisation": organisation.name if organisation else "", "E-Mail": person.email or "",
            "Telefon": person.phone or "", "Themen": "; ".join(person.expertise),
            "Adresse": page(Kind.PERSON, person.id), "Geändert": person.updated_at or "",
        })
        works_for = (ref(Kind.COMMUNE, commune_id, r.communes[commune_id].name) if commune_id
                     else ref(Kind.ORGANISATION, organisation.id, organisation.name) if organisation else None)
        t.nodes.append(_node(
            **{"@id": page(Kind.PERSON, person.id), "@type": "schema:Person"},
            schema_identifier=person.id, schema_name=person.name, schema_jobTitle=_de(person.role),
            schema_email=person.email, schema_telephone=person.phone, schema_worksFor=works_for,
            schema_knowsAbout=[_de(x) for x in person.expertise], dct_modified=_datetime(person.updated_at),
        ))
    t.modified = latest(r.people.values())

    return Snapshot(base=base, licence=licence, publisher=publisher, tables=tables)
