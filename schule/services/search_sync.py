"""Keeping the search index in sync with the graph.

The graph is the source of truth. Every write appends ``Change`` entries to the graph's change log
in the same atomic unit as the change itself (``CypherGraphStore.upsert_statements``). Each search
index (one per app instance and data dir; several instances may follow one Neo4j) remembers the
last change it applied, in ``state.json`` beside it, and follows the log:

* ``drain()`` applies pending changes in order, idempotently (documents are replaced by key), and
  only then advances ``applied_seq``. A crash anywhere leaves the change pending, never lost: the
  next drain, by whichever process holds the drain lock, applies it again.
* ``repair()`` runs at start: a missing or foreign state, a log that went backwards (the graph
  was replaced), a log pruned past ``applied_seq`` or a document count that disagrees with the
  graph means a full rebuild.
* The log is pruned (``schule.services.change_log``): old entries go, whether or not every index
  applied them. Seqs are handed out without gaps, so an index that finds a missing number after
  ``applied_seq`` (in ``drain()``, in the catch-up after a rebuild, at ``repair()`` through the
  oldest retained seq) knows it missed pruned entries and rebuilds instead of skipping them.
* ``rebuild()`` is ``schule reindex``: a fresh index from the graph, swapped in atomically.

Only one process or thread drains at a time (an exclusive file lock); the others skip, or, for a
search that must see pending changes (``drain(wait_s=...)``), wait a bounded time for the lock.
Queries on the index itself never block.

``stop()`` asks running work to end at its next batch boundary (a rebuild is discarded, a drain
keeps what it committed). The app calls it on shutdown and then waits, so that no worker thread
still talks to the store when the store is closed and the embedded server released.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from schule.search import SearchDocument, SearchIndex
from schule.services.change_log import PruneResult, Retention, prune_change_log
from schule.services.search_documents import DocumentBuilder
from schule.store.graph import CypherGraphStore

log = logging.getLogger("schule.search")
BATCH = 500
_LOCK_POLL_S = 0.02


class SyncStopped(Exception):
    """Raised inside index work once ``SearchSync.stop()`` was called."""


class SearchSync:
    def __init__(self, store: CypherGraphStore, index_dir: Path) -> None:
        self.store = store
        self.dir = index_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.index = SearchIndex.open(self.dir / "index")
        self.state_file = self.dir / "state.json"
        self.lock_file = self.dir / "drain.lock"
        self.builder = DocumentBuilder(store)
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Ask running and future work to end at the next batch boundary."""
        self._stopping.set()

    def stopping(self) -> bool:
        """Whether ``stop()`` was called (for work that checks rather than raises)."""
        return self._stopping.is_set()

    def _check_stop(self) -> None:
        if self._stopping.is_set():
            raise SyncStopped("search index work stopped")

    def _until_stopped(self, docs: Iterable[SearchDocument]) -> Iterator[SearchDocument]:
        for doc in docs:
            self._check_stop()  # an Event lookup: cheap beside analysing the document
            yield doc
        self._check_stop()  # not after the last one either: the rebuild would still commit

    # -- state ------------------------------------------------------------------------------------
    def applied_seq(self) -> int | None:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        if state.get("graph") != self._graph_identity():
            return None
        return int(state["applied_seq"])

    def _write_state(self, seq: int) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        with open(tmp, "w") as fh:
            json.dump({"applied_seq": seq, "graph": self._graph_identity()}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_file)

    def _graph_identity(self) -> str:
        engine = self.store.engine
        return f"{engine.name}:{getattr(engine, 'graph_name', getattr(engine, 'database', ''))}"

    @contextmanager
    def _drain_lock(self, wait: bool, wait_s: float = 0.0) -> Iterator[bool]:
        """The drain lock: blocking with ``wait``, else tried until ``wait_s`` seconds have passed
        (flock has no timeout, so a non-blocking try is repeated every ``_LOCK_POLL_S``)."""
        deadline = time.monotonic() + wait_s
        with open(self.lock_file, "a+") as fh:
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(_LOCK_POLL_S)
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- work -------------------------------------------------------------------------------------
    def pending(self) -> int:
        applied = self.applied_seq()
        return self.store.last_change() - (applied or 0)

    def drain(self, *, wait: bool = False, wait_s: float = 0.0) -> int:
        """Apply pending changes; returns how many change entries were applied (0 if another
        process or thread holds the lock and neither ``wait`` nor ``wait_s`` seconds got it)."""
        with self._drain_lock(wait, wait_s) as locked:
            if not locked:
                return 0
            applied = self.applied_seq()
            if applied is None:
                return self._rebuild_locked()
            done = self._apply_after(applied)
            if done is None:
                log.warning("search index fell behind the pruned change log (applied %d); rebuilding", applied)
                return self._rebuild_locked()
            return done

    def _apply_after(self, applied: int) -> int | None:
        """Apply the log's entries after ``applied`` in order, recording progress batch by batch;
        returns how many were applied, or None if an entry this index never applied was pruned
        (a missing seq number): skipping it would lose a change, so the caller rebuilds."""
        done = 0
        while True:
            self._check_stop()
            changes = self.store.changes_since(applied, limit=BATCH)
            if not changes:
                return done
            previous = applied
            for change in changes:  # equal seqs pass: only a missing number means pruned
                if change.seq > previous + 1:
                    return None
                previous = change.seq
            docs, deletes = self.builder.for_ids(list(dict.fromkeys(c.id for c in changes)))
            if docs:
                self.index.upsert(docs)
            if deletes:
                self.index.delete(deletes)
            applied = changes[-1].seq
            self._write_state(applied)
            done += len(changes)

    def rebuild(self) -> int:
        """Full rebuild from the graph; returns the number of documents."""
        with self._drain_lock(wait=True):
            return self._rebuild_locked()

    def _rebuild_locked(self) -> int:
        while True:
            self._check_stop()
            start = self.store.last_change()
            count = self.index.rebuild(self._until_stopped(self.builder.all()))
            self._write_state(start)
            log.info("search index rebuilt: %d documents", count)
            # changes written while the rebuild ran are applied now (idempotently); if the log was
            # pruned past ``start`` meanwhile (a long rebuild, a count-capped log), build again
            if self._apply_after(start) is not None:
                return count
            log.warning("change log pruned past the rebuild's start (%d); rebuilding again", start)

    def repair(self) -> str:
        """At start: detect drift and repair it. Returns what was done, for the log."""
        with self._drain_lock(wait=True):
            applied = self.applied_seq()
            last = self.store.last_change()
            if applied is None or applied > last:
                self._rebuild_locked()
                return "rebuilt (no valid index state)"
            if not self.index.analysis_current():
                # words are analysed differently now: old postings would miss what new queries ask
                self._rebuild_locked()
                return "rebuilt (index written by an older version of the German analysis)"
            oldest = self.store.oldest_change()
            if applied < last and (oldest is None or oldest > applied + 1):
                self._rebuild_locked()
                return f"rebuilt (change log pruned past this index: applied {applied}, oldest kept {oldest})"
        self.drain(wait=True)  # notices a prune that happens in between, too
        expected = sum(self.store.published_counts().values())
        if self.index.doc_count() != expected:
            self.rebuild()
            return f"rebuilt (index had a different number of documents than the graph's {expected})"
        return "in sync"

    def prune_change_log(self, retention: Retention) -> PruneResult:
        """Prune the graph's change log (``schule.services.change_log``), stopping at the next
        batch once ``stop()`` was called. Run it after a drain, so this index is not the one that
        falls behind."""
        return prune_change_log(self.store, retention, checkpoint=self._check_stop)

    def close(self) -> None:
        self.index.close()
