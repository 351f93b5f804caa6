"""Abuse limits of the GraphQL API, in one place.

Depth, aliases and tokens are checked by Strawberry's validation extensions before anything
executes; field suggestions are off (they leak the schema); introspection is configurable.
The HTTP-level limits (body size, batching, methods, content types, timeout) live in ``view.py``.
"""

from __future__ import annotations

from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from schule.settings import Settings

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def schema_extensions(settings: Settings) -> list[SchemaExtension | type[SchemaExtension]]:
    extensions: list[SchemaExtension | type[SchemaExtension]] = [
        MaxTokensLimiter(max_token_count=MAX_TOKENS),
        QueryDepthLimiter(max_depth=MAX_DEPTH),
        MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        ParserCache(maxsize=256),
        ValidationCache(maxsize=256),
    ]
    if not settings.introspection:
        from graphql.validation import NoSchemaIntrospectionCustomRule

        extensions.append(AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return extensions


def schema_config() -> StrawberryConfig:
    return StrawberryConfig(disable_field_suggestions=True)
