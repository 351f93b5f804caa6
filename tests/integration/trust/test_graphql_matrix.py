"""Role × operation over GraphQL: every moderation mutation, the write mutations, and the reads
that must hide drafts and contact data (``node(id:)``, lookups, nested edges, ``history``), run
in-process through the schema with the Identity the auth middleware would put in the context.
Each cell's id reads like ``member-other-commune×node(draft)→denied``; the matrix is printed at
the end of the run, after the services' matrix. The roles are those of ``test_role_matrix``
(anonymous, members of the owning, a partner and an unrelated commune, moderator, admin); shared
projects, pending revisions and history are cells like any other."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from strawberry import relay

from schule.auth.identity import Identity
from schule.domain.model import Kind, ReviewState
from schule.graphql.context import Context
from schule.graphql.schema import build_schema
from schule.services import moderation
from schule.settings import Settings
from tests.integration.trust.conftest import GRAPHQL_MATRIX
from tests.integration.trust.world import NEW_PROJECT, ROLES, SHARED, World

SCHEMA = build_schema(Settings())

RESULT = "__typename ... on UserErrors { errors { code field message } }"
CREATE = f"""mutation($input: CreateProjectInput!) {{ createProject(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state }} }} }} }}"""
UPDATE = f"""mutation($input: UpdateProjectInput!) {{ updateProject(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state summary communes {{ slug }} }} }} }} }}"""
ADD_LESSON = f"""mutation($input: AddLessonInput!) {{ addLesson(input: $input) {{ {RESULT}
  ... on LessonPayload {{ lesson {{ slug state }} }} }} }}"""
ADAPT = f"""mutation($input: RecordAdaptationInput!) {{ recordAdaptation(input: $input) {{ {RESULT}
  ... on ProjectPayload {{ project {{ slug state }} }} }} }}"""
STEP = "ModerationPayload { state revision { state } entry { ... on Project { slug } ... on Lesson { slug } } }"
ON_STEP = f"{RESULT} ... on {STEP}"
SUBMIT = f"mutation($id: String!) {{ submitEntry(id: $id) {{ {ON_STEP} }} }}"
APPROVE = f"mutation($id: String!) {{ approveEntry(id: $id) {{ {ON_STEP} }} }}"
REJECT = f'mutation($id: String!) {{ rejectEntry(id: $id, reason: "Kein Bezug zur Region.") {{ {ON_STEP} }} }}'
CHANGES = f'mutation($id: String!) {{ requestChanges(id: $id, reason: "Bitte Quelle.") {{ {ON_STEP} }} }}'
RETAG = f'mutation($id: String!) {{ retagEntry(id: $id, handlungsfelder: ["bildung"]) {{ {ON_STEP} }} }}'
MERGE = f"""mutation($dup: String!) {{ mergeEntries(duplicate: $dup, survivor: "olpe-parken") {{ {RESULT}
  ... on {STEP} }} }}"""
QUEUE = "{ reviewQueue { totalCount nodes { ... on Project { slug } } } }"
QUEUE_COUNT = "{ reviewQueueCount }"
AUDIT = "{ auditLog(first: 5) { totalCount nodes { action } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Project { slug state } } }"
PROJECT = "query($id: String!) { project(id: $id) { slug state } }"
COMMUNE_PROJECTS = '{ commune(id: "olpe") { projects { slug } } }'
HISTORY = "query($id: String!) { history(id: $id) { action } }"
PROJECT_HISTORY = "query($id: String!) { project(id: $id) { history { action } } }"
FULL_HISTORY = """query($id: String!) { project(id: $id) { history { action state author authorName authorRole note
  changes { field old new } } } }"""
PENDING = """query($id: String!) { project(id: $id) { summary state communes { slug }
  pendingRevision { state authorName own changes { field old new } } revisions { state } } }"""
PERSON = '{ person(id: "erika") { email phone } }'
NESTED_CONTACT = '{ project(id: "olpe-parken") { contacts { slug email phone } } }'
# reached through an edge: the loaders fetch these people together with the edges (not by id)
COMMUNE_PEOPLE = '{ commune(id: "olpe") { people { slug email phone } } }'
PROJECT_LESSONS = '{ project(id: "olpe-parken") { lessons { slug } } }'
MY = "{ mySubmissions { ... on Project { slug state reviewNote } } }"
MEMBERSHIP = "membership { role basis since document commune { slug } network { slug } }"
JOIN = f"""mutation($input: JoinNetworkInput!) {{ joinNetwork(input: $input) {{ {RESULT}
  ... on JoinNetworkPayload {{ {MEMBERSHIP} }} }} }}"""
SAVE_FIELD = f"""mutation($input: SaveHandlungsfeldInput!) {{ saveHandlungsfeld(input: $input) {{ {RESULT}
  ... on HandlungsfeldPayload {{ handlungsfeld {{ slug name parent {{ slug }} }} }} }} }}"""
SAVE_NETWORK = f"""mutation($input: SaveNetworkInput!) {{ saveNetwork(input: $input) {{ {RESULT}
  ... on NetworkPayload {{ network {{ slug name description }} }} }} }}"""
MEMBERS = """query($roles: [MembershipRole!]) { network(id: "suedwestfalen") { members(roles: $roles) {
  role basis since document commune { slug } } } }"""
SOEST_JOINS = {"commune": "soest", "network": "suedwestfalen", "role": "MITMACHER", "basis": "COUNCIL_RESOLUTION",
               "since": "2024-05-02", "document": "Ratsbeschluss 2024/117"}


class Denied(Exception):
    pass


def run(w: World, who: Identity, query: str, variables: dict[str, Any] | None = None) -> Any:
    context = Context(store=w.store, settings=Settings(), identity=who)
    result = asyncio.run(SCHEMA.execute(query, variable_values=variables, context_value=context))
    if result.errors:
        codes = [(e.extensions or {}).get("code") for e in result.errors]
        if codes == ["FORBIDDEN"] * len(codes):
            raise Denied(result.errors[0].message)
        raise AssertionError(result.errors)
    return result.data


def mutate(w: World, who: Identity, query: str, variables: dict[str, Any], field: str) -> Any:
    payload = run(w, who, query, variables)[field]
    if payload["__typename"] == "UserErrors":
        codes = {e["code"] for e in payload["errors"]}
        assert codes <= {"FORBIDDEN", "NOT_FOUND"}, payload
        raise Denied(payload["errors"][0]["message"])
    return payload


def draft(w: World) -> str:
    """A draft of Olpe's member anna (its id is made by the server)."""
    return moderation.create_entry(w.store, w.member_a, Kind.PROJECT, dict(NEW_PROJECT)).id


