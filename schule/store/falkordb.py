"""The FalkorDB engine: the embedded default, spoken to with the ``falkordb`` client.

FalkorDB differences handled here, and only here:
* unique constraints need an exact-match index first and are made with ``GRAPH.CONSTRAINT``;
* there are no multi-statement transactions, but one query is atomic (FalkorDB undoes a query that
  fails half-way). A write batch is therefore sent as ONE query: each statement becomes a
  ``CALL { … }`` unit subquery with its parameters renamed apart. (``MULTI``/``EXEC`` was tried
  first: Redis does not roll back inside EXEC, and replaying a large EXEC block from the AOF while a
  client connects trips an assertion in Redis, so a restart after a crash could fail.);
* if the embedded server died, the next call starts it again (the AOF replays) and retries once.
  A write may have been applied before the connection was lost, so the retry must not apply it
  again: every batch carries an operation id and starts with ``OPERATION_GUARD``, which lets the rest
  of the query run only if no ``Operation`` marker with that id exists and writes the marker (one
  query, so check and write are atomic even if the first attempt is still running).
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import redis
from falkordb import FalkorDB
from falkordb.helpers import stringify_param_value

from schule.domain.model import Kind
from schule.errors import StoreError, StoreUnavailable
from schule.store.base import Statement
from schule.store.embedded import EmbeddedServer
from schule.store.rows import now_iso
from schule.store.watchdog import Watchdog

T = TypeVar("T")
CONSTRAINT_WAIT_S = 10.0
COMPACT_AFTER_ROWS = 500
COMPACT_TIMEOUT_S = 120.0


def _params_header(params: dict[str, Any]) -> str:
    if not params:
        return ""
    return "CYPHER " + " ".join(f"{k}={stringify_param_value(v)}" for k, v in params.items()) + " "


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


# The operation guard in front of every write batch (see ``cypher.OPERATION_DONE``): no rows go on,
# so no CALL unit below runs, when the batch's marker exists. ``count`` rather than OPTIONAL MATCH
# + ``IS NULL``: FalkorDB let a row through ``WITH o WHERE o IS NULL`` for an existing node.
OPERATION_GUARD = """
MATCH (schule_op:Operation {id: $op_id})
WITH count(schule_op) AS schule_done
WHERE schule_done = 0
CREATE (:Operation {id: $op_id, at: $op_at})
WITH schule_done
"""


def combine(statements: Sequence[Statement], op: str, at: str) -> tuple[str, dict[str, Any]]:
    """One atomic query from many statements: ``OPERATION_GUARD CALL { s1 } CALL { s2 } …``, parameters
    renamed ``$name`` -> ``$s<i>_name`` so that statements never see each other's values; ``op`` is
    the batch's operation id, ``at`` the time its marker records."""
    parts: list[str] = [OPERATION_GUARD.strip()]
    params: dict[str, Any] = {"op_id": op, "op_at": at}
    for i, st in enumerate(statements):
        prefix = f"s{i}_"
        renamed = _PARAM.sub(lambda m: f"${prefix}{m.group(1)}", st.query.strip())  # noqa: B023 - used at once
        parts.append("CALL {\n" + renamed + "\n}")
        params.update({prefix + k: v for k, v in st.params.items()})
    return "\n".join(parts), params


