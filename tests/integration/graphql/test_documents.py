"""What the schema keeps per query text (``schule.graphql.documents``): one document per text, its
validation errors, a bounded number of texts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import parse

from schule.graphql.context import Context
from schule.graphql.documents import Documents
from schule.graphql.schema import build_schema
from schule.settings import Settings
from schule.store.graph import CypherGraphStore


@pytest.fixture
def run(store: CypherGraphStore, settings: Settings) -> Any:
    def execute(schema: Any, query: str) -> Any:
        return asyncio.run(schema.execute(query, context_value=Context.build(store, settings)))

    return execute


def documents_of(schema: Any) -> Documents:
    """The schema's cache of query texts (its ``PrepareDocuments`` factory holds it)."""
    return next(e.keywords["documents"] for e in schema.extensions if "documents" in getattr(e, "keywords", {}))


def test_a_text_is_parsed_once_and_answers_the_same_each_time(run: Any) -> None:
    schema = build_schema()
    documents = documents_of(schema)
    # when the same text is executed twice
    first, second = run(schema, "{ version }"), run(schema, "{ version }")
    # then both answers are the same, and the server kept one document for it
    assert first.errors is None and first.data == second.data
    assert len(documents) == 1
    prepared = documents.get("{ version }")
    assert prepared is not None and prepared.errors == []


@pytest.mark.parametrize("query", ["{ versoin }", "{ version(x: 1) }", "query($n: Int!) { version }"])
def test_an_invalid_text_is_refused_every_time(run: Any, query: str) -> None:
    schema = build_schema()
    answers = [run(schema, query) for _ in range(3)]
    messages = [[e.message for e in a.errors or []] for a in answers]
    # each time refused before execution, with the same errors
    assert all(a.data is None for a in answers)
    assert messages[0] and messages[0] == messages[1] == messages[2]


def test_a_syntax_error_is_never_kept(run: Any) -> None:
    schema = build_schema()
    for _ in range(2):
        result = run(schema, "{ version")
        assert result.errors and "Syntax Error" in result.errors[0].message
    assert len(documents_of(schema)) == 0


def test_documents_are_bounded() -> None:
    documents = Documents(maxsize=2)
    for i in range(4):
        documents.add(f"{{ a{i}: version }}", parse(f"{{ a{i}: version }}"))
    assert len(documents) == 2
    assert documents.get("{ a0: version }") is None and documents.get("{ a3: version }") is not None
    # the one just used stays when another comes
    documents.get("{ a2: version }")
    documents.add("{ a4: version }", parse("{ a4: version }"))
    assert documents.get("{ a2: version }") is not None and documents.get("{ a3: version }") is None
