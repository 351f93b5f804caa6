"""A cheaper way through graphql-core for plain leaf fields.

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
"""

from __future__ import annotations

from enum import Enum
from typing import Any
from weakref import WeakKeyDictionary

from graphql import GraphQLField, GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, is_leaf_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# Values whose coercion by a leaf type cannot be awaitable or depend on anything but the value.
_PLAIN_VALUES = (str, int, float, bool)


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

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        plan = self._plain_leaves.get((parent_type.name, node.name.value))
        if plan is not None and not node.arguments:
            try:
                value = getattr(source, plan[0], None)
            except Exception:  # noqa: BLE001 - a property that raises: the general path locates it
                value = None
            if isinstance(value, (*_PLAIN_VALUES, Enum)):
                try:
                    coerced = plan[1].coerce_output_value(value)
                except Exception:  # noqa: BLE001 - the general path raises and locates it
                    coerced = Undefined
                if coerced is not Undefined and coerced is not None:
                    return coerced
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
