"""The review workflow: drafts, submissions, approval, rejection, requested changes, edits, retags.

    draft ──submit──► submitted ──approve──► published
      ▲                  │  │
      └─ (member edits)  │  └─reject(reason)──► rejected
                         └─request_changes(reason)──► changes_requested ──submit──► submitted

* Members create projects and lessons for their own commune as ``draft`` (or straight
  ``submitted``), with ids the server makes (``services.ids``), edit their own unpublished entries
  and submit them.
* Published stays published: a member's edit of a published entry of their commune is a pending
  revision (``services.revisions``); everyone keeps reading the published version, search
  included, until a moderator approves it. approve / reject / request_changes on an entry with an
  open revision decide that revision (the entry itself only when it has none).
* A member never removes a commune from a project (adding one is fine; moderators review it), and
  a reference to an entry the member may not see is NOT_FOUND, exactly like an unknown id.
* Recording "we adopted X" (``record_adaptation``) changes only the adopting project's
  ``adapted_from`` and is applied directly even when that project is published: it alters no
  published text, adds one link that the version, the history and moderators' retagging can undo,
  and never touches X.
* Moderators and admins publish directly, and approve, reject, request changes, edit and retag.
* Every step writes a ``Version`` (projects and lessons) and, for moderators and admins, an
  ``AuditEntry``, in the same atomic batch as the change. The search index follows the change
  log and indexes published entries only, so an entry appears in search exactly when approved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schule.auth.identity import Identity
from schule.domain.model import Entity, Kind, Lesson, Project, Rel, ReviewState
from schule.domain.problems import Code, Problem
from schule.domain.records import SPEC, Record, RecordError, parse_record, record_problems
from schule.domain.trust import FieldChange, Revision, RevisionState
from schule.services import ids, revisions
from schule.services.access import (
    TrustError,
    communes_of,
    entity_communes,
    get_visible,
    not_found,
    require_member,
    require_moderator,
    require_write,
    visible,
)
from schule.services.audit import audit_statements
from schule.services.history import diff, entity_fields, record_fields, version_statements
from schule.services.importing import check_run
from schule.store.base import Edge
from schule.store.graph import CypherGraphStore, now_iso

REVIEWED = (Kind.PROJECT, Kind.LESSON, Kind.ADAPTATION)
MAX_REASON = 2000
MAX_PAGE = 100

# Which states each step starts from.
SUBMITTABLE = (ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED)
APPROVABLE = (ReviewState.SUBMITTED,)
REJECTABLE = (ReviewState.SUBMITTED, ReviewState.CHANGES_REQUESTED, ReviewState.DRAFT, ReviewState.PUBLISHED)
CHANGEABLE = (ReviewState.SUBMITTED,)
# Only a submission waiting for review is taken back: a returned entry keeps the moderator's reason
# (its author fixes it and submits again), a draft has nothing to take back.
WITHDRAWABLE = (ReviewState.SUBMITTED,)


# -- writing entries ------------------------------------------------------------------------------

def state_after_write(identity: Identity, before: Entity | None, submit: bool) -> ReviewState:
    """The review state an entry gets when ``identity`` writes it."""
    if identity.is_moderator:
        return before.state if before is not None else ReviewState.PUBLISHED
    if submit:
        return ReviewState.SUBMITTED
    if before is None:
        return ReviewState.DRAFT
    # a member's write of a published entry that reaches here (recording an adaptation; every
    # other change became a revision) keeps it published
    return before.state


def record_communes(store: CypherGraphStore, record: Record) -> set[str]:
    learned_in = record.refs.get(Rel.LEARNED_IN) or []
    project = learned_in[0] if learned_in else None
    own = Rel.ADOPTED_IN if record.kind == Kind.ADAPTATION else Rel.LOCATED_IN
    return communes_of(store, Kind(record.kind), record.refs.get(own, []), project)


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
    if before is not None and not identity.is_moderator and isinstance(before, Project):
        removed = sorted(set(before.communes) - set(record.refs.get(Rel.LOCATED_IN, [])))
        if removed:
            raise TrustError(
                Code.FORBIDDEN,
                "Mitglieder können keine Kommune aus einem Projekt entfernen (hier: "
                + ", ".join(repr(c) for c in removed)
                + "); das darf nur die Moderation. Bitte alle bisherigen Kommunen beibehalten; hinzufügen geht.",
                operation=operation, target=record.id, field="communes",
            )
    if before is not None and before.state in (ReviewState.REJECTED, ReviewState.MERGED) and not identity.is_moderator:
        raise TrustError(Code.INVALID_STATE, "Ein abgelehnter Eintrag kann nicht mehr bearbeitet werden.",
                         operation=operation, target=record.id)
    if Kind(record.kind) == Kind.LESSON:
        project = record.props.get("project")
        if project and not get_visible_or_none(store, identity, project):
            raise not_found(project, operation)
    if Kind(record.kind) == Kind.ADAPTATION:
        for rel in (Rel.ADOPTS, Rel.ADOPTED_AS):
            for target in record.refs.get(rel, []):
                if not get_visible_or_none(store, identity, target):
                    raise not_found(target, operation)


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
    audit entry as one atomic batch. ``record`` is validated and its references checked.

    A member's change to a published entry is stored as a pending revision instead, and the entry
    is returned as it is (recording an adaptation excepted: see the module docstring)."""
    check_write(store, identity, record, before, operation or action)
    if before is not None and revisions.is_revised(identity, before) and action != "record_adaptation":
        return revisions.propose(store, identity, before, record, operation or action)
    state = state_after_write(identity, before, submit)
    old_fields = entity_fields(before)
    new_fields = record_fields(store, record)
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


