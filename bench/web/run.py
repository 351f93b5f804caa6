"""Server time per web page on the seed data: ``python bench/web/run.py [--rounds N] [--projects N]``.

Starts the app as ``schule serve`` does (embedded store seeded from ``seed/`` in a temporary data
dir, uvicorn on 127.0.0.1), waits until the search index is built, then requests every main page
``--rounds`` times and prints the server time each page reports in its ``Server-Timing`` header
(handler start to response built: the GraphQL operations and the rendering) and the round trip
seen by the client. The target is under 300 ms per page. Figures, not assertions.

``--projects N`` adds N synthetic projects (with lessons, contacts and adoptions; the dataset of
``bench/graphql/run.py``) after the seed, imported by a second process with ``schule import`` as an
administrator would, and waits until the search index holds them: the list pages (``/projekte``,
its facets, sorts and feeds) then show what they cost at that size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from schule.app import create_app  # noqa: E402
from schule.settings import Settings  # noqa: E402

PAGES = [
    "/",
    "/?q=Datenplattform",
    "/?q=Stadtlabor&art=project",
    "/?q=Mitmacherkommune&seite=2",
    "/?q=Olep",
    "/projekte/offene-regionale-datenplattform",
    "/erkenntnisse/anschluss-kostenlos-per-loi-oder-ratsbeschluss",
    "/kommunen/olpe",
    "/kommunen/arnsberg",
    "/personen/matthias-barutowicz",
    "/handlungsfelder/umwelt",
    "/netzwerke/rahmenstrategie-suedwestfalen",
    "/netzwerke/smart-cities-schule",
    "/statistik",
    "/statistik?netzwerk=rahmenstrategie-suedwestfalen",
    "/kommunen/plettenberg",
    "/anmelden",
    # browsing (schule/web/list_pages.py, feeds.py): valid on the seed and on the synthetic dataset
    "/projekte",
    "/projekte?sortierung=titel&seite=2",
    "/projekte?sortierung=uebernahmen",
    "/projekte?kreis=Kreis+Olpe",
    "/projekte?kreis=Kreis+Olpe&status=operation&sortierung=titel",
    "/erkenntnisse",
    "/projekte.atom",
    "/projekte.atom?kreis=Kreis+Olpe",
    "/suche.atom?q=Projekt",
]


def synthetic_pages(projects: int) -> list[str]:
    """Only with --projects (the seed has fewer than 20 projects, one page); the deep pages exist at
    that size (page 200 of the projects and page 5 of the pitfalls at 10,000 projects)."""
    return [
        f"/projekte?seite={max(2, min(200, projects // 50))}",
        "/projekte?hf=hf-1&kreis=Kreis+Soest",
        "/projekte?netzwerk=netz&rolle=mitmacher",
        f"/erkenntnisse?art=pitfall&seite={max(2, min(5, projects // 2000))}",
        "/statistik?netzwerk=netz",
    ]


OPERATIONS = {
    "networkStats (smart-cities-schule)": '{ networkStats(network: "smart-cities-schule") { members projects '
    "joinsPerYearByBasis { year basis count } projectsByHandlungsfeld { handlungsfeld { slug } projects } "
    "projectsByKreis { kreis projects } adoptionsPerYear { year count } } }",
    "coverage by Kreis (smart-cities-schule, gaps)": "{ coverage(groupBy: KREIS, onlyGaps: true, filter: "
    '{network: {network: "smart-cities-schule"}}) { group handlungsfeld { slug } projects } }',
}
TIMING = re.compile(r"app;dur=([0-9.]+)")


def serve(data_dir: Path) -> tuple[uvicorn.Server, threading.Thread, str]:
    # one client asks for every page many times in a row: the per-address query budget would refuse it
    settings = Settings(data_dir=data_dir, seed_dir=REPO / "seed", query_rate=1_000_000.0)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings), lifespan="on", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


SEARCH_TOTAL = '{"query": "{ search(query: \\"\\", filter: {kinds: [PROJECT]}, first: 1) { total } }"}'


def add_projects(data_dir: Path, base: str, client: httpx.Client, projects: int) -> None:
    """Import ``projects`` synthetic projects (and adoptions of some) next to the seed; wait for the index."""
    from bench.graphql.run import write_dataset

    path = data_dir / "bench-web.jsonl"
    write_dataset(path, projects, random.Random(7))
    rng = random.Random(11)
    communes = max(50, projects // 25)
    with path.open("a", encoding="utf-8") as f:
        for n in rng.sample(range(projects), k=projects // 10):
            for k in range(rng.randint(1, 3)):
                f.write(json.dumps({"kind": "adaptation", "id": f"uebernahme-{n}-{k}", "adopts": f"projekt-{n}",
                                    "commune": f"kommune-{rng.randrange(communes)}",
                                    "status": rng.choice(["planned", "in_progress", "done", "abandoned"])}) + "\n")
    started = time.perf_counter()
    env = {**os.environ, "SCHULE_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "schule.cli", "import", str(path)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr.strip()}")
    print(f"{done.stdout.strip()} in {time.perf_counter() - started:.1f} s", flush=True)
    while True:
        total = client.post("/graphql", content=SEARCH_TOTAL, headers={"content-type": "application/json"}
                            ).json()["data"]["search"]["total"]
        if total >= projects:
            break
        time.sleep(1)
    print(f"search index holds {total} projects after {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--projects", type=int, default=0, help="synthetic projects to add to the seed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, thread, base = serve(Path(tmp))
        with httpx.Client(base_url=base, timeout=60) as client:
            while "Offene Regionale" not in client.get("/?q=Datenplattform").text:  # index built
                time.sleep(0.2)
            if args.projects:
                add_projects(Path(tmp), base, client, args.projects)
            print(f"{'page':62} {'server median':>14} {'p95':>8} {'max':>8} {'round trip':>11}")
            worst = 0.0
            for path in PAGES + (synthetic_pages(args.projects) if args.projects else []):
                server_ms, total_ms = [], []
                client.get(path)  # warm-up: first-use costs (template compilation) are not per page
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    response = client.get(path)
                    total_ms.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                    match = TIMING.search(response.headers.get("server-timing", ""))
                    server_ms.append(float(match.group(1)) if match else float("nan"))
                server_ms.sort()
                p95 = server_ms[max(0, int(len(server_ms) * 0.95) - 1)]
                worst = max(worst, server_ms[-1])
                print(f"{path:62} {statistics.median(server_ms):11.1f} ms {p95:5.1f} ms {server_ms[-1]:5.1f} ms"
                      f" {statistics.median(total_ms):8.1f} ms")
            print(f"\nslowest single page: {worst:.1f} ms (target: under 300 ms)")
            print("\nthe statistics page's two GraphQL fields alone (round trip, median):")
            for name, query in OPERATIONS.items():
                total_ms = []
                for _ in range(args.rounds + 1):
                    started = time.perf_counter()
                    assert "errors" not in client.post("/graphql", json={"query": query}).json()
                    total_ms.append((time.perf_counter() - started) * 1000)
                print(f"{name:62} {statistics.median(total_ms[1:]):11.1f} ms")
        server.should_exit = True
        thread.join(timeout=120)  # the lifespan closes the store and the index before the directory goes


if __name__ == "__main__":
    main()
