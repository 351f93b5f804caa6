"""Search benchmark: SearchIndex (Whoosh + German analysis) vs SQLite FTS5 on a synthetic corpus.

    python bench/search/run.py --sizes 10000,100000
    python bench/search/run.py --sizes 1000 --write-jsonl /tmp/projects.jsonl

Prints build time and p50/p95 latency per query type. Figures only; no assertions.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from schule.search import SearchDocument, SearchIndex  # noqa: E402

SEED = 20240601
MODIFIERS = ["Daten", "Park", "Bürger", "Stadt", "Verkehrs", "Energie", "Wasser", "Klima", "Schul", "Rad",
             "Wander", "Hochwasser", "Glasfaser", "Straßen", "Quartiers", "Mobilitäts", "Sensor", "Dorf",
             "Touristen", "Lade", "Gesundheits", "Abfall", "Wetter", "Verwaltungs", "Beteiligungs"]
HEADS = ["plattform", "platz", "sensoren", "beteiligung", "labor", "station", "management", "beleuchtung",
         "netz", "messung", "konzept", "bus", "säulen", "karte", "portal", "app", "zentrum", "werkstatt",
         "planung", "förderung", "dienst", "strategie", "monitoring", "ausbau"]
WORDS = (  # noqa: SIM905 (prose is easier to read)
    "Kommune Verwaltung Projekt Region Südwestfalen Sauerland Bürgerinnen Bürger Förderung Umsetzung "
    "Pilotphase Erfahrungen digital smarte offene Daten Sensoren Betrieb Kosten Ausschreibung Partner "
    "Hochschule Unternehmen Ehrenamt Vereine Innenstadt Ortsteile ländlichen Raum Mobilität Klimaschutz "
    "Anwohner Dashboard Schnittstelle Wartung Datenschutz Akzeptanz Beteiligung Workshop Evaluation "
    "Netzwerk Zusammenarbeit Landkreis Rathaus Gemeinde Öffentlichkeit Nachhaltigkeit Energie Verkehr "
    "Schulen Bibliothek Tourismus Gesundheit Pflege Wirtschaft Handel Leerstand Wohnen Quartier gemeinsam "
    "erfolgreich schnell günstig aufwendig geplant gestartet betrieben ausgewertet "
).split()
COMMUNES = ["olpe", "soest", "arnsberg", "menden", "iserlohn", "bad-berleburg", "winterberg", "plettenberg",
            "siegen", "lippstadt", "meschede", "attendorn", "lennestadt", "brilon", "schmallenberg", "hemer"]
KREISE = ["Kreis Olpe", "Kreis Soest", "Hochsauerlandkreis", "Märkischer Kreis", "Kreis Siegen-Wittgenstein"]
HFS = ["mobilitaet", "verwaltung", "beteiligung", "daten", "klima", "wirtschaft", "bildung", "leben"]
STATUSES = ["idea", "planning", "implementation", "operation", "completed", "stopped"]


def corpus(n: int, seed: int = SEED) -> Iterator[SearchDocument]:
    rnd = random.Random(seed)
    for i in range(n):
        compounds = [rnd.choice(MODIFIERS) + rnd.choice(HEADS) for _ in range(3)]
        title = f"{compounds[0].capitalize()} in {rnd.choice(COMMUNES).title()}"
        summary = " ".join(rnd.choices(WORDS, k=12) + compounds[1:2])
        text = ". ".join(" ".join(rnd.choices(WORDS, k=15) + [rnd.choice(compounds)]) for _ in range(5))
        communes = tuple(rnd.sample(COMMUNES, k=rnd.choice([1, 1, 2])))
        yield SearchDocument(
            kind="project", id=f"p-{i}", title=title, tags=tuple(rnd.sample(compounds, 2)), summary=summary,
            text=text, handlungsfelder=tuple(rnd.sample(HFS, 2)), communes=communes,
            commune_names=tuple(c.title() for c in communes), kreise=(rnd.choice(KREISE),),
            regions=("Südwestfalen",), status=rnd.choice(STATUSES), adaptation_count=rnd.choice([0, 0, 0, 1, 2]))


def write_jsonl(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for doc in corpus(n):
            out.write(json.dumps({"kind": "project", "id": doc.id, "title": doc.title, "summary": doc.summary,
                                  "description": doc.text, "tags": list(doc.tags), "status": doc.status},
                                 ensure_ascii=False) + "\n")


def queries(seed: int = SEED + 1, per_type: int = 40) -> dict[str, list[tuple[str, dict[str, list[str]]]]]:
    rnd = random.Random(seed)

    def typo(word: str) -> str:
        i = rnd.randrange(2, len(word) - 1)
        return word[:i] + word[i + 1:]

    compounds = [m + h for m in MODIFIERS for h in HEADS]

    def unknown_compound() -> str:
        # three parts, never in the corpus as a whole (documents have two-part compounds only)
        first, second = rnd.sample(MODIFIERS, 2)
        return first + second.lower() + rnd.choice(HEADS)

    return {
        "single term": [(rnd.choice(HEADS).capitalize(), {}) for _ in range(per_type)],
        "two terms": [(f"{rnd.choice(MODIFIERS)}{rnd.choice(HEADS)} {rnd.choice(COMMUNES).title()}", {})
                      for _ in range(per_type)],
        "OR frequent": [(" ".join(rnd.sample(["Kommune", "Verwaltung", "Projekt", "Daten", "Region", "Bürger"], 3)),
                         {"__any__": []}) for _ in range(per_type)],
        "typo": [(typo(rnd.choice(compounds)), {}) for _ in range(per_type)],
        "faceted": [(rnd.choice(HEADS).capitalize(), {"commune": [rnd.choice(COMMUNES)], "status": ["operation"]})
                    for _ in range(per_type)],
        "compound parts": [(unknown_compound(), {}) for _ in range(per_type)],
    }


def fts5_match(text: str, any_word: bool) -> str:
    words = ['"' + w.replace('"', "") + '"' for w in text.split() if w.strip('"')]
    return (" OR " if any_word else " ").join(words)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn: Callable[[], object], runs: list[float]) -> None:
    start = time.perf_counter()
    fn()
    runs.append((time.perf_counter() - start) * 1000)


def bench(n: int, workdir: Path, reuse: bool = False, types: str | None = None,
          repeat: int = 1, warm: bool = False, served: bool | None = None) -> list[tuple[str, str, str, str]]:
    rows = []
    t = time.perf_counter()
    index = SearchIndex.open(workdir / f"whoosh-{n}")
    reused = reuse and index.doc_count() == n
    if not reused:
        index.rebuild(corpus(n))
    build_whoosh = time.perf_counter() - t

    t = time.perf_counter()
    fts_path = workdir / f"fts-{n}.db"
    fts_reused = reuse and fts_path.exists()
    if not fts_reused:
        fts_path.unlink(missing_ok=True)
    db = sqlite3.connect(str(fts_path))
    if not fts_reused:
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, tags, summary, text, commune, "
                   "status, tokenize='unicode61 remove_diacritics 2')")
        db.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?)",
                       ((d.id, d.title, " ".join(d.tags), d.summary, d.text, " ".join(d.communes),
                         d.status or "") for d in corpus(n)))
        db.commit()
    build_fts = time.perf_counter() - t
    rows.append((f"{n}", "build (s)", "reused" if reused else f"{build_whoosh:.1f}",
                 "reused" if fts_reused else f"{build_fts:.1f}"))

    index.close()
    phases = [("cold", False), ("served", True)] if served is None else [("served" if served else "cold", served)]
    for phase, warm_index in phases:
        # a fresh SearchIndex per phase: no postings decoded by an earlier phase
        index = SearchIndex.open(workdir / f"whoosh-{n}")
        if warm_index:  # as ``schule serve`` does after start and after each index write
            t = time.perf_counter()
            warmed = index.warm()
            rows.append((f"{n}", "served: warm-up (s)", f"{time.perf_counter() - t:.1f} ({warmed} postings)", "-"))
        rows += _query_rows(n, phase, index, db, types, repeat, warm)
        if warm_index:
            rows.append(_after_write_row(n, index))
        index.close()
    db.close()
    return rows


def _after_write_row(n: int, index: SearchIndex, writes: int = 5) -> tuple[str, str, str, str]:
    """The first search after an index write (a new segment, a new searcher), facets included: what
    a moderator waits for who searches right after approving an entry. The document is removed again."""
    doc = next(corpus(1))
    firsts = []
    for i in range(writes):
        index.upsert([dataclasses.replace(doc, id="bench-write", title=f"{doc.title} {i}")])
        timed(lambda: index.search("Plattform", limit=10), firsts)
    index.delete([dataclasses.replace(doc, id="bench-write").key])
    return (f"{n}", "served: first search after a write p50/max ms",
            f"{statistics.median(firsts):.1f} / {max(firsts):.1f}", "-")


def _query_rows(n: int, phase: str, index: SearchIndex, db: sqlite3.Connection, types: str | None, repeat: int,
                warm: bool) -> list[tuple[str, str, str, str]]:
    rows = []
    wanted = {t.strip() for t in types.split(",")} if types else None
    for qtype, items in queries().items():
        if wanted and qtype not in wanted:
            continue
        ours: list[float] = []
        fts: list[float] = []
        index.search(items[0][0], limit=10)  # warm the cached searcher and facet bitmaps
        for text, filters in items if warm else ():  # and, with --warm, every term's cached postings
            index.search(text, filters={k: v for k, v in filters.items() if k != "__any__"} or None, limit=10,
                         match="any" if "__any__" in filters else "auto")
        for text, filters in items * repeat:
            any_word = "__any__" in filters
            facet_filters = {k: v for k, v in filters.items() if k != "__any__"}
            timed(lambda t=text, f=facet_filters, a=any_word: index.search(
                t, filters=f or None, limit=10, match="any" if a else "auto"), ours)
            where = ""
            params: list[str] = [fts5_match(text, any_word)]
            if facet_filters:
                where = " AND commune MATCH ? AND status = ?"
                params += [facet_filters["commune"][0].replace("-", " "), facet_filters["status"][0]]

            def run_fts(where: str = where, params: list[str] = params) -> None:
                db.execute(f"SELECT id, bm25(docs, 10.0, 5.0, 3.0, 1.0) AS s FROM docs WHERE docs MATCH ?{where} "
                           "ORDER BY s LIMIT 10", params).fetchall()
                db.execute(f"SELECT count(*) FROM docs WHERE docs MATCH ?{where}", params).fetchone()

            timed(run_fts, fts)
        rows.append((f"{n}", f"{phase}: {qtype} p50/p95 ms",
                     f"{statistics.median(ours):.1f} / {percentile(ours, 95):.1f}",
                     f"{statistics.median(fts):.1f} / {percentile(fts, 95):.1f}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated corpus sizes")
    parser.add_argument("--write-jsonl", type=Path, help="write the corpus (largest size) as import JSON Lines")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --workdir: query the indexes already built there (same size) instead of "
                             "rebuilding; only valid while the index schema and analysis are unchanged")
    parser.add_argument("--types", help="comma-separated query types to run (default: all)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each type's queries this many times (percentiles over all runs; later runs "
                             "are warm, so this measures steady state and smooths out a noisy machine)")
    parser.add_argument("--warm", action="store_true",
                        help="run each type's queries once untimed first: steady state, no first-use decoding "
                             "of postings (without it, each query's new terms pay ~1 us per posting once)")
    phase = parser.add_mutually_exclusive_group()
    phase.add_argument("--cold", dest="served", action="store_const", const=False,
                       help="only the cold phase: a fresh process, every term decoded at its first query, "
                            "as for the CLI (default: the cold phase, then the served phase)")
    phase.add_argument("--served", dest="served", action="store_const", const=True,
                       help="only the served phase: SearchIndex.warm() first, as `schule serve` does after "
                            "start and after index writes")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.write_jsonl:
        write_jsonl(args.write_jsonl, max(sizes))
        print(f"wrote {max(sizes)} projects to {args.write_jsonl}")
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="schule-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rows = [("docs", "measure", "SearchIndex", "SQLite FTS5")]
        for n in sizes:
            rows += bench(n, workdir, reuse=args.reuse, types=args.types, repeat=max(1, args.repeat),
                          warm=args.warm, served=args.served)
            print(f"done {n}", file=sys.stderr)
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
