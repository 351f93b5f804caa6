"""Search-sync benchmark: ``repair`` (content fingerprints) and drains that re-render dependents.

    python bench/search/repair.py --size 10000

On a fresh embedded store (seeded, then ``--size`` synthetic projects spread over 16 communes and
5 Handlungsfelder, one lesson per 5 projects), prints, each against a baseline measured in the same
run: the rebuild (the repair's alternative), ``repair`` with nothing to do, ``repair`` after 1 % of
the documents went stale in the index, a drain of one changed project, a drain after the seed (every
commune and Handlungsfeld) was written again unchanged, and a drain after renaming a commune (its
projects' and lessons' documents are rendered again). Figures only; no assertions.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from run import corpus  # noqa: E402  (bench/search/run.py, beside this file)

from schule.domain.records import parse_record  # noqa: E402
from schule.services.search_sync import SearchSync  # noqa: E402
from schule.services.seeding import seed  # noqa: E402
from schule.settings import Settings  # noqa: E402
from schule.store import open_store  # noqa: E402
from schule.store.embedded import EmbeddedServer  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
COMMUNES = ["olpe", "soest", "arnsberg", "menden", "iserlohn", "bad-berleburg", "winterberg", "plettenberg",
            "siegen", "lippstadt", "meschede", "attendorn", "lennestadt", "brilon", "schmallenberg", "hemer"]
FIELDS = ["mobilitaet", "verwaltung", "buergerbeteiligung", "daten-und-digitale-infrastruktur", "klimaschutz"]
WRITE_CHUNK = 2000
T = TypeVar("T")


def records(n: int) -> Iterator[dict[str, Any]]:
    for i, doc in enumerate(corpus(n)):
        yield {"kind": "project", "id": doc.id, "title": doc.title, "summary": doc.summary,
               "description": doc.text, "tags": list(doc.tags), "status": doc.status,
               "communes": [COMMUNES[(i + k) % len(COMMUNES)] for k in range(1 + i % 2)],
               "handlungsfelder": [FIELDS[i % len(FIELDS)]]}
        if i % 5 == 0:
            yield {"kind": "lesson", "id": f"l-{i}", "project": doc.id, "title": f"Erkenntnis zu {doc.title}",
                   "text": doc.summary}


def timed(label: str, fn: Callable[[], T], rows: list[tuple[str, str]]) -> T:
    started = time.perf_counter()
    result = fn()
    rows.append((label, f"{time.perf_counter() - started:.2f} s  ({result})"))
    return result


def bench(n: int, workdir: Path) -> list[tuple[str, str]]:
    settings = Settings(data_dir=workdir, graph="bench_repair", seed_dir=REPO / "seed")
    store = open_store(settings)
    sync = SearchSync(store, workdir / "search")
    rows: list[tuple[str, str]] = []
    try:
        seed(store, settings.seed_dir)
        batch: list[Any] = []
        for record in records(n):
            batch.append(parse_record(record))
            if len(batch) == WRITE_CHUNK:
                store.upsert(batch)
                batch = []
        store.upsert(batch)
        docs = timed("rebuild (baseline)", sync.rebuild, rows)
        rows.append(("documents", str(docs)))
        timed("repair, nothing to do", sync.repair, rows)
        stale = [replace(d, title=d.title + " (veraltet)") for i, d in enumerate(sync.builder.all()) if i % 100 == 0]
        sync.index.upsert(stale)
        timed(f"repair, {len(stale)} stale documents", sync.repair, rows)
        store.upsert([parse_record({"kind": "project", "id": "p-1", "title": "Geändert", "summary": "Neu.",
                                    "communes": ["olpe"]})])
        timed("drain: one project changed (baseline)", sync.drain, rows)
        seed(store, settings.seed_dir)  # every commune and Handlungsfeld written again, unchanged
        timed("drain: seed written again, unchanged", sync.drain, rows)
        olpe = sum(1 for _ in sync.index.keys_embedding(["olpe"]))
        store.upsert([parse_record({"kind": "commune", "id": "olpe", "name": "Olpe am Biggesee",
                                    "kreis": "Kreis Olpe", "region": "Südwestfalen"})])
        timed(f"drain: commune renamed ({olpe} documents embed it)", sync.drain, rows)
        timed("repair after both drains", sync.repair, rows)
    finally:
        sync.close()
        store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="number of synthetic projects")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="schule-repair-bench-"))
    try:
        rows = bench(args.size, workdir)
    finally:
        EmbeddedServer(workdir).stop()
        shutil.rmtree(workdir, ignore_errors=True)
    width = max(len(label) for label, _ in rows)
    print(f"projects: {args.size}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
