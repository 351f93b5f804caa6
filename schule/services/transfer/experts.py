"""Experts from evidence: people ranked by what they did on a topic, with the evidence listed.

The topic is matched by the German full-text search (``SearchService``): the matching published
projects and lessons, each with its relevance ``r`` (its search score divided by the best score of
its kind, so the best project and the best lesson have ``r = 1``). A person's evidence is

* being a contact of a matching project (weight ``CONTACT``),
* being the author of a matching lesson (weight ``AUTHOR``),
* being the contact of a matching adoption record, i.e. having led a commune's adoption of a
  matching project (weight ``ADOPTION``; the record's relevance is its own search score),
* having declared expertise whose words contain every word of the topic, as the search analyses
  them (stemmed, compounds split: "Datenplattform" matches "Offene Datenplattformen"; weight
  ``DECLARED``, counted once: a claim, not a deed)::

    score(person) = Σ_projects CONTACT * r * recency(year)
                  + Σ_lessons  AUTHOR  * r * recency(year)
                  + Σ_adoptions ADOPTION * r * recency(year)
                  + DECLARED * declared

    recency(year) = 1 / (1 + 0.1 * max(0, current_year - year))    1 this year, 0.5 ten years ago

The year of a project is its end, else its start; a lesson has its project's year; an adoption
its end, else its start. Without a year the evidence counts as ``UNKNOWN_AGE`` years old. Ties go
to more pieces of evidence, then to the person's id. Only people with some evidence are experts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from schule.services.transfer.wording import german_list, plural, quoted

CONTACT = 1.0
AUTHOR = 1.0
ADOPTION = 1.0
DECLARED = 0.5
UNKNOWN_AGE = 5
TITLES_NAMED = 2
_YEAR = re.compile(r"^(\d{4})")


@dataclass(frozen=True)
class ProjectEvidence:
    id: str
    title: str
    contacts: tuple[str, ...]
    year: int | None


@dataclass(frozen=True)
class LessonEvidence:
    id: str
    title: str
    author: str | None
    year: int | None


@dataclass(frozen=True)
class AdoptionEvidence:
    id: str
    title: str  # "Übernahme: <project> in <commune>"
    contact: str | None
    year: int | None


@dataclass(frozen=True)
class Expert:
    person: str
    score: float
    reasons: tuple[str, ...]
    projects: tuple[str, ...]  # best match first
    lessons: tuple[str, ...]
    adoptions: tuple[str, ...] = ()


def year_of(*dates: str | None) -> int | None:
    """The year of the first date given (YYYY, YYYY-MM or YYYY-MM-DD), else None."""
    for date in dates:
        if date and (match := _YEAR.match(date)):
            return int(match.group(1))
    return None


def recency(year: int | None, current_year: int) -> float:
    age = UNKNOWN_AGE if year is None else max(0, current_year - year)
    return 1.0 / (1.0 + 0.1 * age)


def relevances(scores: Mapping[str, float]) -> dict[str, float]:
    """Search scores divided by the best one (1 for the best hit; all 1 if no score is positive)."""
    best = max(scores.values(), default=0.0)
    return {i: (s / best if best > 0 else 1.0) for i, s in scores.items()}


def declares(
    expertise: Iterable[str], topic_terms: Sequence[str], analyse: Callable[[str], Sequence[str]]
) -> list[str]:
    """The expertise entries containing every term of the topic (``analyse`` turns text into terms)."""
    if not topic_terms:
        return []
    wanted = set(topic_terms)
    return [e for e in expertise if wanted <= set(analyse(e))]


def rank_experts(
    *,
    projects: Mapping[str, float],
    lessons: Mapping[str, float],
    project_evidence: Mapping[str, ProjectEvidence],
    lesson_evidence: Mapping[str, LessonEvidence],
    declared: Mapping[str, Sequence[str]],
    current_year: int,
    first: int,
    adoptions: Mapping[str, float] | None = None,
    adoption_evidence: Mapping[str, AdoptionEvidence] | None = None,
) -> list[Expert]:
    """``projects``/``lessons``: relevance of each matching id (``relevances``); ``declared``: per
    person, the expertise entries that match the topic. See the module docstring for the formula."""
    score: dict[str, float] = {}
    their_projects: dict[str, list[str]] = {}
    their_lessons: dict[str, list[str]] = {}
    their_adoptions: dict[str, list[str]] = {}
    newest: dict[str, int] = {}

    def note(person: str, weight: float, year: int | None) -> None:
        score[person] = score.get(person, 0.0) + weight * recency(year, current_year)
        if year is not None:
            newest[person] = max(newest.get(person, year), year)

    for pid, r in sorted(projects.items(), key=lambda item: -item[1]):
        evidence = project_evidence.get(pid)
        for person in evidence.contacts if evidence else ():
            note(person, CONTACT * r, evidence.year if evidence else None)
            their_projects.setdefault(person, []).append(pid)
    for lid, r in sorted(lessons.items(), key=lambda item: -item[1]):
        lesson = lesson_evidence.get(lid)
        if lesson is None or lesson.author is None:
            continue
        note(lesson.author, AUTHOR * r, lesson.year)
        their_lessons.setdefault(lesson.author, []).append(lid)
    for aid, r in sorted((adoptions or {}).items(), key=lambda item: -item[1]):
        adoption = (adoption_evidence or {}).get(aid)
        if adoption is None or adoption.contact is None:
            continue
        note(adoption.contact, ADOPTION * r, adoption.year)
        their_adoptions.setdefault(adoption.contact, []).append(aid)
    for person, entries in declared.items():
        if entries:
            score[person] = score.get(person, 0.0) + DECLARED
    def evidence_count(p: str) -> int:
        return len(their_projects.get(p, ())) + len(their_lessons.get(p, ())) + len(their_adoptions.get(p, ()))

    ranked = sorted(score, key=lambda p: (-score[p], -evidence_count(p), p))
    out = []
    for person in ranked[:first]:
        p_ids, l_ids = their_projects.get(person, []), their_lessons.get(person, [])
        a_ids = their_adoptions.get(person, [])
        reasons: list[str] = []
        if p_ids:
            titles = [quoted(project_evidence[i].title) for i in p_ids[:TITLES_NAMED]]
            more = [f"{len(p_ids) - TITLES_NAMED} weitere"] if len(p_ids) > TITLES_NAMED else []
            reasons.append(f"Ansprechperson für {plural(len(p_ids), 'passendes Projekt', 'passende Projekte')}: "
                           f"{german_list(titles + more)}")
        if l_ids:
            titles = [quoted(lesson_evidence[i].title) for i in l_ids[:TITLES_NAMED]]
            more = [f"{len(l_ids) - TITLES_NAMED} weitere"] if len(l_ids) > TITLES_NAMED else []
            reasons.append(f"hat {plural(len(l_ids), 'passende Erkenntnis', 'passende Erkenntnisse')} verfasst: "
                           f"{german_list(titles + more)}")
        if a_ids:
            titles = [quoted((adoption_evidence or {})[i].title) for i in a_ids[:TITLES_NAMED]]
            more = [f"{len(a_ids) - TITLES_NAMED} weitere"] if len(a_ids) > TITLES_NAMED else []
            reasons.append(f"hat {plural(len(a_ids), 'passende Übernahme', 'passende Übernahmen')} geleitet: "
                           f"{german_list(titles + more)}")
        if declared.get(person):
            reasons.append(f"gibt als Expertise an: {german_list([quoted(e) for e in declared[person]])}")
        if person in newest:
            reasons.append(f"zuletzt aktiv: {newest[person]}")
        out.append(Expert(person, round(score[person], 4), tuple(reasons), tuple(p_ids), tuple(l_ids), tuple(a_ids)))
    return out
