"""Mixed load against ``schule serve``: many clients, a realistic mix, bounded in time. Prints figures;
asserts nothing.

    .venv/bin/python bench/load/run.py [--clients 32] [--seconds 30] [--projects 10000] [--json]
        [--data-dir DIR] [--warmup 15] [--timeout 10] [--mix search=30,list=30,detail=25,commune=10,mutation=5]

Steps: write the synthetic dataset of ``bench/graphql`` (10,000 projects, ~15,000 lessons, ~400
communes, ~3,300 people) and load it with ``schule import``; make member accounts with ``schule user
add`` (one per commune used for writing); build the search index with ``schule reindex``; start
``schule serve`` on 127.0.0.1 and drive it from N concurrent clients for
S seconds (one kept-alive HTTP/1.1 connection each, ``bench/load/client.py``) with this mix:

    search 30 %       GraphQL ``search`` (one or two words, some with a facet filter)
    list pages 30 %   ``projects(first: 20)`` + totalCount, a random filter combination and sort
    detail 25 %       a project with lessons + authors, contacts, adaptations, communes
    commune 10 %      a commune with people and memberships, its first 20 projects + count
    mutation 5 %      a member creates a project for the member's commune (submitted for review)

Every request goes to 127.0.0.1 only. All clients come from one address, so the server runs with
load-test limits, printed with the figures: ``SCHULE_QUERY_RATE`` (query cost units per client and
second; default 2000) and ``SCHULE_MUTATION_RATE`` (default 1/s) raised so that the limits do not
answer instead of the application. A request that fails (status, GraphQL error, timeout) is counted
and reported by type; the run never aborts. ``cpu ms`` is the CPU of the server and its FalkorDB
per request (the load generator runs on the same cores and is reported apart). ``--data-dir`` keeps
the imported store, accounts and index for the next run.
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

from bench.graphql.run import COMMUNE, DETAIL, KREISE, write_dataset  # noqa: E402
from bench.load.client import Connection, HTTPError  # noqa: E402

SCHULE = str(Path(sys.executable).parent / "schule")
QUERY_RATE = 1_000_000  # cost units per second and client: far above what 32 clients can ask for
MUTATION_RATE = 1_000
MEMBERS = 8
MIX = (("search", 30), ("list", 30), ("detail", 25), ("commune", 10), ("mutation", 5))
mix = dict(MIX)  # --mix may change the weights

SEARCH = """query($q: String!, $filter: SearchFilter) {
  search(query: $q, filter: $filter, first: 10) { total hits { kind id title score } }
}"""
LIST = """query($filter: ProjectFilter, $sort: ProjectSort) {
  projects(first: 20, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { slug title status communes { slug name } handlungsfelder { slug name } } }
  }
}"""
CREATE = """mutation($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename
    ... on ProjectPayload { project { slug state } }
    ... on UserErrors { errors { code field message } }
  }
}"""
WORDS = ["Projekt", "Erkenntnis", "Kommune", "Benchmark", "synthetisches", "gelernt", "Digitallotse",
         "Handlungsfeld", "Unterfeld", "Netzwerk"]
STATUS = ["IDEA", "PLANNING", "IMPLEMENTATION", "OPERATION", "COMPLETED", "STOPPED"]
SORTS = ["TITLE_ASC", "TITLE_DESC", "UPDATED_DESC", "STARTED_DESC", "STARTED_ASC"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def schule(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([SCHULE, *args], env=env, capture_output=True, text=True, input=stdin, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"schule {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def prepare(data_dir: Path, env: dict[str, str], projects: int) -> dict[str, Any]:
    """Dataset, accounts and index in ``data_dir`` (reused when a previous run left them)."""
    marker = data_dir / f"load-{projects}.json"
    if marker.exists():
        print(f"reusing the store, accounts and index in {data_dir}", flush=True)
        return dict(json.loads(marker.read_text()))
    dataset = data_dir / "bench.jsonl"
    write_dataset(dataset, projects, random.Random(7))
    start = time.perf_counter()
    print(schule(env, "import", str(dataset)).strip(), flush=True)
    timings = {"import_s": round(time.perf_counter() - start, 1)}
    communes = max(50, projects // 25)
    members = []
    for i in range(MEMBERS):
        commune = f"kommune-{i * (communes // MEMBERS)}"
        out = json.loads(schule(env, "user", "add", f"last-{i}", "--role", "member", "--commune", commune, "--json"))
        members.append({"token": out["token"], "commune": commune})
    start = time.perf_counter()
    schule(env, "reindex")
    timings["reindex_s"] = round(time.perf_counter() - start, 1)
    state = {"projects": projects, "communes": communes, "members": members, "prepared": timings}
    marker.write_text(json.dumps(state))
    return state


class Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {name: [] for name, _ in MIX}
        self.errors: dict[str, list[str]] = {name: [] for name, _ in MIX}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


Request = tuple[str, dict[str, Any], str | None]  # type, GraphQL body, member token


def request_maker(state: dict[str, Any], seed: int) -> Callable[[random.Random, int], Request]:
    projects, communes, members = state["projects"], state["communes"], state["members"]
    names = [name for name, _ in MIX]
    weights = [mix[name] for name in names]
    counter = iter(range(10**9))

    def list_filter(rng: random.Random) -> dict[str, Any]:
        f: dict[str, Any] = {}
        if rng.random() < 0.5:
            f["kreise"] = [rng.choice(KREISE)]
        if rng.random() < 0.5:
            f["handlungsfelder"] = [rng.choice([f"hf-{rng.randrange(6)}", f"hf-{rng.randrange(6)}-{rng.randrange(3)}"])]
        if rng.random() < 0.2:
            f["status"] = rng.sample(STATUS, 2)
        if rng.random() < 0.1:
            f["network"] = {"network": "netz", "roles": ["PIONEER"]}
        if rng.random() < 0.1:
            f["started"] = {"from": str(rng.randint(2015, 2020)), "to": str(rng.randint(2020, 2024))}
        if rng.random() < 0.05:
            f["regions"] = ["Südwestfalen"]
        return f

    def make(rng: random.Random, client: int) -> Request:
        kind = rng.choices(names, weights)[0]
        if kind == "search":
            q = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2])))
            if rng.random() < 0.3:
                q += f" {rng.randrange(projects)}"
            variables: dict[str, Any] = {"q": q}
            if rng.random() < 0.2:
                variables["filter"] = {"kinds": ["PROJECT"]}
            return kind, {"query": SEARCH, "variables": variables}, None
        if kind == "list":
            return kind, {"query": LIST, "variables": {"filter": list_filter(rng), "sort": rng.choice(SORTS)}}, None
        if kind == "detail":
            return kind, {"query": DETAIL, "variables": {"id": f"projekt-{rng.randrange(projects)}"}}, None
        if kind == "commune":
            return kind, {"query": COMMUNE, "variables": {"id": f"kommune-{rng.randrange(communes)}"}}, None
        member = members[client % len(members)]
        n = next(counter)
        # no "id": members do not choose ids (the server makes one from the title)
        project = {"title": f"Lasttest {os.getpid()}-{seed}-{client}.{n}",
                   "summary": "Ein Projekt aus dem Lasttest.", "communes": [member["commune"]],
                   "handlungsfelder": [f"hf-{rng.randrange(6)}-{rng.randrange(3)}"], "status": "IDEA"}
        return kind, {"query": CREATE, "variables": {"input": project}}, member["token"]

    return make


async def drive(host: str, port: int, state: dict[str, Any], clients: int, seconds: float, timeout: float,
                seed: int) -> tuple[Stats, float]:
    stats = Stats()
    make = request_maker(state, seed)
    deadline = time.monotonic() + seconds

    async def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        http = Connection(host, port, timeout)
        try:
            while time.monotonic() < deadline:
                kind, body, token = make(rng, i)
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                start = time.perf_counter()
                try:
                    status, answer = await http.post_json("/graphql", body, headers)
                    elapsed = time.perf_counter() - start
                    payload = json.loads(answer)
                    if status != 200 or payload.get("errors"):
                        stats.errors[kind].append(f"{status}: {answer[:300].decode(errors='replace')}")
                    elif kind == "mutation" and payload["data"]["createProject"]["__typename"] != "ProjectPayload":
                        stats.errors[kind].append(answer[:300].decode(errors="replace"))
                    else:
                        stats.latencies[kind].append(elapsed)
                except TimeoutError:
                    stats.errors[kind].append(f"timeout after {timeout:g} s")
                except (HTTPError, ValueError) as e:
                    stats.errors[kind].append(f"{type(e).__name__}: {e}")
        finally:
            await http.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return stats, time.perf_counter() - start


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def with_children(pid: int) -> list[int]:
    """``pid`` and its child processes (the workers of ``schule serve --workers N``)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
    return [pid, *children]


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def by_type(latencies: list[float], errors: list[str]) -> dict[str, Any]:
    return {"requests": len(latencies) + len(errors), "errors": len(errors),
            "p50_ms": round(pct(latencies, 50), 1), "p95_ms": round(pct(latencies, 95), 1),
            "p99_ms": round(pct(latencies, 99), 1), **({"first_error": errors[0][:300]} if errors else {})}


