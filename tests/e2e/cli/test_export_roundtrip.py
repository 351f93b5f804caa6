"""``schule export`` writes what ``schule import`` reads back: with line separators in the text, and
after a member's edit sent a shared project back to review (its lessons must not point at it)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli.api import APPROVE, CREATE, add_user, graphql
from tests.e2e.cli.helpers import run_schule
from tests.e2e.trust.test_auth_http import client_for

UPDATE = """mutation($input: UpdateProjectInput!) { updateProject(input: $input) {
  __typename ... on ProjectPayload { project { slug state } } } }"""
PROJECT = "query($id: String!) { project(id: $id) { title summary tags } }"
# Every line break Python's str.splitlines knows besides \n and \r, and more the API accepts.
BREAKS = "\u2028 \u0085 \f \u2029 \x0b \x1c \x1d \x1e"
SHARED = "rahmenstrategie-suedwestfalen-2020"  # five communes; three lessons; adapted by ADAPTED
ADAPTED = "rahmenstrategie-suedwestfalen-neuauflage-2021"


def test_text_with_line_separators_exports_as_one_line_per_record_and_imports_again(tmp_path: Path) -> None:
    # given a project created through the API with every kind of line break in its texts
    source, target = tmp_path / "quelle", tmp_path / "ziel"
    assert run_schule("seed", data_dir=source).returncode == 0
    admin = add_user(source, "adam", "admin")
    title, summary, tag = f"Zeilen{BREAKS}trenner", f"Eins\u2028Zwei\u0085Drei\fVier{BREAKS}Ende", "a\u2029b"
    with client_for(source) as c:
        created = graphql(c, CREATE, admin, input={"id": "trenner", "title": title, "summary": summary,
                                                   "tags": [tag], "communes": ["olpe"]})["createProject"]
        assert created["project"]["state"] == "PUBLISHED"

    # when it is exported and the export imported into an empty data dir
    export = tmp_path / "export.jsonl"
    exported = run_schule("export", str(export), data_dir=source)
    assert exported.returncode == 0, exported.stderr
    imported = run_schule("import", str(export), data_dir=target)

    # then every reader splits the file into the same lines: one record each
    text = export.read_text(encoding="utf-8")
    assert text.splitlines() == text.split("\n")[:-1]
    assert "ü" in text and "\\u00fc" not in text  # umlauts stay readable
    # and the import takes it, with the texts unchanged
    assert imported.returncode == 0, imported.stderr
    with client_for(target) as c:
        assert graphql(c, PROJECT, id="trenner")["project"] == {"title": title, "summary": summary, "tags": [tag]}


def test_lessons_of_a_shared_project_a_member_sent_back_to_review_are_left_out_of_the_export(tmp_path: Path) -> None:
    # given a shared project of five communes, with lessons and a project that adapted it, which a
    # member of one of them edited: it is back in review and no longer published
    source = tmp_path / "quelle"
    assert run_schule("seed", data_dir=source).returncode == 0
    member, moderator = add_user(source, "anna", "member", "--commune", "olpe"), add_user(source, "mona", "moderator")
    with client_for(source) as c:
        edited = graphql(c, UPDATE, member, input={"id": SHARED, "summary": "Neu gefasst."})["updateProject"]
        assert edited["project"]["state"] == "SUBMITTED"

    # when everything published is exported and imported into an empty data dir
    export = tmp_path / "export.jsonl"
    assert run_schule("export", str(export), data_dir=source).returncode == 0
    imported = run_schule("import", str(export), data_dir=tmp_path / "ziel")

    # then the import takes it
    assert imported.returncode == 0, imported.stderr
    records = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    by_id = {r.get("id"): r for r in records}
    # the unpublished project and its lessons are left out; the project that adapted it stays, without
    # the reference
    assert SHARED not in by_id
    assert not [r for r in records if r.get("project") == SHARED]
    assert ADAPTED in by_id and "adapted_from" not in by_id[ADAPTED]

    # and once a moderator approved the edit, project, lessons and reference are exported again
    with client_for(source) as c:
        assert graphql(c, APPROVE, moderator, id=SHARED)["approveEntry"]["state"] == "PUBLISHED"
    again = tmp_path / "wieder.jsonl"
    assert run_schule("export", str(again), data_dir=source).returncode == 0
    records = [json.loads(line) for line in again.read_text(encoding="utf-8").splitlines()]
    assert len([r for r in records if r.get("project") == SHARED]) == 3
    assert {r.get("id"): r for r in records}[ADAPTED]["adapted_from"] == [SHARED]
