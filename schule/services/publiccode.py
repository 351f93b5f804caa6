"""Reading ``publiccode.yml`` files (the metadata standard of public open-source software that
openCode.de, Developers Italia and the EU's catalogues use), tolerantly.

Files of versions 0.1 to 0.5 are in the wild, many of them not quite valid. What is read anyway,
with a note for the operator (``Publiccode.notes``):

* the version unquoted (``publiccodeYmlVersion: 0.2``, a number in YAML) or under its 0.1 name
  ``publiccode-yaml-version``; ``tags`` (0.1) for ``categories``;
* dates unquoted, or as ``15.04.2021``, ``2021/04/15``, ``2021-04-15T10:00:00Z``, ``2021-04``;
  a date that is none is left out;
* description blocks under ISO 639-2 keys (``deu``, ``eng``: 0.1) or regional ones (``de-DE``), and
  text under the wrong key (English under ``de``): the language of the text decides, by its most
  common words, where it is clear;
* licences that are no SPDX ids (``GPL v3``, ``EUPL 1.2``): see ``schule.services.licences``;
* repository addresses as ``git@host:path`` or ``git://``: read as ``https://host/path``.

What makes a file unusable (``PubliccodeError``, with a German reason): not YAML, not a mapping,
larger than ``MAX_BYTES``, anchors and aliases (never needed here; they can blow up a document),
text with NUL or that is no Unicode, no ``url`` (the repository: the software's identity in the
standard), no ``name``, no description text in any language.

Personal data is not read at all: ``maintenance/contacts`` and ``maintenance/contractors`` (which
may be people) stay in the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import yaml

from schule.domain.records import is_link
from schule.json_input import text_problem

MAX_BYTES = 1024 * 1024  # real files have a few KB
LANGUAGE_NAMES = {"de": "Deutsch", "en": "Englisch", "it": "Italienisch", "fr": "Französisch", "nl": "Niederländisch",
                  "es": "Spanisch", "pt": "Portugiesisch", "sv": "Schwedisch", "da": "Dänisch", "pl": "Polnisch"}
# ISO 639-2 (B and T) codes of version 0.1 files, as BCP 47 primary subtags
_ISO639_2 = {"deu": "de", "ger": "de", "eng": "en", "ita": "it", "fra": "fr", "fre": "fr", "nld": "nl", "dut": "nl",
             "spa": "es", "por": "pt", "swe": "sv", "dan": "da", "pol": "pl"}
# Frequent short words that occur in one of the two languages only (the language test below).
_GERMAN_WORDS = frozenset((
    "und", "der", "das", "für", "mit", "ist", "ein", "eine", "einer", "eines", "von", "zu", "zum", "zur", "den",
    "dem", "des", "im", "auf", "nicht", "sich", "werden", "wird", "bei", "oder", "auch", "kann", "können", "über",
    "sowie", "durch", "wie", "als", "sind", "nach", "bürger", "bürgerinnen", "verwaltung",
))
_ENGLISH_WORDS = frozenset((
    "the", "and", "for", "with", "is", "are", "a", "an", "of", "to", "on", "it", "its", "this", "that", "be", "can",
    "by", "from", "as", "or", "which", "allows", "users", "citizens", "their", "your", "you", "management",
))
_WORD = re.compile(r"[a-zäöüß]+")


class PubliccodeError(ValueError):
    """The file cannot be harvested; the message (German) says why."""


@dataclass(frozen=True)
class Description:
    """The description block chosen for the project: its key in the file and its language."""

    key: str
    language: str
    localised_name: str | None = None
    short: str | None = None
    long: str | None = None
    features: tuple[str, ...] = ()
    documentation: str | None = None
    free_tags: tuple[str, ...] = ()


@dataclass
class Publiccode:
    """What schule takes from one ``publiccode.yml`` file, normalised."""

    name: str
    url: str  # the repository as an https address
    repository: str  # its identity: host/path in lower case, without ``www.`` and ``.git``
    description: Description
    version: str | None = None
    landing_url: str | None = None
    is_based_on: tuple[str, ...] = ()  # repository identities
    software_version: str | None = None
    release_date: str | None = None  # YYYY-MM-DD (or YYYY-MM, YYYY)
    platforms: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()
    development_status: str | None = None
    licence: str | None = None  # as written; ``schule.services.licences`` makes it SPDX
    owners: tuple[str, ...] = ()  # legal/repoOwner, legal/mainCopyrightOwner, organisation/name
    notes: list[str] = field(default_factory=list)


# -- YAML -----------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` without anchors and aliases, and with every scalar a string except booleans
    and null: ``0.10`` stays ``"0.10"``, a date stays its text (an impossible date such as
    ``2021-02-30`` is then our note, not a crash in the YAML library)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "Anker und Aliasse (*name) sind nicht erlaubt", mark)
        return super().compose_node(parent, index)


_STRING_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float", "tag:yaml.org,2002:int"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _STRING_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def decode(raw: bytes) -> tuple[str, str | None]:
    """The file's text, and a note if it was not UTF-8 (the standard requires UTF-8; files saved
    on Windows are sometimes Windows-1252)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Datei ist nicht UTF-8; als Windows-1252 gelesen"
    except UnicodeDecodeError as e:
        raise PubliccodeError(f"weder UTF-8 noch Windows-1252 (Byte {e.start + 1})") from None


