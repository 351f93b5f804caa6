"""``CypherGraphStore``: the one GraphStore implementation, on any ``Engine``."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from schule.domain.model import (
    ENTITY_TYPES,
    Entity,
    Kind,
    LessonKind,
    Membership,
    MembershipBasis,
    MembershipRole,
    ProjectStatus,
    Rel,
    ReviewState,
)
from schule.domain.records import MEMBERSHIP, OWNED_RELS, SPEC, Record, record_to_json
from schule.domain.trust import Account, AuditEntry, StoredToken, Version
from schule.store import cypher
from schule.store.base import Change, Edge, Engine, Statement

EXPORT_PAGE = 500
WRITE_CHUNK = 1000

_ENUM_FIELDS: dict[tuple[Kind, str], type] = {
    (Kind.PROJECT, "status"): ProjectStatus,
    (Kind.LESSON, "type"): LessonKind,
}
_TUPLE_FIELDS = {"tags", "links", "expertise"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _refs_by_rel(refs: list[list[str]]) -> dict[Rel, list[tuple[str, str]]]:
    out: dict[Rel, list[tuple[str, str]]] = {}
    for rel_type, kind, target in refs:
        if rel_type in Rel.__members__.values():
            out.setdefault(Rel(rel_type), []).append((kind, target))
    return out


def entity_from_row(props: dict[str, Any], refs: list[list[str]]) -> Entity:
    """Build the domain object from node properties and outgoing references."""
    kind = Kind(props["kind"])
    cls = ENTITY_TYPES[kind]
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    values: dict[str, Any] = {}
    for key, value in props.items():
        if key not in names or value is None:
            continue
        if key in _TUPLE_FIELDS:
            value = tuple(value)
        elif (kind, key) in _ENUM_FIELDS:
            value = _ENUM_FIELDS[(kind, key)](value)
        elif key == "state":
            value = ReviewState(value)
        values[key] = value
    by_rel = _refs_by_rel(refs)
    for name, spec in SPEC[kind].items():
        if spec.rel is None or name not in names:
            continue
        ids = sorted(t for k, t in by_rel.get(spec.rel, []) if k in spec.targets)
        if spec.type == "reflist":
            values[name] = tuple(ids)
        elif ids:
            values[name] = ids[0]
    return cls(**values)


class CypherGraphStore:
    """Runs the shared Cypher of ``cypher.py`` on an engine and speaks in domain objects.

    ``calls`` counts round trips to the database; tests use it to prove that GraphQL
    batching bounds them by query depth, not by list length.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.calls = 0
        self._calls_lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------------------
    def _read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self._calls_lock:
            self.calls += 1
        return self.engine.read(query, params or {})

    def _write(self, statements: Sequence[Statement]) -> None:
        with self._calls_lock:
            self.calls += 1
        self.engine.write(statements)

    def setup(self) -> None:
        self.engine.setup_schema()

    def ping(self) -> bool:
        return bool(self._read(cypher.PING))

    def close(self) -> None:
        self.engine.close()

    # -- writes -----------------------------------------------------------------------------------
    def upsert(self, records: Sequence[Record]) -> None:
        if not records:
            return
        self._write(self.upsert_statements(records))

    @staticmethod
    def upsert_statements(records: Sequence[Record], now: str | None = None) -> list[Statement]:
        """The statements for one atomic upsert; services may add their own to the same batch.

        Rows go in chunks of ``WRITE_CHUNK`` per statement, so that a large import is many
        moderate statements inside one atomic unit rather than one enormous query.
        """
        now = now or now_iso()
        statements: list[Statement] = []

        def add(query: str, key: str, items: list[Any], **extra: Any) -> None:
            for start in range(0, len(items), WRITE_CHUNK):
                statements.append(Statement(query, {key: items[start:start + WRITE_CHUNK], **extra}))

        nodes = [r for r in records if not r.is_membership]
        for kind in Kind:
            rows = [
                {"id": r.id, "props": {"state": ReviewState.PUBLISHED.value, **r.props}}
                for r in nodes
                if r.kind == kind
            ]
            add(cypher.UPSERT_NODES[kind], "rows", rows, now=now)
        # An update replaces the relationships a record owns; relationships other records
        # own towards it (a lesson's project, say) are untouched.
        for kind, rels in OWNED_RELS.items():
            ids = [r.id for r in nodes if r.kind == kind]
            for rel in rels if ids else ():
                add(cypher.DELETE_OUTGOING[rel], "ids", ids)
        pairs: dict[Rel, list[list[str]]] = {}
        for r in nodes:
            for rel, targets in r.refs.items():
                pairs.setdefault(rel, []).extend([r.id, t] for t in targets)
        for rel, rel_pairs in pairs.items():
            add(cypher.CREATE_RELS[rel], "pairs", rel_pairs)
        memberships = [
            {
                "commune": r.props["commune"],
                "network": r.props["network"],
                "props": {k: v for k, v in r.props.items() if k not in ("commune", "network")},
            }
            for r in records
            if r.is_membership
        ]
        add(cypher.UPSERT_MEMBERSHIPS, "rows", memberships)
        entries = [{"kind": r.kind, "id": r.id} for r in nodes]
        entries += [{"kind": Kind.COMMUNE.value, "id": m["commune"]} for m in memberships]
        add(cypher.APPEND_CHANGES, "entries", entries, now=now)
        return statements

    # -- reads ------------------------------------------------------------------------------------
    def get(self, ids: Sequence[str]) -> dict[str, Entity]:
        if not ids:
            return {}
        rows = self._read(cypher.GET_NODES, {"ids": list(dict.fromkeys(ids))})
        return {row["props"]["id"]: entity_from_row(row["props"], row["refs"]) for row in rows}

    def kinds_of(self, ids: Sequence[str]) -> dict[str, Kind]:
        if not ids:
            return {}
        rows = self._read(cypher.KINDS_OF, {"ids": list(dict.fromkeys(ids))})
        return {row["id"]: Kind(row["kind"]) for row in rows}

    def neighbours(self, rel: Rel, ids: Sequence[str], *, incoming: bool = False) -> list[Edge]:
        if not ids:
            return []
        query = (cypher.INCOMING if incoming else cypher.OUTGOING)[Rel(rel)]
        rows = self._read(query, {"ids": list(dict.fromkeys(ids))})
        return [Edge(row["source"], row["target"], dict(row["props"] or {})) for row in rows]

    def all_edges(self, rel: Rel) -> list[Edge]:
        """Every ``rel`` edge in the graph; for small relations such as the Handlungsfeld tree."""
        rows = self._read(cypher.ALL_EDGES[Rel(rel)])
        return [Edge(row["source"], row["target"], dict(row["props"] or {})) for row in rows]

    def counts(self) -> dict[str, int]:
        result = {kind.value: 0 for kind in Kind}
        for row in self._read(cypher.COUNT_BY_KIND):
            result[row["kind"]] = int(row["count"])
        result[MEMBERSHIP] = int(self._read(cypher.COUNT_MEMBERSHIPS)[0]["count"])
        return result

    def published_counts(self) -> dict[str, int]:
        """Number of published entities per kind (what search and export see)."""
        result = {kind.value: 0 for kind in Kind}
        for row in self._read(cypher.COUNT_PUBLISHED_BY_KIND):
            result[row["kind"]] = int(row["count"])
        return result

    def memberships(self) -> list[Membership]:
        out: list[Membership] = []
        skip = 0
        while True:
            rows = self._read(cypher.PAGE_OF_MEMBERSHIPS, {"skip": skip, "limit": EXPORT_PAGE})
            for row in rows:
                p = row["props"] or {}
                out.append(
                    Membership(
                        commune=row["commune"],
                        network=row["network"],
                        role=MembershipRole(p["role"]),
                        basis=MembershipBasis(p["basis"]) if p.get("basis") else None,
                        since=p.get("since"),
                        document=p.get("document"),
                        source=p.get("source"),
                    )
                )
            if len(rows) < EXPORT_PAGE:
                return out
            skip += EXPORT_PAGE

    def iter_entities(self, kind: Kind) -> Iterator[Entity]:
        """Every published entity of a kind, sorted by id, fetched page by page."""
        skip = 0
        while True:
            rows = self._read(cypher.PAGE_OF_KIND[kind], {"skip": skip, "limit": EXPORT_PAGE})
            for row in rows:
                yield entity_from_row(row["props"], row["refs"])
            if len(rows) < EXPORT_PAGE:
                return
            skip += EXPORT_PAGE

    def iter_export(self) -> Iterator[dict[str, Any]]:
        for kind in Kind:
            skip = 0
            while True:
                rows = self._read(cypher.PAGE_OF_KIND[kind], {"skip": skip, "limit": EXPORT_PAGE})
                for row in rows:
                    yield record_to_json(kind.value, row["props"], _refs_by_rel(row["refs"]))
                if len(rows) < EXPORT_PAGE:
                    break
                skip += EXPORT_PAGE
        for m in self.memberships():
            props = {k: v for k, v in dataclasses.asdict(m).items() if v is not None}
            yield record_to_json(MEMBERSHIP, props, {})

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        rows = self._read(cypher.CHANGES_SINCE, {"seq": seq, "limit": limit})
        return [Change(int(r["seq"]), r["kind"], r["id"]) for r in rows]

    def last_change(self) -> int:
        rows = self._read(cypher.LAST_CHANGE)
        return int(rows[0]["seq"]) if rows and rows[0]["seq"] is not None else 0

    # -- filtered pages (GraphQL connections) -----------------------------------------------------
    def list_page(
        self, kind: Kind, filters: dict[str, Any], sort: str, skip: int, limit: int
    ) -> list[Entity]:
        """Published entities of ``kind`` matching ``filters``, sorted by the allow-listed ``sort``
        key of ``cypher.LIST_SORTS``, rows ``skip`` .. ``skip + limit``."""
        kind = Kind(kind)
        if sort not in cypher.LIST_SORTS[kind]:
            raise ValueError(f"unknown sort key {sort!r} for {kind}")
        params = self._list_params(kind, filters)
        query = cypher.list_page_query(kind, sort, self._active(params))
        rows = self._read(query, {**params, "skip": int(skip), "limit": int(limit)})
        return [entity_from_row(row["props"], row["refs"]) for row in rows]

    def count_matching(self, kind: Kind, filters: dict[str, Any]) -> int:
        """How many published entities of ``kind`` match ``filters`` (see ``list_page``)."""
        kind = Kind(kind)
        params = self._list_params(kind, filters)
        rows = self._read(cypher.list_count_query(kind, self._active(params)), params)
        return int(rows[0]["count"]) if rows else 0

    @staticmethod
    def _active(params: dict[str, Any]) -> frozenset[str]:
        return frozenset(name for name, value in params.items() if value is not None)

    @staticmethod
    def _list_params(kind: Kind, filters: dict[str, Any]) -> dict[str, Any]:
        names = cypher.LIST_PARAMS[kind]
        unknown = set(filters) - set(names)
        if unknown:
            raise ValueError(f"unknown filter(s) for {kind}: {', '.join(sorted(unknown))}")
        return {name: filters.get(name) for name in names}

    # -- trust: accounts, tokens, versions, audit log, review, merges -----------------------------
    # Appended for moderation (schule.services.{accounts,moderation,history,audit,merge}). The
    # ``*_statements`` builders return statements that services put into one atomic batch together
    # with the change itself, its version and its audit entry.

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
        self._write([Statement(cypher.CREATE_ACCOUNT, {
            "id": id, "name": name, "role": role, "person": person, "commune": commune,
            "password_hash": password_hash, "now": now or now_iso(),
        })])
        return self.accounts_by_name([name])[name]

    def accounts_by_name(self, names: Sequence[str]) -> dict[str, Account]:
        rows = self._read(cypher.ACCOUNTS_BY_NAME, {"names": list(names)})
        return {r["account"]["name"]: Account.from_props(r["account"]) for r in rows}

    def accounts_by_id(self, ids: Sequence[str]) -> dict[str, Account]:
        rows = self._read(cypher.ACCOUNTS_BY_ID, {"ids": list(ids)})
        return {r["account"]["id"]: Account.from_props(r["account"]) for r in rows}

    def list_accounts(self) -> list[Account]:
        return [Account.from_props(r["account"]) for r in self._read(cypher.LIST_ACCOUNTS)]

    def password_hash_of(self, name: str) -> tuple[Account, str | None] | None:
        rows = self._read(cypher.ACCOUNTS_BY_NAME, {"names": [name]})
        if not rows:
            return None
        return Account.from_props(rows[0]["account"]), rows[0]["account"].get("password_hash")

    def token_with_account(self, token_hash: str) -> tuple[StoredToken, Account] | None:
        rows = self._read(cypher.CREDENTIAL_WITH_ACCOUNT, {"hash": token_hash})
        if not rows:
            return None
        return StoredToken.from_props(rows[0]["token"]), Account.from_props(rows[0]["account"])

    @staticmethod
    def token_statements(token_hash: str, account: str, kind: str, expires_at: str, now: str) -> list[Statement]:
        return [Statement(cypher.CREATE_CREDENTIAL, {
            "hash": token_hash, "account": account, "kind": kind, "expires_at": expires_at, "now": now,
        })]

    @staticmethod
    def revoke_token_statements(token_hash: str, now: str) -> list[Statement]:
        return [Statement(cypher.REVOKE_CREDENTIAL, {"hash": token_hash, "now": now})]

    @staticmethod
    def revoke_account_statements(account: str, now: str) -> list[Statement]:
        return [
            Statement(cypher.REVOKE_ACCOUNT, {"id": account, "now": now}),
            Statement(cypher.REVOKE_TOKENS_OF, {"account": account, "now": now}),
        ]

    @staticmethod
    def password_statements(account: str, password_hash: str) -> list[Statement]:
        return [Statement(cypher.SET_ACCOUNT_HASH, {"id": account, "password_hash": password_hash})]

    @staticmethod
    def version_statements(
        *, entity: str, kind: str, action: str, state: str | None, author: str | None,
        author_name: str | None, author_role: str | None, changes: str, note: str | None, now: str,
    ) -> list[Statement]:
        """One Version of ``entity``; ``changes`` is JSON: a list of {field, old, new}."""
        return [Statement(cypher.APPEND_VERSION, {
            "entity": entity, "kind": kind, "action": action, "state": state, "author": author,
            "author_name": author_name, "author_role": author_role, "changes": changes, "note": note,
            "now": now,
        })]

    def versions_of(self, ids: Sequence[str]) -> list[Version]:
        rows = self._read(cypher.VERSIONS_OF, {"ids": list(ids)})
        return [Version.from_props(r["version"]) for r in rows]

    @staticmethod
    def audit_statements(
        *, action: str, actor: str | None, actor_name: str | None, actor_role: str | None,
        target: str | None, target_kind: str | None, reason: str | None, details: str, now: str,
    ) -> list[Statement]:
        """One AuditEntry (append-only); ``details`` is a JSON object."""
        return [Statement(cypher.APPEND_AUDIT, {
            "action": action, "actor": actor, "actor_name": actor_name, "actor_role": actor_role,
            "target": target, "target_kind": target_kind, "reason": reason, "details": details, "now": now,
        })]

    def audit_page(
        self, *, target: str | None = None, actor: str | None = None, skip: int = 0, limit: int = 50
    ) -> list[AuditEntry]:
        """Audit entries, newest first."""
        rows = self._read(cypher.AUDIT_PAGE, {
            "target": target, "actor": actor, "skip": int(skip), "limit": int(limit),
        })
        return [AuditEntry.from_props(r["entry"]) for r in rows]

    def audit_count(self, *, target: str | None = None, actor: str | None = None) -> int:
        rows = self._read(cypher.AUDIT_COUNT, {"target": target, "actor": actor})
        return int(rows[0]["count"]) if rows else 0

    @staticmethod
    def review_state_statements(entity: Entity, state: str, note: str | None, now: str) -> list[Statement]:
        """Set an entity's review state (and the reason) and log the change for the search index."""
        return [
            Statement(cypher.SET_REVIEW_STATE, {"id": entity.id, "state": state, "note": note, "now": now}),
            Statement(cypher.APPEND_CHANGES, {"entries": [{"kind": entity.kind.value, "id": entity.id}],
                                              "now": now}),
        ]

    def review_queue(self, kinds: Sequence[str] | None, skip: int, limit: int) -> list[Entity]:
        """Submitted entities, oldest submission first."""
        rows = self._read(cypher.REVIEW_QUEUE, {
            "kinds": list(kinds) if kinds else None, "skip": int(skip), "limit": int(limit),
        })
        return [entity_from_row(row["props"], row["refs"]) for row in rows]

    def review_queue_count(self, kinds: Sequence[str] | None = None) -> int:
        rows = self._read(cypher.REVIEW_QUEUE_COUNT, {"kinds": list(kinds) if kinds else None})
        return int(rows[0]["count"]) if rows else 0

    def entries_created_by(self, account: str, skip: int = 0, limit: int = 50) -> list[Entity]:
        rows = self._read(cypher.ENTRIES_CREATED_BY, {"account": account, "skip": int(skip), "limit": int(limit)})
        return [entity_from_row(row["props"], row["refs"]) for row in rows]

    def resolve_ids(self, ids: Sequence[str]) -> dict[str, str]:
        """For each id that exists: the id it resolves to (itself, or the survivor of a merge)."""
        step: dict[str, str | None] = {}  # id -> merged_into (None: a live entity)
        todo = list(dict.fromkeys(ids))
        for _ in range(10):  # a merge re-points older tombstones, so one hop is the norm
            todo = [i for i in todo if i not in step]
            if not todo:
                break
            rows = self._read(cypher.MERGE_TARGETS, {"ids": todo})
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
        rows = self._read(cypher.NEIGHBOUR_IDS, {"id": entity_id})
        return {r["id"]: Kind(r["kind"]) for r in rows}

    @staticmethod
    def merge_statements(survivor: Entity, duplicate: Entity, touched: dict[str, Kind], now: str) -> list[Statement]:
        """Move every relationship of ``duplicate`` to ``survivor``, leave a tombstone that resolves
        to the survivor, and log every touched entity for the search index."""
        params = {"old": duplicate.id, "new": survivor.id}
        statements = [Statement(cypher.MOVE_OUTGOING[rel], params) for rel in Rel]
        statements += [Statement(cypher.MOVE_INCOMING[rel], params) for rel in Rel]
        statements.append(Statement(cypher.DROP_RELATIONSHIPS, {"old": duplicate.id}))
        statements.append(Statement(cypher.TOMBSTONE, {**params, "now": now}))
        statements.append(Statement(cypher.REPOINT_MERGED, params))
        entries = [{"kind": survivor.kind.value, "id": survivor.id}, {"kind": duplicate.kind.value, "id": duplicate.id}]
        entries += [{"kind": k.value, "id": i} for i, k in sorted(touched.items()) if i not in params.values()]
        statements.append(Statement(cypher.APPEND_CHANGES, {"entries": entries, "now": now}))
        return statements
