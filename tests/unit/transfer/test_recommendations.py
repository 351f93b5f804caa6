"""Why recommendations come in the order they do (``recommendations.py``: relevance × proof, with
relevance = best source weight + 0.1 per further source, proof = 1 + 0.5 proven + 0.25 per adopter)."""

from __future__ import annotations

import pytest

from schule.services.transfer.facts import AdoptionFact, CommuneFact, Facts, MembershipFact, ProjectFact
from schule.services.transfer.peers import rank_peers
from schule.services.transfer.recommendations import PARTNER_WEIGHT, recommend

HOME = CommuneFact("home", "Heimatstadt", "Kreis A", "Region 1", 20_000)
TWIN = CommuneFact("twin", "Zwilling", "Kreis A", "Region 1", 20_000)  # peer score 0.4 + 0.2 + 0.1 = 0.7
PARTNER = CommuneFact("partner", "Partnerstadt", "Kreis Z", "Region 9", 900_000)  # no peer: far too big
STRANGER = CommuneFact("stranger", "Fremdstadt", "Kreis Z", "Region 9", 900_000)  # neither peer nor partner
MEMBERSHIPS = [MembershipFact("home", "netz", "member"), MembershipFact("partner", "netz", "pioneer")]


def facts(*projects: ProjectFact) -> Facts:
    return Facts.of(communes=[HOME, TWIN, PARTNER, STRANGER], projects=projects, memberships=MEMBERSHIPS,
                    networks={"netz": "Netz"})


def scores(found: list) -> list[tuple[str, float]]:  # type: ignore[type-arg]
    return [(r.project, r.score) for r in found]


def test_a_proven_and_adopted_project_beats_an_untested_one_of_the_same_peer() -> None:
    f = facts(
        ProjectFact("untested", "A untested", "planning", communes=("twin",)),
        ProjectFact("proven", "B proven", "operation", communes=("twin",)),
        ProjectFact("copy-1", "Kopie 1", "idea", communes=("stranger",), adapted_from=("proven",)),
        ProjectFact("copy-2", "Kopie 2", "idea", communes=("stranger",), adapted_from=("proven",)),
    )
    [twin] = [p for p in rank_peers(f, "home", 20) if p.commune == "twin"]
    assert twin.score == pytest.approx(0.7)
    found = recommend(f, "home", 10)
    # proof: 1 + 0.5 (in operation) + 2 * 0.25 (two adopters) = 2.0, against 1.0
    assert scores(found) == [("proven", 1.4), ("untested", 0.7)]
    assert found[0].reasons == ("läuft in Zwilling (ähnliche Kommune)", "bewährt: in Betrieb",
                                "von 2 anderen Projekten übernommen")
    # the strangers' copies are not recommended: they are neither peer nor partner
    assert "copy-1" not in {r.project for r in found}


def test_a_done_adoption_record_weighs_twice_a_link_and_an_adopting_commune_is_not_offered_it() -> None:
    projects = (ProjectFact("linked", "A verlinkt", "planning", communes=("twin",)),
                ProjectFact("adopted", "B übernommen", "planning", communes=("twin",)),
                ProjectFact("copy", "Kopie", "idea", communes=("stranger",), adapted_from=("linked",)))
    adoptions = [AdoptionFact("a1", "adopted", "stranger", "done"),
                 AdoptionFact("a2", "adopted", "partner", "planned"),  # not done: no proof yet
                 AdoptionFact("a3", "linked", "home", "abandoned")]  # given up: may be offered again
    f = Facts.of(communes=[HOME, TWIN, PARTNER, STRANGER], projects=projects, memberships=MEMBERSHIPS,
                 networks={"netz": "Netz"}, adoptions=adoptions)
    found = recommend(f, "home", 10)
    # proof: 1 + 0.5 (one done adoption record) against 1 + 0.25 (one adapted_from link)
    assert scores(found) == [("adopted", 1.05), ("linked", 0.875)]
    assert found[0].reasons == ("läuft in Zwilling (ähnliche Kommune)", "in 1 weiteren Kommune erfolgreich übernommen")
    # a commune with an adoption record (planned, in progress or done) is not offered the project again
    adopting = Facts.of(communes=[HOME, TWIN, PARTNER, STRANGER], projects=projects, memberships=MEMBERSHIPS,
                        networks={"netz": "Netz"}, adoptions=[*adoptions, AdoptionFact("a4", "adopted", "home",
                                                                                         "in_progress")])
    assert [r.project for r in recommend(adopting, "home", 10)] == ["linked"]


def test_a_peer_outweighs_a_network_partner_and_a_project_of_both_gains_a_little() -> None:
    f = facts(
        ProjectFact("at-partner", "Beim Partner", communes=("partner",)),
        ProjectFact("at-twin", "Beim Zwilling", communes=("twin",)),
        ProjectFact("at-both", "Bei beiden", communes=("partner", "twin")),
    )
    found = recommend(f, "home", 10)
    assert scores(found) == [("at-both", 0.8), ("at-twin", 0.7), ("at-partner", PARTNER_WEIGHT)]
    assert found[2].reasons == ("läuft in Partnerstadt (Partner im Netzwerk „Netz“)",)


def test_never_its_own_nor_taken_over_nor_copies_of_its_own_nor_stopped_projects() -> None:
    f = facts(
        ProjectFact("own", "Eigenes", "operation", communes=("home",), adapted_from=("original",)),
        ProjectFact("joint", "Gemeinsam", "operation", communes=("home", "twin")),
        ProjectFact("original", "Vorbild", "completed", communes=("twin",)),  # home took it over
        ProjectFact("copy-of-own", "Kopie", "operation", communes=("twin",), adapted_from=("own",)),
        ProjectFact("stopped", "Eingestellt", "stopped", communes=("twin",)),
        ProjectFact("fine", "Passt", "idea", communes=("twin",)),
    )
    assert [r.project for r in recommend(f, "home", 10)] == ["fine"]


def test_ties_go_to_more_adopters_then_the_title() -> None:
    f = facts(
        ProjectFact("b", "B", communes=("twin",)), ProjectFact("a", "A", communes=("twin",)),
        ProjectFact("c", "C", "operation", communes=("twin",)),  # proof 1.5
        ProjectFact("d", "D", communes=("twin",)),  # adopted twice: proof 1.5 as well
        ProjectFact("x", "X", "idea", communes=("stranger",), adapted_from=("d",)),
        ProjectFact("y", "Y", "idea", communes=("stranger",), adapted_from=("d",)),
    )
    assert [r.project for r in recommend(f, "home", 10)] == ["d", "c", "a", "b"]


def test_an_unknown_commune_or_no_sources_give_nothing() -> None:
    f = facts(ProjectFact("p", "P", communes=("stranger",)))
    assert recommend(f, "missing", 5) == []
    assert recommend(f, "home", 5) == []  # only a stranger runs anything
