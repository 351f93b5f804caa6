"""Operational metrics at ``/metrics``, in the Prometheus text format (``prometheus-client``).

One ``CollectorRegistry`` per app (``create_app``), so that several apps in one process (tests)
count apart. The families:

* ``schule_http_requests_total{route,method,status}`` and the histogram
  ``schule_http_request_duration_seconds{route,method}``: ``route`` is the route's template
  (``/projekte/{id}``, ``/static``), never the raw path, and ``unmatched`` for paths no route
  serves; ``method`` is one of the HTTP methods, else ``other``. So the number of series is bounded
  by the app's routes, whatever clients send;
* ``schule_graphql_errors_total{code}``: errors in ``/graphql`` answers by ``extensions.code``
  (the codes are the server's own constants; ``NONE`` for errors without one, e.g. an execution
  error);
* ``schule_store_round_trips_total``: round trips to the graph store (``CypherGraphStore.calls``),
  by requests and by the background work alike;
* ``schule_search_index_pending_changes``: change-log entries the search index has not applied
  yet (its lag; read when scraped), and ``schule_search_index_rebuilds_total``: full rebuilds this
  process made (at start, or after falling behind the pruned change log);
* ``schule_searches_total{answer}``: searches computed, and searches answered again from the results
  kept for the current index generation (``reused``);
* ``schule_project_lists_total{answered_by}``: project list pages answered from the facts in memory
  (``facts``) or by the graph (``graph``: while the facts are being built, or where they cannot say
  the same; ``schule/services/project_lists.py``);
* ``schule_gc_frozen_objects``: objects the server moved out of the garbage collector's sight after
  building long-lived data, and ``schule_gc_collections_total{generation}``
  (``schule/gc_pause.py``).

Nothing personal is in any of them: no paths, queries, addresses, accounts or ids, only route
templates, status codes, error codes and counts. Who may read them: ``MetricsEndpoint``.
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schule.services import project_lists

log = logging.getLogger("schule.metrics")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
# Seconds; from a cached /healthz (~1 ms) to the GraphQL timeout (10 s).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
NO_CODE = "NONE"


class Metrics:
    """The app's metrics; ``state`` is the ``AppState`` (store and search index, once opened)."""

    def __init__(self, state: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "schule_http_requests", "HTTP requests by route template, method and status.",
            ["route", "method", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "schule_http_request_duration_seconds", "HTTP request latency by route template and method.",
            ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.graphql_errors = Counter(
            "schule_graphql_errors", "Errors in /graphql answers by extensions.code (NONE: without a code).",
            ["code"], registry=self.registry,
        )
        self.registry.register(_StateCollector(state))

    def count_graphql_errors(self, errors: Iterable[Any]) -> None:
        """``errors``: the ``errors`` entries of a ``/graphql`` answer."""
        for error in errors:
            extensions = error.get("extensions") if isinstance(error, dict) else None
            code = extensions.get("code") if isinstance(extensions, dict) else None
            self.graphql_errors.labels(code=code if isinstance(code, str) else NO_CODE).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _StateCollector(Collector):
    """Read when scraped: the store's round trips, the search index's lag and rebuilds."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        frozen = GaugeMetricFamily("schule_gc_frozen_objects",
                                   "Objects kept out of the garbage collector's walks (gc.freeze).")
        frozen.add_metric([], gc.get_freeze_count())
        yield frozen
        collections = CounterMetricFamily("schule_gc_collections", "Garbage collections by generation.",
                                          labels=["generation"])
        for generation, stats in enumerate(gc.get_stats()):
            collections.add_metric([str(generation)], stats["collections"])
        yield collections
        store = self.state.store
        if store is not None:
            trips = CounterMetricFamily("schule_store_round_trips", "Round trips to the graph store.")
            trips.add_metric([], store.calls)
            yield trips
            lists = CounterMetricFamily("schule_project_lists", "Project list pages by what answered them.",
                                        labels=["answered_by"])
            for by, count in sorted(project_lists.answered(store).items()):
                lists.add_metric([by], count)
            yield lists
        sync = self.state.search_sync
        if sync is None:
            return
        rebuilds = CounterMetricFamily("schule_search_index_rebuilds", "Full rebuilds of the search index.")
        rebuilds.add_metric([], getattr(sync.index, "rebuilds", 0))
        yield rebuilds
        searches = CounterMetricFamily(
            "schule_searches", "Searches by how they were answered: computed, or reused (asked again before the "
            "index changed).", labels=["answer"])
        searches.add_metric(["computed"], getattr(sync.index, "results_computed", 0))
        searches.add_metric(["reused"], getattr(sync.index, "results_reused", 0))
        yield searches
        try:
            pending = sync.pending()
        except Exception as e:  # noqa: BLE001 - a scrape reports what it can
            log.warning("search index lag unknown: %s", e)
            return
        lag = GaugeMetricFamily(
            "schule_search_index_pending_changes", "Change-log entries the search index has not applied yet.")
        lag.add_metric([], max(0, pending))
        yield lag


def route_template(scope: Scope) -> str:
    """The template of the route that serves this request (``unmatched`` if none does)."""
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        match, _ = route.matches(scope)
        if match is not Match.NONE:  # PARTIAL: the path matched, the method did not (405)
            return route.path if not isinstance(route, Mount) or route.path else "/"
    return UNMATCHED


class MetricsMiddleware:
    """Counts and times every HTTP request by route template, method and status."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        route = route_template(scope)
        method = scope["method"] if scope["method"] in METHODS else "other"
        status = 500  # if the app fails before it answers, the server answers 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.requests.labels(route=route, method=method, status=str(status)).inc()
            self.metrics.latency.labels(route=route, method=method).observe(time.perf_counter() - started)


def allowed_networks(spec: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in spec)


class MetricsEndpoint:
    """``GET /metrics`` for clients from ``allowed`` networks (``SCHULE_METRICS_ALLOW``, by default
    this host only), 403
    for anyone else. The client address is the connection's, or the one a trusted proxy forwards
    (``SCHULE_TRUSTED_PROXIES``): a proxy on this host that is not declared there makes every
    request look local, so it must either be declared or not forward ``/metrics``."""

    def __init__(self, metrics: Metrics, allowed: Iterable[str]) -> None:
        self.metrics = metrics
        self.allowed = allowed_networks(allowed)

    async def endpoint(self, request: Request) -> Response:
        if not self._allowed(request):
            return JSONResponse(
                {"error": "Die Metriken sind nur von freigegebenen Adressen abrufbar (SCHULE_METRICS_ALLOW)."},
                status_code=403,
            )
        body = await run_in_threadpool(self.metrics.exposition)  # reads the index lag from the store
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    def _allowed(self, request: Request) -> bool:
        client = request.client
        if client is None:
            return False
        try:
            address = ipaddress.ip_address(client.host)
        except ValueError:
            return False
        return any(address in network for network in self.allowed)
