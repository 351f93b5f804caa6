"""Pending revisions: a member's change to published knowledge waits for review; what everyone
reads stays as it was published until a moderator approves the change.

* A member's edit of a published project or lesson (of their own commune) is stored as a
  ``Revision`` beside the entry: the proposed import-format fields, the author, the time and a
  state (``pending`` → ``approved`` | ``rejected`` | ``changes_requested``). The entry's node,
  its versions and the change log (so the search index) are not touched.
* One open revision per entry: its author may change it again (the new fields build on what they
  proposed; changing everything back withdraws it; a revision sent back becomes pending again);
  another account's change to that entry is refused (CONFLICT) until a moderator decided.
* Moderators see pending revisions in the review queue, with the field diff against the published
  version. Approving applies the proposed fields on top of the entry as it is then, and writes the
  entry, its ``Version`` (authored by the member: the public history names their commune), an
  audit entry and the revision's new state in one atomic batch. Rejecting or sending back only
  changes the revision (with the reason, which the author sees).
* Who sees a revision: moderators, and members of the communes the entry belongs to (its author
  among them); nobody else, so the public never sees unpublished text.
* Unpublished entries (drafts, submissions) are edited in place as before; moderators' edits of
  published entries apply directly.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from schule.auth.identity import Identity
from schule.domain.model import Entity, ReviewState
from schule.domain.problems import Code
from schule.domain.records import Record, RecordError, parse_record
from schule.domain.trust import FieldChange, Revision, RevisionState, Role
from schule.services.access import TrustError
from schule.services.audit import audit_statements
from schule.services.history import diff, entity_fields, record_fields, version_statements
from schule.services.importing import check_run
from schule.store.base import Statement
from schule.store.graph import CypherGraphStore, now_iso

# Which revision states each moderation step starts from.
APPROVABLE = (RevisionState.PENDING,)
CHANGEABLE = (RevisionState.PENDING,)
REJECTABLE = (RevisionState.PENDING, RevisionState.CHANGES_REQUESTED)
STEP_STATES = {"approve": APPROVABLE, "request_changes": CHANGEABLE, "reject": REJECTABLE}


def is_revised(identity: Identity, before: Entity | None) -> bool:
    """Does a write of ``identity`` replacing ``before`` become a revision (a member's change to a
    published entry) rather than a change of the entry itself?"""
    return before is not None and before.state == ReviewState.PUBLISHED and not identity.is_moderator


def open_revisions(store: CypherGraphStore, entity_id: str) -> list[Revision]:
    """The entry's open (pending or sent back) revisions, oldest first."""
    return sorted((r for r in store.revisions_of([entity_id]) if r.state.is_open), key=lambda r: r.created_at)


def proposal_fields(
    store: CypherGraphStore, identity: Identity, entity: Entity, fields: dict[str, Any]
) -> dict[str, Any]:
    """``fields`` of published ``entity`` with what ``identity`` already proposed for it on top, so
    that a member's second edit builds on their open revision instead of dropping it."""
    if not is_revised(identity, entity):
        return fields
    mine = [r for r in open_revisions(store, entity.id) if r.author == identity.account_id]
    out = dict(fields)
    for revision in mine[:1]:
        for name, value in revision.proposed.items():
            if value is None or value == []:
                out.pop(name, None)
            else:
                out[name] = value
    return out


def propose(store: CypherGraphStore, identity: Identity, before: Entity, record: Record, operation: str) -> Entity:
    """Store a member's change of published ``before`` to ``record`` as a pending revision (or
    update their open one); ``before`` is returned untouched. ``record`` was checked by the caller."""
    changes = diff(entity_fields(before), record_fields(store, record))
    open_ = open_revisions(store, before.id)
    if any(r.author != identity.account_id for r in open_):
        raise TrustError(
            Code.CONFLICT,
            "Zu diesem Eintrag wartet schon ein Änderungsvorschlag eines anderen Kontos auf die Prüfung. "
            "Bitte warten, bis die Moderation darüber entschieden hat, und die Änderung dann erneut vorschlagen.",
            operation=operation, target=before.id,
        )
    mine = open_[0] if open_ else None
    now = now_iso()
    if not changes:
        if mine is not None:  # everything changed back: nothing is left to review
            store.write(store.decide_revision_statements(mine.id, RevisionState.WITHDRAWN.value, None, now,
                                                         identity.account_id, identity.name))
        return before
    store.write(store.revision_statements(
        id=mine.id if mine else new_revision_id(), entity=before.id, kind=before.kind.value,
        state=RevisionState.PENDING.value, author=identity.account_id, author_name=identity.name,
        author_role=identity.role.value if identity.role else None, author_commune=identity.commune_id,
        changes=_json(changes), now=now,
    ))
    return before


def new_revision_id() -> str:
    return f"rev-{secrets.token_hex(8)}"


