"""Keeping Python's cyclic garbage collector away from the big long-lived data.

Every collection of the oldest generation walks every object that is still alive. A server holds
many of them for long (the lists' facts, the search index's caches, modules and the schema), and
requests make garbage fast, so such a collection came every few seconds under load and stopped all
threads for 65-90 ms at 10,000 projects (the GraphQL list page's p95 was three times its p50):

* ``gc_paused()``: bulk work with the collector paused. An import or a full search rebuild keeps
  hundreds of thousands of small objects alive (records, entities, documents); at 100,000 projects
  the collections doubled the CPU time of both. Reference counting still frees everything that is
  not part of a cycle, so pausing is safe for work that makes few cycles; the collector is switched
  back on (if it was on) when the block ends.
* ``settle_heap()``: after the server built long-lived data (a new facts snapshot, a new searcher's
  caches): one full collection, then every object alive is moved out of the collector's sight
  (``gc.freeze``), so the collections that follow walk only what requests made since. Frozen objects
  are still freed by reference counting when dropped; a cycle among them waits for the next
  settling, which first moves them all back (``gc.unfreeze``), so nothing is kept for good.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle_heap() -> float:
    """Collect everything once, then freeze what is alive (see the module docstring). Returns the
    seconds it took: one full collection (the facts alone: 0.02 s at 10,000 projects, 0.12 s at
    100,000; the schema, the index's caches and the requests' objects add to it)."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return time.perf_counter() - started
