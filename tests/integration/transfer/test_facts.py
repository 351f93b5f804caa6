"""The transfer facts on the real store: brought up to date from the change log, they equal a full
read after every kind of write (import, membership, moderation, merge), hold only published
entries, and fall back to a full read when the log was pruned past them."""

from __future__ import annotations

import pytest

from schule.auth.identity import Identity
from schule.domain.model import Kind, MembershipBasis, MembershipRole
from schule.domain.records import parse_record
from schule.services import accounts, membership, merge, moderation
from schule.services.seeding import seed
from schule.services.transfer import facts as facts_module
from schule.services.transfer.facts import Facts, facts_for, read_all, refreshed
from schule.store import CypherGraphStore
from tests.conftest import SEED_DIR


def same(a: Facts, b: Facts) -> None:
    assert a.seq == b.seq
    assert dict(a.communes) == dict(b.communes)
    assert dict(a.networks) == dict(b.networks)
    assert dict(a.fields) == dict(b.fields)
    assert dict(a.projects) == dict(b.projects)
    assert {c: dict(ms) for c, ms in a.memberships.items()} == {c: dict(ms) for c, ms in b.memberships.items()}
    assert dict(a.adopters) == dict(b.adopters)


def test_changes_are_applied_from_the_change_log_as_a_full_read_would_see_them(
    store: CypherGraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the seed and its facts
    seed(store, SEED_DIR)
    before = facts_for(store)
    same(before, read_all(store))
    assert before.projects["rahmenstrategie-suedwestfalen-2020"].communes == (
        "arnsberg", "bad-berleburg", "menden", "olpe", "soest")
    assert before.adopters["rahmenstrategie-suedwestfalen-2020"] == ("rahmenstrategie-suedwestfalen-neuauflage-2021",)

    # when projects, communes, Handlungsfelder and memberships change in every way the product writes them
    operator = Identity.system()
    store.upsert([parse_record(r) for r in [
        {"kind": "project", "id": "stadtlabor-plettenberg", "title": "Stadtlabor Plettenberg", "summary": "Neu.",
         "commune": "plettenberg", "handlungsfelder": ["bildung"], "status": "planning",
         "adapted_from": ["stadtlabor-soest"], "started": "2024"},
        {"kind": "project", "id": "stadtlabor-menden", "title": "Stadtlabor Menden", "summary": "Läuft.",
         "commune": "menden", "handlungsfelder": ["buergerbeteiligung"], "status": "operation"},
        {"kind": "commune", "id": "herscheid", "name": "Herscheid", "kreis": "Märkischer Kreis",
         "region": "Südwestfalen", "ags": "05962020", "population": 7000},
        {"kind": "handlungsfeld", "id": "open-data", "name": "Offene Daten", "parent": "technologie"},
    ]])
    membership.join_network(store, operator, commune="herscheid", network="smart-cities-schule",
                            role=MembershipRole.MITMACHER, basis=MembershipBasis.LETTER_OF_INTENT, since="2024-03",
                            document="Absichtserklärung des Bürgermeisters")
    _, token = accounts.add_account(store, operator, "herscheid-digital", "member", commune="herscheid")
    member = accounts.identity_for_token(store, token)
    assert member is not None
    draft = moderation.create_entry(store, member, Kind.PROJECT, {
        "title": "Entwurf", "summary": "Noch nicht veröffentlicht.",
        "communes": ["herscheid"], "handlungsfelder": ["open-data"]}, submit=True).id
    merge.merge(store, operator, "stadtlabor-arnsberg", "stadtlabor-iserlohn", "Testweise zusammengeführt.")

    # then the facts brought up to date from the log (no full read) equal a full read
    with monkeypatch.context() as m:
        m.setattr(facts_module, "read_all", lambda store: pytest.fail("read everything instead of the changes"))
        after = refreshed(store, before)
    same(after, read_all(store))
    same(facts_for(store), after)
    # and say what happened: the adaptation, the new Handlungsfeld, the join, the population
    assert after.adopters["stadtlabor-soest"] == ("stadtlabor-plettenberg",)
    assert after.projects["stadtlabor-menden"].status == "operation"
    assert after.closure["open-data"] == ("open-data", "technologie")
    assert after.memberships["herscheid"]["smart-cities-schule"].role == "mitmacher"
    assert after.memberships["herscheid"]["smart-cities-schule"].since == "2024-03"
    assert after.communes["herscheid"].population == 7000
    # and drafts and merged duplicates are no facts; the survivor took the duplicate's commune
    assert draft not in after.projects
    assert "stadtlabor-iserlohn" not in after.projects
    assert after.projects["stadtlabor-arnsberg"].communes == ("arnsberg", "iserlohn")


def test_a_log_pruned_past_the_facts_means_a_full_read(
    store: CypherGraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(store, SEED_DIR)
    before = facts_for(store)
    store.upsert([parse_record({"kind": "project", "id": "neu", "title": "Neu", "summary": "Neu.",
                                "commune": "olpe", "status": "idea"})])
    store.upsert([parse_record({"kind": "project", "id": "neuer", "title": "Neuer", "summary": "Neuer.",
                                "commune": "olpe", "status": "idea"})])
    assert store.prune_changes(keep_last=1) > 0  # the first of the two changes is gone
    full_reads = []
    monkeypatch.setattr(facts_module, "read_all", lambda store: full_reads.append(1) or read_all(store))
    after = refreshed(store, before)
    assert full_reads == [1]
    same(after, read_all(store))
    assert {"neu", "neuer"} <= set(after.projects)
