"""The cost estimate, on the real schema: each test shows where a query's cost comes from."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, parse

from schule.graphql import cost
from schule.graphql.cost import ASSUMED_FEW, ASSUMED_MANY, BUDGET, COUNT, LEAF, LINK, QUERY, SEARCH, estimate
from schule.graphql.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from schule.graphql.schema import build_schema
from schule.web import documents
from schule.web.moderation_pages import CANDIDATES, QUEUE_SHOWN
from schule.web.start_page import NEWS_SHOWN
from schule.web.statistics_page import STATISTICS

NESTED_ALIAS = "projects(first: 100) { nodes { communes { projects { communes { projects { slug } } } } } }"
ABUSE = "{ " + " ".join(f"a{i}: {NESTED_ALIAS}" for i in range(29)) + " }"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def cost_of(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> int:
    return estimate(schema, parse(query), None, variables)


def test_scalar_fields_cost_little(schema: GraphQLSchema) -> None:
    # a lookup by id is one query; each scalar on it one unit
    assert cost_of(schema, '{ project(id: "x") { slug } }') == QUERY + LEAF
    assert cost_of(schema, '{ project(id: "x") { slug title summary status tags } }') == QUERY + 5 * LEAF
    # __typename is free, and so is a query of nothing but scalars at the top
    assert cost_of(schema, '{ project(id: "x") { __typename slug } }') == QUERY + LEAF
    assert cost_of(schema, "{ version }") == LEAF


def test_first_multiplies_the_children_of_a_connection(schema: GraphQLSchema) -> None:
    # the list query itself, then `first` nodes with one scalar each; edges/nodes are free
    assert cost_of(schema, "{ projects(first: 100) { nodes { slug } } }") == QUERY + 100 * LEAF
    assert cost_of(schema, "{ projects(first: 7) { edges { cursor node { slug title } } } }") == QUERY + 7 * 3 * LEAF
    # without `first` the default page
    assert cost_of(schema, "{ projects { nodes { slug } } }") == QUERY + DEFAULT_PAGE_SIZE * LEAF
    # `last` pages backwards: the same multiplier
    assert cost_of(schema, "{ projects(last: 5) { nodes { slug } } }") == QUERY + 5 * LEAF


def test_a_page_larger_than_allowed_counts_as_the_largest_page(schema: GraphQLSchema) -> None:
    # the resolver refuses it before fetching, with its own message: the estimate need not
    assert cost_of(schema, "{ projects(first: 100000) { nodes { slug } } }") == QUERY + MAX_PAGE_SIZE * LEAF


def test_variables_decide_the_page_size(schema: GraphQLSchema) -> None:
    query = "query($n: Int) { projects(first: $n) { nodes { slug } } }"
    assert cost_of(schema, query, {"n": 3}) == QUERY + 3 * LEAF
    assert cost_of(schema, query, {"n": None}) == QUERY + DEFAULT_PAGE_SIZE * LEAF
    # a value that execution will refuse counts as the worst case
    assert cost_of(schema, query, {"n": "viele"}) == QUERY + MAX_PAGE_SIZE * LEAF
    # a variable's default applies when it is not sent
    assert cost_of(schema, "query($n: Int = 4) { projects(first: $n) { nodes { slug } } }") == QUERY + 4 * LEAF


def test_nested_lists_without_arguments_count_with_an_assumed_size(schema: GraphQLSchema) -> None:
    # a project's communes: a few; each fetched commune's name one unit
    assert cost_of(schema, '{ project(id: "x") { communes { name } } }') == QUERY + LINK + ASSUMED_FEW * LEAF
    # a commune's projects grow with the network: many
    assert cost_of(schema, '{ commune(id: "x") { projects { slug } } }') == QUERY + LINK + ASSUMED_MANY * LEAF


def test_list_sizes_multiply_along_the_path(schema: GraphQLSchema) -> None:
    # 100 projects x a few communes x many projects, each with one scalar
    one_level = LINK + ASSUMED_MANY * LEAF  # a commune's projects
    two_levels = LINK + ASSUMED_FEW * one_level  # a project's communes and their projects
    assert cost_of(schema, "{ projects(first: 100) { nodes { communes { projects { slug } } } } }") == (
        QUERY + 100 * two_levels
    )


def test_counts_and_searches_weigh_more(schema: GraphQLSchema) -> None:
    assert cost_of(schema, "{ projects(first: 0) { totalCount } }") == QUERY + COUNT
    # search(first: 10) by default: its hits are the page
    assert cost_of(schema, '{ search(query: "x") { total hits { title } } }') == SEARCH + LEAF + 10 * LEAF


def test_fragments_count_like_the_fields_they_stand_for(schema: GraphQLSchema) -> None:
    inline = '{ project(id: "x") { ... on Project { slug communes { name } } } }'
    named = 'query { project(id: "x") { ...P } } fragment P on Project { slug communes { name } }'
    assert cost_of(schema, inline) == cost_of(schema, named) == QUERY + LEAF + LINK + ASSUMED_FEW * LEAF


def test_fragments_on_the_types_of_a_union_are_alternatives(schema: GraphQLSchema) -> None:
    # each entry of the queue is a project or a lesson: the dearer of the two counts, not both
    query = """{ reviewQueue(first: 10) { nodes { __typename ... on Project { slug communes { name } }
      ... on Lesson { slug title } ... on Project { title } } } }"""
    project = LEAF + (LINK + ASSUMED_FEW * LEAF) + LEAF
    assert cost_of(schema, query) == QUERY + 10 * project
    # and named fragments alike
    named = """query { reviewQueue(first: 10) { nodes { ...L ...P } } }
      fragment L on Lesson { slug title text } fragment P on Project { slug }"""
    assert cost_of(schema, named) == QUERY + 10 * 3 * LEAF


def test_a_mutation_costs_its_field_and_what_it_selects(schema: GraphQLSchema) -> None:
    # the change, then its result: a state, or a few errors of three scalars each (the dearer counts)
    errors = LINK + ASSUMED_FEW * 3 * LEAF
    assert cost_of(schema, documents.SUBMIT_ENTRY, {"id": "x"}) == cost.MUTATION + max(LEAF, errors)


def test_the_field_changes_of_a_version_cost_only_what_they_select(schema: GraphQLSchema) -> None:
    # a version's changes are decoded from the version: no fetch, so no LINK for the list
    query = '{ history(id: "x") { action changes { field old new } } }'
    assert cost_of(schema, query) == QUERY + ASSUMED_FEW * (LEAF + ASSUMED_FEW * 3 * LEAF)


def test_the_alias_abuse_is_far_over_the_budget(schema: GraphQLSchema) -> None:
    # 2.8 KB, 29 aliases of 100 projects x 5 communes x 20 projects x 5 communes x 20 projects
    per_alias = QUERY + 100 * (LINK + ASSUMED_FEW * (LINK + ASSUMED_MANY * (LINK + ASSUMED_FEW * (
        LINK + ASSUMED_MANY * LEAF))))
    assert cost_of(schema, ABUSE) == 29 * per_alias
    assert cost_of(schema, ABUSE) > 1000 * BUDGET


WEB_DOCUMENTS = {
    "START": (documents.START, {"news": NEWS_SHOWN}),
    "STATISTICS": (STATISTICS, {"network": "x"}),
    "SEARCH": (documents.SEARCH, {"query": "x", "first": 20, "offset": 0}),
    "PROJECT": (documents.PROJECT, {"id": "x", "projectId": "x"}),
    "LESSON": (documents.LESSON, {"id": "x"}),
    "COMMUNE": (documents.COMMUNE, {"id": "x", "first": 100}),
    "PERSON": (documents.PERSON, {"id": "x"}),
    "HANDLUNGSFELD": (documents.HANDLUNGSFELD, {"id": "x"}),
    "NETWORK": (documents.NETWORK, {"id": "x"}),
    "EVENT": (documents.EVENT, {"id": "x"}),
    "ORGANISATION": (documents.ORGANISATION, {"id": "x"}),
    "FORM_OPTIONS": (documents.FORM_OPTIONS, {}),
    "MORE_COMMUNES": (documents.MORE_COMMUNES, {"after": "x"}),
    "PROJECT_CHOICES": (documents.PROJECT_CHOICES, {}),
    "REVIEW_QUEUE": (documents.REVIEW_QUEUE, {"first": QUEUE_SHOWN, "candidates": CANDIDATES}),
    "MY_SUBMISSIONS": (documents.MY_SUBMISSIONS, {}),
    "EDIT_PROJECT": (documents.EDIT_PROJECT, {"id": "x"}),
    "EDIT_LESSON": (documents.EDIT_LESSON, {"id": "x"}),
    "PROJECT_CHOICES_IN": (documents.PROJECT_CHOICES_IN, {"communes": ["x"]}),
    "PEOPLE_CHOICES": (documents.PEOPLE_CHOICES, {}),
    "ORGANISATION_CHOICES": (documents.ORGANISATION_CHOICES, {}),
    "ADOPT_FORM": (documents.ADOPT_FORM, {"id": "x", "commune": "x", "hasCommune": True}),
}


@pytest.mark.parametrize("name", list(WEB_DOCUMENTS))
def test_every_web_page_document_is_well_under_the_budget(schema: GraphQLSchema, name: str) -> None:
    query, variables = WEB_DOCUMENTS[name]
    # with the largest pages they ask for, at most half the budget
    assert cost_of(schema, query, variables) <= BUDGET // 2


def test_the_knowledge_transfer_queries_weigh_what_they_do(schema: GraphQLSchema) -> None:
    # experts runs a search per kind of evidence (projects, lessons, adoptions, people); a page of `first`
    assert cost_of(schema, '{ experts(topic: "x", first: 4) { score } }') == 4 * SEARCH + 4 * LEAF
    # coverage has no `first`: a cell per group and Handlungsfeld, counted with its assumed size
    cells = cost.ASSUMED_SIZES["Query.coverage"]
    assert cost_of(schema, "{ coverage(groupBy: COMMUNE) { group projects } }") == 2 * QUERY + cells * 2 * LEAF
    # unless the filter names the groups: then a row per group, a cell per Handlungsfeld in each
    pinned = '{ coverage(groupBy: COMMUNE, filter: {communes: [$id]}) { group projects } }'
    assert cost_of(schema, pinned.replace("$id", '"olpe"')) == 2 * QUERY + cost.ASSUMED_FIELDS * 2 * LEAF
    by_variable = "query($id: String!) " + pinned
    assert cost_of(schema, by_variable, {"id": "olpe"}) == 2 * QUERY + cost.ASSUMED_FIELDS * 2 * LEAF
    other_groups = '{ coverage(groupBy: KREIS, filter: {communes: ["olpe"]}) { group projects } }'
    assert cost_of(schema, other_groups) == 2 * QUERY + cells * 2 * LEAF
    # so asking each cell for a commune's project list is refused, as it would be expensive
    heavy = "{ coverage(groupBy: COMMUNE) { commune { projects { title } } } }"
    assert cost_of(schema, heavy) > BUDGET


def test_a_projects_adoption_records_cost_a_list_query_per_project(schema: GraphQLSchema) -> None:
    # not batched: every project on the page runs its own page query (and count) of adoption records
    query = "{ projects(first: 10) { nodes { adaptationRecords(first: 3) { totalCount nodes { slug status } } } } }"
    assert cost_of(schema, query) == QUERY + 10 * (QUERY + COUNT + 3 * 2 * LEAF)
    # the summary is one batched link with its counts
    assert cost_of(schema, '{ project(id: "x") { adoptionSummary { communes done } } }') == QUERY + LINK + 2 * LEAF


def test_stale_entries_cost_a_page_like_any_list(schema: GraphQLSchema) -> None:
    query = "{ staleEntries(first: 20) { totalCount nodes { ... on Project { slug lastConfirmedAt } } } }"
    assert cost_of(schema, query) == QUERY + COUNT + 20 * 2 * LEAF


# (document, the variables of successive requests): what a cached estimate must tell apart
REPEATED = [
    ("query($n: Int = 5) { projects(first: $n) { nodes { slug } } }",
     [None, {"n": 3}, {"n": None}, {"n": 3}, {"n": "3"}, {"n": True}, {"n": 1}, {}, {"n": 1.0}]),
    # a filter sent only by later requests: the first estimate reads nothing from empty variables
    ("query($f: ProjectFilter, $g: CoverageGrouping!) { coverage(groupBy: $g, filter: $f) { group projects } }",
     [None, {"g": "COMMUNE", "f": {"communes": ["olpe"]}}, {"g": "COMMUNE", "f": {"communes": ["olpe", "soest"]}},
      {"g": "KREIS", "f": {"communes": ["olpe"]}}, {"g": "COMMUNE"}, {"g": "COMMUNE", "f": {"communes": ["olpe"]}}]),
    ("query A { version } query B($n: Int) { projects(first: $n) { nodes { slug } } }",
     [{"n": 2}, {"n": 50}, {"n": 2}]),
]


@pytest.mark.parametrize(("query", "requests"), REPEATED)
def test_a_cached_estimate_is_the_estimate_of_these_variables(
    schema: GraphQLSchema, query: str, requests: list[dict[str, Any] | None]
) -> None:
    # given one parsed document, sent again and again with different variables
    document = parse(query)
    operation = "B" if "query B" in query else None
    estimates = cost.Estimates()
    seen = set()
    for variables in requests:
        # each request's cost is what a fresh estimate of its variables says, cached or not
        expected = estimate(schema, document, operation, variables)
        assert estimates.cost(schema, document, operation, variables) == expected
        seen.add(expected)
    # (and the requests were chosen so that the cost does change between them)
    assert len(seen) >= 2


def test_estimates_are_bounded(schema: GraphQLSchema) -> None:
    estimates = cost.Estimates(maxsize=3, per_operation=2)
    documents = [parse(f"query($n: Int) {{ projects(first: $n) {{ nodes {{ slug }} }} a{i}: version }}")
                 for i in range(5)]
    for document in documents:
        for n in range(4):
            assert estimates.cost(schema, document, None, {"n": n}) == QUERY + n * LEAF + LEAF
    assert len(estimates._entries) == 3
    assert all(len(entry.costs) <= 2 for entry in estimates._entries.values())


def test_big_variable_values_are_estimated_afresh_never_kept(schema: GraphQLSchema) -> None:
    # a coverage whose filter names 5,000 communes, a page size sent as a long text: estimated, not kept
    document = parse("query($f: ProjectFilter, $n: Int) { coverage(groupBy: COMMUNE, filter: $f) { group } "
                     "projects(first: $n) { nodes { slug } } }")
    estimates = cost.Estimates()
    for variables in ({"f": {"communes": [f"k{i}" for i in range(5000)]}, "n": 5}, {"f": None, "n": "7" * 5000}):
        assert estimates.cost(schema, document, None, variables) == estimate(schema, document, None, variables)
    assert all(not entry.costs for entry in estimates._entries.values())
    # small values are kept
    assert estimates.cost(schema, document, None, {"f": None, "n": 5}) == estimate(schema, document, None, {"n": 5})
    assert sum(len(entry.costs) for entry in estimates._entries.values()) == 1
