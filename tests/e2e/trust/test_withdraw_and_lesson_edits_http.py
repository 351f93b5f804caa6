# ruff: noqa: F811
"""The API behind the edit pages, over HTTP (ASGI): ``updateLesson`` (a member's change to a published
lesson waits as a revision), ``withdrawEntry`` (a submission back to draft; one's own open revision
withdrawn; nothing else), and every field problem of one input reported at once."""

from __future__ import annotations

# The accounts and the served app of the shared-entries tests (module fixtures, so this module gets
# its own store); pytest finds fixtures by their names, which the test parameters then repeat.
from tests.e2e.trust.test_shared_entries_http import (  # noqa: F401
    RESULT,
    Api,
    api,
    client,
    data_dir,
    errors,
    tokens,
)

CREATE = f"""mutation($input: CreateProjectInput!) {{ createProject(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state }} }} }} }}"""
UPDATE = f"""mutation($input: UpdateProjectInput!) {{ updateProject(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state }} }} }} }}"""
ADD_LESSON = f"""mutation($input: AddLessonInput!) {{ addLesson(input: $input) {{ {RESULT}
  ... on LessonPayload {{ lesson {{ slug state }} }} }} }}"""
UPDATE_LESSON = f"""mutation($input: UpdateLessonInput!) {{ updateLesson(input: $input) {{ {RESULT}
  ... on LessonPayload {{ lesson {{ slug state title }} }} }} }}"""
WITHDRAW = f"""mutation($id: String!) {{ withdrawEntry(id: $id) {{ {RESULT}
  ... on ModerationPayload {{ state revision {{ state }} }} }} }}"""
APPROVE = f"""mutation($id: String!) {{ approveEntry(id: $id) {{ {RESULT} ... on ModerationPayload {{ state }} }} }}"""
LESSON = "query($id: String!) { lesson(id: $id) { title state pendingRevision { state changes { field new } } } }"
PROJECT = "query($id: String!) { project(id: $id) { state summary pendingRevision { state } } }"


def _lesson(api: dict[str, Api], title: str) -> str:
    project = api["olpe-mitglied"].data(CREATE, {"input": {
        "title": f"Projekt zu {title}", "summary": "Kurz.", "communes": ["olpe"]}})["createProject"]["project"]
    lesson = api["olpe-mitglied"].data(ADD_LESSON, {"input": {
        "project": project["slug"], "title": title, "text": "Lang."}})["addLesson"]["lesson"]
    return str(lesson["slug"])


def test_a_members_change_to_a_published_lesson_waits_as_a_revision(api: dict[str, Api]) -> None:
    # given a published lesson of Olpe
    slug = _lesson(api, "Früh die Datenschutzbeauftragte fragen")
    assert api["pruefer"].data(APPROVE, {"id": slug})["approveEntry"]["state"] == "PUBLISHED"
    # when a member of Olpe changes its title
    result = api["olpe-mitglied"].data(UPDATE_LESSON, {"input": {
        "id": slug, "title": "Ganz früh die Datenschutzbeauftragte fragen"}})["updateLesson"]
    # then everyone still reads the published title, and the change waits for review
    assert result["lesson"] == {"slug": slug, "state": "PUBLISHED", "title": "Früh die Datenschutzbeauftragte fragen"}
    assert api["anonymous"].data(LESSON, {"id": slug})["lesson"]["title"] == "Früh die Datenschutzbeauftragte fragen"
    revision = api["olpe-mitglied"].data(LESSON, {"id": slug})["lesson"]["pendingRevision"]
    assert revision == {"state": "PENDING", "changes": [
        {"field": "title", "new": "Ganz früh die Datenschutzbeauftragte fragen"}]}
    # and a member of another commune may not change it
    refused = api["soest-mitglied"].data(UPDATE_LESSON, {"input": {"id": slug, "title": "Soest"}})["updateLesson"]
    assert [code for code, _ in errors(refused)] == ["FORBIDDEN"]


def test_every_field_problem_of_one_input_comes_back_at_once(api: dict[str, Api]) -> None:
    result = api["olpe-mitglied"].data(CREATE, {"input": {
        "title": " ", "summary": "", "communes": ["olpe"], "started": "Mai 2021", "links": ["www.olpe.de"]}}
    )["createProject"]
    assert errors(result) == [("INVALID", ["input", "title"]), ("INVALID", ["input", "summary"]),
                              ("INVALID", ["input", "started"]), ("INVALID", ["input", "links"])]
    slug = _lesson(api, "Ein Eintrag mit zwei Fehlern")
    result = api["olpe-mitglied"].data(UPDATE_LESSON, {"input": {"id": slug, "title": "", "text": ""}})
    assert errors(result["updateLesson"]) == [("INVALID", ["input", "title"]), ("INVALID", ["input", "text"])]


def test_withdrawing_a_submission_makes_it_a_draft_again_and_only_its_author_may(api: dict[str, Api]) -> None:
    # given a submitted project of Olpe
    slug = api["olpe-mitglied"].data(CREATE, {"input": {
        "title": "Zurückziehen ausprobieren", "summary": "Kurz.", "communes": ["olpe"]}})["createProject"]["project"][
        "slug"]
    # nobody else can withdraw it: they cannot even see it
    for other in ("soest-mitglied", "olpe-kollegin"):
        assert [c for c, _ in errors(api[other].data(WITHDRAW, {"id": slug})["withdrawEntry"])] == ["NOT_FOUND"]
    # its author can, and it is a draft again, out of review
    result = api["olpe-mitglied"].data(WITHDRAW, {"id": slug})["withdrawEntry"]
    assert result == {"__typename": "ModerationPayload", "state": "DRAFT", "revision": None}
    # a draft has nothing to withdraw
    assert errors(api["olpe-mitglied"].data(WITHDRAW, {"id": slug})["withdrawEntry"]) == [("INVALID_STATE", None)]


def test_withdrawing_ones_change_to_a_published_entry_keeps_the_entry(api: dict[str, Api]) -> None:
    slug = api["olpe-mitglied"].data(CREATE, {"input": {
        "title": "Vorschlag zurückziehen", "summary": "Veröffentlicht.", "communes": ["olpe"]}})["createProject"][
        "project"]["slug"]
    api["pruefer"].data(APPROVE, {"id": slug})
    # nothing proposed yet: nothing to withdraw
    assert errors(api["olpe-mitglied"].data(WITHDRAW, {"id": slug})["withdrawEntry"]) == [("INVALID_STATE", None)]
    api["olpe-mitglied"].data(UPDATE, {"input": {"id": slug, "summary": "Geändert."}})
    # another member's withdraw does not touch the author's proposal
    assert errors(api["olpe-kollegin"].data(WITHDRAW, {"id": slug})["withdrawEntry"]) == [("INVALID_STATE", None)]
    result = api["olpe-mitglied"].data(WITHDRAW, {"id": slug})["withdrawEntry"]
    assert result == {"__typename": "ModerationPayload", "state": "PUBLISHED", "revision": {"state": "WITHDRAWN"}}
    assert api["olpe-mitglied"].data(PROJECT, {"id": slug})["project"] == {
        "state": "PUBLISHED", "summary": "Veröffentlicht.", "pendingRevision": None}
