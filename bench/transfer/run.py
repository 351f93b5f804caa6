"""Knowledge-transfer benchmark at 10,000 projects / 400 communes: latency of peers, recommendations,
coverage and network statistics over GraphQL, against the plain filtered project list measured in the
same run. Prints figures; asserts nothing.

    .venv/bin/python bench/transfer/run.py [--projects 10000] [--communes 400] [--requests 200]
        [--concurrency 4] [--timeout 10] [--warmup 30] [--data-dir DIR] [--only peers,coverage-kreis,…]

Steps: write the synthetic corpus of ``bench/transfer/corpus.py`` (import format), import it with
schule's importer into a fresh embedded store (``--data-dir`` keeps and reuses it), start uvicorn on
loopback in a subprocess with ``bench/graphql/server.py`` (the production ``GraphQLView`` and schema),
time the first transfer request (the full read of the facts) and one after a write (brought up to
date from the change log), warm up, then run every query in rounds: each round runs the baseline
and every scenario with the same number of requests at the same concurrency, so that a change in
the machine's load hits all alike. ``cpu ms`` is the CPU time of the app server plus the FalkorDB
server per request.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
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

from bench.graphql.run import Outcome, cpu_seconds, free_port, load, pct  # noqa: E402
from bench.transfer.corpus import KREISE, REGIONS, write_corpus  # noqa: E402
from schule.domain.records import parse_record  # noqa: E402
from schule.services.importing import import_files  # noqa: E402
from schule.settings import Settings  # noqa: E402
from schule.store import open_store  # noqa: E402

GRAPH = "bench"
ROUNDS = 5
ALL_KREISE = [k for region in KREISE for k in region]

BASELINE = """query($kreis: [String!]) {
  projects(first: 20, filter: {kreise: $kreis}) { totalCount nodes { slug title status } }
}"""
PEERS = """query($id: String!) {
  commune(id: $id) { peers(first: 10) { score reasons commune { slug name population sizeClass } } }
}"""
RECOMMENDATIONS = """query($id: String!) {
  recommendations(commune: $id, first: 10) { score reasons project { slug title status } }
}"""
# "Which Handlungsfelder have nothing in our Kreis?": one Kreis, every Handlungsfeld (24 cells)
COVERAGE_KREIS = """query($kreis: [String!]) {
  coverage(groupBy: KREIS, filter: {kreise: $kreis}) { group handlungsfeld { slug name } projects }
}"""
# the Kreise of a region side by side (5 x 24 cells)
COVERAGE_REGION = """query($region: [String!]) {
  coverage(groupBy: KREIS, filter: {regions: $region}) { group handlungsfeld { slug name } projects }
}"""
# the communes of a Kreis (20 x 24 cells)
COVERAGE_COMMUNES = """query($kreis: [String!]) {
  coverage(groupBy: COMMUNE, filter: {kreise: $kreis}) { group groupName handlungsfeld { slug } projects }
}"""
# a filter each project is checked against (status), over the Kreise of a region (5 x 24 cells)
COVERAGE_FILTERED = """query($region: [String!], $status: [ProjectStatus!]) {
  coverage(groupBy: KREIS, filter: {regions: $region, status: $status}) { group handlungsfeld { slug } projects }
}"""
NETWORK_STATS = """query($id: String!) {
  networkStats(network: $id) {
    members membersByRole { role count } joinsPerYear { year count } projects
    projectsByHandlungsfeld { handlungsfeld { slug } projects } projectsByStatus { status projects }
    projectsByKreis { kreis projects } adoptionsPerYear { year count }
  }
}"""
STATUSES = ["IDEA", "PLANNING", "IMPLEMENTATION", "OPERATION", "COMPLETED", "STOPPED"]


def scenarios(communes: int) -> list[tuple[str, str, Callable[[random.Random], dict[str, Any]]]]:
    def commune(r: random.Random) -> dict[str, Any]:
        return {"id": f"kommune-{r.randrange(communes)}"}

    def kreis(r: random.Random) -> dict[str, Any]:
        return {"kreis": [r.choice(ALL_KREISE)]}

    def region(r: random.Random) -> dict[str, Any]:
        return {"region": [r.choice(REGIONS)]}

    return [
        ("baseline", "baseline: projects(filter: {kreise}) page of 20 + totalCount", kreis),
        ("peers", "Commune.peers(first: 10)", commune),
        ("recommendations", "recommendations(first: 10)", commune),
        ("coverage-kreis", "coverage(groupBy: KREIS, kreise: [1]): 24 cells", kreis),
        ("coverage-region", "coverage(groupBy: KREIS, regions: [1]): 5 x 24 cells", region),
        ("coverage-communes", "coverage(groupBy: COMMUNE, kreise: [1]): 20 x 24 cells", kreis),
        ("coverage-filtered", "coverage(groupBy: KREIS, regions: [1], status: [2])",
         lambda r: {**region(r), "status": r.sample(STATUSES, 2)}),
        ("network-stats", "networkStats", lambda r: {"id": f"netz-{r.randrange(4)}"}),
    ]


QUERIES = {
    "baseline": BASELINE, "peers": PEERS, "recommendations": RECOMMENDATIONS, "coverage-kreis": COVERAGE_KREIS,
    "coverage-region": COVERAGE_REGION, "coverage-communes": COVERAGE_COMMUNES, "coverage-filtered": COVERAGE_FILTERED,
    "network-stats": NETWORK_STATS,
}


async def timed(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> float:
    start = time.perf_counter()
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    if "errors" in response.json():
        raise SystemExit(f"query failed: {response.text[:500]}")
    return elapsed * 1000


async def run_all(base: str, store: Any, communes: int, total: int, concurrency: int, *, timeout: float,
                  warmup: int, only: set[str] | None, pids: list[int]) -> None:
    chosen = [s for s in scenarios(communes) if only is None or s[0] in only or s[0] == "baseline"]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        # the first transfer request reads all published facts; a write later is applied from the log
        first = await timed(client, RECOMMENDATIONS, {"id": "kommune-1"})
        again = await timed(client, RECOMMENDATIONS, {"id": "kommune-1"})
        store.upsert([parse_record({"kind": "project", "id": "bench-neu", "title": "Neu", "summary": "Neu.",
                                    "communes": ["kommune-2"], "handlungsfelder": ["hf-1-1"], "status": "operation"})])
        after_write = await timed(client, RECOMMENDATIONS, {"id": "kommune-1"})
        print(f"first transfer request (full read of the facts): {first:.0f} ms; the same again: {again:.1f} ms; "
              f"after a write (changes applied from the log): {after_write:.1f} ms", flush=True)

        def make(key: str, variables: Callable[[random.Random], dict[str, Any]]) -> Callable[[random.Random], Any]:
            return lambda rng: ("POST", "/graphql", {"query": QUERIES[key], "variables": variables(rng)})

        for key, _, variables in chosen:
            outcome = await load(client, make(key, variables), warmup, concurrency, 1, timeout)
            if outcome.failed:
                print(f"warm-up {key}: {outcome.note()}", flush=True)
        outcomes = {key: Outcome() for key, _, _ in chosen}
        cpu = {key: 0.0 for key, _, _ in chosen}
        rounds = max(1, min(ROUNDS, total // 20))
        for r in range(rounds):
            size = total // rounds + (1 if r < total % rounds else 0)
            for key, _, variables in chosen:
                before = cpu_seconds(pids)
                part = await load(client, make(key, variables), size, concurrency, 42 + r, timeout)
                cpu[key] += cpu_seconds(pids) - before
                whole = outcomes[key]
                whole.latencies += part.latencies
                whole.timeouts += part.timeouts
                whole.errors += part.errors
                whole.wall += part.wall
    base_p95 = pct(outcomes["baseline"].latencies, 95)
    print(f"{'query':58} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'cpu ms':>7} {'p95/baseline':>13}", flush=True)
    for key, name, _ in chosen:
        outcome = outcomes[key]
        rate = (total - outcome.failed) / outcome.wall if outcome.wall else float("nan")
        p95 = pct(outcome.latencies, 95)
        note = f"  ({outcome.note()})" if outcome.failed else ""
        print(f"{name:58} {pct(outcome.latencies, 50):8.1f} {p95:8.1f} {rate:7.0f} {cpu[key] / total * 1000:7.1f}"
              f" {p95 / base_p95:13.2f}{note}", flush=True)


def import_corpus(data_dir: Path, projects: int, communes: int) -> Any:
    marker = data_dir / f"transfer-{projects}-{communes}.imported"
    store = open_store(Settings(data_dir=data_dir, graph=GRAPH))
    if marker.exists():
        print(f"reusing the store imported in {data_dir}", flush=True)
        return store
    corpus = data_dir / "transfer.jsonl"
    counts = write_corpus(corpus, projects=projects, communes=communes)
    start = time.perf_counter()
    result = import_files(store, [corpus])
    print(f"imported {result.records} records ({counts}) in {time.perf_counter() - start:.1f} s", flush=True)
    marker.touch()
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--communes", type=int, default=400)
    parser.add_argument("--requests", type=int, default=200, help="per query (the baseline included)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (a timeout is counted)")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up requests per query")
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the imported store here")
    parser.add_argument("--only", help="comma-separated subset of the scenarios (the baseline always runs)")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    with contextlib.ExitStack() as stack:
        if args.data_dir:
            data_dir = args.data_dir.resolve()
            data_dir.mkdir(parents=True, exist_ok=True)
        else:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="schule-transfer-bench-")))
        store = import_corpus(data_dir, args.projects, args.communes)
        stack.callback(store.close)
        counts = store.counts()
        print(f"store: {counts}", flush=True)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run "
              "(other work on the machine inflates every figure)", flush=True)
        port = free_port()
        env = {**os.environ, "SCHULE_DATA_DIR": str(data_dir), "SCHULE_GRAPH": GRAPH,
               "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "bench.graphql.server:app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log"],
            cwd=REPO, env=env,
        )
        try:
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
            print(f"{args.requests} requests per query in {ROUNDS} rounds, concurrency {args.concurrency}",
                  flush=True)
            asyncio.run(run_all(base, store, counts["commune"], args.requests, args.concurrency,
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
