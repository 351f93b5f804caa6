"""``CypherGraphStore``: the one GraphStore implementation, on any ``Engine``."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from schule.domain.model import (
    Entity,
    Kind,
    Membership,
    MembershipBasis,
    MembershipRole,
    Rel,
    ReviewState,
)
from schule.domain.records import MEMBERSHIP, OWNED_RELS, SPEC, Record, record_to_json
from schule.store import cypher
from schule.store.backup import BackupQueries
from schule.store.base import Change, Edge, Engine, Statement
from schule.store.rows import entity_from_row, now_iso, refs_by_rel
from schule.store.trust import TrustQueries

# Rows per page when reading whole kinds (export, search rebuild; by key, see cypher.PAGE_OF_KIND):
# 100,000 projects rendered for search in 72 s with pages of 500, 24 s with 20,000 (GC paused).
EXPORT_PAGE = 10_000
WRITE_CHUNK = 1000
# Change-log entries deleted per write when pruning: bounded work per query/transaction.
PRUNE_BATCH = 5000
# Fields an exported record must have to import again (a lesson's project among them).
_REQUIRED: dict[Kind, tuple[str, ...]] = {
    kind: tuple(name for name, spec in SPEC[kind].items() if spec.required) for kind in Kind
}

class CypherGraphStore(TrustQueries, BackupQueries):
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
    def upsert(self, records: Sequence[Record], *, new_ids: AbstractSet[str] = frozenset()) -> None:
        if not records:
            return
        self._write(self.upsert_statements(records, new_ids=new_ids, chunk=self.engine.write_chunk))

    @staticmethod
    def upsert_statements(
        records: Sequence[Record], now: str | None = None, *, new_ids: AbstractSet[str] = frozenset(),
        chunk: int = WRITE_CHUNK,
    ) -> list[Statement]:
        """The statements for one atomic upsert; services may add their own to the same batch.

        Rows go in chunks of ``chunk`` per statement (the engine's ``write_chunk`` for imports), so
        that a large import is moderate statements inside one atomic unit. ``new_ids``
        names records the caller found absent from the store (an import, after validating the
        run): they are created outright (``cypher.CREATE_NODES``), ~30 % less work at 100,000 projects.
        """
        now = now or now_iso()
        statements: list[Statement] = []

        def add(query: str, key: str, items: list[Any], **extra: Any) -> None:
            for start in range(0, len(items), chunk):
                statements.append(Statement(query, {key: items[start:start + chunk], **extra}))

        nodes = [r for r in records if not r.is_membership]
        by_kind: dict[Kind, tuple[list[Record], list[Record]]] = {kind: ([], []) for kind in Kind}
        for r in nodes:
            by_kind[Kind(r.kind)][r.id in new_ids].append(r)
        published = ReviewState.PUBLISHED.value
        for kind, (stored, created) in by_kind.items():
            add(cypher.UPSERT_NODES[kind], "rows", [{"id": r.id, "props": {"state": published, **r.props}}
                                                   for r in stored], now=now)
            add(cypher.CREATE_NODES[kind], "rows", [{"props": {"state": published, **r.props}} for r in created],
                now=now)
        # An update replaces the relationships a record owns; relationships other records
        # own towards it (a lesson's project, say) are untouched. New records own none yet.
        for kind, rels in OWNED_RELS.items():
            ids = [r.id for r in by_kind[Kind(kind)][0]]
            for rel in rels if ids else ():
                add(cypher.DELETE_OUTGOING[rel], "ids", ids)
        pairs: dict[tuple[Rel, bool], list[list[str]]] = {}
        for r in nodes:
            new = r.id in new_ids
            for rel, targets in r.refs.items():
                pairs.setdefault((rel, new), []).extend([r.id, t] for t in targets)
        for (rel, new), rel_pairs in pairs.items():
            add((cypher.CREATE_NEW_RELS if new else cypher.CREATE_RELS)[rel], "pairs", rel_pairs)
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
        return self._memberships(cypher.PAGE_OF_MEMBERSHIPS)

    def _memberships(self, query: str) -> list[Membership]:
        out: list[Membership] = []
        skip = 0
        while True:
            rows = self._read(query, {"skip": skip, "limit": EXPORT_PAGE})
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
        """Every published entity of a kind, sorted by id, fetched page by page (by key)."""
        after = ""
        while True:
            rows = self._read(cypher.PAGE_OF_KIND[kind], {"after": after, "limit": EXPORT_PAGE})
            for row in rows:
                yield entity_from_row(row["props"], row["refs"])
            if len(rows) < EXPORT_PAGE:
                return
            after = rows[-1]["props"]["id"]

    def iter_export(self) -> Iterator[dict[str, Any]]:
        """Every published record in the import format; it never refers to a record it leaves out.
        References to unpublished entries are dropped (the queries return only published targets);
        a record that needs one (a lesson's project, both ends of a membership) is left out."""
        for kind in Kind:
            required = _REQUIRED[kind]
            after = ""
            while True:
                rows = self._read(cypher.EXPORT_PAGE_OF_KIND[kind], {"after": after, "limit": EXPORT_PAGE})
                for row in rows:
                    record = record_to_json(kind.value, row["props"], refs_by_rel(row["refs"]))
                    if all(name in record for name in required):
                        yield record
                if len(rows) < EXPORT_PAGE:
                    break
                after = rows[-1]["props"]["id"]
        for m in self._memberships(cypher.EXPORT_PAGE_OF_MEMBERSHIPS):
            props = {k: v for k, v in dataclasses.asdict(m).items() if v is not None}
            yield record_to_json(MEMBERSHIP, props, {})

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        rows = self._read(cypher.CHANGES_SINCE, {"seq": seq, "limit": limit})
        return [Change(int(r["seq"]), r["kind"], r["id"]) for r in rows]

    def last_change(self) -> int:
        """The newest seq ever handed out, from the counter node (so pruning never lowers it)."""
        rows = self._read(cypher.LAST_CHANGE)
        return int(rows[0]["seq"]) if rows and rows[0]["seq"] is not None else 0

    def oldest_change(self) -> int | None:
        """The seq of the oldest entry still in the change log; None if the log is empty. A follower
        whose next entry (applied + 1) is older than this missed pruned entries and must rebuild."""
        rows = self._read(cypher.OLDEST_CHANGE)
        return int(rows[0]["seq"]) if rows and rows[0]["seq"] is not None else None

    def prune_changes(
        self, *, before: str | None = None, keep_last: int | None = None, batch: int = PRUNE_BATCH,
        checkpoint: Callable[[], None] | None = None,
    ) -> int:
        """Delete the oldest change-log entries; returns how many were deleted.

        What goes is a prefix of the log: every entry before the first one written at or after
        ``before`` (an ISO-8601 UTC time as ``rows.now_iso`` writes it) and every entry but the
        newest ``keep_last``; with both, whichever reaches further. The newest entry always stays
        and the counter node is never touched, so ``last_change()`` never goes backwards and new
        entries continue the sequence. Entries go in windows of ``batch`` seq numbers, one write
        each, so a huge log is never one giant write; ``checkpoint`` is called before each window
        (it may raise to stop; what was deleted stays deleted, which is harmless).
        """
        if batch < 1:
            raise ValueError("batch must be at least 1")
        last = self.last_change()
        cutoff = 0
        if before is not None:
            rows = self._read(cypher.FIRST_CHANGE_SINCE, {"at": before})
            first_kept = rows[0]["seq"] if rows else None
            cutoff = last if first_kept is None else int(first_kept) - 1
        if keep_last is not None:
            cutoff = max(cutoff, last - max(keep_last, 1))
        cutoff = min(cutoff, last - 1)  # the newest entry stays
        oldest = self.oldest_change()
        if oldest is None or oldest > cutoff:
            return 0
        deleted = int(self._read(cypher.COUNT_CHANGES_UP_TO, {"seq": cutoff})[0]["count"])
        for low in range(oldest, cutoff + 1, batch):
            if checkpoint is not None:
                checkpoint()
            high = min(low + batch - 1, cutoff)
            self._write([Statement(cypher.DELETE_CHANGES_BETWEEN, {"low": low, "high": high})])
        return deleted

    def prune_operations(self, *, before: str, batch: int = PRUNE_BATCH) -> int:
        """Delete the markers of write batches (``cypher.OPERATION_DONE``) written before ``before`` (an
        ISO-8601 UTC time); returns how many. A marker only matters while an engine may still send its
        batch again, seconds after it was written."""
        if batch < 1:
            raise ValueError("batch must be at least 1")
        total = int(self._read(cypher.COUNT_OPERATIONS_BEFORE, {"before": before})[0]["count"])
        for _ in range(0, total, batch):
            self._write([Statement(cypher.DELETE_OPERATIONS_BEFORE, {"before": before, "limit": batch})])
        return total

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

    def list_page_counted(
        self, kind: Kind, filters: dict[str, Any], sort: str, skip: int, limit: int
    ) -> tuple[list[Entity], int | None]:
        """``list_page`` and, where it comes almost free, ``count_matching``: with any filter set,
        one query finds the candidates once for both (``cypher.list_counted_query``). Unfiltered, the
        count is a cheap label scan of its own, so it is left to the caller (None) and the page
        query runs alone; a page past the end of a filtered list is counted apart."""
        kind = Kind(kind)
        if sort not in cypher.LIST_SORTS[kind]:
            raise ValueError(f"unknown sort key {sort!r} for {kind}")
        params = self._list_params(kind, filters)
        active = self._active(params)
        if not active or limit <= 0:
            return self.list_page(kind, filters, sort, skip, limit), None
        query = cypher.list_counted_query(kind, sort, active)
        rows = self._read(query, {**params, "skip": int(skip), "limit": int(limit)})
        if rows:
            total = int(rows[0]["total"])
        elif skip <= 0:
            total = 0  # nothing matches: the first page is empty
        else:
            total = self.count_matching(kind, filters)
        return [entity_from_row(row["props"], row["refs"]) for row in rows], total

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
