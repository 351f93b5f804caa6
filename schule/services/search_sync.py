"""Keeping the search index in sync with the graph.

The graph is the source of truth. Every write appends ``Change`` entries to the graph's change log
in the same atomic unit as the change itself (``CypherGraphStore.upsert_statements``). Each search
index (one per app instance and data dir; several instances may follow one Neo4j) remembers the
last change it applied, in ``state.json`` beside it, and follows the log:

* ``drain()`` applies pending changes in order, idempotently (documents are replaced by key), and
  only then advances ``applied_seq``. A crash anywhere leaves the change pending, never lost: the
  next drain, by whichever process holds the drain lock, applies it again.
* Documents embed other entities (``search_documents``: a project its communes' names and Kreise and
  its Handlungsfelder with their parents, a lesson its project's title, a person their employer), so
  a change to one entity can change many documents. The follower expands each batch of changes to
  the documents that embed a changed entity and renders those again in the same step, before
  ``applied_seq`` advances. Which documents embed an entity, the index itself says: every embedded
  entity is named by id in a document's commune, Handlungsfeld (ancestors included) or related field
  (``SearchIndex.keys_embedding``, a postings lookup). We expand here rather than have writers log
  the dependents because (1) what a document embeds is the search's business, kept in one place, not
  every writer's; (2) renaming a commune with thousands of projects would otherwise write thousands
  of change entries in the user's transaction and push the log towards its retention cap; (3) the
  index knows what its documents embed *now*, so it also finds documents whose relation is gone from
  the graph (an adaptation taken back, a sub-field moved under another parent, a merged-away
  Handlungsfeld), which neither a graph query at drain time nor the writer could name. The expansion
  is bounded by the index (ids only) and rendered in chunks of ``BATCH`` into one index commit. An
  entity whose own document did not change is not expanded (what others embed of it is in its own
  document), and documents equal to the indexed ones are not written: re-importing unchanged
  communes costs a lookup, not a re-render of every project.
* ``repair()`` runs at start: a missing or foreign state, a log that went backwards (the graph
  was replaced), a log pruned past ``applied_seq`` or an index without document fingerprints means
  a full rebuild. Otherwise it compares every document's fingerprint (a hash of what was written for
  it, kept in the index) with the document the graph renders now, and writes just the documents that
  differ, drops those the graph does not have, or rebuilds if more than ``REPAIR_REBUILD_SHARE`` of
  them differ. The comparison reads the graph without holding the drain lock (searches and drains go
  on); the candidates are rendered and compared again under the lock before anything is written.
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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

from schule.gc_pause import gc_paused
from schule.search import SearchDocument, SearchIndex
from schule.search.index import document_fingerprint
from schule.services.change_log import PruneResult, Retention, prune_change_log
from schule.services.search_documents import DocumentBuilder
from schule.store.graph import CypherGraphStore

log = logging.getLogger("schule.search")
BATCH = 500
_LOCK_POLL_S = 0.02
# repair rewrites differing documents one by one up to this share of the index (at least
# REPAIR_REINDEX_MIN of them); beyond it a rebuild (two processes, a fresh index) is the cheaper way
REPAIR_REBUILD_SHARE = 0.1
REPAIR_REINDEX_MIN = 1000


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
        # Threads of this process queue here before the file lock: a waiting search wakes the moment
        # the drain ahead of it ends, instead of at its next poll of the file lock (bench/load: with
        # 5 % writes nearly every search found changes pending and polled behind another drain).
        self._local = threading.Lock()
        self._progress = threading.Condition()

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
        if not self._local.acquire(timeout=-1 if wait else max(0.0, wait_s)):
            yield False
            return
        held = False
        try:
            with self._file_lock(wait, deadline) as locked:
                held = locked
                yield locked
        finally:
            self._local.release()
            if held:  # a drain may have ended: the threads waiting in catch_up look again. Not after
                # a failed try: every waiter woke the others, which tried and woke them again, a
                # busy loop while another process drained (bench/load --workers 3: 14 % of the CPU)
                with self._progress:
                    self._progress.notify_all()

    @contextmanager
    def _file_lock(self, wait: bool, deadline: float) -> Iterator[bool]:
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
            return self._drain_locked()

    def catch_up(self, target: int, wait_s: float) -> None:
        """Return once the index has applied the log up to ``target`` (a search that must see the
        writes before it), or after ``wait_s`` seconds. If nobody drains, drain; if another thread
        or process does, wait for its progress rather than queue for the lock: every search waiting
        behind one drain wakes when it ends, and most then find their changes applied."""
        deadline = time.monotonic() + wait_s
        while True:
            applied = self.applied_seq()
            if applied is not None and applied >= target:
                return
            with self._drain_lock(False) as locked:
                if locked:
                    # the drain that held the lock may have applied our changes meanwhile: then
                    # there is nothing to do (seen under load: eight searches, four empty drains)
                    applied = self.applied_seq()
                    if applied is None or applied < target:
                        self._drain_locked()
                    return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            with self._progress:  # woken when a drain of this process ends; polls other processes'
                self._progress.wait(timeout=min(remaining, _LOCK_POLL_S))

    def _drain_locked(self) -> int:
        applied = self.applied_seq()
        if applied is None:
            return self._rebuild_locked()
        backlog = self.store.last_change() - applied
        # the index's size only when the backlog is large enough for it to matter: counting waits
        # for the index's read lock, behind the searches that may be waiting for this very drain
        if backlog > REPAIR_REINDEX_MIN and backlog > int(self.index.doc_count() * REPAIR_REBUILD_SHARE):
            # a bulk import: entry by entry, 290,000 changes took ~40 min (a render, lookups and an
            # index commit per batch of 500); a rebuild reads each kind once and writes one index
            log.info("search index is %d changes behind; rebuilding", backlog)
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
            self._apply([c.id for c in changes])
            applied = changes[-1].seq
            self._write_state(applied)
            done += len(changes)
            if len(changes) < BATCH:
                return done  # the log's end when we asked; what came since is the next drain's

    def _apply(self, ids: Sequence[str]) -> None:
        """Render the entities ``ids`` again and, for each whose own document changed (or is not in
        the index), every document that embeds it (module docstring); write what differs from the
        index, in one commit. A document equal to the indexed one is skipped, and so are the
        dependents of an entity whose document is unchanged: whatever other documents embed of an
        entity is part of its own document (a re-imported, unchanged commune costs nothing)."""
        changed = list(dict.fromkeys(ids))
        deletes: list[str] = []
        seen: set[str] = set()
        docs = list(self._render(changed, deletes, seen))
        indexed = self.index.fingerprints_of(d.key for d in docs) if docs else {}
        fresh = [d for d in docs if indexed.get(d.key) != document_fingerprint(d)]
        unchanged = {d.id for d in docs} - {d.id for d in fresh}
        embedding = {key.partition(":")[2]
                     for key in self.index.keys_embedding([i for i in changed if i not in unchanged])}
        dependents = self._differing(self._render(sorted(embedding - set(changed) - _ids_of(seen)),
                                                     deletes, seen))
        stream = chain(fresh, dependents)
        first = next(stream, None)
        if first is not None:
            self.index.upsert(chain([first], stream))
        if self.index.has_fingerprints():  # only keys the index has (a writer and a commit each)
            deletes = list(self.index.fingerprints_of(dict.fromkeys(deletes)))
        if deletes:
            self.index.delete(deletes)

    def _render(self, ids: Sequence[str], deletes: list[str], seen: set[str]) -> Iterator[SearchDocument]:
        """The documents of ``ids``, rendered ``BATCH`` ids at a time, each key once (one index writer
        must not add a key twice; ``seen`` holds the keys already yielded); keys of entities that are
        not (or no longer) published go to ``deletes``."""
        for start in range(0, len(ids), BATCH):
            self._check_stop()
            docs, gone = self.builder.for_ids(ids[start:start + BATCH])
            deletes.extend(gone)
            for doc in docs:
                if doc.key not in seen:
                    seen.add(doc.key)
                    yield doc

    def _differing(self, docs: Iterable[SearchDocument]) -> Iterator[SearchDocument]:
        """The documents whose content differs from what the index holds for them."""
        for doc in docs:
            if self.index.fingerprints_of([doc.key]).get(doc.key) != document_fingerprint(doc):
                yield doc

    def rebuild(self) -> int:
        """Full rebuild from the graph; returns the number of documents."""
        with self._drain_lock(wait=True):
            return self._rebuild_locked()

    def _rebuild_locked(self) -> int:
        while True:
            self._check_stop()
            start = self.store.last_change()
            with gc_paused():  # ~300,000 documents at 100,000 projects: half the CPU went to the collector
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
            if not self.index.has_fingerprints():
                self._rebuild_locked()
                return "rebuilt (index without document fingerprints, written by an older version)"
            oldest = self.store.oldest_change()
            if applied < last and (oldest is None or oldest > applied + 1):
                self._rebuild_locked()
                return f"rebuilt (change log pruned past this index: applied {applied}, oldest kept {oldest})"
        self.drain(wait=True)  # notices a prune that happens in between, too
        return self._compare_fingerprints()

    def _compare_fingerprints(self) -> str:
        """Every document against what the graph renders now (module docstring): first without the
        lock, then, for the candidates only, again under it before writing."""
        indexed = self.index.fingerprints()
        total = len(indexed)
        differing: list[str] = []
        for doc in self._until_stopped(self.builder.all()):
            if indexed.pop(doc.key, None) != document_fingerprint(doc):
                differing.append(doc.id)
        foreign = sorted(indexed)  # in the index, not rendered by the graph
        if not differing and not foreign:
            return "in sync"
        if len(differing) + len(foreign) > max(REPAIR_REINDEX_MIN, int(total * REPAIR_REBUILD_SHARE)):
            self.rebuild()
            return f"rebuilt ({len(differing) + len(foreign)} of {total} documents differed from the graph)"
        with self._drain_lock(wait=True):
            applied = self.applied_seq()
            if applied is None:
                self._rebuild_locked()
                return "rebuilt (no valid index state)"
            if self._apply_after(applied) is None:
                self._rebuild_locked()
                return f"rebuilt (change log pruned past this index: applied {applied})"
            current = self.index.fingerprints()
            deletes: list[str] = []
            candidates = [*differing, *(key.partition(":")[2] for key in foreign)]
            rendered = list(self._render(candidates, deletes, set()))
            stale = [d for d in rendered if current.get(d.key) != document_fingerprint(d)]
            keys = {d.key for d in rendered}
            gone = sorted({k for k in [*foreign, *deletes] if k in current and k not in keys})
            if stale:
                self.index.upsert(stale)
            if gone:
                self.index.delete(gone)
        done = []
        if stale:
            done.append(f"re-indexed {len(stale)} {_documents(len(stale))} whose content differed from the graph")
        if gone:
            done.append(f"removed {len(gone)} {_documents(len(gone))} the graph does not have")
        return "; ".join(done) or "in sync"  # the change log brought the candidates up to date meanwhile

    def prune_change_log(self, retention: Retention) -> PruneResult:
        """Prune the graph's change log (``schule.services.change_log``), stopping at the next
        batch once ``stop()`` was called. Run it after a drain, so this index is not the one that
        falls behind."""
        return prune_change_log(self.store, retention, checkpoint=self._check_stop)

    def close(self) -> None:
        self.index.close()


def _ids_of(keys: set[str]) -> set[str]:
    """The ids of document keys (``kind:id``)."""
    return {key.partition(":")[2] for key in keys}


def _documents(n: int) -> str:
    return "document" if n == 1 else "documents"
