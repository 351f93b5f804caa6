"""Write use cases behind the GraphQL mutations: create and update projects, add lessons learned,
record that one project adapted another ("wir haben X übernommen").

Every write is checked like an import (``parse_record`` for the shape, ``check_run`` for the
references, screened for the caller: an entry they may not see is an unknown id), so mistakes
come back field by field, and is then written by the moderation service
(``moderation.write_entry``) with the caller's ``Identity``: that decides who may write
(members: projects and lessons of their own commune, never removing a commune; moderators and
admins: everything), the review state (members' new entries start ``submitted``, or ``draft``
when they ask for it; a member's edit of a published entry becomes a pending revision and the
entry stays published as it is; moderators and admins publish directly), and writes a ``Version``
(and an audit entry for moderators) in the same atomic batch, together with the change log the
search index follows. Members' new entries get ids the server makes (``services.ids``).

Expected failures raise ``Rejected`` (a ``ProblemError``) with one ``Problem`` per mistake: a
``Code``, the import field it concerns and a German message, as the validation that found it made
them. A refusal of the trust layer (``TrustError``) carries its problem already.

Updates read, change and rewrite the whole record; two concurrent updates of one project can
overwrite each other (last write wins); the versions show both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from schule.auth.identity import Identity
from schule.domain import model
from schule.domain.problems import Code, Problem
from schule.domain.records import Record, RecordError, parse_record, record_problems
from schule.errors import ProblemError
from schule.services import access, moderation, revisions
from schule.services.access import TrustError
from schule.services.history import entity_fields
from schule.services.ids import slugify
from schule.store.graph import CypherGraphStore

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
    """Create a project from import-format fields. A member's project is submitted for review (kept
    as a draft if ``draft``) and gets an id the server makes; moderators may give one (else it is
    derived from the title)."""
    _require_member(identity, "create_project")
    fields = _given(data)
    fields["id"] = _new_id(store, identity, fields, "projekt", "create_project")
    record = _parse(model.Kind.PROJECT, fields)
    _require_new(store, record.id)
    _check(store, identity, record)
    return _write(store, identity, record, None, "create", submit=not draft, cls=model.Project)


def update_project(
    store: CypherGraphStore, identity: Identity, project_id: str, changes: Mapping[str, Any], *,
    submit: bool = False, action: str = "update",
) -> model.Project:
    """Change the given fields of a project the caller may write; None (or []) clears a field.
    A member's change to a published project becomes a pending revision (their own open one grows)."""
    _require_member(identity, "update_project")
    current = _visible(store, identity, project_id, model.Project, "id")
    fields = project_fields(current)
    if action == "update":
        fields = revisions.proposal_fields(store, identity, current, fields)
    for name, value in changes.items():
        if value is None or value == []:
            fields.pop(name, None)
        else:
            fields[name] = value
    record = _parse(model.Kind.PROJECT, fields)
    _check(store, identity, record, current)
    return _write(store, identity, record, current, action, submit=submit, cls=model.Project)


def add_lesson(
    store: CypherGraphStore, identity: Identity, data: Mapping[str, Any], *, draft: bool = False
) -> model.Lesson:
    """Add a lesson learned to a project; ids as for ``create_project``."""
    _require_member(identity, "add_lesson")
    fields = _given(data)
    if fields.get("project"):
        _visible(store, identity, str(fields["project"]), model.Project, "project")
    fields["id"] = _new_id(store, identity, fields, "erkenntnis", "add_lesson")
    record = _parse(model.Kind.LESSON, fields)
    _require_new(store, record.id)
    _check(store, identity, record)
    return _write(store, identity, record, None, "create", submit=not draft, cls=model.Lesson)


def update_lesson(
    store: CypherGraphStore, identity: Identity, lesson_id: str, changes: Mapping[str, Any], *,
    submit: bool = False,
) -> model.Lesson:
    """Change the given fields of a lesson the caller may write, like ``update_project``: None (or
    []) clears a field; a member's change to a published lesson becomes a pending revision."""
    _require_member(identity, "update_lesson")
    current = _visible(store, identity, lesson_id, model.Lesson, "id")
    fields = revisions.proposal_fields(store, identity, current, entity_fields(current))
    for name, value in changes.items():
        if value is None or value == []:
            fields.pop(name, None)
        else:
            fields[name] = value
    if fields.get("project") and fields["project"] != current.project:
        _visible(store, identity, str(fields["project"]), model.Project, "project")
    record = _parse(model.Kind.LESSON, fields)
    _check(store, identity, record, current)
    return _write(store, identity, record, current, "update", submit=submit, cls=model.Lesson)


def record_adaptation(
    store: CypherGraphStore, identity: Identity, project_id: str, adapted_from_id: str
) -> model.Project:
    """Record that ``project_id`` adapted ("übernommen") ``adapted_from_id``: only the adopting
    project's ``adapted_from`` changes, at once even when it is published (it alters no published
    text; see ``moderation``), and ``adapted_from_id`` is never written."""
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
        "last_confirmed": project.last_confirmed,
        "transfer": project.transfer,
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
        raise Rejected([p if p.field or field is None else Problem(p.code, field, p.message)
                        for p in e.problems]) from None
    assert isinstance(written, cls), f"{record.id} was just written"
    return written


def _given(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != []}


def _parse(kind: model.Kind, fields: Mapping[str, Any]) -> Record:
    obj = {"kind": kind.value, **fields}
    try:
        return parse_record(obj)
    except RecordError:
        raise Rejected(record_problems(obj)) from None  # every field's problem, not just the first


def _check(store: CypherGraphStore, identity: Identity, record: Record, before: model.Entity | None = None) -> None:
    """The import's run checks (references, duplicates), with the codes they found; a reference to
    an entry the caller may not see is an unknown id (``moderation.reference_problems``)."""
    problems = moderation.reference_problems(store, identity, record, before)
    if problems:
        raise Rejected(problems)


def _new_id(
    store: CypherGraphStore, identity: Identity, fields: Mapping[str, Any], default: str, operation: str
) -> str:
    given = str(fields["id"]) if fields.get("id") else None
    try:
        return moderation.entry_id(store, identity, given, str(fields.get("title") or default), operation)
    except ProblemError as e:
        raise Rejected(list(e.problems)) from None


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


__all__ = ["Rejected", "create_project", "update_project", "add_lesson", "update_lesson", "record_adaptation",
           "project_fields", "slugify"]
