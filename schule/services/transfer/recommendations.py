"""Recommendations: projects a commune could take over, from communes like it and from its partners.

Sources are the commune's best ``PEERS_CONSIDERED`` peers (``peers.rank_peers``, weight = the peer's
score) and its network partners (communes sharing a network with it, weight ``PARTNER_WEIGHT``);
a commune that is both counts with the larger weight. Candidates are the published projects located
in a source commune, except

* the commune's own projects (never recommended),
* projects it already took over (one of its projects is ``adapted_from`` them, or it has an adoption
  record for them that is not abandoned), and projects that were adapted from one of its own (it
  runs the original),
* stopped projects (``stopped``: nothing to take over).

For a candidate ``p`` run by the source communes ``S(p)``::

    score(p)     = relevance(p) * proof(p)
    relevance(p) = max(weight(s) for s in S(p)) + 0.1 * min(|S(p)| - 1, 3)
    proof(p)     = 1 + 0.5 * proven(p) + 0.25 * min(adopters(p), 4) + 0.5 * min(done(p), 2)

    proven(p)    = 1 if the status is ``operation`` or ``completed``, else 0
    adopters(p)  = published projects with an ADAPTED_FROM edge to p (others took it over)
    done(p)      = communes with a published adoption record of p marked done (it worked there too)

A done adoption record weighs twice a mere link: it says the copy works, not only that it was made.

So a project proven in operation and adopted twice by others weighs twice as much as an untested
one from the same source (1 + 0.5 + 0.5 = 2), and a project run by several sources gains a little.
Ties go to more adopters, then to the title.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from schule.services.transfer.facts import Facts
from schule.services.transfer.peers import rank_peers
from schule.services.transfer.wording import german_list, plural, quoted

PEERS_CONSIDERED = 20
PARTNER_WEIGHT = 0.5
PROVEN = {"operation": "in Betrieb", "completed": "abgeschlossen"}
EXCLUDED_STATUS = {"stopped"}
SOURCES_NAMED = 3


@dataclass(frozen=True)
class Recommendation:
    project: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Source:
    weight: float
    peer: bool
    networks: tuple[str, ...]  # names of the networks shared with the commune


def proof(facts: Facts, project: str) -> float:
    p = facts.projects[project]
    return (1.0 + 0.5 * (p.status in PROVEN) + 0.25 * min(len(facts.adopters.get(project, ())), 4)
            + 0.5 * min(len(facts.done_adopters.get(project, ())), 2))


def _candidates(facts: Facts) -> dict[str, tuple[float, int, str, tuple[str, ...]]]:
    """Per project that may be recommended at all (not stopped): proof, adopters, sort key of the
    title and communes; computed once per snapshot."""
    return facts.derived("recommendation-candidates", lambda: {
        pid: (proof(facts, pid), len(facts.adopters.get(pid, ())), p.title.casefold(), p.communes)
        for pid, p in facts.projects.items() if p.status not in EXCLUDED_STATUS
    })


def recommend(facts: Facts, commune: str, first: int) -> list[Recommendation]:
    """The ``first`` best recommendations for ``commune`` (see the module docstring)."""
    if commune not in facts.communes or first <= 0:
        return []
    sources = _sources(facts, commune)
    weight = {c: s.weight for c, s in sources.items()}
    own = set(facts.commune_projects.get(commune, ()))
    # its own, those it took over, and adaptations of its own (it runs the original)
    blocked = own | {a for p in own for a in facts.projects[p].adapted_from}
    blocked |= {adopter for p in own for adopter in facts.adopters.get(p, ())}
    blocked |= facts.adopting.get(commune, frozenset())
    candidates = _candidates(facts)
    scored: list[tuple[float, int, str, str]] = []
    seen = set(blocked)
    for source, w in weight.items():
        for project_id in facts.commune_projects.get(source, ()):
            if project_id in seen:
                continue
            seen.add(project_id)
            known = candidates.get(project_id)
            if known is None:
                continue
            proof_, adopters, key, communes = known
            if len(communes) == 1:
                relevance = w
            else:
                weights = [weight[c] for c in communes if c in weight]
                relevance = max(weights) + 0.1 * min(len(weights) - 1, 3)
            scored.append((-relevance * proof_, -adopters, key, project_id))
    out = []
    for negative, adopters, _, project_id in heapq.nsmallest(first, scored):
        running = [c for c in facts.projects[project_id].communes if c in sources]
        reasons = _reasons(facts, project_id, running, sources, -adopters)
        out.append(Recommendation(project_id, round(-negative, 4), reasons))
    return out


def _sources(facts: Facts, commune: str) -> dict[str, _Source]:
    mine = facts.networks_of(commune)
    out: dict[str, _Source] = {}
    for peer in rank_peers(facts, commune, PEERS_CONSIDERED):
        shared = tuple(sorted(facts.networks[n] for n in mine & facts.networks_of(peer.commune)))
        out[peer.commune] = _Source(peer.score, True, shared)
    for network in mine:
        for partner in facts.members.get(network, {}):
            if partner == commune:
                continue
            shared = tuple(sorted(facts.networks[n] for n in mine & facts.networks_of(partner)))
            known = out.get(partner)
            weight = max(PARTNER_WEIGHT, known.weight if known else 0.0)
            out[partner] = _Source(weight, known.peer if known else False, shared)
    return out


def _reasons(facts: Facts, project: str, running: list[str], sources: dict[str, _Source],
             adopters: int) -> tuple[str, ...]:
    out: list[str] = []
    ranked = sorted(running, key=lambda c: (-sources[c].weight, facts.communes[c].name.casefold()))
    described = []
    for c in ranked[:SOURCES_NAMED]:
        source = sources[c]
        name = facts.communes[c].name
        if source.peer:
            described.append(f"{name} (ähnliche Kommune)")
        elif source.networks:
            described.append(f"{name} (Partner im Netzwerk {quoted(source.networks[0])})")
        else:
            described.append(name)
    if len(running) > SOURCES_NAMED:
        out.append(f"läuft in {plural(len(running), 'Kommune', 'Kommunen')}, darunter {german_list(described)}")
    else:
        out.append(f"läuft in {german_list(described)}")
    status = facts.projects[project].status
    if status in PROVEN:
        out.append(f"bewährt: {PROVEN[status]}")
    if adopters:
        out.append(f"von {plural(adopters, 'anderen Projekt', 'anderen Projekten')} übernommen")
    done = len(facts.done_adopters.get(project, ()))
    if done:
        out.append(f"in {plural(done, 'weiteren Kommune', 'weiteren Kommunen')} erfolgreich übernommen")
    return tuple(out)
