"""The review workflow end to end on the real store and search index: a member's submission is
searchable only after approval, a rejected one never; history and audit log record every step;
a merge keeps every relationship and the old id resolves to the survivor."""

from __future__ import annotations

import pytest

from schule.domain.model import Kind, Lesson, Project, Rel, ReviewState
from schule.services import access, audit, history, merge, moderation
from schule.services.access import TrustError
from schule.services.search import SearchService
from schule.services.search_sync import SearchSync
from tests.integration.trust.world import NEW_PROJECT, World


def found(sync: SearchSync, query: str) -> list[str]:
    return [h.id for h in SearchService(sync).search(query, limit=50).hits]


def test_a_submission_is_searchable_only_after_approval(world: World, sync: SearchSync) -> None:
    # given a member's draft
    entry = moderation.create_entry(world.store, world.member_a, Kind.PROJECT, dict(NEW_PROJECT))
    schulweg = entry.id
    assert entry.state == ReviewState.DRAFT
    assert schulweg not in found(sync, "Schulwegsicherung")
    # when it is submitted, it is in the review queue but still not in search
    moderation.submit(world.store, world.member_a, schulweg)
    assert [e.id for e in moderation.review_queue(world.store, world.moderator)] == [schulweg]
    assert moderation.review_queue_count(world.store, world.moderator) == 1
    assert schulweg not in found(sync, "Schulwegsicherung")
    # when a moderator approves it
    moderation.approve(world.store, world.moderator, schulweg)
    # then it is published, searchable, and the queue is empty
    assert schulweg in found(sync, "Schulwegsicherung")
    assert moderation.review_queue_count(world.store, world.moderator) == 0


