"""The schema answers plain leaf fields and links its own cheaper ways (``schule.graphql.execution``);
on the seeded network it answers every page type exactly as graphql-core's general executor and
Strawberry's resolver wrappers do, for a visitor and for a moderator (whose entries carry review
fields)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schule.auth.identity import Identity
from schule.graphql.context import Context
from schule.graphql.execution import PlainLeafExecutor
from schule.graphql.schema import build_schema
from schule.services import accounts
from schule.settings import Settings
from schule.store import CypherGraphStore

PROJECT = ("slug title summary description status tags started ended license createdAt updatedAt source state "
           "reviewNote lastConfirmedAt")
COMMUNE = "slug name kreis region ags population sizeClass website createdAt updatedAt source"
LESSON = "slug title text type createdAt updatedAt source state reviewNote lastConfirmedAt"
PERSON = "slug name role expertise contactConsent email phone createdAt updatedAt source"
FIELD = "slug name description createdAt updatedAt source"

QUERIES = [
    f"""{{ projects(first: 15) {{ totalCount edges {{ cursor node {{ id {PROJECT} __typename
          communes {{ {COMMUNE} }} handlungsfelder {{ {FIELD} parent {{ slug name }} }}
          lessons {{ {LESSON} author {{ {PERSON} }} }} contacts {{ {PERSON} }}
          adaptedFrom {{ slug title }} adaptations {{ slug title status }} }} }}
          pageInfo {{ hasNextPage endCursor }} }} }}""",
    f"""{{ communes(first: 20) {{ totalCount nodes {{ {COMMUNE} people {{ {PERSON} }}
          memberships {{ role network {{ {FIELD} }} }} projects {{ slug t: title }} }} }} }}""",
    f"""{{ handlungsfelder(first: 50) {{ nodes {{ {FIELD} children {{ slug name }} }} }}
          lessons(first: 50) {{ nodes {{ {LESSON} }} }}
          people(first: 50) {{ nodes {{ {PERSON} employer {{ __typename ... on Commune {{ slug name }} }} }} }} }}""",
    # arguments of every shape: filters with lists, enums, nested inputs and ranges, sorts, pages
    """{ a: projects(first: 5, sort: TITLE_DESC, filter: {kreise: ["Hochsauerlandkreis", "Kreis Soest"],
           network: {network: "rahmenstrategie-suedwestfalen", roles: [PIONEER, MITMACHER]}}) {
           totalCount nodes { slug communes { slug } } }
         b: projects(first: 3, filter: {status: [OPERATION, IMPLEMENTATION], started: {from: "2019", to: "2023"}}) {
           totalCount edges { cursor node { slug status started } } }
         c: projects(last: 2, filter: {tags: [], communes: ["soest", "arnsberg"]}) { nodes { slug } }
         communes(first: 30, sort: NAME_ASC, filter: {kreise: ["Kreis Olpe"], nameContains: "e"}) { nodes { slug } }
         lessons(first: 10, filter: {types: [SUCCESS, PITFALL]}) { nodes { slug type } }
         project(id: "stadtlabor-soest") { slug } commune(id: "olpe") { name }
         coverage(groupBy: KREIS, onlyGaps: false, filter: {regions: ["Südwestfalen"]}) { group projects } }""",
]

LINKS = [("Project", "communes"), ("Project", "lessons"), ("Lesson", "author"), ("Commune", "people"),
         ("Commune", "memberships"), ("Membership", "network"), ("Person", "email"), ("Person", "employer"),
         ("Handlungsfeld", "parent"), ("ProjectConnection", "totalCount")]


@pytest.fixture(scope="module")
def general_schema() -> Any:
    schema = build_schema(Settings(), fast_paths=False)
    assert schema.execution_context_class is StrawberryGraphQLCoreExecutionContext
    return schema


def answers(schema: Any, store: CypherGraphStore, settings: Settings, query: str, token: str | None) -> Any:
    context = Context.build(store, settings, authorization=f"Bearer {token}" if token else None)
    result = asyncio.run(schema.execute(query, context_value=context))
    return result.data, sorted((e.message, tuple(e.path or ())) for e in result.errors or [])


@pytest.mark.parametrize("query", QUERIES, ids=["projects", "communes", "fields-lessons-people", "arguments"])
@pytest.mark.parametrize("viewer", [None, "moderator"])
def test_every_page_type_is_answered_as_by_the_general_executor(
    schema: Any, general_schema: Any, seeded: CypherGraphStore, settings: Settings, query: str,
    viewer: str | None,
) -> None:
    assert schema.execution_context_class is PlainLeafExecutor
    # (the links of these pages do take the lean way: compared here with Strawberry's wrapper)
    links = [schema._schema.type_map[t].fields[f] for t, f in LINKS]
    assert all(f.resolve.__name__ in ("resolve_self", "resolve_with_info") for f in links)
    assert all(general_schema._schema.type_map[t].fields[f].resolve.__name__ in ("_resolver", "_async_resolver")
               for t, f in LINKS)
    token = None
    if viewer:
        _, token = accounts.add_account(seeded, Identity.system(), "mona", viewer)
    fast = answers(schema, seeded, settings, query, token)
    general = answers(general_schema, seeded, settings, query, token)
    assert fast == general
    data, errors = fast
    assert not errors
    if "coverage" in query:  # the filters do select something
        assert data["a"]["totalCount"] > 0 and data["b"]["totalCount"] > 0
        assert data["b"]["edges"] and data["c"]["nodes"] and data["communes"]["nodes"] and data["lessons"]["nodes"]
    # the seed is really in there: hundreds of plain leaves with values, of several kinds
    leaves = list(scalars(data))
    assert len(leaves) > 200, len(leaves)
    assert len({type(v) for v in leaves}) >= 2


def scalars(value: Any) -> Any:
    if isinstance(value, dict):
        for v in value.values():
            yield from scalars(v)
    elif isinstance(value, list):
        for v in value:
            yield from scalars(v)
    elif value is not None:
        yield value
