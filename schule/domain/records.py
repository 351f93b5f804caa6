"""The import format: one table that says, for every kind, which fields exist and what they mean.

Import, export, validation and the store all read this table, so the format is defined once.
Each record is a JSON object on one line; ``kind`` says what it is. Differences to the GUIDE's
first sketch, for reasons the sketch could not see:

* ``lesson`` and ``organisation`` carry their sub-kind in ``type`` (``kind`` is the record kind,
  and one JSON object cannot have two ``kind`` keys);
* every kind takes an optional ``source``: where the record comes from (a text, a register);
* ``person`` takes ``contact_consent`` (bool): e-mail and phone are shown to signed-in members only
  when the person agreed; and, separately, ``public_contact`` (bool, default false): only with it does
  the person appear in the open data (``/daten``), as a public contact;
* ``project`` takes ``license``: the SPDX licence expression of an open-source solution (for
  projects harvested from ``publiccode.yml``), e.g. ``EUPL-1.2``;
* ``adaptation`` (a commune adopting another's project) names the adopted project in ``adopts``,
  because ``source`` is every record's provenance; GraphQL calls it ``Adaptation.source``;
* ``project`` and ``lesson`` take ``last_confirmed`` (a date): when the facts were last confirmed true,
  by their source ("Stand: Nov. 2022") or by a member or moderator (``confirmEntry``); never the
  import time, which ``created_at``/``updated_at`` keep;
* ``project`` takes ``transfer``: an object saying what another commune needs to take the project
  over (``schule.domain.transferability``); its partners are references to organisations.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from schule.domain import transferability
from schule.domain.model import (
    AdaptationStatus,
    Kind,
    LessonKind,
    MembershipBasis,
    MembershipRole,
    ProjectStatus,
    Rel,
)
from schule.domain.problems import Code, Problem

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
DATE_PATTERN = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
MEMBERSHIP = "membership"
MAX_TEXT = 20_000
# Addresses rendered as links: never javascript:, data:, vbscript: or anything else a browser runs.
LINK_SCHEMES = ("https", "http", "mailto")
_LINK_HELP = "muss eine Adresse mit https://, http:// oder mailto: sein"


@dataclass(frozen=True)
class FieldSpec:
    """One field of the import format.

    ``type`` is one of: str, text, int, bool, date, enum, strlist, link, linklist, ref, reflist, transfer.
    ``link``/``linklist`` are web addresses that pages render as links: only ``LINK_SCHEMES``.
    For ref/reflist, ``rel`` is the relationship stored and ``targets`` the kinds allowed.
    """

    type: str
    required: bool = False
    enum: tuple[str, ...] = ()
    rel: Rel | None = None
    targets: tuple[Kind, ...] = ()
    max_length: int = 500


def _enum(e: type[enum.Enum], required: bool = False) -> FieldSpec:
    return FieldSpec("enum", required, enum=tuple(m.value for m in e))


COMMON: dict[str, FieldSpec] = {"source": FieldSpec("str", max_length=1000)}

SPEC: dict[str, dict[str, FieldSpec]] = {
    Kind.HANDLUNGSFELD: {
        "id": FieldSpec("id", True),
        "name": FieldSpec("str", True),
        "parent": FieldSpec("ref", rel=Rel.SUBFIELD_OF, targets=(Kind.HANDLUNGSFELD,)),
        "description": FieldSpec("text"),
    },
    Kind.COMMUNE: {
        "id": FieldSpec("id", True),
        "name": FieldSpec("str", True),
        "kreis": FieldSpec("str"),
        "region": FieldSpec("str"),
        "ags": FieldSpec("str", max_length=8),
        "population": FieldSpec("int"),
        "website": FieldSpec("link"),
    },
    Kind.NETWORK: {
        "id": FieldSpec("id", True),
        "name": FieldSpec("str", True),
        "description": FieldSpec("text"),
    },
    MEMBERSHIP: {
        "commune": FieldSpec("ref", True, targets=(Kind.COMMUNE,)),
        "network": FieldSpec("ref", True, targets=(Kind.NETWORK,)),
        "role": _enum(MembershipRole, True),
        "basis": _enum(MembershipBasis),
        "since": FieldSpec("date"),
        "document": FieldSpec("str", max_length=1000),
    },
    Kind.ORGANISATION: {
        "id": FieldSpec("id", True),
        "name": FieldSpec("str", True),
        "type": FieldSpec("str"),
        "website": FieldSpec("link"),
    },
    Kind.PERSON: {
        "id": FieldSpec("id", True),
        "name": FieldSpec("str", True),
        "role": FieldSpec("str"),
        "commune": FieldSpec("ref", rel=Rel.WORKS_FOR, targets=(Kind.COMMUNE,)),
        "organisation": FieldSpec("ref", rel=Rel.WORKS_FOR, targets=(Kind.ORGANISATION,)),
        "email": FieldSpec("str"),
        "phone": FieldSpec("str"),
        "expertise": FieldSpec("strlist"),
        "contact_consent": FieldSpec("bool"),
        "public_contact": FieldSpec("bool"),
    },
    Kind.PROJECT: {
        "id": FieldSpec("id", True),
        "title": FieldSpec("str", True),
        "summary": FieldSpec("text", True),
        "description": FieldSpec("text"),
        "commune": FieldSpec("ref", rel=Rel.LOCATED_IN, targets=(Kind.COMMUNE,)),
        "communes": FieldSpec("reflist", rel=Rel.LOCATED_IN, targets=(Kind.COMMUNE,)),
        "handlungsfelder": FieldSpec("reflist", rel=Rel.IN_FIELD, targets=(Kind.HANDLUNGSFELD,)),
        "status": _enum(ProjectStatus),
        "tags": FieldSpec("strlist"),
        "contacts": FieldSpec("reflist", rel=Rel.CONTACT, targets=(Kind.PERSON,)),
        "adapted_from": FieldSpec("reflist", rel=Rel.ADAPTED_FROM, targets=(Kind.PROJECT,)),
        "started": FieldSpec("date"),
        "ended": FieldSpec("date"),
        "links": FieldSpec("linklist", max_length=2000),
        "license": FieldSpec("str", max_length=200),
        "last_confirmed": FieldSpec("date"),
        "transfer": FieldSpec("transfer"),
    },
    Kind.LESSON: {
        "id": FieldSpec("id", True),
        "project": FieldSpec("ref", True, rel=Rel.LEARNED_IN, targets=(Kind.PROJECT,)),
        "title": FieldSpec("str", True),
        "text": FieldSpec("text", True),
        "type": _enum(LessonKind),
        "handlungsfelder": FieldSpec("reflist", rel=Rel.IN_FIELD, targets=(Kind.HANDLUNGSFELD,)),
        "author": FieldSpec("ref", rel=Rel.AUTHORED_BY, targets=(Kind.PERSON,)),
        "last_confirmed": FieldSpec("date"),
    },
    Kind.EVENT: {
        "id": FieldSpec("id", True),
        "title": FieldSpec("str", True),
        "date": FieldSpec("date", True),
        "place": FieldSpec("str"),
        "organiser": FieldSpec(
            "ref", rel=Rel.ORGANISED_BY, targets=(Kind.ORGANISATION, Kind.COMMUNE, Kind.NETWORK)
        ),
        "description": FieldSpec("text"),
        "links": FieldSpec("linklist", max_length=2000),
    },
    Kind.ADAPTATION: {
        "id": FieldSpec("id", True),
        "adopts": FieldSpec("ref", True, rel=Rel.ADOPTS, targets=(Kind.PROJECT,)),
        "commune": FieldSpec("ref", True, rel=Rel.ADOPTED_IN, targets=(Kind.COMMUNE,)),
        "project": FieldSpec("ref", rel=Rel.ADOPTED_AS, targets=(Kind.PROJECT,)),
        "status": _enum(AdaptationStatus),
        "outcome": FieldSpec("text"),
        "started": FieldSpec("date"),
        "ended": FieldSpec("date"),
        "contact": FieldSpec("ref", rel=Rel.CONTACT, targets=(Kind.PERSON,)),
    },
}
for _fields in SPEC.values():
    _fields.update(COMMON)

# Fields that are two spellings of one relationship: at most one may be given.
EXCLUSIVE: dict[str, tuple[str, str]] = {
    Kind.PROJECT: ("commune", "communes"),
    Kind.PERSON: ("commune", "organisation"),
}

# Relationships a kind owns (written from its records), per kind, for replacing them on update.
OWNED_RELS: dict[Kind, tuple[Rel, ...]] = {
    Kind(kind): tuple(dict.fromkeys(s.rel for s in fields.values() if s.rel is not None))
    for kind, fields in SPEC.items()
    if kind != MEMBERSHIP
}


@dataclass
class Record:
    """A validated record: node properties plus outgoing references, ready for the store."""

    kind: str
    id: str
    props: dict[str, Any]
    refs: dict[Rel, list[str]] = field(default_factory=dict)
    # for checking references: target id -> (field name, kinds allowed)
    ref_fields: list[tuple[str, str, tuple[Kind, ...]]] = field(default_factory=list)
    file: str = ""
    line: int = 0

    @property
    def is_membership(self) -> bool:
        return self.kind == MEMBERSHIP


class RecordError(ValueError):
    """A record is malformed; the message says what to fix, ``problem`` the same as data
    (always ``Code.INVALID``, with the field concerned where there is one)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(Code.INVALID, field, message)


