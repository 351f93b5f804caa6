"""Every Cypher statement the Neo4j engine sends, checked by Neo4j's own front end.

No Neo4j server can run here or in CI, so the Cypher that ``schule.store.neo4j`` sends was never seen by
Neo4j. This test gets as close as we can without one:

1. it exercises the store for real (seed import, the store contract's operations, every list filter
   and sort, accounts, moderation, history, audit, merges, memberships) on embedded FalkorDB, with
   every call going through ``Neo4jEngine`` as well, whose driver is a recorder: so what is recorded
   is exactly what the Neo4j engine hands to the driver (per statement, after anything the engine
   does to it; FalkorDB's one-query batches are its own business), with real parameters;
2. every distinct query is checked by ``@neo4j-cypher/language-support`` (``neo4j_cypher_lint/``):
   Neo4j's Cypher grammar and Neo4j's Java semantic analysis compiled to JavaScript (scopes, types,
   function signatures, deprecations), from the Neo4j 5 line: 2.0.0-next.13 is the last release
   before the package moved to Neo4j 2025.01. Functions: Neo4j 5's built-ins; procedures: none.
   Warnings fail too (Neo4j sends them as notifications, deprecations among them);
3. every parameter a query refers to must be sent with it, every parameter map must encode as Bolt
   with the driver's own packer (FalkorDB's client turns values into query text, so it accepts
   values Neo4j's driver refuses), and whole property maps must hold only what Neo4j can store.

Query constants of ``cypher.py``/``cypher_trust.py`` the scenario does not reach are checked too (as
the engine would send them, without parameters). The check cannot pass by not looking: negative
controls must be reported, and so must a probe of every query (an undefined variable only the semantic
analysis can find; the package would swallow a crash of the analysis as "no findings").
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import neo4j
import pytest
from neo4j._codec.packstream.v1 import PackableBuffer, Packer  # the driver's own Bolt encoder

from schule.auth.identity import Identity
from schule.domain.model import Kind, MembershipBasis, MembershipRole, Rel
from schule.domain.records import parse_record
from schule.services import (
    accounts,
    adaptations,
    audit,
    backup,
    freshness,
    history,
    membership,
    merge,
    moderation,
    restore,
    seeding,
)
from schule.store import CypherGraphStore, cypher, cypher_backup, cypher_trust
from schule.store.base import Statement
from schule.store.embedded import EmbeddedServer
from schule.store.falkordb import FalkorEngine
from schule.store.neighbourhood import get_with_neighbours
from schule.store.neo4j import Neo4jEngine
from tests.conftest import SEED_DIR
from tests.integration.store.test_store_contract import ALL, SENSORS
from tests.integration.trust.world import NEW_PROJECT, build_world

LINT_DIR = Path(__file__).resolve().parent / "neo4j_cypher_lint"
CHECKER = "@neo4j-cypher/language-support"
PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
STORE_MODULES = ("schule/store/graph.py", "schule/store/trust.py")

# A value for every list filter (LIST_PARAMS): the type matters, not whether anything matches.
FILTER_VALUES: dict[str, Any] = {
    "communes": ["olpe"], "kreise": ["Kreis Olpe"], "regions": ["Südwestfalen"],
    "handlungsfelder": ["mobilitaet"], "network": "suedwestfalen", "network_roles": ["pioneer"],
    "status": ["operation"], "tags": ["LoRaWAN"], "started_from": "2019", "started_to": "2024-12",
    "ended_from": "2020", "ended_to": "2030-06-30", "name_contains": "ol", "organisations": ["sw-agentur"],
    "authors": ["erika"], "projects": ["olpe-parken"], "types": ["pitfall"], "parents": ["mobilitaet"],
    "roots_only": True, "date_from": "2020", "date_to": "2025", "organisers": ["suedwestfalen"],
    "adopts": ["olpe-parken"], "statuses": ["done"],
}

# Negative controls: the checker must report each of these (what FalkorDB accepts is not enough).
CONTROLS = {
    "syntax": ("MATCH (n:Entity) WHERE n.id IN $ids RETRUN n.id AS id", "RETRUN"),
    "falkordb-only": ("MATCH (n:Entity) WHERE n.id IN $ids RETURN toJSON(properties(n)) AS props", "toJSON"),
    "deprecated": ("MATCH (n:Entity) WHERE n.id IN $ids RETURN id(n) AS node", "deprecated"),  # a warning fails too
}
PROBE = "schule_probe_undefined"
SCHEMA_COMMAND = re.compile(r"\s*(CREATE|DROP)\s+(CONSTRAINT|INDEX)\b")


# -- recording what the Neo4j engine hands to its driver ----------------------------------------


@dataclass
class Sent:
    query: str  # as the driver receives it
    params: dict[str, Any]
    origin: str  # the store method that sent it


@dataclass
class DriverRecorder:
    """Stands in for ``neo4j.Driver``: records every query with its parameters; answers nothing."""

    sent: list[Sent] = field(default_factory=list)
    origin: str = "?"

    def verify_connectivity(self) -> None:
        pass

    def execute_query(
        self, query: str, parameters: dict[str, Any] | None = None, **_: Any
    ) -> tuple[list[Any], None, list[str]]:
        self.sent.append(Sent(query, dict(parameters or {}), self.origin))
        return [], None, []

    def session(self, **_: Any) -> _Session:
        return _Session(self)

    def close(self) -> None:
        pass


@dataclass
class _Session:
    driver: DriverRecorder

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def execute_write(self, work: Any) -> None:
        work(_Transaction(self.driver))


@dataclass
class _Transaction:
    driver: DriverRecorder

    def run(self, query: str, parameters: dict[str, Any] | None = None) -> _Result:
        self.driver.execute_query(query, parameters)
        return _Result()


class _Result:
    def consume(self) -> None:
        pass

    def single(self) -> None:
        return None  # no record: e.g. no marker of the batch yet (OPERATION_DONE), so the batch runs


def _store_caller() -> str:
    """The public store method on the call stack (for the report)."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_name
        if frame.f_code.co_filename.endswith(STORE_MODULES) and not name.startswith("_"):
            return f"CypherGraphStore.{name}"
        frame = frame.f_back
    return "?"


