"""Adoptions per year in ``networkStats``: adoption records of member communes count in the year they
started; an ``adaptedFrom`` link counts too, unless a record of the same commune and source already
counts that adoption (the same adoption must not count twice)."""

from __future__ import annotations

from schule.services.transfer.facts import AdoptionFact, CommuneFact, Facts, MembershipFact, ProjectFact
from schule.services.transfer.network_stats import network_stats

HOME = CommuneFact("home", "Heimatstadt", "Kreis A", "Region 1", 20_000)
OTHER = CommuneFact("other", "Anderswo", "Kreis A", "Region 1", 20_000)
OUTSIDE = CommuneFact("outside", "Draußen", "Kreis Z", "Region 9", 20_000)
MEMBERSHIPS = [MembershipFact("home", "netz", "member"), MembershipFact("other", "netz", "pioneer")]
PROJECTS = (
    ProjectFact("source", "Vorbild", "operation", communes=("other",), started="2019"),
    ProjectFact("copy", "Kopie in Heimatstadt", "planning", communes=("home",), adapted_from=("source",),
                started="2021-03"),
    ProjectFact("copy-2", "Zweite Kopie", "idea", communes=("other",), adapted_from=("source",), started="2022"),
)


def adoptions_per_year(*adoptions: AdoptionFact) -> list[tuple[int | None, int]]:
    facts = Facts.of(communes=[HOME, OTHER, OUTSIDE], projects=PROJECTS, memberships=MEMBERSHIPS,
                     networks={"netz": "Netz"}, adoptions=adoptions)
    return network_stats(facts, "netz").adoptions_per_year


def test_links_alone_count_in_the_adopting_projects_year() -> None:
    assert adoptions_per_year() == [(2021, 1), (2022, 1)]


def test_a_record_counts_in_its_own_year_and_replaces_the_link_it_records() -> None:
    # Heimatstadt recorded the adoption its project "copy" links to: counted once, in the record's year
    recorded = AdoptionFact("a1", "source", "home", "done", "2020-11")
    assert adoptions_per_year(recorded) == [(2020, 1), (2022, 1)]


def test_records_of_communes_outside_the_network_do_not_count_and_undated_ones_count_without_a_year() -> None:
    outside = AdoptionFact("a2", "source", "outside", "planned", "2023")
    undated = AdoptionFact("a3", "copy", "other", "in_progress")
    assert adoptions_per_year(outside, undated) == [(2021, 1), (2022, 1), (None, 1)]
