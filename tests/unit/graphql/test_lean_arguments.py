"""Every argument of the real schema that ``lean_arguments`` plans is converted exactly as Strawberry's
``convert_argument`` converts it: for values of every shape graphql-core hands a resolver (all
input fields given, only the required ones, nulls, lists of one and of two)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_argument

from schule.graphql.lean_arguments import converter_for
from schule.graphql.schema import build_schema

SCALARS = {"String": "Soest", "ID": "projekt-1", "Int": 7, "Float": 1.5, "Boolean": True}


def samples(type_: GraphQLInputType, depth: int = 0) -> Iterator[Any]:
    """Values of ``type_`` as graphql-core's coercion hands them to a resolver."""
    if isinstance(type_, GraphQLNonNull):
        yield from samples(type_.of_type, depth)
        return
    yield None
    if isinstance(type_, GraphQLList):
        items = list(samples(type_.of_type, depth))
        yield [items[-1]]
        yield [items[-1], items[-1]]
    elif isinstance(type_, GraphQLEnumType):
        yield from (value.value for value in type_.values.values())
    elif isinstance(type_, GraphQLScalarType):
        yield SCALARS.get(type_.name, "2021-05")
    elif isinstance(type_, GraphQLInputObjectType) and depth < 4:
        fields = type_.fields
        full = {name: list(samples(f.type, depth + 1))[-1] for name, f in fields.items()}
        required = {name: value for name, value in full.items() if isinstance(fields[name].type, GraphQLNonNull)}
        yield full
        yield required
        for name in fields:  # one field at a time, the rest absent
            yield {**required, name: full[name]}


SCHEMA = build_schema()
SCALAR_REGISTRY = SCHEMA.schema_converter.scalar_registry
CONFIG = SCHEMA.config


def planned_arguments() -> Iterator[tuple[str, Any, Any, Any]]:
    """(where, Strawberry's argument, our conversion or None, its GraphQL type) for every argument
    of every field, mutations' inputs too (they keep Strawberry's wrapper, but their types are the
    richest test of the plans)."""
    for type_ in SCHEMA._schema.type_map.values():
        for name, field in (getattr(type_, "fields", None) or {}).items():
            definition = (getattr(field, "extensions", None) or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            for argument in getattr(definition, "arguments", None) or []:
                convert = converter_for(argument.type, SCALAR_REGISTRY, CONFIG)
                graphql_name = CONFIG.name_converter.from_argument(argument)
                yield f"{type_.name}.{name}({graphql_name})", argument, convert, field.args[graphql_name].type


PLANNED = [case for case in planned_arguments() if case[2] is not None]


def test_most_arguments_have_a_plan() -> None:
    # (the filters, sorts, pages and ids of every list and lookup; not GlobalIDs)
    assert len(PLANNED) > 100, len(PLANNED)
    assert {"Query.projects(filter)", "Query.projects(first)", "Query.commune(id)", "Query.coverage(groupBy)",
            "Query.search(filter)", "Mutation.createProject(input)"} <= {case[0] for case in PLANNED}
    assert "Query.node(id)" not in {case[0] for case in PLANNED}


@pytest.mark.parametrize(("where", "argument", "convert", "graphql_type"), PLANNED, ids=[c[0] for c in PLANNED])
def test_a_planned_argument_is_converted_as_strawberry_converts_it(
    where: str, argument: Any, convert: Any, graphql_type: Any
) -> None:
    values = list(samples(graphql_type))
    assert len(values) >= 2
    for value in values:
        expected = convert_argument(value, argument.type, SCALAR_REGISTRY, CONFIG)
        got = convert(value)
        assert got == expected and type(got) is type(expected), (where, value)
        if isinstance(value, list) and value:
            assert got is not value  # a copy: graphql-core may hand every request the same default
