"""Import: the whole run is validated first; any bad line changes nothing; re-import updates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schule.errors import ImportValidationError, SchuleError
from schule.services.importing import import_files
from schule.store import CypherGraphStore

COMMUNE = {"kind": "commune", "id": "plettenberg", "name": "Plettenberg", "kreis": "Märkischer Kreis"}
NETWORK = {"kind": "network", "id": "rahmenstrategie", "name": "Smart Cities Rahmenstrategie Südwestfalen"}
MEMBERSHIP = {"kind": "membership", "commune": "plettenberg", "network": "rahmenstrategie", "role": "mitmacher",
              "basis": "council_resolution", "since": "2021"}
FIELD = {"kind": "handlungsfeld", "id": "verwaltung", "name": "Verwaltung"}
PROJECT = {"kind": "project", "id": "digitales-rathaus", "title": "Digitales Rathaus", "summary": "Online-Dienste.",
           "commune": "plettenberg", "handlungsfelder": ["verwaltung"], "status": "implementation"}
# The lesson comes before its project on purpose: order in the file does not matter.
LESSON = {"kind": "lesson", "id": "ozg-frueh", "project": "digitales-rathaus", "title": "Früh anfangen",
          "text": "Mit den häufigsten Leistungen beginnen.", "type": "recommendation"}
VALID = [LESSON, COMMUNE, NETWORK, MEMBERSHIP, FIELD, PROJECT]


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


def test_valid_file_loads_and_reimport_changes_no_count(store: CypherGraphStore, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "ok.jsonl", VALID)

    first = import_files(store, [path])
    counts = store.counts()
    import_files(store, [path])

    assert first.records == len(VALID)
    assert store.counts() == counts
    assert counts["commune"] == 1 and counts["membership"] == 1 and counts["lesson"] == 1


def test_bad_lines_are_all_reported_and_nothing_changes(store: CypherGraphStore, tmp_path: Path) -> None:
    import_files(store, [write_jsonl(tmp_path / "base.jsonl", [COMMUNE])])
    before = store.counts()
    lines: list[object] = [
        FIELD,                                                  # 1 ok
        '{"kind": "project", "id": "kaputt", ',                 # 2 broken JSON
        dict(PROJECT, colour="blau"),                           # 3 unknown field
        dict(LESSON, project="gibt-es-nicht"),                  # 4 dangling reference
        dict(COMMUNE, name="Plettenberg (neu)"),                # 5 ok, an update that must not happen
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", lines)

    with pytest.raises(ImportValidationError) as caught:
        import_files(store, [path])

    reported = [str(p) for p in caught.value.problems]
    assert [p.line for p in caught.value.problems] == [2, 3, 4]
    assert reported[0].startswith(f"{path}:2: kein gültiges JSON")
    assert "colour" in reported[1]
    assert "gibt-es-nicht" in reported[2]
    assert store.counts() == before
    assert store.get(["plettenberg"])["plettenberg"].name == "Plettenberg"


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"kind": "kommune", "id": "x", "name": "X"}, "unbekannte Art"),
        (dict(COMMUNE, id="Plettenberg"), "Feld 'id'"),
        (dict(COMMUNE, name=""), "Feld 'name' darf nicht leer sein"),
        ({"kind": "commune", "id": "x"}, "Feld 'name' fehlt"),
        (dict(PROJECT, status="fertig"), "Feld 'status' muss einer dieser Werte sein"),
        (dict(PROJECT, started="März 2021"), "Feld 'started' muss ein Datum"),
        (dict(PROJECT, started="2021-05", ended="2020"), "'ended' liegt vor 'started'"),
        (dict(PROJECT, communes=["plettenberg"]), "entweder 'commune' oder 'communes'"),
        (dict(PROJECT, tags="Parken"), "Feld 'tags' muss eine Liste"),
        (dict(PROJECT, commune="verwaltung"), "ist ein handlungsfeld, erwartet commune"),
        (dict(PROJECT, adapted_from=["digitales-rathaus"]), "verweist auf den Datensatz selbst"),
        (dict(COMMUNE, population=-5), "Feld 'population' muss eine ganze Zahl"),
        (dict(MEMBERSHIP, role="chef"), "Feld 'role' muss einer dieser Werte sein"),
        ([1, 2], "JSON-Objekt"),
    ],
)
def test_each_kind_of_bad_record_is_named(
    store: CypherGraphStore, tmp_path: Path, record: object, expected: str
) -> None:
    others = [r for r in VALID if not (isinstance(record, dict) and r.get("kind") == record.get("kind"))]
    path = write_jsonl(tmp_path / "one.jsonl", [*others, record])

    with pytest.raises(ImportValidationError) as caught:
        import_files(store, [path])

    assert any(expected in str(p) for p in caught.value.problems), caught.value.problems
    assert not any(store.counts().values())


def test_duplicates_and_id_clashes_across_kinds(store: CypherGraphStore, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dup.jsonl", [COMMUNE, COMMUNE, dict(FIELD, id="plettenberg")])

    with pytest.raises(ImportValidationError) as caught:
        import_files(store, [path])

    reasons = [p.reason for p in caught.value.problems]
    assert any("steht schon in" in r for r in reasons)
    assert any("schon als commune vergeben" in r for r in reasons)


def test_id_of_a_stored_record_of_another_kind_is_refused(store: CypherGraphStore, tmp_path: Path) -> None:
    import_files(store, [write_jsonl(tmp_path / "a.jsonl", [COMMUNE])])

    with pytest.raises(ImportValidationError) as caught:
        import_files(store, [write_jsonl(tmp_path / "b.jsonl", [dict(FIELD, id="plettenberg")])])

    assert "gespeicherten commune" in caught.value.problems[0].reason


def test_handlungsfeld_cycles_are_refused(store: CypherGraphStore, tmp_path: Path) -> None:
    import_files(store, [write_jsonl(tmp_path / "a.jsonl", [FIELD, dict(FIELD, id="ozg", name="OZG",
                                                                        parent="verwaltung")])])

    with pytest.raises(ImportValidationError) as caught:
        import_files(store, [write_jsonl(tmp_path / "b.jsonl", [dict(FIELD, parent="ozg")])])

    assert "Kreis" in caught.value.problems[0].reason


def test_references_to_stored_records_and_across_files(store: CypherGraphStore, tmp_path: Path) -> None:
    import_files(store, [write_jsonl(tmp_path / "communes.jsonl", [COMMUNE, NETWORK])])
    files = [write_jsonl(tmp_path / "p.jsonl", [PROJECT, LESSON]), write_jsonl(tmp_path / "f.jsonl", [FIELD])]

    result = import_files(store, files)

    assert result.records == 3
    assert store.get(["digitales-rathaus"])["digitales-rathaus"].communes == ("plettenberg",)


def test_missing_file_is_a_one_line_error(store: CypherGraphStore, tmp_path: Path) -> None:
    with pytest.raises(SchuleError, match="Datei nicht gefunden"):
        import_files(store, [tmp_path / "nope.jsonl"])


def test_blank_lines_and_byte_order_mark_are_tolerated(store: CypherGraphStore, tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(COMMUNE).encode() + b"\n\n   \n")

    assert import_files(store, [path]).records == 1
