"""Pages of the project list from the published facts in memory, instead of a graph query.

The projects list (``projects(filter, sort)``, the web's ``/projekte``, a commune's and a
Handlungsfeld's lists) is the most requested view. In the graph, a filter that matches many
projects costs work proportional to the matches: at 100,000 projects a region matching all of them
walked 200,000 edges, made them distinct and sorted 100,000 titles (250-370 ms) for 20 rows. The
transfer facts (``schule.services.transfer.facts``) already hold every published project with its
communes, Handlungsfelder, status, dates, tags and last change, every commune's Kreis and region and
the network memberships, kept current from the change log (one read of the change counter per use,
so a list never lags behind an acknowledged write of the same store, from any process). From them:

* per snapshot, computed once on first use: the published projects in each sort order, the
  projects of each Kreis, region, Handlungsfeld (with its sub-fields), status and tag as sets, and
  the projects by start and by end (a date range is a slice);
* per request: the filter's candidates as set operations, the total as their number, and the page
  as the first matches in the sort order (a broad filter stops after ``skip + limit`` matches; a
  narrow one sorts its few candidates by their positions in that order);
* the page's projects are then read from the store by id (one index lookup).

Lists never wait for a snapshot to be built (at 100,000 projects ~2 s after each published
change, ~12 s after a start): until it is, the graph query answers, as before the facts did. The
app builds new snapshots in the background (``warm``, every second); changes that are no facts (a
member's draft, a lesson, an account) only move the snapshot on, which costs a read of the changes.

The filters mean exactly what the graph query means (``cypher.LIST_FILTERS``, ``LIST_SORTS``); tests
compare both on the same stores. Where the facts cannot say the same, the graph answers: a project
in a commune or Handlungsfeld that is no published fact (the facts do not know its Kreis or parents),
a network that is not published, a project without its time of change (for that order), and a page
whose projects changed between the snapshot and the read.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass
from typing import Any

from schule.domain.model import Entity, Kind, Project, ReviewState
from schule.services.transfer.facts import Facts, ProjectFact, facts_for, facts_if_current
from schule.store import cypher
from schule.store.graph import CypherGraphStore

# A candidate set at most this share of all projects is sorted by position; a larger one is found by
# walking the sort order (it meets its first matches early).
_SORT_CANDIDATES_BELOW = 1 / 16


@dataclass(frozen=True)
class _Index:
    """What a snapshot's lists need, derived once per snapshot (``Facts.derived``)."""

    complete_places: bool  # every commune of a published project is a published commune fact
    complete_fields: bool  # every Handlungsfeld of a project, and every parent, is a published fact
    by_kreis: dict[str, frozenset[str]]
    by_region: dict[str, frozenset[str]]
    by_field: dict[str, frozenset[str]]  # with the projects of its sub-fields
    by_status: dict[str | None, frozenset[str]]
    by_tag: dict[str, frozenset[str]]
    # the dates of the projects that have one, ascending, and their ids: a range is a slice
    started: tuple[list[str], list[str]]
    ended: tuple[list[str], list[str]]


def _index(facts: Facts) -> _Index:
    by_kreis: dict[str, set[str]] = {}
    by_region: dict[str, set[str]] = {}
    for commune, projects in facts.commune_projects.items():
        fact = facts.communes.get(commune)
        if fact is None:
            continue
        if fact.kreis is not None:
            by_kreis.setdefault(fact.kreis, set()).update(projects)
        if fact.region is not None:
            by_region.setdefault(fact.region, set()).update(projects)
    by_field: dict[str, set[str]] = {}
    for project, fields in facts.project_fields.items():
        for f in fields:
            by_field.setdefault(f, set()).add(project)
    by_status: dict[str | None, set[str]] = {}
    by_tag: dict[str, set[str]] = {}
    for p in facts.projects.values():
        by_status.setdefault(p.status, set()).add(p.id)
        for t in p.tags:
            by_tag.setdefault(t, set()).add(p.id)
    def by_date(attr: str) -> tuple[list[str], list[str]]:
        dated = sorted((getattr(p, attr), p.id) for p in facts.projects.values() if getattr(p, attr) is not None)
        return [d for d, _ in dated], [p for _, p in dated]

    complete_places = all(c in facts.communes for c in facts.commune_projects)
    complete_fields = all(f in facts.fields for p in facts.projects.values() for f in p.fields) and all(
        f.parent is None or f.parent in facts.fields for f in facts.fields.values())

    def frozen(table: dict[Any, set[str]]) -> dict[Any, frozenset[str]]:
        return {k: frozenset(v) for k, v in table.items()}

    return _Index(complete_places, complete_fields, frozen(by_kreis), frozen(by_region), frozen(by_field),
                  frozen(by_status), frozen(by_tag), by_date("started"), by_date("ended"))