def counters(base: str) -> dict[str, float]:
    """The server's own counts of how searches and project lists were answered (``/metrics``, open to
    loopback): since its start, warm-up included; with several workers, of the one that answers."""
    wanted = ("schule_searches_total", "schule_project_lists_total")
    try:
        text = httpx.get(f"{base}/metrics", timeout=10).text
    except httpx.HTTPError:
        return {}
    return {name: float(value) for name, value in
            (line.rsplit(" ", 1) for line in text.splitlines() if line.startswith(wanted))}


def report(stats: Stats, wall: float, clients: int, workers: int, cpu_server: float, cpu_self: float,
           load: tuple[float, float], memory: dict[str, float], prepared: dict[str, Any], as_json: bool,
           server_counts: dict[str, float]) -> None:
    everything = [x for v in stats.latencies.values() for x in v]
    ok = len(everything)
    failed = sum(len(v) for v in stats.errors.values())
    requests = ok + failed
    summary: dict[str, Any] = {
        "clients": clients, "workers": workers, "seconds": round(wall, 1), "requests": requests, "errors": failed,
        "rps": round(requests / wall, 1) if wall else None,
        "p50_ms": round(pct(everything, 50), 1), "p95_ms": round(pct(everything, 95), 1),
        "p99_ms": round(pct(everything, 99), 1),
        "server_cpu_ms_per_request": round(cpu_server / requests * 1000, 2) if requests else None,
        "load_generator_cpu_s": round(cpu_self, 1),
        "load_average": {"before": load[0], "after": load[1]},
        "server_limits": {"SCHULE_QUERY_RATE": QUERY_RATE, "SCHULE_MUTATION_RATE": MUTATION_RATE},
        "mix": mix,
        "memory_mb": memory, "prepared": prepared, "server_counts": server_counts,
        "by_type": {
            kind: by_type(stats.latencies[kind], stats.errors[kind]) for kind, _ in MIX
        },
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    print(f"server limits for the load test: SCHULE_QUERY_RATE={QUERY_RATE} SCHULE_MUTATION_RATE={MUTATION_RATE} "
          "(all clients share 127.0.0.1; the defaults would refuse most of this load)")
    print(f"{'type':10} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, row in summary["by_type"].items():
        print(f"{kind:10} {row['requests']:9d} {row['errors']:7d} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
              f"{row['p99_ms']:8.1f}")
    print(f"{'all':10} {requests:9d} {failed:7d} {summary['p50_ms']:8.1f} {summary['p95_ms']:8.1f} "
          f"{summary['p99_ms']:8.1f}")
    print(f"{clients} clients, {workers} server process(es), {wall:.1f} s: {summary['rps']} requests/s; "
          "server + FalkorDB CPU "
          f"{summary['server_cpu_ms_per_request']} ms per request; load generator CPU {cpu_self:.1f} s; "
          f"load average {load[0]:.1f} before, {load[1]:.1f} after; memory (RSS MB) {memory}")
    if server_counts:
        print("server counts since its start (warm-up included; one process):",
              ", ".join(f"{name} {value:.0f}" for name, value in server_counts.items()))
    for kind, errors in stats.errors.items():
        if errors:
            print(f"first {kind} error: {errors[0][:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--warmup", type=float, default=15.0,
                        help="seconds of the same load before measuring (the server repairs its index after start)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (a timeout is an error)")
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the store, accounts and index here")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    parser.add_argument("--workers", type=int, default=1, help="schule serve --workers N")
    parser.add_argument("--mix", help="other weights, e.g. search=0,mutation=0 (to see what a part costs)")
    args = parser.parse_args()
    for part in (args.mix or "").split(","):
        if part:
            name, _, weight = part.partition("=")
            if name not in mix:
                raise SystemExit(f"--mix: unknown type {name!r}; known: {', '.join(mix)}")
            mix[name] = float(weight)
    out = sys.stderr if args.json else sys.stdout
    with contextlib.ExitStack() as stack:
        if args.data_dir:
            data_dir = args.data_dir.resolve()
            data_dir.mkdir(parents=True, exist_ok=True)
        else:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="schule-load-")))
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHULE_", "NEO4J_"))}
        env = {**base_env, "SCHULE_DATA_DIR": str(data_dir), "SCHULE_QUERY_RATE": str(QUERY_RATE),
               "SCHULE_MUTATION_RATE": str(MUTATION_RATE)}
        with contextlib.redirect_stdout(out):
            state = prepare(data_dir, env, args.projects)
        port = free_port()
        server_log = stack.enter_context((data_dir / "serve.log").open("w"))  # never a pipe nobody reads
        server = subprocess.Popen([SCHULE, "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--workers", str(args.workers)], env=env,
                                  stdout=server_log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    reason = (data_dir / "serve.log").read_text()[-1000:]
                    raise SystemExit(f"schule serve did not start: {reason}")
                time.sleep(0.3)
            servers = with_children(server.pid)
            pids = list(servers)
            with contextlib.suppress(OSError, ValueError):
                pids.append(int((data_dir / "falkordb" / "falkordb.pid").read_text().strip()))
            if args.warmup > 0:
                asyncio.run(drive("127.0.0.1", port, state, args.clients, args.warmup, args.timeout, seed=1))
            load_before = os.getloadavg()[0]
            cpu_before, self_before = cpu_seconds(pids), time.process_time()
            stats, wall = asyncio.run(drive("127.0.0.1", port, state, args.clients, args.seconds, args.timeout, seed=2))
            cpu_server, cpu_self = cpu_seconds(pids) - cpu_before, time.process_time() - self_before
            memory = {"server": round(sum(rss_mb(p) for p in servers), 1),
                      "falkordb": round(rss_mb(pids[-1]), 1) if len(pids) > len(servers) else float("nan")}
            report(stats, wall, args.clients, args.workers, cpu_server, cpu_self, (round(load_before, 1),
                   round(os.getloadavg()[0], 1)), memory, state.get("prepared", {}), args.json, counters(base))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()