def revised(w: World, entity_id: str = "olpe-parken", by: Identity | None = None) -> str:
    """A pending revision of a published project (by anna unless ``by``), made over GraphQL."""
    project = mutate(w, by or w.member_a, UPDATE, {"input": {"id": entity_id, "summary": "Vorgeschlagen."}},
                     "updateProject")["project"]
    assert project["state"] == "PUBLISHED" and project["summary"] != "Vorgeschlagen."
    return entity_id


def _edit_published(w: World, who: Identity, changes: dict[str, Any]) -> None:
    """A change to the shared project: moderators' applies; a member's waits as a revision and the
    project stays as published, for everyone (the member included)."""
    before = run(w, w.role("anonymous"), PENDING, {"id": SHARED})["project"]
    project = mutate(w, who, UPDATE, {"input": {"id": SHARED, **changes}}, "updateProject")["project"]
    after = run(w, w.role("anonymous"), PENDING, {"id": SHARED})["project"]
    assert project["state"] == after["state"] == "PUBLISHED"
    if who.is_moderator:
        assert after != before
        return
    assert after == before and project["summary"] == before["summary"]
    mine = run(w, who, PENDING, {"id": SHARED})["project"]["pendingRevision"]
    assert mine["state"] == "PENDING" and mine["own"] and mine["changes"]


