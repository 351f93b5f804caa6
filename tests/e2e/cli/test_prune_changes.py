"""``schule prune-changes``: the change log is cut, search keeps finding everything."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli.helpers import run_schule

TESTHAUSEN = {"kind": "commune", "id": "testhausen", "name": "Testhausen"}
PROBSTEI = {"kind": "commune", "id": "probstei", "name": "Probstei am Testsee"}


def test_prune_changes_keeps_the_newest_and_search_still_finds_everything(tmp_path: Path) -> None:
    # given a seeded data dir whose search index is built, and two writes it has not applied yet
    assert run_schule("seed", data_dir=tmp_path).returncode == 0
    assert run_schule("search", "Olpe", "--json", data_dir=tmp_path).returncode == 0
    for record in (TESTHAUSEN, PROBSTEI):
        file = tmp_path / f"{record['id']}.jsonl"
        file.write_text(json.dumps(record) + "\n")
        assert run_schule("import", str(file), data_dir=tmp_path).returncode == 0

    # when the log is pruned to its newest entry (the index never applied the one before)
    pruned = run_schule("prune-changes", "--max", "1", data_dir=tmp_path)

    # then it says what it did, and the index, behind the cut, rebuilds and finds both communes
    assert pruned.returncode == 0, pruned.stderr
    assert "Einträge gelöscht" in pruned.stdout and "behalten: Nr." in pruned.stdout
    again = run_schule("prune-changes", data_dir=tmp_path)
    assert again.returncode == 0 and "0 Einträge gelöscht" in again.stdout
    for query, expected in [("Testhausen", "testhausen"), ("Probstei", "probstei")]:
        found = run_schule("search", query, "--json", data_dir=tmp_path)
        assert found.returncode == 0, found.stderr
        assert [h["id"] for h in json.loads(found.stdout)] == [expected]


def test_bad_retention_is_one_line_and_non_zero(tmp_path: Path) -> None:
    bad_flag = run_schule("prune-changes", "--days", "0", data_dir=tmp_path)
    bad_env = run_schule("prune-changes", data_dir=tmp_path, env={"SCHULE_CHANGE_RETENTION_DAYS": "eine Woche"})

    for result, name in [(bad_flag, "--days"), (bad_env, "SCHULE_CHANGE_RETENTION_DAYS")]:
        assert result.returncode == 1
        assert name in result.stderr
        assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0
