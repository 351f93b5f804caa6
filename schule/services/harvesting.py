"""Harvesting open-source solutions from ``publiccode.yml`` files (``schule harvest publiccode``).

Each file becomes, or updates, one project. Its id comes from the repository address
(``url``, the software's identity in the standard), e.g. ``https://gitlab.opencode.de/stadt-soest/
maengelmelder`` -> ``gitlab-opencode-de-stadt-soest-maengelmelder``; its ``source`` records that
address, the time of the harvest that wrote it and a checksum of what the file yielded. A
second harvest of an unchanged file finds the same checksum and changes nothing (so a moderator's
later edits stay); a changed file updates the project. Files are independent: each is validated
like an import record (``parse_record``, ``check_run``) and written as its own atomic unit with a
version and an audit entry, and a broken file is reported and never stops the others.

Review: the harvest acts as the operator's ``Identity`` (the CLI: ``Identity.system()``, an admin),
but what it writes is third-party text, so by default new entries are ``submitted`` and wait in
the moderators' queue. ``publish=True`` (``--publish``, admins only) publishes them directly, for
sources the operator trusts. A changed file of a project that is already published is held back
without ``publish`` (reported as rejected, with the reason): published stays published until a
moderator or ``--publish`` accepts the change. Projects a moderator rejected or merged are never
rewritten by a harvest.

Personal data is never copied: the standard's ``maintenance/contacts`` name people; schule's
people are added by people. The mapping of the standard's fields: README, "Harvesting
publiccode.yml"; tables in ``publiccode_mapping``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schule.auth.identity import Identity
from schule.domain.model import Entity, Kind, Project, ReviewState
from schule.domain.records import Record, RecordError, parse_record
from schule.domain.trust import FieldChange
from schule.services.access import require_admin, require_moderator
from schule.services.audit import audit_statements
from schule.services.history import diff, entity_fields, version_statements
from schule.services.importing import check_run
from schule.services.licences import spdx
from schule.services.matching import NameIndex
from schule.services.publiccode import LANGUAGE_NAMES, Publiccode, PubliccodeError, parse, repository_of
from schule.services.publiccode_mapping import (
    KNOWN_CATEGORIES,
    KNOWN_SCOPES,
    STATUS,
    handlungsfelder_for,
)
from schule.store.graph import CypherGraphStore, entity_from_row
from schule.store.rows import now_iso

PATTERNS = ("*.yml", "*.yaml")
SOURCE_PREFIX = "publiccode.yml: "
_SOURCE = re.compile(r"^publiccode\.yml: (?P<url>\S+) \(geerntet (?P<at>[^,]+), Prüfsumme (?P<digest>[0-9a-f]{16})\)$")
MAX_ID = 100
OPEN_SOURCE_TAG = "Open Source"
IMPORTED, UPDATED, UNCHANGED, REJECTED = "imported", "updated", "unchanged", "rejected"


@dataclass
class FileOutcome:
    """What became of one file: ``outcome`` is imported, updated, unchanged or rejected."""

    file: str
    outcome: str
    project: str | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class HarvestReport:
    files: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(f.outcome == outcome for f in self.files)

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.outcome == REJECTED]

    def as_json(self) -> dict[str, Any]:
        return {
            IMPORTED: self.count(IMPORTED), UPDATED: self.count(UPDATED), UNCHANGED: self.count(UNCHANGED),
            REJECTED: [{"file": f.file, "reason": f.reason} for f in self.rejected],
        }


class _Refused(Exception):
    """This file is not harvested; the message (German) says why."""


def project_id(repository: str) -> str:
    """The project id of a repository identity (``host/path``): stable, so every harvest of the same
    software finds the same project."""
    slug = re.sub(r"[^a-z0-9]+", "-", repository.lower()).strip("-")
    if len(slug) > MAX_ID:
        digest = hashlib.sha256(repository.encode()).hexdigest()[:8]
        slug = f"{slug[:MAX_ID - 9].rstrip('-')}-{digest}"
    return slug or "publiccode"


def files_in(paths: Sequence[Path]) -> tuple[list[Path], list[FileOutcome]]:
    """The files to read (every ``*.yml``/``*.yaml`` below a directory, sorted) and the paths that
    do not exist."""
    found: dict[Path, None] = {}
    missing: list[FileOutcome] = []
    for path in paths:
        if path.is_dir():
            for file in sorted({f for pattern in PATTERNS for f in path.rglob(pattern) if f.is_file()}):
                found.setdefault(file)
        elif path.is_file():
            found.setdefault(path)
        else:
            missing.append(FileOutcome(str(path), REJECTED, reason="Datei oder Ordner nicht gefunden"))
    return list(found), missing


@dataclass
class _Candidate:
    file: Path
    code: Publiccode
    outcome: FileOutcome
    fields: dict[str, Any] = field(default_factory=dict)
    based_on: list[str] = field(default_factory=list)  # project ids of isBasedOn


class _Matcher:
    """The store's communes, organisations and Handlungsfelder, for mapping a file's names."""

    def __init__(self, store: CypherGraphStore) -> None:
        self.communes = NameIndex(((e.id, getattr(e, "name", "")) for e in store.iter_entities(Kind.COMMUNE)),
                                  communes=True)
        self.organisations = NameIndex((e.id, getattr(e, "name", "")) for e in store.iter_entities(Kind.ORGANISATION))
        self.handlungsfelder = {e.id for e in store.iter_entities(Kind.HANDLUNGSFELD)}


def _fields(code: Publiccode, matcher: _Matcher, notes: list[str]) -> dict[str, Any]:
    """The project's import-format fields from the file (without ``source``, ``adapted_from``)."""
    d = code.description
    communes: list[str] = []
    users: list[str] = []
    for name in code.used_by:
        commune = matcher.communes.find(name)
        if commune is not None and commune.id is not None:
            communes.append(commune.id)
            continue
        if commune is not None:
            notes.append(f"usedBy „{name}“ passt auf mehrere Kommunen ({', '.join(commune.ambiguous)}); als Text")
        organisation = matcher.organisations.find(name)
        users.append(organisation.name if organisation is not None and organisation.name else name)
    for owner in code.owners:  # the commune that publishes the software is one of its communes too
        commune = matcher.communes.find(owner)
        if commune is not None and commune.id is not None:
            communes.append(commune.id)

    for category in code.categories:
        if category not in KNOWN_CATEGORIES:
            notes.append(f"Kategorie „{category}“ steht nicht in der Liste des Standards; nur als Schlagwort")
    for scope in code.scope:
        if scope not in KNOWN_SCOPES:
            notes.append(f"Anwendungsbereich „{scope}“ steht nicht in der Liste des Standards; ausgelassen")
    status = STATUS.get(code.development_status or "")
    if code.development_status and status is None:
        notes.append(f"developmentStatus „{code.development_status}“ ist unbekannt; kein Stand übernommen")
    licence = None
    if code.licence:
        licence, note = spdx(code.licence)
        if note:
            notes.append(note)
    if d.language != "de":
        notes.append(f"keine deutsche Beschreibung; übernommen: {LANGUAGE_NAMES.get(d.language, d.language)} "
                     f"(„description/{d.key}“)")

    summary = d.short or _first_sentence(d.long or "")
    fields: dict[str, Any] = {
        "id": project_id(code.repository),
        "title": d.localised_name or code.name,
        "summary": summary,
        "description": _description(code, users),
        "communes": sorted(set(communes)),
        "handlungsfelder": [h for h in handlungsfelder_for(code.categories, code.scope)
                            if h in matcher.handlungsfelder],
        "status": status.value if status else None,
        "tags": list(dict.fromkeys([OPEN_SOURCE_TAG, *code.categories, *d.free_tags])),
        "links": list(dict.fromkeys(link for link in (code.url, code.landing_url, d.documentation) if link)),
        "license": licence,
    }
    return {k: v for k, v in fields.items() if v not in (None, [], "")}


