"""Role × operation: every write use case and every sensitive read, for every role, through the
services (the layer GraphQL and the CLI both go through). Each cell's id reads like
``member-own-commune×approve→denied``; the whole matrix is printed at the end of the run.

The roles: anonymous; a member of Olpe (the owning commune of ``olpe-parken`` and author of the
drafts); a member of Menden, Olpe's partner in the shared project ``gemeinsam-funk``; a member of
Soest (no entry in common); a moderator; an admin. Shared projects, pending revisions and history
are cells like any other: what "allowed" means for them is checked inside the cell."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from schule.auth.identity import Identity
from schule.domain.model import Kind, Person, Project, ReviewState
from schule.domain.trust import RevisionState
from schule.services import access, accounts, audit, history, membership, merge, moderation, revisions
from schule.services.access import TrustError
from tests.integration.trust.conftest import MATRIX
from tests.integration.trust.world import NEW_PROJECT, ROLES, SHARED, World


def draft(w: World) -> str:
    """A draft of Olpe's member anna (its id is made by the server)."""
    return moderation.create_entry(w.store, w.member_a, Kind.PROJECT, dict(NEW_PROJECT)).id


def revised(w: World, entity_id: str = "olpe-parken", by: Identity | None = None) -> str:
    """A pending revision of a published project (by anna unless ``by``); returns the project's id."""
    moderation.edit_entry(w.store, by or w.member_a, entity_id, {"summary": "Vorgeschlagen."})
    assert [r.state for r in revisions.open_revisions(w.store, entity_id)] == [RevisionState.PENDING]
    return entity_id


def summary(w: World, entity_id: str) -> str:
    project = w.store.get([entity_id])[entity_id]
    assert isinstance(project, Project)
    return project.summary


def _edit_published(w: World, who: Identity, entity_id: str, changes: dict[str, object]) -> None:
    """A change to a published project: applied for moderators; for members a pending revision,
    with the project still published and unchanged."""
    before = w.store.get([entity_id])[entity_id]
    moderation.edit_entry(w.store, who, entity_id, changes)
    after = w.store.get([entity_id])[entity_id]
    assert after.state == ReviewState.PUBLISHED
    if who.is_moderator:
        assert after != before
    else:
        assert after == before
        assert [r.author for r in revisions.open_revisions(w.store, entity_id)] == [who.account_id]


def _sees_revision(w: World, who: Identity) -> None:
    """Mia (Menden) proposes a change to the shared project: who may see it?"""
    revised(w, SHARED, by=w.member_partner)
    project = w.store.get([SHARED])[SHARED]
    assert isinstance(project, Project)
    if not any(revisions.may_see(who, r, project.communes) for r in w.store.revisions_of([SHARED])):
        raise TrustError(access.Code.NOT_FOUND, "revision not visible")


def _shared_history(w: World) -> str:
    """A project of Olpe and Menden drafted, edited and submitted by anna, approved by mona."""
    entry = moderation.create_entry(w.store, w.member_a, Kind.PROJECT, {**NEW_PROJECT, "communes": ["olpe", "menden"]})
    moderation.edit_entry(w.store, w.member_a, entry.id, {"summary": "Entwurfstext, nie veröffentlicht."})
    moderation.edit_entry(w.store, w.member_a, entry.id, {"summary": NEW_PROJECT["summary"]}, submit=True)
    moderation.approve(w.store, w.moderator, entry.id, "Danke!")
    return entry.id


def _complete_history(w: World, who: Identity) -> None:
    """Allowed: every version with names. Denied: only published ones, without names or notes."""
    shown = history.history(w.store, who, _shared_history(w))
    if all(s.complete for s in shown):
        assert [s.version.action for s in shown] == ["create", "update", "update", "approve"]
        assert all(s.version.author_name for s in shown)
        return
    assert [(s.version.action, s.author) for s in shown] == [("approve", "Moderation")]
    assert all(s.version.author_name is None and s.version.note is None for s in shown)
    assert "Entwurfstext" not in repr(shown)
    raise TrustError(access.Code.FORBIDDEN, "published versions only")


def _model(w: World) -> str:
    return moderation.create_entry(w.store, w.admin, Kind.PROJECT, {
        "id": "soest-parken", "title": "Parken Soest", "summary": "Vorbild.", "communes": ["soest"]}).id


def _record_adaptation(w: World, who: Identity) -> None:
    """Recording that olpe-parken adopted Soest's project: olpe-parken stays published, the model
    is not touched."""
    from schule.services import projects

    model_id = _model(w)
    model_before = w.store.get([model_id])[model_id]
    versions_before = w.store.versions_of([model_id])
    try:
        adopted = projects.record_adaptation(w.store, who, "olpe-parken", model_id)
    except projects.Rejected as e:
        raise TrustError(e.problems[0].code, str(e)) from None
    assert adopted.state == ReviewState.PUBLISHED and model_id in adopted.adapted_from
    assert w.store.get([model_id])[model_id] == model_before
    assert w.store.versions_of([model_id]) == versions_before


