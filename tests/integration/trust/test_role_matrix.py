"""Role × operation: every write use case and every sensitive read, for every role, through the
services (the layer GraphQL and the CLI both go through). Each cell's id reads like
``member-own-commune×approve→denied``; the whole matrix is printed at the end of the run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from schule.auth.identity import Identity
from schule.domain.model import Kind, Person, ReviewState
from schule.services import access, accounts, audit, history, membership, merge, moderation
from schule.services.access import TrustError
from tests.integration.trust.conftest import MATRIX
from tests.integration.trust.world import NEW_PROJECT, World

ROLES = ["anonymous", "member-own-commune", "member-other-commune", "moderator", "admin"]


def draft(w: World) -> str:
    """A draft of Olpe's member anna."""
    return moderation.create_entry(w.store, w.member_a, Kind.PROJECT, {"id": "entwurf", **NEW_PROJECT}).id


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
        w.store, who, Kind.PROJECT, {"id": "neu", **NEW_PROJECT}),
    "addLesson(own commune)": lambda w, who: moderation.create_entry(
        w.store, who, Kind.LESSON, {"id": "neue-erkenntnis", "project": "olpe-parken", "title": "Neu",
                                    "text": "Gelernt."}),
    "updateProject(published)": lambda w, who: moderation.edit_entry(
        w.store, who, "olpe-parken", {"summary": "Neu gefasst."}),
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

MEMBER_OWN = {"createProject(own commune)", "addLesson(own commune)", "updateProject(published)",
              "updateProject(draft)", "submit(draft)", "node(id:) of a draft", "history of a draft",
              "person.email/phone (consented)"}
ADMIN_ONLY = {"addAccount", "revokeAccount", "saveHandlungsfeld", "saveNetwork", "joinNetwork"}


def expected(role: str, operation: str) -> str:
    if role == "admin":
        return "allowed"
    if role == "moderator":
        return "denied" if operation in ADMIN_ONLY else "allowed"
    if role == "member-own-commune":
        return "allowed" if operation in MEMBER_OWN else "denied"
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
        moderation.create_entry(world.store, world.member_a, Kind.PROJECT, {**NEW_PROJECT, "id": "x",
                                                                            "communes": ["soest"]})
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
