"""Results that several resolvers of one request wait for, safe against the cancellation of one of them.

asyncio cancels the future a task waits on when the task is cancelled. graphql-core cancels the
sibling fields of a field whose error nulls their parent (``gather_with_cancel``). A DataLoader
hands every caller of ``load(key)`` the same cached future, so when one of those siblings waited
on it, a field elsewhere in the query waiting on the same key got ``CancelledError``: not an
``Exception``, so graphql-core did not make it a field error, and the whole request failed with
500 (``{ a: project(id: "x") { communes { name } similar(first: 500) { id } } b: project(id: "x")
{ communes { name } } }``; in a moderator's review queue, any failing entry took the page down).

``share(future)`` gives each waiter a future of its own; the shared one is cancelled only when no
one waits for it any more, so a timed-out request still makes no further store call
(``Loaders._round_trip`` skips a step nobody waits for).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Hashable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

# how many waiters of each shared future are still waiting
_waiting: weakref.WeakKeyDictionary[asyncio.Future[Any], int] = weakref.WeakKeyDictionary()


def share(inner: asyncio.Future[T]) -> asyncio.Future[T]:
    """A future with ``inner``'s outcome that this waiter may cancel without cancelling ``inner``
    for the others. A future that is already done is returned as it is (it can no longer be
    cancelled, and awaiting it does not yield to the event loop)."""
    if inner.done():
        return inner
    outer: asyncio.Future[T] = inner.get_loop().create_future()
    _waiting[inner] = _waiting.get(inner, 0) + 1

    def relay(done: asyncio.Future[T]) -> None:
        if outer.done():
            return
        if done.cancelled():
            outer.cancel()
        elif (error := done.exception()) is not None:
            outer.set_exception(error)
        else:
            outer.set_result(done.result())

    def left(_: asyncio.Future[T]) -> None:
        remaining = _waiting.get(inner, 1) - 1
        _waiting[inner] = remaining
        if remaining == 0 and outer.cancelled() and not inner.done():
            inner.cancel()  # the last waiter gave up: the work is not needed any more

    inner.add_done_callback(relay)
    outer.add_done_callback(left)
    return outer


class SharedLoader(DataLoader[K, T]):
    """A DataLoader whose ``load`` results are ``share``d: one caller's cancellation is its own."""

    def load(self, key: K) -> Awaitable[T]:
        future = super().load(key)
        return share(future) if isinstance(future, asyncio.Future) else future
