"""The Neo4j engine: production, through the official driver.

Neo4j differences handled here, and only here:
* constraints with ``CREATE CONSTRAINT … IF NOT EXISTS``;
* a write batch is one managed transaction; the driver retries it on transient errors. A retry
  after a commit whose answer was lost would apply the batch twice (appends: versions, audit
  entries, change-log entries), so each batch has an operation id: the transaction first asks
  whether its ``Operation`` marker exists (then it was committed: nothing to do), and writes the
  marker with the batch (``cypher.OPERATION_DONE`` / ``RECORD_OPERATION``);
* reads are routed to readers with ``routing_=READ``;
* FalkorDB's ``indegree(n, 'REL')`` (O(1), used by ``cypher.list_page_query``) is written as Neo4j 5's
  ``COUNT { (n)<-[:REL]-() }``, and a subquery that imports nothing, ``CALL {`` on a line of its own
  and not followed by ``WITH``, as ``CALL () {`` (Neo4j 5 deprecates the first, FalkorDB lacks the second).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from schule.domain.model import Kind
from schule.errors import StoreError, StoreUnavailable
from schule.store import cypher
from schule.store.base import Statement
from schule.store.rows import now_iso


def _constraint_statements() -> list[str]:
    stmts = [
        "CREATE CONSTRAINT schule_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT schule_counter_name IF NOT EXISTS FOR (n:ChangeCounter) REQUIRE n.name IS UNIQUE",
        "CREATE INDEX schule_change_seq IF NOT EXISTS FOR (n:Change) ON (n.seq)",
        "CREATE CONSTRAINT schule_operation_id IF NOT EXISTS FOR (n:Operation) REQUIRE n.id IS UNIQUE",
    ]
    stmts += [
        f"CREATE INDEX schule_{k.value}_id IF NOT EXISTS FOR (n:{k.label}) ON (n.id)" for k in Kind
    ]
    stmts += [  # trust (moderation): accounts, tokens, versions, revisions, the audit log
        "CREATE CONSTRAINT schule_account_name IF NOT EXISTS FOR (n:Account) REQUIRE n.name IS UNIQUE",
        "CREATE CONSTRAINT schule_token_hash IF NOT EXISTS FOR (n:Token) REQUIRE n.hash IS UNIQUE",
        "CREATE INDEX schule_account_id IF NOT EXISTS FOR (n:Account) ON (n.id)",
        "CREATE INDEX schule_version_entity IF NOT EXISTS FOR (n:Version) ON (n.entity)",
        "CREATE INDEX schule_entity_merged_into IF NOT EXISTS FOR (n:Entity) ON (n.merged_into)",
        "CREATE INDEX schule_audit_seq IF NOT EXISTS FOR (n:AuditEntry) ON (n.seq)",
        "CREATE CONSTRAINT schule_revision_id IF NOT EXISTS FOR (n:Revision) REQUIRE n.id IS UNIQUE",
        "CREATE INDEX schule_revision_entity IF NOT EXISTS FOR (n:Revision) ON (n.entity)",
        "CREATE INDEX schule_revision_author IF NOT EXISTS FOR (n:Revision) ON (n.author)",
    ]
    return stmts


_INDEGREE = re.compile(r"\bindegree\((\w+), '([A-Z_]+)'\)")


_UNIT_SUBQUERY = re.compile(r"^CALL \{\n(?!WITH )", re.MULTILINE)


def neo4j_dialect(query: str) -> str:
    """``query`` with FalkorDB's spellings written as Neo4j 5 has them (see the module docstring)."""
    return _UNIT_SUBQUERY.sub("CALL () {\n", _INDEGREE.sub(r"COUNT { (\1)<-[:\2]-() }", query))


class Neo4jEngine:
    name = "neo4j"
    # statements of one transaction: moderate UNWIND batches (Neo4j's advice for large writes)
    write_chunk = 1000

    def __init__(self, uri: str, user: str, password: str, database: str) -> None:
        self.database = database
        try:
            self.driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
            self.driver.verify_connectivity()
        except (ServiceUnavailable, OSError) as e:
            raise StoreUnavailable(f"Neo4j unter {uri} nicht erreichbar: {e}") from e
        except AuthError as e:
            raise StoreUnavailable(f"Neo4j lehnt die Anmeldung ab (NEO4J_USER/NEO4J_PASSWORD): {e}") from e
        except ValueError as e:
            raise StoreUnavailable(f"NEO4J_URI {uri!r} ist ungültig: {e}") from e

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            records, _, _ = self.driver.execute_query(
                neo4j_dialect(query), params or {}, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        except ServiceUnavailable as e:
            raise StoreUnavailable(f"Neo4j nicht erreichbar: {e}") from e
        except Neo4jError as e:
            raise StoreError(f"Neo4j: {e.message}") from e
        return [record.data() for record in records]

    def write(self, statements: Sequence[Statement]) -> None:
        operation = {"op": uuid.uuid4().hex, "at": now_iso()}  # the same for every retry of this batch

        def work(tx: neo4j.ManagedTransaction) -> None:
            done = tx.run(cypher.OPERATION_DONE, {"op": operation["op"]}).single()
            if done is not None and done["done"]:
                return  # an earlier attempt committed; its answer was lost
            for st in statements:
                tx.run(st.query, st.params).consume()
            tx.run(cypher.RECORD_OPERATION, operation).consume()

        try:
            with self.driver.session(database=self.database) as session:
                session.execute_write(work)
        except ServiceUnavailable as e:
            raise StoreUnavailable(f"Neo4j nicht erreichbar: {e}") from e
        except Neo4jError as e:
            raise StoreError(f"Neo4j: {e.message}") from e

    def setup_schema(self) -> None:
        for statement in _constraint_statements():
            self.driver.execute_query(statement, database_=self.database)

    def close(self) -> None:
        self.driver.close()