def test_rendering_a_submission_for_the_index_reads_the_store_once(
        world: World, sync: SearchSync, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a member's submission (no search document until it is published)
    schulweg = moderation.create_entry(world.store, world.member_a, Kind.PROJECT, dict(NEW_PROJECT), submit=True).id
    reads: list[str] = []
    real = world.store._read

    def counted(query: str, *args: object, **kwargs: object) -> object:
        reads.append(query)
        return real(query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(world.store, "_read", counted)

    # when the index follower renders it
    docs, deletes = sync.builder.for_ids([schulweg])

    # then it knows from the entry alone that there is nothing to index (and any old document goes),
    # without the lookups a published project needs (communes, fields, adaptations: five more reads)
    assert (docs, deletes) == ([], [f"project:{schulweg}"])
    assert len(reads) == 1


def test_a_rejected_submission_never_appears_in_search(world: World, sync: SearchSync) -> None:
    # given a submitted entry
    schulweg = moderation.create_entry(world.store, world.member_a, Kind.PROJECT, dict(NEW_PROJECT), submit=True).id
    # when a moderator rejects it (a reason is required)
    with pytest.raises(TrustError) as caught:
        moderation.reject(world.store, world.moderator, schulweg, "  ")
    assert caught.value.code == access.Code.REASON_REQUIRED
    rejected = moderation.reject(world.store, world.moderator, schulweg, "Doppelt zu olpe-parken.")
    # then it is rejected with the reason, never searchable, and cannot be approved any more
    assert rejected.state == ReviewState.REJECTED and rejected.review_note == "Doppelt zu olpe-parken."
    assert schulweg not in found(sync, "Schulwegsicherung")
    with pytest.raises(TrustError) as caught:
        moderation.approve(world.store, world.moderator, schulweg)
    assert caught.value.code == access.Code.INVALID_STATE
    sync.rebuild()
    assert schulweg not in found(sync, "Schulwegsicherung")


def test_requested_changes_go_back_to_the_author(world: World, sync: SearchSync) -> None:
    schulweg = moderation.create_entry(world.store, world.member_a, Kind.PROJECT, dict(NEW_PROJECT), submit=True).id
    back = moderation.request_changes(world.store, world.moderator, schulweg, "Bitte eine Quelle angeben.")
    assert back.state == ReviewState.CHANGES_REQUESTED
    edited = moderation.edit_entry(world.store, world.member_a, schulweg, {"source": "Ratsvorlage 2024/12"},
                                   submit=True)
    assert edited.state == ReviewState.SUBMITTED
    moderation.approve(world.store, world.moderator, schulweg)
    assert schulweg in found(sync, "Schulwegsicherung")


def test_a_members_edit_of_published_knowledge_waits_as_a_revision(world: World, sync: SearchSync) -> None:
    # given Olpe's published project, found in search
    changes_before = world.store.last_change()
    assert "olpe-parken" in found(sync, "Parkplatzsensoren")
    # when a member of Olpe renames it
    edited = moderation.edit_entry(world.store, world.member_a, "olpe-parken", {"title": "Funkparkplätze 2.0"})
    # then it stays published and searchable under its published title, and nothing reached the
    # change log the search index follows
    assert edited.state == ReviewState.PUBLISHED and edited.title == "Parkplatzsensoren in Olpe"  # type: ignore[attr-defined]
    assert world.store.last_change() == changes_before
    assert "olpe-parken" in found(sync, "Parkplatzsensoren")
    assert "olpe-parken" not in found(sync, "Funkparkplätze")
    assert moderation.review_queue_count(world.store, world.moderator) == 1
    # when a moderator approves the revision, search finds the new title
    moderation.approve(world.store, world.moderator, "olpe-parken")
    assert "olpe-parken" in found(sync, "Funkparkplätze")
    assert moderation.review_queue_count(world.store, world.moderator) == 0


def test_history_shows_each_change_with_its_author(world: World) -> None:
    # given a draft that is edited, submitted, sent back, resubmitted, approved and retagged
    schulweg = moderation.create_entry(world.store, world.member_a, Kind.PROJECT, dict(NEW_PROJECT)).id
    moderation.edit_entry(world.store, world.member_a, schulweg, {"summary": "Karte der Schulwege."})
    moderation.submit(world.store, world.member_a, schulweg)
    moderation.request_changes(world.store, world.moderator, schulweg, "Status fehlt.")
    moderation.edit_entry(world.store, world.member_a, schulweg, {"status": "planning"}, submit=True)
    moderation.approve(world.store, world.moderator, schulweg)
    moderation.retag(world.store, world.moderator, schulweg, ["bildung"])
    # when the history is read
    versions = history.history(world.store, world.member_a, schulweg)
    # then every change is a version with its author and what changed
    steps = [(v.version.number, v.version.action, v.version.author_name) for v in versions]
    assert steps == [(1, "create", "anna"), (2, "update", "anna"), (3, "submit", "anna"),
                     (4, "request_changes", "mona"), (5, "update", "anna"), (6, "approve", "mona"),
                     (7, "retag", "mona")]
    changed = {v.version.number: {c.field: (c.old, c.new) for c in v.version.changes} for v in versions}
    assert changed[2]["summary"] == (NEW_PROJECT["summary"], "Karte der Schulwege.")
    assert changed[5]["status"] == (None, "planning")
    assert changed[5]["state"] == ("changes_requested", "submitted")
    assert changed[6]["state"] == ("submitted", "published")
    assert changed[7]["handlungsfelder"] == (["mobilitaet"], ["bildung"])
    assert all(v.version.at for v in versions)


def test_the_audit_log_shows_each_moderation_step(world: World) -> None:
    schulweg = moderation.create_entry(world.store, world.member_a, Kind.PROJECT, dict(NEW_PROJECT), submit=True).id
    moderation.request_changes(world.store, world.moderator, schulweg, "Status fehlt.")
    moderation.submit(world.store, world.member_a, schulweg)
    moderation.approve(world.store, world.moderator, schulweg)
    moderation.retag(world.store, world.moderator, schulweg, ["bildung"])
    entries = audit.audit_log(world.store, world.moderator, target=schulweg)
    # newest first; members' own steps (submit) are versions, not audit entries
    assert [(e.action, e.actor_name, e.actor_role) for e in reversed(entries)] == [
        ("request_changes", "mona", "moderator"), ("approve", "mona", "moderator"), ("retag", "mona", "moderator"),
    ]
    assert entries[-1].reason == "Status fehlt."
    assert [e.seq for e in entries] == sorted((e.seq for e in entries), reverse=True)
    # account management by the operator is audited too
    all_entries = audit.audit_log(world.store, world.admin, limit=200)
    assert {e.action for e in all_entries} >= {"addAccount", "request_changes", "approve", "retag"}


def test_a_merge_keeps_every_relationship_and_the_old_id_resolves(world: World, sync: SearchSync) -> None:
    # given a duplicate of olpe-parken with relationships of its own: a commune, a field, a contact,
    # a lesson learned in it, and a project that adapted it
    store, mod = world.store, world.moderator
    moderation.create_entry(store, mod, Kind.PROJECT, {
        "id": "parksensoren-olpe", "title": "Parksensoren Olpe", "summary": "Dasselbe Projekt, doppelt erfasst.",
        "communes": ["olpe", "menden"], "handlungsfelder": ["bildung"], "contacts": ["erika"]})
    moderation.create_entry(store, mod, Kind.LESSON, {
        "id": "sensoren-kalibrieren", "project": "parksensoren-olpe", "title": "Kalibrieren",
        "text": "Sensoren im Winter neu kalibrieren."})
    moderation.create_entry(store, mod, Kind.PROJECT, {
        "id": "soest-parken", "title": "Parken in Soest", "summary": "Übernommen aus Olpe.", "communes": ["soest"],
        "adapted_from": ["parksensoren-olpe"]})
    assert "parksensoren-olpe" in found(sync, "Parksensoren")
    # when a moderator merges the duplicate into olpe-parken
    survivor = merge.merge(store, mod, "olpe-parken", "parksensoren-olpe", "Doppelt erfasst")
    # then every relationship moved to the survivor
    assert isinstance(survivor, Project)
    assert set(survivor.communes) == {"olpe", "menden"}
    assert set(survivor.handlungsfelder) == {"mobilitaet", "bildung"}
    assert survivor.contacts == ("erika",)
    lessons = {e.target for e in store.neighbours(Rel.LEARNED_IN, ["olpe-parken"], incoming=True)}
    assert lessons == {"olpe-parken-funk", "sensoren-kalibrieren"}
    lesson = store.get(["sensoren-kalibrieren"])["sensoren-kalibrieren"]
    assert isinstance(lesson, Lesson) and lesson.project == "olpe-parken"
    adapted = store.get(["soest-parken"])["soest-parken"]
    assert isinstance(adapted, Project) and adapted.adapted_from == ("olpe-parken",)
    # and the duplicate has none left, and its id resolves to the survivor for everyone
    assert store.neighbour_ids("parksensoren-olpe") == {}
    assert merge.resolve(store, "parksensoren-olpe") == "olpe-parken"
    seen = access.visible(store, world.member_b, ["parksensoren-olpe"])
    assert seen["parksensoren-olpe"].id == "olpe-parken"
    # search knows only the survivor
    hits = found(sync, "Parksensoren Olpe")
    assert "parksensoren-olpe" not in hits and "olpe-parken" in hits
    # history and audit record the merge
    assert history.history(store, mod, "parksensoren-olpe")[-1].version.action == "merge"
    assert audit.audit_log(store, mod, target="olpe-parken")[0].details["duplicate"] == "parksensoren-olpe"


def test_merging_again_follows_the_chain(world: World) -> None:
    store, mod = world.store, world.moderator
    for i in (2, 3):
        moderation.create_entry(store, mod, Kind.PROJECT, {"id": f"parken-{i}", "title": f"Parken {i}",
                                                          "summary": "Doppelt.", "communes": ["olpe"]})
    merge.merge(store, mod, "parken-2", "parken-3")
    merge.merge(store, mod, "olpe-parken", "parken-2")
    assert store.resolve_ids(["parken-2", "parken-3"]) == {"parken-2": "olpe-parken", "parken-3": "olpe-parken"}
    with pytest.raises(TrustError):
        merge.merge(store, mod, "olpe-parken", "parken-3")  # already merged
    with pytest.raises(TrustError):
        merge.merge(store, mod, "olpe-parken", "erika")     # another kind


def test_contact_data_is_shown_only_to_members_and_only_with_consent(world: World) -> None:
    from schule.auth.identity import ANONYMOUS
    from schule.domain.records import parse_record

    world.store.upsert([parse_record({"kind": "person", "id": "otto", "name": "Otto", "email": "otto@x.de",
                                      "phone": "1"})])
    anonymous = access.visible(world.store, ANONYMOUS, ["erika", "otto"])
    member = access.visible(world.store, world.member_b, ["erika", "otto"])
    assert anonymous["erika"].email is None and anonymous["erika"].phone is None  # type: ignore[attr-defined]
    assert member["erika"].email == "erika@olpe.de"  # type: ignore[attr-defined]
    assert member["otto"].email is None and member["otto"].phone is None  # type: ignore[attr-defined]
