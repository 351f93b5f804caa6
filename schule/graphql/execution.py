"""Cheaper ways through graphql-core and Strawberry for the two commonest kinds of field.

Most fields of a page are plain leaves: a project card's ``slug``, ``title`` and ``status``, a
commune's ``name``. Strawberry resolves such a field (no resolver, no arguments, no extensions) by
reading the attribute of the same Python name; graphql-core still builds a resolve-info object for
it, calls Strawberry's wrapper, asks whether the result is awaitable and walks ``complete_value``'s
type dispatch, about as much work per field as the rest of a request's share per field together
(``bench/graphql/README.md``). ``PlainLeafExecutor`` answers such a field with the attribute read and
the leaf type's own output coercion, exactly what the general path computes for it.

Anything that is not that plain case goes the general way, unchanged: fields with a resolver,
arguments, a middleware, a value that is missing (``None``, so that non-null errors are raised and
located as before), not a plain scalar or enum member, or that the type refuses to coerce (then
the general path raises and locates the error as before).

The second kind are fields with a resolver: links such as a project card's ``communes`` and
``handlungsfelder`` (40 of them on a 20-card page) and the root fields with their arguments.
Strawberry calls every resolver through a general wrapper: it converts the arguments (resolving
each input field's type again, every call), builds the reserved parameters by inspecting the
signature and chains field extensions, about as much work per call as a link's resolver itself.
``lean_resolvers`` gives such a field a resolver that converts its arguments by a plan made once
(``lean_arguments.py``) and calls the function directly with the same ``Info``; graphql-core then
completes the result as before (errors, non-null, lists, awaitables). A field with field
extensions (permissions), other reserved parameters (``root``, ``parent``), an argument type
without a plan, a mutation, or in a schema with exception handlers keeps Strawberry's wrapper.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from enum import Enum
from typing import Any
from weakref import WeakKeyDictionary

import strawberry
from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from schule.graphql.lean_arguments import Converter, converter_for

# Values whose coercion by a leaf type cannot be awaitable or depend on anything but the value.
_PLAIN_TYPES = (str, int, float, bool, Enum)


def _plain_leaf(field: GraphQLField) -> tuple[str, GraphQLLeafType] | None:
    """(attribute, leaf type) when Strawberry would answer ``field`` by reading that attribute."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    resolve = field.resolve
    if (
        definition is None
        or field.args
        or not getattr(definition, "is_basic_field", False)
        or definition.default_resolver is not getattr
        # Strawberry's own resolver for a basic field without exception handlers (schema_converter)
        or getattr(resolve, "__name__", "") != "_get_basic_result"
        or not getattr(resolve, "_is_default", False)
    ):
        return None
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if not is_leaf_type(leaf):
        return None
    return definition.python_name, leaf


def _plans_of(schema: GraphQLSchema) -> dict[tuple[str, str], tuple[str, GraphQLLeafType]]:
    """Every plain leaf of ``schema`` by (type name, field name), found once per schema."""
    plans = _PLANS.get(schema)
    if plans is None:
        plans = {
            (type_.name, name): plan
            for type_ in schema.type_map.values() if isinstance(type_, GraphQLObjectType)
            for name, field in type_.fields.items() if (plan := _plain_leaf(field)) is not None
        }
        _PLANS[schema] = plans
    return plans


_PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], tuple[str, GraphQLLeafType]]] = WeakKeyDictionary()


class PlainLeafExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # a middleware wraps every resolver, plain leaves too: then every field goes the general way
        self._plain_leaves = _plans_of(self.schema) if manager is None or not manager.middlewares else {}

    def _plain_value(self, parent_type: GraphQLObjectType, source: Any, node: Any) -> Any:
        """A plain leaf's answer, or Undefined when the field must go the general way."""
        plan = self._plain_leaves.get((parent_type.name, node.name.value))
        if plan is None or node.arguments:
            return Undefined
        try:
            value = getattr(source, plan[0], None)
        except Exception:  # noqa: BLE001 - a property that raises: the general path locates it
            return Undefined
        if not isinstance(value, _PLAIN_TYPES):
            return Undefined
        try:
            coerced = plan[1].coerce_output_value(value)
        except Exception:  # noqa: BLE001 - the general path raises and locates it
            return Undefined
        return Undefined if coerced is None else coerced

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``execute_fields`` (3.3), answering a plain leaf before the path and the
        awaitable check graphql-core makes for every field."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        general = super().execute_field
        try:
            for response_name, field_details_list in grouped_field_set.items():
                result = self._plain_value(parent_type, source_value, field_details_list[0].node)
                if result is not Undefined:
                    results[response_name] = result
                    continue
                field_path = Path(path, response_name, parent_type.name)
                result = general(parent_type, source_value, field_details_list, field_path, position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                # settle the awaitables of the other fields: they may fail too
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        # (mutations' fields run one by one through here, not through execute_fields)
        result = self._plain_value(parent_type, source, field_details_list[0].node)
        if result is not Undefined:
            return result
        return super().execute_field(parent_type, source, field_details_list, path, position_context)


# Strawberry's own resolver wrappers (schema_converter.from_resolver), the only ones replaced
_STRAWBERRY_WRAPPERS = frozenset({"_resolver", "_async_resolver"})


def lean_resolvers(schema: strawberry.Schema) -> int:
    """Gives every field whose resolver takes only the object, ``info`` and arguments with a planned
    conversion (``lean_arguments``) a direct resolver (see the module docstring); returns how many
    fields it changed."""
    converter = schema.schema_converter
    if getattr(converter, "_exception_handler_specs", True):  # handlers (or an unknown Strawberry)
        return 0
    changed = 0
    for type_ in schema._schema.type_map.values():
        # (a mutation runs once per request: nothing to gain there)
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__") or (
                type_ is schema._schema.mutation_type):
            continue
        for field in type_.fields.values():
            resolve = _lean_resolver(field, schema)
            if resolve is not None:
                field.resolve = resolve
                changed += 1
    return changed


_KEYWORD = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def _lean_resolver(field: GraphQLField, schema: strawberry.Schema) -> Callable[..., Any] | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    resolver = getattr(definition, "base_resolver", None)
    if (
        definition is None
        or resolver is None
        or definition.extensions
        or getattr(field.resolve, "__name__", "") not in _STRAWBERRY_WRAPPERS
        or not callable(resolver.wrapped_func)
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
    ):
        return None
    parameters = list(resolver.signature.parameters.values())
    if not parameters or parameters[0] is not resolver.self_parameter:
        return None
    config = schema.config
    arguments: list[tuple[str, str, Converter]] = []  # GraphQL name, Python name, conversion
    for argument in definition.arguments:
        convert = converter_for(argument.type, schema.schema_converter.scalar_registry, config)
        if convert is None or argument.python_name is None:
            return None
        arguments.append((config.name_converter.from_argument(argument), argument.python_name, convert))
    info_parameter = resolver.info_parameter
    info_name = info_parameter.name if info_parameter is not None else None
    expected = {python for _, python, _ in arguments} | ({info_name} if info_name else set())
    if {p.name for p in parameters[1:]} != expected or len(parameters) - 1 != len(expected):
        return None
    if any(p.kind not in _KEYWORD for p in parameters[1:]):
        return None
    func = resolver.wrapped_func
    info_class = config.info_class
    if arguments:

        def resolve_with_arguments(source: Any, info: GraphQLResolveInfo, **given: Any) -> Any:
            kwargs = {python: convert(given[name]) for name, python, convert in arguments if name in given}
            if info_name is not None:
                kwargs[info_name] = info_class(_raw_info=info, _field=definition)
            return func(source, **kwargs)

        return resolve_with_arguments
    if info_name is None:

        def resolve_self(source: Any, info: GraphQLResolveInfo) -> Any:
            return func(source)

        return resolve_self

    def resolve_with_info(source: Any, info: GraphQLResolveInfo) -> Any:
        return func(source, **{info_name: info_class(_raw_info=info, _field=definition)})

    return resolve_with_info
