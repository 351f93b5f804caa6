"""``schule export`` writes what ``schule import`` reads back: with line separators in the text; after a
member's edit of a shared project (a pending revision: the published version is exported); and after a
moderator took it out of publication (its lessons must not point at it)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli.api import CREATE, RESULT, STEP, add_user, graphql
from tests.e2e.cli.helpers import run_schule
from tests.e2e.trust.test_auth_http import client_for

UPDATE = """mutation($input: UpdateProjectInput!) { updateProject(input: $input) {
  __typename ... on ProjectPayload { project { slug state } } } }"""
PROJECT = "query($id: String!) { project(id: $id) { title summary tags } }"
REJECT = f'mutation($id: String!) {{ rejectEntry(id: $id, reason: "Veraltet.") {{ {RESULT} ... on {STEP} }} }}'
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


def export_records(source: Path, tmp_path: Path, name: str) -> dict[str | None, list[dict[str, object]]]:
    """Export ``source``, check that an empty data dir imports it, and return its records by id
    (lessons under their project's id as ``lessons:<id>``)."""
    export = tmp_path / f"{name}.jsonl"
    assert run_schule("export", str(export), data_dir=source).returncode == 0
    imported = run_schule("import", str(export), data_dir=tmp_path / f"ziel-{name}")
    assert imported.returncode == 0, imported.stderr
    records = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    by_id: dict[str | None, list[dict[str, object]]] = {}
    for r in records:
        by_id.setdefault(r.get("id"), []).append(r)
        if r.get("kind") == "lesson":
            by_id.setdefault(f"lessons:{r['project']}", []).append(r)
    return by_id


def test_a_shared_project_stays_in_the_export_through_a_members_edit_and_leaves_with_its_lessons_when_rejected(
    tmp_path: Path,
) -> None:
    # given a shared project of five communes, with lessons and a project that adapted it
    source = tmp_path / "quelle"
    assert run_schule("seed", data_dir=source).returncode == 0
    member, moderator = add_user(source, "anna", "member", "--commune", "olpe"), add_user(source, "mona", "moderator")
    published = export_records(source, tmp_path, "vorher")[SHARED][0]["summary"]

    # when a member of one of them edits it: the edit waits for review, the project stays published
    with client_for(source) as c:
        edited = graphql(c, UPDATE, member, input={"id": SHARED, "summary": "Neu gefasst."})["updateProject"]
        assert edited["project"]["state"] == "PUBLISHED"
    # then the export (which the import takes) holds the published version, its lessons and the reference
    records = export_records(source, tmp_path, "bearbeitet")
    assert records[SHARED][0]["summary"] == published
    assert len(records[f"lessons:{SHARED}"]) == 3
    assert records[ADAPTED][0]["adapted_from"] == [SHARED]

    # when a moderator takes it out of publication
    with client_for(source) as c:
        assert graphql(c, REJECT, moderator, id=SHARED)["rejectEntry"]["state"] == "PUBLISHED"  # the revision
        assert graphql(c, REJECT, moderator, id=SHARED)["rejectEntry"]["state"] == "REJECTED"  # then the project
    # then the unpublished project and its lessons are left out; the project that adapted it stays,
    # without the reference, and the import takes it
    records = export_records(source, tmp_path, "abgelehnt")
    assert SHARED not in records and f"lessons:{SHARED}" not in records
    assert ADAPTED in records and "adapted_from" not in records[ADAPTED][0]
