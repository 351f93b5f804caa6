"""Coverage (gap analysis): how many projects each group of communes has in each Handlungsfeld.

A cell ``(g, h)`` counts the published projects that match the filter, are located in a commune of
the group ``g`` and are filed under the Handlungsfeld ``h`` or one of its sub-fields: exactly
``projects(filter: {…filter, <group>: [g], handlungsfelder: [h]}).totalCount``, where ``<group>`` is
``communes`` (commune id), ``kreise`` (Kreis name) or ``regions`` (region name). A project in two
communes of one Kreis counts once for that Kreis; a project filed under "Energie" counts for
"Energie" and for its parent "Umwelt".

Every combination is a cell, zeros included, so gaps show. The groups are the published communes
(or their Kreise or regions) the filter's ``communes``, ``kreise``, ``regions`` and ``network``
allow (communes without a Kreis or region are in no Kreis or region group); the Handlungsfelder
are the filter's ``handlungsfelder`` if given, else all, in tree order. Cells come group by group
(groups by name), Handlungsfelder in tree order within each.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schule.domain.problems import Code, Problem
from schule.services.transfer.criteria import project_predicate
from schule.services.transfer.facts import CommuneFact, Facts, ProjectFact


class Grouping(enum.StrEnum):
    COMMUNE = "commune"
    KREIS = "kreis"
    REGION = "region"


@dataclass(frozen=True)
class Cell:
    group: str  # the filter value: commune id, Kreis name or region name
    group_name: str  # what people read: the commune's name, else the same as group
    field: str
    projects: int


def group_key(grouping: Grouping, commune: CommuneFact) -> str | None:
    if grouping is Grouping.COMMUNE:
        return commune.id
    return commune.kreis if grouping is Grouping.KREIS else commune.region


COMMUNE_CONDITIONS = ("communes", "kreise", "regions", "network", "network_roles")


@dataclass(frozen=True)
class Groups:
    names: dict[str, str]  # key -> display name, sorted by name
    pure: bool  # every commune of every selected group meets the commune conditions of the filter
    communes: frozenset[str]  # the communes of the selected groups


def groups(facts: Facts, grouping: Grouping, params: Mapping[str, Any]) -> Groups:
    """The groups the filter allows (those with a commune that meets its commune conditions)."""
    allowed_ids = set(params["communes"]) if params.get("communes") is not None else None
    kreise = set(params["kreise"]) if params.get("kreise") is not None else None
    regions = set(params["regions"]) if params.get("regions") is not None else None
    members: set[str] | None = None
    if params.get("network") is not None:
        roles = set(params["network_roles"]) if params.get("network_roles") is not None else None
        network = facts.members.get(str(params["network"]), {})
        members = {c for c, m in network.items() if roles is None or m.role in roles}

    def meets(c: CommuneFact) -> bool:
        return ((allowed_ids is None or c.id in allowed_ids) and (kreise is None or c.kreis in kreise)
                and (regions is None or c.region in regions) and (members is None or c.id in members))

    names: dict[str, str] = {}
    failing: set[str] = set()
    by_key: dict[str, list[str]] = {}
    for c in facts.communes.values():
        key = group_key(grouping, c)
        if key is None:
            continue
        by_key.setdefault(key, []).append(c.id)
        if meets(c):
            names[key] = c.name if grouping is Grouping.COMMUNE else key
        else:
            failing.add(key)
    ordered = dict(sorted(names.items(), key=lambda kv: (kv[1].casefold(), kv[0])))
    communes = frozenset(c for key in ordered for c in by_key[key])
    return Groups(ordered, pure=not (failing & set(ordered)), communes=communes)


def project_groups(facts: Facts, grouping: Grouping) -> dict[str, tuple[str, ...]]:
    """Each project's groups (the ids, Kreise or regions of its published communes), once per snapshot."""

    def compute() -> dict[str, tuple[str, ...]]:
        communes = facts.communes
        out = {}
        for p in facts.projects.values():
            keys = {k for c in p.communes if c in communes and (k := group_key(grouping, communes[c])) is not None}
            if keys:
                out[p.id] = tuple(sorted(keys))
        return out

    return facts.derived(("coverage-groups", grouping), compute)


