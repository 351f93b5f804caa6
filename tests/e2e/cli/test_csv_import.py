"""``schule import --csv``: project lists from spreadsheets, through the command as a user runs it.

Files are written the way spreadsheet programs write them (semicolon with a UTF-8 byte order mark,
comma in Windows-1252, tab-separated UTF-16), and every bad row comes back as ``FILE:LINE: reason``
with nothing changed.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.e2e.cli.helpers import run_schule

HEADER = ["Titel", "Kurzbeschreibung", "Kommune", "Handlungsfeld", "Stand", "Beginn", "Ende", "Beschreibung",
          "Schlagworte", "Links"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("csv-import")
    seeded = run_schule("seed", data_dir=d)
    assert seeded.returncode == 0, seeded.stderr
    return d


def csv_text(rows: list[list[str]], delimiter: str = ";", header: list[str] | None = None) -> str:
    def cell(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value
    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in [header or HEADER, *rows])


def exported(data_dir: Path) -> dict[str, dict[str, Any]]:
    done = run_schule("export", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    return {r["id"]: r for r in records if r["kind"] == "project"}


def test_semicolon_utf8_with_bom_matches_names_and_converts_german_values(data_dir: Path, tmp_path: Path) -> None:
    rows = [
        ["Bürger-App Lüdenscheid", "Eine App für Anliegen.", "LÜDENSCHEID", "buergerbeteiligung", "in Umsetzung",
         "03.2022", "", "Erster Absatz.\n\nZweiter Absatz; mit Semikolon.", "App, Beteiligung",
         "https://www.luedenscheid.de https://example.org/app"],
        ["Gemeinsame Parkplatzsuche", "Freie Plätze in drei Städten.", "Stadt Soest; sundern; Bad-Berleburg",
         "Mobilität, Daten und digitale Infrastruktur", "Betrieb", "15.4.2021", "2023", "", "", ""],
    ]
    path = tmp_path / "liste.csv"
    path.write_bytes(codecs.BOM_UTF8 + csv_text(rows).encode("utf-8"))

    done = run_schule("import", "--csv", str(path), data_dir=data_dir)

    assert done.returncode == 0, done.stderr
    assert "2 Projekt(e)" in done.stdout
    projects = exported(data_dir)
    app = projects["luedenscheid-buerger-app-luedenscheid"]
    assert app["title"] == "Bürger-App Lüdenscheid"
    assert app["communes"] == ["luedenscheid"]
    assert app["handlungsfelder"] == ["buergerbeteiligung"]
    assert app["status"] == "implementation" and app["started"] == "2022-03"
    assert app["description"] == "Erster Absatz.\n\nZweiter Absatz; mit Semikolon."
    assert app["tags"] == ["App", "Beteiligung"]
    assert app["links"] == ["https://www.luedenscheid.de", "https://example.org/app"]
    parking = projects["soest-gemeinsame-parkplatzsuche"]
    assert parking["communes"] == ["bad-berleburg", "soest", "sundern"]
    assert parking["handlungsfelder"] == ["daten-und-digitale-infrastruktur", "mobilitaet"]
    assert (parking["status"], parking["started"], parking["ended"]) == ("operation", "2021-04-15", "2023")


def test_comma_in_windows_1252_keeps_umlauts_and_a_second_import_updates(data_dir: Path, tmp_path: Path) -> None:
    rows = [["Grünflächen-Kataster", "Bäume und Wiesen, digital erfasst.", "Menden", "Umwelt", "Idee", "", "",
             "", "", ""]]
    path = tmp_path / "excel.csv"
    path.write_bytes(csv_text(rows, ",").encode("cp1252"))
    first = run_schule("import", "--csv", str(path), data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    count = len(exported(data_dir))

    rows[0][4] = "in Planung"
    path.write_bytes(csv_text(rows, ",").encode("cp1252"))
    second = run_schule("import", "--csv", str(path), data_dir=data_dir)

    assert second.returncode == 0, second.stderr
    projects = exported(data_dir)
    assert len(projects) == count  # updated, not duplicated
    project = projects["menden-gruenflaechen-kataster"]
    assert project["title"] == "Grünflächen-Kataster"
    assert project["summary"] == "Bäume und Wiesen, digital erfasst."
    assert project["status"] == "planning"


def test_tab_separated_utf16_as_excel_writes_unicode_text(data_dir: Path, tmp_path: Path) -> None:
    rows = [["Smarte Straßenbeleuchtung", "Leuchten dimmen nach Bedarf.", "Wickede", "Energie", "abgeschlossen",
             "2019", "2021", "", "", ""]]
    path = tmp_path / "unicode.txt"
    path.write_bytes(csv_text(rows, "\t").encode("utf-16"))

    done = run_schule("import", "--csv", str(path), data_dir=data_dir)

    assert done.returncode == 0, done.stderr
    project = exported(data_dir)["wickede-smarte-strassenbeleuchtung"]
    assert project["title"] == "Smarte Straßenbeleuchtung"
    assert project["communes"] == ["wickede"] and project["status"] == "completed"


def test_every_bad_row_is_reported_with_file_and_line_and_nothing_changes(data_dir: Path, tmp_path: Path) -> None:
    before = exported(data_dir)
    rows = [
        ["Gut", "Diese Zeile ist in Ordnung.", "Olpe", "", "", "", "", "", "", ""],             # line 2
        ["Mehrzeilig", "Gut.", "Olpe", "", "", "", "", "Zeile eins\nZeile zwei", "", ""],      # lines 3-4
        ["Unbekannte Kommune", "Kurz.", "Atlantis", "", "", "", "", "", "", ""],                # line 5
        ["Falscher Stand", "Kurz.", "Olpe", "", "läuft super", "", "", "", "", ""],             # line 6
        ["Falsches Datum", "Kurz.", "Olpe", "", "", "31.02.2022", "", "", "", ""],              # line 7
        ["Ohne Kurzbeschreibung", "", "Olpe", "", "", "", "", "", "", ""],                      # line 8
        ["Böser Link", "Kurz.", "Olpe", "", "", "", "", "", "", "javascript:alert(1)"],         # line 9
        ["Ende vor Beginn", "Kurz.", "Olpe", "", "", "2022", "2020", "", "", ""],               # line 10
        ["Unbekanntes Feld", "Kurz.", "Olpe", "Raumfahrt", "", "", "", "", "", ""],             # line 11
    ]
    path = tmp_path / "fehler.csv"
    path.write_text(csv_text(rows), encoding="utf-8")

    done = run_schule("import", "--csv", str(path), data_dir=data_dir)

    assert done.returncode == 1
    lines = done.stderr.splitlines()
    expected = {5: "Atlantis", 6: "läuft super", 7: "31.02.2022", 8: "Kurzbeschreibung", 9: "javascript:alert(1)",
                10: "Ende", 11: "Raumfahrt"}
    for line, word in expected.items():
        assert any(entry.startswith(f"{path}:{line}: ") and word in entry for entry in lines), (line, done.stderr)
    assert not any(entry.startswith((f"{path}:2:", f"{path}:3:", f"{path}:4:")) for entry in lines)
    assert "Spalte „Stand“" in done.stderr and "in Betrieb" in done.stderr  # says which values are allowed
    assert "Traceback" not in done.stderr
    assert exported(data_dir) == before


def test_header_problems_are_line_1(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "kopf.csv"
    path.write_text("Titel;Kurzbeschreibng;Farbe\nA;B;rot\n", encoding="utf-8")

    done = run_schule("import", "--csv", str(path), data_dir=data_dir)

    assert done.returncode == 1
    assert f"{path}:1: unbekannte Spalte(n): „Kurzbeschreibng“, „Farbe“" in done.stderr
    assert f"{path}:1: Pflichtspalte „Kurzbeschreibung“ fehlt" in done.stderr


def test_a_name_that_fits_two_communes_asks_for_the_id(data_dir: Path, tmp_path: Path) -> None:
    communes = tmp_path / "neustadt.jsonl"
    communes.write_text(
        json.dumps({"kind": "commune", "id": "neustadt-a", "name": "Neustadt (Wied)"}) + "\n"
        + json.dumps({"kind": "commune", "id": "neustadt-b", "name": "Neustadt (Hessen)"}) + "\n",
        encoding="utf-8",
    )
    assert run_schule("import", str(communes), data_dir=data_dir).returncode == 0
    path = tmp_path / "mehrdeutig.csv"
    path.write_text(csv_text([["Neu", "Kurz.", "Neustadt", "", "", "", "", "", "", ""]]), encoding="utf-8")

    done = run_schule("import", "--csv", str(path), data_dir=data_dir)

    assert done.returncode == 1
    assert f"{path}:2: Spalte „Kommune“: „Neustadt“ ist mehrdeutig (neustadt-a, neustadt-b)" in done.stderr


def test_bytes_that_are_no_text_name_their_line(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "kaputt.csv"
    path.write_bytes(csv_text([["Gut", "Kurz.", "Olpe", "", "", "", "", "", "", ""]]).encode() + b"X;\x81;Olpe\r\n")

    done = run_schule("import", "--csv", str(path), data_dir=data_dir)

    assert done.returncode == 1
    assert f"{path}:3: Byte 0x81" in done.stderr


def test_the_template_in_docs_imports_as_it_is(data_dir: Path) -> None:
    done = run_schule("import", "--csv", str(REPO / "docs" / "vorlage-projekte.csv"), data_dir=data_dir)

    assert done.returncode == 0, done.stderr
    project = exported(data_dir)["luedenscheid-digitaler-bauantrag"]
    assert project["description"].startswith("Antragstellende laden Pläne hoch; die Bauaufsicht prüft digital.\n")
    assert project["handlungsfelder"] == ["verwaltung"] and project["started"] == "2022-03"
