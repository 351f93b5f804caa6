"""settle_heap: collect once, then keep what is alive out of the collector's walks; nothing it
keeps is kept for good."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from schule.gc_pause import settle_heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> tuple[Node, weakref.ref[Node]]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, weakref.ref(a)


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_garbage_is_collected_and_what_is_alive_is_frozen() -> None:
    # given cyclic garbage (reference counting cannot free it) and a cycle still in use
    garbage, gone = cycle()
    del garbage
    alive, _ = cycle()
    assert gone() is not None
    # when the heap is settled
    settle_heap()
    # then the garbage is gone, and what is alive is out of the collector's walks
    assert gone() is None
    assert gc.get_freeze_count() > 0
    assert not any(o is alive for o in gc.get_objects())  # frozen objects are not listed
    assert alive.other is not None


def test_a_frozen_cycle_that_becomes_garbage_is_collected_at_the_next_settling() -> None:
    alive, ref = cycle()
    settle_heap()
    del alive
    gc.collect()
    assert ref() is not None  # frozen: an ordinary collection does not look at it
    settle_heap()
    assert ref() is None
