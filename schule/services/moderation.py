"""The review workflow: drafts, submissions, approval, rejection, requested changes, edits, retags.

    draft ──submit──► submitted ──approve──► published
      ▲                  │  │
      └─ (member edits)  │  └─reject(reason)──► rejected
                         └─request_changes(reason)──► changes_requested ──submit──► submitted

* Members create projects and lessons for their own commune as ``draft`` (or straight
  ``submitted``), edit their own unpublished entries and submit them. A member's edit of a
  published entry of their commune sends it back to ``submitted``: it leaves search until a
  moderator approved it again (a simple rule instead of parallel revisions; see the README).
* Moderators and admins publish directly, and approve, reject, request changes, edit and retag.
* Every step writes a ``Version`` (projects and lessons) and, for moderators and admins, an
  ``AuditEntry``, in the same atomic batch as the change. The search index follows the change
  log and indexes published entries only, so an entry appears in search exactly when approved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from schule.auth.identity import Identity
from schule.domain.model import Entity, Kind, Lesson, Project, Rel, ReviewState
from schule.domain.problems import Code
from schule.domain.records import Record, RecordError, parse_record
from schule.domain.trust import FieldChange
from schule.services.access import (
    TrustError,
    communes_of,
    entity_communes,
    get_visible,
    not_found,
    require_moderator,
    require_write,
)
from schule.services.audit import audit_statements
from schule.services.history import diff, entity_fields, version_statements
from schule.services.importing import check_run
from schule.store.graph import CypherGraphStore, entity_from_row, now_iso

REVIEWED = (Kind.PROJECT, Kind.LESSON)
MAX_REASON = 2000
MAX_PAGE = 100

# Which states each step starts from.
SUBMITTABLE = (ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED)
APPROVABLE = (ReviewState.SUBMITTED,)
REJECTABLE = (ReviewState.SUBMITTED, ReviewState.CHANGES_REQUESTED, ReviewState.DRAFT, ReviewState.PUBLISHED)
CHANGEABLE = (ReviewState.SUBMITTED,)


# -- writing entries ------------------------------------------------------------------------------

def state_after_write(identity: Identity, before: Entity | None, submit: bool) -> ReviewState:
    """The review state an entry gets when ``identity`` writes it."""
    if identity.is_moderator:
        return before.state if before is not None else ReviewState.PUBLISHED
    if submit:
        return ReviewState.SUBMITTED
    if before is None:
        return ReviewState.DRAFT
    if before.state == ReviewState.PUBLISHED:
        return ReviewState.SUBMITTED  # a member's edit of published knowledge is reviewed again
    return before.state


def record_communes(store: CypherGraphStore, record: Record) -> set[str]:
    learned_in = record.refs.get(Rel.LEARNED_IN) or []
    project = learned_in[0] if learned_in else None
    return communes_of(store, Kind(record.kind), record.refs.get(Rel.LOCATED_IN, []), project)


def check_write(
    store: CypherGraphStore, identity: Identity, record: Record, before: Entity | None, operation: str
) -> None:
    """May ``identity`` write ``record`` (replacing ``before``)? Raises AccessDenied / TrustError."""
    if Kind(record.kind) not in REVIEWED:
        raise TrustError(Code.INVALID, f"{record.kind} wird hier nicht bearbeitet.", operation=operation)
    communes = record_communes(store, record)
    if before is not None:
        # a member may neither take over another commune's entry nor move one away from their own
        communes = communes & entity_communes(store, before) if not identity.is_moderator else communes
    require_write(identity, operation, communes=communes, before=before, target=record.id)
    if before is not None and before.state in (ReviewState.REJECTED, ReviewState.MERGED) and not identity.is_moderator:
        raise TrustError(Code.INVALID_STATE, "Ein abgelehnter Eintrag kann nicht mehr bearbeitet werden.",
                         operation=operation, target=record.id)
    if Kind(record.kind) == Kind.LESSON:
        project = record.props.get("project")
        if project and not get_visible_or_none(store, identity, project):
            raise not_found(project, operation)


def get_visible_or_none(store: CypherGraphStore, identity: Identity, entity_id: str) -> Entity | None:
    try:
        return get_visible(store, identity, entity_id)
    except TrustError:
        return None


def write_entry(
    store: CypherGraphStore, identity: Identity, record: Record, before: Entity | None, *,
    action: str, submit: bool = False, operation: str = "",
) -> Entity:
    """Check, then write ``record`` with its review state, its version and (for moderators) its
    audit entry as one atomic batch. ``record`` is validated and its references checked."""
    check_write(store, identity, record, before, operation or action)
    state = state_after_write(identity, before, submit)
    old_fields = entity_fields(before)
    new_fields = entity_fields(_as_entity(store, record))
    record.props["state"] = state.value
    record.props["created_by"] = (before.created_by if before is not None else identity.account_id)
    if state == ReviewState.SUBMITTED or before is None:
        record.props.pop("review_note", None)
    elif before.review_note:
        record.props["review_note"] = before.review_note
    changes = diff(old_fields, new_fields)
    if before is None or before.state != state:
        changes.append(FieldChange("state", before.state.value if before else None, state.value))
    now = now_iso()
    kind = Kind(record.kind)
    statements = store.upsert_statements([record], now)
    statements += version_statements(identity, entity_id=record.id, kind=kind, action=action, state=state.value,
                                     changes=changes, now=now)
    if identity.is_moderator:
        statements += audit_statements(identity, action, target=record.id, target_kind=kind.value, now=now,
                                       details={"fields": [c.field for c in changes]})
    store.write(statements)
    written = store.get([record.id]).get(record.id)
    assert written is not None, f"{record.id} was just written"
    return written


def _as_entity(store: CypherGraphStore, record: Record) -> Entity:
    """The entity ``record`` will be once written (for the version's field-by-field diff)."""
    targets = [t for ts in record.refs.values() for t in ts]
    kinds = store.kinds_of(targets)
    refs = [[rel.value, kinds[t].value, t] for rel, ts in record.refs.items() for t in ts if t in kinds]
    return entity_from_row({**record.props, "kind": record.kind}, refs)


def parse_entry(store: CypherGraphStore, kind: Kind, fields: Mapping[str, Any], operation: str) -> Record:
    """Validate import-format fields like an import does (shape, references)."""
    try:
        record = parse_record({"kind": kind.value, **{k: v for k, v in fields.items() if v is not None}})
    except RecordError as e:
        raise TrustError.of([e.problem], operation=operation) from None
    problems = check_run([record], store)
    if problems:
        raise TrustError.of([p.problem for p in problems], operation=operation)
    return record


def create_entry(
    store: CypherGraphStore, identity: Identity, kind: Kind, fields: Mapping[str, Any], *, submit: bool = False
) -> Entity:
    """A new project or lesson; members' entries start as drafts (or submitted)."""
    operation = f"create_{kind.value}"
    if "id" in fields and store.kinds_of([str(fields["id"])]):
        raise TrustError(Code.CONFLICT, f"Die ID {fields['id']!r} ist schon vergeben.", operation=operation)
    record = parse_entry(store, kind, fields, operation)
    return write_entry(store, identity, record, None, action="create", submit=submit, operation=operation)


def edit_entry(
    store: CypherGraphStore, identity: Identity, entity_id: str, changes: Mapping[str, Any], *,
    submit: bool = False, action: str = "update",
) -> Entity:
    """Change fields of an entry (None or [] clears one)."""
    operation = f"{action}_entry"
    before = get_visible(store, identity, entity_id, operation)
    if before.kind not in REVIEWED:
        raise TrustError(Code.INVALID, f"{before.kind} wird hier nicht bearbeitet.", operation=operation)
    fields = entity_fields(before)
    for name, value in changes.items():
        if name in ("id", "kind"):
            continue
        if value is None or value == []:
            fields.pop(name, None)
        else:
            fields[name] = value
    record = parse_entry(store, before.kind, fields, operation)
    return write_entry(store, identity, record, before, action=action, submit=submit, operation=operation)


def retag(store: CypherGraphStore, identity: Identity, entity_id: str, handlungsfelder: Sequence[str]) -> Entity:
    """Moderators file an entry under other Handlungsfelder."""
    require_moderator(identity, "retag")
    return edit_entry(store, identity, entity_id, {"handlungsfelder": list(handlungsfelder) or None},
                      action="retag")


# -- workflow steps -------------------------------------------------------------------------------

def _transition(
    store: CypherGraphStore, identity: Identity, entity_id: str, *, operation: str,
    allowed_from: Sequence[ReviewState], to: ReviewState, reason: str | None = None,
) -> Entity:
    entity = get_visible(store, identity, entity_id, operation)
    if entity.kind not in REVIEWED:
        raise TrustError(Code.INVALID, f"{entity.kind} wird nicht begutachtet.", operation=operation,
                         target=entity_id)
    if entity.state not in allowed_from:
        raise TrustError(
            Code.INVALID_STATE,
            f"{entity.id!r} ist {entity.state.value}; {operation} geht nur aus: "
            + ", ".join(s.value for s in allowed_from),
            operation=operation, target=entity.id,
        )
    now = now_iso()
    changes = [FieldChange("state", entity.state.value, to.value)]
    if reason is not None or entity.review_note:
        changes.append(FieldChange("review_note", entity.review_note, reason))
    statements = store.review_state_statements(entity, to.value, reason, now)
    statements += version_statements(identity, entity_id=entity.id, kind=entity.kind, action=operation,
                                     state=to.value, changes=changes, now=now, note=reason)
    if identity.is_moderator:
        statements += audit_statements(identity, operation, target=entity.id, target_kind=entity.kind.value,
                                       now=now, reason=reason,
                                       details={"from": entity.state.value, "to": to.value})
    store.write(statements)
    updated = store.get([entity.id]).get(entity.id)
    assert updated is not None
    return updated


def _reason(reason: str | None, operation: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise TrustError(Code.REASON_REQUIRED, "Bitte eine Begründung angeben.", operation=operation)
    if len(text) > MAX_REASON:
        raise TrustError(Code.INVALID, f"Die Begründung ist länger als {MAX_REASON} Zeichen.", operation=operation)
    return text


def submit(store: CypherGraphStore, identity: Identity, entity_id: str) -> Entity:
    """The author (or a moderator) hands a draft in for review."""
    entity = get_visible(store, identity, entity_id, "submit")
    require_write(identity, "submit", communes=entity_communes(store, entity), before=entity, target=entity_id)
    return _transition(store, identity, entity_id, operation="submit", allowed_from=SUBMITTABLE,
                       to=ReviewState.SUBMITTED)


def approve(store: CypherGraphStore, identity: Identity, entity_id: str, note: str | None = None) -> Entity:
    require_moderator(identity, "approve")
    return _transition(store, identity, entity_id, operation="approve", allowed_from=APPROVABLE,
                       to=ReviewState.PUBLISHED, reason=(note or "").strip() or None)


def reject(store: CypherGraphStore, identity: Identity, entity_id: str, reason: str | None) -> Entity:
    require_moderator(identity, "reject")
    return _transition(store, identity, entity_id, operation="reject", allowed_from=REJECTABLE,
                       to=ReviewState.REJECTED, reason=_reason(reason, "reject"))


def request_changes(store: CypherGraphStore, identity: Identity, entity_id: str, reason: str | None) -> Entity:
    require_moderator(identity, "request_changes")
    return _transition(store, identity, entity_id, operation="request_changes", allowed_from=CHANGEABLE,
                       to=ReviewState.CHANGES_REQUESTED, reason=_reason(reason, "request_changes"))


# -- queues ---------------------------------------------------------------------------------------

def review_queue(
    store: CypherGraphStore, identity: Identity, *, kinds: Sequence[Kind] | None = None, skip: int = 0,
    limit: int = 20,
) -> list[Entity]:
    """Submitted entries, oldest first: what moderators work through."""
    require_moderator(identity, "reviewQueue")
    return store.review_queue([k.value for k in kinds] if kinds else None, max(0, skip),
                              max(1, min(limit, MAX_PAGE)))


def review_queue_count(store: CypherGraphStore, identity: Identity, kinds: Sequence[Kind] | None = None) -> int:
    """How many entries wait for review: frontends poll this to tell moderators of new ones."""
    require_moderator(identity, "reviewQueueCount")
    return store.review_queue_count([k.value for k in kinds] if kinds else None)


def my_entries(store: CypherGraphStore, identity: Identity, skip: int = 0, limit: int = 20) -> list[Entity]:
    """The caller's own entries in every state (drafts, submissions, published, rejected)."""
    if not identity.authenticated or identity.account_id is None:
        return []
    return store.entries_created_by(identity.account_id, max(0, skip), max(1, min(limit, MAX_PAGE)))


__all__ = [
    "approve", "reject", "request_changes", "submit", "retag", "create_entry", "edit_entry", "write_entry",
    "review_queue", "review_queue_count", "my_entries", "state_after_write", "Project", "Lesson",
]
