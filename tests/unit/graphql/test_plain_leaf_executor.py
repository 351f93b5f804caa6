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



# -- lean resolvers: links called directly, with the same Info -----------------------------------


class Refuse(strawberry.BasePermission):
    message = "nicht erlaubt"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Card:
    name: str

    @strawberry.field
    def label(self) -> str:
        return f"<{self.name}>"

    @strawberry.field
    def who(self, info: strawberry.Info) -> str:
        return f"{self.name} für {info.context['viewer']} ({info.field_name})"

    @strawberry.field
    async def later(self, info: strawberry.Info) -> list[Card]:
        return [Card(name=self.name * 2)]

    @strawberry.field
    def broken(self) -> str | None:
        raise RuntimeError("kaputt")

    @strawberry.field
    def missing(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field(permission_classes=[Refuse])
    def secret(self) -> str:
        return "geheim"

    @strawberry.field
    def times(self, n: int) -> str:
        return self.name * n

    @strawberry.field
    def rooted(self, root: Card) -> str:
        return root.name

    @strawberry.field
    def matches(self, info: strawberry.Info, filter: CardFilter | None = None) -> bool:  # noqa: A002
        return filter is None or (self.name in (filter.names or []) and filter.size is not None
                                  and filter.note is None)

    @strawberry.field
    def node_of(self, id: strawberry.relay.GlobalID) -> str:  # noqa: A002
        return id.node_id


@strawberry.input
class Size:
    least: int = 0
    most: int | None = None


@strawberry.input
class CardFilter:
    note: str | None  # no default: absent means None (Strawberry's rule)
    names: list[str] | None = None
    size: Size | None = strawberry.UNSET
    sizes: list[Size] = strawberry.field(default_factory=list)


@strawberry.type
class CardQuery:
    @strawberry.field
    def cards(self) -> list[Card]:
        return [Card(name="a"), Card(name="b")]


CARDS = """{ cards { label who later { name who } broken times(n: 3) rooted matches
  yes: matches(filter: {names: ["a"], size: {most: 2}, sizes: [{least: 1}]}) no: matches(filter: {names: ["a"]})
  nodeOf(id: "Q2FyZDph") } }"""
REFUSED = "{ cards { name secret } }"
NON_NULL = "{ cards { name missing } }"


def test_lean_resolvers_answer_what_strawberrys_wrapper_answers() -> None:
    from schule.graphql.execution import lean_resolvers

    wrapped = strawberry.Schema(query=CardQuery)
    lean = strawberry.Schema(query=CardQuery)
    # resolvers that take the object, info and arguments with a planned conversion are changed; not
    # those with permissions, root, or a GlobalID argument
    changed = lean_resolvers(lean)
    card = lean._schema.type_map["Card"].fields
    assert {n for n, f in card.items() if f.resolve.__name__.startswith("resolve_")} == {
        "label", "who", "later", "broken", "missing", "times", "matches"}
    assert changed == 7 + 1  # and the root's cards
    for query in (CARDS, REFUSED, NON_NULL):
        answers = [asyncio.run(s.execute(query, context_value={"viewer": "Mona"})) for s in (wrapped, lean)]
        assert outcome(answers[0]) == outcome(answers[1])
    data, errors = outcome(asyncio.run(lean.execute(CARDS, context_value={"viewer": "Mona"})))
    assert data["cards"][0]["who"] == "a für Mona (who)"
    assert data["cards"][1]["later"] == [{"name": "bb", "who": "bb für Mona (who)"}]
    assert [(c["matches"], c["yes"], c["no"], c["nodeOf"]) for c in data["cards"]] == [
        (True, True, True, "a"), (True, False, False, "a")]  # (an absent size is UNSET, not None)
    assert errors == [("kaputt", ["cards", 0, "broken"]), ("kaputt", ["cards", 1, "broken"])]
