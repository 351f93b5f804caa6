"""GraphQL tests run the schema in-process against the real store (see tests/conftest.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from schule.graphql.context import Context
from schule.graphql.loaders import run_inline
from schule.graphql.schema import build_schema
from schule.services.seeding import seed
from schule.settings import Settings
from schule.store import CypherGraphStore
from tests.conftest import SEED_DIR

TOKEN = "test-schreibschluessel"


@pytest.fixture(scope="session")
def schema() -> Any:
    # Settings only shape the schema through limits (introspection): one schema serves all tests.
    return build_schema(Settings())


@pytest.fixture
def settings(store_settings: Settings) -> Settings:
    return store_settings.with_(write_token=TOKEN)


@pytest.fixture
def seeded(store: CypherGraphStore) -> CypherGraphStore:
    seed(store, SEED_DIR)
    return store


class Client:
    """Executes operations in-process, with a fresh Context per operation as a view would."""

    def __init__(self, schema: Any, store: CypherGraphStore, settings: Settings) -> None:
        self.schema, self.store, self.settings = schema, store, settings

    def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None, inline: bool = False
    ) -> Any:
        context = Context.build(
            self.store,
            self.settings,
            authorization=f"Bearer {token}" if token else None,
            run_blocking=run_inline if inline else None,
        )
        return asyncio.run(self.schema.execute(query, variable_values=variables, context_value=context))

    def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None, inline: bool = False
    ) -> Any:
        result = self.execute(query, variables, token=token, inline=inline)
        assert result.errors is None, result.errors
        return result.data


@pytest.fixture
def client(schema: Any, seeded: CypherGraphStore, settings: Settings) -> Client:
    return Client(schema, seeded, settings)
