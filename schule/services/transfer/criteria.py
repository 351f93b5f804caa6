"""The project list filter, in Python, over ``Facts``: what ``projects(filter:)`` selects in Cypher.

Coverage promises the numbers the filtered project list gives, so this predicate must select
exactly the projects ``cypher.LIST_FILTERS[Kind.PROJECT]`` selects for the same parameters
(``ProjectFilter.params()``); the end-to-end tests compare both on the seed and a generated corpus.
Every list condition holds when any value matches; a null (absent) parameter does not restrict:

* ``communes``, ``kreise``, ``regions``: one of the project's communes has that id, Kreis, region;
* ``handlungsfelder``: one of the project's Handlungsfelder is one of them or lies below one;
* ``status``, ``tags``: the project's status is one of them, one of its tags is one of them (exact);
* ``started_from`` … ``ended_to``: the date text compares inclusively, as text; no date, no match;
* ``network`` (with ``network_roles``): one of its communes is a member (in one of those roles).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from schule.services.transfer.facts import Facts, ProjectFact

Predicate = Callable[[ProjectFact], bool]

PARAMS = ("communes", "kreise", "regions", "handlungsfelder", "status", "tags", "started_from", "started_to",
          "ended_from", "ended_to", "network", "network_roles")


def project_predicate(facts: Facts, params: Mapping[str, Any]) -> Predicate:
    """A predicate for ``params`` (the keys of ``PARAMS``; unknown keys are a programming error)."""
    unknown = set(params) - set(PARAMS)
    if unknown:
        raise ValueError(f"unknown project filter(s): {', '.join(sorted(unknown))}")
    checks: list[Predicate] = []
    communes = facts.communes

    def any_commune(attribute: str, wanted: set[str]) -> Predicate:
        def check(p: ProjectFact) -> bool:
            for c in p.communes:
                fact = communes.get(c)
                if fact is not None and getattr(fact, attribute) in wanted:
                    return True
            return False

        return check

    if params.get("communes") is not None:
        wanted_ids = set(params["communes"])
        checks.append(lambda p: any(c in wanted_ids for c in p.communes))
    if params.get("kreise") is not None:
        checks.append(any_commune("kreis", set(params["kreise"])))
    if params.get("regions") is not None:
        checks.append(any_commune("region", set(params["regions"])))
    if params.get("handlungsfelder") is not None:
        wanted_fields = set(params["handlungsfelder"])
        project_fields = facts.project_fields
        checks.append(lambda p: not wanted_fields.isdisjoint(project_fields.get(p.id, ())))
    if params.get("status") is not None:
        statuses = set(params["status"])
        checks.append(lambda p: p.status in statuses)
    if params.get("tags") is not None:
        tags = set(params["tags"])
        checks.append(lambda p: any(t in tags for t in p.tags))
    for key, attribute, low in (("started_from", "started", True), ("started_to", "started", False),
                                ("ended_from", "ended", True), ("ended_to", "ended", False)):
        bound = params.get(key)
        if bound is not None:
            checks.append(_date_check(attribute, str(bound), low))
    if params.get("network") is not None:
        members = facts.members.get(str(params["network"]), {})
        roles = set(params["network_roles"]) if params.get("network_roles") is not None else None
        allowed = {c for c, m in members.items() if roles is None or m.role in roles}
        checks.append(lambda p: any(c in allowed for c in p.communes))
    if not checks:
        return lambda p: True
    if len(checks) == 1:
        return checks[0]
    return lambda p: all(check(p) for check in checks)


def _date_check(attribute: str, bound: str, low: bool) -> Predicate:
    def check(p: ProjectFact) -> bool:
        value = getattr(p, attribute)
        if value is None:
            return False
        return value >= bound if low else value <= bound

    return check
