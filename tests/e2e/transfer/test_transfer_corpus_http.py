"""Knowledge transfer on a generated corpus (300 projects, 40 communes of every size class in 20 Kreise
and 4 regions, networks with roles, adaptations), over HTTP: the rules hold for every commune, and
coverage and network statistics give the numbers of the filtered project list for many filters."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.e2e.transfer.conftest import CORPUS_COMMUNES, Client
from tests.e2e.transfer.test_transfer_seed_http import COVERAGE, NETWORK_STATS, totals

COMMUNES = "{ communes(first: 100) { nodes { slug name kreis region population } } }"
PEERS = """query($id: String!) {
  commune(id: $id) { peers(first: 8) { score reasons commune { slug population } } }
}"""
RECOMMENDATIONS = """query($commune: String!) {
  recommendations(commune: $commune, first: 20) {
    score reasons project { slug status communes { slug } adaptedFrom { slug } adaptations { slug } }
  }
}"""
OWN_PROJECTS = """query($id: String!) {
  projects(filter: {communes: [$id]}, first: 100) { nodes { slug adaptedFrom { slug } adaptations { slug } } }
}"""
EXPERTS = """query($topic: String!) {
  experts(topic: $topic, first: 5) {
    score person { slug expertise projects { slug } lessons { slug } } projects { slug } lessons { slug }
  }
}"""
SEARCH = """query($q: String!, $kind: SearchKind!) { search(query: $q, first: 100, filter: {kinds: [$kind]}) {
  hits { id } } }"""


def communes(client: Client) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = client.data(COMMUNES)["communes"]["nodes"]
    assert len(nodes) == CORPUS_COMMUNES
    return nodes


def test_peers_of_every_commune_follow_the_size_window_and_rank_best_first(corpus: Client) -> None:
    for commune in communes(corpus):
        peers = corpus.data(PEERS, {"id": commune["slug"]})["commune"]["peers"]
        scores = [p["score"] for p in peers]
        assert scores == sorted(scores, reverse=True), commune["slug"]
        for peer in peers:
            assert peer["commune"]["slug"] != commune["slug"]
            ratio = peer["commune"]["population"] / commune["population"]
            assert 0.5 <= ratio <= 2, (commune["slug"], peer)
            assert peer["reasons"][0].startswith("ähnliche Größe (")
            assert 0 <= peer["score"] <= 1


def test_recommendations_never_hold_own_stopped_or_already_adopted_projects(corpus: Client) -> None:
    checked = 0
    for commune in communes(corpus):
        own = corpus.data(OWN_PROJECTS, {"id": commune["slug"]})["projects"]["nodes"]
        own_ids = {p["slug"] for p in own}
        taken_over = {a["slug"] for p in own for a in p["adaptedFrom"]}
        copies_of_own = {a["slug"] for p in own for a in p["adaptations"]}
        recs = corpus.data(RECOMMENDATIONS, {"commune": commune["slug"]})["recommendations"]
        scores = [r["score"] for r in recs]
        assert scores == sorted(scores, reverse=True)
        for rec in recs:
            project = rec["project"]
            assert project["slug"] not in own_ids | taken_over | copies_of_own, (commune["slug"], project["slug"])
            assert commune["slug"] not in [c["slug"] for c in project["communes"]]
            assert project["status"] != "STOPPED"
            assert rec["reasons"][0].startswith("läuft in ")
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("group_by", ["COMMUNE", "KREIS", "REGION"])
def test_coverage_equals_the_filtered_project_list_for_many_filters(corpus: Client, group_by: str) -> None:
    rng = random.Random(group_by)
    nodes = communes(corpus)
    kreise = sorted({c["kreis"] for c in nodes})
    regions = sorted({c["region"] for c in nodes})
    filters: list[dict[str, Any]] = [
        {},
        {"kreise": rng.sample(kreise, 3)},
        {"regions": [rng.choice(regions)], "status": ["OPERATION", "COMPLETED"]},
        {"network": {"network": "netz-1", "roles": ["MITMACHER"]}},
        {"network": {"network": "netz-2"}, "handlungsfelder": ["hf-1", "hf-2-0"]},
        {"started": {"from": "2019", "to": "2022"}, "kreise": rng.sample(kreise, 5)},
        {"communes": [c["slug"] for c in rng.sample(nodes, 6)], "tags": ["Datenplattform"]},
    ]
    key = {"COMMUNE": "communes", "KREIS": "kreise", "REGION": "regions"}[group_by]
    for project_filter in filters:
        cells = corpus.data(COVERAGE, {"groupBy": group_by, "filter": project_filter})["coverage"]
        assert cells, project_filter
        # every group of the filter, and every Handlungsfeld in each (or the filter's)
        groups = list(dict.fromkeys(c["group"] for c in cells))
        fields_per_group = len(cells) // len(groups)
        assert len(cells) == len(groups) * fields_per_group
        sample = rng.sample(cells, min(len(cells), 20)) + [c for c in cells if c["projects"]][:10]
        expected = totals(corpus, [
            {**project_filter, key: [c["group"]], "handlungsfelder": [c["handlungsfeld"]["slug"]]}
            for c in sample
        ])
        assert [c["projects"] for c in sample] == expected, project_filter


def test_network_stats_match_the_filtered_project_list(corpus: Client) -> None:
    for network in ("netz-0", "netz-3"):
        stats = corpus.data(NETWORK_STATS, {"network": network})["networkStats"]
        members = corpus.data("query($n: String!) { network(id: $n) { members { role } } }", {"n": network})
        assert stats["members"] == len(members["network"]["members"])
        assert sum(r["count"] for r in stats["membersByRole"]) == stats["members"]
        assert sum(b["count"] for b in stats["membersByBasis"]) == stats["members"]
        assert sum(y["count"] for y in stats["joinsPerYear"]) == stats["members"]
        base = {"network": {"network": network}}
        assert [stats["projects"]] == totals(corpus, [base])
        assert sum(s["projects"] for s in stats["projectsByStatus"]) == stats["projects"]
        by_kreis = stats["projectsByKreis"]
        assert [k["projects"] for k in by_kreis] == totals(corpus, [{**base, "kreise": [k["kreis"]]} for k in by_kreis])
        years = [y["year"] for y in stats["adoptionsPerYear"]]
        assert years == sorted(y for y in years if y is not None) + [None] * years.count(None)


def test_experts_have_evidence_the_search_finds(corpus: Client) -> None:
    topic = "Datenplattform"
    found_projects = {h["id"] for h in corpus.data(SEARCH, {"q": topic, "kind": "PROJECT"})["search"]["hits"]}
    found_lessons = {h["id"] for h in corpus.data(SEARCH, {"q": topic, "kind": "LESSON"})["search"]["hits"]}
    experts = corpus.data(EXPERTS, {"topic": topic})["experts"]
    assert len(experts) == 5
    for expert in experts:
        person = expert["person"]
        projects, lessons = {p["slug"] for p in expert["projects"]}, {le["slug"] for le in expert["lessons"]}
        # every piece of evidence is a search hit the person is contact or author of
        assert projects <= found_projects & {p["slug"] for p in person["projects"]}
        assert lessons <= found_lessons & {le["slug"] for le in person["lessons"]}
        assert projects or lessons or any("Datenplattform" in e for e in person["expertise"])
