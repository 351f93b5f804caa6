"""Mutations: happy paths, and every error code as a typed result."""

from __future__ import annotations

from typing import Any

from schule.settings import Settings
from schule.store import CypherGraphStore
from tests.integration.graphql.conftest import TOKEN, Client

RESULT = """
  __typename
  ... on UserErrors { errors { code field message } }
"""
CREATE = f"""
mutation($input: CreateProjectInput!) {{
  createProject(input: $input) {{
    {RESULT}
    ... on ProjectPayload {{ project {{ id slug title status communes {{ slug }} handlungsfelder {{ slug }} }} }}
  }}
}}
"""
UPDATE = f"""
mutation($input: UpdateProjectInput!) {{
  updateProject(input: $input) {{
    {RESULT}
    ... on ProjectPayload {{ project {{ slug title summary description status tags communes {{ slug }} }} }}
  }}
}}
"""
ADD_LESSON = f"""
mutation($input: AddLessonInput!) {{
  addLesson(input: $input) {{
    {RESULT}
    ... on LessonPayload {{ lesson {{ slug title type project {{ slug lessons {{ slug }} }} author {{ slug }} }} }}
  }}
}}
"""
ADAPT = f"""
mutation($input: RecordAdaptationInput!) {{
  recordAdaptation(input: $input) {{
    {RESULT}
    ... on ProjectPayload {{ project {{ slug adaptedFrom {{ slug adaptations {{ slug }} }} }} }}
  }}
}}
"""
CHANGES = "query { projects(first: 100) { totalCount } }"
NEW_PROJECT = {
    "title": "Parksensoren in Olpe",
    "summary": "Sensoren zeigen freie Parkplätze in der Innenstadt.",
    "communes": ["olpe"],
    "handlungsfelder": ["mobilitaet"],
    "status": "IMPLEMENTATION",
    "started": "2022-04",
}


