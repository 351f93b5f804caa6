"""The ``schule`` command: a thin layer over the services.

Every command exits 0 on success and non-zero with a one-line reason on stderr otherwise; user
mistakes (missing file, bad data dir, Neo4j unreachable) never show a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schule.domain.problems import Code
from schule.errors import ImportValidationError, ProblemError, SchuleError, StoreUnavailable
from schule.settings import Settings
from schule.store import open_store
from schule.store.graph import CypherGraphStore

if TYPE_CHECKING:
    from schule.services.search_sync import SearchSync

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_TEMPFAIL = 75  # sysexits.h EX_TEMPFAIL: the database was unreachable or busy; retrying later may work
_TRANSIENT = frozenset({Code.UNAVAILABLE, Code.TIMEOUT, Code.RATE_LIMITED})


def exit_status(error: SchuleError) -> int:
    """The one place where errors become exit statuses: 75 when trying again later may help
    (an unreachable database), 1 for everything else (bad input, refusals, failures)."""
    if isinstance(error, StoreUnavailable):
        return EXIT_TEMPFAIL
    if isinstance(error, ProblemError) and error.code in _TRANSIENT:
        return EXIT_TEMPFAIL
    return EXIT_ERROR


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

    # proxy_headers=False: uvicorn's default believes X-Forwarded-For from any local client (so
    # anyone on the host could pick the address the rate limits count); create_app believes it
    # only from SCHULE_TRUSTED_PROXIES.
    from schule.logs import uvicorn_log_config

    log_config = uvicorn_log_config(settings.log_format)  # SCHULE_LOG_FORMAT=json: one JSON object per line
    options: dict[str, Any] = dict(host=args.host, port=args.port, log_level="info", proxy_headers=False,
                                   log_config=log_config or uvicorn.config.LOGGING_CONFIG)
    if args.workers > 1:
        # Each worker process builds its own app from the same environment (schule.app.app_from_env):
        # they share the embedded store (one FalkorDB, started once under its lock) and the search
        # index directory (one drain at a time, under its file lock); rate limits count per worker.
        # Each listens on its own socket (schule.serve_workers says why not uvicorn's workers).
        from schule import serve_workers

        return serve_workers.serve(options, args.workers)
    uvicorn.run(create_app(settings), **options)
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.seeding import seed

    with opened_store(settings) as store:
        result = seed(store, settings.seed_dir, ProgressBar(sys.stderr.isatty()))
    print(f"{result.records} Datensätze aus {settings.seed_dir} geladen")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.importing import import_files

    if args.csv:
        return cmd_import_csv(settings, args)
    with opened_store(settings) as store:
        result = import_files(store, [Path(f) for f in args.files], ProgressBar(sys.stderr.isatty()))
    details = ", ".join(f"{kind}: {n}" for kind, n in sorted(result.by_kind.items()))
    print(f"{result.records} Datensätze importiert ({details})")
    return 0


def cmd_import_csv(settings: Settings, args: argparse.Namespace) -> int:
    """``schule import --csv FILE…``: project lists from spreadsheets (see docs/csv-import.md)."""
    from schule.services.csv_import import import_csv

    with opened_store(settings) as store:
        result = import_csv(store, [Path(f) for f in args.files])
    print(f"{result.records} Projekt(e) aus {', '.join(args.files)} importiert")
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


def cmd_harvest(settings: Settings, args: argparse.Namespace) -> int:
    """``schule harvest publiccode PATH… [--publish] [--json]``: one line (or JSON entry) per file;
    exit 1 when a file was rejected, after all the others were harvested."""
    from schule.auth.identity import Identity
    from schule.services.harvesting import IMPORTED, REJECTED, UNCHANGED, UPDATED, harvest_publiccode

    with opened_store(settings) as store:
        report = harvest_publiccode(store, Identity.system(), [Path(p) for p in args.paths], publish=args.publish)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        words = {IMPORTED: "importiert", UPDATED: "aktualisiert", UNCHANGED: "unverändert", REJECTED: "abgelehnt"}
        for f in report.files:
            detail = f": {f.reason}" if f.outcome == REJECTED else f" → {f.project}"
            print(f"{words[f.outcome]:<12} {f.file}{detail}")
            for note in f.notes:
                print(f"{'':<12}   Hinweis: {note}")
        print(f"{report.count(IMPORTED)} importiert, {report.count(UPDATED)} aktualisiert, "
              f"{report.count(UNCHANGED)} unverändert, {len(report.rejected)} abgelehnt"
              + ("" if args.publish else " (neue Einträge warten auf Prüfung unter /pruefen)"))
    if report.rejected:
        print(f"schule: {len(report.rejected)} Datei(en) abgelehnt", file=sys.stderr)
        return EXIT_ERROR
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.backup import backup_to_file

    with opened_store(settings) as store:
        summary = backup_to_file(store, Path(args.file))
    print(f"Sicherung nach {args.file} geschrieben: {summary.describe()}")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.restore import read_backup, restore

    backup = read_backup(Path(args.file))  # the whole file is checked before the store is touched
    with opened_search(settings) as (store, sync):
        summary = restore(store, backup)
        documents = sync.rebuild()
    print(f"Sicherung aus {args.file} wiederhergestellt: {summary.describe()}; Suchindex: {documents} Dokumente")
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


@contextmanager
def opened_search(settings: Settings) -> Iterator[tuple[CypherGraphStore, SearchSync]]:
    from schule.services.search_sync import SearchSync

    with opened_store(settings) as store:
        sync = SearchSync(store, settings.data_dir / "search")
        try:
            yield store, sync
        finally:
            sync.close()


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.search import SearchService

    if args.limit < 1:
        raise SchuleError("--limit muss mindestens 1 sein")
    with opened_search(settings) as (_, sync):
        if sync.applied_seq() is None:
            sync.repair()
        results = SearchService(sync).search(args.query, limit=args.limit)
    if args.json:
        hits = [{"id": h.id, "kind": h.kind, "title": h.title, "score": round(h.score, 4)} for h in results.hits]
        print(json.dumps(hits, ensure_ascii=False))
        return 0
    if not results.hits:
        print("Keine Treffer.")
    for h in results.hits:
        print(f"{h.score:8.2f}  {h.kind:<13} {h.id:<40} {h.title}")
    if results.suggestions:
        print(f"Meinten Sie: {', '.join(results.suggestions)}?")
    return 0


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    with opened_search(settings) as (_, sync):
        count = sync.rebuild()
    print(f"Suchindex neu aufgebaut: {count} Dokumente")
    return 0


def cmd_prune_changes(settings: Settings, args: argparse.Namespace) -> int:
    from schule.services.change_log import Retention, prune_change_log

    days = settings.change_retention_days if args.days is None else args.days
    keep = settings.change_retention_max if args.max is None else args.max
    if not 0 < days < math.inf:
        raise SchuleError("--days muss eine Zahl größer als 0 sein")
    if keep < 0:
        raise SchuleError("--max muss 0 (keine Grenze) oder eine positive ganze Zahl sein")
    with opened_store(settings) as store:
        result = prune_change_log(store, Retention(days=days, max_entries=keep))
    kept = "leer" if result.oldest is None else f"Nr. {result.oldest} bis {result.last}"
    print(f"Änderungsprotokoll: {result.deleted} Einträge gelöscht, behalten: {kept}")
    return 0


def cmd_schema(settings: Settings, args: argparse.Namespace) -> int:
    from schule.graphql.sdl import SCHEMA_FILE, check_sdl, write_sdl

    if args.check:
        reason = check_sdl(settings)
        if reason:
            print(f"schule: {reason}", file=sys.stderr)
            return EXIT_ERROR
        print(f"{SCHEMA_FILE} ist aktuell")
        return 0
    write_sdl(settings)
    print(f"{SCHEMA_FILE} geschrieben")
    return 0


def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    """``schule user add|reset-password|revoke|list``: accounts, as an admin at the command line."""
    from schule.auth.identity import Identity
    from schule.services import accounts

    operator = Identity.system()
    with opened_store(settings) as store:
        if args.user_command == "add":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
            account, token = accounts.add_account(
                store, operator, args.name, args.role, commune=args.commune, person=args.person,
                password=password, token_days=args.days,
            )
            if args.json:
                print(json.dumps({"id": account.id, "token": token, "name": account.name,
                                  "role": account.role.value, "commune": account.commune}))
            else:
                print(f"Konto {account.name} ({account.role.value}) angelegt: {account.id}")
                print(f"API-Token (wird nur jetzt angezeigt, gültig {args.days:g} Tage): {token}")
        elif args.user_command == "reset-password":
            if args.password_stdin:
                accounts.set_password(store, operator, args.name, sys.stdin.readline().rstrip("\n"))
                print(f"Passwort von {args.name} gesetzt; alle Sitzungen des Kontos sind beendet")
            else:
                password = accounts.reset_password(store, operator, args.name)
                print(f"Vorläufiges Passwort für {args.name} (wird nur jetzt angezeigt; bitte nach der "
                      f"Anmeldung unter /konto/passwort ändern): {password}")
                print("Alle Sitzungen des Kontos sind beendet")
        elif args.user_command == "revoke":
            account = accounts.revoke_account(store, operator, args.name)
            print(f"Konto {account.name} gesperrt; alle Tokens und Sitzungen sind ungültig")
        else:
            listed = accounts.list_accounts(store, operator)
            if args.json:
                print(json.dumps([{"id": a.id, "name": a.name, "role": a.role.value, "commune": a.commune,
                                   "person": a.person, "status": a.status.value} for a in listed]))
            for a in listed if not args.json else []:
                print(f"{a.name:<30} {a.role.value:<10} {a.status.value:<8} {a.commune or '-':<20} {a.id}")
    return 0


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 32:
        raise argparse.ArgumentTypeError(f"--workers muss eine ganze Zahl von 1 bis 32 sein, nicht {text!r}")
    return value


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
    p.add_argument("--workers", type=_workers, default=1,
                   help="Serverprozesse (1); mehrere teilen Speicher und Suchindex und nutzen mehrere Kerne")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("seed", help="die Daten aus seed/ laden (mehrfach ausführbar)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("import", help="JSON-Lines-Dateien importieren (alles oder nichts)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--csv", action="store_true",
                   help="die Dateien sind Projektlisten als CSV mit deutschen Spaltennamen (docs/csv-import.md)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="alles Veröffentlichte im Importformat ausgeben")
    p.add_argument("file", nargs="?", metavar="FILE", help="Zieldatei (ohne: Standardausgabe)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("backup", help="alles sichern: Entwürfe, Versionen, Prüfprotokoll, Konten (mit Token-Hashes)")
    p.add_argument("file", metavar="FILE", help="Zieldatei (wird atomar ersetzt; enthält Passwort-Hashes)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="eine Sicherung in einen leeren Speicher zurückspielen")
    p.add_argument("file", metavar="FILE", help="mit 'schule backup' geschriebene Datei")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("search", help="Volltextsuche (deutsch)")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true", help='als JSON-Liste von {"id","kind","title","score"}')
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("reindex", help="Suchindex aus dem Graphen neu aufbauen")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser(
        "prune-changes",
        help="alte Einträge des Änderungsprotokolls löschen (Suchindizes, die weiter zurückliegen, bauen neu auf)",
    )
    p.add_argument("--days", type=float, metavar="TAGE",
                   help="so viele Tage behalten (Standard: SCHULE_CHANGE_RETENTION_DAYS, sonst 7)")
    p.add_argument("--max", type=int, metavar="N",
                   help="höchstens die N neuesten behalten, 0: keine Grenze "
                        "(Standard: SCHULE_CHANGE_RETENTION_MAX, sonst 100000)")
    p.set_defaults(func=cmd_prune_changes)

    p = sub.add_parser("schema", help="schema/schema.graphql aus dem Code schreiben (oder mit --check prüfen)")
    p.add_argument("--check", action="store_true", help="nur prüfen; Exit 1, wenn die Datei abweicht")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("user", help="Konten verwalten: anlegen (mit API-Token), Passwort zurücksetzen, sperren, "
                       "auflisten")
    user = p.add_subparsers(dest="user_command", required=True, metavar="AKTION")
    u = user.add_parser("add", help="Konto anlegen; gibt einmalig ein API-Token aus")
    u.add_argument("name", metavar="NAME", help="Kontoname (ist er die ID einer Person, wird sie verknüpft)")
    u.add_argument("--role", required=True, choices=["member", "moderator", "admin"])
    u.add_argument("--commune", metavar="ID", help="Kommune, für die ein Mitglied schreibt")
    u.add_argument("--person", metavar="ID", help="die Person, zu der das Konto gehört")
    u.add_argument("--days", type=float, default=90, help="Gültigkeit des Tokens in Tagen (90)")
    u.add_argument("--password-stdin", action="store_true", help="Passwort für die Web-Anmeldung von stdin")
    u.add_argument("--json", action="store_true", help='als {"id": …, "token": …}')
    u = user.add_parser("reset-password", help="Passwort zurücksetzen; beendet alle Sitzungen des Kontos")
    u.add_argument("name", metavar="NAME")
    u.add_argument("--password-stdin", action="store_true",
                   help="das neue Passwort von stdin lesen (sonst wird ein vorläufiges erzeugt und einmal angezeigt)")
    u = user.add_parser("revoke", help="Konto sperren: alle Tokens und Sitzungen werden ungültig")
    u.add_argument("name", metavar="NAME")
    u = user.add_parser("list", help="alle Konten")
    u.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("harvest", help="Projekte aus offenen Metadaten ernten")
    harvest = p.add_subparsers(dest="harvest_command", required=True, metavar="QUELLE")
    h = harvest.add_parser(
        "publiccode", help="Open-Source-Lösungen aus publiccode.yml-Dateien (Dateien oder Ordner, offline)",
        description="Jede Datei wird ein Projekt oder aktualisiert es. Ohne --publish warten neue Einträge auf "
                    "Prüfung durch die Moderation; Änderungen veröffentlichter Projekte übernimmt nur --publish.",
    )
    h.add_argument("paths", nargs="+", metavar="PFAD", help="publiccode.yml-Dateien oder Ordner (alle *.yml/*.yaml)")
    h.add_argument("--publish", action="store_true", help="direkt veröffentlichen (wie eine Administratorin)")
    h.add_argument("--json", action="store_true",
                   help='als {"imported": N, "updated": N, "unchanged": N, "rejected": [{"file", "reason"}]}')
    p.set_defaults(func=cmd_harvest)

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
        return exit_status(e)
    except KeyboardInterrupt:
        print("schule: abgebrochen", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
