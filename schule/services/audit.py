"""The audit log: one append-only entry for every action of a moderator or an admin.

Entries are written in the same atomic batch as the action; the store has no statement that
changes or deletes one. Moderators and admins may read the log.
"""

from __future__ import annotations

import json
from typing import Any

from schule.auth.identity import Identity
from schule.domain.trust import AuditEntry
from schule.services.access import require_moderator
from schule.store.base import Statement
from schule.store.graph import CypherGraphStore

MAX_PAGE = 200


def audit_statements(
    identity: Identity, action: str, *, target: str | None, target_kind: str | None, now: str,
    reason: str | None = None, details: dict[str, Any] | None = None,
) -> list[Statement]:
    return CypherGraphStore.audit_statements(
        action=action, actor=identity.account_id, actor_name=identity.name,
        actor_role=identity.role.value if identity.role else None, target=target, target_kind=target_kind,
        reason=reason, details=json.dumps(details or {}, ensure_ascii=False, default=str), now=now,
    )


def audit_log(
    store: CypherGraphStore, identity: Identity, *, target: str | None = None, actor: str | None = None,
    skip: int = 0, limit: int = 50,
) -> list[AuditEntry]:
    """Audit entries, newest first."""
    require_moderator(identity, "auditLog")
    return store.audit_page(target=target, actor=actor, skip=max(0, skip), limit=max(1, min(limit, MAX_PAGE)))


def audit_count(store: CypherGraphStore, identity: Identity, *, target: str | None = None,
                actor: str | None = None) -> int:
    require_moderator(identity, "auditLog")
    return store.audit_count(target=target, actor=actor)