def _sees_pending_revision(w: World, who: Identity) -> None:
    """Mia (Menden) proposes a change to the shared project: who sees it, with the diff?"""
    revised(w, SHARED, by=w.member_partner)
    project = run(w, who, PENDING, {"id": SHARED})["project"]
    if project["pendingRevision"] is None:
        assert project["revisions"] == []
        raise Denied("revision not visible")
    assert project["pendingRevision"]["authorName"] == "mia"
    assert project["pendingRevision"]["changes"] == [
        {"field": "summary", "old": project["summary"], "new": "Vorgeschlagen."}]


def _shared_history(w: World) -> str:
    """A project of Olpe and Menden drafted, edited and submitted by anna, approved by mona."""
    entry = moderation.create_entry(w.store, w.member_a, Kind.PROJECT, {**NEW_PROJECT, "communes": ["olpe", "menden"]})
    mutate(w, w.member_a, UPDATE, {"input": {"id": entry.id, "summary": "Entwurfstext, nie veröffentlicht."}},
           "updateProject")
    mutate(w, w.member_a, UPDATE, {"input": {"id": entry.id, "summary": NEW_PROJECT["summary"], "submit": True}},
           "updateProject")
    run(w, w.moderator, 'mutation($id: String!) { approveEntry(id: $id, note: "Danke!") { __typename } }',
        {"id": entry.id})
    return entry.id


def _complete_history(w: World, who: Identity) -> None:
    """Allowed: every version with names and notes. Denied: published ones only, by "Moderation"."""
    versions = run(w, who, FULL_HISTORY, {"id": _shared_history(w)})["project"]["history"]
    if any(v["authorName"] for v in versions):
        assert [(v["action"], v["authorName"]) for v in versions] == [
            ("create", "anna"), ("update", "anna"), ("update", "anna"), ("approve", "mona")]
        assert versions[-1]["note"] == "Danke!"
        return
    assert [(v["action"], v["state"], v["author"], v["authorRole"], v["note"]) for v in versions] == [
        ("approve", "PUBLISHED", "Moderation", None, None)]
    assert "Entwurfstext" not in repr(versions) and "Danke" not in repr(versions)
    raise Denied("published versions only")


def submitted(w: World) -> str:
    return moderation.submit(w.store, w.member_a, draft(w)).id


def _duplicate(w: World) -> str:
    return moderation.create_entry(w.store, w.admin, Kind.PROJECT, {
        "id": "olpe-parken-2", "title": "Parken Olpe", "summary": "Doppelt.", "communes": ["olpe"]}).id


def _model(w: World) -> str:
    return moderation.create_entry(w.store, w.admin, Kind.PROJECT, {
        "id": "soest-parken", "title": "Parken Soest", "summary": "Vorbild.", "communes": ["soest"]}).id


def _seen(value: Any) -> None:
    if not value:
        raise Denied("not visible")


def _draft_in_commune(w: World, who: Identity) -> None:
    draft_id = draft(w)
    _seen(draft_id in {p["slug"] for p in run(w, who, COMMUNE_PROJECTS)["commune"]["projects"]})


def _draft_lesson(w: World, who: Identity) -> None:
    lesson = moderation.create_entry(w.store, w.member_a, Kind.LESSON, {
        "project": "olpe-parken", "title": "Entwurf", "text": "Noch nicht geprüft."})
    _seen(lesson.id in {x["slug"] for x in run(w, who, PROJECT_LESSONS)["project"]["lessons"]})


def _contact(data: dict[str, Any]) -> None:
    _seen(data["email"] and data["phone"])


def _create(w: World, who: Identity) -> None:
    project = mutate(w, who, CREATE, {"input": dict(NEW_PROJECT)}, "createProject")["project"]
    # members' entries wait for review; moderators' and admins' are published
    assert project["state"] == ("PUBLISHED" if who.is_moderator else "SUBMITTED")


def _decide_revision(w: World, who: Identity, query: str, field: str, state: str) -> None:
    """A moderation step on olpe-parken while anna's revision waits: it decides the revision."""
    payload = mutate(w, who, query, {"id": revised(w)}, field)
    assert payload["state"] == "PUBLISHED" and payload["revision"] == {"state": state}