def _first_sentence(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.{20,}?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + " …"
    return sentence


def _description(code: Publiccode, users: list[str]) -> str | None:
    """The long description, the features and a short profile (version, users, platforms)."""
    d = code.description
    parts = [d.long or ""]  # a short description only is the summary already
    if d.features:
        parts.append("Funktionen:\n" + "\n".join(f"- {f}" for f in d.features))
    profile = []
    if code.software_version and code.release_date:
        profile.append(f"Version {code.software_version} vom {_german_date(code.release_date)}")
    elif code.software_version:
        profile.append(f"Version {code.software_version}")
    elif code.release_date:
        profile.append(f"Veröffentlicht am {_german_date(code.release_date)}")
    if users:
        profile.append("Im Einsatz bei: " + ", ".join(users))
    if code.platforms:
        profile.append("Plattformen: " + ", ".join(code.platforms))
    if profile:
        parts.append("\n".join(profile))
    text = "\n\n".join(p for p in parts if p.strip())
    return text or None


def _german_date(iso: str) -> str:
    pieces = iso.split("-")
    return ".".join(reversed(pieces))


def fingerprint(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def source_text(url: str, at: str, digest: str) -> str:
    return f"{SOURCE_PREFIX}{url} (geerntet {at}, Prüfsumme {digest})"


def harvested_from(entity: Entity) -> tuple[str, str] | None:
    """``(repository address, checksum)`` of an entry a harvest wrote; None for any other entry."""
    m = _SOURCE.match(entity.source or "")
    return (m["url"], m["digest"]) if m else None


# -- the run --------------------------------------------------------------------------------------


def harvest_publiccode(
    store: CypherGraphStore, identity: Identity, paths: Sequence[Path], *, publish: bool = False
) -> HarvestReport:
    """Harvest every ``publiccode.yml`` under ``paths``; one outcome per file, in file order."""
    require_moderator(identity, "harvest")
    if publish:
        require_admin(identity, "harvest_publish")
    files, missing = files_in(paths)
    report = HarvestReport(files=[*missing])
    candidates: list[_Candidate] = []
    by_repository: dict[str, _Candidate] = {}
    for file in files:
        outcome = FileOutcome(str(file), REJECTED)
        report.files.append(outcome)
        try:
            code = parse(_read(file))
        except PubliccodeError as e:
            outcome.reason = str(e)
            continue
        outcome.notes.extend(code.notes)
        first = by_repository.get(code.repository)
        if first is not None:
            outcome.reason = f"dieselbe Software (url {code.url}) wie in {first.file}"
            continue
        candidate = _Candidate(file, code, outcome)
        by_repository[code.repository] = candidate
        candidates.append(candidate)
    if not candidates:
        return report

    matcher = _Matcher(store)
    for c in candidates:
        c.fields = _fields(c.code, matcher, c.outcome.notes)
    stored = _link_variants(store, candidates, by_repository)
    now = now_iso()
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    written: set[str] = set()
    for c in _in_dependency_order(candidates):
        project = c.fields["id"]
        c.outcome.project = project
        # a variant names its original only once that exists (harvested before, or just now)
        adapted = [p for p in c.based_on if p in written or p in stored]
        if adapted:
            c.fields["adapted_from"] = adapted
        try:
            c.outcome.outcome = _harvest_one(store, identity, c, publish=publish, now=now, at=at)
        except _Refused as e:
            c.outcome.reason = str(e)
        if c.outcome.outcome != REJECTED:
            written.add(project)
    return report


def _read(file: Path) -> bytes:
    try:
        with file.open("rb") as f:
            return f.read(_MAX_READ)
    except OSError as e:
        raise PubliccodeError(f"nicht lesbar ({e.strerror})") from None


_MAX_READ = 1024 * 1024 + 1  # one byte more than publiccode.MAX_BYTES, so that parse can refuse it


def _link_variants(
    store: CypherGraphStore, candidates: list[_Candidate], by_repository: dict[str, _Candidate]
) -> set[str]:
    """``isBasedOn`` names the repositories a variant descends from: their projects, if harvested
    (in this run or before), become the project's ``adapted_from``. Returns those already stored."""
    wanted = {project_id(r) for c in candidates for r in c.code.is_based_on}
    stored = {i for i, kind in store.kinds_of(sorted(wanted)).items() if kind == Kind.PROJECT}
    for c in candidates:
        for repository in c.code.is_based_on:
            target = project_id(repository)
            if target == c.fields["id"]:
                continue
            if repository in by_repository or target in stored:
                c.based_on.append(target)
    return stored


def _in_dependency_order(candidates: list[_Candidate]) -> list[_Candidate]:
    """Files whose software others are based on first (their projects must exist to be named);
    otherwise file order. A cycle is broken where it is found."""
    by_id = {c.fields["id"]: c for c in candidates}
    ordered: list[_Candidate] = []
    state: dict[str, int] = {}  # 1: visiting, 2: done

    def visit(c: _Candidate) -> None:
        key = c.fields["id"]
        if state.get(key):
            return
        state[key] = 1
        for target in c.based_on:
            if target in by_id and not state.get(target):
                visit(by_id[target])
        state[key] = 2
        ordered.append(c)

    for c in candidates:
        visit(c)
    return ordered


def _harvest_one(
    store: CypherGraphStore, identity: Identity, c: _Candidate, *, publish: bool, now: str, at: str
) -> str:
    fields = c.fields
    project = fields["id"]
    digest = fingerprint(fields)
    before = store.get([project]).get(project)
    if before is not None:
        if not isinstance(before, Project):
            raise _Refused(f"die ID {project!r} ist schon an eine(n) {before.kind.value} vergeben")
        origin = harvested_from(before)
        if origin is None or project_id(_repository_identity(origin[0])) != project:
            raise _Refused(f"die ID {project!r} gehört zu einem Projekt, das nicht aus dieser publiccode.yml stammt")
        if origin[1] == digest:
            return UNCHANGED
        if before.state == ReviewState.MERGED:
            raise _Refused(f"„{project}“ wurde mit „{before.merged_into}“ zusammengeführt; nicht erneut geerntet")
        if before.state == ReviewState.REJECTED:
            raise _Refused(f"„{project}“ wurde von der Moderation abgelehnt; nicht erneut geerntet")
        if before.state == ReviewState.PUBLISHED and not publish:
            raise _Refused(f"„{project}“ ist veröffentlicht; die geänderten Angaben übernimmt erst ein Lauf "
                           "mit --publish (veröffentlichte Einträge ändern sich nur nach Freigabe)")
        if before.contacts:  # people a moderator named: the file has none
            fields = {**fields, "contacts": list(before.contacts)}
    state = ReviewState.PUBLISHED if publish else ReviewState.SUBMITTED
    record = _record({**fields, "source": source_text(c.code.url, at, digest)})
    problems = check_run([record], store)
    if problems:
        raise _Refused("; ".join(p.reason for p in problems))
    _write(store, identity, record, before, state, now, str(c.file))
    return IMPORTED if before is None else UPDATED


def _repository_identity(url: str) -> str:
    found = repository_of(url)
    return found[1] if found else url


def _record(fields: dict[str, Any]) -> Record:
    try:
        return parse_record({"kind": Kind.PROJECT.value, **fields})
    except RecordError as e:
        raise _Refused(f"ergibt kein gültiges Projekt: {e}") from None


def _write(
    store: CypherGraphStore, identity: Identity, record: Record, before: Entity | None, state: ReviewState,
    now: str, file: str,
) -> None:
    """The project with its review state, a version and an audit entry, as one atomic write."""
    record.props["state"] = state.value
    record.props["created_by"] = before.created_by if before is not None else identity.account_id
    targets = [t for ts in record.refs.values() for t in ts]
    kinds = store.kinds_of(targets)
    refs = [[rel.value, kinds[t].value, t] for rel, ts in record.refs.items() for t in ts if t in kinds]
    after = entity_from_row({**record.props, "kind": record.kind}, refs)
    changes = diff(entity_fields(before), entity_fields(after))
    if before is None or before.state != state:
        changes.append(FieldChange("state", before.state.value if before else None, state.value))
    statements = store.upsert_statements([record], now)
    statements += version_statements(identity, entity_id=record.id, kind=Kind.PROJECT, action="harvest",
                                     state=state.value, changes=changes, now=now)
    statements += audit_statements(identity, "harvest", target=record.id, target_kind=Kind.PROJECT.value, now=now,
                                   details={"file": file, "fields": [c.field for c in changes]})
    store.write(statements)