def errors(result: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    assert result["__typename"] == "UserErrors", result
    return [(e["code"], e["field"]) for e in result["errors"]]


def test_create_project_derives_id_and_writes_the_change_log(client: Client, seeded: CypherGraphStore) -> None:
    # given
    before = seeded.last_change()
    # when
    result = client.data(CREATE, {"input": NEW_PROJECT}, token=TOKEN)["createProject"]
    # then
    project = result["project"]
    assert project["slug"] == "parksensoren-in-olpe"
    assert project["status"] == "IMPLEMENTATION"
    assert [c["slug"] for c in project["communes"]] == ["olpe"]
    assert seeded.last_change() == before + 1
    olpe = client.data('{ commune(id: "olpe") { projects { slug } } }')["commune"]
    assert "parksensoren-in-olpe" in {p["slug"] for p in olpe["projects"]}
    # and the same title again gets the next free id
    again = client.data(CREATE, {"input": NEW_PROJECT}, token=TOKEN)["createProject"]
    assert again["project"]["slug"] == "parksensoren-in-olpe-2"


def test_update_project_changes_only_given_fields(client: Client) -> None:
    result = client.data(
        UPDATE,
        {"input": {"id": "stadtlabor-soest", "status": "OPERATION", "tags": ["Stadtlabor"], "description": None}},
        token=TOKEN,
    )["updateProject"]
    p = result["project"]
    assert p["status"] == "OPERATION" and p["tags"] == ["Stadtlabor"] and p["description"] is None
    assert p["title"] == "Stadtlabor Soest" and [c["slug"] for c in p["communes"]] == ["soest"]


def test_add_lesson_appears_on_its_project(client: Client) -> None:
    lesson_input = {
        "project": "stadtlabor-soest",
        "title": "Früh mit der Politik sprechen",
        "text": "Ein Ratsbeschluss vorab gibt dem Stadtlabor Rückhalt.",
        "type": "RECOMMENDATION",
        "author": "stephanie-arens",
    }
    lesson = client.data(ADD_LESSON, {"input": lesson_input}, token=TOKEN)["addLesson"]["lesson"]
    assert lesson["slug"] == "frueh-mit-der-politik-sprechen"
    assert lesson["type"] == "RECOMMENDATION" and lesson["author"]["slug"] == "stephanie-arens"
    assert lesson["slug"] in {x["slug"] for x in lesson["project"]["lessons"]}


def test_record_adaptation_links_both_directions(client: Client) -> None:
    result = client.data(
        ADAPT, {"input": {"project": "stadtlabor-iserlohn", "adaptedFrom": "stadtlabor-soest"}}, token=TOKEN
    )["recordAdaptation"]
    model = next(p for p in result["project"]["adaptedFrom"] if p["slug"] == "stadtlabor-soest")
    assert "stadtlabor-iserlohn" in {a["slug"] for a in model["adaptations"]}
    # recording it twice is reported, not repeated
    again = client.data(
        ADAPT, {"input": {"project": "stadtlabor-iserlohn", "adaptedFrom": "stadtlabor-soest"}}, token=TOKEN
    )["recordAdaptation"]
    assert errors(again) == [("DUPLICATE", ["input", "adaptedFrom"])]


def test_forbidden_without_or_with_a_wrong_token(client: Client) -> None:
    for token in (None, "falsch"):
        result = client.data(CREATE, {"input": NEW_PROJECT}, token=token)["createProject"]
        assert errors(result) == [("FORBIDDEN", None)]
    assert client.data(CHANGES)["projects"]["totalCount"] == 9  # nothing was written


def test_anonymous_writes_are_refused_even_without_a_configured_token(
    schema: Any, seeded: CypherGraphStore, store_settings: Settings
) -> None:
    # writes need an identity now: an account token, a session, or the operator's SCHULE_WRITE_TOKEN
    open_client = Client(schema, seeded, store_settings.with_(write_token=None))
    result = open_client.data(CREATE, {"input": NEW_PROJECT})["createProject"]
    assert errors(result) == [("FORBIDDEN", None)]


def test_the_operator_token_publishes_directly_and_writes_a_version(client: Client) -> None:
    # SCHULE_WRITE_TOKEN acts as an admin: the project is published at once, with its first version
    project = client.data(CREATE, {"input": NEW_PROJECT}, token=TOKEN)["createProject"]["project"]
    query = 'query($id: String!) { project(id: $id) { state history { action author authorName } } }'
    found = client.data(query, {"id": project["slug"]}, token=TOKEN)["project"]
    assert found["state"] == "PUBLISHED"
    assert [(v["action"], v["authorName"]) for v in found["history"]] == [("create", "Betrieb (SCHULE_WRITE_TOKEN)")]
    # the public sees the step too, as one of the moderation, without the account's name
    public = client.data(query, {"id": project["slug"]})["project"]["history"]
    assert public == [{"action": "create", "author": "Moderation", "authorName": None}]


def test_invalid_values(client: Client) -> None:
    bad_date = client.data(CREATE, {"input": {**NEW_PROJECT, "started": "2022-13"}}, token=TOKEN)["createProject"]
    assert errors(bad_date) == [("INVALID", ["input", "started"])]
    assert "JJJJ" in bad_date["errors"][0]["message"]
    bad_id = client.data(CREATE, {"input": {**NEW_PROJECT, "id": "Groß Buchstaben"}}, token=TOKEN)["createProject"]
    assert errors(bad_id) == [("INVALID", ["input", "id"])]
    cleared = client.data(UPDATE, {"input": {"id": "stadtlabor-soest", "title": None}}, token=TOKEN)["updateProject"]
    assert errors(cleared) == [("INVALID", ["input", "title"])]
    self_adapt = client.data(
        ADAPT, {"input": {"project": "stadtlabor-soest", "adaptedFrom": "stadtlabor-soest"}}, token=TOKEN
    )["recordAdaptation"]
    assert errors(self_adapt) == [("INVALID", ["input", "adaptedFrom"])]
    wrong_kind = client.data(CREATE, {"input": {**NEW_PROJECT, "communes": ["mobilitaet"]}}, token=TOKEN)
    assert errors(wrong_kind["createProject"]) == [("INVALID", ["input", "communes"])]


def test_not_found(client: Client) -> None:
    unknown_ref = client.data(
        CREATE, {"input": {**NEW_PROJECT, "handlungsfelder": ["gibt-es-nicht"]}}, token=TOKEN
    )["createProject"]
    assert errors(unknown_ref) == [("NOT_FOUND", ["input", "handlungsfelder"])]
    missing = client.data(UPDATE, {"input": {"id": "gibt-es-nicht", "title": "x"}}, token=TOKEN)["updateProject"]
    assert errors(missing) == [("NOT_FOUND", ["input", "id"])]
    lesson = client.data(
        ADD_LESSON, {"input": {"project": "gibt-es-nicht", "title": "t", "text": "t"}}, token=TOKEN
    )["addLesson"]
    assert errors(lesson) == [("NOT_FOUND", ["input", "project"])]
    adapt = client.data(
        ADAPT, {"input": {"project": "gibt-es-nicht", "adaptedFrom": "stadtlabor-soest"}}, token=TOKEN
    )["recordAdaptation"]
    assert errors(adapt) == [("NOT_FOUND", ["input", "project"])]


def test_duplicate_ids(client: Client) -> None:
    taken_by_project = client.data(CREATE, {"input": {**NEW_PROJECT, "id": "stadtlabor-soest"}}, token=TOKEN)
    assert errors(taken_by_project["createProject"]) == [("DUPLICATE", ["input", "id"])]
    taken_by_commune = client.data(CREATE, {"input": {**NEW_PROJECT, "id": "olpe"}}, token=TOKEN)
    assert errors(taken_by_commune["createProject"]) == [("DUPLICATE", ["input", "id"])]
