"""The command line as a user meets it: real processes, real embedded store, one data dir each."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli.helpers import run_schule

PLETTENBERG = {"kind": "commune", "id": "plettenberg-test", "name": "Plettenberg (Test)"}
BROKEN_LINES = [
    json.dumps(PLETTENBERG),
    '{"kind": "commune", "id": ',
    json.dumps({"kind": "commune", "id": "x", "name": "X", "farbe": "rot"}),
    json.dumps({"kind": "project", "id": "p", "title": "P", "summary": "S", "commune": "gibt-es-nicht"}),
]


def stats(data_dir: Path) -> dict[str, int]:
    result = run_schule("stats", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_seed_then_stats_shows_the_region(tmp_path: Path) -> None:
    seeded = run_schule("seed", data_dir=tmp_path)

    counts = stats(tmp_path)

    assert seeded.returncode == 0, seeded.stderr
    assert counts["commune"] >= 83
    assert counts["handlungsfeld"] > 0 and counts["project"] > 0 and counts["person"] > 0
    assert counts["membership"] > 0 and counts["lesson"] > 0


def test_seed_twice_changes_no_count(tmp_path: Path) -> None:
    run_schule("seed", data_dir=tmp_path)
    first = stats(tmp_path)

    run_schule("seed", data_dir=tmp_path)

    assert stats(tmp_path) == first


def test_bad_import_names_each_line_and_changes_nothing(tmp_path: Path) -> None:
    run_schule("seed", data_dir=tmp_path)
    before = stats(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(BROKEN_LINES) + "\n", encoding="utf-8")

    result = run_schule("import", str(bad), data_dir=tmp_path)

    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{bad}:2: ") for line in lines)
    assert any(line.startswith(f"{bad}:3: ") and "farbe" in line for line in lines)
    assert any(line.startswith(f"{bad}:4: ") and "gibt-es-nicht" in line for line in lines)
    assert not any(line.startswith(f"{bad}:1:") for line in lines)
    assert "Traceback" not in result.stderr
    assert stats(tmp_path) == before


def test_export_into_an_empty_data_dir_reproduces_the_counts(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    run_schule("seed", data_dir=source)
    export = tmp_path / "export.jsonl"

    exported = run_schule("export", str(export), data_dir=source)
    imported = run_schule("import", str(export), data_dir=target)

    assert exported.returncode == 0, exported.stderr
    assert imported.returncode == 0, imported.stderr
    assert stats(target) == stats(source)
    again = tmp_path / "again.jsonl"
    run_schule("export", str(again), data_dir=target)
    assert again.read_text(encoding="utf-8") == export.read_text(encoding="utf-8")


def test_missing_file_is_one_line_and_non_zero(tmp_path: Path) -> None:
    result = run_schule("import", str(tmp_path / "fehlt.jsonl"), data_dir=tmp_path)

    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "Datei nicht gefunden" in result.stderr


def test_unusable_data_dir_is_one_line_and_non_zero(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "datei"
    not_a_dir.write_text("kein Ordner")

    result = run_schule("stats", data_dir=not_a_dir)

    assert result.returncode == 1
    assert "SCHULE_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


def test_unreachable_neo4j_is_one_line_and_non_zero(tmp_path: Path) -> None:
    env = {"SCHULE_STORE": "neo4j", "NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"}

    result = run_schule("stats", data_dir=tmp_path, env=env, timeout=90)

    assert result.returncode == 75  # EX_TEMPFAIL: a script may try again later
    assert "Neo4j" in result.stderr and "nicht erreichbar" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


def test_neo4j_without_uri_and_unknown_store_are_config_errors(tmp_path: Path) -> None:
    without_uri = run_schule("stats", data_dir=tmp_path, env={"SCHULE_STORE": "neo4j"})
    unknown = run_schule("stats", data_dir=tmp_path, env={"SCHULE_STORE": "mysql"})

    assert without_uri.returncode == 1 and "NEO4J_URI" in without_uri.stderr
    assert unknown.returncode == 1 and "SCHULE_STORE" in unknown.stderr
