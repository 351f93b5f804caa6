"""The ASGI application factory. Nothing is opened at import time.

``create_app(settings)`` builds the Starlette app; its lifespan opens the store (starting the
embedded FalkorDB if needed), seeds an empty store from ``seed/`` and closes everything on exit.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

from schule.graphql.schema import build_schema
from schule.services.seeding import seed_if_empty
from schule.settings import Settings
from schule.store import open_store

log = logging.getLogger("schule")


class AppState:
    """What the lifespan opened; reachable as ``request.app.state.schule``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: Any = None


async def healthz(request: Request) -> JSONResponse:
    state: AppState = request.app.state.schule
    try:
        ok = await run_in_threadpool(state.store.ping)
    except Exception as e:  # noqa: BLE001 - health reports, never raises
        log.warning("health check failed: %s", e)
        ok = False
    body = {"status": "ok" if ok else "unavailable", "store": state.store.engine.name}
    return JSONResponse(body, status_code=200 if ok else 503)


def create_app(settings: Settings, *, seed: bool = True) -> Starlette:
    state = AppState(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.store = await run_in_threadpool(open_store, settings)
        try:
            if seed:
                result = await run_in_threadpool(seed_if_empty, state.store, settings.seed_dir)
                if result is not None:
                    log.info("empty store seeded with %d records", result.records)
            yield
        finally:
            await run_in_threadpool(state.store.close)

    graphql_app = GraphQL(build_schema(), graphql_ide="graphiql" if settings.development else None)
    app = Starlette(
        routes=[Route("/healthz", healthz), Route("/graphql", graphql_app, methods=["GET", "POST"])],
        lifespan=lifespan,
    )
    app.state.schule = state
    return app