def _bad(name: str, what: str) -> RecordError:
    return RecordError(f"Feld {name!r} {what}", name)


def _check_value(name: str, spec: FieldSpec, value: Any) -> Any:
    # Messages are built only when a check fails: an import checks millions of values.
    if value is None:
        if spec.required:
            raise _bad(name, "fehlt (Pflichtfeld)")
        return None
    t = spec.type
    if t == "id":
        if not (isinstance(value, str) and ID_PATTERN.match(value)):
            raise _bad(name, "muss eine ID aus Kleinbuchstaben, Ziffern und '-' sein (z. B. 'olpe-parksensoren')")
    elif t in ("str", "text"):
        if not isinstance(value, str):
            raise _bad(name, "muss ein Text sein")
        value = value.strip()
        if spec.required and not value:
            raise _bad(name, "darf nicht leer sein")
        limit = MAX_TEXT if t == "text" else spec.max_length
        if len(value) > limit:
            raise _bad(name, f"ist länger als {limit} Zeichen")
    elif t == "int":
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            raise _bad(name, "muss eine ganze Zahl ab 0 sein")
    elif t == "bool":
        if not isinstance(value, bool):
            raise _bad(name, "muss true oder false sein")
    elif t == "date":
        if not (isinstance(value, str) and DATE_PATTERN.match(value)):
            raise _bad(name, "muss ein Datum als JJJJ, JJJJ-MM oder JJJJ-MM-TT sein")
    elif t == "enum":
        if not (isinstance(value, str) and value in spec.enum):
            raise _bad(name, f"muss einer dieser Werte sein: {', '.join(spec.enum)}")
    elif t == "strlist":
        if not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
            raise _bad(name, "muss eine Liste nicht-leerer Texte sein")
        value = list(dict.fromkeys(v.strip() for v in value))
        if len(value) > 200:
            raise _bad(name, "hat mehr als 200 Einträge")
    elif t == "link":
        if not isinstance(value, str):
            raise _bad(name, "muss ein Text sein")
        value = value.strip()
        if not is_link(value):
            raise _bad(name, _LINK_HELP)
        if len(value) > spec.max_length:
            raise _bad(name, f"ist länger als {spec.max_length} Zeichen")
    elif t == "linklist":
        if not (isinstance(value, list) and all(isinstance(v, str) and is_link(v.strip()) for v in value)):
            raise _bad(name, f"{_LINK_HELP} (jede Adresse der Liste)")
        value = list(dict.fromkeys(v.strip() for v in value))
        if len(value) > 200:
            raise _bad(name, "hat mehr als 200 Einträge")
        if not all(len(v) <= spec.max_length for v in value):
            raise _bad(name, f"hat eine Adresse über {spec.max_length} Zeichen")
    elif t == "ref":
        if not (isinstance(value, str) and ID_PATTERN.match(value)):
            raise _bad(name, "muss die ID eines Datensatzes sein")
    elif t == "transfer":
        try:
            value = transferability.parse(value)
        except transferability.TransferError as e:
            raise RecordError(str(e), name) from None
        if len(transferability.dumps(value)) > MAX_TEXT:
            raise _bad(name, f"ist länger als {MAX_TEXT} Zeichen")
    elif t == "reflist":
        if not (isinstance(value, list) and all(isinstance(v, str) and ID_PATTERN.match(v) for v in value)):
            raise _bad(name, "muss eine Liste von Datensatz-IDs sein")
        value = list(dict.fromkeys(value))
    return value


