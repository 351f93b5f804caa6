"""Write use cases behind the GraphQL mutations: create and update projects, add lessons learned,
record that one project adapted another ("wir haben X übernommen").

Every write goes the way an import goes: the record is built in the import format, validated by
``parse_record``, its references checked by ``check_run`` (the same rules as ``schule import``),
and written with ``store.upsert`` (which appends the change log the search index follows).

Expected failures raise ``Rejected`` with one ``FieldProblem`` per mistake: a code, the import
field it concerns and a German message. Who may write is decided here, once: until the trust issue
lands, ``settings.write_token`` decides (set: callers need it; unset: writes are open).

Updates read, change and rewrite the whole record; two concurrent updates of one project can
overwrite each other (last write wins) until versioning arrives with moderation.
"""

from __future__ import annotations

import enum
import hmac
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from schule.domain import model
from schule.domain.records import ID_PATTERN, Record, RecordError, parse_record
from schule.errors import SchuleError
from schule.services.importing import check_run
from schule.settings import Settings
from schule.store.graph import CypherGraphStore

MAX_ID_LENGTH = 80
E = TypeVar("E", bound=model.Entity)
_FIELD_IN_MESSAGE = re.compile(r"Feld '([a-z_]+)'|entweder '([a-z_]+)'")


class ProblemCode(enum.StrEnum):
    INVALID = "invalid"  # a value is malformed or not allowed
    NOT_FOUND = "not_found"  # a referenced id does not exist
    DUPLICATE = "duplicate"  # the id is taken, or the fact is already recorded
    FORBIDDEN = "forbidden"  # the caller may not write


@dataclass(frozen=True)
class FieldProblem:
    """One reason a write was refused. ``field`` is the import-format field name, or None."""

    code: ProblemCode
    field: str | None
    message: str


class Rejected(SchuleError):
    """A write was refused; nothing was changed. ``problems`` says why, field by field."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class Caller:
    """Who is asking. ``authenticated``: presented the valid write token."""

    authenticated: bool = False
    writes_open: bool = False

    @property
    def may_write(self) -> bool:
        return self.writes_open or self.authenticated


def caller_for(settings: Settings, bearer_token: str | None) -> Caller:
    """The caller for a request that presented ``bearer_token`` (or none)."""
    if not settings.write_token:
        return Caller(authenticated=False, writes_open=True)
    valid = bearer_token is not None and hmac.compare_digest(
        bearer_token.encode("utf-8"), settings.write_token.encode("utf-8")
    )
    return Caller(authenticated=valid, writes_open=False)


# -- use cases ------------------------------------------------------------------------------------


def create_project(store: CypherGraphStore, caller: Caller, data: Mapping[str, Any]) -> model.Project:
    """Create a project from import-format fields; ``id`` is derived from the title if absent."""
    _require_writer(caller)
    fields = _given(data)
    if not fields.get("id"):
        fields["id"] = _free_id(store, str(fields.get("title") or "projekt"))
    record = _parse(model.Kind.PROJECT, fields)
    _require_new(store, record.id)
    _check(store, record)
    store.upsert([record])
    return _reload(store, record.id, model.Project)


def update_project(
    store: CypherGraphStore, caller: Caller, project_id: str, changes: Mapping[str, Any]
) -> model.Project:
    """Change the given fields of a published project; a value of None (or []) clears the field."""
    _require_writer(caller)
    current = _published(store, project_id, model.Project, "id")
    fields = project_fields(current)
    for name, value in changes.items():
        if value is None or value == []:
            fields.pop(name, None)
        else:
            fields[name] = value
    record = _parse(model.Kind.PROJECT, fields)
    _check(store, record)
    store.upsert([record])
    return _reload(store, record.id, model.Project)


def add_lesson(store: CypherGraphStore, caller: Caller, data: Mapping[str, Any]) -> model.Lesson:
    """Add a lesson learned to a project; ``id`` is derived from the title if absent."""
    _require_writer(caller)
    fields = _given(data)
    if not fields.get("id"):
        fields["id"] = _free_id(store, str(fields.get("title") or "erkenntnis"))
    record = _parse(model.Kind.LESSON, fields)
    _require_new(store, record.id)
    _check(store, record)
    store.upsert([record])
    return _reload(store, record.id, model.Lesson)


def record_adaptation(store: CypherGraphStore, caller: Caller, project_id: str, adapted_from_id: str) -> model.Project:
    """Record that ``project_id`` adapted ("übernommen") ``adapted_from_id``."""
    _require_writer(caller)
    if project_id == adapted_from_id:
        raise Rejected(
            [FieldProblem(ProblemCode.INVALID, "adapted_from", "Ein Projekt kann sich nicht selbst übernehmen.")]
        )
    found = store.get([project_id, adapted_from_id])
    problems = [
        FieldProblem(ProblemCode.NOT_FOUND, name, f"Kein veröffentlichtes Projekt mit der ID {pid!r}.")
        for name, pid in (("project", project_id), ("adapted_from", adapted_from_id))
        if not _is_published(found.get(pid), model.Project)
    ]
    if problems:
        raise Rejected(problems)
    project = found[project_id]
    assert isinstance(project, model.Project)
    if adapted_from_id in project.adapted_from:
        raise Rejected(
            [
                FieldProblem(
                    ProblemCode.DUPLICATE,
                    "adapted_from",
                    f"Dass {project_id!r} das Projekt {adapted_from_id!r} übernommen hat, ist schon erfasst.",
                )
            ]
        )
    return update_project(store, caller, project_id, {"adapted_from": [*project.adapted_from, adapted_from_id]})


def project_fields(project: model.Project) -> dict[str, Any]:
    """A stored project as import-format fields (the form ``parse_record`` takes)."""
    fields: dict[str, Any] = {
        "id": project.id,
        "title": project.title,
        "summary": project.summary,
        "description": project.description,
        "communes": list(project.communes),
        "handlungsfelder": list(project.handlungsfelder),
        "status": project.status.value if project.status else None,
        "tags": list(project.tags),
        "contacts": list(project.contacts),
        "adapted_from": list(project.adapted_from),
        "started": project.started,
        "ended": project.ended,
        "links": list(project.links),
        "source": project.source,
    }
    return _given(fields)


# -- helpers --------------------------------------------------------------------------------------


def _require_writer(caller: Caller) -> None:
    if not caller.may_write:
        raise Rejected(
            [
                FieldProblem(
                    ProblemCode.FORBIDDEN,
                    None,
                    "Schreiben ist nur mit gültigem Zugangsschlüssel erlaubt (Authorization: Bearer …).",
                )
            ]
        )


def _given(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != []}


def _field_of(message: str) -> str | None:
    match = _FIELD_IN_MESSAGE.search(message)
    if match:
        return match.group(1) or match.group(2)
    return "id" if message.startswith("ID ") else None


def _parse(kind: model.Kind, fields: Mapping[str, Any]) -> Record:
    try:
        return parse_record({"kind": kind.value, **fields})
    except RecordError as e:
        raise Rejected([FieldProblem(ProblemCode.INVALID, _field_of(str(e)), str(e))]) from None


def _check(store: CypherGraphStore, record: Record) -> None:
    """The import's run checks; their reasons are classified into codes by what they say."""
    problems = []
    for p in check_run([record], store):
        if "unbekannte ID" in p.reason:
            code = ProblemCode.NOT_FOUND
        elif "schon als" in p.reason or "gehört schon" in p.reason:
            code = ProblemCode.DUPLICATE
        else:
            code = ProblemCode.INVALID
        problems.append(FieldProblem(code, _field_of(p.reason), p.reason))
    if problems:
        raise Rejected(problems)


