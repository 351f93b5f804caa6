"""Arguments for lean resolvers (``execution.lean_resolvers``): what Strawberry's ``convert_arguments``
computes from graphql-core's coerced values, with the work that depends only on the schema done once.

Strawberry converts a field's arguments on every call the general way: for an input type it
converts each field's GraphQL name and resolves each field's type annotation again, request after
request. A list page's ``projects(filter: …)`` spent ~5 % of its GraphQL CPU there, a commune page
~9 %. ``converter_for`` plans the conversion of one argument type once; the plan does what
``strawberry.types.arguments.convert_argument`` does for the kinds of type it handles:

* ``None`` stays ``None`` and ``UNSET`` stays ``UNSET``, at any level;
* scalars and enums come as graphql-core coerced them (Strawberry returns them unchanged);
* a list of scalars or enums is copied (graphql-core hands every request that omits it the same
  default list); a list of anything else is converted item by item;
* an input type is built from the fields present (by their GraphQL names), with ``None`` for
  fields without a default that are absent, as Strawberry builds it.

Anything else (``Maybe``, ``GlobalID``, an input type with its own ``from_input``, generics, unions)
has no plan: ``converter_for`` returns None and the field keeps Strawberry's wrapper.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import _is_leaf_type, _is_optional_leaf_type
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional, has_object_definition
from strawberry.types.enum import has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Converter = Callable[[Any], Any]


def converter_for(type_: Any, scalars: Mapping[object, Any], config: StrawberryConfig) -> Converter | None:
    """The conversion of a value of ``type_`` (None: not a kind planned here)."""
    if isinstance(type_, StrawberryMaybe):
        return None
    if isinstance(type_, StrawberryOptional):
        return converter_for(type_.of_type, scalars, config)
    if isinstance(type_, LazyType):
        return converter_for(type_.resolve_type(), scalars, config)
    if isinstance(type_, StrawberryList):
        item = type_.of_type
        if _is_leaf_type(item, scalars, skip_classes=(GlobalID,)) or _is_optional_leaf_type(
            item, scalars, skip_classes=(GlobalID,)
        ):
            return _copied_list
        convert_item = converter_for(item, scalars, config)
        return None if convert_item is None else _list_of(convert_item)
    if type_ is GlobalID:
        return None
    if _is_leaf_type(type_, scalars) or has_enum_definition(type_):
        return _unchanged
    if has_object_definition(type_):
        return _input_converter(type_, scalars, config)
    return None


def _unchanged(value: Any) -> Any:
    return value


def _copied_list(value: Any) -> Any:
    if value is None or value is UNSET:
        return value
    return list(value)


def _list_of(convert_item: Converter) -> Converter:
    def convert(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        return [convert_item(item) for item in value]

    return convert


def _input_converter(type_: Any, scalars: Mapping[object, Any], config: StrawberryConfig) -> Converter | None:
    definition = type_.__strawberry_definition__
    if not definition.is_input or definition.from_input is not None or definition.is_graphql_generic:
        return None
    absent = {f.python_name: None for f in definition.fields
              if f.default_value is MISSING and f.default_factory is MISSING}
    fields: list[tuple[str, str, Converter]] = []
    for field in definition.fields:
        convert = converter_for(field.resolve_type(type_definition=definition), scalars, config)
        if convert is None:
            return None
        fields.append((config.name_converter.from_field(field), field.python_name, convert))

    def build(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        kwargs = dict(absent)
        for graphql_name, python_name, convert_field in fields:
            if graphql_name in value:
                kwargs[python_name] = convert_field(value[graphql_name])
        return type_(**kwargs)

    return build