def _index_of(facts: Facts) -> _Index:
    return facts.derived(_Index, functools.partial(_index, facts))


def _order(facts: Facts, sort: str) -> tuple[list[str], dict[str, int]] | None:
    """The published projects in ``sort`` order (as ``cypher.LIST_SORTS``: ties by id) and each one's
    position; None if the facts cannot order them so."""
    projects: Iterable[ProjectFact] = sorted(facts.projects.values(), key=lambda p: p.id)
    title: Callable[[ProjectFact], str] = lambda p: p.title.lower()  # noqa: E731
    if sort == "title_asc":
        ordered = sorted(projects, key=title)
    elif sort == "title_desc":
        ordered = sorted(projects, key=title, reverse=True)  # stable: ties stay by id
    elif sort == "updated_desc":
        if any(p.updated is None for p in facts.projects.values()):
            return None
        ordered = sorted(projects, key=lambda p: p.updated or "", reverse=True)
    elif sort == "started_desc":
        ordered = sorted(projects, key=lambda p: p.started or "", reverse=True)
    elif sort == "started_asc":
        ordered = sorted(projects, key=lambda p: p.started or "9999")
    elif sort == "adoptions_desc":
        adopting: dict[str, set[str]] = {}
        for a in facts.adoptions.values():
            adopting.setdefault(a.adopts, set()).add(a.commune)
        ordered = sorted(sorted(projects, key=title), key=lambda p: len(adopting.get(p.id, ())), reverse=True)
    else:
        return None
    ids = [p.id for p in ordered]
    return ids, {p: i for i, p in enumerate(ids)}


class Unanswerable(Exception):
    """The facts cannot answer this list as the graph would (see the module docstring)."""


def _candidates(facts: Facts, index: _Index, filters: dict[str, Any]) -> Set[str] | None:
    """The published projects matching ``filters``; None: every published project. Raises
    ``Unanswerable``."""
    sets: list[Set[str]] = []

    def union(table: dict[Any, frozenset[str]], keys: Sequence[Any]) -> Set[str]:
        if len(keys) == 1:
            return table.get(keys[0], frozenset())  # shared, not copied (100,000 ids in a region)
        out: set[str] = set()
        for key in keys:
            out.update(table.get(key, ()))
        return out

    if filters.get("communes") is not None:
        sets.append({p for c in filters["communes"] for p in facts.commune_projects.get(c, ())})
    if filters.get("kreise") is not None:
        if not index.complete_places:
            raise Unanswerable(filters)
        sets.append(union(index.by_kreis, filters["kreise"]))
    if filters.get("regions") is not None:
        if not index.complete_places:
            raise Unanswerable(filters)
        sets.append(union(index.by_region, filters["regions"]))
    if filters.get("handlungsfelder") is not None:
        if not index.complete_fields:
            raise Unanswerable(filters)
        sets.append(union(index.by_field, filters["handlungsfelder"]))
    if filters.get("status") is not None:
        sets.append(union(index.by_status, filters["status"]))
    if filters.get("network") is not None:
        network, roles = filters["network"], filters.get("network_roles")
        if network not in facts.networks or not index.complete_places:
            raise Unanswerable(filters)
        members = facts.members.get(network, {})
        communes = [c for c, m in members.items() if roles is None or m.role in roles]
        sets.append({p for c in communes for p in facts.commune_projects.get(c, ())})
    if filters.get("tags") is not None:
        sets.append(union(index.by_tag, filters["tags"]))
    for name, (dates, ids) in (("started", index.started), ("ended", index.ended)):
        low, high = filters.get(f"{name}_from"), filters.get(f"{name}_to")
        if low is not None or high is not None:  # a project without the date never matches
            start = 0 if low is None else bisect.bisect_left(dates, low)
            end = len(dates) if high is None else bisect.bisect_right(dates, high)
            sets.append(set(ids[start:end]))
    found: Set[str] | None = None
    for candidates in sorted(sets, key=len):  # smallest first: the intersections shrink fastest
        found = candidates if found is None else found & candidates
    return found


def _page_ids(order: list[str], rank: dict[str, int], found: Set[str] | None, end: int) -> list[str]:
    """The first ``end`` ids of ``order`` that are in ``found`` (None: all)."""
    if found is None:
        return order[:end]
    if len(found) <= len(order) * _SORT_CANDIDATES_BELOW:
        return heapq.nsmallest(end, found, key=rank.__getitem__)
    out: list[str] = []
    for p in order:
        if p in found:
            out.append(p)
            if len(out) == end:
                break
    return out


