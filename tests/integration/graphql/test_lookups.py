"""Lookups by our own ids, relationships in both directions, the Relay node round trip."""

from __future__ import annotations

from tests.integration.graphql.conftest import Client

PROJECT = """
query($id: String!) {
  project(id: $id) {
    slug title status started
    communes { slug kreis region }
    handlungsfelder { slug parent { slug } }
    lessons { slug author { slug } handlungsfelder { slug } project { slug } }
    contacts { slug projects { slug } }
    adaptedFrom { slug }
    adaptations { slug }
  }
}
"""
COMMUNE = """
query($id: String!) {
  commune(id: $id) {
    name kreis
    projects { slug communes { slug } }
    people { slug }
    memberships { role basis since network { slug members { commune { slug } } } }
  }
}
"""
PERSON = """
query($id: String!) {
  person(id: $id) {
    name role expertise
    employer { __typename ... on Organisation { slug people { slug } } ... on Commune { slug } }
    projects { slug contacts { slug } }
    lessons { slug author { slug } }
  }
}
"""
HANDLUNGSFELD = """
query($id: String!) {
  handlungsfeld(id: $id) {
    name parent { slug }
    children { slug parent { slug } }
    projects { slug }
    allProjects: projects(includeSubfields: true) { slug }
    lessons(includeSubfields: true) { slug }
  }
}
"""
NETWORK = """
query($id: String!) {
  network(id: $id) {
    name
    members { role basis since document commune { slug memberships { network { slug } } } }
    mitmacher: members(roles: [MITMACHER]) { commune { slug } }
  }
}
"""
EVENT = """
query($id: String!) {
  event(id: $id) {
    title date place
    organiser { __typename ... on Organisation { slug } ... on Network { slug events { slug } } }
  }
}
"""
ORGANISATION = """
query($id: String!) { organisation(id: $id) { name type people { slug employer { ... on Organisation { slug } } } } }
"""
LESSON = """
query($id: String!) {
  lesson(id: $id) { title type project { slug lessons { slug } } author { slug } handlungsfelder { slug } }
}
"""
GLOBAL_ID = "query($id: String!) { project(id: $id) { id } }"
NODE = """
query($id: ID!) {
  node(id: $id) { id __typename ... on Project { slug title } ... on Commune { slug name } }
}
"""
WRONG_KIND = '{ project(id: "arnsberg") { slug } commune(id: "gibt-es-nicht") { slug } }'


def test_project_lookup_with_relationships(client: Client) -> None:
    # given the seed data; when
    p = client.data(PROJECT, {"id": "rahmenstrategie-suedwestfalen-2020"})["project"]
    # then
    assert p["title"] == "Smart Cities Rahmenstrategie für Südwestfalen"
    assert {c["slug"] for c in p["communes"]} == {"arnsberg", "bad-berleburg", "menden", "olpe", "soest"}
    assert all(c["region"] == "Südwestfalen" for c in p["communes"])
    assert "klimaschutz" in {h["slug"] for h in p["handlungsfelder"]}
    assert {"umwelt"} <= {h["parent"]["slug"] for h in p["handlungsfelder"] if h["parent"]}
    assert p["lessons"] and all(lesson["project"]["slug"] == p["slug"] for lesson in p["lessons"])
    # a contact's projects lead back to this project (both directions of CONTACT)
    assert all(p["slug"] in {x["slug"] for x in c["projects"]} for c in p["contacts"])
    # adaptations is the reverse of adaptedFrom
    adopters = [a["slug"] for a in p["adaptations"]]
    for slug in adopters:
        other = client.data(PROJECT, {"id": slug})["project"]
        assert p["slug"] in {x["slug"] for x in other["adaptedFrom"]}


def test_commune_lookup_both_directions(client: Client) -> None:
    c = client.data(COMMUNE, {"id": "soest"})["commune"]
    assert c["name"] == "Soest" and c["kreis"] == "Kreis Soest"
    assert "stadtlabor-soest" in {p["slug"] for p in c["projects"]}
    assert all("soest" in {x["slug"] for x in p["communes"]} for p in c["projects"])
    roles = {m["network"]["slug"]: m["role"] for m in c["memberships"]}
    assert roles["5-fuer-suedwestfalen"] == "PIONEER"
    for m in c["memberships"]:
        assert "soest" in {x["commune"]["slug"] for x in m["network"]["members"]}


