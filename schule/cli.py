"""The ``schule`` command: a thin layer over the services.

Every command exits 0 on success and non-zero with a one-line reason on stderr otherwise; user
mistakes (missing file, bad data dir, Neo4j unreachable) never show a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from schule.errors import ImportValidationError, SchuleError
from schule.settings import Settings
from schule.store import open_store
from schule.store.graph import CypherGraphStore

EXIT_ERROR = 1
EXIT_USAGE = 2


class ProgressBar:
    """A progress bar on stderr, shown only on a terminal (logs and CI stay clean)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or total < 1000:
            return
        width = 30
        filled = int(width * done / total) if total else width
        line = f"\r{phase:9} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if line != self._last:
            sys.stderr.write(line)
            sys.stderr.flush()
            self._last = line
        if done >= total:
            sys.stderr.write("\n")


@contextmanager
def opened_store(settings: Settings) -> Iterator[CypherGraphStore]:
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from schule.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.seeding import seed

    with opened_store(settings) as store:
        result = seed(store, settings.seed_dir, ProgressBar(sys.stderr.isatty()))
    print(f"{result.records} Datensätze aus {settings.seed_dir} geladen")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.importing import import_files

    with opened_store(settings) as store:
        result = import_files(store, [Path(f) for f in args.files], ProgressBar(sys.stderr.isatty()))
    details = ", ".join(f"{kind}: {n}" for kind, n in sorted(result.by_kind.items()))
    print(f"{result.records} Datensätze importiert ({details})")
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.exporting import export_to_file, write_export

    with opened_store(settings) as store:
        if args.file and args.file != "-":
            count = export_to_file(store, Path(args.file))
            print(f"{count} Datensätze nach {args.file} exportiert", file=sys.stderr)
        else:
            write_export(store, sys.stdout)
    return 0


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    with opened_store(settings) as store:
        counts = store.counts()
    if args.json:
        print(json.dumps(counts, ensure_ascii=False))
    else:
        width = max(len(k) for k in counts)
        for kind, n in counts.items():
            print(f"{kind:<{width}}  {n}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schule",
        description="Wissensgraph, GraphQL-API und Suche der Smart Cities: Schule.",
        epilog="Einstellungen über Umgebungsvariablen: SCHULE_DATA_DIR, SCHULE_STORE, NEO4J_URI, …",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")

    p = sub.add_parser("serve", help="Server starten: GraphQL unter /graphql, Webseiten unter /")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("seed", help="die Daten aus seed/ laden (mehrfach ausführbar)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("import", help="JSON-Lines-Dateien importieren (alles oder nichts)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="alles Veröffentlichte im Importformat ausgeben")
    p.add_argument("file", nargs="?", metavar="FILE", help="Zieldatei (ohne: Standardausgabe)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="Anzahl je Art")
    p.add_argument("--json", action="store_true", help="als JSON-Objekt")
    p.set_defaults(func=cmd_stats)
    return parser



def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.func(settings, args))
    except ImportValidationError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        print(f"schule: Import abgelehnt: {e}", file=sys.stderr)
        return EXIT_ERROR
    except SchuleError as e:
        one_line = " ".join(str(e).split())  # driver messages may span lines
        print(f"schule: Fehler: {one_line}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("schule: abgebrochen", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