class ProjectLists:
    """``list_page``, ``list_page_counted`` and ``count_matching`` of the store for projects, answered
    from the facts (module docstring), with the store's own queries where the facts cannot."""

    def __init__(self, store: CypherGraphStore) -> None:
        self.store = store

    def list_page(self, kind: Kind, filters: dict[str, Any], sort: str, skip: int, limit: int) -> list[Entity]:
        answer = self._answer(kind, filters, sort, skip, limit)
        if answer is None:
            return self.store.list_page(kind, filters, sort, skip, limit)
        return answer[0]

    def list_page_counted(self, kind: Kind, filters: dict[str, Any], sort: str, skip: int, limit: int
                          ) -> tuple[list[Entity], int | None]:
        answer = self._answer(kind, filters, sort, skip, limit)
        if answer is None:
            return self.store.list_page_counted(kind, filters, sort, skip, limit)
        return answer

    def _count(self, by: str) -> None:
        with _answered_lock:
            _answered.setdefault(self.store, Counter())[by] += 1

    def count_matching(self, kind: Kind, filters: dict[str, Any]) -> int:
        matching = self._matching(filters) if Kind(kind) == Kind.PROJECT else None
        if matching is None:
            return self.store.count_matching(kind, filters)
        return matching[2]

    def _matching(self, filters: dict[str, Any]) -> tuple[Facts, Set[str] | None, int] | None:
        """The facts, the published projects matching ``filters`` (None: all) and their number; None
        where the graph must answer (the facts are being built, or cannot say the same)."""
        self.store._list_params(Kind.PROJECT, filters)  # unknown filters fail as in the store
        facts = facts_if_current(self.store)
        if facts is None:
            return None  # a fact changed and the new snapshot is not built yet (``warm`` builds it)
        try:
            found = _candidates(facts, _index_of(facts), filters)
        except Unanswerable:
            return None
        return facts, found, len(facts.projects) if found is None else len(found)

    def _answer(self, kind: Kind, filters: dict[str, Any], sort: str, skip: int, limit: int
                ) -> tuple[list[Entity], int] | None:
        if Kind(kind) != Kind.PROJECT or limit <= 0:
            return None
        answer = self._from_facts(filters, sort, skip, limit)
        self._count("graph" if answer is None else "facts")
        return answer

    def _from_facts(self, filters: dict[str, Any], sort: str, skip: int, limit: int
                    ) -> tuple[list[Entity], int] | None:
        if sort not in cypher.LIST_SORTS[Kind.PROJECT]:
            raise ValueError(f"unknown sort key {sort!r} for {Kind.PROJECT}")
        matching = self._matching(filters)
        if matching is None:
            return None
        facts, found, total = matching
        _asked_sorts.add(sort)
        ordering = facts.derived(("order", sort), lambda: _order(facts, sort))
        if ordering is None:
            return None
        order, rank = ordering
        ids = _page_ids(order, rank, found, max(0, skip) + limit)[max(0, skip):]
        entities = self.store.get(ids) if ids else {}
        page = [entities.get(i) for i in ids]
        if not all(isinstance(e, Project) and e.state == ReviewState.PUBLISHED for e in page):
            return None  # changed since the snapshot was read: the graph knows the newest state
        return [e for e in page if e is not None], total


# List pages by what answered them, per store (``answered``; schule.metrics reports them)
_answered: weakref.WeakKeyDictionary[CypherGraphStore, Counter[str]] = weakref.WeakKeyDictionary()
_answered_lock = threading.Lock()


def answered(store: CypherGraphStore) -> dict[str, int]:
    """How many project list pages of ``store`` the facts and the graph answered in this process."""
    with _answered_lock:
        return {"facts": 0, "graph": 0, **_answered.get(store, {})}


# The sorts lists were asked for in this process: ``warm`` orders a new snapshot by them ahead of time.
_asked_sorts: set[str] = {"title_asc"}


def warm(store: CypherGraphStore) -> tuple[int, int]:
    """Brings the facts up to date, building a new snapshot if a fact changed, and derives what lists
    need from it (the index and the orders asked for so far). The app runs it after a start and then
    every second, so that lists rarely find the facts out of date; when they do, the graph answers.
    At 100,000 projects: ~12 s after a start, ~2 s after a published project changed. Returns the
    facts' ``generation`` (it changes when something was built)."""
    facts = facts_for(store)
    _index_of(facts)
    for sort in sorted(_asked_sorts):
        facts.derived(("order", sort), functools.partial(_order, facts, sort))
    return facts.generation()