def load_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"Zeile {mark.line + 1}, Spalte {mark.column + 1}: " if mark is not None else ""
        raise PubliccodeError(f"kein gültiges YAML ({where}{e.problem or e.context})") from None
    except yaml.YAMLError as e:
        raise PubliccodeError(f"kein gültiges YAML ({e})") from None
    except RecursionError:
        raise PubliccodeError("kein gültiges YAML (zu tief verschachtelt)") from None


# -- values ---------------------------------------------------------------------------------------


class _Reader:
    """Typed access to the document, collecting notes about what it had to skip."""

    def __init__(self, doc: Mapping[str, Any], notes: list[str]) -> None:
        self.doc = doc
        self.notes = notes

    def get(self, *path: str, within: Mapping[str, Any] | None = None) -> Any:
        node: Any = self.doc if within is None else within
        for key in path:
            if not isinstance(node, Mapping):
                return None
            node = node.get(key)
        return node

    def text(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.notes.append(f"„{where}“ ist kein Text; ausgelassen")
            return None
        text = str(value).strip()
        reason = text_problem(text)
        if reason:
            raise PubliccodeError(f"„{where}“ {reason}")
        return text or None

    def texts(self, value: Any, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = [t for i, item in enumerate(items[:200]) if (t := self.text(item, f"{where}[{i}]"))]
        return tuple(dict.fromkeys(out))


def repository_of(address: str) -> tuple[str, str] | None:
    """``(https address, identity)`` of a repository address; None if it is none.

    ``git@github.com:org/app.git``, ``git://…`` and ``ssh://git@…`` become ``https://…``; user
    names and passwords in the address are dropped (never stored). The identity (lower-case
    host and path, without ``www.``, ``.git`` and trailing slashes) is what two files must share
    to describe the same software."""
    address = address.strip()
    scp = re.fullmatch(r"[\w.-]+@([\w.-]+):(?!//)(.+)", address)
    if scp:
        address = f"https://{scp[1]}/{scp[2]}"
    try:
        parts = urlsplit(address)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "git", "ssh", "git+ssh") or not parts.hostname:
        return None
    scheme = parts.scheme.lower() if parts.scheme.lower() in ("http", "https") else "https"
    host = parts.hostname.lower()
    netloc = host if parts.port in (None, 22) else f"{host}:{parts.port}"
    path = re.sub(r"\.git/?$", "", parts.path).rstrip("/")
    link = f"{scheme}://{netloc}{path}"
    if not is_link(link):
        return None
    identity = f"{host.removeprefix('www.')}{':' + str(parts.port) if parts.port not in (None, 22) else ''}{path}"
    return link, identity.lower()


def normalise_date(value: str) -> str | None:
    """A date in one of the formats found in the wild as ``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``)."""
    value = value.strip()
    found: tuple[int, int | None, int | None] | None = None
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", value):
        found = (int(m[1]), int(m[2]), int(m[3]))
    elif m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value):
        found = (int(m[3]), int(m[2]), int(m[1]))
    elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value):
        first, second = int(m[1]), int(m[2])
        if first > 12 >= second:
            found = (int(m[3]), second, first)
        elif second > 12 >= first:
            found = (int(m[3]), first, second)
        # both <= 12: day and month cannot be told apart
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        found = (int(m[1]), int(m[2]), None)
    elif m := re.fullmatch(r"(\d{4})", value):
        found = (int(m[1]), None, None)
    if found is None:
        return None
    year, month, day = found
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    if month is None:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}" if day is None else f"{year:04d}-{month:02d}-{day:02d}"


def guess_language(text: str) -> str | None:
    """``de`` or ``en`` when the text's common words clearly say so; else None."""
    words = _WORD.findall(text.lower())
    german = sum(w in _GERMAN_WORDS for w in words)
    english = sum(w in _ENGLISH_WORDS for w in words)
    if german + english < 3:
        return None
    if german >= 2 * english:
        return "de"
    if english >= 2 * german:
        return "en"
    return None


def _declared_language(key: str) -> str:
    primary = re.split(r"[-_]", key.strip().lower(), maxsplit=1)[0]
    return _ISO639_2.get(primary, primary)


_PREFERENCE = {"de": 0, "en": 1}