def _record_adaptation(w: World, who: Identity) -> None:
    """olpe-parken adopted Soest's project: olpe-parken stays published, the model untouched."""
    model = _model(w)
    view = "query($id: String!) { project(id: $id) { state summary adaptations { slug } history { action } } }"
    before = run(w, w.moderator, view, {"id": model})["project"]
    payload = mutate(w, who, ADAPT, {"input": {"project": "olpe-parken", "adaptedFrom": model}}, "recordAdaptation")
    assert payload["project"]["state"] == "PUBLISHED"
    after = run(w, w.moderator, view, {"id": model})["project"]
    assert after == {**before, "adaptations": [{"slug": "olpe-parken"}]}


Operation = Callable[[World, Identity], object]
OPERATIONS: dict[str, Operation] = {
    "createProject": _create,
    "createProject(adaptedFrom: anna's draft)": lambda w, who: mutate(w, who, CREATE, {"input": {
        **NEW_PROJECT, "communes": [who.commune_id or "olpe"], "adaptedFrom": [draft(w)]}}, "createProject"),
    "addLesson": lambda w, who: mutate(w, who, ADD_LESSON, {"input": {
        "project": "olpe-parken", "title": "Neu", "text": "Gelernt."}}, "addLesson"),
    "updateProject(published)": lambda w, who: mutate(
        w, who, UPDATE, {"input": {"id": "olpe-parken", "summary": "Neu gefasst."}}, "updateProject"),
    "updateProject(shared)": lambda w, who: _edit_published(w, who, {"summary": "Neu gefasst."}),
    "updateProject(shared, drop a commune)": lambda w, who: _edit_published(
        w, who, {"communes": [who.commune_id or "olpe"]}),
    "approveEntry(revision)": lambda w, who: _decide_revision(w, who, APPROVE, "approveEntry", "APPROVED"),
    "rejectEntry(revision)": lambda w, who: _decide_revision(w, who, REJECT, "rejectEntry", "REJECTED"),
    "requestChanges(revision)": lambda w, who: _decide_revision(w, who, CHANGES, "requestChanges",
                                                                "CHANGES_REQUESTED"),
    "project.pendingRevision(shared)": _sees_pending_revision,
    "history(shared): every version, with names": _complete_history,
    "updateProject(draft)": lambda w, who: mutate(
        w, who, UPDATE, {"input": {"id": draft(w), "summary": "Geändert."}}, "updateProject"),
    "recordAdaptation": _record_adaptation,
    "submitEntry(draft)": lambda w, who: mutate(w, who, SUBMIT, {"id": draft(w)}, "submitEntry"),
    "approveEntry": lambda w, who: mutate(w, who, APPROVE, {"id": submitted(w)}, "approveEntry"),
    "rejectEntry": lambda w, who: mutate(w, who, REJECT, {"id": submitted(w)}, "rejectEntry"),
    "requestChanges": lambda w, who: mutate(w, who, CHANGES, {"id": submitted(w)}, "requestChanges"),
    "retagEntry": lambda w, who: mutate(w, who, RETAG, {"id": "olpe-parken"}, "retagEntry"),
    "mergeEntries": lambda w, who: mutate(w, who, MERGE, {"dup": _duplicate(w)}, "mergeEntries"),
    "joinNetwork": lambda w, who: mutate(w, who, JOIN, {"input": SOEST_JOINS}, "joinNetwork"),
    "saveHandlungsfeld": lambda w, who: mutate(w, who, SAVE_FIELD, {"input": {
        "id": "energie", "name": "Energie", "parent": "mobilitaet"}}, "saveHandlungsfeld"),
    "saveNetwork": lambda w, who: mutate(w, who, SAVE_NETWORK, {"input": {
        "id": "kreis-soest", "name": "Kreis Soest digital", "description": "Digitale Dörfer."}}, "saveNetwork"),
    "reviewQueue": lambda w, who: run(w, who, QUEUE),
    "reviewQueueCount": lambda w, who: run(w, who, QUEUE_COUNT),
    "auditLog": lambda w, who: run(w, who, AUDIT),
    "node(draft)": lambda w, who: _seen(run(w, who, NODE, {"id": relay.to_base64("Project", draft(w))})["node"]),
    "project(id: draft)": lambda w, who: _seen(run(w, who, PROJECT, {"id": draft(w)})["project"]),
    "commune.projects(draft)": _draft_in_commune,
    "project.lessons(draft)": _draft_lesson,
    "history(draft)": lambda w, who: _seen(run(w, who, HISTORY, {"id": draft(w)})["history"]),
    "person.email/phone": lambda w, who: _contact(run(w, who, PERSON)["person"]),
    "project.contacts.email/phone": lambda w, who: _contact(run(w, who, NESTED_CONTACT)["project"]["contacts"][0]),
    "commune.people.email/phone": lambda w, who: _contact(run(w, who, COMMUNE_PEOPLE)["commune"]["people"][0]),
}

