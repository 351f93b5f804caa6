"""``get_with_neighbours``: one round trip that returns what ``get`` and ``neighbours`` return."""

from __future__ import annotations

import itertools

from schule.domain.model import Rel
from schule.domain.records import parse_record
from schule.store import CypherGraphStore
from schule.store.neighbourhood import get_with_neighbours, neighbourhood_query
from tests.integration.store.test_store_contract import ALL

IDS = ["olpe", "soest", "anna", "mobilitaet", "parken", "sc-schule", "olpe-parksensoren", "soest-parksensoren",
       "funkloecher", "missing"]
DIRECTIONS = [(rel, incoming) for rel in Rel for incoming in (False, True)]


def test_it_returns_what_get_and_neighbours_return_in_one_round_trip(store: CypherGraphStore) -> None:
    # given the contract's small graph (a project with a lesson, an adaptation, contacts, a membership)
    store.upsert([parse_record(r) for r in ALL])
    for ids, wanted_ids in [(IDS, IDS), ([], IDS), (IDS[:3], ["olpe-parksensoren"]), (["missing"], ["missing"])]:
        wanted = {d: wanted_ids for d in DIRECTIONS}
        store.calls = 0
        # when entities and the edges of every relation in both directions are asked for at once
        entities, edges = get_with_neighbours(store, ids, wanted)
        # then that is one round trip
        assert store.calls == 1
        # and the entities with those ids are those ``get`` returns (the neighbours come on top)
        expected = store.get(ids)
        assert {i: entities[i] for i in ids if i in entities} == expected
        for direction in DIRECTIONS:
            rel, incoming = direction
            # the edges are those ``neighbours`` returns
            expected_edges = store.neighbours(rel, wanted_ids, incoming=incoming)
            key = lambda e: (e.source, e.target)  # noqa: E731
            assert sorted(edges[direction], key=key) == sorted(expected_edges, key=key), direction
            # and every entity at the other end is there, as ``get`` returns it
            targets = [e.target for e in expected_edges]
            assert {t: entities[t] for t in targets} == store.get(targets)


def test_without_relations_it_is_a_plain_get(store: CypherGraphStore) -> None:
    store.upsert([parse_record(r) for r in ALL])
    entities, edges = get_with_neighbours(store, ["olpe", "missing"], {(Rel.LOCATED_IN, True): []})
    assert entities == store.get(["olpe"])
    assert edges == {(Rel.LOCATED_IN, True): []}


def test_the_query_has_one_part_per_relation_and_only_parameters_for_ids() -> None:
    for directions in itertools.combinations(DIRECTIONS, 3):
        query = neighbourhood_query(True, directions)
        assert query.count("UNION ALL") == 3
        assert {"$ids", "$n1", "$n2", "$n3"} <= set(query.replace(",", " ").split())
