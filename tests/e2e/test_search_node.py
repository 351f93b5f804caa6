"""``SearchHit.node`` over HTTP: a result list with its entries is one request, the entries are
fetched in one batched store round trip, and they are what the caller may see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from schule.graphql import loaders
from tests.e2e.cli.helpers import run_schule
from tests.e2e.conftest import LiveServer

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

HITS_WITH_NODES = """query($q: String!) { search(query: $q, first: 20) { total hits {
  kind id title
  node {
    __typename
    ... on Project { slug title summary }
    ... on Lesson { slug title }
    ... on Commune { slug name }
    ... on Person { slug name }
    ... on Event { slug title }
    ... on Handlungsfeld { slug name }
    ... on Organisation { slug name }
    ... on Network { slug name }
  } } } }"""
HITS_ONLY = "query($q: String!) { search(query: $q, first: 20) { hits { id } } }"
PERSON_CONTACT = """{ search(query: "Barutowicz", filter: {kinds: [PERSON]}) { hits {
  id node { ... on Person { slug name email phone } } } } }"""
SIMILAR_WITH_NODES = """{ similarProjects(id: "offene-regionale-datenplattform", first: 5) {
  id node { ... on Project { slug title } } } }"""

TYPENAMES = {
    "PROJECT": "Project", "LESSON": "Lesson", "COMMUNE": "Commune", "PERSON": "Person", "EVENT": "Event",
    "HANDLUNGSFELD": "Handlungsfeld", "ORGANISATION": "Organisation", "NETWORK": "Network",
}


class CountingNeighbours:
    """Counts the loaders' batched store calls (the real call still runs)."""

    def __init__(self) -> None:
        self.real = loaders.get_with_neighbours
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingNeighbours]:
    counter = CountingNeighbours()
    monkeypatch.setattr(loaders, "get_with_neighbours", counter)
    yield counter


def post(server: LiveServer, query: str, variables: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = httpx.post(server.graphql_url, json={"query": query, "variables": variables},
                          headers={"accept": GRAPHQL_RESPONSE_JSON, **(headers or {})}, timeout=60)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_search_hits_carry_their_entries_fetched_in_one_round_trip(
    default_server: LiveServer, round_trips: CountingNeighbours
) -> None:
    # when a client searches and asks for each hit's entry in the same request
    data = post(default_server, HITS_WITH_NODES, {"q": "Südwestfalen"})

    # then every hit has its entry, of the hit's own type, with the hit's id
    hits = data["search"]["hits"]
    assert len(hits) >= 10
    assert len({h["kind"] for h in hits}) >= 3
    for hit in hits:
        assert hit["node"] is not None, hit
        assert hit["node"]["__typename"] == TYPENAMES[hit["kind"]]
        assert hit["node"]["slug"] == hit["id"]
    # and all of them came from the store in one batched round trip
    assert round_trips.calls == 1


def test_search_hits_without_their_entries_make_no_store_round_trip(
    default_server: LiveServer, round_trips: CountingNeighbours
) -> None:
    # when a client asks for the hits only
    data = post(default_server, HITS_ONLY, {"q": "Südwestfalen"})

    # then the entries are not fetched
    assert len(data["search"]["hits"]) >= 10
    assert round_trips.calls == 0


def test_similar_projects_carry_their_entries_too(default_server: LiveServer) -> None:
    data = post(default_server, SIMILAR_WITH_NODES)

    assert data["similarProjects"]
    assert all(h["node"] == {"slug": h["id"], "title": h["node"]["title"]} for h in data["similarProjects"])


def test_a_hits_entry_follows_the_access_rules(default_server: LiveServer) -> None:
    # given a person who consented to show their contact data to signed-in members
    data_dir = default_server.app.state.schule.settings.data_dir
    added = run_schule("user", "add", "suche-mitglied", "--role", "member", "--commune", "olpe", "--json",
                       data_dir=data_dir)
    assert added.returncode == 0, added.stderr
    token = json.loads(added.stdout)["token"]

    # when an anonymous client and a signed-in member find that person
    anonymous = post(default_server, PERSON_CONTACT)["search"]["hits"]
    member = post(default_server, PERSON_CONTACT, headers={"authorization": f"Bearer {token}"})["search"]["hits"]

    # then the anonymous client sees the person without contact data, the member with it
    assert [h["node"]["slug"] for h in anonymous] == ["matthias-barutowicz"]
    assert anonymous[0]["node"]["email"] is None and anonymous[0]["node"]["phone"] is None
    assert member[0]["node"]["email"] == "m.barutowicz@suedwestfalen.com"
