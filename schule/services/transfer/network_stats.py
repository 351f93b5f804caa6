"""A network over time: the figures a statistics page draws, from the published facts.

* members by role and by basis (every role and basis, zeros included; members without a recorded
  basis under ``None``), and joins per year (the year of ``since``; ``None``: not recorded), also
  split by basis (year ascending, then basis in enum order, unrecorded basis last; only non-zero
  pairs), for a stacked chart of who joined when and how;
* the network's projects: the published projects located in at least one member commune, exactly
  ``projects(filter: {network: {network: <id>}})``. Each breakdown counts as that list filtered
  once more: per Handlungsfeld with its sub-fields (``handlungsfelder: [h]``; every Handlungsfeld,
  tree order, zeros included), per status (every status, zeros included; ``None``: no status), per
  Kreis of the project's communes (``kreise: [k]``; a project in two Kreise counts in both, so
  these may add up to more than ``projects``; ``None``: none of its communes has a Kreis);
* gaps by Kreis: for every Kreis of the network's members, the Handlungsfelder (tree order) without
  any of the network's projects there: exactly the zero cells of ``coverage(groupBy: KREIS,
  filter: {network: <id>})``, computed by the same code;
* adoptions per year: every published adoption record (``Adaptation``) of a member commune, in the
  year it started, and every ADAPTED_FROM edge from one of the network's projects to a published
  project that no record of the same commune and source already counts, in the ``started`` year of
  the adopting project (``None``: no start recorded). A project that adapted two others counts twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from schule.domain.model import MembershipBasis, MembershipRole, ProjectStatus
from schule.services.transfer.coverage import Grouping, coverage
from schule.services.transfer.experts import year_of
from schule.services.transfer.facts import Facts


@dataclass(frozen=True)
class NetworkStats:
    network: str
    members: int
    by_role: list[tuple[str, int]]
    by_basis: list[tuple[str | None, int]]
    joins_per_year: list[tuple[int | None, int]]
    joins_by_year_and_basis: list[tuple[int | None, str | None, int]]
    projects: int
    by_field: list[tuple[str, int]]
    by_status: list[tuple[str | None, int]]
    by_kreis: list[tuple[str | None, int]]
    adoptions_per_year: list[tuple[int | None, int]]
    gaps_by_kreis: list[tuple[str, list[str]]]


def _by_year(counts: Counter[int | None]) -> list[tuple[int | None, int]]:
    return sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))


def _with_unknown(known: list[tuple[str | None, int]], unknown: int) -> list[tuple[str | None, int]]:
    return known + ([(None, unknown)] if unknown else [])


def gaps_by_kreis(facts: Facts, network: str) -> list[tuple[str, list[str]]]:
    gaps: dict[str, list[str]] = {}
    for cell in coverage(facts, Grouping.KREIS, {"network": network}):
        missing = gaps.setdefault(cell.group, [])
        if cell.projects == 0:
            missing.append(cell.field)
    return list(gaps.items())


def network_stats(facts: Facts, network: str) -> NetworkStats:
    members = facts.members.get(network, {})
    roles = Counter(m.role for m in members.values())
    bases = Counter(m.basis for m in members.values())
    joins: Counter[int | None] = Counter(year_of(m.since) for m in members.values())
    by_year_basis = Counter((year_of(m.since), m.basis) for m in members.values())
    basis_rank = {b.value: i for i, b in enumerate(MembershipBasis)}
    joins_by_basis = [
        (year, basis, n) for (year, basis), n in sorted(
            by_year_basis.items(),
            key=lambda kv: (kv[0][0] is None, kv[0][0] or 0, basis_rank.get(kv[0][1] or "", len(basis_rank))),
        )
    ]
    ids = {pid for c in members for pid in facts.commune_projects.get(c, ())}
    projects = [facts.projects[pid] for pid in sorted(ids)]
    fields: Counter[str] = Counter(f for p in projects for f in facts.project_fields.get(p.id, ()))
    statuses = Counter(p.status for p in projects)
    kreise: Counter[str | None] = Counter()
    adoptions: Counter[int | None] = Counter()
    recorded = {(a.commune, a.adopts) for a in facts.adoptions.values() if a.commune in members}
    for a in facts.adoptions.values():
        if a.commune in members:
            adoptions[year_of(a.started)] += 1
    for p in projects:
        own = {facts.communes[c].kreis for c in p.communes if c in facts.communes}
        for kreis in own - {None} or {None}:
            kreise[kreis] += 1
        for source in p.adapted_from:
            if source in facts.projects and source != p.id and not any((c, source) in recorded for c in p.communes):
                adoptions[year_of(p.started)] += 1
    by_kreis = sorted(((k, n) for k, n in kreise.items() if k is not None), key=lambda kv: kv[0].casefold())
    return NetworkStats(
        network=network,
        members=len(members),
        by_role=[(r.value, roles.get(r.value, 0)) for r in MembershipRole],
        by_basis=_with_unknown([(b.value, bases.get(b.value, 0)) for b in MembershipBasis], bases.get(None, 0)),
        joins_per_year=_by_year(joins),
        joins_by_year_and_basis=joins_by_basis,
        projects=len(projects),
        by_field=[(f, fields.get(f, 0)) for f in facts.field_order()],
        by_status=_with_unknown([(s.value, statuses.get(s.value, 0)) for s in ProjectStatus], statuses.get(None, 0)),
        by_kreis=_with_unknown(list(by_kreis), kreise.get(None, 0)),
        adoptions_per_year=_by_year(adoptions),
        gaps_by_kreis=gaps_by_kreis(facts, network),
    )
