"""Gathering the evidence for ``experts``: what the German full-text search finds on a topic.

Four searches (projects, lessons, adoption records, people; ``SEARCH_DEPTH`` hits each, the search's own ranking and
analysis, so "Datenplattform" finds what the search box finds), then one store read of the matching
entries and one of the lessons' projects (for their year). Only published entries count: the
search index holds nothing else, and the state is checked again on the entries read, in case the
index is behind the graph.
"""

from __future__ import annotations

from schule.domain.model import Adaptation, Lesson, Person, Project, ReviewState
from schule.search.analysis import analyze_index, analyze_query
from schule.services.search import SearchService
from schule.services.transfer.experts import (
    AdoptionEvidence,
    Expert,
    LessonEvidence,
    ProjectEvidence,
    declares,
    rank_experts,
    relevances,
    year_of,
)
from schule.store.graph import CypherGraphStore

SEARCH_DEPTH = 100  # hits per kind (the search service's maximum page)


def find_experts(
    store: CypherGraphStore, search: SearchService, topic: str, first: int, current_year: int
) -> list[Expert]:
    """The ``first`` people with the strongest evidence on ``topic`` (blocking; see the module doc)."""
    hits = {kind: search.search(topic, kinds=[kind], limit=SEARCH_DEPTH).hits
            for kind in ("project", "lesson", "adaptation", "person")}
    ids = [h.id for kind_hits in hits.values() for h in kind_hits]
    entities = {i: e for i, e in store.get(ids).items() if e.state == ReviewState.PUBLISHED}
    projects = {i: e for i, e in entities.items() if isinstance(e, Project)}
    lessons = {i: e for i, e in entities.items() if isinstance(e, Lesson)}
    people = {i: e for i, e in entities.items() if isinstance(e, Person)}
    adoptions = {i: e for i, e in entities.items() if isinstance(e, Adaptation)}
    titles = {h.id: h.title for h in hits["adaptation"]}
    wanted = sorted({le.project for le in lessons.values()} - set(projects))
    lesson_projects = {i: e for i, e in store.get(wanted).items() if isinstance(e, Project)} if wanted else {}
    lesson_projects.update(projects)

    def year(p: Project | None) -> int | None:
        return year_of(p.ended, p.started) if p is not None else None

    project_evidence = {i: ProjectEvidence(i, p.title, tuple(p.contacts), year(p)) for i, p in projects.items()}
    lesson_evidence = {
        i: LessonEvidence(i, le.title, le.author, year(lesson_projects.get(le.project))) for i, le in lessons.items()
    }
    adoption_evidence = {i: AdoptionEvidence(i, titles.get(i, i), a.contact, year_of(a.ended, a.started))
                         for i, a in adoptions.items()}
    terms = analyze_query(topic)
    declared = {i: declares(p.expertise, terms, analyze_index) for i, p in people.items()}
    return rank_experts(
        projects=relevances({h.id: h.score for h in hits["project"] if h.id in projects}),
        lessons=relevances({h.id: h.score for h in hits["lesson"] if h.id in lessons}),
        project_evidence=project_evidence,
        lesson_evidence=lesson_evidence,
        declared={i: d for i, d in declared.items() if d},
        current_year=current_year,
        first=first,
        adoptions=relevances({h.id: h.score for h in hits["adaptation"] if h.id in adoptions}),
        adoption_evidence=adoption_evidence,
    )