class TeeEngine:
    """Every call goes to the Neo4j engine (recording driver) and to FalkorDB, which answers."""

    name = "falkordb"
    write_chunk = Neo4jEngine.write_chunk

    def __init__(self, neo4j_engine: Neo4jEngine, falkor: FalkorEngine, driver: DriverRecorder) -> None:
        self.neo4j_engine, self.falkor, self.driver = neo4j_engine, falkor, driver
        self.store_texts: set[str] = set()  # query texts as the store passed them to the engine

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.driver.origin = _store_caller()
        self.store_texts.add(query)
        self.neo4j_engine.read(query, params)
        return self.falkor.read(query, params)

    def write(self, statements: Sequence[Statement]) -> None:
        self.driver.origin = _store_caller()
        self.store_texts.update(st.query for st in statements)
        self.neo4j_engine.write(statements)
        self.falkor.write(statements)

    def setup_schema(self) -> None:
        self.driver.origin = "CypherGraphStore.setup"
        self.neo4j_engine.setup_schema()
        self.falkor.setup_schema()

    def close(self) -> None:
        self.falkor.close()


@pytest.fixture
def recording(embedded_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CypherGraphStore, TeeEngine]]:
    driver = DriverRecorder()
    monkeypatch.setattr(neo4j.GraphDatabase, "driver", lambda uri, auth: driver)
    neo4j_engine = Neo4jEngine("neo4j://recorder.invalid", "neo4j", "unused", "neo4j")
    falkor = FalkorEngine(EmbeddedServer(embedded_data_dir), "neo4j_cypher_lint")
    tee = TeeEngine(neo4j_engine, falkor, driver)
    store = CypherGraphStore(tee)
    try:
        store.setup()
        yield store, tee
    finally:
        # The session's embedded server stays up for other tests; only this graph goes.
        falkor.graph.delete()
        falkor.db.connection.connection_pool.disconnect()