def _plain(value: Any) -> Any:
    """Driver values to plain Python: OrderedDict -> dict, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class FalkorEngine:
    name = "falkordb"
    # A batch is ONE query of CALL units (``combine``), and FalkorDB's cost grows with the number of
    # units times the rows they carry: 100,000 projects with lessons (1,500 units of 1,000 rows)
    # wrote in 26 s, as 38 units of up to 50,000 rows in 10.8 s (same rows, same query text size).
    write_chunk = 50_000

    def __init__(self, server: EmbeddedServer, graph: str) -> None:
        self.server = server
        self.graph_name = graph
        self.closed = False
        self.watchdog = Watchdog(server)
        server.ensure_running()
        self._connect()

    def _connect(self) -> None:
        self.db = FalkorDB(unix_socket_path=self.server.socket_path)
        self.graph = self.db.select_graph(self.graph_name)

    def _with_restart(self, fn: Callable[[], T]) -> T:
        if self.closed:
            # A straggling worker must neither reconnect (keeping the server alive) nor restart
            # a server that close() just shut down.
            raise StoreUnavailable("FalkorDB-Verbindung ist bereits geschlossen")
        try:
            with self.watchdog.watching():
                return fn()
        except (redis.ConnectionError, redis.TimeoutError):
            # The server died (crash, kill -9, OOM, killed by the watchdog): start it again; the AOF
            # replays.
            self.server.ensure_running()
            self._connect()
            try:
                with self.watchdog.watching():
                    return fn()
            except (redis.ConnectionError, redis.TimeoutError) as e:
                raise StoreUnavailable(f"FalkorDB nicht erreichbar: {e}") from e
        except redis.ResponseError as e:
            raise StoreError(f"FalkorDB: {e}") from e

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        def run() -> list[dict[str, Any]]:
            result = self.graph.ro_query(query, params or {})
            header = [h[1] if isinstance(h, (list, tuple)) else h for h in result.header]
            names = [h.decode() if isinstance(h, bytes) else h for h in header]
            return [dict(zip(names, map(_plain, row), strict=True)) for row in result.result_set]

        return self._with_restart(run)

    def write(self, statements: Sequence[Statement]) -> None:
        if not statements:
            return

        # one id per batch: a resend by ``_with_restart`` carries the same id and is skipped if applied
        query, params = combine(statements, op=uuid.uuid4().hex, at=now_iso())
        rows = sum(len(v) for st in statements for v in st.params.values() if isinstance(v, list))

        def run() -> None:
            self.graph.query(query, params)

        self._with_restart(run)
        if rows >= COMPACT_AFTER_ROWS:
            self._with_restart(self._compact)

    def _compact(self) -> None:
        """Rewrite the append-only file as a snapshot after a large write.

        The write is already durable (fsynced to the AOF before it was acknowledged). But replaying
        one huge query from the AOF after a crash is slow (FalkorDB replays it before its indexes
        are usable), while loading a snapshot takes a fraction of a second. So after large
        writes we wait for the rewrite, which keeps restarts fast.
        """
        client = self.db.connection
        with contextlib.suppress(redis.ResponseError):  # a rewrite may already be running
            client.bgrewriteaof()
        deadline = time.monotonic() + COMPACT_TIMEOUT_S
        while time.monotonic() < deadline:
            info = client.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return
            time.sleep(0.02)

    def setup_schema(self) -> None:
        def run() -> None:
            # one process at a time (the embedded server's start lock): two that start together (the
            # workers of ``schule serve --workers N``, a server and a CLI command) both saw an index
            # missing and the second CREATE INDEX failed ("Attribute 'id' is already indexed").
            # The first graph command after a start is where FalkorDB 4.16 deadlocked now and then:
            # the watchdog (``_with_restart``) kills a server that sits on it without working.
            with self.server.exclusive():
                create(self.db)

        def create(db: FalkorDB) -> None:
            graph = db.select_graph(self.graph_name)
            existing = {
                (row[1], tuple(row[2]))
                for row in graph.query("CALL db.constraints()").result_set
            }
            indexed = {row[0]: set(row[1]) for row in graph.query("CALL db.indexes()").result_set}
            wanted = [("Entity", "id"), ("Entity", "merged_into"), ("Change", "seq"), ("ChangeCounter", "name")]
            wanted += [(k.label, "id") for k in Kind]
            wanted += [("Account", "id"), ("Account", "name"), ("Token", "hash"), ("Version", "entity"),
                       ("AuditEntry", "seq"), ("AuditCounter", "name")]  # trust (moderation)
            wanted += [("Revision", "id"), ("Revision", "entity"), ("Revision", "author")]  # pending revisions
            wanted += [("Operation", "id")]  # write batches run once (OPERATION_GUARD)
            for label, prop in wanted:
                if prop not in indexed.get(label, set()):
                    try:
                        graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
                    except redis.ResponseError as e:
                        # another process on this data dir (a server and a CLI command) created it
                        # between our look and our CREATE, or it is still being built and not yet listed
                        if "already indexed" not in str(e):
                            raise
            for label, prop in [("Entity", "id"), ("ChangeCounter", "name")]:
                if (label, (prop,)) not in existing:
                    db.connection.execute_command(
                        "GRAPH.CONSTRAINT", "CREATE", self.graph_name, "UNIQUE", "NODE", label,
                        "PROPERTIES", "1", prop,
                    )
            self._await_constraints(graph)

        self._with_restart(run)

    def _await_constraints(self, graph: Any) -> None:
        deadline = time.monotonic() + CONSTRAINT_WAIT_S
        while time.monotonic() < deadline:
            rows = graph.query("CALL db.constraints()").result_set
            if all(row[-1] == "OPERATIONAL" for row in rows):
                return
            time.sleep(0.05)
        raise StoreError("FalkorDB: Eindeutigkeitsregeln wurden nicht rechtzeitig aktiv")

    def close(self) -> None:
        # Disconnect first, so that release() sees only other processes' clients.
        self.closed = True
        self.watchdog.stop()
        self.db.connection.connection_pool.disconnect()
        self.server.release()
