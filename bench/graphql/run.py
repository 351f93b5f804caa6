"""GraphQL benchmark at 10,000 projects: latency and throughput of representative queries, against
a hand-written Starlette endpoint doing the same store work. Prints figures; asserts nothing.

    .venv/bin/python bench/graphql/run.py [--projects 10000] [--requests 300] [--concurrency 4]
        [--timeout 10] [--warmup 60] [--data-dir DIR] [--only list,detail,commune]

Steps: write a synthetic dataset in the import format (JSONL), import it with schule's importer
into a fresh embedded store in a temporary data dir, start uvicorn on loopback in a subprocess,
warm up, then run each query with a bounded load loop (httpx, fixed number of requests, fixed
concurrency) against /graphql and against /plain/*. A request that times out or fails is counted
and reported (latency of a timeout = the timeout), never aborts the run. ``--data-dir`` keeps the
imported store in DIR and reuses it on the next run with the same DIR (for profiling sessions).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from schule.services.importing import import_files  # noqa: E402
from schule.settings import Settings  # noqa: E402
from schule.store import open_store  # noqa: E402

GRAPH = "bench"
ROUNDS = 5
KREISE = ["Hochsauerlandkreis", "Kreis Olpe", "Kreis Soest", "Märkischer Kreis", "Kreis Siegen-Wittgenstein"]
STATUS = ["idea", "planning", "implementation", "operation", "completed", "stopped"]

LIST = """query($kreis: [String!], $hf: [String!]) {
  projects(first: 20, filter: {kreise: $kreis, handlungsfelder: $hf}) {
    totalCount
    edges { node { slug title status communes { slug name } handlungsfelder { slug name } } }
  }
}"""
DETAIL = """query($id: String!) {
  project(id: $id) {
    title summary status
    lessons { title author { slug name } }
    contacts { name role }
    adaptedFrom { slug title }
    adaptations { slug title }
    communes { slug name }
  }
}"""
# A commune may have hundreds of projects: the page shows the first 20 (and how many there are)
# through the paginated projects list, not the unbounded `Commune.projects`.
COMMUNE = """query($id: String!) {
  commune(id: $id) { name kreis people { name } memberships { role network { name } } }
  projects(first: 20, filter: {communes: [$id]}) { totalCount edges { node { slug title } } }
}"""


def write_dataset(path: Path, projects: int, rng: random.Random) -> None:
    communes = max(50, projects // 25)
    people = max(100, projects // 3)
    rows: list[dict[str, Any]] = [
        {"kind": "network", "id": "netz", "name": "Netzwerk"},
        *({"kind": "handlungsfeld", "id": f"hf-{i}", "name": f"Handlungsfeld {i}"} for i in range(6)),
        *({"kind": "handlungsfeld", "id": f"hf-{i}-{j}", "name": f"Unterfeld {i}.{j}", "parent": f"hf-{i}"}
          for i in range(6) for j in range(3)),
    ]
    for c in range(communes):
        rows.append({"kind": "commune", "id": f"kommune-{c}", "name": f"Kommune {c}", "kreis": KREISE[c % 5],
                     "region": "Südwestfalen", "population": rng.randint(2000, 80000)})
        rows.append({"kind": "membership", "commune": f"kommune-{c}", "network": "netz",
                     "role": rng.choice(["pioneer", "mitmacher", "member"])})
    for p in range(people):
        rows.append({"kind": "person", "id": f"person-{p}", "name": f"Person {p}", "role": "Digitallotse",
                     "commune": f"kommune-{p % communes}"})
    fields = [f"hf-{i}-{j}" for i in range(6) for j in range(3)]
    for n in range(projects):
        rows.append({
            "kind": "project", "id": f"projekt-{n}", "title": f"Projekt {rng.randint(0, 10**6)} {n}",
            "summary": "Ein synthetisches Projekt für den Benchmark.", "status": rng.choice(STATUS),
            "communes": sorted({f"kommune-{rng.randrange(communes)}" for _ in range(rng.randint(1, 3))}),
            "handlungsfelder": sorted({rng.choice(fields) for _ in range(rng.randint(1, 3))}),
            "contacts": sorted({f"person-{rng.randrange(people)}" for _ in range(rng.randint(1, 2))}),
            **({"adapted_from": [f"projekt-{rng.randrange(n)}"]} if n and rng.random() < 0.3 else {}),
            "started": f"{rng.randint(2015, 2024)}",
        })
        for k in range(rng.randint(0, 3)):
            rows.append({"kind": "lesson", "id": f"lesson-{n}-{k}", "project": f"projekt-{n}", "title": "Erkenntnis",
                         "text": "Was wir gelernt haben.", "author": f"person-{rng.randrange(people)}",
                         "type": rng.choice(["success", "pitfall", "recommendation"])})
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Outcome:
    """Latencies (seconds) of one load loop, its wall time and what went wrong."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.timeouts = 0
        self.errors: list[str] = []
        self.wall = 0.0

    @property
    def failed(self) -> int:
        return self.timeouts + len(self.errors)

    def note(self) -> str:
        parts = [f"{self.timeouts} timed out"] if self.timeouts else []
        if self.errors:
            parts.append(f"{len(self.errors)} failed, first: {self.errors[0][:200]}")
        return "; ".join(parts)