# -- the scenario -----------------------------------------------------------------------------------


def exercise(store: CypherGraphStore) -> None:
    """Every store operation, through the services where they build the batches."""
    seeding.seed(store, SEED_DIR)
    store.upsert([parse_record(r) for r in ALL])
    store.upsert([parse_record(dict(SENSORS, handlungsfelder=["mobilitaet"], tags=["Parken"]))])  # an update
    store.ping()
    store.get(["olpe-parksensoren", "olpe", "missing"])
    store.kinds_of(["olpe", "missing"])
    for rel in Rel:
        store.neighbours(rel, ["olpe-parksensoren", "olpe", "sc-schule"])
        store.neighbours(rel, ["olpe-parksensoren", "olpe", "sc-schule"], incoming=True)
        store.all_edges(rel)
    # the GraphQL loaders' one-round-trip fetch: an entity with several edge lookups at once
    get_with_neighbours(store, ["olpe-parksensoren", "olpe"],
                        {(rel, incoming): ["olpe-parksensoren", "olpe", "sc-schule"]
                         for rel in Rel for incoming in (False, True)})
    get_with_neighbours(store, ["olpe"], {})
    store.counts()
    store.published_counts()
    store.memberships()
    for kind in Kind:
        list(store.iter_entities(kind))
    list(store.iter_export())
    store.changes_since(0, limit=10)
    store.last_change()
    _list_pages(store)

    world = build_world(store)
    operator, member, moderator = Identity.system(), world.member_a, world.moderator
    schulweg = moderation.create_entry(store, member, Kind.PROJECT, dict(NEW_PROJECT)).id
    moderation.edit_entry(store, member, schulweg, {"summary": "Karte der Schulwege."})
    moderation.submit(store, member, schulweg)
    moderation.review_queue(store, moderator)
    moderation.review_queue(store, moderator, kinds=[Kind.PROJECT])
    moderation.review_queue_count(store, moderator)
    moderation.request_changes(store, moderator, schulweg, "Status fehlt.")
    moderation.edit_entry(store, member, schulweg, {"status": "planning"}, submit=True)
    moderation.approve(store, moderator, schulweg)
    moderation.retag(store, moderator, schulweg, ["bildung"])
    second = moderation.create_entry(store, member, Kind.PROJECT, dict(NEW_PROJECT), submit=True).id
    moderation.reject(store, moderator, second, "Doppelt.")
    # pending revisions of published entries: proposed, grown, sent back, rejected, approved, withdrawn
    moderation.edit_entry(store, member, schulweg, {"summary": "Vorgeschlagen."})
    moderation.edit_entry(store, member, schulweg, {"status": "operation"})
    moderation.review_queue(store, moderator)
    moderation.review_queue(store, moderator, kinds=[Kind.LESSON])
    moderation.review_queue_count(store, moderator, [Kind.PROJECT])
    store.revisions_of([schulweg, "olpe-parken"])
    moderation.request_changes(store, moderator, schulweg, "Quelle fehlt.")
    moderation.reject(store, moderator, schulweg, "Nicht belegt.")
    moderation.edit_entry(store, member, schulweg, {"summary": "Zweiter Vorschlag."})
    moderation.approve(store, moderator, schulweg, "Passt.")
    moderation.edit_entry(store, member, "olpe-parken", {"summary": "Gleich wieder zurück."})
    moderation.edit_entry(store, member, "olpe-parken", {"summary": "Sensoren zeigen freie Stellplätze."})
    moderation.my_entries(store, member)
    # freshness and adoptions: confirm, list stale entries (all, one commune's), record and update
    freshness.confirm(store, member, "olpe-parken")
    store.stale_entries("2100-01-01", None, 0, 5)
    store.stale_entries("2100-01-01", "olpe", 0, 5)
    store.stale_entries_count("2100-01-01", "olpe")
    adopted = adaptations.record_adoption(store, member, {"adopts": schulweg, "commune": "olpe", "status": "planned"})
    moderation.approve(store, moderator, adopted.id)
    adaptations.update_adoption(store, member, adopted.id, {"status": "done", "outcome": "Läuft."})
    history.history(store, member, schulweg)
    history.history(store, world.role("anonymous"), schulweg)
    audit.audit_log(store, moderator)
    audit.audit_log(store, moderator, target=schulweg, actor=moderator.account_id)
    audit.audit_count(store, moderator, target=schulweg)

    accounts.add_account(store, operator, "paula", "moderator", password="ein langes Passwort")
    signed_in = accounts.sign_in(store, "paula", "ein langes Passwort")
    assert signed_in is not None
    accounts.identity_for_session(store, signed_in[1])
    accounts.sign_out(store, signed_in[1])
    accounts.set_password(store, operator, "paula", "ein anderes Passwort")
    accounts.issue_token(store, operator, "paula")
    accounts.list_accounts(store, operator)
    accounts.revoke_account(store, operator, "paula")
    store.accounts_by_id([member.account_id or ""])

    moderation.create_entry(store, operator, Kind.PROJECT, {"id": "olpe-parken-kopie", **NEW_PROJECT})
    merge.merge(store, moderator, "olpe-parken", "olpe-parken-kopie", "Doppelt erfasst.")
    merge.resolve(store, "olpe-parken-kopie")
    store.get_resolved(["olpe-parken-kopie"])
    membership.join_network(store, operator, commune="soest", network="suedwestfalen",
                            role=MembershipRole.MITMACHER, basis=MembershipBasis.COUNCIL_RESOLUTION,
                            since="2024-05", document="Ratsbeschluss 2024/17")
    membership.members_by_role(store, "suedwestfalen")
    membership.save_reference_entry(store, operator, Kind.HANDLUNGSFELD,
                                    {"id": "verkehr", "name": "Verkehr", "parent": "mobilitaet"})

    # backup and restore: every read of a backup, and the restore's writes (MERGE on each node's key, so
    # writing a backup of this store into it again changes nothing; a restore proper needs an empty store)
    store.node_count()
    written = io.StringIO()
    backup.write_backup(store, written)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sicherung.jsonl"
        path.write_text(written.getvalue(), encoding="utf-8")
        checked = restore.read_backup(path)
    store.write(store.restore_statements(checked.nodes, checked.relationships))
    assert store.inventory().nodes == checked.summary().nodes

    # change-log retention, last: it deletes entries (by age and by count, in several batches)
    store.oldest_change()
    assert store.prune_changes(before="2000-01-01T00:00:00.000+00:00", keep_last=5, batch=50) > 0
    assert store.prune_operations(before="2999-01-01T00:00:00.000+00:00", batch=50) > 0


