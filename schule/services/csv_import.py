"""Import of project lists that communes keep in spreadsheets (``schule import --csv FILE…``).

One row is one project; the columns have German names (``docs/vorlage-projekte.csv`` is the
template, ``docs/csv-import.md`` explains every column). What spreadsheet programs write is read as
it comes: semicolon, comma or tab between cells; UTF-8 with or without byte order mark, UTF-16 with
one, or Windows-1252 (what Excel on Windows writes as "CSV"); cells with line breaks in quotes;
dates as ``15.03.2022`` or ``03/2022`` as well as ``2022-03-15``.

Validation is that of JSON Lines (``parse_record`` and ``check_run``), all or nothing: a file with
any bad row changes nothing, and every bad row is reported as ``FILE:LINE: reason`` naming the
column (LINE is the row's first line in the file, the header being line 1). Kommune,
Handlungsfeld, Ansprechpersonen and "Übernommen von" are matched by id or by name, case- and
umlaut-insensitively (``schule.services.matching``). Rows become published projects, like every
import by the operator.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from schule.domain.model import Kind, ProjectStatus
from schule.domain.problems import Code, Problem
from schule.domain.records import Record, RecordError, is_link, parse_record
from schule.errors import ImportValidationError, LineProblem, SchuleError
from schule.json_input import text_problem
from schule.services.importing import MAX_PROBLEMS_REPORTED, ImportResult, check_run, read_input
from schule.services.matching import NameIndex, fold
from schule.store.graph import CypherGraphStore

MAX_FILE_BYTES = 50 * 1024 * 1024
DELIMITERS = (";", ",", "\t")
_LIST_SEPARATORS = re.compile(r"[;,|\n]")
_LINK_SEPARATORS = re.compile(r"[\s;|]+")


@dataclass(frozen=True)
class Column:
    """A column of the spreadsheet: its name in the template, the import field it fills, the other
    names it is recognised by, and whether it holds a list."""

    name: str
    field: str
    aliases: tuple[str, ...] = ()
    is_list: bool = False
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("ID", "id", ("Kennung",)),
    Column("Titel", "title", ("Projekttitel", "Projektname", "Projekt", "Name"), required=True),
    Column("Kurzbeschreibung", "summary", ("Zusammenfassung", "Kurztext", "Kurzbeschreibung des Projekts"),
           required=True),
    Column("Kommune", "communes", ("Kommunen", "Stadt", "Gemeinde", "Städte"), is_list=True),
    Column("Handlungsfeld", "handlungsfelder", ("Handlungsfelder", "Themenfeld", "Themenfelder"), is_list=True),
    Column("Stand", "status", ("Status", "Projektstand", "Phase")),
    Column("Beginn", "started", ("Start", "Projektbeginn", "Startdatum", "Von")),
    Column("Ende", "ended", ("Projektende", "Enddatum", "Bis")),
    Column("Beschreibung", "description", ("Langbeschreibung", "Projektbeschreibung", "Details")),
    Column("Schlagworte", "tags", ("Schlagwörter", "Stichworte", "Stichwörter", "Tags"), is_list=True),
    Column("Links", "links", ("Link", "Webseite", "Website", "URL", "Internetseite"), is_list=True),
    Column("Ansprechpersonen", "contacts", ("Ansprechperson", "Ansprechpartner", "Ansprechpartnerin"),
           is_list=True),
    Column("Übernommen von", "adapted_from", ("Vorbild", "Übernommen aus", "Nachgenutzt von"), is_list=True),
    Column("Lizenz", "license", ("Lizenz (SPDX)",)),
    Column("Quelle", "source", ("Quellen",)),
)
COLUMN_OF_FIELD = {c.field: c for c in COLUMNS}
_BY_KEY = {fold(n): c for c in COLUMNS for n in (c.name, *c.aliases)}

# Values of "Stand": the import format's own (English) values and the German words the web
# pages show, each case- and umlaut-insensitively.
STATUS_WORDS: dict[str, ProjectStatus] = {
    **{s.value: s for s in ProjectStatus},
    "idee": ProjectStatus.IDEA,
    "planung": ProjectStatus.PLANNING, "in planung": ProjectStatus.PLANNING, "geplant": ProjectStatus.PLANNING,
    "umsetzung": ProjectStatus.IMPLEMENTATION, "in umsetzung": ProjectStatus.IMPLEMENTATION,
    "betrieb": ProjectStatus.OPERATION, "in betrieb": ProjectStatus.OPERATION,
    "abgeschlossen": ProjectStatus.COMPLETED,
    "eingestellt": ProjectStatus.STOPPED, "abgebrochen": ProjectStatus.STOPPED,
}
STATUS_HELP = "Idee, in Planung, in Umsetzung, in Betrieb, abgeschlossen oder eingestellt"
DATE_HELP = "JJJJ, MM.JJJJ, TT.MM.JJJJ, JJJJ-MM oder JJJJ-MM-TT"


class RowProblem(Exception):
    """A cell that cannot be read; the message names the column."""

    def __init__(self, field: str, message: str, code: Code = Code.INVALID) -> None:
        super().__init__(message)
        self.problem = Problem(code, field, message)


# -- reading the file -----------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a spreadsheet export and the encoding it was read as.

    A byte order mark decides; without one, UTF-8 when the bytes are valid UTF-8, else
    Windows-1252 (a file in another encoding that happens to be valid UTF-8 is practically
    impossible for German text). Raises ``UnicodeDecodeError`` for bytes neither can read."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "Windows-1252"


def _line_of(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def read_text(path: Path) -> str:
    raw = read_input(path)
    if len(raw) > MAX_FILE_BYTES:
        raise SchuleError(f"{path}: größer als {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not raw.strip():
        raise SchuleError(f"{path}: die Datei ist leer (erwartet: eine Kopfzeile mit Titel, Kurzbeschreibung, …)")
    try:
        text, _ = decode(raw)
    except UnicodeDecodeError as e:
        line = _line_of(raw, e.start)
        raise ImportValidationError([LineProblem(str(path), line, Problem(
            Code.INVALID, None,
            f"Byte 0x{raw[e.start]:02X} ist weder UTF-8 noch Windows-1252; bitte als „CSV UTF-8“ speichern",
        ))]) from None
    return text


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most known column names (``;`` on a tie:
    what German spreadsheet programs write)."""
    def known(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(fold(c) in _BY_KEY for c in cells), len(cells)
    return max(DELIMITERS, key=lambda d: (known(d), d == ";"))


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[Column, str]


def read_rows(path: Path, text: str) -> tuple[list[Row], list[LineProblem]]:
    """The data rows (cells by column) and the problems of the header and of unreadable rows."""
    name = str(path)
    problems: list[LineProblem] = []
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)

    def header_problem(message: str, field: str | None = None) -> None:
        problems.append(LineProblem(name, 1, Problem(Code.INVALID, field, message)))

    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        header_problem("keine lesbare Kopfzeile")
        return [], problems
    columns: list[Column | None] = []
    seen: dict[Column, str] = {}
    unknown = []
    for cell in header:
        title = cell.strip().rstrip("*").strip()
        column = _BY_KEY.get(fold(title))
        if not title:
            columns.append(None)  # an empty header cell: a spreadsheet's trailing column; its cells must be empty
            continue
        if column is None:
            unknown.append(title)
        elif column in seen:
            header_problem(f"Spalte „{column.name}“ kommt doppelt vor („{seen[column]}“ und „{title}“)", column.field)
        else:
            seen[column] = title
        columns.append(column)
    if unknown:
        known = ", ".join(c.name for c in COLUMNS)
        header_problem(f"unbekannte Spalte(n): {', '.join(f'„{u}“' for u in unknown)}; bekannt sind: {known}")
    for column in COLUMNS:
        if column.required and column not in seen:
            header_problem(f"Pflichtspalte „{column.name}“ fehlt", column.field)
    if problems:
        return [], problems

    rows: list[Row] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(LineProblem(name, start, Problem(Code.INVALID, None, f"Zeile nicht lesbar ({e})")))
            break  # the reader's position is lost; later rows cannot be trusted
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            problems.append(LineProblem(name, start, Problem(
                Code.INVALID, None,
                f"{len(cells)} Zellen, aber nur {len(columns)} Spalten in der Kopfzeile (Trennzeichen "
                f"„{'Tab' if delimiter == chr(9) else delimiter}“; Zellen mit Trennzeichen in Anführungszeichen)",
            )))
            continue
        values: dict[Column, str] = {}
        bad = False
        for column, cell in zip(columns, cells, strict=False):
            reason = text_problem(cell)
            if reason:
                problems.append(LineProblem(name, start, Problem(
                    Code.INVALID, column.field if column else None,
                    f"Spalte „{column.name if column else '(ohne Namen)'}“ {reason}")))
                bad = True
            elif column is None:
                if cell.strip():
                    problems.append(LineProblem(name, start, Problem(
                        Code.INVALID, None, "eine Zelle unter einer Spalte ohne Namen ist nicht leer")))
                    bad = True
            elif cell.strip():
                values[column] = cell.strip()
        if not bad:
            rows.append(Row(start, values))
    return rows, problems


