"""The ASGI application factory. Nothing is opened at import time.

``create_app(settings)`` builds the Starlette app; its lifespan opens the store (starting the
embedded FalkorDB if needed), seeds an empty store from ``seed/``, opens the search index, repairs
any drift between graph and index in the background and keeps following the graph's change log
(so writes by other processes on the same data dir or Neo4j reach this instance's index), prunes
that log now and then (``schule.services.change_log``), and closes everything on exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from schule.auth.middleware import AuthMiddleware
from schule.auth.ratelimit import Limits
from schule.auth.web import auth_routes
from schule.gc_pause import settle_heap
from schule.graphql.schema import build_schema
from schule.graphql.view import TIMEOUT_S, GraphQLView
from schule.health import HealthCheck
from schule.metrics import Metrics, MetricsEndpoint, MetricsMiddleware
from schule.services import project_lists
from schule.services.change_log import Retention
from schule.services.search import SearchService
from schule.services.search_sync import SearchSync, SyncStopped
from schule.services.seeding import seed_if_empty
from schule.settings import Settings
from schule.store import open_store
from schule.web.error_pages import error_handlers
from schule.web.routes import web_routes

log = logging.getLogger("schule")


SYNC_INTERVAL_S = 1.0
# How often an instance prunes the graph's change log (after a drain): the log grows by the writes
# of this interval at most, and several instances on one Neo4j do not repeat the scan every second.
PRUNE_INTERVAL_S = 600.0


class AppState:
    """What the lifespan opened; reachable as ``request.app.state.schule``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: Any = None
        self.search_sync: SearchSync | None = None
        self.search: SearchService | None = None


async def warm_index(sync: SearchSync) -> None:
    """Prepare the index's caches for the next searches (``SearchIndex.warm``), so that the first
    user after a start or a write does not wait for them; stops with the follower."""
    started = time.monotonic()
    postings = await run_in_threadpool(sync.index.warm, sync.stopping)
    log.info("search index warmed: %d postings in %.1f s", postings, time.monotonic() - started)
    if postings:
        log.debug("heap settled in %.2f s (search caches)", settle_heap())


async def keep_lists_warm(store: Any, stopping: asyncio.Event) -> None:
    """Builds the project lists' facts after a start and after every change of a fact, in the
    background (``project_lists.warm``): lists do not wait for them, the graph answers meanwhile."""
    started = time.monotonic()
    first = True
    settled: tuple[int, int] | None = None
    while not stopping.is_set():
        try:
            generation = await run_in_threadpool(project_lists.warm, store)
            if first:
                log.info("project lists: facts read in %.1f s", time.monotonic() - started)
                first = False
            if generation != settled:
                log.debug("heap settled in %.2f s (new facts)", settle_heap())
                settled = generation
        except Exception:
            log.exception("project lists: reading the facts failed; lists ask the graph meanwhile")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), SYNC_INTERVAL_S)


async def follow_change_log(
    sync: SearchSync, stopping: asyncio.Event, retention: Retention | None = None, *,
    prune_every_s: float = PRUNE_INTERVAL_S,
) -> None:
    """Repair drift once, then apply the graph's new changes to the index as they come, until
    ``stopping`` is set. With a ``retention``, also prune the change log right after a drain
    (so this index is up to date), the first time after the first drain and then at most every
    ``prune_every_s`` seconds."""
    try:
        outcome = await run_in_threadpool(sync.repair)
        log.info("search index: %s", outcome)
        await warm_index(sync)
    except SyncStopped:
        return
    except Exception:
        log.exception("search index repair failed; will keep following the change log")
    pruned_at: float | None = None
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), SYNC_INTERVAL_S)
            return
        try:
            if await run_in_threadpool(sync.drain):
                await warm_index(sync)  # the write opened a new searcher: its caches start empty
        except SyncStopped:
            return
        except Exception:
            log.exception("search index update failed; retrying")
            continue
        if retention is None or (pruned_at is not None and time.monotonic() - pruned_at < prune_every_s):
            continue
        pruned_at = time.monotonic()  # a failed prune waits for the next interval too
        try:
            await run_in_threadpool(sync.prune_change_log, retention)
        except SyncStopped:
            return
        except Exception:
            log.exception("change log pruning failed; next try in %.0f s", prune_every_s)


async def stop_following(follower: asyncio.Task[None], stopping: asyncio.Event, sync: SearchSync) -> None:
    """End the follower and wait for it. Cancelling the task alone would abandon a running repair
    or drain in its worker thread, still talking to a store that is about to close (its
    reconnect would keep the embedded server alive after the app has gone). ``sync.stop()``
    makes that thread end at its next batch boundary."""
    sync.stop()
    stopping.set()
    await follower


def create_app(
    settings: Settings, *, seed: bool = True, limits: Limits | None = None, timeout_s: float = TIMEOUT_S
) -> Starlette:
    """``timeout_s``: how long one GraphQL request may run (tests shorten it)."""
    state = AppState(settings)
    limits = limits or Limits.from_settings(settings)
    metrics = Metrics(state)
    healthz = HealthCheck()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.store = await run_in_threadpool(open_store, settings)
        try:
            if seed:
                result = await run_in_threadpool(seed_if_empty, state.store, settings.seed_dir,
                                                 settings.data_dir / "seed.lock")
                if result is not None:
                    log.info("empty store seeded with %d records", result.records)
            state.search_sync = await run_in_threadpool(SearchSync, state.store, settings.data_dir / "search")
            state.search = SearchService(state.search_sync)
            stopping = asyncio.Event()
            follower = asyncio.create_task(
                follow_change_log(state.search_sync, stopping, Retention.from_settings(settings)))
            lists = asyncio.create_task(keep_lists_warm(state.store, stopping))
            try:
                yield
            finally:
                await stop_following(follower, stopping, state.search_sync)
                await lists  # its thread cannot be stopped: the store stays open until it is done
                gc.unfreeze()  # what settle_heap kept out of collections is collectable again
                await run_in_threadpool(state.search_sync.close)
        finally:
            healthz.close()
            await run_in_threadpool(state.store.close)

    # GraphQLView checks methods, content types, body size and limits itself (see view.py).
    graphql_app = GraphQLView(
        build_schema(settings, queries=limits.queries), graphiql=settings.introspection, timeout_s=timeout_s,
        metrics=metrics)
    middleware = [
        # counts and times every request by route template (schule.metrics)
        Middleware(MetricsMiddleware, metrics=metrics),
        # who is asking (Bearer token or session cookie; 401 for bad tokens) and mutation rate limits
        Middleware(AuthMiddleware, limits=limits),
    ]
    if settings.trusted_proxies:
        # outermost: the client address every limit uses is the one these proxies forward
        middleware.insert(0, Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies)))
    app = Starlette(
        routes=[Route("/healthz", healthz.endpoint),
                Route("/metrics", MetricsEndpoint(metrics, settings.metrics_allow).endpoint),
                Route("/graphql", graphql_app), *web_routes(graphql_app, limits),
                *auth_routes(limits)],
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers=error_handlers(),  # German pages for unknown routes, 429 and 500 (web paths only)
    )
    app.state.schule = state
    return app


def app_from_env() -> Starlette:
    """The app with settings from the environment: the factory each ``schule serve --workers N``
    process calls (uvicorn imports it by name in every worker)."""
    return create_app(Settings.from_env())
