"""Bulk work with Python's cyclic garbage collector paused.

An import or a full search rebuild keeps hundreds of thousands of small objects alive (records,
entities, documents), and every collection of the oldest generation walks all of them again:
at 100,000 projects that doubled the CPU time of both. Reference counting still frees everything
that is not part of a cycle, so pausing is safe for work that makes few cycles; the collector is
switched back on (if it was on) when the block ends.
"""

from __future__ import annotations

import contextlib
import gc
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
