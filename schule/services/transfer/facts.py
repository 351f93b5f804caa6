"""The published facts the transfer rankings read, in memory, kept up to date from the change log.

Peers, recommendations, coverage and network statistics each look at every commune, membership
and project (400 communes, 10,000 projects in the benchmark). Reading those per request would cost
~0.5 s of store time; a ``Facts`` snapshot holds them in a few compact dicts instead:

* published communes (name, Kreis, region, population), networks and Handlungsfelder (with parent);
* memberships (role, basis, year) of published communes in published networks;
* published projects: title, status, start, end, tags and their communes, Handlungsfelder and
  ``adapted_from`` (only references to published projects count as adoptions);
* published adoption records (``Adaptation``): which commune adopts which project, with what status;
* what is derived from them: each Handlungsfeld with its ancestors, each project's Handlungsfelder
  with their ancestors (a sub-field counts for its parent, as the project list filter does), the
  projects of each commune, the adopters of each project, each network's members.

Only published entries are facts; drafts, submissions and merged tombstones never are, whoever asks.

``facts_for(store)`` returns the current snapshot: one cheap read of the change log's counter per
call; when the graph changed, the changed entries are read again by id (``changes_since`` then
``get``) and a new snapshot replaces the old one (snapshots are never changed once built, so a
request keeps a consistent view while another refreshes). A full read happens on first use, when
more than ``MAX_INCREMENTAL`` changes are pending, or when the log was pruned past the snapshot.
Writes from other processes on the same store reach every instance the same way.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from schule.domain.model import Adaptation, Commune, Handlungsfeld, Kind, Network, Project, Rel, ReviewState
from schule.store.base import Edge
from schule.store.graph import CypherGraphStore
from schule.store.project_facts import published_projects

MAX_INCREMENTAL = 2000
CATCH_UP_WAIT_S = 0.25  # how long a caller that does not build waits for another's refresh
T = TypeVar("T")
CHANGES_PAGE = 1000


@dataclass(frozen=True, slots=True)
class CommuneFact:
    id: str
    name: str
    kreis: str | None = None
    region: str | None = None
    population: int | None = None


@dataclass(frozen=True, slots=True)
class FieldFact:
    id: str
    name: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class MembershipFact:
    commune: str
    network: str
    role: str
    basis: str | None = None
    since: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectFact:
    id: str
    title: str
    status: str | None = None
    started: str | None = None
    ended: str | None = None
    communes: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    adapted_from: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    updated: str | None = None  # updated_at, for the project list's "zuletzt geändert" order


@dataclass(frozen=True, slots=True)
class AdoptionFact:
    id: str
    adopts: str  # the adopted project
    commune: str  # the adopting commune
    status: str | None = None
    started: str | None = None


@dataclass(frozen=True)
class Facts:
    """One consistent snapshot (see the module docstring). Build with ``Facts.of``."""

    seq: int
    communes: Mapping[str, CommuneFact]
    networks: Mapping[str, str]  # id -> name
    fields: Mapping[str, FieldFact]
    memberships: Mapping[str, Mapping[str, MembershipFact]]  # commune -> network -> membership
    projects: Mapping[str, ProjectFact]
    adoptions: Mapping[str, AdoptionFact]  # published adoption records by id
    # derived in __post_init__
    closure: Mapping[str, tuple[str, ...]] = field(init=False)  # field -> itself and its ancestors
    project_fields: Mapping[str, frozenset[str]] = field(init=False)  # with ancestors
    commune_projects: Mapping[str, tuple[str, ...]] = field(init=False)
    commune_fields: Mapping[str, frozenset[str]] = field(init=False)
    adopters: Mapping[str, tuple[str, ...]] = field(init=False)  # project -> published projects adapting it
    members: Mapping[str, Mapping[str, MembershipFact]] = field(init=False)  # network -> commune -> membership
    done_adopters: Mapping[str, frozenset[str]] = field(init=False)  # project -> communes with a done adoption
    adopting: Mapping[str, frozenset[str]] = field(init=False)  # commune -> projects it adopts (not abandoned)
    _derived: dict[object, object] = field(init=False, repr=False, compare=False)
    _derived_lock: threading.RLock = field(init=False, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        *,
        communes: Iterable[CommuneFact],
        projects: Iterable[ProjectFact],
        fields: Iterable[FieldFact] = (),
        networks: Mapping[str, str] | None = None,
        memberships: Iterable[MembershipFact] = (),
        adoptions: Iterable[AdoptionFact] = (),
        seq: int = 0,
    ) -> Facts:
        """A snapshot from plain facts; memberships of unknown communes or networks are dropped."""
        commune_map = {c.id: c for c in communes}
        network_map = dict(networks or {})
        by_commune: dict[str, dict[str, MembershipFact]] = {}
        for m in memberships:
            if m.commune in commune_map and m.network in network_map:
                by_commune.setdefault(m.commune, {})[m.network] = m
        return cls(seq=seq, communes=commune_map, networks=network_map, fields={f.id: f for f in fields},
                   memberships=by_commune, projects={p.id: p for p in projects},
                   adoptions={a.id: a for a in adoptions})

    def __post_init__(self) -> None:
        closure = {f: _ancestors(f, self.fields) for f in self.fields}
        project_fields: dict[str, frozenset[str]] = {}
        commune_projects: dict[str, list[str]] = {}
        adopters: dict[str, list[str]] = {}
        for p in self.projects.values():
            project_fields[p.id] = frozenset(a for f in p.fields for a in closure.get(f, (f,)))
            for c in p.communes:
                commune_projects.setdefault(c, []).append(p.id)
            for source in p.adapted_from:
                if source in self.projects and source != p.id:
                    adopters.setdefault(source, []).append(p.id)
        commune_fields = {
            c: frozenset(f for p in ids for f in project_fields[p]) for c, ids in commune_projects.items()
        }
        members: dict[str, dict[str, MembershipFact]] = {}
        for by_network in self.memberships.values():
            for m in by_network.values():
                members.setdefault(m.network, {})[m.commune] = m
        set_ = object.__setattr__  # frozen: derived fields are set once, here
        set_(self, "closure", closure)
        set_(self, "project_fields", project_fields)
        set_(self, "commune_projects", {c: tuple(sorted(ids)) for c, ids in commune_projects.items()})
        set_(self, "commune_fields", commune_fields)
        set_(self, "adopters", {p: tuple(sorted(ids)) for p, ids in adopters.items()})
        set_(self, "members", members)
        done: dict[str, set[str]] = {}
        adopting: dict[str, set[str]] = {}
        for a in self.adoptions.values():
            if a.status == "done":
                done.setdefault(a.adopts, set()).add(a.commune)
            if a.status != "abandoned":
                adopting.setdefault(a.commune, set()).add(a.adopts)
        set_(self, "done_adopters", {p: frozenset(c) for p, c in done.items()})
        set_(self, "adopting", {c: frozenset(p) for c, p in adopting.items()})
        set_(self, "_derived", {})
        set_(self, "_derived_lock", threading.RLock())  # derived data may build on derived data

    def at(self, seq: int) -> Facts:
        """These facts, known to be current up to ``seq`` (the changes since were no facts: drafts,
        lessons, accounts …). The copy shares everything, derived data included, so what was
        computed from these facts stays computed."""
        copy = object.__new__(Facts)
        for name in self.__dataclass_fields__:
            object.__setattr__(copy, name, getattr(self, name))
        object.__setattr__(copy, "seq", seq)
        return copy

    def generation(self) -> tuple[int, int]:
        """Changes when the content does (a new snapshot, not one made by ``at``) and when something
        new was derived from it: what the app's heap settling watches (``gc_pause.settle_heap``)."""
        return id(self._derived), len(self._derived)

    def same_content(self, other: Facts) -> bool:
        """Whether ``other`` holds exactly these facts (itself, or one made by ``at``)."""
        return self._derived is other._derived

    def derived(self, key: object, compute: Callable[[], T]) -> T:
        """More derived data (e.g. each project's Kreise), computed once per snapshot on first use."""
        try:
            return self._derived[key]  # type: ignore[return-value]
        except KeyError:
            pass
        with self._derived_lock:
            if key not in self._derived:
                self._derived[key] = compute()
            return self._derived[key]  # type: ignore[return-value]

    def networks_of(self, commune: str) -> frozenset[str]:
        return frozenset(self.memberships.get(commune, {}))

    def fields_with_ancestors(self, ids: Iterable[str]) -> frozenset[str]:
        return frozenset(a for f in ids for a in self.closure.get(f, (f,)))

    def field_order(self) -> list[str]:
        """Handlungsfelder as a tree reads: each root (by name), followed by its sub-fields (by name)."""
        children: dict[str | None, list[FieldFact]] = {}
        for f in self.fields.values():
            parent = f.parent if f.parent in self.fields else None
            children.setdefault(parent, []).append(f)
        out: list[str] = []

        def walk(parent: str | None) -> None:
            for f in sorted(children.get(parent, []), key=lambda f: (f.name.casefold(), f.id)):
                if f.id not in out:
                    out.append(f.id)
                    walk(f.id)

        walk(None)
        return out


