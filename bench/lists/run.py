"""List pages in the store: every filter of the projects list (alone, in pairs with a Kreis, all at once)
and every sort, a page of 20 with its total, as the GraphQL connection asks for it. Prints figures;
asserts nothing.

    .venv/bin/python bench/lists/run.py [--projects 10000] [--repeat 20] [--data-dir DIR] [--concurrency 1]

Each combination runs ``--repeat`` times with varying values (another Kreis, Handlungsfeld, status …),
and two ways in alternation on the same store, so that background load hits both alike:

* ``graph``: ``store.list_page_counted``, the page and its total from one graph query (what the
  connection did before the facts answered lists);
* ``facts``: ``ProjectLists.list_page_counted`` (``schule/services/project_lists.py``), the page and
  its total from the published facts in memory, the page's projects read by id (what it does now).

Then the price of the facts: their first read (a server does it in the background after its start)
and, after one published project changed, building them again (in the background too; lists ask the
graph until it is done). The sort orders are derived on first use; the bench asks for each once
before measuring, as on a server where every sort is used (it derives the orders asked for so far
with each new snapshot, so the figure after a change includes them).

Latencies are of the store call as the app makes it (client in this process, FalkorDB over its unix
socket), p50 and p95 in ms. With ``--concurrency N``, N threads run the same schedule at once (the
server's worker threads under load). The dataset is ``bench/graphql``'s (``--data-dir`` reuses an
import, e.g. the one ``bench/graphql/run.py --data-dir`` made).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.graphql.run import KREISE, STATUS, import_dataset  # noqa: E402
from schule.domain.model import Kind  # noqa: E402
from schule.domain.records import parse_record  # noqa: E402
from schule.services import project_lists  # noqa: E402
from schule.services.project_lists import ProjectLists  # noqa: E402
from schule.store import cypher  # noqa: E402

Filters = Callable[[random.Random], dict[str, Any]]


def hf(rng: random.Random) -> list[str]:
    return [rng.choice([f"hf-{rng.randrange(6)}", f"hf-{rng.randrange(6)}-{rng.randrange(3)}"])]


def kreis(rng: random.Random) -> list[str]:
    return [rng.choice(KREISE)]


SINGLE: dict[str, Filters] = {
    "none": lambda r: {},
    "commune": lambda r: {"communes": [f"kommune-{r.randrange(400)}"]},
    "kreis": lambda r: {"kreise": kreis(r)},
    "region (all match)": lambda r: {"regions": ["Südwestfalen"]},
    "handlungsfeld+sub": lambda r: {"handlungsfelder": hf(r)},
    "network role": lambda r: {"network": "netz", "network_roles": [r.choice(["pioneer", "mitmacher", "member"])]},
    "status": lambda r: {"status": r.sample(STATUS, 2)},
    "tags": lambda r: {"tags": [f"tag-{r.randrange(50)}"]},
    "started range": lambda r: {"started_from": str(r.randint(2015, 2019)), "started_to": str(r.randint(2020, 2024))},
    "ended range": lambda r: {"ended_from": "2020", "ended_to": "2030"},
}
def with_kreis(f: Filters) -> Filters:
    return lambda r: {"kreise": kreis(r), **f(r)}


PAIRS: dict[str, Filters] = {
    f"kreis + {name}": with_kreis(f) for name, f in SINGLE.items() if name not in ("none", "kreis")
}
ALL: dict[str, Filters] = {
    "everything at once": lambda r: {k: v for f in SINGLE.values() for k, v in f(r).items()},
}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000 if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--sorts", action="store_true", help="every sort key for every combination (slower)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.data_dir:
            data_dir = args.data_dir.resolve()
            data_dir.mkdir(parents=True, exist_ok=True)
        else:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="schule-lists-")))
        store = import_dataset(data_dir, args.projects)
        stack.callback(store.close)
        print(f"{args.projects} projects; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
              f"{args.repeat} runs per line, concurrency {args.concurrency}", flush=True)

        lists = ProjectLists(store)
        start = time.perf_counter()
        project_lists.warm(store)  # what schule serve does in the background after its start
        first_use = time.perf_counter() - start

        def graph(f: dict[str, Any], sort: str) -> int:
            _, total = store.list_page_counted(Kind.PROJECT, f, sort, 0, 21)
            return total if total is not None else store.count_matching(Kind.PROJECT, f)

        def facts(f: dict[str, Any], sort: str) -> int:
            _, total = lists.list_page_counted(Kind.PROJECT, f, sort, 0, 21)
            return total if total is not None else lists.count_matching(Kind.PROJECT, f)

        sorts = list(cypher.LIST_SORTS[Kind.PROJECT]) if args.sorts else ["title_asc"]
        for sort in sorts:  # each order once, as on a server where every sort is used
            lists.list_page_counted(Kind.PROJECT, {"kreise": [KREISE[0]]}, sort, 0, 1)
        print(f"{'filters':34} {'sort':13} {'graph p50':>12} {'p95':>7} {'facts p50':>12} {'p95':>7} "
              f"{'total':>7}", flush=True)
        worst = {"graph": 0.0, "facts": 0.0}
        for name, make in {**SINGLE, **PAIRS, **ALL}.items():
            for sort in sorts if name in ("none", "kreis + handlungsfeld+sub", "region (all match)") else ["title_asc"]:
                times: dict[str, list[float]] = {"graph": [], "facts": []}
                totals: set[int] = set()
                lock = threading.Lock()

                def work(seed: int, make: Filters = make, sort: str = sort,
                         times: dict[str, list[float]] = times, totals: set[int] = totals,
                         lock: threading.Lock = lock) -> None:
                    rng = random.Random(seed)
                    for _ in range(args.repeat):
                        f = make(rng)
                        answers = set()
                        for way, fn in (("graph", graph), ("facts", facts)):
                            start = time.perf_counter()
                            total = fn(f, sort)
                            answers.add(total)
                            with lock:
                                times[way].append(time.perf_counter() - start)
                                totals.add(total)
                        if len(answers) > 1:
                            print(f"  the totals differ for {f}: {sorted(answers)}", flush=True)

                threads = [threading.Thread(target=work, args=(i,)) for i in range(args.concurrency)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                for way in worst:
                    worst[way] = max(worst[way], pct(times[way], 95))
                print(f"{name:34} {sort:13} {pct(times['graph'], 50):12.1f} {pct(times['graph'], 95):7.1f} "
                      f"{pct(times['facts'], 50):12.1f} {pct(times['facts'], 95):7.1f} {max(totals):7d}",
                      flush=True)
        print(f"worst p95: graph {worst['graph']:.1f} ms, facts {worst['facts']:.1f} ms; "
              f"load average {os.getloadavg()[0]:.1f} after", flush=True)
        changed = store.get(["projekt-1"])["projekt-1"]
        store.upsert([parse_record({"kind": "project", "id": changed.id, "title": changed.title + " (geändert)",  # type: ignore[attr-defined]
                                    "summary": "Geändert.", "communes": list(changed.communes),  # type: ignore[attr-defined]
                                    "handlungsfelder": list(changed.handlungsfelder)})])  # type: ignore[attr-defined]
        start = time.perf_counter()
        project_lists.warm(store)  # what schule serve does in the background within a second
        after_change = time.perf_counter() - start
        print(f"facts: first read and derived {first_use * 1000:.0f} ms; after a published project changed, "
              f"built again in {after_change * 1000:.0f} ms (lists ask the graph meanwhile)", flush=True)


if __name__ == "__main__":
    main()
