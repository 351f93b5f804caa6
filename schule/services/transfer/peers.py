"""Communes like mine: similar communes, ranked, each with its reasons in German.

A peer ``b`` of the commune ``a`` must have a similar size: between half and double ``a``'s
population (``1/2 <= pop(b) / pop(a) <= 2``); communes of unknown population are no peers of a
commune whose population is known. Among those::

    score(a, b) = 0.40 * size + 0.20 * kreis + 0.10 * region + 0.15 * networks + 0.15 * fields

    size     = 1 - |ln(pop(b) / pop(a))| / ln 2      1 for the same size, 0 at half or double
    kreis    = 1 if both are in the same Kreis, else 0
    region   = 1 if both are in the same region, else 0
    networks = |N(a) ∩ N(b)| / |N(a)|                share of a's networks that b is in too (0 if none)
    fields   = |F(a) ∩ F(b)| / |F(a) ∪ F(b)|         Jaccard of the Handlungsfelder (with their parents)
                                                     both have published projects in (0 if neither has)

Size weighs most because the question is "who did it in a town our size?"; Kreis and region stand
for shared structures (the same Kreis administration, regional programmes); networks for partners
one already talks to; Handlungsfelder for shared interests. Ties go to the closer population, then
to the name. A commune without a known population has no size window: every other commune with
something in common (a score above 0) is a candidate, and size contributes nothing.

Reasons name what counted, strongest first: "ähnliche Größe (24.665 / 24.651 Einwohner)" (a's
figure first), "ebenfalls eine kleinere Mittelstadt" (BBSR class), "ebenfalls im Märkischen
Kreis", "ebenfalls in der Region Südwestfalen" (when the Kreis differs), the shared networks and
Handlungsfelder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from schule.domain.population import size_class
from schule.services.transfer.facts import CommuneFact, Facts
from schule.services.transfer.wording import format_number, german_list, in_kreis, quoted

WEIGHTS = {"size": 0.40, "kreis": 0.20, "region": 0.10, "networks": 0.15, "fields": 0.15}
SIZE_RATIO = 2.0  # a peer is at most this many times larger or smaller
FIELDS_NAMED = 3


@dataclass(frozen=True)
class Peer:
    commune: str
    score: float
    reasons: tuple[str, ...]


def size_similarity(a: int, b: int) -> float | None:
    """1 for equal populations, falling to 0 at half or double; None outside that window."""
    if a <= 0 or b <= 0:
        return None
    distance = abs(math.log(b / a)) / math.log(SIZE_RATIO)
    return None if distance > 1 + 1e-12 else max(0.0, 1.0 - distance)


def rank_peers(facts: Facts, commune: str, first: int) -> list[Peer]:
    """The ``first`` communes most like ``commune`` (see the module docstring), best first."""
    target = facts.communes.get(commune)
    if target is None or first <= 0:
        return []
    my_networks = facts.networks_of(commune)
    my_fields = facts.commune_fields.get(commune, frozenset())
    scored: list[tuple[float, float, str, str]] = []
    for other in facts.communes.values():
        if other.id == commune:
            continue
        size: float | None = 0.0
        gap = 0.0
        if target.population is not None:
            if other.population is None:
                continue
            size = size_similarity(target.population, other.population)
            if size is None:
                continue
            gap = abs(math.log(other.population / target.population)) if target.population else 0.0
        score = _score(facts, target, other, size or 0.0, my_networks, my_fields)
        if target.population is None and score <= 0:
            continue  # nothing in common: no reason to call it similar
        scored.append((-score, gap, other.name.casefold(), other.id))
    scored.sort()
    out = []
    for negative, _, _, other_id in scored[:first]:
        other = facts.communes[other_id]
        out.append(Peer(other_id, round(-negative, 4), _reasons(facts, target, other, my_networks, my_fields)))
    return out


def _score(facts: Facts, a: CommuneFact, b: CommuneFact, size: float, networks: frozenset[str],
           fields: frozenset[str]) -> float:
    same_kreis = a.kreis is not None and b.kreis == a.kreis
    same_region = a.region is not None and b.region == a.region
    shared_networks = len(networks & facts.networks_of(b.id)) / len(networks) if networks else 0.0
    theirs = facts.commune_fields.get(b.id, frozenset())
    union = len(fields | theirs) if fields or theirs else 0
    shared_fields = len(fields & theirs) / union if union else 0.0
    return (WEIGHTS["size"] * size + WEIGHTS["kreis"] * same_kreis + WEIGHTS["region"] * same_region
            + WEIGHTS["networks"] * shared_networks + WEIGHTS["fields"] * shared_fields)


def _reasons(facts: Facts, a: CommuneFact, b: CommuneFact, my_networks: frozenset[str],
             my_fields: frozenset[str]) -> tuple[str, ...]:
    same_kreis = a.kreis is not None and b.kreis == a.kreis
    same_region = a.region is not None and b.region == a.region
    networks = my_networks & facts.networks_of(b.id)
    fields = my_fields & facts.commune_fields.get(b.id, frozenset())
    out: list[str] = []
    if a.population is not None and b.population is not None:
        out.append(f"ähnliche Größe ({format_number(a.population)} / {format_number(b.population)} Einwohner)")
        cls = size_class(b.population)
        if cls is not None and cls == size_class(a.population):
            label = cls.label if " " not in cls.label else cls.label[0].lower() + cls.label[1:]
            out.append(f"ebenfalls eine {label}")
    if same_kreis and b.kreis:
        out.append(f"ebenfalls {in_kreis(b.kreis)}")
    elif same_region and b.region:
        out.append(f"ebenfalls in der Region {b.region}")
    if networks:
        names = sorted((facts.networks[n] for n in networks), key=str.casefold)
        if len(names) == 1:
            out.append(f"ebenfalls im Netzwerk {quoted(names[0])}")
        else:
            out.append(f"ebenfalls in den Netzwerken {german_list([quoted(n) for n in names])}")
    if fields:
        names = sorted((facts.fields[f].name for f in fields if f in facts.fields), key=str.casefold)
        if names:
            shown = names[:FIELDS_NAMED] + ([f"{len(names) - FIELDS_NAMED} weiteren"] if len(names) > FIELDS_NAMED
                                            else [])
            out.append(f"Projekte in denselben Handlungsfeldern: {german_list(shown)}")
    return tuple(out)
