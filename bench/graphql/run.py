"""GraphQL benchmark at 10,000 projects: latency and throughput of representative queries, against
a hand-written Starlette endpoint doing the same store work. Prints figures; asserts nothing.

    .venv/bin/python bench/graphql/run.py [--projects 10000] [--requests 300] [--concurrency 4]

Steps: write a synthetic dataset in the import format (JSONL), import it with schule's importer
into a fresh embedded store in a temporary data dir, start uvicorn on loopback in a subprocess,
warm up, then run each query with a bounded load loop (httpx, fixed number of requests, fixed
concurrency) against /graphql and against /plain/*.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
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
COMMUNE = """query($id: String!) {
  commune(id: $id) { name kreis projects { slug title } people { name } memberships { role network { name } } }
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


async def load(client: httpx.AsyncClient, make: Callable[[random.Random], tuple[str, str, Any]], total: int,
               concurrency: int, seed: int) -> tuple[list[float], float]:
    rng = random.Random(seed)
    requests = [make(rng) for _ in range(total)]
    latencies: list[float] = []
    queue = list(reversed(requests))

    async def worker() -> None:
        while queue:
            method, url, body = queue.pop()
            start = time.perf_counter()
            r = await (client.post(url, json=body) if method == "POST" else client.get(url))
            latencies.append(time.perf_counter() - start)
            r.raise_for_status()
            if method == "POST":
                assert "errors" not in r.json(), r.text[:500]

    wall = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - wall


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


async def run_all(base: str, projects: int, communes: int, total: int, concurrency: int) -> None:
    def gql(query: str, variables: Callable[[random.Random], dict[str, Any]]) -> Callable[[random.Random], Any]:
        return lambda rng: ("POST", "/graphql", {"query": query, "variables": variables(rng)})

    def plain(url: Callable[[random.Random], str]) -> Callable[[random.Random], Any]:
        return lambda rng: ("GET", url(rng), None)

    def kreis_hf(rng: random.Random) -> tuple[str, str]:
        return rng.choice(KREISE), f"hf-{rng.randrange(6)}"

    scenarios = [
        ("list page (Kreis + Handlungsfeld, communes, fields)",
         gql(LIST, lambda r: dict(zip(("kreis", "hf"), ([x] for x in kreis_hf(r)), strict=True))),
         plain(lambda r: "/plain/projects?kreis={}&hf={}".format(*kreis_hf(r)))),
        ("project detail (lessons+authors, contacts, adaptations)",
         gql(DETAIL, lambda r: {"id": f"projekt-{r.randrange(projects)}"}),
         plain(lambda r: f"/plain/project/projekt-{r.randrange(projects)}")),
        ("commune page (projects, people, memberships)",
         gql(COMMUNE, lambda r: {"id": f"kommune-{r.randrange(communes)}"}),
         plain(lambda r: f"/plain/commune/kommune-{r.randrange(communes)}")),
    ]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _, g, p in scenarios:  # warm-up: imports, caches, connection pools
            await load(client, g, 30, concurrency, 1)
            await load(client, p, 30, concurrency, 1)
        print(f"{'query':58} {'impl':8} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}")
        for name, g, p in scenarios:
            results = {}
            for impl, make in (("graphql", g), ("plain", p)):
                latencies, wall = await load(client, make, total, concurrency, 42)
                results[impl] = statistics.median(latencies)
                print(f"{name:58} {impl:8} {pct(latencies, 50):8.2f} {pct(latencies, 95):8.2f} {total / wall:8.0f}")
            print(f"{'':58} {'ratio':8} {results['graphql'] / results['plain']:8.2f}  (GraphQL p50 / plain p50)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="schule-bench-") as tmp:
        data_dir = Path(tmp)
        dataset = data_dir / "bench.jsonl"
        write_dataset(dataset, args.projects, rng)
        settings = Settings(data_dir=data_dir, graph=GRAPH)
        store = open_store(settings)
        start = time.perf_counter()
        result = import_files(store, [dataset])
        print(f"imported {result.records} records ({result.by_kind}) in {time.perf_counter() - start:.1f} s")
        counts = store.counts()
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
            asyncio.run(run_all(base, args.projects, counts["commune"], args.requests, args.concurrency))
        finally:
            server.terminate()
            server.wait(timeout=30)
            store.close()


if __name__ == "__main__":
    main()