def all_counts(facts: Facts, grouping: Grouping) -> dict[tuple[str, str], int]:
    """Projects per (group, Handlungsfeld) without any filter, once per snapshot."""

    def compute() -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for pid, keys in project_groups(facts, grouping).items():
            for key in keys:
                for f in facts.project_fields[pid]:
                    counts[(key, f)] = counts.get((key, f), 0) + 1
        return counts

    return facts.derived(("coverage-counts", grouping), compute)


def coverage(
    facts: Facts, grouping: Grouping, params: Mapping[str, Any], *, only_gaps: bool = False
) -> list[Cell]:
    """The cells (see the module docstring); with ``only_gaps`` only those with no project."""
    found = groups(facts, grouping, params)
    selected = found.names
    wanted_fields: Sequence[str] = facts.field_order()
    all_fields = params.get("handlungsfelder") is None
    if not all_fields:
        chosen = set(params["handlungsfelder"])
        wanted_fields = [f for f in wanted_fields if f in chosen] + sorted(chosen - set(wanted_fields))
    columns = frozenset(wanted_fields)
    # Conditions every counted project meets anyway need no check: ``handlungsfelder`` (a cell's
    # Handlungsfeld is one of them), and the commune conditions when every commune of every selected
    # group meets them (a project in such a group has a commune that does).
    implied = {"handlungsfelder", *(COMMUNE_CONDITIONS if found.pure else ())}
    rest = {k: v for k, v in params.items() if v is not None and k not in implied}
    if rest:
        counts = _count(facts, grouping, found, columns, project_predicate(facts, rest))
    else:
        counts = all_counts(facts, grouping)
    cells = [
        Cell(key, name, f, counts.get((key, f), 0))
        for key, name in selected.items()
        for f in wanted_fields
    ]
    return [c for c in cells if c.projects == 0] if only_gaps else cells


def _count(facts: Facts, grouping: Grouping, found: Groups, columns: frozenset[str],
           matches: Callable[[ProjectFact], bool]) -> dict[tuple[str, str], int]:
    """Counts for the projects of the selected groups' communes that ``matches``."""
    projects, project_fields, groups_of = facts.projects, facts.project_fields, project_groups(facts, grouping)
    selected = found.names
    candidates = {pid for c in found.communes for pid in facts.commune_projects.get(c, ())}
    counts: dict[tuple[str, str], int] = {}
    for pid in candidates:
        fields = project_fields[pid] & columns
        if not fields or not matches(projects[pid]):
            continue
        for key in groups_of[pid]:
            if key in selected:
                for f in fields:
                    counts[(key, f)] = counts.get((key, f), 0) + 1
    return counts


SHOWN_KNOWN = 12


def unknown_values(facts: Facts, params: Mapping[str, Any]) -> list[Problem]:
    """Problems for filter values that name nothing: a typo must not look like a gap in every cell."""
    known = {
        "communes": ("Keine Kommune mit der ID", set(facts.communes)),
        "kreise": ("Kein Kreis namens", {c.kreis for c in facts.communes.values() if c.kreis}),
        "regions": ("Keine Region namens", {c.region for c in facts.communes.values() if c.region}),
        "handlungsfelder": ("Kein Handlungsfeld mit der ID", set(facts.fields)),
    }
    problems = []
    for name, (what, values) in known.items():
        for value in params.get(name) or ():
            if value not in values:
                listed = sorted(values, key=str.casefold)
                hint = ", ".join(repr(v) for v in listed[:SHOWN_KNOWN]) + (", …" if len(listed) > SHOWN_KNOWN else "")
                problems.append(Problem(Code.NOT_FOUND, name, f"{what} {value!r}. Bekannt sind: {hint}."))
    network = params.get("network")
    if network is not None and network not in facts.networks:
        problems.append(Problem(Code.NOT_FOUND, "network", f"Kein Netzwerk mit der ID {network!r}."))
    return problems