def _json(changes: Iterable[FieldChange]) -> str:
    return json.dumps([{"field": c.field, "old": c.old, "new": c.new} for c in changes], ensure_ascii=False)


# -- moderation -----------------------------------------------------------------------------------


def require_state(revision: Revision, step: str, operation: str) -> None:
    allowed = STEP_STATES[step]
    if revision.state not in allowed:
        raise TrustError(
            Code.INVALID_STATE,
            f"Der Änderungsvorschlag zu {revision.entity!r} ist {revision.state.value}; {operation} geht nur aus: "
            + ", ".join(s.value for s in allowed),
            operation=operation, target=revision.entity,
        )


def approve(
    store: CypherGraphStore, identity: Identity, entity: Entity, revision: Revision, note: str | None
) -> Entity:
    """Apply ``revision`` to published ``entity``: entry, version, audit entry and the revision's new
    state in one atomic batch. The proposed fields go on top of the entry as it is now, so a
    moderator's edit since the proposal of another field is kept."""
    operation = "approve"
    require_state(revision, "approve", operation)
    if entity.state != ReviewState.PUBLISHED:
        raise TrustError(Code.INVALID_STATE,
                         f"{entity.id!r} ist nicht mehr veröffentlicht ({entity.state.value}): der Änderungsvorschlag "
                         "lässt sich nicht mehr übernehmen; bitte ablehnen.", operation=operation, target=entity.id)
    fields = entity_fields(entity)
    for name, value in revision.proposed.items():
        if value is None or value == []:
            fields.pop(name, None)
        else:
            fields[name] = value
    try:
        record = parse_record({"kind": entity.kind.value, **fields})
    except RecordError as e:
        raise TrustError.of([e.problem], operation=operation) from None
    problems = check_run([record], store)
    if problems:
        raise TrustError.of([p.problem for p in problems], operation=operation)
    record.props.update(state=ReviewState.PUBLISHED.value, created_by=entity.created_by)
    if entity.review_note:
        record.props["review_note"] = entity.review_note
    changes = diff(entity_fields(entity), record_fields(store, record))
    now = now_iso()
    statements = store.upsert_statements([record], now)
    statements += version_statements(author_of(revision), entity_id=entity.id, kind=entity.kind,
                                     action="approve_revision", state=ReviewState.PUBLISHED.value, changes=changes,
                                     now=now, note=note)
    statements += audit_statements(identity, "approve_revision", target=entity.id, target_kind=entity.kind.value,
                                   now=now, reason=note, details=_details(revision, changes))
    statements += store.decide_revision_statements(revision.id, RevisionState.APPROVED.value, note, now,
                                                   identity.account_id, identity.name)
    store.write(statements)
    written = store.get([entity.id]).get(entity.id)
    assert written is not None, f"{entity.id} was just written"
    return written


def decide(
    store: CypherGraphStore, identity: Identity, entity: Entity, revision: Revision, step: str, reason: str
) -> None:
    """Reject ``revision`` or send it back to its author, with ``reason``; the entry stays as it is."""
    operation = step
    require_state(revision, step, operation)
    to = RevisionState.REJECTED if step == "reject" else RevisionState.CHANGES_REQUESTED
    now = now_iso()
    statements: list[Statement] = store.decide_revision_statements(revision.id, to.value, reason, now,
                                                                   identity.account_id, identity.name)
    statements += audit_statements(identity, f"{step}_revision", target=entity.id, target_kind=entity.kind.value,
                                   now=now, reason=reason, details=_details(revision, revision.changes))
    store.write(statements)


def author_of(revision: Revision) -> Identity:
    """The member who proposed ``revision``, as the author of the version that applies it."""
    role = Role(revision.author_role) if revision.author_role in {r.value for r in Role} else None
    return Identity(account_id=revision.author, commune_id=revision.author_commune, role=role,
                    name=revision.author_name)


def _details(revision: Revision, changes: Sequence[FieldChange]) -> dict[str, Any]:
    return {"revision": revision.id, "fields": [c.field for c in changes], "proposed_by": revision.author_name}


# -- reading --------------------------------------------------------------------------------------


def may_see(identity: Identity, revision: Revision, communes: Iterable[str]) -> bool:
    """Moderators, the revision's author and members of the entry's communes see a revision."""
    if identity.is_moderator:
        return True
    if not identity.authenticated:
        return False
    return revision.author == identity.account_id or (
        identity.commune_id is not None and identity.commune_id in set(communes))


def shown_changes(entity: Entity, revision: Revision) -> list[FieldChange]:
    """What ``revision`` changes: for an open one against the entry as published now (a field the
    entry meanwhile has as proposed drops out), for a decided one as it was proposed."""
    if not revision.state.is_open:
        return list(revision.changes)
    current = entity_fields(entity)
    before = {name: current[name] for name in revision.proposed if name in current}
    after = {name: value for name, value in revision.proposed.items() if value is not None and value != []}
    return diff(before, after)
