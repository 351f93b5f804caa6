"""Templates, German labels and the response headers every page carries.

Jinja2 autoescapes everything; the only HTML that comes from data is a search highlight, and
``highlight`` lets nothing through but ``<mark>``. The Content-Security-Policy forbids inline
scripts and styles, so an injection that slipped through still could not run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from schule.domain.population import CENSUS_ATTRIBUTION, SizeClass
from schule.domain.records import is_link

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

STATUS = {
    "IDEA": "Idee", "PLANNING": "in Planung", "IMPLEMENTATION": "in Umsetzung", "OPERATION": "in Betrieb",
    "COMPLETED": "abgeschlossen", "STOPPED": "eingestellt",
}
REVIEW_STATE = {
    "DRAFT": "Entwurf", "SUBMITTED": "eingereicht, wartet auf Prüfung", "PUBLISHED": "veröffentlicht",
    "CHANGES_REQUESTED": "zur Überarbeitung zurückgegeben", "REJECTED": "abgelehnt", "MERGED": "zusammengeführt",
}
REVISION_STATE = {
    "PENDING": "Änderung wartet auf Prüfung", "CHANGES_REQUESTED": "Änderung zur Überarbeitung zurückgegeben",
    "APPROVED": "Änderung übernommen", "REJECTED": "Änderung abgelehnt", "WITHDRAWN": "Änderung zurückgezogen",
}
# Import-format field names as the pages show them (the diff of a revision).
FIELD = {
    "title": "Titel", "summary": "Kurzbeschreibung", "description": "Beschreibung", "communes": "Kommunen",
    "handlungsfelder": "Handlungsfelder", "status": "Stand", "tags": "Schlagwörter", "contacts": "Ansprechpersonen",
    "adapted_from": "Übernommen von", "started": "Beginn", "ended": "Ende", "links": "Links", "source": "Quelle",
    "text": "Text", "type": "Art", "project": "Projekt", "author": "Verfasst von",
    "adopts": "Übernommenes Projekt", "commune": "Kommune", "outcome": "Ergebnis", "contact": "Ansprechperson",
}
LESSON_TYPE = {"SUCCESS": "Erfolg", "PITFALL": "Stolperstein", "RECOMMENDATION": "Empfehlung"}
ROLE = {"PIONEER": "Pionierkommune", "MITMACHER": "Mitmacherkommune", "SUPPORTER": "Unterstützer", "MEMBER": "Mitglied"}
ROLE_PLURAL = {
    "PIONEER": "Pionierkommunen", "MITMACHER": "Mitmacherkommunen", "SUPPORTER": "Unterstützer",
    "MEMBER": "Weitere Mitglieder",
}
BASIS = {"FOUNDING": "Gründungsmitglied", "LETTER_OF_INTENT": "Letter of Intent", "COUNCIL_RESOLUTION": "Ratsbeschluss"}
ACCOUNT_ROLE = {"member": "Mitglied", "moderator": "Moderation", "admin": "Verwaltung"}
SIZE_CLASS = {cls.name: cls.label for cls in SizeClass}  # the API's enum names are the domain's
KIND = {
    "PROJECT": "Projekt", "LESSON": "Lesson learned", "COMMUNE": "Kommune", "PERSON": "Person",
    "EVENT": "Veranstaltung", "HANDLUNGSFELD": "Handlungsfeld", "ORGANISATION": "Organisation",
    "NETWORK": "Netzwerk", "ADAPTATION": "Übernahme",
}
# URL prefix per kind (API enum name or __typename); the id is our own id (``slug``).
PATHS = {
    "PROJECT": "projekte", "LESSON": "erkenntnisse", "COMMUNE": "kommunen", "PERSON": "personen",
    "EVENT": "veranstaltungen", "HANDLUNGSFELD": "handlungsfelder", "ORGANISATION": "organisationen",
    "NETWORK": "netzwerke", "ADAPTATION": "uebernahmen",
}
PREREQUISITE = {"STAFF": "Personal", "DATA": "Daten", "INFRASTRUCTURE": "Infrastruktur",
                "COUNCIL_DECISION": "Ratsbeschluss", "OTHER": "Voraussetzung"}
PARTNER_ROLE = {"OPERATOR": "Betreiber", "SERVICE_PROVIDER": "Dienstleister", "FUNDER": "Fördermittelgeber"}
ADAPTATION_STATUS = {"PLANNED": "geplant", "IN_PROGRESS": "in Arbeit", "DONE": "erledigt", "ABANDONED": "aufgegeben"}

_NOT_MARK = re.compile(r"<(?!/?mark>)")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
try:
    BERLIN: tzinfo = ZoneInfo("Europe/Berlin")
except ZoneInfoNotFoundError:  # no tz database on this machine: times stay in UTC, and say so
    BERLIN = UTC


def url_of(kind: str, slug: str) -> str:
    return f"/{PATHS[kind.upper()]}/{slug}"


def highlight(fragment: str) -> Markup:
    """A highlight from the API (escaped text with ``<mark>``) as HTML, letting no other tag through."""
    return Markup(_NOT_MARK.sub("&lt;", fragment))  # noqa: S704 - every '<' but <mark> is escaped


def datum(value: str | date | datetime | None) -> str:
    """A date as Germans write it: ``9. November 2022``; a partial date as ``November 2022`` or
    ``2022``; a timestamp (ISO with a time, as the API gives ``updatedAt``) in German time as
    ``9. November 2022, 14:05 Uhr``. Anything else is shown as it is (never hidden)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        local = moment.astimezone(BERLIN)
        suffix = " Uhr" if BERLIN is not UTC else " Uhr (UTC)"
        return f"{local.day}. {MONTHS[local.month - 1]} {local.year}, {local:%H:%M}{suffix}"
    if isinstance(value, date):
        return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"
    text = str(value).strip()
    if "T" in text:
        try:
            return datum(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            return text
    match = _PARTIAL_DATE.fullmatch(text)
    if not match:
        return text
    year, month, day = match.groups()
    try:
        if day:
            return datum(date(int(year), int(month), int(day)))
        if month:
            return f"{MONTHS[int(month) - 1]} {year}" if 1 <= int(month) <= 12 else text
    except (ValueError, IndexError):
        return text
    return year


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def query_string(params: Mapping[str, Any]) -> str:
    """``?a=1&b=2&b=3`` from a mapping of names to a value or a list of values (empty ones left out)."""
    pairs = [
        (k, v) for k, values in params.items()
        for v in (values if isinstance(values, list | tuple) else [values]) if v not in (None, "")
    ]
    return "?" + urlencode(pairs) if pairs else ""


class Renderer:
    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.static_versions = {p.name: _digest(p) for p in STATIC.iterdir() if p.is_file()}
        self.env.globals.update(
            static=self.static_url, url_of=url_of, STATUS=STATUS, LESSON_TYPE=LESSON_TYPE, ROLE=ROLE,
            ADAPTATION_STATUS=ADAPTATION_STATUS, PREREQUISITE=PREREQUISITE, PARTNER_ROLE=PARTNER_ROLE,
            ROLE_PLURAL=ROLE_PLURAL, BASIS=BASIS, KIND=KIND, query_string=query_string, REVIEW_STATE=REVIEW_STATE,
            REVISION_STATE=REVISION_STATE, FIELD=FIELD, SIZE_CLASS=SIZE_CLASS, CENSUS_ATTRIBUTION=CENSUS_ATTRIBUTION,
            ACCOUNT_ROLE=ACCOUNT_ROLE,
        )
        self.env.filters.update(highlight=highlight, paragraphs=paragraphs, number=_number, datum=datum,
                                quellen=_sources)
        # Only https, http and mailto become links; anything else stored before validation existed
        # (javascript:, data:, vbscript:) is shown as text. The CSP stays the last line, not the first.
        self.env.tests["link"] = is_link

    def static_url(self, name: str) -> str:
        """A static file's URL with its content hash, so browsers may cache it for long."""
        return f"/static/{name}?v={self.static_versions[name]}"

    def page(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(**values)
        return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def _sources(text: str | None) -> list[Any]:
    from schule.web.sources import sources  # sources.py uses datum from here

    return list(sources(text))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _number(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", ".")