def _list_pages(store: CypherGraphStore) -> None:
    """Per kind: every sort unfiltered, every filter alone, all filters together (every text piece
    the list query builder can emit, in first and in later position)."""
    for kind, names in cypher.LIST_PARAMS.items():
        missing = [n for n in names if n not in FILTER_VALUES]
        assert not missing, f"add a sample value for the new {kind.value} list filter(s) {missing} to FILTER_VALUES"
        first_sort = next(iter(cypher.LIST_SORTS[kind]))
        for sort in cypher.LIST_SORTS[kind]:
            store.list_page(kind, {}, sort, 0, 5)
        store.count_matching(kind, {})
        for filters in [{n: FILTER_VALUES[n]} for n in names] + [{n: FILTER_VALUES[n] for n in names}]:
            store.list_page(kind, filters, first_sort, 0, 5)
            store.count_matching(kind, filters)
            for sort in cypher.LIST_SORTS[kind]:
                store.list_page_counted(kind, filters, sort, 0, 5)


# -- the checks -------------------------------------------------------------------------------------


def query_constants() -> dict[str, str]:
    """Every query text of ``cypher.py``, ``cypher_trust.py`` and ``cypher_backup.py`` by text: ``cypher.NAME[key]``."""
    out: dict[str, str] = {}
    for module in (cypher, cypher_trust, cypher_backup):
        prefix = module.__name__.rsplit(".", 1)[1]
        for name, value in vars(module).items():
            if not name.isupper() or name.startswith("_"):
                continue
            if isinstance(value, str) and " " in value.strip():
                out.setdefault(value, f"{prefix}.{name}")
            elif isinstance(value, dict):
                for key, text in value.items():
                    if isinstance(text, str) and " " in text.strip():
                        out.setdefault(text, f"{prefix}.{name}[{key}]")
    return out