def submitted(w: World) -> str:
    return moderation.submit(w.store, w.member_a, draft(w)).id


def _visible(w: World, who: Identity, entity_id: str) -> None:
    if entity_id not in access.visible(w.store, who, [entity_id]):
        raise TrustError(access.Code.NOT_FOUND, "not visible")


def _contact(w: World, who: Identity) -> None:
    person = access.visible(w.store, who, ["erika"])["erika"]
    assert isinstance(person, Person)
    if person.email is None or person.phone is None:
        raise TrustError(access.Code.FORBIDDEN, "contact hidden")


def _duplicate(w: World) -> str:
    dup = moderation.create_entry(w.store, w.admin, Kind.PROJECT,
                                  {"id": "olpe-parken-2", "title": "Parken Olpe", "summary": "Doppelt.",
                                   "communes": ["olpe"]})
    return dup.id


Operation = Callable[[World, Identity], object]
OPERATIONS: dict[str, Operation] = {
    "createProject(own commune)": lambda w, who: moderation.create_entry(
        w.store, who, Kind.PROJECT, dict(NEW_PROJECT)),
    "createProject(adaptedFrom: anna's draft)": lambda w, who: moderation.create_entry(
        w.store, who, Kind.PROJECT, {**NEW_PROJECT, "communes": [who.commune_id or "olpe"],
                                     "adapted_from": [draft(w)]}),
    "addLesson(own commune)": lambda w, who: moderation.create_entry(
        w.store, who, Kind.LESSON, {"project": "olpe-parken", "title": "Neu", "text": "Gelernt."}),
    "updateProject(published)": lambda w, who: _edit_published(w, who, "olpe-parken", {"summary": "Neu gefasst."}),
    "updateProject(shared)": lambda w, who: _edit_published(w, who, SHARED, {"summary": "Neu gefasst."}),
    "updateProject(shared, drop a commune)": lambda w, who: _edit_published(
        w, who, SHARED, {"communes": [who.commune_id or "olpe"]}),
    "recordAdaptation(own published project)": _record_adaptation,
    "approve(revision)": lambda w, who: moderation.approve(w.store, who, revised(w)),
    "reject(revision)": lambda w, who: moderation.reject(w.store, who, revised(w), "Nicht belegt."),
    "requestChanges(revision)": lambda w, who: moderation.request_changes(w.store, who, revised(w), "Quelle?"),
    "pendingRevision of the shared project": _sees_revision,
    "history(shared): every version, with names": _complete_history,
    "updateProject(draft)": lambda w, who: moderation.edit_entry(w.store, who, draft(w), {"summary": "Geändert."}),
    "submit(draft)": lambda w, who: moderation.submit(w.store, who, draft(w)),
    "approve": lambda w, who: moderation.approve(w.store, who, submitted(w)),
    "reject": lambda w, who: moderation.reject(w.store, who, submitted(w), "Kein Bezug zur Region."),
    "requestChanges": lambda w, who: moderation.request_changes(w.store, who, submitted(w), "Bitte Quelle."),
    "retag": lambda w, who: moderation.retag(w.store, who, "olpe-parken", ["bildung"]),
    "merge": lambda w, who: merge.merge(w.store, who, "olpe-parken", _duplicate(w)),
    "reviewQueue": lambda w, who: moderation.review_queue(w.store, who),
    "reviewQueueCount": lambda w, who: moderation.review_queue_count(w.store, who),
    "auditLog": lambda w, who: audit.audit_log(w.store, who),
    "node(id:) of a draft": lambda w, who: _visible(w, who, draft(w)),
    "history of a draft": lambda w, who: history.history(w.store, who, draft(w)),
    "person.email/phone (consented)": _contact,
    "addAccount": lambda w, who: accounts.add_account(w.store, who, "neu", "member", commune="olpe"),
    "revokeAccount": lambda w, who: accounts.revoke_account(w.store, who, "bernd"),
    "saveHandlungsfeld": lambda w, who: membership.save_reference_entry(
        w.store, who, Kind.HANDLUNGSFELD, {"id": "energie", "name": "Energie"}),
    "saveNetwork": lambda w, who: membership.save_reference_entry(
        w.store, who, Kind.NETWORK, {"id": "kreis-soest", "name": "Kreis Soest digital"}),
    "joinNetwork": lambda w, who: membership.join_network(
        w.store, who, commune="soest", network="suedwestfalen", role="mitmacher", basis="council_resolution",
        since="2024-05-02", document="Ratsbeschluss 2024/117"),
}

