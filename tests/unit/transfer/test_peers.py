"""Why peers come in the order they do: each test changes one term of the formula in ``peers.py``
(0.40 size + 0.20 Kreis + 0.10 region + 0.15 networks + 0.15 Handlungsfelder) and checks the order
and the score it gives."""

from __future__ import annotations

import math

import pytest

from schule.services.transfer.facts import CommuneFact, Facts, FieldFact, MembershipFact, ProjectFact
from schule.services.transfer.peers import rank_peers, size_similarity

HOME = CommuneFact("home", "Heimatstadt", "Kreis A", "Region 1", 20_000)


def facts(*communes: CommuneFact, projects: tuple[ProjectFact, ...] = (),
          memberships: tuple[MembershipFact, ...] = ()) -> Facts:
    return Facts.of(
        communes=[HOME, *communes], projects=projects, memberships=memberships,
        fields=[FieldFact("umwelt", "Umwelt"), FieldFact("energie", "Energie", "umwelt"),
                FieldFact("bildung", "Bildung")],
        networks={"netz": "Netz", "ring": "Ring"},
    )


def test_size_similarity_is_one_at_equal_size_and_zero_at_half_or_double() -> None:
    assert size_similarity(20_000, 20_000) == 1
    assert size_similarity(20_000, 40_000) == 0 and size_similarity(20_000, 10_000) == 0
    assert size_similarity(20_000, 40_001) is None and size_similarity(20_000, 9_999) is None
    assert size_similarity(20_000, 28_284) == pytest.approx(0.5, abs=1e-4)  # sqrt(2) times: halfway


def test_only_communes_between_half_and_double_the_size_are_peers() -> None:
    found = rank_peers(facts(
        CommuneFact("half", "Halb", population=10_000), CommuneFact("double", "Doppelt", population=40_000),
        CommuneFact("small", "Klein", "Kreis A", "Region 1", 9_999),  # same Kreis, still too small
        CommuneFact("big", "Groß", "Kreis A", "Region 1", 40_001),
        CommuneFact("unknown", "Ohne Zahl", "Kreis A", "Region 1"),  # size unknown: no peer
    ), "home", 10)
    assert sorted(p.commune for p in found) == ["double", "half"]
    assert all(p.score == 0 for p in found)  # at the edge of the window size adds nothing


def test_size_weighs_most_but_a_shared_kreis_and_region_outweigh_a_small_size_difference() -> None:
    same_size = CommuneFact("same-size", "Gleich", "Kreis B", "Region 2", 20_000)
    neighbour = CommuneFact("neighbour", "Nachbar", "Kreis A", "Region 1", 26_000)
    far_neighbour = CommuneFact("far-neighbour", "Ferner Nachbar", "Kreis A", "Region 1", 38_000)

    found = rank_peers(facts(same_size, neighbour, far_neighbour), "home", 3)

    size = 1 - math.log(26_000 / 20_000) / math.log(2)
    far_size = 1 - math.log(38_000 / 20_000) / math.log(2)
    assert [(p.commune, p.score) for p in found] == [
        ("neighbour", round(0.4 * size + 0.2 + 0.1, 4)),  # 0.5486: close in size, same Kreis and region
        ("same-size", 0.4),  # the same size, nothing else in common
        ("far-neighbour", round(0.4 * far_size + 0.2 + 0.1, 4)),  # 0.3296: same Kreis, almost double the size
    ]
    assert found[0].reasons == ("ähnliche Größe (20.000 / 26.000 Einwohner)", "ebenfalls eine kleinere Mittelstadt",
                                "ebenfalls im Kreis A")
    assert found[1].reasons == ("ähnliche Größe (20.000 / 20.000 Einwohner)", "ebenfalls eine kleinere Mittelstadt")


def test_shared_networks_count_as_the_share_of_my_networks() -> None:
    both = CommuneFact("both", "Beide", population=20_000)
    one = CommuneFact("one", "Eins", population=20_000)
    memberships = (
        MembershipFact("home", "netz", "member"), MembershipFact("home", "ring", "member"),
        MembershipFact("both", "netz", "pioneer"), MembershipFact("both", "ring", "member"),
        MembershipFact("one", "ring", "member"),
    )
    found = rank_peers(facts(one, both, memberships=memberships), "home", 2)
    assert [(p.commune, p.score) for p in found] == [("both", 0.55), ("one", 0.475)]  # 0.4 + 0.15 * 2/2 or 1/2
    assert "ebenfalls in den Netzwerken „Netz“ und „Ring“" in found[0].reasons
    assert "ebenfalls im Netzwerk „Ring“" in found[1].reasons


def test_shared_handlungsfelder_count_as_jaccard_with_parents() -> None:
    # home works on Energie (so also Umwelt); a on Energie; b on Umwelt and Bildung
    projects = (
        ProjectFact("p-home", "P", communes=("home",), fields=("energie",)),
        ProjectFact("p-a", "A", communes=("a",), fields=("energie",)),
        ProjectFact("p-b", "B", communes=("b",), fields=("umwelt", "bildung")),
    )
    a, b = CommuneFact("a", "A", population=20_000), CommuneFact("b", "B", population=20_000)
    found = rank_peers(facts(b, a, projects=projects), "home", 2)
    # a: {energie, umwelt} vs {energie, umwelt} -> 1; b: {umwelt} of {energie, umwelt, bildung} -> 1/3
    assert [(p.commune, p.score) for p in found] == [("a", 0.55), ("b", round(0.4 + 0.15 / 3, 4))]
    assert "Projekte in denselben Handlungsfeldern: Energie und Umwelt" in found[0].reasons


def test_ties_go_to_the_closer_population_then_the_name() -> None:
    found = rank_peers(facts(
        CommuneFact("zeta", "Zeta", population=20_000), CommuneFact("alpha", "Alpha", population=20_000),
    ), "home", 2)
    assert [p.commune for p in found] == ["alpha", "zeta"]


def test_without_a_known_population_every_commune_is_a_candidate_and_size_adds_nothing() -> None:
    home = CommuneFact("home", "Heimatstadt", "Kreis A", "Region 1")
    found = rank_peers(Facts.of(communes=[home, CommuneFact("k", "K", "Kreis A", "Region 1", 900_000),
                                          CommuneFact("x", "X")], projects=[]), "home", 5)
    assert [(p.commune, p.score) for p in found] == [("k", 0.3)]  # x has nothing in common
    assert found[0].reasons == ("ebenfalls im Kreis A",)


def test_a_commune_is_never_its_own_peer_and_first_limits_the_list() -> None:
    found = rank_peers(facts(*(CommuneFact(f"c{i}", f"C{i}", population=20_000 + i) for i in range(8))), "home", 3)
    assert [p.commune for p in found] == ["c0", "c1", "c2"]
    assert rank_peers(facts(), "home", 5) == [] and rank_peers(facts(), "missing", 5) == []
