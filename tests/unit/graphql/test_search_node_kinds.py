"""``SearchHit.node`` can be every kind the search finds, and nothing else: the ``SearchNode``
union and the ``SearchKind`` enum are two lists of one set of kinds, held together here."""

from __future__ import annotations

from schule.domain.model import Kind
from schule.graphql.registry import type_for
from schule.graphql.schema import build_schema
from schule.graphql.search.types import SearchKind


def test_the_search_node_union_has_one_type_per_search_kind() -> None:
    # given the schema as the server builds it
    schema = build_schema()._schema

    # then the union's members are exactly the node types of the kinds a hit can have
    union = schema.type_map["SearchNode"]
    members = {t.name for t in union.types}  # type: ignore[attr-defined]
    expected = {type_for(Kind(k.value)).__name__ for k in SearchKind}
    assert members == expected
