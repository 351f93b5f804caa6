"""Results that several resolvers of one request wait for, safe against the cancellation of one of them.

asyncio cancels the future a task waits on when the task is cancelled. graphql-core cancels the
sibling fields of a field whose error nulls their parent (``gather_with_cancel``). A DataLoader
hands every caller of ``load(key)`` the same cached future, so when one of those siblings waited
on it, a field elsewhere in the query waiting on the same key got ``CancelledError``: not an
``Exception``, so graphql-core did not make it a field error, and the whole request failed with
500 (``{ a: project(id: "x") { communes { name } similar(first: 500) { id } } b: project(id: "x")
{ communes { name } } }``; in a moderator's review queue, any failing entry took the page down).

A ``Shared`` result gives each waiter a future of its own; the result itself is cancelled only
when no one waits for it any more, so a timed-out request still makes no further store call
(``Loaders._round_trip`` skips a step nobody waits for). A project's detail page makes ~60 loads,
so the cost was measured: ~2-4 µs a load, CPU per detail request within the noise of plain
DataLoaders (``bench/graphql``, alternating runs; a first version with a callback per waiter cost
~0.7 ms a request).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class _Waiter(asyncio.Future[T]):
    """One waiter's future: its cancellation is reported to the ``Shared`` result (a subclass instead
    of a done-callback, which would cost every load a callback run through the event loop)."""

    _shared: Shared[T]

    def cancel(self, msg: Any = None) -> bool:
        cancelled = super().cancel(msg)
        if cancelled:
            self._shared.left()
        return cancelled


class Shared(Generic[T]):
    """One pending result and the futures of those waiting for it."""

    __slots__ = ("result", "_waiters")

    def __init__(self, result: asyncio.Future[T]) -> None:
        self.result = result
        self._waiters: list[_Waiter[T]] = []
        if not result.done():  # (a finished result is handed out as it is: nothing to relay)
            result.add_done_callback(self._relay)

    def waiter(self) -> asyncio.Future[T]:
        """A future with the result's outcome that this waiter may cancel on its own. Once the result
        is there, the result itself (it can no longer be cancelled; awaiting it does not yield)."""
        if self.result.done():
            return self.result
        waiter: _Waiter[T] = _Waiter(loop=self.result.get_loop())
        waiter._shared = self
        self._waiters.append(waiter)
        return waiter

    def _relay(self, result: asyncio.Future[T]) -> None:
        waiters, self._waiters = self._waiters, []
        if result.cancelled():
            for waiter in waiters:
                waiter.cancel()
            return
        error = result.exception()
        for waiter in waiters:
            if waiter.done():
                continue
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(result.result())

    def left(self) -> None:
        """A waiter was cancelled: if it was the last, the work is not needed any more."""
        if not self.result.done() and all(w.done() for w in self._waiters):
            self.result.cancel()


class SharedLoader(DataLoader[K, T]):
    """A DataLoader whose callers each wait on a future of their own: one caller's cancellation is its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shared: dict[Any, Shared[T]] = {}  # per key, for the loader's (the request's) lifetime

    def load(self, key: K) -> Awaitable[T]:
        future = super().load(key)
        if not isinstance(future, asyncio.Future) or future.done():
            return future
        shared = self._shared.get(key)
        if shared is None or shared.result is not future:  # (a new future after a cancelled load)
            shared = self._shared[key] = Shared(future)
        return shared.waiter()
