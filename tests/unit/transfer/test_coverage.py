"""Coverage cells: zeros included, a project counted once per group and Handlungsfeld, sub-fields for
their parents, and the filter's rows and columns (``coverage.py``)."""

from __future__ import annotations

from typing import Any

from schule.services.transfer.coverage import Grouping, coverage, unknown_values
from schule.services.transfer.facts import CommuneFact, Facts, FieldFact, MembershipFact, ProjectFact

FACTS = Facts.of(
    communes=[
        CommuneFact("a1", "A-Dorf", "Kreis A", "Nord", 4_000), CommuneFact("a2", "A-Stadt", "Kreis A", "Nord", 30_000),
        CommuneFact("b1", "B-Stadt", "Kreis B", "Süd", 12_000), CommuneFact("x", "Ohne Kreis"),
    ],
    fields=[FieldFact("umwelt", "Umwelt"), FieldFact("energie", "Energie", "umwelt"), FieldFact("bildung", "Bildung")],
    projects=[
        # in two communes of Kreis A, filed under Energie (so also Umwelt)
        ProjectFact("wind", "Windpark", "operation", started="2021", communes=("a1", "a2"), fields=("energie",)),
        ProjectFact("schule", "Schul-WLAN", "planning", started="2019", communes=("a2", "b1"), fields=("bildung",)),
        ProjectFact("solar", "Solar", "idea", communes=("b1",), fields=("energie", "umwelt")),
    ],
    memberships=[MembershipFact("a2", "netz", "pioneer"), MembershipFact("b1", "netz", "member")],
    networks={"netz": "Netz"},
)


def table(cells: list[Any]) -> dict[tuple[str, str], int]:
    return {(c.group, c.field): c.projects for c in cells}


def test_every_group_and_handlungsfeld_is_a_cell_and_each_project_counts_once() -> None:
    cells = coverage(FACTS, Grouping.KREIS, {})
    # Handlungsfelder in tree order (roots by name, each followed by its sub-fields), groups by name
    assert [(c.group, c.field) for c in cells] == [
        ("Kreis A", "bildung"), ("Kreis A", "umwelt"), ("Kreis A", "energie"),
        ("Kreis B", "bildung"), ("Kreis B", "umwelt"), ("Kreis B", "energie"),
    ]
    assert table(cells) == {
        ("Kreis A", "bildung"): 1, ("Kreis A", "umwelt"): 1, ("Kreis A", "energie"): 1,  # wind once, not twice
        ("Kreis B", "bildung"): 1, ("Kreis B", "umwelt"): 1, ("Kreis B", "energie"): 1,  # solar once for Umwelt
    }


def test_communes_without_projects_are_rows_of_zeros_and_gaps_are_the_zero_cells() -> None:
    cells = coverage(FACTS, Grouping.COMMUNE, {"kreise": ["Kreis A"]})
    assert [(c.group, c.group_name) for c in cells[::3]] == [("a1", "A-Dorf"), ("a2", "A-Stadt")]
    gaps = coverage(FACTS, Grouping.COMMUNE, {"kreise": ["Kreis A"]}, only_gaps=True)
    assert [(c.group, c.field) for c in gaps] == [("a1", "bildung")]


def test_the_filter_chooses_rows_columns_and_projects() -> None:
    by_region = coverage(FACTS, Grouping.REGION, {"handlungsfelder": ["umwelt"], "status": ["operation"]})
    assert table(by_region) == {("Nord", "umwelt"): 1, ("Süd", "umwelt"): 0}  # solar is only an idea
    members = coverage(FACTS, Grouping.COMMUNE, {"network": "netz", "network_roles": ["pioneer"]})
    assert {c.group for c in members} == {"a2"}
    started = coverage(FACTS, Grouping.KREIS, {"started_from": "2020"})
    assert table(started)[("Kreis B", "bildung")] == 0 and table(started)[("Kreis A", "energie")] == 1


def test_names_that_match_nothing_are_problems_not_gaps() -> None:
    problems = unknown_values(FACTS, {"kreise": ["Kreis C"], "handlungsfelder": ["raumfahrt"], "network": "x"})
    assert [(p.code.value, p.field) for p in problems] == [
        ("not_found", "kreise"), ("not_found", "handlungsfelder"), ("not_found", "network")]
    assert "Bekannt sind: 'Kreis A', 'Kreis B'." in problems[0].message
    assert unknown_values(FACTS, {"kreise": ["Kreis A"], "regions": None}) == []


def test_a_commune_condition_only_some_communes_of_a_group_meet_is_checked_per_project() -> None:
    # Kreis A holds a1 and a2; only projects with a commune among ``communes`` count for it
    only_a1 = table(coverage(FACTS, Grouping.KREIS, {"communes": ["a1"]}))
    assert only_a1 == {("Kreis A", "bildung"): 0, ("Kreis A", "umwelt"): 1, ("Kreis A", "energie"): 1}
    # every commune of Kreis A is in the north: the region condition holds for all its projects
    north = table(coverage(FACTS, Grouping.KREIS, {"regions": ["Nord"]}))
    assert north == {("Kreis A", "bildung"): 1, ("Kreis A", "umwelt"): 1, ("Kreis A", "energie"): 1}
