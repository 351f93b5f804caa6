"""Knowledge transfer on the seed data, over HTTP: communes like mine, recommendations, experts,
coverage and network statistics, their errors, and that only published entries count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schule.auth.identity import Identity
from schule.domain.model import Kind
from schule.domain.population import format_number
from schule.services import accounts, moderation
from tests.conftest import SEED_DIR
from tests.e2e.transfer.conftest import OPERATOR_TOKEN, Client, client_for, errors

PEERS = """query($id: String!, $first: Int!) {
  commune(id: $id) { name population sizeClass
    peers(first: $first) { score reasons commune { slug name kreis population sizeClass } } }
}"""
RECOMMENDATIONS = """query($commune: String!, $first: Int!) {
  recommendations(commune: $commune, first: $first) { score reasons project { slug title status communes { slug } } }
}"""
EXPERTS = """query($topic: String!) {
  experts(topic: $topic) { score reasons person { slug name email } projects { slug } lessons { slug title } }
}"""
COVERAGE = """query($groupBy: CoverageGrouping!, $filter: ProjectFilter, $onlyGaps: Boolean! = false) {
  coverage(groupBy: $groupBy, filter: $filter, onlyGaps: $onlyGaps) {
    group groupName commune { slug } handlungsfeld { slug name } projects
  }
}"""
NETWORK_STATS = """query($network: String!) {
  networkStats(network: $network) {
    network { slug } members
    membersByRole { role count } membersByBasis { basis count } joinsPerYear { year count }
    projects projectsByHandlungsfeld { handlungsfeld { slug } projects }
    projectsByStatus { status projects } projectsByKreis { kreis projects } adoptionsPerYear { year count }
  }
}"""
TOTAL = "query($filter: ProjectFilter) { projects(filter: $filter) { totalCount } }"


def totals(client: Client, filters: list[dict[str, Any]]) -> list[int]:
    """``projects(filter:).totalCount`` for each filter, 25 per request (one alias each)."""
    out: list[int] = []
    for start in range(0, len(filters), 25):
        chunk = filters[start:start + 25]
        params = ", ".join(f"$f{i}: ProjectFilter" for i in range(len(chunk)))
        fields = " ".join(f"t{i}: projects(filter: $f{i}) {{ totalCount }}" for i in range(len(chunk)))
        data = client.data(f"query({params}) {{ {fields} }}", {f"f{i}": f for i, f in enumerate(chunk)})
        out += [data[f"t{i}"]["totalCount"] for i in range(len(chunk))]
    return out


def problem(body: dict[str, Any]) -> tuple[str, str | None]:
    [error] = errors(body)
    return error["extensions"]["code"], error["extensions"].get("field")


# -- communes like mine -------------------------------------------------------------------------------


def test_plettenberg_has_five_peers_between_half_and_double_its_population_each_with_reasons(seeded: Client) -> None:
    # when the five communes most like Plettenberg are asked for
    data = seeded.data(PEERS, {"id": "plettenberg", "first": 5})["commune"]

    # then Plettenberg (24,665 inhabitants, Zensus 2022) is a kleinere Mittelstadt
    assert (data["population"], data["sizeClass"]) == (24665, "KLEINERE_MITTELSTADT")
    peers = data["peers"]
    assert len(peers) == 5
    for peer in peers:
        commune = peer["commune"]
        # each peer is between half and double its size, and says so first, in German number format
        assert 24665 / 2 <= commune["population"] <= 24665 * 2, commune
        assert peer["reasons"][0] == f"ähnliche Größe (24.665 / {format_number(commune['population'])} Einwohner)"
        assert commune["slug"] != "plettenberg"
    # ranked best first
    scores = [p["score"] for p in peers]
    assert scores == sorted(scores, reverse=True)
    # a peer in the same Kreis says so in the Kreis's dative, and the partner in two networks says that
    reasons = {p["commune"]["slug"]: p["reasons"] for p in peers}
    in_mk = [p["commune"]["slug"] for p in peers if p["commune"]["kreis"] == "Märkischer Kreis"]
    assert in_mk and all("ebenfalls im Märkischen Kreis" in reasons[slug] for slug in in_mk)
    assert "olpe" in reasons
    assert ("ebenfalls in den Netzwerken „Smart Cities Rahmenstrategie Südwestfalen“ und „Smart Cities: Schule“"
            in reasons["olpe"])


def test_a_kreis_steinfurt_commune_finds_peers_in_its_kreis_and_network(seeded: Client) -> None:
    data = seeded.data(PEERS, {"id": "hoerstel", "first": 3})["commune"]

    assert (data["population"], data["sizeClass"]) == (19600, "GROESSERE_KLEINSTADT")
    for peer in data["peers"]:
        assert peer["commune"]["kreis"] == "Kreis Steinfurt"
        assert "ebenfalls im Kreis Steinfurt" in peer["reasons"]
        assert "ebenfalls im Netzwerk „Smart Region Kreis Steinfurt“" in peer["reasons"]


def test_size_classes_follow_the_bbsr_thresholds(seeded: Client) -> None:
    query = "{ communes(first: 100) { nodes { slug population sizeClass } } }"
    classes = {c["slug"]: (c["population"], c["sizeClass"]) for c in seeded.data(query)["communes"]["nodes"]}
    assert classes["hallenberg"] == (4375, "LANDGEMEINDE")
    assert classes["herscheid"] == (6881, "KLEINE_KLEINSTADT")
    assert classes["bestwig"] == (10238, "GROESSERE_KLEINSTADT")
    assert classes["menden"] == (52434, "GROESSERE_MITTELSTADT")
    assert classes["siegen"] == (102275, "KLEINERE_GROSSSTADT")


def test_the_commune_page_shows_the_census_figure_with_its_attribution_and_the_peers(seeded: Client) -> None:
    page = seeded.get("/kommunen/plettenberg")
    assert page.status_code == 200
    assert "24.665" in page.text
    assert "Zensus 2022, Statistische Ämter des Bundes und der Länder, dl-de/by-2-0" in page.text
    assert "Kleinere Mittelstadt" in page.text
    assert "Kommunen wie diese" in page.text
    assert "ähnliche Größe (24.665 / 24.651 Einwohner)" in page.text  # Olpe


def test_bad_peer_arguments_are_clear_errors(seeded: Client) -> None:
    for first in (0, 101):
        body = seeded.execute(PEERS, {"id": "plettenberg", "first": first})
        assert problem(body) == ("INVALID", "first")
        assert "zwischen 1 und 100" in errors(body)[0]["message"]


# -- recommendations ------------------------------------------------------------------------------------


def test_recommendations_favour_proven_and_adopted_projects_of_peers_and_partners(seeded: Client) -> None:
    recs = seeded.data(RECOMMENDATIONS, {"commune": "plettenberg", "first": 10})["recommendations"]
    order = [r["project"]["slug"] for r in recs]
    # the 2020 Rahmenstrategie (completed, adapted by the Neuauflage) beats projects of the same communes
    # that are neither proven nor adopted
    proven = order.index("rahmenstrategie-suedwestfalen-2020")
    assert proven < order.index("rahmenstrategie-suedwestfalen-neuauflage-2021")
    assert proven < order.index("offene-regionale-datenplattform")
    first = recs[proven]
    assert "bewährt: abgeschlossen" in first["reasons"]
    assert "von 1 anderen Projekt übernommen" in first["reasons"]
    assert first["reasons"][0].startswith("läuft in ")
    for rec in recs:
        assert "plettenberg" not in [c["slug"] for c in rec["project"]["communes"]]
        assert rec["project"]["status"] != "STOPPED"
        assert rec["reasons"]


def test_recommendations_never_include_the_communes_own_projects(seeded: Client) -> None:
    recs = seeded.data(RECOMMENDATIONS, {"commune": "iserlohn", "first": 100})["recommendations"]
    slugs = {r["project"]["slug"] for r in recs}
    assert slugs  # its partners run projects it does not
    assert "stadtlabor-iserlohn" not in slugs
    for commune in ("soest", "arnsberg"):
        mine = seeded.data(RECOMMENDATIONS, {"commune": commune, "first": 100})["recommendations"]
        assert all(commune not in [c["slug"] for c in r["project"]["communes"]] for r in mine)


def test_recommendations_refuse_unknown_communes_and_bad_sizes(seeded: Client) -> None:
    body = seeded.execute(RECOMMENDATIONS, {"commune": "atlantis", "first": 5})
    assert problem(body) == ("NOT_FOUND", "commune")
    assert "'atlantis'" in errors(body)[0]["message"]
    body = seeded.execute(RECOMMENDATIONS, {"commune": "stadtlabor-soest", "first": 5})  # a project, not a commune
    assert problem(body) == ("NOT_FOUND", "commune")
    assert problem(seeded.execute(RECOMMENDATIONS, {"commune": "plettenberg", "first": -1})) == ("INVALID", "first")


# -- experts --------------------------------------------------------------------------------------------


def test_experts_on_datenplattform_include_the_author_of_the_lesson_on_it(seeded: Client) -> None:
    experts = seeded.data(EXPERTS, {"topic": "Datenplattform"})["experts"]
    by_person = {e["person"]["slug"]: e for e in experts}
    rouven = by_person["rouven-theiss"]
    assert rouven["person"]["name"] == "Rouven Theiß"
    assert "datenplattform-fuer-die-ganze-region" in [le["slug"] for le in rouven["lessons"]]
    wrote = "hat 1 passende Erkenntnis verfasst: „Datenplattform von Anfang an"
    assert any(r.startswith(wrote) for r in rouven["reasons"])
    scores = [e["score"] for e in experts]
    assert scores == sorted(scores, reverse=True)


def test_expert_contact_data_follows_consent_and_sign_in(seeded: Client) -> None:
    # Matthias Barutowicz consented to publish his contact data; he is the contact of the Neuauflage
    query = "query { experts(topic: \"Rahmenstrategie\") { person { slug email phone } reasons } }"
    anonymous = {e["person"]["slug"]: e["person"] for e in seeded.data(query)["experts"]}
    signed_in = {e["person"]["slug"]: e["person"] for e in seeded.data(query, token=OPERATOR_TOKEN)["experts"]}
    assert anonymous["matthias-barutowicz"]["email"] is None
    assert signed_in["matthias-barutowicz"]["email"] == "m.barutowicz@suedwestfalen.com"
    # Stephanie Arens did not consent: nobody sees contact data (she has none in the seed either)
    assert signed_in["stephanie-arens"]["email"] is None


def test_bad_expert_topics_are_clear_errors(seeded: Client) -> None:
    assert problem(seeded.execute(EXPERTS, {"topic": "   "})) == ("INVALID", "topic")
    assert problem(seeded.execute(EXPERTS, {"topic": "x" * 201})) == ("INVALID", "topic")
    assert seeded.data(EXPERTS, {"topic": "Quantenkryptografie"})["experts"] == []


# -- coverage -------------------------------------------------------------------------------------------


def test_coverage_of_kreis_steinfurt_shows_every_handlungsfeld_with_the_project_lists_numbers(seeded: Client) -> None:
    # when the coverage of Kreis Steinfurt is asked for
    cells = seeded.data(COVERAGE, {"groupBy": "KREIS", "filter": {"kreise": ["Kreis Steinfurt"]}})["coverage"]
    fields = [c["handlungsfeld"]["slug"] for c in cells]

    # then every Handlungsfeld is a cell, zeros included
    all_fields = seeded.data("{ handlungsfelder(first: 100) { totalCount } }")["handlungsfelder"]["totalCount"]
    assert len(cells) == all_fields == len(set(fields))
    assert {c["group"] for c in cells} == {"Kreis Steinfurt"}
    # and each number is the filtered project list's
    expected = totals(seeded, [{"kreise": ["Kreis Steinfurt"], "handlungsfelder": [f]} for f in fields])
    assert [c["projects"] for c in cells] == expected
    counts = {c["handlungsfeld"]["slug"]: c["projects"] for c in cells}
    assert counts["energie"] == 1 and counts["umwelt"] == 1  # a sub-field counts for its parent once
    assert counts["technologie"] == 0
    # and the gaps alone are the zero cells
    gaps = seeded.data(COVERAGE, {"groupBy": "KREIS", "filter": {"kreise": ["Kreis Steinfurt"]}, "onlyGaps": True})
    assert [c["handlungsfeld"]["slug"] for c in gaps["coverage"]] == [f for f in fields if counts[f] == 0]


def test_coverage_by_commune_and_region_matches_the_project_list(seeded: Client) -> None:
    for group_by, key in (("COMMUNE", "communes"), ("REGION", "regions"), ("KREIS", "kreise")):
        cells = seeded.data(COVERAGE, {"groupBy": group_by, "filter": {"regions": ["Südwestfalen"]}})["coverage"]
        nonzero = [c for c in cells if c["projects"]]
        assert nonzero, group_by
        sample = nonzero[:10] + [c for c in cells if not c["projects"]][:5]
        expected = totals(seeded, [{"regions": ["Südwestfalen"], key: [c["group"]],
                                    "handlungsfelder": [c["handlungsfeld"]["slug"]]} for c in sample])
        assert [c["projects"] for c in sample] == expected, group_by
    communes = seeded.data(COVERAGE, {"groupBy": "COMMUNE", "filter": {"kreise": ["Kreis Olpe"]}})["coverage"]
    assert {c["commune"]["slug"] for c in communes} == {c["group"] for c in communes}
    assert len({c["group"] for c in communes}) == 7  # every commune of the Kreis, with or without projects


def test_coverage_refuses_names_that_match_nothing(seeded: Client) -> None:
    body = seeded.execute(COVERAGE, {"groupBy": "KREIS", "filter": {"kreise": ["Kreis Atlantis"]}})
    assert problem(body) == ("NOT_FOUND", "kreise")
    assert "Kreis Steinfurt" in errors(body)[0]["message"]  # says which names exist
    body = seeded.execute(COVERAGE, {"groupBy": "KREIS", "filter": {"handlungsfelder": ["raumfahrt"]}})
    assert problem(body) == ("NOT_FOUND", "handlungsfelder")
    body = seeded.execute(COVERAGE, {"groupBy": "KREIS", "filter": {"started": {"from": "letztes Jahr"}}})
    assert problem(body) == ("INVALID", "started")


# -- network over time ----------------------------------------------------------------------------------


def test_network_stats_of_the_rahmenstrategie(seeded: Client) -> None:
    stats = seeded.data(NETWORK_STATS, {"network": "rahmenstrategie-suedwestfalen"})["networkStats"]

    assert stats["members"] == 7
    assert {r["role"]: r["count"] for r in stats["membersByRole"]} == {
        "PIONEER": 5, "MITMACHER": 2, "SUPPORTER": 0, "MEMBER": 0}
    assert {b["basis"]: b["count"] for b in stats["membersByBasis"]} == {
        "FOUNDING": 5, "LETTER_OF_INTENT": 0, "COUNCIL_RESOLUTION": 1, None: 1}
    assert stats["joinsPerYear"] == [{"year": 2020, "count": 5}, {"year": 2021, "count": 1}, {"year": None, "count": 1}]
    # the same projects as the filtered list, broken down as the list filtered once more
    network = {"network": {"network": "rahmenstrategie-suedwestfalen"}}
    assert [stats["projects"]] == totals(seeded, [network])
    by_field = stats["projectsByHandlungsfeld"]
    assert [f["projects"] for f in by_field] == totals(
        seeded, [{**network, "handlungsfelder": [f["handlungsfeld"]["slug"]]} for f in by_field])
    by_status = [s for s in stats["projectsByStatus"] if s["status"]]
    assert [s["projects"] for s in by_status] == totals(
        seeded, [{**network, "status": [s["status"]]} for s in by_status])
    assert sum(s["projects"] for s in stats["projectsByStatus"]) == stats["projects"]
    by_kreis = stats["projectsByKreis"]
    assert [k["projects"] for k in by_kreis] == totals(seeded, [{**network, "kreise": [k["kreis"]]} for k in by_kreis])
    # the Neuauflage (started 2021) adapted the 2020 edition
    assert stats["adoptionsPerYear"] == [{"year": 2021, "count": 1}]


def test_network_stats_refuse_unknown_networks(seeded: Client) -> None:
    body = seeded.execute(NETWORK_STATS, {"network": "gibt-es-nicht"})
    assert problem(body) == ("NOT_FOUND", "network")


# -- only published entries count -----------------------------------------------------------------------


def test_drafts_never_count_until_published_then_they_do(tmp_path: Path) -> None:
    with client_for(tmp_path, SEED_DIR) as seeded:
        drafts_never_count_until_published(seeded)


def drafts_never_count_until_published(seeded: Client) -> None:
    # given a member of Plettenberg and a moderator, and Plettenberg's coverage in Technologie
    store = seeded.store
    operator = Identity.system()
    _, member_token = accounts.add_account(store, operator, "plettenberg-digital", "member", commune="plettenberg")
    _, moderator_token = accounts.add_account(store, operator, "moderation-transfer", "moderator")
    member = accounts.identity_for_token(store, member_token)
    moderator = accounts.identity_for_token(store, moderator_token)
    assert member is not None and moderator is not None
    plettenberg = {"groupBy": "COMMUNE", "filter": {"communes": ["plettenberg"], "handlungsfelder": ["technologie"]}}

    def technologie(token: str | None) -> int:
        [cell] = seeded.data(COVERAGE, plettenberg, token=token)["coverage"]
        return int(cell["projects"])

    def recommended_to_olpe(token: str | None) -> set[str]:
        recs = seeded.data(RECOMMENDATIONS, {"commune": "olpe", "first": 100}, token=token)["recommendations"]
        return {r["project"]["slug"] for r in recs}

    assert technologie(None) == 0

    # when the member writes a draft project and submits it (members get a server-made id)
    written = moderation.create_entry(store, member, Kind.PROJECT, {
        "title": "Offene Daten Plettenberg", "summary": "Ein Datenportal.",
        "communes": ["plettenberg"], "handlungsfelder": ["daten-und-digitale-infrastruktur"], "status": "operation",
    }, submit=True)
    draft = written.id

    # then it counts for nobody: not for the public, its author, or the moderation
    for token in (None, member_token, moderator_token, OPERATOR_TOKEN):
        assert technologie(token) == 0
        assert draft not in recommended_to_olpe(token)
    assert technologie(None) == totals(seeded, [plettenberg["filter"]])[0]

    # when the moderation approves it, it counts at once (Plettenberg is one of Olpe's peers)
    moderation.approve(store, moderator, draft)
    assert technologie(None) == 1 == totals(seeded, [plettenberg["filter"]])[0]
    assert draft in recommended_to_olpe(None)
