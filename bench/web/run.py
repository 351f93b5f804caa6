"""Server time per web page on the seed data: ``python bench/web/run.py [--rounds N]``.

Starts the app as ``schule serve`` does (embedded store seeded from ``seed/`` in a temporary data
dir, uvicorn on 127.0.0.1), waits until the search index is built, then requests every main page
``--rounds`` times and prints the server time each page reports in its ``Server-Timing`` header
(handler start to response built: the GraphQL operations and the rendering) and the round trip
seen by the client. The target is under 300 ms per page. Figures, not assertions.

``--projects N`` adds N synthetic published projects to the seed before measuring (imported with
``schule import`` into the running server's data dir, as an operator would): located in the seed's
communes (mostly the Smart Cities: Schule members, so ``/statistik`` counts them), in the seed's
Handlungsfelder, with statuses, start years and some adoptions (``adapted_from``).
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
]
STATUSES = ("idea", "planning", "implementation", "operation", "completed", "stopped")
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


def _ids(name: str) -> list[str]:
    lines = (REPO / "seed" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["id"] for line in lines if line.strip()]


def write_projects(path: Path, n: int, rng: random.Random) -> None:
    """``n`` synthetic projects in the seed's communes and Handlungsfelder (import format)."""
    members = ["arnsberg", "bad-berleburg", "menden", "olpe", "soest", "plettenberg", "iserlohn"]
    communes, fields = _ids("communes.jsonl"), _ids("handlungsfelder.jsonl")
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            home = rng.choice(members) if rng.random() < 0.7 else rng.choice(communes)
            record: dict[str, object] = {
                "kind": "project", "id": f"bench-projekt-{i}", "title": f"Synthetisches Projekt {i}",
                "summary": "Ein erfundenes Projekt für die Messung.", "communes": [home],
                "handlungsfelder": rng.sample(fields, rng.randint(1, 2)), "status": rng.choice(STATUSES),
                "started": str(rng.randint(2018, 2025)),
            }
            if i and rng.random() < 0.1:
                record["adapted_from"] = [f"bench-projekt-{rng.randrange(i)}"]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def import_projects(data_dir: Path, n: int) -> None:
    path = data_dir / "bench-projects.jsonl"
    write_projects(path, n, random.Random(7))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "schule.cli", "import", str(path)], check=True, cwd=REPO,
                   env={**os.environ, "SCHULE_DATA_DIR": str(data_dir)}, stdout=subprocess.DEVNULL)
    print(f"imported {n} synthetic projects in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--projects", type=int, default=0, help="synthetic projects added to the seed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, thread, base = serve(Path(tmp))
        with httpx.Client(base_url=base, timeout=60) as client:
            while "Offene Regionale" not in client.get("/?q=Datenplattform").text:  # index built
                time.sleep(0.2)
            if args.projects:
                import_projects(Path(tmp), args.projects)
                while (search := client.get("/healthz").json().get("search", {})).get("pending") or (
                        search.get("state") != "caught_up"):  # the index has them too
                    time.sleep(0.5)
            print(f"{'page':62} {'server median':>14} {'p95':>8} {'max':>8} {'round trip':>11}")
            worst = 0.0
            for path in PAGES:
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
