"""Hardening benchmark: does one expensive client stall everybody? Prints figures; asserts nothing.

    .venv/bin/python bench/hardening/run.py [--seconds 10] [--clients 4]

Starts ``schule serve`` (the real command) on a fresh data dir, which seeds the embedded store from
``seed/``, with ``SCHULE_TRUSTED_PROXIES=127.0.0.1`` so that each simulated client can have an
address of its own (``X-Forwarded-For``), as clients behind a proxy would. Then, for ``--seconds``
each, one sampler asks ``/healthz`` and a project-detail query in turn and records their latencies:

1. baseline: nothing else runs;
2. abuse: ``--clients`` clients fire the 2.8 KB query of 29 aliases of a nested list, back to back
   (the query that froze the server for ~10 s before the cost budget);
3. heavy: the same clients fire the heaviest query the budget allows (a nested list of projects,
   their communes and those communes' projects), each from its own address, so that each runs
   into its own query rate limit.

Figures: p50/p95 of both latencies per phase (baseline in the same run), what the clients got
(status counts), and how the budget refuses the abuse (its estimated cost against the budget).
The clients run in a process of their own, the sampler in this one: on a small machine the
latencies include waiting for the CPU that the clients (and the server working for them) use.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
SCHULE = str(Path(sys.executable).with_name("schule"))

NESTED_ALIAS = "projects(first: 100) { nodes { communes { projects { communes { projects { slug } } } } } }"
ALIAS_ABUSE = "{ " + " ".join(f"a{i}: {NESTED_ALIAS}" for i in range(29)) + " }"
# 10 + 70 x (1 + 5 + 5 x (5 + 20 x 1)) = 9,180: just under the budget of 10,000
HEAVY = "{ projects(first: 70) { nodes { slug communes { projects { slug } } } } }"
DETAIL = """query($id: String!) { project(id: $id) {
  slug title summary status communes { slug name } handlungsfelder { slug name }
  lessons { slug title type } contacts { slug name role } adaptations { slug title } } }"""
DETAIL_ID = "offene-regionale-datenplattform"
ACCEPT = {"accept": "application/graphql-response+json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def sample(client: httpx.AsyncClient, seconds: float) -> dict[str, list[float]]:
    """/healthz and the detail query in turn, one at a time, for ``seconds``. Each detail query comes
    from another address: the sampler stands for the other users, each within their rate limit."""
    out: dict[str, list[float]] = {"healthz": [], "detail": []}
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        started = time.perf_counter()
        health = await client.get("/healthz")
        out["healthz"].append(time.perf_counter() - started)
        assert health.status_code == 200, health.text
        started = time.perf_counter()
        detail = await client.post("/graphql", json={"query": DETAIL, "variables": {"id": DETAIL_ID}},
                                   headers={**ACCEPT, "X-Forwarded-For": f"10.{n // 250 % 250}.{n % 250}.1"})
        out["detail"].append(time.perf_counter() - started)
        assert detail.status_code == 200 and "errors" not in detail.json(), detail.text
    return out


async def fire(client: httpx.AsyncClient, query: str, address: str, stop: asyncio.Event,
               got: collections.Counter[str], sample_body: list[Any]) -> None:
    while not stop.is_set():
        try:
            response = await client.post("/graphql", json={"query": query},
                                         headers={**ACCEPT, "X-Forwarded-For": address})
        except httpx.HTTPError as e:
            got[type(e).__name__] += 1
            continue
        code = (response.json().get("errors") or [{}])[0].get("extensions", {}).get("code", "")
        got[f"{response.status_code} {code}".strip()] += 1
        if not sample_body:
            sample_body.append(response.json())
        if response.status_code == 429:
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))


async def fire_all(base: str, query: str, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` clients, each sending ``query`` and waiting for the answer, for ``seconds``."""
    got: collections.Counter[str] = collections.Counter()
    bodies: list[Any] = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=clients)) as client:
        firing = [asyncio.create_task(fire(client, query, f"203.0.113.{i + 1}", stop, got, bodies))
                  for i in range(clients)]
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*firing)
    return {"got": dict(got), "body": bodies[0] if bodies else None}


async def phase(base: str, seconds: float, clients: int, query: str | None) -> tuple[dict[str, list[float]],
                                                                                      collections.Counter[str], Any]:
    """Sample latencies for ``seconds`` while, in another process (so that the two do not share one
    event loop), ``clients`` clients fire ``query``."""
    firing = None
    if query:
        firing = subprocess.Popen(
            [sys.executable, __file__, "--fire", base, query, str(clients), str(seconds + 1.0)],
            stdout=subprocess.PIPE)
        await asyncio.sleep(0.5)  # let the load start
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        latencies = await sample(client, seconds)
    if firing is None:
        return latencies, collections.Counter(), None
    out, _ = firing.communicate(timeout=120)
    fired = json.loads(out)
    return latencies, collections.Counter(fired["got"]), fired["body"]


def start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
    env.update(SCHULE_DATA_DIR=str(data_dir), SCHULE_SEED_DIR=str(REPO / "seed"), SCHULE_TRUSTED_PROXIES="127.0.0.1")
    log = open(data_dir / "serve.log", "wb")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen([SCHULE, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.terminate()
    sys.exit(f"schule serve did not start: {(data_dir / 'serve.log').read_text()}")


def report(name: str, latencies: dict[str, list[float]], got: collections.Counter[str]) -> None:
    figures = "  ".join(
        f"{what} p50 {pct(values, 50) * 1000:7.1f} ms  p95 {pct(values, 95) * 1000:7.1f} ms (n={len(values)})"
        for what, values in latencies.items())
    print(f"{name:<9} {figures}")
    if got:
        print(f"{'':<9} clients got: " + ", ".join(f"{k}: {v}" for k, v in sorted(got.items())))


def main() -> None:
    if sys.argv[1:2] == ["--fire"]:  # the firing clients' process (see phase)
        base, query, clients, seconds = sys.argv[2:6]
        print(json.dumps(asyncio.run(fire_all(base, query, int(clients), float(seconds)))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=4, help="expensive clients at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="schule-hardening-") as tmp:
        proc, base = start_server(Path(tmp))
        try:
            # warm-up: first requests pay for imports and caches
            asyncio.run(phase(base, 2.0, 0, None))
            baseline, _, _ = asyncio.run(phase(base, args.seconds, 0, None))
            abuse, abuse_got, refusal = asyncio.run(phase(base, args.seconds, args.clients, ALIAS_ABUSE))
            heavy, heavy_got, _ = asyncio.run(phase(base, args.seconds, args.clients, HEAVY))
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    print(f"schule serve on the seeded embedded store; {args.clients} clients; {args.seconds:g} s per phase")
    report("baseline", baseline, collections.Counter())
    report("abuse", abuse, abuse_got)
    report("heavy", heavy, heavy_got)
    if refusal and refusal.get("errors"):
        extensions = refusal["errors"][0]["extensions"]
        print(f"budget: the {len(ALIAS_ABUSE)}-byte alias query is refused with {extensions.get('code')}: "
              f"estimated cost {extensions.get('cost'):,} against a budget of {extensions.get('budget'):,}")
        print(f"        message: {refusal['errors'][0]['message']}")
    else:
        print(f"budget: the alias query was not refused: {refusal}")


if __name__ == "__main__":
    main()
