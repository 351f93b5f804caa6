"""The store contract: every backend (embedded FalkorDB always, Neo4j with NEO4J_URI) behaves alike."""

from __future__ import annotations

import dataclasses

import pytest

from schule.domain.model import Commune, Kind, Lesson, MembershipRole, Project, ProjectStatus, Rel
from schule.domain.records import parse_record
from schule.errors import SchuleError
from schule.store import CypherGraphStore

OLPE = {"kind": "commune", "id": "olpe", "name": "Olpe", "kreis": "Kreis Olpe", "region": "Südwestfalen"}
SOEST = {"kind": "commune", "id": "soest", "name": "Soest", "kreis": "Kreis Soest", "region": "Südwestfalen"}
MOBILITAET = {"kind": "handlungsfeld", "id": "mobilitaet", "name": "Mobilität"}
PARKEN = {"kind": "handlungsfeld", "id": "parken", "name": "Parken", "parent": "mobilitaet"}
SCHULE = {"kind": "network", "id": "sc-schule", "name": "Smart Cities: Schule"}
MEMBER = {"kind": "membership", "commune": "olpe", "network": "sc-schule", "role": "pioneer", "basis": "founding",
          "since": "2020"}
PERSON = {"kind": "person", "id": "anna", "name": "Anna Beispiel", "commune": "olpe", "expertise": ["LoRaWAN"]}
SENSORS = {"kind": "project", "id": "olpe-parksensoren", "title": "Parkplatzsensoren in der Innenstadt",
           "summary": "Sensoren melden freie Parkplätze.", "commune": "olpe", "handlungsfelder": ["parken"],
           "status": "operation", "tags": ["Parken", "LoRaWAN"], "contacts": ["anna"], "started": "2021-05"}
ADAPTED = {"kind": "project", "id": "soest-parksensoren", "title": "Parksensoren Soest", "summary": "Nach Olpe.",
           "communes": ["soest"], "adapted_from": ["olpe-parksensoren"], "status": "planning"}
LESSON = {"kind": "lesson", "id": "funkloecher", "project": "olpe-parksensoren", "title": "Funklöcher prüfen",
          "text": "Vorher die LoRaWAN-Abdeckung messen.", "type": "pitfall", "author": "anna"}
ALL = [OLPE, SOEST, MOBILITAET, PARKEN, SCHULE, MEMBER, PERSON, SENSORS, ADAPTED, LESSON]


def given_graph(store: CypherGraphStore) -> None:
    store.upsert([parse_record(r) for r in ALL])


def test_upsert_then_get_returns_domain_objects_with_references(store: CypherGraphStore) -> None:
    given_graph(store)

    found = store.get(["olpe-parksensoren", "funkloecher", "olpe", "missing"])

    project = found["olpe-parksensoren"]
    assert isinstance(project, Project)
    assert project.status is ProjectStatus.OPERATION
    assert project.communes == ("olpe",)
    assert project.handlungsfelder == ("parken",)
    assert project.contacts == ("anna",)
    assert project.tags == ("Parken", "LoRaWAN")
    assert isinstance(found["funkloecher"], Lesson) and found["funkloecher"].project == "olpe-parksensoren"
    assert isinstance(found["olpe"], Commune) and found["olpe"].kreis == "Kreis Olpe"
    assert "missing" not in found


def test_reimport_updates_instead_of_duplicating(store: CypherGraphStore) -> None:
    given_graph(store)
    before = store.counts()

    changed = dict(SENSORS, title="Parksensoren Innenstadt", handlungsfelder=["mobilitaet"], tags=["Parken"])
    store.upsert([parse_record(changed)])

    assert store.counts() == before
    project = store.get(["olpe-parksensoren"])["olpe-parksensoren"]
    assert project.title == "Parksensoren Innenstadt"
    assert project.handlungsfelder == ("mobilitaet",)  # the old IN_FIELD edge was replaced
    assert project.tags == ("Parken",)
    # relationships other records own towards it survive the update
    assert [e.target for e in store.neighbours(Rel.LEARNED_IN, ["olpe-parksensoren"], incoming=True)] == [
        "funkloecher"
    ]


def test_update_keeps_created_at_and_moves_updated_at(store: CypherGraphStore) -> None:
    given_graph(store)
    first = store.get(["olpe"])["olpe"]

    store.upsert([parse_record(dict(OLPE, website="https://www.olpe.de"))])

    second = store.get(["olpe"])["olpe"]
    assert second.created_at == first.created_at
    assert second.updated_at is not None and first.updated_at is not None
    assert second.updated_at >= first.updated_at


