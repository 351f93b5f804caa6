"""No N+1: store round trips per request depend on the query's depth, not on list lengths."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from schule.domain.records import parse_record
from schule.graphql.context import Context
from schule.graphql.execution import PlainLeafExecutor
from schule.graphql.loaders import run_inline
from schule.graphql.schema import build_schema
from schule.services import project_lists
from schule.store import CypherGraphStore
from tests.integration.graphql.conftest import Client

NESTED = """
query($first: Int!) {
  projects(first: $first, filter: {tags: ["batch"]}) {
    totalCount
    nodes {
      slug
      communes { slug name }
      handlungsfelder { slug parent { slug } }
      contacts { slug employer { ... on Commune { slug } } }
      lessons { slug author { slug name } }
      adaptedFrom { slug }
      adaptations { slug }
    }
  }
}
"""


def make_projects(store: CypherGraphStore, n: int) -> None:
    """n projects, each with 2 communes, 2 Handlungsfelder, a contact and 2 lessons with authors."""
    rows: list[dict[str, Any]] = [
        {"kind": "handlungsfeld", "id": "hf-root", "name": "Wurzel"},
        *({"kind": "handlungsfeld", "id": f"hf-{i}", "name": f"Feld {i}", "parent": "hf-root"} for i in range(5)),
        *({"kind": "commune", "id": f"gemeinde-{i}", "name": f"Gemeinde {i}", "kreis": "Kreis X"} for i in range(7)),
        # authors are not contacts, so the loader cache cannot make one size cheaper than the other
        *({"kind": "person", "id": f"autor-{i}", "name": f"Autorin {i}"} for i in range(10)),
    ]
    for i in range(n):
        rows.append({"kind": "person", "id": f"person-{i}", "name": f"Person {i}", "commune": f"gemeinde-{i % 7}"})
        rows.append({
            "kind": "project", "id": f"projekt-{i:03}", "title": f"Projekt {i:03}", "summary": "s", "tags": ["batch"],
            "communes": [f"gemeinde-{i % 7}", f"gemeinde-{(i + 1) % 7}"],
            "handlungsfelder": [f"hf-{i % 5}", f"hf-{(i + 2) % 5}"],
            "contacts": [f"person-{i}"],
            **({"adapted_from": [f"projekt-{i - 1:03}"]} if i else {}),
        })
        for j in range(2):
            rows.append({
                "kind": "lesson", "id": f"lesson-{i}-{j}", "project": f"projekt-{i:03}", "title": "t", "text": "t",
                "author": f"autor-{(i + j) % 10}",
            })
    store.upsert([parse_record(r) for r in rows])


def calls_for(client: Client, store: CypherGraphStore, n: int, *, inline: bool = True) -> int:
    store.calls = 0
    data = client.data(NESTED, {"first": n}, inline=inline)
    assert len(data["projects"]["nodes"]) == n
    assert all(len(p["lessons"]) == 2 and p["lessons"][0]["author"] for p in data["projects"]["nodes"])
    return store.calls


@pytest.mark.parametrize("sizes", [(5, 50)])
def test_store_calls_do_not_grow_with_list_length(
    schema: Any, store: CypherGraphStore, settings: Any, sizes: tuple[int, int]
) -> None:
    # given 50 projects with related communes, fields, contacts, lessons and authors
    make_projects(store, max(sizes))
    project_lists.warm(store)  # the lists' facts are read once per process (a server does it at start)
    client = Client(schema, store, settings)
    # when the same nested query asks for 5 and for 50 of them
    small, large = (calls_for(client, store, n) for n in sizes)
    # then the number of round trips is the same: one per nesting level and relation, batched
    assert small == large
    assert large <= 10, large
    # and through the thread pool (production), results arriving in different ticks may split a
    # level's batch, but the count stays bounded by the query, not by the list
    assert calls_for(client, store, max(sizes), inline=False) <= 2 * large


DETAIL = """
query($id: String!) {
  project(id: $id) {
    title
    lessons { title author { slug name } }
    contacts { name role }
    adaptedFrom { slug title }
    adaptations { slug title }
    communes { slug name }
  }
}
"""


def counting_hops(schema: Any, store: CypherGraphStore, settings: Any, variables: dict[str, Any],
                  hops: list[str]) -> Callable[[str], Any]:
    """Runs a query with these variables; each hop to a worker thread is appended to ``hops`` (by the
    name of the function it runs), and the call then runs inline."""

    async def counting(fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(fn, "__name__", "?"))
        return await run_inline(fn, *args, **kwargs)

    def run(query: str) -> Any:
        context = Context.build(store, settings, run_blocking=counting)
        result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
        assert result.errors is None, result.errors
        return result.data

    return run


def test_a_project_detail_is_read_in_one_worker_thread_call(
    schema: Any, store: CypherGraphStore, settings: Any
) -> None:
    # given projects with lessons (with authors), contacts, communes, a source and an adaptation
    make_projects(store, 3)
    hops: list[str] = []
    run = counting_hops(schema, store, settings, {"id": "projekt-001"}, hops)
    store.calls = 0
    # when one project's detail is asked for
    project = run(DETAIL)["project"]
    # then everything is there
    assert [x["slug"] for x in project["adaptedFrom"]] == ["projekt-000"]
    assert [x["slug"] for x in project["adaptations"]] == ["projekt-002"]
    assert len(project["lessons"]) == 2 and all(x["author"] for x in project["lessons"])
    assert [x["author"]["slug"] for x in project["lessons"]] == ["autor-1", "autor-2"]
    assert len(project["communes"]) == 2 and project["contacts"] == [{"name": "Person 1", "role": None}]
    # from one hop to a worker thread (the root field reads what its fields will ask for) and two
    # round trips: the project with its edges and the entities at their ends; the lessons' authors
    assert hops == ["_around"] and store.calls == 2
    # the same fields asked through a named and an inline fragment: read ahead alike
    hops.clear()
    in_fragments = run(DETAIL_IN_FRAGMENTS)["project"]
    assert hops == ["_around"]
    assert {k: in_fragments[k] for k in project} == project
    # a field the root does not look ahead for (a contact's employer) is one more step, batched
    hops.clear()
    run('query($id: String!) { project(id: $id) { contacts { employer { ... on Commune { slug } } } } }')
    assert hops == ["_around", "_visible_with_neighbours"]


DETAIL_IN_FRAGMENTS = """
query($id: String!) {
  project(id: $id) {
    title
    ...links
    ... on Project { lessons { ... on Lesson { title author { slug name } } } }
  }
}
fragment links on Project {
  contacts { name role } adaptedFrom { slug title } adaptations { slug title } communes { slug name }
}
"""


class CountingAwaits(PlainLeafExecutor):
    """Counts the fields whose resolver gave an awaitable (each costs a task and a gather)."""

    awaited: list[str] = []

    def complete_awaitable_value(self, return_type: Any, field_details_list: Any, info: Any, *args: Any) -> Any:
        self.awaited.append(info.field_name)
        return super().complete_awaitable_value(return_type, field_details_list, info, *args)


COMMUNE_PAGE = """
query($id: String!) {
  commune(id: $id) { name people { name } memberships { role network { name } commune { slug } } }
}
"""


@pytest.mark.parametrize(("query", "variables"), [
    (DETAIL, {"id": "projekt-001"}),
    (COMMUNE_PAGE, {"id": "gemeinde-1"}),
])
def test_fields_the_root_read_ahead_for_answer_without_waiting(
    store: CypherGraphStore, settings: Any, query: str, variables: dict[str, Any]
) -> None:
    """After the root's read_around, the page's links are in the request's loaders: their resolvers
    give plain lists, not awaitables, so graphql-core needs no task per field."""
    make_projects(store, 3)
    store.upsert([parse_record({"kind": "network", "id": "netz", "name": "Netz"}),
                  parse_record({"kind": "membership", "commune": "gemeinde-1", "network": "netz", "role": "member"})])
    schema = build_schema(settings)
    schema.execution_context_class = CountingAwaits
    CountingAwaits.awaited = []
    context = Context.build(store, settings, run_blocking=run_inline)
    result = asyncio.run(schema.execute(query, variable_values=variables, context_value=context))
    assert result.errors is None, result.errors
    data = next(iter(result.data.values()))
    # the page is all there (lessons with authors; people; memberships with network and commune)
    if "lessons" in data:
        assert [x["author"]["slug"] for x in data["lessons"]] == ["autor-1", "autor-2"] and data["adaptations"]
    else:
        assert data["people"] and data["memberships"] == [
            {"role": "MEMBER", "network": {"name": "Netz"}, "commune": {"slug": "gemeinde-1"}}]
    # and only the root field waited
    assert CountingAwaits.awaited == [next(iter(result.data))]


CARDS = """
query($first: Int!) {
  projects(first: $first, filter: {tags: ["batch"]}) {
    totalCount
    edges { node { slug communes { slug name } handlungsfelder { slug name } } }
  }
}
"""
CARDS_IN_A_FRAGMENT = """
query($first: Int!) {
  projects(first: $first, filter: {tags: ["batch"]}) { nodes { ...card } }
}
fragment card on Project { slug communes { slug name } handlungsfelder { slug name } }
"""


def test_a_list_page_reads_its_cards_links_with_the_page(schema: Any, store: CypherGraphStore, settings: Any) -> None:
    # given 20 projects, each in two communes and two Handlungsfelder
    make_projects(store, 20)
    hops: list[str] = []
    run = counting_hops(schema, store, settings, {"first": 20}, hops)

    # when a list page asks for its cards' communes and Handlungsfelder (directly or through a fragment)
    direct = run(CARDS)["projects"]["edges"]
    in_fragment = run(CARDS_IN_A_FRAGMENT)["projects"]["nodes"]
    # then they were read with the page: no loader round trip in a later execution step
    assert hops == []
    # and they are the project's own, in the loaders' order
    first = direct[0]["node"]
    assert first == {"slug": "projekt-000", "communes": [{"slug": "gemeinde-0", "name": "Gemeinde 0"},
                                                         {"slug": "gemeinde-1", "name": "Gemeinde 1"}],
                     "handlungsfelder": [{"slug": "hf-0", "name": "Feld 0"}, {"slug": "hf-2", "name": "Feld 2"}]}
    assert [e["node"] for e in direct] == in_fragment
    # while a link the page does not read (contacts) still goes through the loaders, batched
    run("query($first: Int!) { projects(first: $first, filter: {tags: [\"batch\"]}) { nodes { contacts { slug } } } }")
    assert hops == ["_visible_with_neighbours"]
