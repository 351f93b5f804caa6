"""Why experts come in the order they do (``experts.py``: Σ 1.0·r·recency per matching project they
are contact of or lesson they wrote, + 0.5 for declared expertise; recency = 1 / (1 + 0.1·age))."""

from __future__ import annotations

import pytest

from schule.search.analysis import analyze_index, analyze_query
from schule.services.transfer.experts import (
    AdoptionEvidence,
    LessonEvidence,
    ProjectEvidence,
    declares,
    rank_experts,
    recency,
    relevances,
    year_of,
)

YEAR = 2025


def rank(projects: dict[str, float] | None = None, lessons: dict[str, float] | None = None,
         declared: dict[str, list[str]] | None = None, first: int = 10) -> list[tuple[str, float]]:
    found = rank_experts(
        projects=projects or {}, lessons=lessons or {},
        project_evidence={
            "platform": ProjectEvidence("platform", "Datenplattform", ("anna", "bert"), 2025),
            "old-platform": ProjectEvidence("old-platform", "Alte Plattform", ("carla",), 2015),
        },
        lesson_evidence={
            "lesson-new": LessonEvidence("lesson-new", "Neu gelernt", "dora", 2025),
            "lesson-old": LessonEvidence("lesson-old", "Früher gelernt", "emil", 2015),
            "lesson-undated": LessonEvidence("lesson-undated", "Ohne Jahr", "fritz", None),
        },
        declared=declared or {}, current_year=YEAR, first=first,
    )
    return [(e.person, e.score) for e in found]


def test_recency_halves_the_weight_of_ten_year_old_evidence() -> None:
    assert recency(2025, YEAR) == 1 and recency(2015, YEAR) == 0.5
    assert recency(None, YEAR) == pytest.approx(1 / 1.5)  # unknown: as if five years old
    assert recency(2030, YEAR) == 1  # dates in the future count as this year
    assert year_of(None, "2021-05") == 2021 and year_of("2019", "2021") == 2019 and year_of(None) is None


def test_new_evidence_beats_old_evidence_of_equal_relevance_and_undated_lies_between() -> None:
    ranked = rank(lessons={"lesson-old": 1.0, "lesson-new": 1.0, "lesson-undated": 1.0})
    assert ranked == [("dora", 1.0), ("fritz", round(1 / 1.5, 4)), ("emil", 0.5)]


def test_evidence_adds_up_and_outweighs_a_mere_claim() -> None:
    ranked = rank(projects={"platform": 1.0, "old-platform": 0.4}, lessons={"lesson-new": 0.5},
                  declared={"gerd": ["Datenplattformen"], "anna": ["Datenplattform"]})
    # anna: contact (1.0) + claim (0.5); bert: contact (1.0); dora: lesson with r 0.5; gerd: claim only;
    # carla: an old project of low relevance (0.4 * 0.5)
    assert ranked == [("anna", 1.5), ("bert", 1.0), ("dora", 0.5), ("gerd", 0.5), ("carla", 0.2)]


def test_the_evidence_and_reasons_are_listed() -> None:
    [anna] = rank_experts(
        projects={"platform": 1.0}, lessons={},
        project_evidence={"platform": ProjectEvidence("platform", "Datenplattform", ("anna",), 2023)},
        lesson_evidence={}, declared={"anna": ["Offene Daten"]}, current_year=YEAR, first=1,
    )
    assert anna.projects == ("platform",) and anna.lessons == ()
    assert anna.reasons == ("Ansprechperson für 1 passendes Projekt: „Datenplattform“",
                            "gibt als Expertise an: „Offene Daten“", "zuletzt aktiv: 2023")


def test_relevance_is_relative_to_the_best_hit() -> None:
    assert relevances({"a": 8.0, "b": 2.0}) == {"a": 1.0, "b": 0.25}
    assert relevances({"a": 0.0}) == {"a": 1.0}
    assert relevances({}) == {}


def test_declared_expertise_matches_every_word_of_the_topic_as_the_search_analyses_it() -> None:
    expertise = ["Offene Datenplattformen", "Smart Region", "Bürgerbeteiligung"]
    assert declares(expertise, analyze_query("Datenplattform"), analyze_index) == ["Offene Datenplattformen"]
    assert declares(expertise, analyze_query("Plattform"), analyze_index) == ["Offene Datenplattformen"]
    assert declares(expertise, analyze_query("Smart Region"), analyze_index) == ["Smart Region"]
    assert declares(expertise, analyze_query("Smart Mobility"), analyze_index) == []
    assert declares(expertise, [], analyze_index) == []


def test_first_limits_and_ties_go_to_more_evidence_then_the_id() -> None:
    ranked = rank(projects={"platform": 1.0}, lessons={"lesson-new": 1.0}, first=2)
    assert ranked == [("anna", 1.0), ("bert", 1.0)]


def test_leading_an_adoption_of_the_topic_is_evidence_like_a_project() -> None:
    found = rank_experts(
        projects={"platform": 1.0}, lessons={},
        project_evidence={"platform": ProjectEvidence("platform", "Datenplattform", ("anna",), 2025)},
        lesson_evidence={},
        declared={"gerd": ["Datenplattformen"]}, current_year=YEAR, first=10,
        adoptions={"olpe-uebernimmt": 1.0, "herscheid-uebernimmt": 0.5, "ohne-kontakt": 1.0},
        adoption_evidence={
            "olpe-uebernimmt": AdoptionEvidence("olpe-uebernimmt", "Übernahme: Datenplattform in Olpe", "hanna", 2025),
            "herscheid-uebernimmt": AdoptionEvidence(
                "herscheid-uebernimmt", "Übernahme: Datenplattform in Herscheid", "hanna", 2015),
            "ohne-kontakt": AdoptionEvidence("ohne-kontakt", "Übernahme: Datenplattform in Menden", None, 2025),
        },
    )
    # hanna: 1.0 (this year) + 0.5 * 0.5 (relevance 0.5, ten years old) = 1.25, ahead of anna's one contact;
    # a record without a contact credits nobody; a claim alone (gerd) stays last
    assert [(e.person, e.score) for e in found] == [("hanna", 1.25), ("anna", 1.0), ("gerd", 0.5)]
    hanna = found[0]
    assert hanna.adoptions == ("olpe-uebernimmt", "herscheid-uebernimmt") and hanna.projects == ()
    assert hanna.reasons[0] == ("hat 2 passende Übernahmen geleitet: „Übernahme: Datenplattform in Olpe“ und "
                                "„Übernahme: Datenplattform in Herscheid“")
