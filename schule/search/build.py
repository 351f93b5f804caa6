"""Writers for a full rebuild: Whoosh's segment writers with cheaper lengths and cheaper spills.

A rebuild adds every document to a fresh index. Whoosh collects each document's postings in a
``PostingPool`` and, when the pool outgrows ``limitmb``, sorts it and spills it to a run file; at the
end it merges the runs. Stock Whoosh pickles every posting on its own and merges the runs posting by
posting in Python, which made a 100k rebuild take 141 s, of which ~55 s were spills and merging
(85 s with the whole pool in memory, but then each worker grew to ~2 GB). ``_BuildPool`` writes the
same runs in chunks and merges them a term at a time: 90 s with ~600 MB per worker.

The index on disk is exactly what Whoosh writes by default (same codec, same postings, same order);
only the temporary run files differ, and they never outlive the build.
"""

from __future__ import annotations

import heapq
import pickle
from collections.abc import Iterable, Iterator
from itertools import chain, groupby, islice
from operator import itemgetter
from typing import Any

import whoosh.writing
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, W3Segment, _lenfield
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

__all__ = ["build_writer"]

# postings per pickled chunk of a run file: one C-level pickle call per chunk instead of one per
# posting, while a reader holds one chunk per run in memory
_CHUNK = 20_000
# a posting is (fieldname, term bytes, docnum, weight, value bytes); runs are sorted by the whole tuple
_TERM = itemgetter(0, 1)
_GROUP_KEY = itemgetter(0)


class _BuildPool(PostingPool):
    """``PostingPool`` whose run files are chunked pickles and whose merge moves whole terms.

    Within one writer, documents get rising docnums and runs are spilled in that order, so for any
    term the postings of an earlier run all come before those of a later run. Merging therefore only
    has to order the terms: ``heapq.merge`` over (term, postings of that term in this run) groups,
    stable for equal terms, gives exactly the posting order of a posting-by-posting merge.
    """

    runs: list[str]
    current: list[tuple[Any, ...]]

    def _write_run(self, f: Any, items: Iterable[tuple[Any, ...]]) -> None:
        items = iter(items)
        try:
            while chunk := list(islice(items, _CHUNK)):
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        finally:
            f.close()

    def _read_run(self, path: str) -> Iterator[tuple[Any, ...]]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)  # noqa: S301 - our own run file, written by _write_run above
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)

    def items(self, maxfiles: int = 128) -> Any:
        if not self.runs:
            return sorted(self.current)
        if len(self.runs) >= maxfiles:
            # more runs than files to open at once (over 30 GB of postings per writer): Whoosh's own
            # reduce-then-merge, posting by posting, which does not depend on the order of the runs
            return super().items(maxfiles)
        self.current.sort()
        # the runs in spill order, then the postings still in memory, which were added last
        sources = [self._read_run(path) for path in self.runs] + [iter(self.current)]
        self.runs = []
        self.current = []
        groups = [((term, list(postings)) for term, postings in groupby(source, _TERM)) for source in sources]
        return chain.from_iterable(postings for _, postings in heapq.merge(*groups, key=_GROUP_KEY))


class _FastLengths(W3PerDocReader):
    """Per-document reader for flushing a new segment: Whoosh asks for the field length of every
    posting's document (block min/max lengths), several column lookups each; this reads each field's
    length column once into memory and answers from it."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._lengths: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        try:
            table = self._lengths[fieldname]
        except KeyError:
            table = self._load_lengths(fieldname)
        if table is None:
            return default
        return table[docnum]

    def _load_lengths(self, fieldname: str) -> list[int | None] | None:
        reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        table = None
        if reader is not None:
            table = [byte_to_length(b) if b else None for b in (reader[d] for d in range(self._doccount))]
        self._lengths[fieldname] = table
        return table


class _BuildCodec(W3Codec):
    """The default codec with ``_FastLengths`` for writing; the segments it makes record a plain
    ``W3Codec``, so the index on disk is exactly what Whoosh writes and reads by default."""

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        return W3Segment(W3Codec(), indexname)

    def per_document_reader(self, storage: Any, segment: Any) -> W3PerDocReader:
        return _FastLengths(storage, segment)


class _BuildWriter(SegmentWriter):
    """One process: a ``SegmentWriter`` with a ``_BuildPool`` (Whoosh ignores its ``poolclass``
    argument, so the pool is swapped right after construction, while it is still empty)."""

    def __init__(self, ix: Any, *, limitmb: int, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _BuildPool(self._tempstorage, self.newsegment, limitmb=limitmb)


class _BuildTask(SubWriterTask):
    """A worker process of ``_BuildMpWriter``. ``SubWriterTask.run`` constructs a plain
    ``SegmentWriter``, whose pool class is a module global of ``whoosh.writing``; this process exists
    only for this build, so it points that global at ``_BuildPool`` before running."""

    def run(self) -> None:
        whoosh.writing.PostingPool = _BuildPool
        super().run()


class _BuildMpWriter(MpWriter):
    """Whoosh's multiprocessing writer with ``_BuildTask`` workers."""

    def _new_task(self) -> _BuildTask:
        task = _BuildTask(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                          self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def build_writer(ix: Any, *, procs: int, limitmb: int) -> SegmentWriter:
    """A writer for filling the empty index ``ix``: ``procs`` worker processes, one segment each and no
    final merge (or this process alone when ``procs`` is 1), each pool spilling beyond ``limitmb`` MB."""
    if procs > 1:
        return _BuildMpWriter(ix, procs=procs, limitmb=limitmb, multisegment=True, batchsize=500,
                              codec=_BuildCodec())
    return _BuildWriter(ix, limitmb=limitmb, codec=_BuildCodec())
