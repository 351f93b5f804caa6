"""``schule serve`` on a fresh data dir: seeds itself, answers, and shares the store with the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schule.auth.ratelimit import Limits
from tests.e2e.cli.helpers import SCHULE, run_schule

TYPENAME = "{ __typename }"
SIGN_IN_FAILURES_PER_ADDRESS = Limits.default().sign_in_address.capacity
NEW_COMMUNE = {"kind": "commune", "id": "neuenrade-test", "name": "Neuenrade (Test)", "kreis": "Märkischer Kreis"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    yield from _serve(tmp_path)


def _serve(tmp_path: Path, *extra: str) -> Iterator[tuple[str, Path]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    env["SCHULE_DATA_DIR"] = str(tmp_path)
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed after the process ends
    proc = subprocess.Popen([SCHULE, "serve", "--port", str(port), *extra], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"schule serve ended early: {log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"schule serve did not answer /healthz within 60 s: {log_path.read_text()}")
            time.sleep(0.1)
        yield base, tmp_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()  # never leave a server behind for the tests after this one
            proc.wait(timeout=30)
            raise
        finally:
            log.close()
    # the last client gone, the embedded server was shut down cleanly with the app
    assert not (tmp_path / "falkordb" / "falkordb.sock").exists(), log_path.read_text()


def test_health_and_typename(served: tuple[str, Path]) -> None:
    base, _ = served

    health = httpx.get(f"{base}/healthz")
    typename = httpx.post(f"{base}/graphql", json={"query": TYPENAME})

    assert {k: v for k, v in health.json().items() if k != "search"} == {"status": "ok", "store": "falkordb"}
    assert health.json()["search"]["state"] in ("caught_up", "behind")  # the first index build may still run
    assert typename.status_code == 200
    assert typename.json()["data"] == {"__typename": "Query"}


def test_empty_store_is_seeded_on_first_start(served: tuple[str, Path]) -> None:
    _, data_dir = served

    counts = json.loads(run_schule("stats", "--json", data_dir=data_dir).stdout)

    assert counts["commune"] >= 83


def test_import_works_while_the_server_runs(served: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> None:
    base, data_dir = served
    path = tmp_path_factory.mktemp("import") / "neu.jsonl"
    path.write_text(json.dumps(NEW_COMMUNE) + "\n", encoding="utf-8")

    result = run_schule("import", str(path), data_dir=data_dir)

    assert result.returncode == 0, result.stderr
    assert json.loads(run_schule("stats", "--json", data_dir=data_dir).stdout)["commune"] >= 84
    # the server is still healthy afterwards: the CLI did not stop the shared embedded store
    assert httpx.get(f"{base}/healthz").status_code == 200


SEARCH_NEW_COMMUNE = '{ search(query: "%s") { hits { id } } }'


def test_several_worker_processes_share_store_and_index(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    # given schule serve with two worker processes on an empty data dir
    for base, data_dir in _serve(tmp_path, "--workers", "2"):
        # then the store was seeded and every connection is answered
        seeded = json.loads(run_schule("stats", "--json", data_dir=data_dir).stdout)
        assert seeded["commune"] >= 83 and seeded["project"] > 0
        statuses = {httpx.post(f"{base}/graphql", json={"query": TYPENAME}, headers={"connection": "close"})
                    .status_code for _ in range(20)}
        assert statuses == {200}
        # and a record imported meanwhile is found by whichever worker answers the search
        path = tmp_path_factory.mktemp("import") / "neu.jsonl"
        path.write_text(json.dumps(NEW_COMMUNE) + "\n", encoding="utf-8")
        assert run_schule("import", str(path), data_dir=data_dir).returncode == 0
        for _ in range(6):
            r = httpx.post(f"{base}/graphql", json={"query": SEARCH_NEW_COMMUNE % "Neuenrade"},
                           headers={"connection": "close"}, timeout=30)
            assert NEW_COMMUNE["id"] in [h["id"] for h in r.json()["data"]["search"]["hits"]], r.text


def _server_side_connections(port: int) -> dict[int, int]:
    """How many established connections to ``port`` each process holds (Linux: /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
    held: dict[int, int] = {}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            links = [os.readlink(fd) for fd in fd_dir.iterdir()]
        except OSError:
            continue  # a process that ended meanwhile, or one we may not look into
        count = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes)
        if count:
            held[int(fd_dir.parent.name)] = count
    return held


async def _connect_together(base: str, clients: int) -> dict[int, int]:
    """``clients`` connections opened at the same moment and kept; who holds them on the server side."""
    connections = [httpx.AsyncClient(base_url=base, timeout=30) for _ in range(clients)]
    try:
        answers = await asyncio.gather(*(c.post("/graphql", json={"query": TYPENAME}) for c in connections))
        assert {r.status_code for r in answers} == {200}
        return _server_side_connections(int(base.rsplit(":", 1)[1]))
    finally:
        await asyncio.gather(*(c.aclose() for c in connections))