def is_link(value: str) -> bool:
    """An absolute http(s) address with a host, or a mailto: address; no spaces or control characters
    (browsers strip those, which is how ``java\tscript:`` slips through naive checks)."""
    if not value or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return False
    return bool(parts.netloc) if scheme != "mailto" else bool(parts.path)


def parse_record(obj: Any) -> Record:
    """Validate one decoded JSON object against the spec (references are checked later)."""
    if not isinstance(obj, dict):
        raise RecordError("ein Datensatz muss ein JSON-Objekt sein")
    kind = obj.get("kind")
    if kind not in SPEC:
        raise RecordError(f"unbekannte Art (kind) {kind!r}; bekannt sind: {', '.join(SPEC)}", "kind")
    spec = SPEC[kind]
    unknown = sorted(set(obj) - set(spec) - {"kind"})
    if unknown:
        raise RecordError(f"unbekannte(s) Feld(er) für {kind}: {', '.join(unknown)}", unknown[0])
    for a, b in [EXCLUSIVE[kind]] if kind in EXCLUSIVE else []:
        if obj.get(a) is not None and obj.get(b) is not None:
            raise RecordError(f"entweder {a!r} oder {b!r} angeben, nicht beides", a)

    props: dict[str, Any] = {}
    refs: dict[Rel, list[str]] = {}
    ref_fields: list[tuple[str, str, tuple[Kind, ...]]] = []
    for name, fspec in spec.items():
        value = obj.get(name)
        if value is None and not fspec.required:
            continue  # most optional fields are absent: no check to run (bulk imports)
        value = _check_value(name, fspec, value)
        if value is None:
            continue
        if fspec.type == "transfer":
            ref_fields.extend((target, name, (Kind.ORGANISATION,)) for target in transferability.partner_ids(value))
            props[name] = transferability.dumps(value)
        elif fspec.type in ("ref", "reflist"):
            ids = [value] if fspec.type == "ref" else value
            ref_fields.extend((target, name, fspec.targets) for target in ids)
            if fspec.rel is not None:
                refs.setdefault(fspec.rel, []).extend(ids)
            if kind == MEMBERSHIP:
                props[name] = value
        else:
            props[name] = value
    if kind == Kind.ADAPTATION and obj.get("project") is not None and obj.get("project") == obj.get("adopts"):
        raise RecordError("Feld 'project' darf nicht das übernommene Projekt ('adopts') selbst sein", "project")
    dated = kind in (Kind.PROJECT, Kind.ADAPTATION)
    if dated and props.get("started") and props.get("ended") and props["ended"] < props["started"]:
        raise RecordError("Feld 'ended' liegt vor 'started'", "ended")
    if kind == MEMBERSHIP:
        key = f"{props['commune']}@{props['network']}"
        return Record(MEMBERSHIP, key, props, {}, ref_fields)
    return Record(kind, props["id"], props, refs, ref_fields)