# -- cells to fields ------------------------------------------------------------------------------


def parse_date(text: str) -> str:
    """A spreadsheet date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ValueError if it is none."""
    text = text.strip()
    patterns: list[tuple[str, Callable[[re.Match[str]], tuple[int, int | None, int | None]]]] = [
        (r"(\d{4})", lambda m: (int(m[1]), None, None)),
        (r"(\d{4})-(\d{1,2})", lambda m: (int(m[1]), int(m[2]), None)),
        (r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", lambda m: (int(m[1]), int(m[2]), int(m[3]))),
        (r"(\d{1,2})[./](\d{4})", lambda m: (int(m[2]), int(m[1]), None)),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", lambda m: (int(m[3]), int(m[2]), int(m[1]))),
    ]
    for pattern, parts in patterns:
        m = re.fullmatch(pattern, text)
        if m is None:
            continue
        year, month, day = parts(m)
        date(year, month or 1, day or 1)  # ValueError for 31.02. or month 13
        if month is None:
            return f"{year:04d}"
        return f"{year:04d}-{month:02d}" if day is None else f"{year:04d}-{month:02d}-{day:02d}"
    raise ValueError(text)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]


def split_links(text: str) -> list[str]:
    return [part.strip().rstrip(",") for part in _LINK_SEPARATORS.split(text) if part.strip().rstrip(",")]


