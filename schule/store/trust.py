"""Trust queries of the graph store: accounts, tokens, versions, revisions, the audit log, review and
merges.

A mixin of ``CypherGraphStore`` (which provides ``_read``, ``_write`` and ``get``), used by
``schule.services.{accounts,moderation,revisions,history,audit,merge}``. The ``*_statements`` builders return
statements that services put into one atomic batch together with the change itself, its version
and its audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schule.domain.model import Entity, Kind, Rel
from schule.domain.trust import Account, AuditEntry, Revision, StoredToken, Version
from schule.store import cypher
from schule.store import cypher_trust as trust_cypher
from schule.store.base import Statement
from schule.store.rows import entity_from_row, now_iso


class TrustQueries:
    # provided by CypherGraphStore
    def _read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _write(self, statements: Sequence[Statement]) -> None:
        raise NotImplementedError

    def get(self, ids: Sequence[str]) -> dict[str, Entity]:
        raise NotImplementedError

    def write(self, statements: Sequence[Statement]) -> None:
        """Run statements (built by the ``*_statements`` methods) as one atomic, durable unit."""
        if statements:
            self._write(statements)

    def create_account(
        self, *, id: str, name: str, role: str, person: str | None, commune: str | None,
        password_hash: str | None, now: str | None = None,
    ) -> Account:
        """Create the account unless one with ``name`` exists; returns the stored account with that
        name (its ``id`` differs from ``id`` when the name was taken)."""
        self._write([Statement(trust_cypher.CREATE_ACCOUNT, {
            "id": id, "name": name, "role": role, "person": person, "commune": commune,
            "password_hash": password_hash, "now": now or now_iso(),
        })])
        return self.accounts_by_name([name])[name]

    def accounts_by_name(self, names: Sequence[str]) -> dict[str, Account]:
        rows = self._read(trust_cypher.ACCOUNTS_BY_NAME, {"names": list(names)})
        return {r["account"]["name"]: Account.from_props(r["account"]) for r in rows}

    def accounts_by_id(self, ids: Sequence[str]) -> dict[str, Account]:
        rows = self._read(trust_cypher.ACCOUNTS_BY_ID, {"ids": list(ids)})
        return {r["account"]["id"]: Account.from_props(r["account"]) for r in rows}

    def list_accounts(self) -> list[Account]:
        return [Account.from_props(r["account"]) for r in self._read(trust_cypher.LIST_ACCOUNTS)]

    def password_hash_of(self, name: str) -> tuple[Account, str | None] | None:
        rows = self._read(trust_cypher.ACCOUNTS_BY_NAME, {"names": [name]})
        if not rows:
            return None
        return Account.from_props(rows[0]["account"]), rows[0]["account"].get("password_hash")

    def token_with_account(self, token_hash: str) -> tuple[StoredToken, Account] | None:
        rows = self._read(trust_cypher.CREDENTIAL_WITH_ACCOUNT, {"hash": token_hash})
        if not rows:
            return None
        return StoredToken.from_props(rows[0]["token"]), Account.from_props(rows[0]["account"])

    @staticmethod
    def token_statements(token_hash: str, account: str, kind: str, expires_at: str, now: str) -> list[Statement]:
        return [Statement(trust_cypher.CREATE_CREDENTIAL, {
            "hash": token_hash, "account": account, "kind": kind, "expires_at": expires_at, "now": now,
        })]

    @staticmethod
    def revoke_token_statements(token_hash: str, now: str) -> list[Statement]:
        return [Statement(trust_cypher.REVOKE_CREDENTIAL, {"hash": token_hash, "now": now})]

    @staticmethod
    def revoke_account_statements(account: str, now: str) -> list[Statement]:
        return [
            Statement(trust_cypher.REVOKE_ACCOUNT, {"id": account, "now": now}),
            Statement(trust_cypher.REVOKE_TOKENS_OF, {"account": account, "now": now}),
        ]

    @staticmethod
    def revoke_sessions_statements(account: str, now: str, keep: str | None = None) -> list[Statement]:
        """Revoke the account's sessions but the one whose hash is ``keep``."""
        return [Statement(trust_cypher.REVOKE_SESSIONS_OF, {"account": account, "now": now, "keep": keep})]

    @staticmethod
    def password_statements(account: str, password_hash: str) -> list[Statement]:
        return [Statement(trust_cypher.SET_ACCOUNT_HASH, {"id": account, "password_hash": password_hash})]

    @staticmethod
    def version_statements(
        *, entity: str, kind: str, action: str, state: str | None, author: str | None,
        author_name: str | None, author_role: str | None, changes: str, note: str | None, now: str,
        author_commune: str | None = None,
    ) -> list[Statement]:
        """One Version of ``entity``; ``changes`` is JSON: a list of {field, old, new}."""
        return [Statement(trust_cypher.APPEND_VERSION, {
            "entity": entity, "kind": kind, "action": action, "state": state, "author": author,
            "author_name": author_name, "author_role": author_role, "author_commune": author_commune,
            "changes": changes, "note": note, "now": now,
        })]

    def versions_of(self, ids: Sequence[str]) -> list[Version]:
        """The versions written for exactly these ids, per entity oldest first."""
        rows = self._read(trust_cypher.VERSIONS_OF, {"ids": list(ids)})
        return [Version.from_props(r["version"]) for r in rows]

    def histories(self, ids: Sequence[str]) -> dict[str, list[Version]]:
        """For each id: its versions and those of the entries merged into it, oldest first (each
        version keeps the ``entity`` it was written for)."""
        out: dict[str, list[Version]] = {i: [] for i in ids}
        if not ids:
            return out
        for r in self._read(trust_cypher.HISTORIES, {"ids": list(dict.fromkeys(ids))}):
            out[r["asked"]].append(Version.from_props(r["version"]))
        return out

    @staticmethod
    def revision_statements(
        *, id: str, entity: str, kind: str, state: str, author: str | None, author_name: str | None,
        author_role: str | None, author_commune: str | None, changes: str, now: str,
    ) -> list[Statement]:
        """Create revision ``id`` of ``entity``, or replace its proposed ``changes`` (JSON: a list
        of {field, old, new}) and state; the author and creation time stay those of the first write."""
        return [Statement(trust_cypher.SAVE_REVISION, {
            "id": id, "entity": entity, "kind": kind, "state": state, "author": author, "author_name": author_name,
            "author_role": author_role, "author_commune": author_commune, "changes": changes, "now": now,
        })]

    @staticmethod
    def decide_revision_statements(
        revision: str, state: str, note: str | None, now: str, by: str | None, by_name: str | None
    ) -> list[Statement]:
        """A revision approved, rejected, sent back or withdrawn, with the reason and who decided."""
        return [Statement(trust_cypher.DECIDE_REVISION, {
            "id": revision, "state": state, "note": note, "now": now, "by": by, "by_name": by_name,
        })]

    def revisions_of(self, ids: Sequence[str]) -> list[Revision]:
        """Every revision of these entries, newest first."""
        if not ids:
            return []
        rows = self._read(trust_cypher.REVISIONS_OF, {"ids": list(dict.fromkeys(ids))})
        return [Revision.from_props(r["revision"]) for r in rows]

    @staticmethod
    def audit_statements(
        *, action: str, actor: str | None, actor_name: str | None, actor_role: str | None,
        target: str | None, target_kind: str | None, reason: str | None, details: str, now: str,
    ) -> list[Statement]:
        """One AuditEntry (append-only); ``details`` is a JSON object."""
        return [Statement(trust_cypher.APPEND_AUDIT, {
            "action": action, "actor": actor, "actor_name": actor_name, "actor_role": actor_role,
            "target": target, "target_kind": target_kind, "reason": reason, "details": details, "now": now,
        })]

    def audit_page(
        self, *, target: str | None = None, actor: str | None = None, skip: int = 0, limit: int = 50
    ) -> list[AuditEntry]:
        """Audit entries, newest first."""
        rows = self._read(trust_cypher.AUDIT_PAGE, {
            "target": target, "actor": actor, "skip": int(skip), "limit": int(limit),
        })
        return [AuditEntry.from_props(r["entry"]) for r in rows]

    def audit_count(self, *, target: str | None = None, actor: str | None = None) -> int:
        rows = self._read(trust_cypher.AUDIT_COUNT, {"target": target, "actor": actor})
        return int(rows[0]["count"]) if rows else 0

    @staticmethod
    def review_state_statements(entity: Entity, state: str, note: str | None, now: str) -> list[Statement]:
        """Set an entity's review state (and the reason) and log the change for the search index."""
        return [
            Statement(trust_cypher.SET_REVIEW_STATE, {"id": entity.id, "state": state, "note": note, "now": now}),
            Statement(cypher.APPEND_CHANGES, {"entries": [{"kind": entity.kind.value, "id": entity.id}],
                                              "now": now}),
        ]

    @staticmethod
    def confirm_statements(entity: Entity, date: str, now: str) -> list[Statement]:
        """Mark an entry as confirmed true on ``date`` and log the change for the search index."""
        return [
            Statement(trust_cypher.CONFIRM_ENTRY, {"id": entity.id, "date": date, "now": now}),
            Statement(cypher.APPEND_CHANGES, {"entries": [{"kind": entity.kind.value, "id": entity.id}],
                                              "now": now}),
        ]

    def stale_entries(self, cutoff: str, commune: str | None, skip: int, limit: int) -> list[Entity]:
        """Published projects and lessons last confirmed before ``cutoff`` (or never), oldest first."""
        rows = self._read(trust_cypher.STALE_ENTRIES, {
            "cutoff": cutoff, "commune": commune, "skip": int(skip), "limit": int(limit),
        })
        return [entity_from_row(row["props"], row["refs"]) for row in rows]

    def stale_entries_count(self, cutoff: str, commune: str | None) -> int:
        rows = self._read(trust_cypher.STALE_ENTRIES_COUNT, {"cutoff": cutoff, "commune": commune})
        return int(rows[0]["count"]) if rows else 0

    def review_queue(self, kinds: Sequence[str] | None, skip: int, limit: int) -> list[Entity]:
        """Submitted entities and published ones with a pending revision, the oldest submission or
        proposal first."""
        rows = self._read(trust_cypher.REVIEW_QUEUE, {
            "kinds": list(kinds) if kinds else None, "skip": int(skip), "limit": int(limit),
        })
        return [entity_from_row(row["props"], row["refs"]) for row in rows]

    def review_queue_count(self, kinds: Sequence[str] | None = None) -> int:
        rows = self._read(trust_cypher.REVIEW_QUEUE_COUNT, {"kinds": list(kinds) if kinds else None})
        return int(rows[0]["count"]) if rows else 0

    def entries_of_account(self, account: str, skip: int = 0, limit: int = 50) -> list[Entity]:
        """Entries ``account`` created or proposed a revision of, the last touched first."""
        rows = self._read(trust_cypher.ENTRIES_OF_ACCOUNT, {"account": account, "skip": int(skip), "limit": int(limit)})
        return [entity_from_row(row["props"], row["refs"]) for row in rows]

    def resolve_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """For each id that exists: the id it resolves to (itself, or the survivor of a merge)."""
        step: dict[str, str | None] = {}  # id -> merged_into (None: a live entity)
        todo = list(dict.fromkeys(ids))
        for _ in range(10):  # a merge re-points older tombstones, so one hop is the norm
            todo = [i for i in todo if i not in step]
            if not todo:
                break
            rows = self._read(trust_cypher.MERGE_TARGETS, {"ids": todo})
            found = {r["id"]: r["merged_into"] for r in rows}
            step.update(found)
            todo = [t for t in found.values() if t]
        out: dict[str, str] = {}
        for i in ids:
            node: str | None = i
            for _ in range(10):
                if node not in step or not step[node]:
                    break
                node = step[node]
            if node in step and not step[node]:
                out[i] = node
        return out

    def get_resolved(self, ids: Sequence[str]) -> dict[str, Entity]:
        """Like ``get``, but an id merged away yields its survivor (keyed by the id asked for)."""
        found = self.get(ids)
        merged = [i for i, e in found.items() if e.merged_into]
        if merged:
            targets = self.resolve_ids(merged)
            survivors = self.get(sorted(set(targets.values())))
            for i in merged:
                survivor = survivors.get(targets.get(i, ""))
                if survivor is not None and not survivor.merged_into:
                    found[i] = survivor
                else:
                    found.pop(i)
        return found

    def neighbour_ids(self, entity_id: str) -> dict[str, Kind]:
        rows = self._read(trust_cypher.NEIGHBOUR_IDS, {"id": entity_id})
        return {r["id"]: Kind(r["kind"]) for r in rows}

    @staticmethod
    def merge_statements(
        survivor: Entity, duplicate: Entity, touched: dict[str, Kind], now: str, source: str | None
    ) -> list[Statement]:
        """Move every relationship of ``duplicate`` to ``survivor``, give the survivor ``source`` (both
        entries' sources), leave a tombstone that resolves to the survivor, and log every touched
        entity for the search index."""
        params = {"old": duplicate.id, "new": survivor.id}
        statements = [Statement(trust_cypher.MOVE_OUTGOING[rel], params) for rel in Rel]
        if source != survivor.source:
            statements.append(Statement(trust_cypher.SET_SOURCE, {"id": survivor.id, "source": source, "now": now}))
        statements += [Statement(trust_cypher.MOVE_INCOMING[rel], params) for rel in Rel]
        statements.append(Statement(trust_cypher.DROP_RELATIONSHIPS, {"old": duplicate.id}))
        statements.append(Statement(trust_cypher.TOMBSTONE, {**params, "now": now}))
        statements.append(Statement(trust_cypher.REPOINT_MERGED, params))
        entries = [{"kind": survivor.kind.value, "id": survivor.id}, {"kind": duplicate.kind.value, "id": duplicate.id}]
        entries += [{"kind": k.value, "id": i} for i, k in sorted(touched.items()) if i not in params.values()]
        statements.append(Statement(cypher.APPEND_CHANGES, {"entries": entries, "now": now}))
        return statements
