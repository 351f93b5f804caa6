"""``/healthz``: is the store reachable, and is the search index caught up with the graph?

    200 {"status": "ok", "store": "falkordb", "search": {"state": "caught_up", "pending": 0}}
    200 {"status": "ok", "store": "falkordb", "search": {"state": "behind", "pending": 12}}
    503 {"status": "unavailable", "store": "falkordb", "search": {"state": "unknown"}}

``search.state`` is ``starting`` until the index is open, ``unknown`` when its lag cannot be read.
A lagging index is not a failure (it is derived data and catches up by itself, see
``schule.services.search_sync``), so only an unreachable store makes the answer 503.

It must answer fast whatever else runs: the two store reads (a ping and the change log's counter;
the index's position is a small file) run in threads of their own (``HealthCheck.executor``), so
they wait neither for the event loop nor behind the request threads that expensive queries keep
busy; and it gives up after ``TIMEOUT_S`` (503).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

log = logging.getLogger("schule")

TIMEOUT_S = 2.0


def search_state(sync: Any) -> dict[str, Any]:
    if sync is None:
        return {"state": "starting"}
    try:
        pending = max(0, sync.pending())
    except Exception as e:  # noqa: BLE001 - health reports, never raises
        log.warning("health check: search index lag unknown: %s", e)
        return {"state": "unknown"}
    return {"state": "caught_up" if pending == 0 else "behind", "pending": pending}


def check(state: Any) -> tuple[dict[str, Any], bool]:
    """The health report and whether it is healthy (runs in a worker thread)."""
    try:
        ok = bool(state.store.ping())
    except Exception as e:  # noqa: BLE001 - health reports, never raises
        log.warning("health check failed: %s", e)
        ok = False
    body = {
        "status": "ok" if ok else "unavailable",
        "store": state.store.engine.name,
        "search": search_state(state.search_sync) if ok else {"state": "unknown"},
    }
    return body, ok


class HealthCheck:
    """``/healthz`` (``endpoint``), with two threads of its own (started on first use)."""

    def __init__(self, timeout_s: float = TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self.executor: ThreadPoolExecutor | None = None

    async def endpoint(self, request: Request) -> JSONResponse:
        state = request.app.state.schule
        if self.executor is None:
            self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")
        loop = asyncio.get_running_loop()
        try:
            body, ok = await asyncio.wait_for(loop.run_in_executor(self.executor, check, state), self.timeout_s)
        except TimeoutError:
            log.warning("health check took longer than %.1f s", self.timeout_s)
            body = {"status": "unavailable", "store": state.store.engine.name, "search": {"state": "unknown"}}
            ok = False
        return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