def slug(text: str, limit: int = 80) -> str:
    return "-".join(fold(text).split())[:limit].strip("-")


@dataclass
class Lookups:
    """Stored entries that cells may name, plus the projects of this run (for "Übernommen von")."""

    communes: NameIndex
    handlungsfelder: NameIndex
    people: NameIndex
    projects: NameIndex

    @staticmethod
    def load(store: CypherGraphStore) -> Lookups:
        def names(kind: Kind) -> list[tuple[str, str]]:
            return [(e.id, str(getattr(e, "name", ""))) for e in store.iter_entities(kind)]

        return Lookups(
            communes=NameIndex(names(Kind.COMMUNE), communes=True),
            handlungsfelder=NameIndex(names(Kind.HANDLUNGSFELD)),
            people=NameIndex(names(Kind.PERSON)),
            projects=NameIndex([]),  # filled with the stored projects and those of the run
        )


_WHAT = {"communes": "Kommune", "handlungsfelder": "Handlungsfeld", "contacts": "Person",
         "adapted_from": "Projekt"}


def _resolve(index: NameIndex, column: Column, values: list[str]) -> list[str]:
    ids = []
    for value in values:
        match = index.find(value)
        what = _WHAT[column.field]
        if match is None:
            raise RowProblem(column.field, f"Spalte „{column.name}“: {what} „{value}“ nicht gefunden "
                                           "(ID oder Name angeben)", Code.NOT_FOUND)
        if match.id is None:
            raise RowProblem(column.field, f"Spalte „{column.name}“: „{value}“ ist mehrdeutig "
                                           f"({', '.join(match.ambiguous)}); bitte die ID angeben")
        ids.append(match.id)
    return ids


def row_fields(row: Row, lookups: Lookups) -> tuple[dict[str, Any], list[Problem]]:
    """The import-format fields of a row (``id`` still missing if the row has no ID), and the
    problems of its cells, every one of them."""
    fields: dict[str, Any] = {}
    problems: list[Problem] = []
    for column, cell in row.cells.items():
        try:
            _cell_field(fields, column, cell, lookups)
        except RowProblem as e:
            problems.append(e.problem)
    problems += [
        Problem(Code.INVALID, c.field, f"Spalte „{c.name}“ ist leer (Pflichtangabe)")
        for c in COLUMNS if c.required and c not in row.cells
    ]
    return fields, problems


