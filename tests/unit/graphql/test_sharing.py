"""``Shared``: one waiter's cancellation is its own; the shared result is cancelled when no one waits.

The HTTP case it fixes is in ``tests/e2e/test_client_errors.py``
(``test_a_mistake_in_one_part_of_a_query_leaves_the_other_parts_their_answers``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TypeVar

import pytest

from schule.graphql.sharing import Shared, SharedLoader

T = TypeVar("T")


def waiter(shared: Shared[T]) -> asyncio.Task[T]:
    """A resolver waiting for the shared result."""

    async def wait() -> T:
        return await shared.waiter()

    return asyncio.ensure_future(wait())


async def _cancel(task: asyncio.Task[T]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0)  # the callbacks of the cancelled future run


def test_cancelling_one_waiter_leaves_the_others_the_result() -> None:
    async def scenario() -> None:
        inner: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        shared = Shared(inner)
        gives_up = waiter(shared)
        keeps_waiting = waiter(shared)
        await asyncio.sleep(0)

        await _cancel(gives_up)
        assert not inner.cancelled()
        inner.set_result("Soest")
        assert await keeps_waiting == "Soest"

    asyncio.run(scenario())


def test_an_error_reaches_every_waiter() -> None:
    async def scenario() -> None:
        inner: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        shared = Shared(inner)
        waiters = [waiter(shared) for _ in range(2)]
        await asyncio.sleep(0)  # both wait
        inner.set_exception(LookupError("weg"))
        for task in waiters:
            with pytest.raises(LookupError):
                await task

    asyncio.run(scenario())


def test_the_shared_result_is_cancelled_when_the_last_waiter_gives_up() -> None:
    async def scenario() -> None:
        inner: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        shared = Shared(inner)
        waiters = [waiter(shared) for _ in range(2)]
        await asyncio.sleep(0)
        await _cancel(waiters[0])
        assert not inner.cancelled()
        await _cancel(waiters[1])
        assert inner.cancelled()  # so a timed-out request does not make the store call

    asyncio.run(scenario())


def test_a_finished_result_is_handed_out_as_it_is() -> None:
    async def scenario() -> None:
        inner: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        inner.set_result(3)
        assert Shared(inner).waiter() is inner

    asyncio.run(scenario())


def test_a_shared_loader_batches_and_survives_one_callers_cancellation() -> None:
    batches: list[list[str]] = []

    async def load(keys: Sequence[str]) -> list[str]:
        batches.append(list(keys))
        await asyncio.sleep(0.01)
        return [k.upper() for k in keys]

    async def scenario() -> None:
        loader: SharedLoader[str, str] = SharedLoader(load_fn=load)
        async def load_one(key: str) -> str:
            return await loader.load(key)

        first = asyncio.ensure_future(load_one("olpe"))
        second = asyncio.ensure_future(load_one("olpe"))
        other = asyncio.ensure_future(load_one("soest"))
        await asyncio.sleep(0)
        await _cancel(first)
        assert await second == "OLPE"
        assert await other == "SOEST"
        assert batches == [["olpe", "soest"]]

    asyncio.run(scenario())
