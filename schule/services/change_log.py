"""Retention of the graph's change log (the ``Change`` entries every write appends).

The log only exists so that search indexes can follow the graph; an entry every follower has applied
is dead weight. Like Kafka's log retention, the log is cut by time and by size, without asking
followers where they are: a follower that fell behind the retained window notices the gap and
rebuilds from the graph, which is the source of truth anyway (``SearchSync``). So retention never
loses data; it only decides when a lagging index rebuilds instead of catching up.

The defaults, and why:

* **7 days** (``SCHULE_CHANGE_RETENTION_DAYS``). Running instances stay within seconds of the log;
  the window only matters for an instance that was down (maintenance, a long weekend, a week off).
  Within it, the instance catches up change by change; beyond it, a rebuild is bounded work (seed
  data: seconds; 100,000 projects: about 2.5 minutes, see ``bench/search``).
* **100,000 entries** (``SCHULE_CHANGE_RETENTION_MAX``, 0: no limit). The age limit alone does not
  bound the log: a week of large imports could keep millions of entries. Applying more changes than
  the graph has documents is no cheaper than rebuilding the index, so a cap around the largest graph
  we plan for (100,000 projects) costs a lagging follower nothing it would not spend anyway.

The markers that make write batches run once (``cypher.OPERATION_DONE``) go at the same time, after
``OPERATION_RETENTION``: an engine resends a batch within seconds, never a day later.

Who prunes: every app instance, after its search index has caught up, at most every
``schule.app.PRUNE_INTERVAL_S``; and ``schule prune-changes`` at the command line. Pruning twice
is harmless (it deletes a prefix of the log; the second finds nothing older).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from schule.settings import Settings
from schule.store.graph import PRUNE_BATCH, CypherGraphStore

log = logging.getLogger("schule.changes")
OPERATION_RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Retention:
    """How much of the change log to keep: ``days`` of it, and at most ``max_entries`` (0: any number)."""

    days: float = 7.0
    max_entries: int = 100_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(days=settings.change_retention_days, max_entries=settings.change_retention_max)

    def horizon(self, now: datetime) -> str | None:
        """Entries written before this time (ISO-8601 UTC, as the log writes it) may go."""
        try:
            return (now - timedelta(days=self.days)).astimezone(UTC).isoformat(timespec="milliseconds")
        except OverflowError:  # more days than datetime can count back: no age limit
            return None


@dataclass(frozen=True)
class PruneResult:
    deleted: int
    oldest: int | None  # seq of the oldest entry left (None: the log is empty)
    last: int  # the newest seq handed out; unchanged by pruning


def prune_change_log(
    store: CypherGraphStore, retention: Retention, *, now: datetime | None = None, batch: int = PRUNE_BATCH,
    checkpoint: Callable[[], None] | None = None,
) -> PruneResult:
    """Delete the change-log entries outside ``retention`` (never the newest one), and write-batch
    markers older than ``OPERATION_RETENTION``."""
    now = now or datetime.now(UTC)
    deleted = store.prune_changes(
        before=retention.horizon(now), keep_last=retention.max_entries or None, batch=batch,
        checkpoint=checkpoint,
    )
    if checkpoint is not None:
        checkpoint()
    operations = store.prune_operations(
        before=(now - OPERATION_RETENTION).astimezone(UTC).isoformat(timespec="milliseconds"), batch=batch)
    if operations:
        log.info("write-batch markers pruned: %d", operations)
    result = PruneResult(deleted=deleted, oldest=store.oldest_change(), last=store.last_change())
    if deleted:
        log.info("change log pruned: %d entries deleted, oldest kept %s, newest %d",
                 deleted, result.oldest, result.last)
    return result