def _cell_field(fields: dict[str, Any], column: Column, cell: str, lookups: Lookups) -> None:
    if column.field in ("communes", "handlungsfelder"):
        index = lookups.communes if column.field == "communes" else lookups.handlungsfelder
        fields[column.field] = _resolve(index, column, split_list(cell))
    elif column.field in ("contacts", "adapted_from"):
        index = lookups.people if column.field == "contacts" else lookups.projects
        fields[column.field] = _resolve(index, column, split_list(cell))
    elif column.field == "status":
        status = STATUS_WORDS.get(fold(cell))
        if status is None:
            raise RowProblem("status", f"Spalte „Stand“: „{cell}“ ist kein Stand; erlaubt: {STATUS_HELP}")
        fields["status"] = status.value
    elif column.field in ("started", "ended"):
        try:
            fields[column.field] = parse_date(cell)
        except ValueError:
            message = f"Spalte „{column.name}“: „{cell}“ ist kein Datum ({DATE_HELP})"
            raise RowProblem(column.field, message) from None
    elif column.field == "links":
        links = split_links(cell)
        bad = [link for link in links if not is_link(link)]
        if bad:
            message = f"Spalte „Links“: „{bad[0]}“ ist keine Adresse mit https://, http:// oder mailto:"
            raise RowProblem("links", message)
        fields["links"] = links
    elif column.is_list:
        fields[column.field] = split_list(cell)
    else:
        fields[column.field] = cell


def derived_id(fields: dict[str, Any]) -> str:
    """A row without ID: the first commune's id and the title, e.g. ``olpe-parksensoren``; the same
    row imported again gets the same id (an update, not a duplicate)."""
    title = slug(str(fields.get("title") or "projekt"))
    communes = fields.get("communes") or []
    if communes and not title.startswith(communes[0] + "-") and title != communes[0]:
        return slug(f"{communes[0]} {title}", 100)
    return title or "projekt"


def _column_message(problem: Problem) -> Problem:
    """A record problem in the words of the spreadsheet: the column's name for the field's."""
    column = COLUMN_OF_FIELD.get(problem.field or "")
    if column is None:
        return problem
    message = problem.message.replace(f"Feld {problem.field!r}", f"Spalte „{column.name}“")
    return Problem(problem.code, problem.field, message)


def parse_csv_files(store: CypherGraphStore, paths: Sequence[Path]) -> tuple[list[Record], list[LineProblem]]:
    problems: list[LineProblem] = []
    read: list[tuple[Path, list[Row]]] = []
    for path in paths:
        rows, row_problems = read_rows(path, read_text(path))
        problems += row_problems
        read.append((path, rows))
    lookups = Lookups.load(store)
    adapted = COLUMN_OF_FIELD["adapted_from"]
    # Every row's fields and id first, so that "Übernommen von" may name a row of the same run.
    parsed: list[tuple[Path, Row, dict[str, Any]]] = []
    for path, rows in read:
        for row in rows:
            fields, cell_problems = row_fields(Row(row.line, {c: v for c, v in row.cells.items() if c != adapted}),
                                               lookups)
            if cell_problems:
                problems += [LineProblem(str(path), row.line, p) for p in cell_problems]
                continue
            fields.setdefault("id", derived_id(fields))
            parsed.append((path, row, fields))
    lookups.projects = NameIndex([
        *((e.id, str(getattr(e, "title", ""))) for e in store.iter_entities(Kind.PROJECT)),
        *((str(f["id"]), str(f.get("title") or "")) for _, _, f in parsed),
    ])
    records: list[Record] = []
    for path, row, fields in parsed:
        try:
            if adapted in row.cells:
                fields["adapted_from"] = _resolve(lookups.projects, adapted, split_list(row.cells[adapted]))
            record = parse_record({"kind": Kind.PROJECT.value, **fields})
        except RowProblem as e:
            problems.append(LineProblem(str(path), row.line, e.problem))
            continue
        except RecordError as e:
            problems.append(LineProblem(str(path), row.line, _column_message(e.problem)))
            continue
        record.file, record.line = str(path), row.line
        records.append(record)
    return records, problems


def import_csv(store: CypherGraphStore, paths: Sequence[Path]) -> ImportResult:
    """Validate every row of every file, then write all projects at once (or nothing)."""
    records, problems = parse_csv_files(store, paths)
    problems += [
        LineProblem(p.file, p.line, _column_message(p.problem)) for p in check_run(records, store)
    ]
    if problems:
        problems.sort(key=lambda p: (p.file, p.line))
        raise ImportValidationError(problems[:MAX_PROBLEMS_REPORTED])
    store.upsert(records)
    return ImportResult(len(records), {Kind.PROJECT.value: len(records)} if records else {})
