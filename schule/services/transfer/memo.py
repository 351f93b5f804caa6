"""Results computed from one facts snapshot, reused until the snapshot is replaced.

A ``Facts`` snapshot never changes once built (``facts.py``), so what is computed from it alone
(a network's statistics, a coverage table) stays true as long as ``facts_for`` returns the same
snapshot. At 10,000 projects ``network_stats`` walks ~7,000 projects (~40 ms of Python) and a
coverage by Kreis ~140 ms; a statistics page asks for both on every view. With this memo only the
first view after a change pays.

One memo per process keeps the results of the newest snapshot it saw (a bounded number of keys);
a different snapshot (a change of a fact, or another store in the same process) starts afresh; a snapshot
that only moved on past changes that were no facts (``Facts.at``) keeps them. Cached values
are shared between requests: callers must not change them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from schule.services.transfer.facts import Facts

T = TypeVar("T")
MAX_KEYS = 64


class SnapshotMemo:
    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._max_keys = max_keys
        self._facts: Facts | None = None
        self._values: dict[Hashable, object] = {}
        self._lock = threading.Lock()

    def get(self, facts: Facts, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``'s value for ``key`` on ``facts``: computed once per snapshot (outside the lock,
        so a slow computation never holds up others; two first callers may both compute)."""
        with self._lock:
            if self._facts is not None and self._facts.same_content(facts) and key in self._values:
                return self._values[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            if self._facts is None or not self._facts.same_content(facts):
                self._facts, self._values = facts, {}
            if len(self._values) < self._max_keys:
                self._values[key] = value
        return value


snapshot_memo = SnapshotMemo()