def parse_entry(
    store: CypherGraphStore, identity: Identity, kind: Kind, fields: Mapping[str, Any], operation: str,
    before: Entity | None = None,
) -> Record:
    """Validate import-format fields like an import does (shape, references), with references
    screened for ``identity`` (see ``reference_problems``)."""
    obj = {"kind": kind.value, **{k: v for k, v in fields.items() if v is not None}}
    try:
        record = parse_record(obj)
    except RecordError:
        raise TrustError.of(record_problems(obj), operation=operation) from None
    problems = reference_problems(store, identity, record, before)
    if problems:
        raise TrustError.of(problems, operation=operation)
    return record


class _AsSeenBy:
    """The store's ``kinds_of`` as ``identity`` may see it, for the run checks of one write: an
    existing entry they may not see (another commune's draft) is absent, exactly like an unknown
    id. Ids in ``known`` (the entry itself, what it referred to already) count as seen."""

    def __init__(self, store: CypherGraphStore, identity: Identity, known: set[str]) -> None:
        self.store, self.identity, self.known = store, identity, known

    def kinds_of(self, ids: Sequence[str]) -> dict[str, Kind]:
        kinds = self.store.kinds_of(ids)
        if self.identity.is_moderator:
            return kinds
        unsure = [i for i in kinds if i not in self.known]
        seen = visible(self.store, self.identity, unsure) if unsure else {}
        return {i: k for i, k in kinds.items() if i in self.known or i in seen}

    def all_edges(self, rel: Rel) -> list[Edge]:
        return self.store.all_edges(rel)


def reference_problems(
    store: CypherGraphStore, identity: Identity, record: Record, before: Entity | None = None
) -> list[Problem]:
    """The import's run checks (references, duplicates) of ``record`` as ``identity`` may see the
    store: a reference to an entry they may not see is NOT_FOUND with the very message of an
    unknown id, in the same single pass, so no answer tells one from the other."""
    known = {record.id} | _references(before)
    return [p.problem for p in check_run([record], _AsSeenBy(store, identity, known))]


