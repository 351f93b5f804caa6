"""Live servers for the end-to-end tests: real uvicorn, real sockets, real embedded store.

* ``live_server(**env)``: ``create_app`` as ``schule serve`` builds it, from ``SCHULE_*`` variables,
  on a temporary ``SCHULE_DATA_DIR`` (embedded FalkorDB, seeded from ``seed/``), served by uvicorn
  on 127.0.0.1 and a free port in a thread of the test process. One server per distinct ``env``
  per session; ``dev_server`` and ``prod_server`` are the two everybody needs.
* ``probe_server``: the same ``GraphQLView`` and the same limits (``limits.py``) in front of a
  test-only schema whose resolvers record that they ran (``Probe``), so tests can prove that a
  refused request never executed, a slow resolver was cancelled and a crash was masked. The real
  server's ``store.calls`` is no such proof: a background task reads the change log every second.

The server runs in a thread (not a subprocess) so that tests can look at the app's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.types import Info

from schule.app import create_app
from schule.graphql.limits import schema_config, schema_extensions
from schule.graphql.view import GraphQLView, HTTPContext
from schule.settings import Settings
from tests.conftest import SEED_DIR

START_TIMEOUT_S = 120
PROBE_TIMEOUT_S = 1.0  # the probe server's per-request timeout; only ``{ slow }`` ever reaches it


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    app: Starlette

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])


@contextlib.contextmanager
def serve(app: Starlette) -> Iterator[LiveServer]:
    """Run ``app`` under uvicorn (lifespan included) until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config=None: leave logging alone, so caplog sees the app's records
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_config=None, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            pytest.fail(f"the test server on port {port} did not start (see the log above)")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LiveServer]]:
    """``live_server(SCHULE_ENV="development", …)``: the app as ``schule serve`` runs it with that env."""
    servers: dict[tuple[tuple[str, str], ...], LiveServer] = {}
    with contextlib.ExitStack() as stack:

        def get(**env: str) -> LiveServer:
            key = tuple(sorted(env.items()))
            if key not in servers:
                data_dir = tmp_path_factory.mktemp("e2e-data")
                settings = Settings.from_env(
                    {**env, "SCHULE_DATA_DIR": str(data_dir), "SCHULE_SEED_DIR": str(SEED_DIR)}
                )
                servers[key] = stack.enter_context(serve(create_app(settings)))
            return servers[key]

        yield get


@pytest.fixture(scope="session")
def default_server(live_server: Callable[..., LiveServer]) -> LiveServer:
    """The app with no ``SCHULE_*`` settings at all: what ``schule serve`` runs out of the box."""
    return live_server()


@pytest.fixture(scope="session")
def dev_server(live_server: Callable[..., LiveServer]) -> LiveServer:
    return live_server(SCHULE_ENV="development")


@pytest.fixture(scope="session")
def prod_server(live_server: Callable[..., LiveServer]) -> LiveServer:
    return live_server(SCHULE_ENV="production")


@pytest.fixture(scope="session")
def closed_server(live_server: Callable[..., LiveServer]) -> LiveServer:
    """An operator turned introspection and GraphiQL off (``SCHULE_INTROSPECTION=0``)."""
    return live_server(SCHULE_INTROSPECTION="0")


# -- the probe server ---------------------------------------------------------------------------


@dataclass
class Probe:
    """What the probe schema's resolvers did; shared by the server thread and the tests."""

    resolved: int = 0
    mutated: int = 0
    slow_started: threading.Event = field(default_factory=threading.Event)
    slow_cancelled: threading.Event = field(default_factory=threading.Event)
    slow_finished: bool = False


def _probe(info: Info[HTTPContext, None]) -> Probe:
    probe: Probe = info.context.request.app.state.probe
    return probe


@strawberry.type
class Node:
    @strawberry.field
    def child(self, info: Info[HTTPContext, None]) -> Node:
        _probe(info).resolved += 1
        return Node()

    @strawberry.field
    def count(self, info: Info[HTTPContext, None]) -> int:
        _probe(info).resolved += 1
        return _probe(info).resolved


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def count(self, info: Info[HTTPContext, None]) -> int:
        _probe(info).resolved += 1
        return _probe(info).resolved

    @strawberry.field
    def node(self, info: Info[HTTPContext, None]) -> Node:
        _probe(info).resolved += 1
        return Node()

    @strawberry.field
    def echo(self, info: Info[HTTPContext, None], text: str) -> str:
        _probe(info).resolved += 1
        return text

    @strawberry.field
    async def slow(self, info: Info[HTTPContext, None]) -> str:
        probe = _probe(info)
        probe.slow_started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            probe.slow_cancelled.set()
            raise
        probe.slow_finished = True
        return "finished"

    @strawberry.field
    def boom(self, info: Info[HTTPContext, None]) -> str:
        _probe(info).resolved += 1
        raise RuntimeError("connection to bolt://10.1.2.3:7687 failed for user admin")


@strawberry.type
class ProbeMutation:
    @strawberry.mutation
    def touch(self, info: Info[HTTPContext, None]) -> int:
        _probe(info).mutated += 1
        return _probe(info).mutated


def probe_app(settings: Settings) -> Starlette:
    schema = strawberry.Schema(
        query=ProbeQuery, mutation=ProbeMutation, extensions=schema_extensions(settings), config=schema_config()
    )
    view = GraphQLView(schema, graphiql=settings.introspection, timeout_s=PROBE_TIMEOUT_S)
    app = Starlette(routes=[Route("/graphql", view)])
    app.state.probe = Probe()
    return app


@pytest.fixture(scope="session")
def probe_server() -> Iterator[LiveServer]:
    """The limits of development (introspection on), where they must hold all the same."""
    with serve(probe_app(Settings(environment="development", introspection=True))) as server:
        yield server


@pytest.fixture
def probe(probe_server: LiveServer) -> Probe:
    """The probe server's record, reset for this test."""
    fresh = Probe()
    probe_server.app.state.probe = fresh
    return fresh


def graphql_errors(body: dict[str, Any]) -> list[str]:
    return [e["message"] for e in body.get("errors", [])]