async def load(client: httpx.AsyncClient, make: Callable[[random.Random], tuple[str, str, Any]], total: int,
               concurrency: int, seed: int, timeout: float) -> Outcome:
    rng = random.Random(seed)
    requests = [make(rng) for _ in range(total)]
    out = Outcome()
    queue = list(reversed(requests))

    async def worker() -> None:
        while queue:
            method, url, body = queue.pop()
            start = time.perf_counter()
            try:
                r = await (client.post(url, json=body, timeout=timeout) if method == "POST"
                           else client.get(url, timeout=timeout))
                out.latencies.append(time.perf_counter() - start)
                r.raise_for_status()
                if method == "POST" and "errors" in r.json():
                    out.errors.append(r.text[:500])
            except httpx.TimeoutException:
                out.latencies.append(timeout)
                out.timeouts += 1
            except (httpx.HTTPError, ValueError) as e:
                out.errors.append(f"{type(e).__name__}: {e}")

    wall = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    out.wall = time.perf_counter() - wall
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc; 0 where unavailable)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


async def run_all(base: str, projects: int, communes: int, total: int, concurrency: int, *, timeout: float,
                  warmup: int, only: set[str] | None, pids: list[int]) -> None:
    def gql(query: str, variables: Callable[[random.Random], dict[str, Any]]) -> Callable[[random.Random], Any]:
        return lambda rng: ("POST", "/graphql", {"query": query, "variables": variables(rng)})

    def plain(url: Callable[[random.Random], str]) -> Callable[[random.Random], Any]:
        return lambda rng: ("GET", url(rng), None)

    def kreis_hf(rng: random.Random) -> tuple[str, str]:
        return rng.choice(KREISE), f"hf-{rng.randrange(6)}"

    scenarios = [
        ("list", "list page (Kreis + Handlungsfeld, communes, fields)",
         gql(LIST, lambda r: dict(zip(("kreis", "hf"), ([x] for x in kreis_hf(r)), strict=True))),
         plain(lambda r: "/plain/projects?kreis={}&hf={}".format(*kreis_hf(r)))),
        ("detail", "project detail (lessons+authors, contacts, adaptations)",
         gql(DETAIL, lambda r: {"id": f"projekt-{r.randrange(projects)}"}),
         plain(lambda r: f"/plain/project/projekt-{r.randrange(projects)}")),
        ("commune", "commune page (first 20 projects + count, people, memberships)",
         gql(COMMUNE, lambda r: {"id": f"kommune-{r.randrange(communes)}"}),
         plain(lambda r: f"/plain/commune/kommune-{r.randrange(communes)}")),
    ]
    scenarios = [s for s in scenarios if only is None or s[0] in only]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        # warm-up: imports, caches, connection pools, FalkorDB's query plan cache (other seeds than
        # the measured run, so the measured requests are not answered from warm single-entry paths)
        for key, _, g, p in scenarios:
            for impl, make in (("graphql", g), ("plain", p)):
                outcome = await load(client, make, warmup, concurrency, 1, timeout)
                if outcome.failed:
                    print(f"warm-up {key}/{impl}: {outcome.note()}", flush=True)
        print(f"{'query':62} {'impl':8} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'cpu ms':>7}", flush=True)
        for _, name, g, p in scenarios:
            # GraphQL and plain alternate in rounds, so that a change in background load (a shared
            # machine) affects both alike; each round uses the same requests for both
            outcomes = {"graphql": Outcome(), "plain": Outcome()}
            cpu = {"graphql": 0.0, "plain": 0.0}
            rounds = max(1, min(ROUNDS, total // 20))
            for r in range(rounds):
                size = total // rounds + (1 if r < total % rounds else 0)
                for impl, make in (("graphql", g), ("plain", p)):
                    before = cpu_seconds(pids)
                    part = await load(client, make, size, concurrency, 42 + r, timeout)
                    cpu[impl] += cpu_seconds(pids) - before
                    whole = outcomes[impl]
                    whole.latencies += part.latencies
                    whole.timeouts += part.timeouts
                    whole.errors += part.errors
                    whole.wall += part.wall
            results = {}
            for impl, outcome in outcomes.items():
                results[impl] = pct(outcome.latencies, 50)
                rate = (total - outcome.failed) / outcome.wall if outcome.wall else float("nan")
                note = f"  ({outcome.note()})" if outcome.failed else ""
                print(f"{name:62} {impl:8} {pct(outcome.latencies, 50):8.2f} {pct(outcome.latencies, 95):8.2f}"
                      f" {rate:8.0f} {cpu[impl] / total * 1000:7.1f}{note}", flush=True)
            ratio = results["graphql"] / results["plain"] if results["plain"] else float("nan")
            print(f"{'':62} {'ratio':8} {ratio:8.2f}  (GraphQL p50 / plain p50)", flush=True)


def import_dataset(data_dir: Path, projects: int) -> Any:
    """A store on ``data_dir`` holding the synthetic dataset (imported unless a previous run with
    the same ``--data-dir`` and ``--projects`` left it there)."""
    marker = data_dir / f"bench-{projects}.imported"
    settings = Settings(data_dir=data_dir, graph=GRAPH)
    store = open_store(settings)
    if marker.exists():
        print(f"reusing the store imported in {data_dir}", flush=True)
        return store
    dataset = data_dir / "bench.jsonl"
    write_dataset(dataset, projects, random.Random(7))
    start = time.perf_counter()
    result = import_files(store, [dataset])
    print(f"imported {result.records} records ({result.by_kind}) in {time.perf_counter() - start:.1f} s", flush=True)
    marker.touch()
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (a timeout is counted)")
    parser.add_argument("--warmup", type=int, default=60, help="warm-up requests per query and implementation")
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the imported store here")
    parser.add_argument("--only", help="comma-separated subset of: list, detail, commune")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    with contextlib.ExitStack() as stack:
        if args.data_dir:
            data_dir = args.data_dir.resolve()
            data_dir.mkdir(parents=True, exist_ok=True)
        else:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="schule-bench-")))
        store = import_dataset(data_dir, args.projects)
        stack.callback(store.close)
        counts = store.counts()
        print(f"store: {counts}", flush=True)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run "
              "(other work on the machine inflates every figure)", flush=True)
        # the store stays open, so the embedded server keeps running for the app subprocess
        port = free_port()
        env = {**os.environ, "SCHULE_DATA_DIR": str(data_dir), "SCHULE_GRAPH": GRAPH,
               "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "bench.graphql.server:app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log"],
            cwd=REPO, env=env,
        )
        try:
            print(f"bench server pid {server.pid}", flush=True)
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.post(f"{base}/graphql", json={"query": "{ version }"}, timeout=2).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("bench server did not start") from None
                    time.sleep(0.2)
            pids = [server.pid]
            with contextlib.suppress(OSError, ValueError):
                pids.append(int((data_dir / "falkordb" / "falkordb.pid").read_text().strip()))
            asyncio.run(run_all(base, args.projects, counts["commune"], args.requests, args.concurrency,
                                timeout=args.timeout, warmup=args.warmup, only=only, pids=pids))
            print(f"load average {os.getloadavg()[0]:.1f} after the run", flush=True)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()