MEMBER_OWN = {"createProject(own commune)", "createProject(adaptedFrom: anna's draft)", "addLesson(own commune)",
              "updateProject(published)", "updateProject(shared)", "recordAdaptation(own published project)",
              "updateProject(draft)", "submit(draft)", "node(id:) of a draft", "history of a draft",
              "pendingRevision of the shared project", "history(shared): every version, with names",
              "person.email/phone (consented)"}
MEMBER_PARTNER = {"updateProject(shared)", "pendingRevision of the shared project",
                  "history(shared): every version, with names", "person.email/phone (consented)"}
ADMIN_ONLY = {"addAccount", "revokeAccount", "saveHandlungsfeld", "saveNetwork", "joinNetwork"}


def expected(role: str, operation: str) -> str:
    if role == "admin":
        return "allowed"
    if role == "moderator":
        return "denied" if operation in ADMIN_ONLY else "allowed"
    if role == "member-own-commune":
        return "allowed" if operation in MEMBER_OWN else "denied"
    if role == "member-partner-commune":
        return "allowed" if operation in MEMBER_PARTNER else "denied"
    if role == "member-other-commune":
        return "allowed" if operation == "person.email/phone (consented)" else "denied"
    return "denied"


CELLS = [(r, o, expected(r, o)) for o in OPERATIONS for r in ROLES]


@pytest.mark.parametrize(("role", "operation", "outcome"), CELLS, ids=[f"{r}×{o}→{e}" for r, o, e in CELLS])
def test_role_may_or_may_not(world: World, role: str, operation: str, outcome: str) -> None:
    # given a world with a published project of Olpe and accounts for every role
    who = world.role(role)
    # when the role tries the operation
    try:
        OPERATIONS[operation](world, who)
        observed = "allowed"
    except TrustError as e:
        assert e.code in (access.Code.FORBIDDEN, access.Code.NOT_FOUND), f"{operation}: {e.code} {e}"
        observed = "denied"
    MATRIX.append((role, operation, outcome, observed))
    # then it is allowed or denied exactly as the matrix says
    assert observed == outcome


def test_a_denied_write_changes_nothing(world: World) -> None:
    # given another commune's member
    before = world.store.get(["olpe-parken"])["olpe-parken"]
    # when they try to edit Olpe's project
    with pytest.raises(TrustError):
        moderation.edit_entry(world.store, world.member_b, "olpe-parken", {"summary": "Gekapert."})
    # then it is unchanged, and no version was written
    assert world.store.get(["olpe-parken"])["olpe-parken"] == before
    assert world.store.versions_of(["olpe-parken"]) == []


def test_a_member_cannot_move_a_project_into_another_commune(world: World) -> None:
    with pytest.raises(TrustError):
        moderation.create_entry(world.store, world.member_a, Kind.PROJECT, {**NEW_PROJECT, "communes": ["soest"]})
    with pytest.raises(TrustError):
        moderation.edit_entry(world.store, world.member_a, "olpe-parken", {"communes": ["soest"]})


def test_another_communes_draft_is_not_found_by_id(world: World) -> None:
    # given anna's draft
    draft_id = draft(world)
    # when bernd (Soest) asks for it by id, for its history, or tries to submit it
    # then it does not exist for him
    assert access.visible(world.store, world.member_b, [draft_id]) == {}
    for attempt in (lambda: history.history(world.store, world.member_b, draft_id),
                    lambda: moderation.submit(world.store, world.member_b, draft_id)):
        with pytest.raises(TrustError) as caught:
            attempt()
        assert caught.value.code == access.Code.NOT_FOUND
    assert world.store.get([draft_id])[draft_id].state == ReviewState.DRAFT


def test_members_choose_no_ids_and_get_ones_the_server_makes(world: World) -> None:
    # given anna's draft, which bernd cannot see
    hidden = draft(world)
    assert access.visible(world.store, world.member_b, [hidden]) == {}
    # when bernd names its id, or a free one, for a project of his own
    refusals = []
    for taken_or_free in (hidden, "noch-frei"):
        with pytest.raises(TrustError) as caught:
            moderation.create_entry(world.store, world.member_b, Kind.PROJECT,
                                    {**NEW_PROJECT, "id": taken_or_free, "communes": ["soest"]})
        refusals.append((caught.value.code, caught.value.problems))
    # then both are refused alike, on the field `id`
    assert refusals[0] == refusals[1]
    assert refusals[0][0] == access.Code.INVALID and refusals[0][1][0].field == "id"
    # and without one he gets the slug of the title plus a random suffix; moderators choose freely
    made = moderation.create_entry(world.store, world.member_b, Kind.PROJECT, {**NEW_PROJECT, "communes": ["soest"]})
    assert re.fullmatch(r"digitale-schulwegsicherung-[a-z2-7]{6}", made.id)
    chosen = moderation.create_entry(world.store, world.moderator, Kind.PROJECT, {**NEW_PROJECT, "id": "gewaehlt"})
    assert chosen.id == "gewaehlt"


