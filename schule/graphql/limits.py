"""Abuse limits of the GraphQL API, in one place.

Everything here is checked while parsing or validating, so a refused operation never reaches a
resolver (tests prove it):

* tokens: at most ``MAX_TOKENS`` lexical tokens, or parsing stops (2,000 duplicated fields);
* aliases: at most ``MAX_ALIASES`` per operation (200 aliases of one expensive field);
* depth: at most ``MAX_DEPTH`` nested selection sets (``{ a { b } }`` has depth 1, as in Strawberry's
  ``QueryDepthLimiter``). Unlike that limiter, ours also counts introspection fields: it ignores
  everything below ``__schema``, so ``{ __schema { types { fields { type { fields … }}}}}`` of any
  depth passed it. Only ``ofType`` inside introspection is not counted: it unwraps one list or
  non-null wrapper, returns a single object and ends after a few levels, and the standard
  introspection query (GraphiQL's) nests it nine times;
* introspection lists: graphql-core's own ``MaxIntrospectionDepthRule`` (a standard rule since 3.3)
  refuses ``fields``/``inputFields``/``interfaces``/``possibleTypes`` nested three times, each of
  which multiplies the work by the size of the schema;
* introspection itself only when ``settings.introspection`` (the default; ``SCHULE_INTROSPECTION=0`` turns it off);
* cost: at most ``cost.BUDGET`` estimated cost (list sizes multiplied along paths, per-field
  weights), checked after validation with the variables known (``cost.CostLimit``), which also
  charges a query's cost to its client's rate limit;
* no field suggestions ("Did you mean …?" leaks the schema; ``view.py`` also strips the suggestions
  graphql-core makes for arguments, types and enum values).

Extensions are passed as factories so that every request gets fresh instances (Strawberry
deprecates shared instances); parsing with the token limit and validation with our rules happen
once per query text (``documents.PrepareDocuments``, one cache per schema).
The HTTP-level limits (body size, batching, methods, content types, timeout) live in ``view.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as create_aliases_rule
from strawberry.schema.config import StrawberryConfig

from schule.auth.ratelimit import RateLimiter
from schule.graphql.documents import Documents, PrepareDocuments
from schule.graphql.strings import StorableStringsRule
from schule.settings import Settings

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


class DepthRule(ValidationRule):
    """Refuses operations nested deeper than ``MAX_DEPTH``, introspection included."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> None:
        fragments = {
            d.name.value: d for d in self.context.document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        depth = _depth(node.selection_set, fragments, False, {}, frozenset())
        if depth > MAX_DEPTH:
            name = node.name.value if node.name else "anonymous"
            self.report_error(
                GraphQLError(f"'{name}' exceeds maximum operation depth of {MAX_DEPTH} (found {depth})", node)
            )


def _depth(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    introspection: bool,
    memo: dict[tuple[str, bool], int],
    visiting: frozenset[str],
) -> int:
    """The deepest nesting below ``selection_set``; each fragment is measured once (no blow-up)."""
    depth = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None:
                continue
            name = selection.name.value
            inside = introspection or name in INTROSPECTION_ROOTS
            step = 0 if (inside and name == "ofType") else 1
            depth = max(depth, step + _depth(selection.selection_set, fragments, inside, memo, visiting))
        elif isinstance(selection, InlineFragmentNode):
            depth = max(depth, _depth(selection.selection_set, fragments, introspection, memo, visiting))
        elif isinstance(selection, FragmentSpreadNode):
            key = (selection.name.value, introspection)
            fragment = fragments.get(key[0])
            if fragment is None or key[0] in visiting:
                continue  # unknown fragments and cycles are reported by the standard rules
            if key not in memo:
                memo[key] = _depth(fragment.selection_set, fragments, introspection, memo, visiting | {key[0]})
            depth = max(depth, memo[key])
    return depth


# Built once: a query text's validation is kept for its rule set.
_ALIASES_RULE = create_aliases_rule(MAX_ALIASES)
_RULES: list[type[ASTValidationRule]] = [DepthRule, _ALIASES_RULE, StorableStringsRule]
_RULES_WITHOUT_INTROSPECTION: list[type[ASTValidationRule]] = [*_RULES, NoSchemaIntrospectionCustomRule]

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


def schema_extensions(settings: Settings, queries: RateLimiter | None = None) -> list[ExtensionFactory]:
    """``queries``: the per-client rate limit that queries are charged their cost to (none: no limit)."""
    from schule.graphql.cost import CostLimit, Estimates  # cost.py needs this module's page sizes

    rules = _RULES if settings.introspection else _RULES_WITHOUT_INTROSPECTION
    return [
        partial(PrepareDocuments, documents=Documents(), rules=rules, max_tokens=MAX_TOKENS),
        partial(CostLimit, queries=queries, estimates=Estimates()),
    ]


def schema_config() -> StrawberryConfig:
    return StrawberryConfig(disable_field_suggestions=True)