def _require_new(store: CypherGraphStore, entity_id: str) -> None:
    kinds = store.kinds_of([entity_id])
    if entity_id in kinds:
        raise Rejected(
            [
                FieldProblem(
                    ProblemCode.DUPLICATE, "id", f"Die ID {entity_id!r} ist schon vergeben ({kinds[entity_id].value})."
                )
            ]
        )


def _is_published(entity: model.Entity | None, cls: type[model.Entity]) -> bool:
    return isinstance(entity, cls) and entity.state == model.ReviewState.PUBLISHED


def _published(store: CypherGraphStore, entity_id: str, cls: type[E], field: str) -> E:
    entity = store.get([entity_id]).get(entity_id)
    if not _is_published(entity, cls):
        what = cls.__name__.lower()
        raise Rejected(
            [FieldProblem(ProblemCode.NOT_FOUND, field, f"Kein veröffentlichtes {what} mit der ID {entity_id!r}.")]
        )
    assert isinstance(entity, cls)
    return entity


def _reload(store: CypherGraphStore, entity_id: str, cls: type[E]) -> E:
    entity = store.get([entity_id]).get(entity_id)
    assert isinstance(entity, cls), f"{entity_id} was just written"
    return entity


def slugify(text: str) -> str:
    """An id from a title: lowercase ASCII, German umlauts spelt out, words joined by '-'."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:MAX_ID_LENGTH].strip("-")
    return slug or "eintrag"


def _free_id(store: CypherGraphStore, title: str) -> str:
    """The slug of ``title``, or with the smallest suffix -2, -3 … that is not taken yet."""
    base = slugify(title)
    candidates = [base] + [f"{base}-{n}" for n in range(2, 51)]
    taken = store.kinds_of(candidates)
    for candidate in candidates:
        if candidate not in taken and ID_PATTERN.match(candidate):
            return candidate
    raise Rejected([FieldProblem(ProblemCode.DUPLICATE, "id", f"Bitte eine eigene ID angeben: {base!r} ist vergeben.")])
