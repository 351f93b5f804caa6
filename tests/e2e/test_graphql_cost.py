"""One client must not stall everybody: the cost budget, store calls off the event loop, a timeout
that ends the work, on a live server (uvicorn, seeded embedded store).

``Gate`` wraps the loaders' one store call per execution step (the real call still runs): it counts
the calls and can hold them, so a test can look at the server while a store call is in progress,
without timing anything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from graphql import parse

from schule.app import create_app
from schule.graphql import loaders
from schule.graphql.cost import BUDGET, estimate
from schule.graphql.schema import build_schema
from schule.settings import Settings
from tests.conftest import SEED_DIR
from tests.e2e.conftest import LiveServer, serve

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
TIMEOUT_S = 2.0
NESTED_ALIAS = "projects(first: 100) { nodes { communes { projects { communes { projects { slug } } } } } }"
ALIAS_ABUSE = "{ " + " ".join(f"a{i}: {NESTED_ALIAS}" for i in range(29)) + " }"
NESTED_PAGE = "query($n: Int) { projects(first: $n) { nodes { slug communes { projects { slug } } } } }"
PROJECT_DETAIL = """
{ project(id: "offene-regionale-datenplattform") { title communes { name projects { slug } } } }
"""
# Long enough for any held request to show up, short enough that a broken build fails, not hangs.
LIVENESS_S = 20


class Gate:
    """Counts the loaders' store calls; while ``holding``, each call waits for ``release``."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.calls = 0
        self.holding = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.returned = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
        if self.holding:
            self.entered.set()
            self.release.wait(LIVENESS_S * 3)
        try:
            return self.real(*args, **kwargs)
        finally:
            self.returned.set()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("cost"), seed_dir=SEED_DIR)
    with serve(create_app(settings, timeout_s=TIMEOUT_S)) as live:
        yield live


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate(loaders.get_with_neighbours)
    monkeypatch.setattr(loaders, "get_with_neighbours", gate)
    try:
        yield gate
    finally:
        gate.release.set()  # never leave a server thread waiting


def post(server: LiveServer, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(server.graphql_url, json={"query": query, "variables": variables},
                      headers={"accept": GRAPHQL_RESPONSE_JSON}, timeout=LIVENESS_S)


def test_the_alias_abuse_is_refused_for_its_cost_before_anything_runs(server: LiveServer, gate: Gate) -> None:
    # when the 2.8 KB query of 29 aliases of a nested list is sent (inside every other limit)
    assert len(ALIAS_ABUSE) < 3000
    response = post(server, ALIAS_ABUSE)

    # then it is refused as a request error with its own code, its estimated cost and the budget ...
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    expected = estimate(build_schema()._schema, parse(ALIAS_ABUSE))
    assert error["extensions"] == {"code": "TOO_COMPLEX", "cost": expected, "budget": BUDGET}
    # ... explained in German, with what to do about it
    assert "Die Abfrage ist zu aufwendig" in error["message"] and "kleineres `first`" in error["message"]
    # ... and no store call was made for it
    assert gate.calls == 0


def test_the_page_size_in_a_variable_is_charged_as_sent(server: LiveServer, gate: Gate) -> None:
    # when the same nested query asks for 100 projects, then for 10
    large = post(server, NESTED_PAGE, {"n": 100})
    small = post(server, NESTED_PAGE, {"n": 10})

    # then only the large one is over the budget
    assert large.json()["errors"][0]["extensions"]["code"] == "TOO_COMPLEX"
    assert large.json()["errors"][0]["extensions"]["cost"] > BUDGET
    assert "errors" not in small.json()
    assert small.json()["data"]["projects"]["nodes"]


def test_healthz_answers_while_queries_wait_for_the_store(server: LiveServer, gate: Gate) -> None:
    # given four clients whose queries are waiting for a store call that does not return yet
    gate.holding = True
    with ThreadPoolExecutor(4) as pool:
        queries = [pool.submit(post, server, PROJECT_DETAIL) for _ in range(4)]
        assert gate.entered.wait(LIVENESS_S), "no query reached the store"

        # when /healthz is asked meanwhile
        try:
            health = httpx.get(f"{server.base_url}/healthz", timeout=LIVENESS_S)
            held = not gate.release.is_set()
        finally:
            gate.release.set()

        # then it answers while the store calls are still in progress: they do not hold the event loop
        assert health.status_code == 200 and held
        for query in queries:
            query.result(timeout=LIVENESS_S * 3)


def test_a_timed_out_query_stops_issuing_store_calls(server: LiveServer, gate: Gate) -> None:
    # given a query of three steps whose first store call does not return within the timeout
    gate.holding = True
    with ThreadPoolExecutor(1) as pool:
        sent = pool.submit(post, server, PROJECT_DETAIL)
        try:
            # when the timeout passes: the client is answered while that call is still running
            response = sent.result(timeout=LIVENESS_S)
        finally:
            gate.release.set()

    # then it was told so
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    # and once the call in progress has returned, nothing of that request asks the store again
    assert gate.returned.wait(LIVENESS_S)
    time.sleep(0.5)  # room for a next step, if one were coming
    assert gate.calls == 1