def record_problems(obj: Any) -> list[Problem]:
    """Every problem of one record at once, for a form that shows them all together.

    ``parse_record`` stops at the first problem, which is what a bulk import of millions of values
    wants; a person fixing one form wants the whole list. Each field is checked on its own here, so
    one bad field does not hide the next; a record whose fields are each fine but that still fails
    (a contradiction between fields) gives that one problem. Empty: the record is valid."""
    try:
        parse_record(obj)
        return []
    except RecordError as e:
        first = e.problem
    kind = obj.get("kind") if isinstance(obj, dict) else None
    if kind not in SPEC:
        return [first]
    spec = SPEC[kind]
    problems = [Problem(Code.INVALID, name, f"unbekanntes Feld für {kind}: {name}")
                for name in sorted(set(obj) - set(spec) - {"kind"})]
    for a, b in [EXCLUSIVE[kind]] if kind in EXCLUSIVE else []:
        if obj.get(a) is not None and obj.get(b) is not None:
            problems.append(Problem(Code.INVALID, a, f"entweder {a!r} oder {b!r} angeben, nicht beides"))
    for name, fspec in spec.items():
        value = obj.get(name)
        if value is None and not fspec.required:
            continue
        try:
            _check_value(name, fspec, value)
        except RecordError as e:
            problems.append(e.problem)
    return problems or [first]


def record_to_json(
    kind: str, props: dict[str, Any], refs: dict[Rel, list[tuple[str, str]]]
) -> dict[str, Any]:
    """The export form of a stored record: the same fields an import takes, in spec order.

    ``refs`` maps each outgoing relationship to ``(target kind, target id)`` pairs.
    """
    out: dict[str, Any] = {"kind": kind}
    spec = SPEC[kind]
    for name, fspec in spec.items():
        if fspec.type in ("ref", "reflist") and kind != MEMBERSHIP:
            continue
        value = props.get(name)
        if fspec.type == "transfer" and isinstance(value, str):
            value = transferability.loads(value)
        if value is not None and value != [] and value != {}:
            out[name] = value
    for name, fspec in spec.items():
        if fspec.rel is None or kind == MEMBERSHIP:
            continue
        targets = [(k, i) for k, i in refs.get(fspec.rel, []) if k in fspec.targets]
        if not targets:
            continue
        if kind == Kind.PROJECT and name == "commune":
            continue  # written as the list form `communes`
        ids = sorted(i for _, i in targets)
        out[name] = ids[0] if fspec.type == "ref" else ids
    return out
