"""Write use cases behind the GraphQL mutations: create and update projects, add lessons learned,
record that one project adapted another ("wir haben X übernommen").

Every write is checked like an import (``parse_record`` for the shape, ``check_run`` for the
references), so mistakes come back field by field, and is then written by the moderation
service (``moderation.write_entry``) with the caller's ``Identity``: that decides who may write
(members: projects and lessons of their own commune, and only their own unpublished entries;
moderators and admins: everything), the review state (members' new entries start ``submitted``,
or ``draft`` when they ask for it; a member's edit of a published entry goes back to review;
moderators and admins publish directly), and writes a ``Version`` (and an audit entry for
moderators) in the same atomic batch, together with the change log the search index follows.

Expected failures raise ``Rejected`` (a ``ProblemError``) with one ``Problem`` per mistake: a
``Code``, the import field it concerns and a German message, as the validation that found it made
them. A refusal of the trust layer (``TrustError``) carries its problem already.

Updates read, change and rewrite the whole record; two concurrent updates of one project can
overwrite each other (last write wins); the versions show both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, TypeVar

from schule.auth.identity import Identity
from schule.domain import model
from schule.domain.problems import Code, Problem
from schule.domain.records import ID_PATTERN, Record, RecordError, parse_record
from schule.errors import ProblemError
from schule.services import access, moderation
from schule.services.access import TrustError
from schule.services.importing import check_run
from schule.store.graph import CypherGraphStore

MAX_ID_LENGTH = 80
E = TypeVar("E", bound=model.Entity)


class Rejected(ProblemError):
    """A write was refused; nothing was changed. ``problems`` says why, field by field."""


def _rejected(code: Code, field: str | None, message: str) -> Rejected:
    return Rejected([Problem(code, field, message)])


def problem_of(error: TrustError, field: str | None = None) -> Problem:
    """A refusal of the trust layer as a problem, on ``field`` if it has none of its own."""
    first = error.problems[0]
    return first if first.field or field is None else Problem(first.code, field, first.message)


# -- use cases ------------------------------------------------------------------------------------


def create_project(
    store: CypherGraphStore, identity: Identity, data: Mapping[str, Any], *, draft: bool = False
) -> model.Project:
    """Create a project from import-format fields; ``id`` is derived from the title if absent.
    A member's project is submitted for review (kept as a draft if ``draft``)."""
    _require_member(identity, "create_project")
    fields = _given(data)
    if not fields.get("id"):
        fields["id"] = _free_id(store, str(fields.get("title") or "projekt"))
    record = _parse(model.Kind.PROJECT, fields)
    _require_new(store, record.id)
    _check(store, record)
    return _write(store, identity, record, None, "create", submit=not draft, cls=model.Project)


def update_project(
    store: CypherGraphStore, identity: Identity, project_id: str, changes: Mapping[str, Any], *,
    submit: bool = False, action: str = "update",
) -> model.Project:
    """Change the given fields of a project the caller may write; None (or []) clears a field."""
    _require_member(identity, "update_project")
    current = _visible(store, identity, project_id, model.Project, "id")
    fields = project_fields(current)
    for name, value in changes.items():
        if value is None or value == []:
            fields.pop(name, None)
        else:
            fields[name] = value
    record = _parse(model.Kind.PROJECT, fields)
    _check(store, record)
    return _write(store, identity, record, current, action, submit=submit, cls=model.Project)


def add_lesson(
    store: CypherGraphStore, identity: Identity, data: Mapping[str, Any], *, draft: bool = False
) -> model.Lesson:
    """Add a lesson learned to a project; ``id`` is derived from the title if absent."""
    _require_member(identity, "add_lesson")
    fields = _given(data)
    if fields.get("project"):
        _visible(store, identity, str(fields["project"]), model.Project, "project")
    if not fields.get("id"):
        fields["id"] = _free_id(store, str(fields.get("title") or "erkenntnis"))
    record = _parse(model.Kind.LESSON, fields)
    _require_new(store, record.id)
    _check(store, record)
    return _write(store, identity, record, None, "create", submit=not draft, cls=model.Lesson)