def test_neighbours_in_both_directions(store: CypherGraphStore) -> None:
    given_graph(store)

    adaptations = store.neighbours(Rel.ADAPTED_FROM, ["olpe-parksensoren"], incoming=True)
    members = store.neighbours(Rel.MEMBER_OF, ["sc-schule"], incoming=True)

    assert [e.target for e in adaptations] == ["soest-parksensoren"]
    assert [(e.target, e.props["role"], e.props["since"]) for e in members] == [("olpe", "pioneer", "2020")]


def test_counts_and_memberships(store: CypherGraphStore) -> None:
    given_graph(store)

    counts = store.counts()
    memberships = store.memberships()

    assert counts[Kind.COMMUNE] == 2 and counts[Kind.PROJECT] == 2 and counts["membership"] == 1
    assert memberships[0].role is MembershipRole.PIONEER


def test_export_round_trips_the_import_format(store: CypherGraphStore) -> None:
    given_graph(store)

    exported = list(store.iter_export())

    by_id = {r.get("id", f"{r.get('commune')}@{r.get('network')}"): r for r in exported}
    assert by_id["olpe-parksensoren"]["communes"] == ["olpe"]
    assert by_id["olpe-parksensoren"]["contacts"] == ["anna"]
    assert by_id["anna"]["commune"] == "olpe"
    assert by_id["funkloecher"]["type"] == "pitfall"
    assert by_id["olpe@sc-schule"]["basis"] == "founding"
    for record in exported:
        parse_record(record)  # every exported line is valid import input


def test_every_write_appends_to_the_change_log(store: CypherGraphStore) -> None:
    given_graph(store)
    last = store.last_change()

    store.upsert([parse_record(dict(OLPE, population=24000))])

    changes = store.changes_since(last)
    assert [(c.kind, c.id) for c in changes] == [("commune", "olpe")]
    assert changes[0].seq == last + 1 == store.last_change()


def test_schema_setup_is_idempotent_and_ids_are_unique(store: CypherGraphStore) -> None:
    given_graph(store)

    store.setup()
    store.setup()
    store.upsert([parse_record(OLPE)])

    assert store.kinds_of(["olpe"]) == {"olpe": Kind.COMMUNE}
    assert store.counts()[Kind.COMMUNE] == 2


def test_records_created_outright_equal_upserted_ones(store: CypherGraphStore) -> None:
    # given the same records once upserted and once created as new (the bulk import's path)
    given_graph(store)
    upserted = store.get(["olpe-parksensoren", "soest-parksensoren", "funkloecher", "anna"])
    copies = [dict(r, id=f"neu-{r['id']}") for r in (SENSORS, LESSON)]
    copies[1]["project"] = "neu-olpe-parksensoren"
    store.upsert([parse_record(r) for r in copies], new_ids={"neu-olpe-parksensoren", "neu-funkloecher"})
    created = store.get(["neu-olpe-parksensoren", "neu-funkloecher"])
    # then they carry the same fields and references, are listed and logged like any other write
    assert created["neu-olpe-parksensoren"] == dataclasses.replace(
        upserted["olpe-parksensoren"], id="neu-olpe-parksensoren",
        created_at=created["neu-olpe-parksensoren"].created_at, updated_at=created["neu-olpe-parksensoren"].updated_at,
    )
    assert created["neu-funkloecher"].project == "neu-olpe-parksensoren"
    assert {e.target for e in store.neighbours(Rel.LEARNED_IN, ["neu-olpe-parksensoren"], incoming=True)} == {
        "neu-funkloecher"
    }
    page, total = store.list_page_counted(Kind.PROJECT, {"communes": ["olpe"]}, "title_asc", 0, 10)
    assert total == 2 and {p.id for p in page} == {"olpe-parksensoren", "neu-olpe-parksensoren"}
    assert {c.id for c in store.changes_since(0)} >= {"neu-olpe-parksensoren", "neu-funkloecher"}


def test_creating_an_id_that_exists_meanwhile_changes_nothing(store: CypherGraphStore) -> None:
    # given a record another writer stored after an import found its id absent
    given_graph(store)
    before = store.counts()
    fresh = dict(ADAPTED, id="neu-projekt")
    # when the import creates both outright
    with pytest.raises(SchuleError):
        store.upsert([parse_record(fresh), parse_record(dict(SENSORS, title="Überschrieben"))],
                     new_ids={"neu-projekt", "olpe-parksensoren"})
    # then the batch was undone as a whole: no duplicate, no half of it
    assert store.counts() == before
    assert store.get(["olpe-parksensoren"])["olpe-parksensoren"].title == SENSORS["title"]
    assert "neu-projekt" not in store.get(["neu-projekt"])
