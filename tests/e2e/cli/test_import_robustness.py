"""Hostile and unusual import files through the ``schule import`` command.

Before the error model, each of the hostile lines below crashed the import with a traceback or a raw
FalkorDB message, and valid files with U+2028 / U+0085 inside strings were rejected because lines
were split with ``str.splitlines``. Now every bad line is one ``FILE:LINE: reason``, nothing is
written, and the unusual-but-valid files import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli.helpers import run_schule

GOOD = json.dumps({"kind": "commune", "id": "gute-kommune", "name": "Gute Kommune"})

HOSTILE = {
    "escaped lone surrogate": '{"kind": "commune", "id": "k1", "name": "A\\ud800B"}',
    "escaped NUL": '{"kind": "commune", "id": "k2", "name": "A\\u0000B"}',
    "5,001-digit number": '{"kind": "commune", "id": "k3", "name": "K", "population": ' + "9" * 5001 + "}",
    "number beyond 64 bits": '{"kind": "commune", "id": "k4", "name": "K", "population": 99999999999999999999}',
    "100,000 nested arrays": '{"kind": "commune", "id": "k5", "name": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "NaN": '{"kind": "commune", "id": "k6", "name": "K", "population": NaN}',
    "javascript link": json.dumps({"kind": "project", "id": "p1", "title": "T", "summary": "S",
                                   "links": ["javascript:alert(1)"]}),
    "data website": json.dumps({"kind": "organisation", "id": "o1", "name": "O", "website": "data:text/html,x"}),
}


def stats(data_dir: Path) -> dict[str, int]:
    result = run_schule("stats", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_a_hostile_line_is_one_reason_with_its_line_and_nothing_is_written(tmp_path: Path, case: str) -> None:
    # given a file whose second line is hostile
    path = tmp_path / "feindlich.jsonl"
    path.write_text(GOOD + "\n" + HOSTILE[case] + "\n", encoding="utf-8")

    # when it is imported
    result = run_schule("import", str(path), data_dir=tmp_path / "data")

    # then the second line is named with a reason, without a traceback, and nothing was written
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    reasons = [line for line in result.stderr.splitlines() if line.startswith(f"{path}:")]
    assert len(reasons) == 1 and reasons[0].startswith(f"{path}:2: "), result.stderr
    assert stats(tmp_path / "data").get("commune", 0) == 0


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085"], ids=["U+2028", "U+2029", "U+0085"])
def test_characters_other_line_splitters_break_at_stay_inside_their_string(tmp_path: Path, char: str) -> None:
    # given a valid file with the character raw inside a title (JSON allows it unescaped)
    project = {"kind": "project", "id": "zeilen-test", "title": f"Erste{char}Zweite", "summary": "Kurz"}
    path = tmp_path / "gueltig.jsonl"
    path.write_text(json.dumps(project, ensure_ascii=False) + "\n", encoding="utf-8")
    assert char in path.read_text(encoding="utf-8")

    # when it is imported and exported again
    imported = run_schule("import", str(path), data_dir=tmp_path / "data")
    exported = run_schule("export", data_dir=tmp_path / "data")

    # then it imported, and the title came back unchanged
    assert imported.returncode == 0, imported.stderr
    titles = [json.loads(line)["title"] for line in exported.stdout.split("\n")
              if line.strip() and json.loads(line).get("id") == "zeilen-test"]
    assert titles == [f"Erste{char}Zweite"]


def test_windows_line_ends_and_a_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "windows.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n")

    result = run_schule("import", str(path), data_dir=tmp_path / "data")

    assert result.returncode == 0, result.stderr
    assert stats(tmp_path / "data")["commune"] == 1


def test_a_line_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    latin1 = '{"kind": "commune", "id": "k", "name": "Mühle"}'.encode("latin-1")
    path.write_bytes(GOOD.encode() + b"\n" + latin1 + b"\n")

    result = run_schule("import", str(path), data_dir=tmp_path / "data")

    assert result.returncode == 1
    assert f"{path}:2: kein gültiges UTF-8" in result.stderr
