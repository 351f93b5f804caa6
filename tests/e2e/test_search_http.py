"""Search over HTTP: facet values carry display names however the query asks for them."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import LiveServer

DIRECT = '{ search(query: "Stadt") { total facets { name values { value label count } } } }'
FRAGMENT = """{ search(query: "Stadt") { ...Result } }
fragment Result on SearchResult { total facets { name values { value label count } } }"""
HITS_ONLY = '{ search(query: "Stadt") { total hits { id } } }'


def search(server: LiveServer, query: str) -> Any:
    r = httpx.post(server.graphql_url, json={"query": query}, timeout=60)
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    return r.json()["data"]["search"]


def test_facet_values_are_labelled_when_asked_directly_or_through_a_fragment(prod_server: LiveServer) -> None:
    for query in (DIRECT, FRAGMENT):
        result = search(prod_server, query)
        communes = next(f["values"] for f in result["facets"] if f["name"] == "COMMUNE")
        assert communes, result
        # a commune's label is its name, not its id (e.g. olpe -> Olpe)
        assert all(v["label"] != v["value"] for v in communes), communes
        assert any(v["value"] == "olpe" and v["label"] == "Olpe" for v in communes), communes


def test_hits_without_facets_count_the_same(prod_server: LiveServer) -> None:
    assert search(prod_server, HITS_ONLY)["total"] == search(prod_server, DIRECT)["total"] > 0
