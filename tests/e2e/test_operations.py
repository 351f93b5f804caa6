"""Operations: ``/metrics`` (Prometheus text format), ``/healthz`` with the search index's state,
JSON logs from ``schule serve``. Live servers on the real embedded store."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from prometheus_client.parser import text_string_to_metric_families

from schule.app import create_app
from schule.services.transfer.facts import facts_if_current
from schule.settings import Settings
from tests.conftest import SEED_DIR
from tests.e2e.cli.helpers import SCHULE, run_schule
from tests.e2e.conftest import LiveServer, serve

PROJECT_PAGE = "/projekte/offene-regionale-datenplattform"
SEARCH_TEXT = "Datenplattform-Geheimwort"
BAD_PAGE_SIZE = "{ projects(first: 101) { totalCount } }"
SEARCH_TWICE = '{ search(query: "Datenplattform", first: 5) { total } }'
A_LIST = '{ projects(first: 5, filter: {kreise: ["Kreis Olpe"]}) { totalCount } }'
# Long enough for the slowest start on a busy machine; polling ends as soon as the state is reached.
WAIT_S = 120


def families(text: str) -> dict[str, Any]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def samples(family: Any, name: str | None = None) -> list[Any]:
    return [s for s in family.samples if name is None or s.name == name]


def wait_for(check: Any, what: str) -> Any:
    deadline = time.monotonic() + WAIT_S
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.2)


def caught_up(server: LiveServer) -> bool:
    body = httpx.get(f"{server.base_url}/healthz").json()
    return bool(body["search"]["state"] == "caught_up")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: a test here holds its index's drain lock."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("operations"), seed_dir=SEED_DIR)
    with serve(create_app(settings)) as live:
        yield live


# -- /metrics ---------------------------------------------------------------------------------------


def test_metrics_are_scraped_in_the_prometheus_text_format(server: LiveServer) -> None:
    # given some traffic: a page, a health check, a GraphQL error, a path nobody serves
    assert httpx.get(server.base_url + PROJECT_PAGE).status_code == 200
    assert httpx.get(f"{server.base_url}/healthz").status_code == 200
    assert httpx.post(server.graphql_url, json={"query": BAD_PAGE_SIZE}).json()["errors"]
    assert httpx.post(server.graphql_url, json={"query": "{ doesNotExist }"}).json()["errors"]
    assert httpx.get(f"{server.base_url}/?q={SEARCH_TEXT}").status_code == 200
    assert httpx.get(f"{server.base_url}/gibt-es-nicht/{SEARCH_TEXT}").status_code == 404
    wait_for(lambda: caught_up(server), "the search index to catch up")
    # the same search twice (the index unchanged in between), and a project list from the facts
    for _ in range(2):
        assert httpx.post(server.graphql_url, json={"query": SEARCH_TWICE}).json()["data"]["search"]["total"] > 0
    wait_for(lambda: facts_if_current(server.app.state.schule.store) is not None, "the lists' facts")
    assert httpx.post(server.graphql_url, json={"query": A_LIST}).json()["data"]["projects"]["totalCount"] > 0

    # when Prometheus scrapes the server (from this host)
    response = httpx.get(f"{server.base_url}/metrics")

    # then it gets the text format, parsed by prometheus_client's own parser
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = families(response.text)
    # requests by route template (never the raw path) and status
    requests = {(s.labels["route"], s.labels["method"], s.labels["status"]): s.value
                for s in samples(found["schule_http_requests"], "schule_http_requests_total")}
    assert requests[("/projekte/{id}", "GET", "200")] >= 1
    assert requests[("/healthz", "GET", "200")] >= 1
    assert requests[("/graphql", "POST", "200")] >= 2
    assert requests[("unmatched", "GET", "404")] >= 1
    assert not any("offene-regionale" in route or SEARCH_TEXT in route for route, _, _ in requests)
    # latency histograms per route
    latency = found["schule_http_request_duration_seconds"]
    assert latency.type == "histogram"
    counts = {s.labels["route"]: s.value for s in samples(latency, "schule_http_request_duration_seconds_count")}
    assert counts["/projekte/{id}"] >= 1 and counts["/graphql"] >= 2
    assert any(s.labels.get("le") == "+Inf" for s in samples(latency, "schule_http_request_duration_seconds_bucket"))
    # GraphQL errors by code (a query that does not fit the schema: GRAPHQL_VALIDATION_FAILED)
    errors = {s.labels["code"]: s.value for s in samples(found["schule_graphql_errors"], "schule_graphql_errors_total")}
    assert errors["INVALID"] >= 1 and errors["GRAPHQL_VALIDATION_FAILED"] >= 1
    # store round trips, the search index's lag and its rebuilds (a fresh data dir: built at start)
    assert samples(found["schule_store_round_trips"], "schule_store_round_trips_total")[0].value > 0
    assert samples(found["schule_search_index_pending_changes"])[0].value == 0
    assert samples(found["schule_search_index_rebuilds"], "schule_search_index_rebuilds_total")[0].value >= 1
    # searches computed and reused; list pages by what answered them
    searches = {s.labels["answer"]: s.value for s in samples(found["schule_searches"], "schule_searches_total")}
    assert searches["computed"] >= 1 and searches["reused"] >= 1
    lists = {s.labels["answered_by"]: s.value
             for s in samples(found["schule_project_lists"], "schule_project_lists_total")}
    assert lists["facts"] >= 1 and set(lists) == {"facts", "graph"}
    # the garbage collector's work, and the heap the server settled after building its facts
    assert samples(found["schule_gc_collections"], "schule_gc_collections_total")
    wait_for(lambda: frozen_objects(server) > 0, "the server to settle its heap after building the facts")
    # and nothing a client sent (paths, search words) appears in them
    assert SEARCH_TEXT not in response.text and "offene-regionale" not in response.text


def frozen_objects(server: LiveServer) -> float:
    found = families(httpx.get(f"{server.base_url}/metrics").text)
    return float(samples(found["schule_gc_frozen_objects"])[0].value)


@contextlib.contextmanager
def in_process(settings: Settings, client: tuple[str, int]) -> Iterator[httpx.Response]:
    """``GET /metrics`` of an in-process app (lifespan included) as sent from ``client``."""
    app = create_app(settings)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        async def scrape() -> httpx.Response:
            transport = httpx.ASGITransport(app=app, client=client)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                return await http.get("/metrics")

        yield portal.call(scrape)


def test_metrics_are_refused_to_other_addresses_unless_allowed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, seed_dir=SEED_DIR)

    # when a client from elsewhere asks, with the default settings
    with in_process(settings, ("203.0.113.7", 40000)) as refused:
        # then it is refused, with a German reason that names the setting
        assert refused.status_code == 403
        assert "SCHULE_METRICS_ALLOW" in refused.json()["error"]
        assert "schule_" not in refused.text

    # when the operator allows that network (e.g. the Prometheus server's)
    allowed = Settings.from_env({"SCHULE_DATA_DIR": str(tmp_path), "SCHULE_SEED_DIR": str(SEED_DIR),
                                 "SCHULE_METRICS_ALLOW": "203.0.113.0/24"})
    with in_process(allowed, ("203.0.113.7", 40000)) as scraped:
        assert scraped.status_code == 200
        assert "schule_http_requests" in families(scraped.text)


# -- /healthz ---------------------------------------------------------------------------------------


def test_healthz_reports_the_store_and_the_search_index_caught_up(server: LiveServer) -> None:
    wait_for(lambda: caught_up(server), "the search index to catch up")

    response = httpx.get(f"{server.base_url}/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "falkordb", "search": {"state": "caught_up", "pending": 0}}


def test_healthz_reports_how_many_changes_the_index_has_not_applied(server: LiveServer, tmp_path: Path) -> None:
    # given a caught-up index whose drain lock another process holds (as `schule reindex` would)
    wait_for(lambda: caught_up(server), "the search index to catch up")
    data_dir = server.app.state.schule.settings.data_dir
    record = {"kind": "project", "id": "metrik-projekt", "title": "Metrik-Projekt", "summary": "Zum Zählen.",
              "commune": "olpe"}
    (tmp_path / "one.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    with open(data_dir / "search" / "drain.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            # when another process writes to the graph
            imported = run_schule("import", str(tmp_path / "one.jsonl"), data_dir=data_dir)
            assert imported.returncode == 0, imported.stderr

            # then the health check says the index is behind, and by how much; so do the metrics
            body = httpx.get(f"{server.base_url}/healthz").json()
            assert body["status"] == "ok"
            assert body["search"]["state"] == "behind" and body["search"]["pending"] >= 1
            lag = families(httpx.get(f"{server.base_url}/metrics").text)["schule_search_index_pending_changes"]
            assert samples(lag)[0].value == body["search"]["pending"]
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

    # and once the lock is free, the index catches up by itself
    wait_for(lambda: caught_up(server), "the search index to catch up after the lock")


# -- JSON logs --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_schule_serve_writes_one_json_object_per_log_line(tmp_path: Path) -> None:
    # given `schule serve` with SCHULE_LOG_FORMAT=json
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    env.update(SCHULE_DATA_DIR=str(tmp_path), SCHULE_SEED_DIR=str(SEED_DIR), SCHULE_LOG_FORMAT="json")
    log_file = tmp_path / "stderr.log"
    with open(log_file, "wb") as stderr:
        process = subprocess.Popen([SCHULE, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                   stderr=stderr, stdin=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"

            def up() -> bool:
                assert process.poll() is None, log_file.read_text()
                try:
                    return httpx.get(f"{base}/healthz").status_code == 200
                except httpx.TransportError:
                    return False

            wait_for(up, "schule serve to answer")
            # when it serves requests, one of them a client error
            httpx.get(f"{base}/healthz")
            httpx.post(f"{base}/graphql", json={"query": BAD_PAGE_SIZE})
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)

    # then every line of its log is a JSON object, the access log with its parts as fields
    lines = [line for line in log_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    assert {"method": "GET", "path": "/healthz", "status": 200} in [
        {k: e.get(k) for k in ("method", "path", "status")} for e in access]
    assert any(e["path"] == "/graphql" and e["status"] == 200 for e in access)
    assert any("Application startup complete" in e["message"] for e in entries)
    assert not any("Traceback" in line for line in lines)
