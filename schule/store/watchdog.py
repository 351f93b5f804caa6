"""The embedded server's watchdog: a command that never returns must not hang schule.

FalkorDB 4.16 deadlocks now and then on the first graph command after a start (seen in CI: once its
main thread stuck in ``Globals_AddGraph``, so not even PING answered; once a graph command that never
returned while PING still did, and a ``schule search`` waited silently until its caller killed it).
A socket timeout cannot tell such a command from a long but healthy one (a 50,000-row import chunk,
another process's write holding the graph), and cutting a healthy one off loses its answer. What
tells them apart is the server's work: a healthy server answering a command uses CPU; a deadlocked
one uses none. So the watchdog looks at the commands in flight every ``CHECK_EVERY_S`` and, when one
has waited ``STUCK_AFTER_S`` while the server has used (nearly) no CPU for ``IDLE_S``, kills the
server. The waiting calls then see their connection close, and the engine's restart path starts the
server again (its append-only file replays every acknowledged write) and sends the command again (a
write batch carries its operation id, so it takes effect once).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from schule.store.embedded import EmbeddedServer

log = logging.getLogger(__name__)

STUCK_AFTER_S = 15.0
IDLE_S = 3.0
CHECK_EVERY_S = 1.0


class Watchdog:
    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self._in_flight: dict[int, float] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.looks = 0  # how often a command waited long enough to look at the server's work
        self.kills = 0

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Around one command to the server: while it waits, the watchdog keeps an eye on it."""
        key = next(self._ids)
        with self._lock:
            self._in_flight[key] = time.monotonic()
            if self._thread is None and not self._stopped.is_set():
                self._thread = threading.Thread(target=self._run, name="falkordb-watchdog", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                del self._in_flight[key]

    def stop(self) -> None:
        """No more looking (not waited for: with no command in flight it kills nothing)."""
        self._stopped.set()

    def _oldest_wait(self) -> float:
        with self._lock:
            started = min(self._in_flight.values(), default=None)
        return 0.0 if started is None else time.monotonic() - started

    def _run(self) -> None:
        while not self._stopped.wait(CHECK_EVERY_S):
            waited = self._oldest_wait()
            if waited < STUCK_AFTER_S:
                continue
            self.looks += 1
            # the command may have returned while we measured: then the server was not stuck
            if not self.server.idle(IDLE_S) or self._oldest_wait() < STUCK_AFTER_S:
                continue
            log.warning("FalkorDB beantwortet seit %.0f s einen Befehl nicht und arbeitet nicht; wird neu gestartet",
                        waited + IDLE_S)
            self.kills += 1
            self.server.kill()
