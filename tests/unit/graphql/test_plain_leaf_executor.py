"""PlainLeafExecutor answers plain leaf fields without graphql-core's general path, and must answer
exactly what the general path answers: the same data, the same errors at the same paths."""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schule.graphql.execution import PlainLeafExecutor


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Item:
    name: str
    note: str | None
    count: int | None
    share: float
    ok: bool
    colour: Colour
    maybe_colour: Colour | None

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


class Exploding(Item):
    """An item whose ``note`` raises when read (a property gone wrong)."""

    def __getattribute__(self, name: str) -> Any:
        if name == "note":
            raise RuntimeError("kaputt")
        return super().__getattribute__(name)


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return [
            Item(name="a", note=None, count=1, share=0.5, ok=True, colour=Colour.RED, maybe_colour=None),
            # count beyond GraphQL's 32-bit Int: the type refuses to coerce it
            Item(name="b", note="n", count=2**40, share=1.0, ok=False, colour=Colour.GREEN, maybe_colour=Colour.RED),
            # a non-null name that is missing: a field error, and null bubbles up to the item
            Item(name=None, note="x", count=3, share=2.0, ok=True, colour=Colour.RED,  # type: ignore[arg-type]
                 maybe_colour=Colour.GREEN),
            Exploding(name="e", note="z", count=5, share=4.0, ok=True, colour=Colour.RED, maybe_colour=None),
            # a value of the wrong kind for an enum field
            Item(name="d", note="y", count=4, share=3.0, ok=True, colour="purple",  # type: ignore[arg-type]
                 maybe_colour=None),
        ]


QUERY = """{
  items {
    name note count share ok colour maybeColour
    loud: shout(times: 2)
    again: name
    __typename
    ... on Item { note }
  }
}"""


class Counting:
    """Counts the resolve-info objects an executor builds (one per field on the general path)."""

    built = 0

    def build_resolve_info(self, *args: Any) -> Any:
        type(self).built += 1
        return super().build_resolve_info(*args)  # type: ignore[misc]


class CountingGeneral(Counting, StrawberryGraphQLCoreExecutionContext):
    built = 0


class CountingPlain(Counting, PlainLeafExecutor):
    built = 0


def run(executor: type) -> Any:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    return asyncio.run(schema.execute(QUERY))


def outcome(result: Any) -> tuple[Any, list[tuple[str, Any]]]:
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return result.data, errors


def test_plain_leaves_answer_what_the_general_path_answers() -> None:
    general, plain = run(CountingGeneral), run(CountingPlain)
    assert outcome(plain) == outcome(general)
    data, errors = outcome(plain)
    # the cases are really in there: values, a null, an enum, the refused Int, the missing name
    assert data["items"][0] == {
        "name": "a", "note": None, "count": 1, "share": 0.5, "ok": True, "colour": "RED", "maybeColour": None,
        "loud": "AA", "again": "a", "__typename": "Item",
    }
    assert data["items"][1]["count"] is None and data["items"][2] is None and data["items"][4] is None
    assert data["items"][3]["note"] is None and data["items"][3]["name"] == "e"
    assert len(errors) == 4, errors
    assert ("kaputt", ["items", 3, "note"]) in errors
    assert any("non-nullable" in message for message, _ in errors)


def test_plain_leaves_skip_the_resolve_info() -> None:
    run(CountingGeneral)
    run(CountingPlain)
    # the general path builds one per field; the plain one only where a field needs the general way
    assert CountingPlain.built < CountingGeneral.built / 2, (CountingPlain.built, CountingGeneral.built)