def test_person_lookup_employer_projects_and_lessons(client: Client) -> None:
    person = client.data(PERSON, {"id": "stephanie-arens"})["person"]
    assert person["employer"] == {
        "__typename": "Organisation",
        "slug": "suedwestfalen-agentur",
        "people": person["employer"]["people"],
    }
    assert "stephanie-arens" in {x["slug"] for x in person["employer"]["people"]}
    assert all("stephanie-arens" in {c["slug"] for c in p["contacts"]} for p in person["projects"])
    assert person["lessons"] and all(lesson["author"]["slug"] == "stephanie-arens" for lesson in person["lessons"])


def test_handlungsfeld_tree_and_subfields(client: Client) -> None:
    h = client.data(HANDLUNGSFELD, {"id": "umwelt"})["handlungsfeld"]
    assert h["parent"] is None
    assert {c["slug"] for c in h["children"]} == {"energie", "klimafolgenanpassung", "klimaschutz"}
    assert all(c["parent"]["slug"] == "umwelt" for c in h["children"])
    direct = {p["slug"] for p in h["projects"]}
    with_subfields = {p["slug"] for p in h["allProjects"]}
    assert direct < with_subfields  # Klimaschutz projects count for Umwelt only with sub-fields
    assert "rahmenstrategie-suedwestfalen-2020" in with_subfields - direct


def test_network_members_carry_the_edge(client: Client) -> None:
    n = client.data(NETWORK, {"id": "rahmenstrategie-suedwestfalen"})["network"]
    plettenberg = next(m for m in n["members"] if m["commune"]["slug"] == "plettenberg")
    assert plettenberg["role"] == "MITMACHER"
    assert plettenberg["basis"] == "COUNCIL_RESOLUTION"
    assert plettenberg["since"] == "2021"
    assert {m["commune"]["slug"] for m in n["mitmacher"]} == {"iserlohn", "plettenberg"}
    assert all(
        "rahmenstrategie-suedwestfalen" in {x["network"]["slug"] for x in m["commune"]["memberships"]}
        for m in n["members"]
    )


def test_event_organiser_lesson_and_organisation(client: Client) -> None:
    event = client.data(EVENT, {"id": "smart-cities-konferenz-2022"})["event"]
    assert event["date"] == "2022-11-09"
    assert event["organiser"]["__typename"] == "Network"
    assert "smart-cities-konferenz-2022" in {e["slug"] for e in event["organiser"]["events"]}
    org = client.data(ORGANISATION, {"id": "suedwestfalen-agentur"})["organisation"]
    assert org["type"] == "Regionalagentur"
    assert all(p["employer"]["slug"] == "suedwestfalen-agentur" for p in org["people"])
    lesson = client.data(LESSON, {"id": "plettenberg-politisches-mandat-per-ratsbeschluss"})["lesson"]
    assert lesson["project"]["slug"] == "rahmenstrategie-suedwestfalen-2020"
    assert "plettenberg-politisches-mandat-per-ratsbeschluss" in {x["slug"] for x in lesson["project"]["lessons"]}


def test_relay_node_round_trip(client: Client) -> None:
    # given the global id of a project and of a commune
    for query, kind, slug in ((GLOBAL_ID, "Project", "stadtlabor-soest"),):
        gid = client.data(query, {"id": slug})["project"]["id"]
        # when
        node = client.data(NODE, {"id": gid})["node"]
        # then
        assert node["id"] == gid and node["__typename"] == kind and node["slug"] == slug
    commune_gid = client.data('{ commune(id: "olpe") { id } }')["commune"]["id"]
    assert client.data(NODE, {"id": commune_gid})["node"]["name"] == "Olpe"


def test_unknown_or_wrong_kind_lookups_are_null(client: Client) -> None:
    assert client.data(WRONG_KIND) == {"project": None, "commune": None}
