"""Relay-style connections whose filtering, sorting and slicing happen in the database.

Cursors are opaque offsets into the sorted, filtered list: stable while the data does not change,
and cheap. ``totalCount`` costs one count query, run only when asked for (or when paginating
backwards from the end, which needs it).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from schule.domain.model import Kind
from schule.domain.problems import Code
from schule.errors import refuse
from schule.graphql.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from schule.graphql.registry import to_node
from schule.graphql.sharing import Shared

if TYPE_CHECKING:
    from schule.graphql.loaders import Loaders

T = TypeVar("T")
_PREFIX = "offset:"

FIRST = strawberry.argument(
    description=f"Vorwärts blättern: so viele Einträge ab `after` (höchstens {MAX_PAGE_SIZE}; "
    f"ohne `first` und `last`: {DEFAULT_PAGE_SIZE})."
)
AFTER = strawberry.argument(description="Cursor eines Eintrags: die Seite beginnt danach.")
LAST = strawberry.argument(
    description=f"Rückwärts blättern: die letzten so vielen Einträge vor `before` (höchstens {MAX_PAGE_SIZE})."
)
BEFORE = strawberry.argument(description="Cursor eines Eintrags: die Seite endet davor.")

First = Annotated[int | None, FIRST]
After = Annotated[str | None, AFTER]
Last = Annotated[int | None, LAST]
Before = Annotated[str | None, BEFORE]


@strawberry.type(description="Angaben zum Weiterblättern in einer Liste (Relay-Konvention).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Gibt es nach dieser Seite weitere Einträge?")
    has_previous_page: bool = strawberry.field(description="Gibt es vor dieser Seite weitere Einträge?")
    start_cursor: str | None = strawberry.field(description="Cursor des ersten Eintrags der Seite (für `before`).")
    end_cursor: str | None = strawberry.field(description="Cursor des letzten Eintrags der Seite (für `after`).")


@strawberry.type(description="Ein Eintrag einer Seite zusammen mit seinem Cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Position dieses Eintrags, für `after`/`before`.")
    node: T = strawberry.field(description="Der Eintrag selbst.")


@strawberry.type(description="Eine Seite einer gefilterten, sortierten Liste (Relay-Connection) mit Gesamtzahl.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="Die Einträge dieser Seite mit Cursorn.")
    page_info: PageInfo = strawberry.field(description="Angaben zum Weiterblättern.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Die Einträge dieser Seite ohne Cursor (Kurzform von `edges { node }`).")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="Anzahl aller Einträge, auf die der Filter passt (über alle Seiten).")
    async def total_count(self) -> int:
        return await self.count()


@dataclass(frozen=True)
class Prefetch:
    """What a page's entries link to and the query selects (``links``: entity -> ids), read with the
    page (``Loaders.visible``) so that the link fields answer from the loader's cache."""

    loaders: Loaders
    links: Callable[[Any], Iterable[str]]

    def read(self, page: Sequence[Any]) -> dict[str, Any]:
        return self.loaders.visible([i for entity in page for i in self.links(entity)])


def selects(info: Info[Any, None], *names: str) -> frozenset[str]:
    """Which of ``names`` a connection field's query selects on its nodes (``edges { node { … } }``
    or ``nodes { … }``); through a fragment, all of them are assumed."""
    found: set[str] = set()
    wanted = set(names)

    def walk(selections: Sequence[Any], depth: int) -> None:
        for selection in selections:
            if not isinstance(selection, SelectedField):
                found.update(wanted)  # a fragment: assume it asks for them
            elif depth == 0 and selection.name in ("edges", "nodes"):
                walk(selection.selections, 1 if selection.name == "edges" else 2)
            elif depth == 1 and selection.name == "node":
                walk(selection.selections, 2)
            elif depth == 2 and selection.name in wanted:
                found.add(selection.name)

    for field in info.selected_fields:
        walk(field.selections, 0)
    return frozenset(found)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


_BAD_CURSOR = (
    "Ungültiger Cursor {cursor!r}: bitte nur Cursor verwenden, die die API geliefert hat (z. B. pageInfo.endCursor)."
)


def decode_cursor(cursor: str, field: str = "after") -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(cursor)
        offset = int(text[len(_PREFIX) :])
    except (ValueError, binascii.Error, UnicodeError):
        raise refuse(Code.INVALID, _BAD_CURSOR.format(cursor=cursor[:80]), field) from None
    if offset < 0:
        raise refuse(Code.INVALID, _BAD_CURSOR.format(cursor=cursor[:80]), field)
    return offset


def _check_size(name: str, value: int | None) -> None:
    if value is None:
        return
    if value < 0:
        raise refuse(Code.INVALID, f"`{name}` darf nicht negativ sein.", name)
    if value > MAX_PAGE_SIZE:
        raise refuse(Code.INVALID, f"`{name}` darf höchstens {MAX_PAGE_SIZE} sein (angefragt: {value}).", name)


async def paginate(
    store: Any,
    kind: Kind,
    filters: dict[str, Any],
    sort: str,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    prefetch: Prefetch | None = None,
) -> Connection[Any]:
    """One page of ``kind`` as a connection (see the module docstring). ``prefetch``: the loaders
    and the ids a page's entries link to that the query will ask for; they are read in the page's
    own worker-thread call and primed, so the links resolve without another round trip."""
    _check_size("first", first)
    _check_size("last", last)
    if first is None and last is None:
        first = DEFAULT_PAGE_SIZE
    start = decode_cursor(after) + 1 if after else 0
    end = decode_cursor(before, "before") if before else None

    counted: Shared[int] | None = None  # totalCount and pageInfo may both wait for it

    async def count() -> int:
        nonlocal counted
        if counted is None:
            counted = Shared(asyncio.ensure_future(run_in_threadpool(store.count_matching, kind, filters)))
        return await counted.waiter()

    if first is not None:
        end = start + first if end is None else min(end, start + first)
    if last is not None:
        if end is None:
            end = await count()
        start = max(start, end - last)
    assert end is not None
    limit = max(0, end - start)
    # One row more than asked for says whether there is a next page, without a count. A filtered
    # page comes with its count (the store finds the candidates once for both).
    entities: list[Any] = []
    linked: dict[str, Any] = {}
    if limit and counted is None:
        def page_counted() -> tuple[list[Any], int | None, dict[str, Any]]:
            page, total = store.list_page_counted(kind, filters, sort, start, limit + 1)
            return page, total, prefetch.read(page[:limit]) if prefetch else {}

        entities, total, linked = await run_in_threadpool(page_counted)
        if total is not None:
            known: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            known.set_result(total)
            counted = Shared(known)
    elif limit:
        def page() -> tuple[list[Any], dict[str, Any]]:
            found = store.list_page(kind, filters, sort, start, limit + 1)
            return found, prefetch.read(found[:limit]) if prefetch else {}

        entities, linked = await run_in_threadpool(page)
    if prefetch and linked:
        prefetch.loaders.prime(linked)
    has_next = len(entities) > limit
    edges = [Edge(cursor=encode_cursor(start + i), node=to_node(e)) for i, e in enumerate(entities[:limit])]
    page_info = PageInfo(
        has_next_page=has_next if limit else False,
        has_previous_page=start > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, count=count)
