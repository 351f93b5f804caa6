"""``schule serve --workers N``: N server processes on one port, each with a listening socket of its own.

Why not uvicorn's ``--workers``: it binds one socket and hands it to every worker. A worker that
wakes on a new connection accepts everything that is queued, so clients that connect at about the
same time and keep their connection (browsers, proxies, the load benchmark) all land in one worker
while the others idle. Measured with ``bench/load/run.py --workers 2``: all 32 connections in one
process, which used 0.9 cores while the other used none. Here every worker listens on its own
socket bound to the same port with ``SO_REUSEPORT``, and the kernel spreads new connections over
the listening sockets by a hash of their addresses (the way nginx's ``reuseport`` and gunicorn's
``--reuse-port`` do).

The supervisor (this process) binds the sockets, so a port in use is reported once, before any
worker starts, and keeps them: a worker that dies is replaced on the same socket, and connections
that arrive meanwhile wait in that socket's queue instead of being refused. A worker that fails
while starting (uvicorn's exit code 3: the app's lifespan failed, e.g. a store that does not
start) would fail the same way again: then the supervisor stops all workers and exits with 1.
"""

from __future__ import annotations

import logging
import logging.config
import multiprocessing
import signal
import socket
import threading
from multiprocessing.context import SpawnProcess
from typing import Any

log = logging.getLogger("uvicorn.error")
STARTUP_FAILURE = 3  # uvicorn.config.STARTUP_FAILURE: the worker's app could not start
CHECK_INTERVAL_S = 0.5
STOP_GRACE_S = 30.0  # a worker finishes its requests and closes the store within this

multiprocessing.allow_connection_pickling()  # the sockets travel to the spawned workers
_spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or store copied


class PortInUse(OSError):
    pass


def bind_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` TCP sockets bound to ``host:port`` with ``SO_REUSEPORT`` (port 0: the one the first got)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.set_inheritable(True)
    except OSError as e:
        for sock in sockets:
            sock.close()
        raise PortInUse(e.errno, f"{host}:{port} kann nicht geöffnet werden: {e.strerror}") from e
    return sockets


def _worker(sock: socket.socket, options: dict[str, Any]) -> None:
    """One worker process: the app from the environment, served on its own socket."""
    import uvicorn

    config = uvicorn.Config("schule.app:app_from_env", factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve(options: dict[str, Any], workers: int) -> int:
    """Run ``workers`` processes until SIGINT or SIGTERM; returns the exit code."""
    logging.config.dictConfig(options["log_config"])
    host, port = options["host"], options["port"]
    try:
        sockets = bind_sockets(host, port, workers)
    except PortInUse as e:
        log.error("%s", e)
        return 1
    worker_options = {k: v for k, v in options.items() if k not in ("host", "port")}
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}

    def start(i: int) -> SpawnProcess:
        process = _spawn.Process(target=_worker, args=(sockets[i], worker_options), name=f"schule-worker-{i}")
        process.start()
        log.info("Arbeitsprozess %d gestartet [%s]", i, process.pid)
        return process

    exit_code = 0
    processes: list[SpawnProcess] = []
    try:
        processes = [start(i) for i in range(workers)]
        log.info("%d Arbeitsprozesse auf http://%s:%d", workers, host, sockets[0].getsockname()[1])
        while not stop.wait(CHECK_INTERVAL_S):
            for i, process in enumerate(processes):
                if process.is_alive():
                    continue
                process.join()
                if process.exitcode == STARTUP_FAILURE:
                    log.error("Arbeitsprozess %d [%s] konnte nicht starten; alle werden beendet", i, process.pid)
                    exit_code = 1
                    stop.set()
                    break
                log.warning("Arbeitsprozess %d [%s] endete (Code %s); er wird ersetzt", i, process.pid,
                            process.exitcode)
                processes[i] = start(i)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes open requests, the app closes the store
        for process in processes:
            process.join(STOP_GRACE_S)
            if process.is_alive():
                log.error("Arbeitsprozess [%s] endete nicht in %.0f s; er wird abgebrochen", process.pid, STOP_GRACE_S)
                process.kill()
                process.join()
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return exit_code