SHARED_ROLES = {"updateProject(shared)", "project.pendingRevision(shared)",
                "history(shared): every version, with names"}
ANY_MEMBER = {"person.email/phone", "project.contacts.email/phone", "commune.people.email/phone"}
MEMBER_OWN = {"createProject", "createProject(adaptedFrom: anna's draft)", "addLesson", "updateProject(published)",
              "updateProject(draft)", "recordAdaptation", "submitEntry(draft)", "node(draft)", "project(id: draft)",
              "commune.projects(draft)", "project.lessons(draft)", "history(draft)"} | SHARED_ROLES | ANY_MEMBER
MEMBER_PARTNER = SHARED_ROLES | ANY_MEMBER
ADMIN_ONLY = {"joinNetwork", "saveHandlungsfeld", "saveNetwork"}


def expected(role: str, operation: str) -> str:
    if role == "admin":
        return "allowed"
    if operation in ADMIN_ONLY:
        return "denied"
    if role == "moderator":
        return "allowed"
    if role == "member-own-commune":
        return "allowed" if operation in MEMBER_OWN else "denied"
    if role == "member-partner-commune":
        return "allowed" if operation in MEMBER_PARTNER else "denied"
    if role == "member-other-commune":
        return "allowed" if operation in ANY_MEMBER else "denied"
    return "denied"


CELLS = [(r, o, expected(r, o)) for o in OPERATIONS for r in ROLES]


@pytest.mark.parametrize(("role", "operation", "outcome"), CELLS, ids=[f"{r}×{o}→{e}" for r, o, e in CELLS])
def test_role_may_or_may_not_over_graphql(world: World, role: str, operation: str, outcome: str) -> None:
    # given a world with a published project of Olpe and accounts for every role
    who = world.role(role)
    # when the role tries the operation through the GraphQL schema
    try:
        OPERATIONS[operation](world, who)
        observed = "allowed"
    except Denied:
        observed = "denied"
    GRAPHQL_MATRIX.append((role, operation, outcome, observed))
    # then it is allowed or denied exactly as the matrix says
    assert observed == outcome


def test_a_member_sees_their_submission_with_the_moderators_note(world: World) -> None:
    # given anna's submission that a moderator sent back
    entry = submitted(world)
    moderation.request_changes(world.store, world.moderator, entry, "Bitte eine Quelle angeben.")
    # when anna asks for her submissions
    mine = run(world, world.member_a, MY)["mySubmissions"]
    # then she sees its state and the note; bernd and anonymous see none of it
    assert {"slug": entry, "state": "CHANGES_REQUESTED", "reviewNote": "Bitte eine Quelle angeben."} in mine
    assert run(world, world.member_b, MY)["mySubmissions"] == []
    assert run(world, world.role("anonymous"), MY)["mySubmissions"] == []


def test_a_merged_id_resolves_to_the_survivor(world: World) -> None:
    # given a duplicate merged into olpe-parken
    duplicate = _duplicate(world)
    mutate(world, world.moderator, MERGE, {"dup": duplicate}, "mergeEntries")
    # when anyone looks the old id up, by our id or as a node
    by_id = run(world, world.role("anonymous"), PROJECT, {"id": duplicate})["project"]
    node = run(world, world.role("anonymous"), NODE, {"id": relay.to_base64("Project", duplicate)})["node"]
    # then they get the survivor
    assert by_id["slug"] == node["slug"] == "olpe-parken"
    assert world.store.get([duplicate])[duplicate].state == ReviewState.MERGED