def _ancestors(field_id: str, fields: Mapping[str, FieldFact]) -> tuple[str, ...]:
    out = [field_id]
    node = fields[field_id].parent if field_id in fields else None
    while node is not None and node not in out:
        out.append(node)
        node = fields[node].parent if node in fields else None
    return tuple(out)


# -- reading the store ------------------------------------------------------------------------------

def _commune(e: Commune) -> CommuneFact:
    return CommuneFact(e.id, e.name, e.kreis, e.region, e.population)


def _project(e: Project) -> ProjectFact:
    return ProjectFact(
        e.id, e.title, e.status.value if e.status else None, e.started, e.ended,
        tuple(e.communes), tuple(e.handlungsfelder), tuple(e.adapted_from), tuple(e.tags), e.updated_at,
    )


def _membership_of(commune: str, network: str, props: Mapping[str, object]) -> MembershipFact:
    basis, since = props.get("basis"), props.get("since")
    return MembershipFact(commune, network, str(props.get("role") or "member"),
                          str(basis) if basis else None, str(since) if since else None)


def read_all(store: CypherGraphStore) -> Facts:
    """A snapshot of everything published (the first read, or after a gap in the change log)."""
    seq = store.last_change()  # before the reads: a write in between is applied again next time
    communes = [_commune(e) for e in store.iter_entities(Kind.COMMUNE) if isinstance(e, Commune)]
    networks = {e.id: e.name for e in store.iter_entities(Kind.NETWORK) if isinstance(e, Network)}
    fields = [FieldFact(e.id, e.name, e.parent) for e in store.iter_entities(Kind.HANDLUNGSFELD)
              if isinstance(e, Handlungsfeld)]
    memberships = [MembershipFact(m.commune, m.network, m.role.value, m.basis.value if m.basis else None, m.since)
                   for m in store.memberships()]
    rows = {r.id: r for r in published_projects(store)}
    refs: dict[Rel, dict[str, list[str]]] = {}
    for rel in (Rel.LOCATED_IN, Rel.IN_FIELD, Rel.ADAPTED_FROM):
        targets = refs.setdefault(rel, {})
        for edge in store.all_edges(rel):
            if edge.source in rows:
                targets.setdefault(edge.source, []).append(edge.target)

    def of(rel: Rel, project: str) -> tuple[str, ...]:
        return tuple(sorted(refs[rel].get(project, ())))

    projects = [
        ProjectFact(r.id, r.title, r.status, r.started, r.ended, of(Rel.LOCATED_IN, r.id), of(Rel.IN_FIELD, r.id),
                    of(Rel.ADAPTED_FROM, r.id), r.tags, r.updated)
        for r in rows.values()
    ]
    adoptions = [_adoption(e) for e in store.iter_entities(Kind.ADAPTATION)
                 if isinstance(e, Adaptation) and e.state == ReviewState.PUBLISHED]
    return Facts.of(communes=communes, projects=projects, fields=fields, networks=networks,
                    memberships=memberships, adoptions=adoptions, seq=seq)


