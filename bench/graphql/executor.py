"""What the fast paths of ``schule.graphql.execution`` save: the Python CPU time of executing the
bench's GraphQL queries with graphql-core's general executor and Strawberry's resolver wrappers (the
baseline), with ``PlainLeafExecutor`` alone, and with it and ``lean_resolvers`` (resolvers called
directly, arguments converted by a plan: the schema as served), in one process, alternating in
rounds on the same requests. Prints figures; asserts nothing.

    .venv/bin/python bench/graphql/executor.py --data-dir DIR [--requests 200] [--rounds 6]

DIR is a store ``bench/graphql/run.py --data-dir DIR`` imported (10,000 projects by default). No
HTTP here: the operation runs as the view runs it (``schema.execute`` with a fresh request context),
one at a time, so the figure is CPU per request of execution and store reading (the store's worker
threads count too: ``time.process_time``), not of queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.graphql.run import COMMUNE, DETAIL, GRAPH, KREISE, LIST  # noqa: E402
from schule.graphql.context import Context  # noqa: E402
from schule.graphql.execution import PlainLeafExecutor  # noqa: E402
from schule.graphql.schema import build_schema  # noqa: E402
from schule.services import project_lists  # noqa: E402
from schule.settings import Settings  # noqa: E402
from schule.store import open_store  # noqa: E402

VARIANTS = ("general (graphql-core)", "plain leaves", "plain leaves + lean resolvers")


def build_variant(name: str, settings: Settings) -> Any:
    if name == VARIANTS[0]:
        schema = build_schema(settings, fast_paths=False)
        assert schema.execution_context_class is StrawberryGraphQLCoreExecutionContext
    elif name == VARIANTS[1]:
        schema = build_schema(settings, fast_paths=False)
        schema.execution_context_class = PlainLeafExecutor
    else:
        schema = build_schema(settings)
    return schema


def requests(kind: str, n: int, projects: int, communes: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    if kind == "list":
        return [(LIST, {"kreis": [rng.choice(KREISE)], "hf": [f"hf-{rng.randrange(6)}"]}) for _ in range(n)]
    if kind == "detail":
        return [(DETAIL, {"id": f"projekt-{rng.randrange(projects)}"}) for _ in range(n)]
    return [(COMMUNE, {"id": f"kommune-{rng.randrange(communes)}"}) for _ in range(n)]


async def cpu_per_request(schema: Any, store: Any, settings: Settings,
                          batch: list[tuple[str, dict[str, Any]]]) -> float:
    start = time.process_time()
    for query, variables in batch:
        result = await schema.execute(query, variable_values=variables, context_value=Context.build(store, settings))
        if result.errors:
            raise SystemExit(f"the bench query failed: {result.errors[0]}")
    return (time.process_time() - start) / len(batch) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per query, executor and round")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, graph=GRAPH)
    store = open_store(settings)
    try:
        project_lists.warm(store)  # as schule serve does after its start
        communes = max(50, args.projects // 25)
        schemas = {name: build_variant(name, settings) for name in VARIANTS}
        print(f"{'query':8} {'executor':29} {'CPU ms/request (median of rounds)':>34} {'rounds':>24}")
        for kind in ("list", "detail", "commune"):
            figures: dict[str, list[float]] = {name: [] for name in VARIANTS}
            for r in range(args.rounds + 1):
                batch = requests(kind, args.requests, args.projects, communes, seed=r)
                for name in VARIANTS:
                    figure = await cpu_per_request(schemas[name], store, settings, batch)
                    if r:  # round 0 warms caches and FalkorDB's plan cache
                        figures[name].append(figure)
            base = statistics.median(figures[VARIANTS[0]])
            for name, values in figures.items():
                median = statistics.median(values)
                spread = f"{min(values):.2f}-{max(values):.2f}"
                print(f"{kind:8} {name:29} {median:14.2f} ({median / base * 100:5.1f} %) {spread:>24}")
    finally:
        store.close()


if __name__ == "__main__":
    asyncio.run(main())