def _references(entity: Entity | None) -> set[str]:
    if entity is None:
        return set()
    fields = entity_fields(entity)
    out: set[str] = set()
    for name, spec in SPEC[entity.kind].items():
        value = fields.get(name) if spec.rel is not None else None
        out.update(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    return out


def entry_id(
    store: CypherGraphStore, identity: Identity, given: str | None, title: str, operation: str
) -> str:
    """The id of a new entry: members never choose one (``services.ids``); moderators may."""
    require_member(identity, operation)
    if not identity.is_moderator:
        if given:
            raise TrustError(Code.INVALID, ids.MEMBER_ID_MESSAGE, operation=operation, field="id")
        return ids.member_id(store, title)
    return given or ids.free_id(store, title)


def create_entry(
    store: CypherGraphStore, identity: Identity, kind: Kind, fields: Mapping[str, Any], *, submit: bool = False
) -> Entity:
    """A new project or lesson; members' entries start as drafts (or submitted), with an id the
    server makes (they may not give one)."""
    operation = f"create_{kind.value}"
    given = str(fields["id"]) if fields.get("id") else None
    entity_id = entry_id(store, identity, given, str(fields.get("title") or kind.value), operation)
    if given and store.kinds_of([given]):
        raise TrustError(Code.CONFLICT, f"Die ID {given!r} ist schon vergeben.", operation=operation)
    record = parse_entry(store, identity, kind, {**fields, "id": entity_id}, operation)
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
    fields = revisions.proposal_fields(store, identity, before, entity_fields(before))
    for name, value in changes.items():
        if name in ("id", "kind"):
            continue
        if value is None or value == []:
            fields.pop(name, None)
        else:
            fields[name] = value
    record = parse_entry(store, identity, before.kind, fields, operation, before)
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


@dataclass(frozen=True)
class Outcome:
    """A moderation step: the entry after it, and the revision it decided (None: the entry's own step)."""

    entity: Entity
    revision: Revision | None = None


STEPS = {  # step -> (entry states it starts from, state it leads to)
    "approve": (APPROVABLE, ReviewState.PUBLISHED),
    "reject": (REJECTABLE, ReviewState.REJECTED),
    "request_changes": (CHANGEABLE, ReviewState.CHANGES_REQUESTED),
}


def decide(
    store: CypherGraphStore, identity: Identity, entity_id: str, step: str, reason: str | None = None
) -> Outcome:
    """A moderator's ``step`` (approve, reject, request_changes) on an entry. When the entry has an
    open revision, the step decides that revision and the published entry stays (approving applies
    the revision); otherwise the entry moves, as the state diagram says. Reject and request_changes
    need a reason; approve takes an optional note."""
    require_moderator(identity, step)
    text = ((reason or "").strip() or None) if step == "approve" else _reason(reason, step)
    entity = get_visible(store, identity, entity_id, step)
    open_ = revisions.open_revisions(store, entity.id) if entity.state == ReviewState.PUBLISHED else []
    if open_:
        revision = open_[0]
        if step == "approve":
            return Outcome(revisions.approve(store, identity, entity, revision, text), _decided(store, revision))
        assert text is not None
        revisions.decide(store, identity, entity, revision, step, text)
        return Outcome(entity, _decided(store, revision))
    allowed_from, to = STEPS[step]
    return Outcome(_transition(store, identity, entity.id, operation=step, allowed_from=allowed_from, to=to,
                               reason=text))


def _decided(store: CypherGraphStore, revision: Revision) -> Revision:
    return next((r for r in store.revisions_of([revision.entity]) if r.id == revision.id), revision)


def approve(store: CypherGraphStore, identity: Identity, entity_id: str, note: str | None = None) -> Entity:
    return decide(store, identity, entity_id, "approve", note).entity


def reject(store: CypherGraphStore, identity: Identity, entity_id: str, reason: str | None) -> Entity:
    return decide(store, identity, entity_id, "reject", reason).entity


def request_changes(store: CypherGraphStore, identity: Identity, entity_id: str, reason: str | None) -> Entity:
    return decide(store, identity, entity_id, "request_changes", reason).entity


def withdraw(store: CypherGraphStore, identity: Identity, entity_id: str) -> Outcome:
    """The author takes back what waits for review: a submitted entry becomes a draft again (out of
    the review queue, kept as written, to be edited and submitted later); their own open change to a
    published entry is withdrawn (the published entry stays exactly as it is). Nothing is deleted."""
    operation = "withdraw"
    require_member(identity, operation)
    entity = get_visible(store, identity, entity_id, operation)
    if entity.kind not in REVIEWED:
        raise TrustError(Code.INVALID, f"{entity.kind} wird nicht begutachtet.", operation=operation,
                         target=entity_id)
    require_write(identity, operation, communes=entity_communes(store, entity), before=entity, target=entity_id)
    if entity.state == ReviewState.PUBLISHED:
        mine = [r for r in revisions.open_revisions(store, entity.id)
                if r.author == identity.account_id or identity.is_moderator]
        if not mine:
            raise TrustError(Code.INVALID_STATE,
                             "Zu diesem veröffentlichten Eintrag wartet keine Änderung von Ihnen auf die Prüfung; "
                             "es gibt nichts zurückzuziehen.", operation=operation, target=entity.id)
        store.write(store.decide_revision_statements(mine[0].id, RevisionState.WITHDRAWN.value, None, now_iso(),
                                                     identity.account_id, identity.name))
        return Outcome(entity, _decided(store, mine[0]))
    return Outcome(_transition(store, identity, entity.id, operation=operation, allowed_from=WITHDRAWABLE,
                               to=ReviewState.DRAFT))


# -- queues ---------------------------------------------------------------------------------------

def review_queue(
    store: CypherGraphStore, identity: Identity, *, kinds: Sequence[Kind] | None = None, skip: int = 0,
    limit: int = 20,
) -> list[Entity]:
    """Submitted entries and published ones with a pending revision, oldest first: what moderators
    work through."""
    require_moderator(identity, "reviewQueue")
    return store.review_queue([k.value for k in kinds] if kinds else None, max(0, skip),
                              max(1, min(limit, MAX_PAGE)))


def review_queue_count(store: CypherGraphStore, identity: Identity, kinds: Sequence[Kind] | None = None) -> int:
    """How many entries wait for review: frontends poll this to tell moderators of new ones."""
    require_moderator(identity, "reviewQueueCount")
    return store.review_queue_count([k.value for k in kinds] if kinds else None)


def my_entries(store: CypherGraphStore, identity: Identity, skip: int = 0, limit: int = 20) -> list[Entity]:
    """The caller's own entries in every state (drafts, submissions, published, rejected), and the
    entries they proposed a revision of; the last touched first."""
    if not identity.authenticated or identity.account_id is None:
        return []
    return store.entries_of_account(identity.account_id, max(0, skip), max(1, min(limit, MAX_PAGE)))


__all__ = [
    "approve", "reject", "request_changes", "decide", "Outcome", "submit", "withdraw", "retag", "create_entry",
    "edit_entry", "write_entry",
    "review_queue", "review_queue_count", "my_entries", "state_after_write", "Project", "Lesson",
]