def record_adaptation(
    store: CypherGraphStore, identity: Identity, project_id: str, adapted_from_id: str
) -> model.Project:
    """Record that ``project_id`` adapted ("übernommen") ``adapted_from_id``."""
    _require_member(identity, "record_adaptation")
    if project_id == adapted_from_id:
        raise _rejected(Code.INVALID, "adapted_from", "Ein Projekt kann sich nicht selbst übernehmen.")
    found = access.visible(store, identity, [project_id, adapted_from_id])
    problems = [
        Problem(Code.NOT_FOUND, name, f"Kein Projekt mit der ID {pid!r}.")
        for name, pid in (("project", project_id), ("adapted_from", adapted_from_id))
        if not isinstance(found.get(pid), model.Project)
    ]
    if problems:
        raise Rejected(problems)
    project, model_project = found[project_id], found[adapted_from_id]
    assert isinstance(project, model.Project)
    if model_project.id in project.adapted_from:
        raise _rejected(
            Code.DUPLICATE, "adapted_from",
            f"Dass {project_id!r} das Projekt {adapted_from_id!r} übernommen hat, ist schon erfasst.",
        )
    return update_project(store, identity, project.id, {"adapted_from": [*project.adapted_from, model_project.id]},
                          action="record_adaptation")


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
        "license": project.license,
        "source": project.source,
    }
    return _given(fields)


# -- helpers --------------------------------------------------------------------------------------


def _require_member(identity: Identity, operation: str) -> None:
    try:
        access.require_member(identity, operation)
    except TrustError as e:
        raise Rejected([problem_of(e)]) from None


def _write(
    store: CypherGraphStore, identity: Identity, record: Record, before: model.Entity | None, action: str, *,
    submit: bool, cls: type[E],
) -> E:
    try:
        written = moderation.write_entry(store, identity, record, before, action=action, submit=submit,
                                         operation=f"{action}_{record.kind}")
    except TrustError as e:
        field = "project" if e.code == Code.NOT_FOUND and record.kind == model.Kind.LESSON.value else None
        raise Rejected([problem_of(e, field)]) from None
    assert isinstance(written, cls), f"{record.id} was just written"
    return written


def _given(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != []}


def _parse(kind: model.Kind, fields: Mapping[str, Any]) -> Record:
    try:
        return parse_record({"kind": kind.value, **fields})
    except RecordError as e:
        raise Rejected([e.problem]) from None


def _check(store: CypherGraphStore, record: Record) -> None:
    """The import's run checks (references, duplicates), with the codes they found."""
    problems = [p.problem for p in check_run([record], store)]
    if problems:
        raise Rejected(problems)


def _require_new(store: CypherGraphStore, entity_id: str) -> None:
    kinds = store.kinds_of([entity_id])
    if entity_id in kinds:
        raise _rejected(Code.DUPLICATE, "id", f"Die ID {entity_id!r} ist schon vergeben ({kinds[entity_id].value}).")


def _visible(store: CypherGraphStore, identity: Identity, entity_id: str, cls: type[E], field: str) -> E:
    """The entity the caller may see (a merged-away id: its survivor), or NOT_FOUND on ``field``."""
    entity = access.visible(store, identity, [entity_id]).get(entity_id)
    if not isinstance(entity, cls):
        what = {"Project": "Projekt", "Lesson": "Erkenntnis"}.get(cls.__name__, cls.__name__)
        raise _rejected(Code.NOT_FOUND, field, f"Kein {what} mit der ID {entity_id!r}.")
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
    raise _rejected(Code.DUPLICATE, "id", f"Bitte eine eigene ID angeben: {base!r} ist vergeben.")
