"""One registry of kinds: ``schule.domain.model.Kind``. Every table that has an entry per kind
(import format, entity classes, store lists and sorts, search documents, GraphQL node and search
types, web routes and labels) must cover exactly the kinds, so adding a kind fails here, in one
list of reasons, instead of in front of a user.

Tables derived from ``Kind`` by comprehension (Cypher per label, backup labels, required fields) are
not listed: they cannot drift. Where a table deliberately leaves a kind out, the exception is named
here with its reason."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from schule.domain import model, records
from schule.domain.model import Kind
from schule.graphql import registry
from schule.graphql.schema import build_schema
from schule.graphql.search import queries as search_queries
from schule.graphql.search import types as search_types
from schule.services.search_documents import Lookups, to_document
from schule.store import cypher
from schule.web import rendering

KINDS = set(Kind)
NAMES = {k.name for k in Kind}
VALUES = {k.value for k in Kind}


def test_the_import_format_has_a_table_for_every_kind() -> None:
    # plus ``membership``, a relationship record that is not a node kind
    assert set(records.SPEC) == VALUES | {records.MEMBERSHIP}


def test_every_kind_has_an_entity_class() -> None:
    assert set(model.ENTITY_TYPES) == KINDS


# (LIST_SEEDS is a speed-up for the kinds whose filters need it; LIST_PARAMS is derived.)
@pytest.mark.parametrize("table", ["LIST_FILTERS", "LIST_SORTS"])
def test_the_store_lists_every_kind(table: str) -> None:
    assert set(getattr(cypher, table)) == KINDS


def test_every_kind_has_a_graphql_node_type() -> None:
    build_schema()  # importing the schema registers every domain package's node type
    assert {k for k in Kind if registry.type_for(k) is not None} == KINDS


def test_the_search_kinds_are_the_kinds() -> None:
    assert {m.name for m in search_types.SearchKind} == NAMES
    assert set(search_queries.KIND_LABELS) == VALUES
    union = typing.get_args(search_types.SearchNode)[0]
    assert {cls.__name__.upper() for cls in typing.get_args(union)} == NAMES


@pytest.mark.parametrize("kind", list(Kind))
def test_every_published_kind_becomes_a_search_document(kind: Kind) -> None:
    cls = model.ENTITY_TYPES[kind]
    required = {f.name: _placeholder(f) for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    entity = cls(**{**required, "id": "x", "state": model.ReviewState.PUBLISHED})

    document = to_document(entity, Lookups())

    assert document is not None and document.kind == kind.value


def test_the_web_has_a_route_and_a_label_for_every_kind() -> None:
    assert set(rendering.PATHS) == NAMES
    assert set(rendering.KIND) == NAMES


def _placeholder(field: dataclasses.Field[object]) -> object:
    text = str(field.type)
    if "tuple" in text:
        return ()
    if "int" in text and "str" not in text:
        return 0
    return "x"