def test_connections_that_arrive_together_are_spread_over_the_workers(tmp_path: Path) -> None:
    # given schule serve with two worker processes
    for base, _ in _serve(tmp_path, "--workers", "2"):
        # when 24 clients connect at the same moment and keep their connections (browsers, proxies)
        held = asyncio.run(_connect_together(base, 24))

        # then both workers serve some of them (one socket per worker, spread by the kernel: the
        # chance that one gets fewer than 3 of 24 is 4 in 100,000), not one worker all of them
        assert sum(held.values()) == 24, held
        assert len(held) == 2 and min(held.values()) >= 3, held


def _workers_of(pid: int) -> set[int]:
    """The worker processes of ``schule serve --workers N`` (spawned: ``multiprocessing.spawn``)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid and \
                    b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                found.add(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(tmp_path: Path) -> None:
    # given schule serve with two workers, answering
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    env["SCHULE_DATA_DIR"] = str(tmp_path)
    with open(tmp_path / "serve.log", "w") as log:
        proc = subprocess.Popen([SCHULE, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            assert _answers(base, 90), (tmp_path / "serve.log").read_text()
            workers = _workers_of(proc.pid)
            assert len(workers) == 2, workers

            # when one worker is killed
            victim = min(workers)
            os.kill(victim, 9)

            # then a new one takes its place (on the same socket) and every new connection is answered
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and len(_workers_of(proc.pid) - {victim}) < 2:
                time.sleep(0.2)
            assert len(_workers_of(proc.pid) - {victim}) == 2, (tmp_path / "serve.log").read_text()
            statuses = [httpx.post(f"{base}/graphql", json={"query": TYPENAME}, headers={"connection": "close"},
                                   timeout=60).status_code for _ in range(20)]
            assert statuses == [200] * 20
            assert "endete (Code -9); er wird ersetzt" in (tmp_path / "serve.log").read_text()
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    assert proc.returncode == 0


def _answers(base: str, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False


def test_workers_on_a_port_in_use_stop_with_the_reason(tmp_path: Path) -> None:
    # given a port another program listens on
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]

        done = run_schule("serve", "--port", str(port), "--workers", "2", data_dir=tmp_path)

    # then no worker starts, and the message names the port
    assert done.returncode == 1
    assert f"127.0.0.1:{port} kann nicht geöffnet werden" in done.stderr, done.stderr
    assert "Arbeitsprozess" not in done.stderr


def test_module_entry_point_shows_help() -> None:
    result = subprocess.run([sys.executable, "-m", "schule.cli", "--help"], capture_output=True, text=True)

    assert result.returncode == 0 and "serve" in result.stdout


def test_stopping_during_the_first_index_build_leaves_no_server_behind(served: tuple[str, Path]) -> None:
    # The fixture stops the app as soon as it answers, while the first search index build
    # still runs in a worker thread; its teardown asserts that the embedded server was shut
    # down with the app (a worker still talking to the store used to keep it alive, orphaned).
    base, data_dir = served

    assert httpx.get(f"{base}/healthz").status_code == 200
    assert (data_dir / "falkordb" / "falkordb.sock").exists()


def test_a_forwarded_address_from_a_local_client_is_not_believed(served: tuple[str, Path]) -> None:
    # given `schule serve` without SCHULE_TRUSTED_PROXIES, and a client on the same host that makes
    # up a new X-Forwarded-For for every failed sign-in, under a new account name each time
    base, _ = served
    statuses = []
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(SIGN_IN_FAILURES_PER_ADDRESS + 10):
            page = client.get("/anmelden")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            statuses.append(client.post(
                "/signin", data={"name": f"konto-{i}", "password": "falsch", "csrf_token": token},
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"}, follow_redirects=False).status_code)
    elapsed = time.monotonic() - started

    # then all its failures count against its real address: the cap on failures per address holds
    # (beyond the cap, the bucket refills slowly while the loop runs: that many more may pass)
    refilled = int(elapsed * Limits.default().sign_in_address.per_second) + 1
    assert 429 in statuses, statuses
    assert statuses.count(303) <= SIGN_IN_FAILURES_PER_ADDRESS + refilled, (statuses, elapsed)
    assert statuses[:SIGN_IN_FAILURES_PER_ADDRESS] == [303] * SIGN_IN_FAILURES_PER_ADDRESS


def test_a_malformed_trusted_proxy_is_refused_with_a_reason(tmp_path: Path) -> None:
    done = run_schule("serve", data_dir=tmp_path, env={"SCHULE_TRUSTED_PROXIES": "10.0.0.1, proxy.intern"})

    assert done.returncode != 0
    assert "SCHULE_TRUSTED_PROXIES: 'proxy.intern' ist keine IP-Adresse" in done.stderr
