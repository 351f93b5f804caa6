"""No N+1 for the transfer fields: the peers of every commune on a page cost the same store round
trips as the peers of one (one snapshot check, one ranking call, one lookup of the peers)."""

from __future__ import annotations

from schule.store import CypherGraphStore
from tests.integration.graphql.conftest import Client

PEERS_OF_A_PAGE = """
query($first: Int!) {
  communes(first: $first, filter: {regions: ["Südwestfalen"]}) {
    nodes { slug peers(first: 3) { score commune { slug name } } }
  }
}
"""


def calls_for(client: Client, store: CypherGraphStore, n: int) -> int:
    store.calls = 0
    nodes = client.data(PEERS_OF_A_PAGE, {"first": n}, inline=True)["communes"]["nodes"]
    assert len(nodes) == n and all(len(c["peers"]) == 3 for c in nodes)
    return store.calls


def test_peers_of_fifty_communes_cost_the_round_trips_of_peers_of_two(client: Client, seeded: CypherGraphStore) -> None:
    calls_for(client, seeded, 2)  # the first call reads the facts snapshot; it stays for the next
    few = calls_for(client, seeded, 2)
    many = calls_for(client, seeded, 50)
    assert many == few <= 4, (few, many)