def test_history_shows_who_changed_which_fields(world: World) -> None:
    # given anna's draft, edited and submitted, then approved
    entry = draft(world)
    mutate(world, world.member_a, UPDATE, {"input": {"id": entry, "summary": "Neu.", "submit": True}}, "updateProject")
    mutate(world, world.moderator, APPROVE, {"id": entry}, "approveEntry")
    # when someone of Olpe reads its history (it is published now)
    query = """query($id: String!) { project(id: $id) { state history { number action state authorName
      changes { field old new } } } }"""
    project = run(world, world.member_a, query, {"id": entry})["project"]
    # then every step is there, with the changed fields old → new
    assert project["state"] == "PUBLISHED"
    steps = [(v["action"], v["state"], v["authorName"]) for v in project["history"]]
    assert steps == [("create", "DRAFT", "anna"), ("update", "SUBMITTED", "anna"), ("approve", "PUBLISHED", "mona")]
    update = project["history"][1]
    assert {"field": "summary", "old": NEW_PROJECT["summary"], "new": "Neu."} in update["changes"]
    assert {"field": "state", "old": "draft", "new": "submitted"} in update["changes"]
    # and the public sees only the step that published it, by "Moderation"
    public = run(world, world.role("anonymous"), query, {"id": entry})["project"]["history"]
    assert [(v["number"], v["action"], v["authorName"]) for v in public] == [(3, "approve", None)]


def test_reject_needs_a_reason_and_wrong_states_are_reported(world: World) -> None:
    entry = submitted(world)
    no_reason = run(world, world.moderator, 'mutation($id: String!) { rejectEntry(id: $id, reason: " ") { '
                    f'{RESULT} }} }}', {"id": entry})["rejectEntry"]
    assert [(e["code"], e["field"]) for e in no_reason["errors"]] == [("REASON_REQUIRED", ["reason"])]
    mutate(world, world.moderator, APPROVE, {"id": entry}, "approveEntry")
    again = run(world, world.moderator, APPROVE, {"id": entry})["approveEntry"]
    assert [e["code"] for e in again["errors"]] == ["INVALID_STATE"]


def test_after_join_network_the_network_lists_the_commune_by_role(world: World) -> None:
    # given Soest, not yet a member of 5 für Südwestfalen
    before = run(world, world.role("anonymous"), MEMBERS, {"roles": ["MITMACHER"]})["network"]["members"]
    assert before == []
    # when the admin records its council resolution
    joined = mutate(world, world.admin, JOIN, {"input": SOEST_JOINS}, "joinNetwork")["membership"]
    assert joined == {"role": "MITMACHER", "basis": "COUNCIL_RESOLUTION", "since": "2024-05-02",
                      "document": "Ratsbeschluss 2024/117", "commune": {"slug": "soest"},
                      "network": {"slug": "suedwestfalen"}}
    # then the network's mitmacher are Soest, with basis, date and document; the pioneers are unchanged
    soest = {"role": "MITMACHER", "basis": "COUNCIL_RESOLUTION", "since": "2024-05-02",
             "document": "Ratsbeschluss 2024/117", "commune": {"slug": "soest"}}
    mitmacher = run(world, world.role("anonymous"), MEMBERS, {"roles": ["MITMACHER"]})["network"]["members"]
    assert mitmacher == [soest]
    pioneers = run(world, world.role("anonymous"), MEMBERS, {"roles": ["PIONEER"]})["network"]["members"]
    assert [(m["commune"]["slug"], m["basis"]) for m in pioneers] == [("olpe", "FOUNDING")]


def test_join_network_without_a_document_is_refused_in_german(world: World) -> None:
    payload = run(world, world.admin, JOIN, {"input": {**SOEST_JOINS, "document": " "}})["joinNetwork"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID", None)]
    assert payload["errors"][0]["message"] == "Datum und Dokument des Beitritts sind anzugeben."