def test_a_revision_grows_with_its_authors_edits_and_blocks_other_accounts(world: World) -> None:
    store = world.store
    published = store.get(["olpe-parken"])["olpe-parken"]
    # given anna's revision of the summary, then of the status
    moderation.edit_entry(store, world.member_a, "olpe-parken", {"summary": "Neu gefasst."})
    moderation.edit_entry(store, world.member_a, "olpe-parken", {"status": "operation"})
    # then one pending revision holds both changes, and the project is untouched
    (revision,) = revisions.open_revisions(store, "olpe-parken")
    assert revision.proposed == {"summary": "Neu gefasst.", "status": "operation"}
    assert store.get(["olpe-parken"])["olpe-parken"] == published
    # when mia (Menden) edits the shared project, nothing waits there; but another Olpe account
    # may not change olpe-parken while anna's revision waits
    _, token = accounts.add_account(store, Identity.system(), "olga", "member", commune="olpe")
    olga = accounts.identity_for_token(store, token)
    assert olga is not None
    with pytest.raises(TrustError) as caught:
        moderation.edit_entry(store, olga, "olpe-parken", {"summary": "Olgas Fassung."})
    assert caught.value.code == access.Code.CONFLICT
    # when a moderator edits another field meanwhile and then approves the revision
    moderation.retag(store, world.moderator, "olpe-parken", ["bildung"])
    moderation.approve(store, world.moderator, "olpe-parken", "Passt.")
    # then the revision is applied on top of the moderator's edit, in one version authored by anna
    after = store.get(["olpe-parken"])["olpe-parken"]
    assert isinstance(after, Project) and after.state == ReviewState.PUBLISHED
    assert (after.summary, after.status.value if after.status else None, after.handlungsfelder) == (
        "Neu gefasst.", "operation", ("bildung",))
    last = store.versions_of(["olpe-parken"])[-1]
    assert (last.action, last.author_name, last.author_commune, last.note) == (
        "approve_revision", "anna", "olpe", "Passt.")
    assert {c.field for c in last.changes} == {"summary", "status"}
    assert [r.state for r in store.revisions_of(["olpe-parken"])] == [RevisionState.APPROVED]
    assert audit.audit_log(store, world.moderator, target="olpe-parken")[0].action == "approve_revision"
    # and now olga may propose hers
    moderation.edit_entry(store, olga, "olpe-parken", {"summary": "Olgas Fassung."})
    assert [r.author_name for r in revisions.open_revisions(store, "olpe-parken")] == ["olga"]


def test_a_rejected_or_returned_revision_leaves_the_entry_and_tells_its_author(world: World) -> None:
    store = world.store
    published = store.get(["olpe-parken"])["olpe-parken"]
    moderation.edit_entry(store, world.member_a, "olpe-parken", {"summary": "Erster Versuch."})
    # sent back: the author sees the reason and edits again, which makes it pending again
    moderation.request_changes(store, world.moderator, "olpe-parken", "Bitte mit Quelle.")
    (back,) = revisions.open_revisions(store, "olpe-parken")
    assert (back.state, back.note) == (RevisionState.CHANGES_REQUESTED, "Bitte mit Quelle.")
    assert [e.id for e in moderation.my_entries(store, world.member_a)] == ["olpe-parken"]
    with pytest.raises(TrustError) as caught:
        moderation.approve(store, world.moderator, "olpe-parken")
    assert caught.value.code == access.Code.INVALID_STATE
    moderation.edit_entry(store, world.member_a, "olpe-parken", {"source": "Ratsvorlage 12/2024"})
    (again,) = revisions.open_revisions(store, "olpe-parken")
    assert again.state == RevisionState.PENDING
    assert again.proposed == {"summary": "Erster Versuch.", "source": "Ratsvorlage 12/2024"}
    # rejected: the entry stays as published, and no version was written
    moderation.reject(store, world.moderator, "olpe-parken", "Nicht belegt.")
    assert store.get(["olpe-parken"])["olpe-parken"] == published
    assert store.versions_of(["olpe-parken"]) == []
    assert [(r.state, r.note) for r in store.revisions_of(["olpe-parken"])] == [
        (RevisionState.REJECTED, "Nicht belegt.")]
    # and the next step on the entry concerns the entry itself again
    with pytest.raises(TrustError) as caught:
        moderation.approve(store, world.moderator, "olpe-parken")
    assert caught.value.code == access.Code.INVALID_STATE