def missing_params(sent: Sent) -> list[str]:
    return sorted(set(PARAM.findall(sent.query)) - set(sent.params))


def bolt_problem(params: dict[str, Any]) -> str | None:
    try:
        Packer(PackableBuffer()).pack(params)
    except (ValueError, TypeError, OverflowError) as e:
        return f"{type(e).__name__}: {e}"
    return None


def run(command: list[str], timeout: float, stdin: str | None = None) -> str:
    done = subprocess.run(command, cwd=LINT_DIR, input=stdin, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def lint(queries: dict[str, str]) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """Neo4j's diagnostics per query id (the checker's name and version first)."""
    assert shutil.which("node") and shutil.which("npm"), "node and npm are needed for the Neo4j Cypher check"
    if not (LINT_DIR / "node_modules" / CHECKER).is_dir():
        run(["npm", "ci", "--no-audit", "--no-fund"], timeout=600)
    payload = json.dumps({"queries": [{"id": i, "query": q} for i, q in queries.items()]})
    report = json.loads(run(["node", "lint.mjs"], timeout=900, stdin=payload))
    pinned = json.loads((LINT_DIR / "package.json").read_text())["dependencies"][CHECKER]
    assert report["checker"] == f"{CHECKER}@{pinned}", f"stale node_modules: {report['checker']}; run npm ci"
    assert report["functions"] > 100, "the checker knows no Neo4j functions"
    return report["checker"], {r["id"]: r["diagnostics"] for r in report["results"]}


def describe(query: str, diagnostics: list[dict[str, Any]]) -> str:
    lines = []
    for d in diagnostics:
        where = ""
        if d["start"] is not None:
            line = query.count("\n", 0, d["start"]) + 1
            column = d["start"] - (query.rfind("\n", 0, d["start"]) + 1) + 1
            where = f" at {line}:{column} {query[d['start']:max(d['end'], d['start'] + 1)]!r}"
        lines.append(f"    {d['severity']}{where}: {d['message']}")
    return "\n".join(lines)


def numbered(query: str) -> str:
    """The query with line numbers as ``describe`` counts them (blank first and last lines left out)."""
    lines = query.split("\n")
    return "\n".join(f"    {i:3} | {line}" for i, line in enumerate(lines, 1) if line.strip() or 1 < i < len(lines))


def analysis_probe(query: str) -> str | None:
    """The query with an undefined variable in its last RETURN (or a RETURN of one appended): only the
    semantic analysis reports it, so its report proves the analysis ran on this query. The package
    swallows exceptions of the analysis, which would otherwise look like a clean query. Schema
    commands have no RETURN: they get syntax and command checks only."""
    if SCHEMA_COMMAND.match(query):
        return None
    found = list(re.finditer(r"\bRETURN\s+(DISTINCT\s+)?", query))
    if not found:
        return query.rstrip() + f"\nRETURN {PROBE} AS probe\n"
    at = found[-1].end()
    return query[:at] + f"{PROBE} AS probe, " + query[at:]


def property_problems(params: dict[str, Any]) -> list[str]:
    """Maps under a ``props`` key become whole property maps (``SET n = row.props``): Neo4j stores only
    null (= absent), booleans, numbers, strings, and lists of one of those types without nulls."""
    problems: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "props" and isinstance(item, dict):
                    problems.extend(f"{k}={v!r}" for k, v in item.items() if not _storable(v))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(params)
    return problems


def _storable(value: Any) -> bool:
    scalar = (bool, int, float, str)
    if value is None or isinstance(value, scalar):
        return True
    if isinstance(value, list):
        types = {type(v) for v in value}
        return len(types) <= 1 and all(isinstance(v, scalar) for v in value)
    return False


def test_every_statement_of_the_neo4j_engine_passes_neo4js_parser_and_semantic_analysis(
    recording: tuple[CypherGraphStore, TeeEngine],
) -> None:
    # given everything the Neo4j engine sends while the store is exercised for real
    store, tee = recording
    exercise(store)
    sent = list(tee.driver.sent)
    constants = query_constants()
    # ... plus the query constants the scenario did not reach, as the engine would send them
    # (such as CREATE_RELS[MEMBER_OF], which no record owns; extend exercise() for new store operations,
    # so that their parameters are checked as well)
    unreached = {text: name for text, name in constants.items() if text not in tee.store_texts}
    tee.driver.origin = "(not reached by the scenario)"
    for text in unreached:
        tee.neo4j_engine.read(text, {})
    distinct: dict[str, Sent] = {}
    for s in tee.driver.sent:
        distinct.setdefault(s.query, s)
    ids = {query: f"q{i}" for i, query in enumerate(distinct)}
    probes = {f"probe-{ids[q]}": p for q in distinct if (p := analysis_probe(q)) is not None}

    # when Neo4j's front end checks each distinct query, a probe of each, and the controls
    checker, diagnostics = lint({**{ids[q]: q for q in distinct}, **probes,
                                 **{name: query for name, (query, _) in CONTROLS.items()}})

    # then every negative control is reported
    for name, (query, fragment) in CONTROLS.items():
        found = diagnostics[name]
        assert any(fragment in d["message"] or fragment in query[d["start"] or 0:d["end"] or 0] for d in found), (
            f"{checker} missed the {name} control:\n{numbered(query)}\n{found}")
    # and no statement of ours draws an error or warning from Neo4j's front end
    failures = [
        f"{constants.get(query, 'generated query')} (sent by {first.origin}):\n"
        f"{numbered(query)}\n{describe(query, diagnostics[ids[query]])}"
        for query, first in distinct.items() if diagnostics[ids[query]]
    ]
    assert not failures, (f"{len(failures)} of {len(distinct)} statements fail Neo4j's checks ({checker}):\n\n"
                          + "\n\n".join(failures)
                          + f"\n\n(checked without parameters, not reached: {sorted(unreached.values())})")
    # and the semantic analysis really ran on each of them: the check cannot pass by not looking
    unanalysed = [i for i in probes if not any(PROBE in d["message"] for d in diagnostics[i])]
    assert not unanalysed, "\n\n".join(
        f"Neo4j's semantic analysis did not run on this query (its probe drew no report):\n{numbered(probes[i])}\n"
        f"{describe(probes[i], diagnostics[i])}" for i in unanalysed)
    # and every parameter a statement refers to is sent with it, in a form the driver and Neo4j accept
    problems = []
    for s in sent:
        if missing := missing_params(s):
            problems.append(f"{s.origin}: parameters {missing} not sent with\n{numbered(s.query)}")
        if problem := bolt_problem(s.params):
            problems.append(f"{s.origin}: parameters cannot be sent over Bolt ({problem}) with\n{numbered(s.query)}")
        if bad := property_problems(s.params):
            problems.append(f"{s.origin}: Neo4j cannot store the properties {bad} of\n{numbered(s.query)}")
    assert not problems, "\n\n".join(problems)
    assert len(sent) > len(distinct) > 150
