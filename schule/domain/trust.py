"""Accounts, versions and audit entries: the trust layer's records, independent of any database.

They live in the graph as nodes labelled ``Account``, ``Token``, ``Version``, ``Revision`` and
``AuditEntry``, never ``Entity``: they are not knowledge, so they never reach export, search or ``stats``.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Role", "AccountStatus", "Account", "StoredToken", "Version", "AuditEntry", "FieldChange", "Revision",
           "RevisionState"]


class Role(enum.StrEnum):
    """What an account may do. Each role includes the ones before it."""

    MEMBER = "member"        # writes drafts and submissions for its own commune
    MODERATOR = "moderator"  # reviews, edits, retags and merges everything
    ADMIN = "admin"          # also manages accounts, the Handlungsfeld taxonomy and networks

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    role: Role
    person: str | None = None
    commune: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    created_at: str | None = None
    revoked_at: str | None = None
    has_password: bool = False

    @staticmethod
    def from_props(p: dict[str, Any]) -> Account:
        return Account(
            id=p["id"], name=p["name"], role=Role(p["role"]), person=p.get("person"),
            commune=p.get("commune"), status=AccountStatus(p.get("status") or "active"),
            created_at=p.get("created_at"), revoked_at=p.get("revoked_at"),
            has_password=bool(p.get("password_hash")),
        )


@dataclass(frozen=True)
class StoredToken:
    """An API token or a session as stored: only the SHA-256 of the secret is kept."""

    account: str
    kind: str  # "api" or "session"
    created_at: str
    expires_at: str
    revoked_at: str | None = None

    @staticmethod
    def from_props(p: dict[str, Any]) -> StoredToken:
        return StoredToken(
            account=p["account"], kind=p["kind"], created_at=p["created_at"], expires_at=p["expires_at"],
            revoked_at=p.get("revoked_at"),
        )


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Version:
    """One change to a project or lesson: who, when, what changed (field by field)."""

    entity: str
    kind: str
    number: int
    at: str
    action: str
    state: str | None
    author: str | None
    author_name: str | None
    author_role: str | None
    changes: tuple[FieldChange, ...] = field(default_factory=tuple)
    note: str | None = None
    author_commune: str | None = None  # the commune a member wrote for (None: moderators; older versions)

    @staticmethod
    def from_props(p: dict[str, Any]) -> Version:
        return Version(
            entity=p["entity"], kind=p["kind"], number=int(p["number"]), at=p["at"], action=p["action"],
            state=p.get("state"), author=p.get("author"), author_name=p.get("author_name"),
            author_role=p.get("author_role"), changes=_changes(p.get("changes")), note=p.get("note"),
            author_commune=p.get("author_commune"),
        )


def _changes(raw: str | None) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(c["field"], c.get("old"), c.get("new")) for c in json.loads(raw or "[]"))


class RevisionState(enum.StrEnum):
    """Where a member's proposed change to a published entry stands."""

    PENDING = "pending"                      # waits in the review queue
    CHANGES_REQUESTED = "changes_requested"  # sent back to its author with a reason
    APPROVED = "approved"                    # applied to the entry
    REJECTED = "rejected"                    # refused with a reason; the entry stayed as it was
    WITHDRAWN = "withdrawn"                  # its author changed everything back to the published values

    @property
    def is_open(self) -> bool:
        return self in (RevisionState.PENDING, RevisionState.CHANGES_REQUESTED)


@dataclass(frozen=True)
class Revision:
    """A member's proposed change to a published project or lesson. The entry itself is untouched
    until a moderator approves it; ``changes`` are the proposed import-format fields, with the
    published value when it was proposed (``old``) and the proposed one (``new``; None clears)."""

    id: str
    entity: str
    kind: str
    state: RevisionState
    created_at: str
    updated_at: str
    author: str | None
    author_name: str | None
    author_role: str | None
    author_commune: str | None
    changes: tuple[FieldChange, ...] = field(default_factory=tuple)
    note: str | None = None          # the moderator's reason or hint
    decided_at: str | None = None
    decided_by: str | None = None
    decided_by_name: str | None = None

    @property
    def proposed(self) -> dict[str, Any]:
        """Field -> proposed value (None: the field is cleared)."""
        return {c.field: c.new for c in self.changes}

    @staticmethod
    def from_props(p: dict[str, Any]) -> Revision:
        return Revision(
            id=p["id"], entity=p["entity"], kind=p["kind"], state=RevisionState(p["state"]),
            created_at=p["created_at"], updated_at=p.get("updated_at") or p["created_at"], author=p.get("author"),
            author_name=p.get("author_name"), author_role=p.get("author_role"),
            author_commune=p.get("author_commune"), changes=_changes(p.get("changes")), note=p.get("note"),
            decided_at=p.get("decided_at"), decided_by=p.get("decided_by"), decided_by_name=p.get("decided_by_name"),
        )


@dataclass(frozen=True)
class AuditEntry:
    """One moderator or admin action. Append-only: nothing ever updates or deletes these."""

    seq: int
    at: str
    action: str
    actor: str | None
    actor_name: str | None
    actor_role: str | None
    target: str | None
    target_kind: str | None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def from_props(p: dict[str, Any]) -> AuditEntry:
        return AuditEntry(
            seq=int(p["seq"]), at=p["at"], action=p["action"], actor=p.get("actor"),
            actor_name=p.get("actor_name"), actor_role=p.get("actor_role"), target=p.get("target"),
            target_kind=p.get("target_kind"), reason=p.get("reason"),
            details=json.loads(p.get("details") or "{}"),
        )