def choose_description(reader: _Reader) -> Description:
    """The German block, else the English one, else the first; by the language of its text."""
    section = reader.get("description")
    if not isinstance(section, Mapping) or not section:
        raise PubliccodeError("keine Beschreibung („description“ mit mindestens einer Sprache) vorhanden")
    candidates: list[tuple[tuple[int, int, int], Description]] = []
    for order, (key, block) in enumerate(section.items()):
        key = str(key)
        if not isinstance(block, Mapping):
            reader.notes.append(f"„description/{key}“ ist kein Abschnitt; ausgelassen")
            continue
        where = f"description/{key}"
        short = reader.text(block.get("shortDescription"), f"{where}/shortDescription")
        long = reader.text(block.get("longDescription"), f"{where}/longDescription")
        if not (short or long):
            continue
        declared = _declared_language(key)
        guessed = guess_language(" ".join(t for t in (short, long) if t))
        language = guessed or declared
        if guessed and guessed != declared:
            reader.notes.append(
                f"Text unter „description/{key}“ ist offenbar {LANGUAGE_NAMES.get(guessed, guessed)}")
        description = Description(
            key=key, language=language,
            localised_name=reader.text(block.get("localisedName"), f"{where}/localisedName"),
            short=short, long=long,
            features=reader.texts(block.get("features"), f"{where}/features")[:50],
            documentation=reader.text(block.get("documentation"), f"{where}/documentation"),
            free_tags=reader.texts(block.get("freeTags"), f"{where}/freeTags")[:50],
        )
        rank = (_PREFERENCE.get(language, 2), 0 if language == declared else 1, order)
        candidates.append((rank, description))
    if not candidates:
        raise PubliccodeError("keine Beschreibung: „shortDescription“ und „longDescription“ fehlen in jeder Sprache")
    return min(candidates, key=lambda c: c[0])[1]


# -- the file -------------------------------------------------------------------------------------


def parse(raw: bytes) -> Publiccode:
    """Read one ``publiccode.yml``; raises ``PubliccodeError`` if it cannot be harvested."""
    if len(raw) > MAX_BYTES:
        raise PubliccodeError(f"größer als {MAX_BYTES // 1024} KB")
    if not raw.strip():
        raise PubliccodeError("die Datei ist leer")
    text, encoding_note = decode(raw)
    doc = load_yaml(text)
    if not isinstance(doc, Mapping):
        raise PubliccodeError("kein publiccode.yml: das Dokument ist keine Zuordnung von Schlüsseln zu Werten")
    notes = [encoding_note] if encoding_note else []
    r = _Reader(doc, notes)

    version = r.text(r.get("publiccodeYmlVersion"), "publiccodeYmlVersion")
    if version is None:
        version = r.text(r.get("publiccode-yaml-version"), "publiccode-yaml-version")
        if version is not None:
            version = version.rstrip("/").rsplit("/", 1)[-1]  # http://w3id.org/publiccode/version/0.1
    if version is None:
        notes.append("„publiccodeYmlVersion“ fehlt")

    address = r.text(r.get("url"), "url")
    if address is None:
        raise PubliccodeError("„url“ fehlt: die Adresse des Repositorys ist Pflicht")
    repository = repository_of(address)
    if repository is None:
        raise PubliccodeError(f"„url“ ist keine Repository-Adresse (https://…): {address[:200]!r}")

    description = choose_description(r)
    name = r.text(r.get("name"), "name") or description.localised_name
    if name is None:
        raise PubliccodeError("„name“ fehlt")

    landing = r.text(r.get("landingURL"), "landingURL")
    if landing is not None and not is_link(landing):
        notes.append(f"„landingURL“ ist keine Webadresse: {landing[:100]!r}")
        landing = None
    based_on = []
    for item in r.texts(r.get("isBasedOn"), "isBasedOn"):
        found = repository_of(item)
        if found is None:
            notes.append(f"„isBasedOn“ ist keine Repository-Adresse: {item[:100]!r}")
        else:
            based_on.append(found[1])

    release = r.text(r.get("releaseDate"), "releaseDate")
    release_date = normalise_date(release) if release else None
    if release and release_date is None:
        notes.append(f"„releaseDate“ {release!r} ist kein Datum; ausgelassen")

    categories = r.texts(r.get("categories"), "categories") or r.texts(r.get("tags"), "tags")
    status = r.text(r.get("developmentStatus"), "developmentStatus")
    owners = tuple(
        t for t in (
            r.text(r.get("legal", "repoOwner"), "legal/repoOwner"),
            r.text(r.get("legal", "mainCopyrightOwner"), "legal/mainCopyrightOwner"),
            r.text(r.get("organisation", "name"), "organisation/name"),
        ) if t
    )
    return Publiccode(
        name=name,
        url=repository[0],
        repository=repository[1],
        description=description,
        version=version,
        landing_url=landing,
        is_based_on=tuple(dict.fromkeys(based_on)),
        software_version=r.text(r.get("softwareVersion"), "softwareVersion"),
        release_date=release_date,
        platforms=r.texts(r.get("platforms"), "platforms"),
        categories=tuple(c.lower() for c in categories),
        scope=tuple(s.lower() for s in r.texts(r.get("intendedAudience", "scope"), "intendedAudience/scope")),
        used_by=r.texts(r.get("usedBy"), "usedBy"),
        development_status=status.lower() if status else None,
        licence=r.text(r.get("legal", "license"), "legal/license"),
        owners=owners,
        notes=notes,
    )