def _fact(entity: object) -> object:
    """The fact an entity is (None: it is none, e.g. a draft or a lesson)."""
    if getattr(entity, "state", None) != ReviewState.PUBLISHED:
        return None
    if isinstance(entity, Commune):
        return _commune(entity)
    if isinstance(entity, Network):
        return entity.name
    if isinstance(entity, Handlungsfeld):
        return FieldFact(entity.id, entity.name, entity.parent)
    if isinstance(entity, Project):
        return _project(entity)
    if isinstance(entity, Adaptation):
        return _adoption(entity)
    return None


def _any_fact_changed(facts: Facts, ids: list[str], found: Mapping[str, object], member_edges: list[Edge],
                      changed_communes: list[str]) -> bool:
    for entity_id in ids:
        before = next((table[entity_id] for table in (facts.communes, facts.networks, facts.fields, facts.projects,
                                                      facts.adoptions) if entity_id in table), None)
        if before != _fact(found.get(entity_id)):
            return True
    now: dict[str, dict[str, MembershipFact]] = {}
    for edge in member_edges:
        now.setdefault(edge.source, {})[edge.target] = _membership_of(edge.source, edge.target, edge.props)
    for commune in changed_communes:
        kept = {n: m for n, m in now.get(commune, {}).items() if n in facts.networks}
        if commune not in facts.communes:
            kept = {}  # memberships of communes that are no facts are dropped (Facts.of)
        if kept != dict(facts.memberships.get(commune, {})):
            return True
    return False


def _adoption(e: Adaptation) -> AdoptionFact:
    return AdoptionFact(e.id, e.adopts, e.commune, e.status.value if e.status else None, e.started)


def refreshed(store: CypherGraphStore, facts: Facts, *, build: bool = True,
              building: Callable[[], None] = lambda: None) -> Facts | None:
    """``facts`` with the changes logged since ``facts.seq`` applied (or read anew, see module doc).
    With ``build=False``, None instead of a new snapshot when a fact changed: the changes are read,
    but building the snapshot and what is derived from it (~2 s at 100,000 projects) is left.
    ``building`` is called when that starts."""
    last = store.last_change()
    if last <= facts.seq:
        return facts
    oldest = store.oldest_change()
    if oldest is None or oldest > facts.seq + 1 or last - facts.seq > MAX_INCREMENTAL:
        # entries were pruned past the snapshot, or a rebuild is cheaper
        if not build:
            return None
        building()
        return read_all(store)
    changed: dict[str, str] = {}
    seq = facts.seq
    while seq < last:
        page = store.changes_since(seq, limit=CHANGES_PAGE)
        if not page:
            break
        for change in page:
            changed[change.id] = change.kind
        seq = page[-1].seq
    wanted = {Kind.COMMUNE.value, Kind.NETWORK.value, Kind.HANDLUNGSFELD.value, Kind.PROJECT.value,
              Kind.ADAPTATION.value}
    ids = sorted(i for i, kind in changed.items() if kind in wanted)
    found = store.get(ids) if ids else {}
    changed_communes = [i for i in ids if changed[i] == Kind.COMMUNE.value]
    member_edges = store.neighbours(Rel.MEMBER_OF, changed_communes) if changed_communes else []
    if not _any_fact_changed(facts, ids, found, member_edges, changed_communes):
        return facts.at(seq)  # e.g. a member's draft: the facts and what was derived from them stay
    if not build:
        return None
    building()
    communes, networks = dict(facts.communes), dict(facts.networks)
    fields, projects, adoptions = dict(facts.fields), dict(facts.projects), dict(facts.adoptions)
    memberships = {c: dict(ms) for c, ms in facts.memberships.items()}
    for entity_id in ids:
        for table in (communes, networks, fields, projects, adoptions):
            table.pop(entity_id, None)
        entity = found.get(entity_id)
        if entity is None or entity.state != ReviewState.PUBLISHED:
            continue
        if isinstance(entity, Commune):
            communes[entity.id] = _commune(entity)
        elif isinstance(entity, Network):
            networks[entity.id] = entity.name
        elif isinstance(entity, Handlungsfeld):
            fields[entity.id] = FieldFact(entity.id, entity.name, entity.parent)
        elif isinstance(entity, Project):
            projects[entity.id] = _project(entity)
        elif isinstance(entity, Adaptation):
            adoptions[entity.id] = _adoption(entity)
    # a membership is written with a change of its commune: read that commune's memberships again
    for commune in changed_communes:
        memberships.pop(commune, None)
    for edge in member_edges:
        memberships.setdefault(edge.source, {})[edge.target] = _membership_of(edge.source, edge.target, edge.props)
    return Facts.of(communes=communes.values(), projects=projects.values(), fields=fields.values(),
                    networks=networks, memberships=[m for ms in memberships.values() for m in ms.values()],
                    adoptions=adoptions.values(), seq=seq)


class FactsCache:
    """The current snapshot of one store (one per store object, see ``facts_for``; it holds no
    reference to the store, so the weak mapping there can let a closed store go)."""

    def __init__(self) -> None:
        self._facts: Facts | None = None
        self._lock = threading.Lock()
        self._building = False  # a new snapshot is being built (seconds at 100,000 projects)

    def current(self, store: CypherGraphStore, *, build: bool = True) -> Facts | None:
        last = store.last_change()
        facts = self._facts
        if facts is not None and facts.seq >= last:
            return facts
        # One refresh at a time; the others then find it done. Not building, wait for a refresh
        # that only reads the changes (milliseconds), not for one that builds a snapshot.
        if build:
            self._lock.acquire()
        elif self._building or not self._lock.acquire(timeout=CATCH_UP_WAIT_S):
            return None
        try:
            fresh = self._facts
            if fresh is not None and fresh.seq >= last:
                return fresh
            if fresh is None:
                if not build:
                    return None
                self._building = True
                fresh = read_all(store)
            else:
                fresh = refreshed(store, fresh, build=build, building=self._started_building)
            if fresh is not None:
                self._facts = fresh
            return fresh
        finally:
            self._building = False
            self._lock.release()

    def _started_building(self) -> None:
        self._building = True


_caches: weakref.WeakKeyDictionary[CypherGraphStore, FactsCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache(store: CypherGraphStore) -> FactsCache:
    with _caches_lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = FactsCache()
    return cache


def facts_for(store: CypherGraphStore) -> Facts:
    """The current facts of ``store`` (blocking: call it from a worker thread)."""
    facts = _cache(store).current(store)
    assert facts is not None  # building, it always has them
    return facts


def facts_if_current(store: CypherGraphStore) -> Facts | None:
    """The current facts of ``store`` if they are at hand: known, or brought up to date without a
    new snapshot (the changes since were no facts). None when a snapshot would have to be built
    first, or another thread is building it: the caller asks the graph instead of waiting."""
    return _cache(store).current(store, build=False)
