"""The search index: a Whoosh index in a directory, derived from the graph and rebuildable at any time.

Layout: ``<path>/current`` is a symlink to ``<path>/gen-<n>``, the live Whoosh index. ``rebuild``
writes a new generation beside it and swaps the link atomically, so readers never see a half-built
index; every ``SearchIndex`` notices the swap on its next call. Writers take Whoosh's lock with a
timeout; readers never block (a searcher is cached and refreshed when the index changed). Each
generation records the analysis version that wrote it (``analysis_current``: a new analysis needs a
rebuild). Each document carries a fingerprint of everything written for it (``document_fingerprint``),
in a column beside its key, so that ``SearchSync.repair`` can find documents whose content differs
from what the graph renders now without reading their stored fields.

Ranking (``_rank``): Whoosh BM25F over title (x6), tags (x3.5), summary (x2), names of communes,
Kreise, regions and Handlungsfelder (x1.5) and text (x1); the alternatives of a query word (typos
0.15, compound parts 0.5, prefix expansions 0.5, ...) are built in ``plan.py``. When fewer than
``FILL_UP_BELOW`` documents have every word of a query of several words (or none has a single
word), ``auto`` fills up with documents that have any word, or any part of a compound or
hyphenated word, ranked below all documents with every word. Then the
graph-aware step, applied to the best ``RERANK_DEPTH`` text matches:

    score = bm25 * (1 + 0.06 * proven_status + 0.04 * min(adaptation_count, 3))

with ``proven_status`` = 1 for status ``operation``/``completed``, else 0, ``adaptation_count`` the
communes with a done adoption record (``services.search_documents``), so a proven solution gains at
most 18 %: enough to order near-equal text matches, never enough to lift a weak match over a much
better one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import shutil
import threading
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Existence
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from schule.search.analysis import ANALYSIS_VERSION, analyze_query, german_analyzer, spelling_analyzer
from schule.search.build import build_writer
from schule.search.documents import Hit, SearchDocument, SearchResults
from schule.search.engine import Engine, SegmentPostings, Unsupported, bitmap_of, decode_postings, first_docs
from schule.search.highlight import highlight
from schule.search.plan import FIELD_BOOSTS, Plan, Planner

__all__ = ["SearchIndex", "RERANK_DEPTH", "proof_factor", "document_fingerprint"]

RERANK_DEPTH = 100
# below this many documents with every word, documents with some of the words fill the page
FILL_UP_BELOW = 10
# Results kept per searcher (one index generation) for searches asked again: the same words, filters
# and page give the same answer until the index changes. Pages deeper than this are not kept.
RESULTS_KEPT = 512
RESULTS_KEPT_DEPTH = 100
RESULTS_KEPT_FACET_VALUES = 1_000  # not kept with more facet values (4,000 communes at 100k: ~0.5 MB each)
WRITE_TIMEOUT = 30.0
_FACET_FIELDS = {"kind": "kind", "handlungsfeld": "handlungsfeld", "commune": "commune",
                 "kreis": "kreis", "region": "region", "status": "status", "transfer": "transfer",
                 "standard": "standard"}
_SEP = "\x1f"
_ANALYSIS_FILE = "ANALYSIS_VERSION"
# the fields through which a document embeds other entities (``keys_embedding``)
_EMBEDDING_FIELDS = ("commune", "handlungsfeld", "related")
# kinds that ``similar`` returns for a document of a kind (``similarProjects`` shows projects; a lesson
# may point to other lessons and to projects); any other kind gets its own kind only
SIMILAR_KINDS = {"project": ("project",), "lesson": ("lesson", "project")}


def proof_factor(status: str | None, adaptation_count: int) -> float:
    """Multiplier of the graph-aware ranking step (see module docstring)."""
    proven = 1.0 if status in ("operation", "completed") else 0.0
    return 1.0 + 0.06 * proven + 0.04 * min(max(adaptation_count, 0), 3)


class _SpellWords(TEXT):
    """The spelling dictionary: which documents hold a surface word, nothing more (suggestions use its
    terms and document frequencies only), so no frequencies and no field lengths."""

    def __init__(self, analyzer: Any) -> None:
        super().__init__(analyzer=analyzer, phrase=False)
        self.format = Existence()
        self.scorable = False


def _schema() -> Schema:
    analyzer = german_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True),
        id=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True),
        tags=TEXT(analyzer=analyzer, stored=True),
        summary=TEXT(analyzer=analyzer, stored=True),
        names=TEXT(analyzer=analyzer),
        text=TEXT(analyzer=analyzer, stored=True),
        spell=_SpellWords(spelling_analyzer()),
        handlungsfeld=KEYWORD(stored=True, commas=True),
        commune=KEYWORD(stored=True, commas=True),
        kreis=KEYWORD(stored=True, commas=True),
        region=KEYWORD(stored=True, commas=True),
        status=ID(stored=True),
        transfer=KEYWORD(stored=True, commas=True),
        standard=KEYWORD(stored=True, commas=True),
        related=KEYWORD(stored=True, commas=True),
        # full precision only (no range queries on it): one posting per document instead of eight
        adaptation_count=NUMERIC(stored=True, shift_step=0),
        proof=STORED(),
        # "<key> <fingerprint>" per document: a column reads in one pass, stored fields one by one
        fingerprint=COLUMN(VarBytesColumn()),
    )


def _keywords(values: Iterable[str]) -> str:
    return ",".join(v.replace(",", " ").strip() for v in values if v and v.strip())


def _fields(doc: SearchDocument) -> dict[str, Any]:
    """What is written for ``doc``: its index fields and the column with its fingerprint."""
    fields = _index_fields(doc)
    fields["fingerprint"] = f"{doc.key} {_digest(fields)}".encode()
    return fields


def _digest(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def document_fingerprint(doc: SearchDocument) -> str:
    """A hash of everything the index writes for ``doc`` (not of the ``SearchDocument`` alone, so a
    change to how documents become index fields changes it too)."""
    return _digest(_index_fields(doc))


def _index_fields(doc: SearchDocument) -> dict[str, Any]:
    names = " ".join((*doc.commune_names, *doc.kreise, *doc.regions, *doc.handlungsfeld_names))
    return {
        "key": doc.key,
        "kind": doc.kind,
        "id": doc.id,
        "title": doc.title,
        "tags": _SEP.join(doc.tags),
        "summary": doc.summary,
        "names": names,
        "text": doc.text,
        # each whitespace-separated chunk once: the same set of words, fewer to tokenise
        "spell": " ".join(dict.fromkeys(" ".join((doc.title, " ".join(doc.tags), doc.summary, doc.text,
                                                   names)).split())),
        "handlungsfeld": _keywords(doc.handlungsfelder),
        "commune": _keywords(doc.communes),
        "kreis": _keywords(doc.kreise),
        "region": _keywords(doc.regions),
        "status": doc.status or "",
        "transfer": _keywords(doc.transfer),
        "standard": _keywords(doc.standards),
        "related": _keywords(doc.related_ids),
        "adaptation_count": int(doc.adaptation_count),
        "proof": proof_factor(doc.status, doc.adaptation_count),
    }


def _create_generation(gen: Path) -> whoosh_index.Index:
    """An empty Whoosh index in ``gen``, marked with the analysis version that writes it."""
    ix = whoosh_index.create_in(str(gen), _schema())
    (gen / _ANALYSIS_FILE).write_text(f"{ANALYSIS_VERSION}\n", "ascii")
    return ix


class _SegmentFacets:
    """Bitmaps of each facet value in one segment (segment docnums), by segment and field, shared by
    the searchers of one index. Deleted documents are included: an update deletes a document in an
    old segment without changing the segment, so ``_FacetCache`` applies the searcher's live
    documents instead. Entries of segments that are gone (merged) are dropped (``keep``)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], dict[str, int]] = {}
        self._lock = threading.Lock()  # searches run in several threads

    def of(self, sub: Any, fieldname: str) -> dict[str, int]:
        key = (sub._segid, fieldname)
        with self._lock:
            found = self._entries.get(key)
        if found is None:
            found = {}
            count = sub.doc_count_all()
            for btext in sub.lexicon(fieldname):
                value = btext.decode("utf-8")
                if value:
                    found[value] = bitmap_of(decode_postings(sub, fieldname, btext)[0], count)
            with self._lock:
                self._entries[key] = found
        return found

    def keep(self, segment_ids: set[str]) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] not in segment_ids]:
                del self._entries[key]


class _FacetCache:
    """Per-searcher bitmaps (Python ints) of the live documents that carry each facet value, put
    together from the segments' bitmaps (``_SegmentFacets``): after a write, only the new segment's
    are read. Reading all of them for every new searcher took 0.5 s at 10k documents, and the first
    search after a write (a moderator's, right after approving) waited for it."""

    def __init__(self, searcher: Searcher, segments: _SegmentFacets, live: int) -> None:
        leaves = searcher.reader().leaf_readers()
        segments.keep({sub._segid for sub, _ in leaves})
        self.bitmaps: dict[str, dict[str, int]] = {}
        for facet, fieldname in _FACET_FIELDS.items():
            values: dict[str, int] = {}
            for sub, offset in leaves:
                for value, bits in segments.of(sub, fieldname).items():
                    values[value] = values.get(value, 0) | bits << offset
            self.bitmaps[facet] = {value: bits & live for value, bits in values.items()}

    def counts(self, docs: int) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for facet, values in self.bitmaps.items():
            counted = [(value, (bitmap & docs).bit_count()) for value, bitmap in values.items()]
            out[facet] = sorted(((v, c) for v, c in counted if c), key=lambda vc: (-vc[1], vc[0]))
        return out


R = TypeVar("R")
_HAND_OVER_S = 0.002


def _reads(method: Callable[..., R]) -> Callable[..., R]:
    """A read of the index: it holds the index's read lock from start to end.

    A whoosh searcher's readers share file positions and per-segment state: two threads searching
    one searcher at once read each other's bytes (seen with 12 clients searching while entries were
    submitted: ``IndexError`` in a postings matcher, ``UnpicklingError`` in stored fields, and a
    moderator's review queue failed with them). Searching is pure Python and holds the GIL anyway,
    so taking turns costs latency only where two searches overlap, hardly any throughput."""

    @functools.wraps(method)
    def locked(self: SearchIndex, *args: Any, **kwargs: Any) -> R:
        if not self._read_lock.acquire(blocking=False):
            with self._count_lock:
                self._waiting += 1
            self._read_lock.acquire()
            with self._count_lock:
                self._waiting -= 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self._read_lock.release()

    return locked


class SearchIndex:
    """German full-text search over ``SearchDocument`` values (see module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        # held for a whole read (``_reads``): a whoosh searcher is not safe for two threads at once
        self._read_lock = threading.RLock()
        self._waiting = 0  # reads waiting for it (``warm`` lets them go first)
        self._count_lock = threading.Lock()
        self._target: str | None = None
        self._ix: whoosh_index.Index | None = None
        self._searcher: Searcher | None = None
        self._facets: tuple[Any, _FacetCache] | None = None
        self._engine: tuple[Any, Engine] | None = None
        # decoded postings by segment, kept across the searchers that writes open (engine.py)
        self._segment_postings = SegmentPostings()
        self._segment_facets = _SegmentFacets()
        self._generation = -1
        self._warmed: Searcher | None = None  # the searcher ``warm`` last finished
        self._kept: tuple[Searcher, OrderedDict[Any, SearchResults]] | None = None  # RESULTS_KEPT
        self.results_reused = 0  # searches answered from kept results (schule.metrics reports them)
        self.results_computed = 0
        self.rebuilds = 0  # full rebuilds through this object (schule.metrics reports them)
        self._reopen()

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> SearchIndex:
        """Open the index at ``path``, creating an empty one if there is none."""
        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        link = root / "current"
        if not link.exists():
            gen = root / f"gen-{uuid.uuid4().hex[:12]}"
            gen.mkdir()
            _create_generation(gen)
            tmp = root / f".current-{uuid.uuid4().hex}"
            os.symlink(gen.name, tmp)
            try:
                os.link(tmp, link, follow_symlinks=False)  # fails if another process won the race
            except FileExistsError:
                shutil.rmtree(gen, ignore_errors=True)
            finally:
                os.unlink(tmp)
        return cls(root)

    def _reopen(self) -> None:
        target = os.readlink(self.path / "current")
        if target == self._target and self._ix is not None:
            return
        # the old searcher is dropped, not closed: a thread in a ``_reads`` method may still hold it (the
        # garbage collector closes it when that read ends); writers reopen without the read lock
        self._forget_searcher()
        self._ix = whoosh_index.open_dir(str(self.path / target))
        self._target = target

    def _index(self) -> whoosh_index.Index:
        with self._lock:
            self._reopen()
            assert self._ix is not None
            return self._ix

    def _forget_searcher(self) -> None:
        self._searcher = None
        self._facets = None
        self._engine = None

    def _get_searcher(self) -> Searcher:
        """The searcher of the current index generation; only for ``_reads`` methods (the read lock)."""
        with self._lock:
            self._reopen()
            assert self._ix is not None
            generation = self._ix.latest_generation()
            if self._searcher is None or generation != self._generation:
                # a new searcher per index generation; the old one is left to the garbage collector
                # because another thread may still be reading from it
                self._searcher = self._ix.searcher(weighting=BM25F())
                self._generation = generation
                self._facets = None
                self._engine = None
            return self._searcher

    def _facet_cache(self, searcher: Searcher) -> _FacetCache:
        with self._lock:
            if self._facets is None or self._facets[0] is not searcher:
                live = self._engine_for(searcher).live
                self._facets = (searcher, _FacetCache(searcher, self._segment_facets, live))
            return self._facets[1]

    def _engine_for(self, searcher: Searcher) -> Engine:
        with self._lock:
            if self._engine is None or self._engine[0] is not searcher:
                self._engine = (searcher, Engine(searcher, self._segment_postings))
            return self._engine[1]

    def close(self) -> None:
        with self._read_lock, self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._forget_searcher()
            if self._ix is not None:
                self._ix.close()
            self._ix = None
            self._target = None

    @_reads
    def warm(self, stop: Callable[[], bool] = lambda: False) -> int:
        """Build the facet bitmaps and decode the index's largest postings lists before the first
        queries ask for them (``Engine.warm``); ``schule serve`` calls it after start and after index writes, so a
        user's first search of a frequent word does not pay the decoding. Postings decoded
        before a write stay cached by segment, so warming again after a write is quick.
        Returns the number of postings warmed."""

        def between_terms() -> bool:
            # warming 100k documents takes seconds: searches waiting for the read lock go in between
            # (this searcher stays usable; only what runs under the lock ever touches it). A release
            # alone does not hand over: the woken waiter also needs the GIL, and this thread, holding
            # it, would take the lock again first; sleeping gives the waiters the moment to take it.
            self._read_lock.release()
            try:
                if self._waiting:
                    time.sleep(_HAND_OVER_S)
                return stop()
            finally:
                self._read_lock.acquire()

        searcher = self._get_searcher()
        if searcher is self._warmed:
            # nothing new to warm: the drain applied changes that wrote no document (a member's
            # draft), so the index generation is the one warmed; walking its term dictionary again
            # cost ~7 % of the server's CPU under bench/load's 5 % writes
            return 0
        warmed = self._engine_for(searcher).warm(tuple(FIELD_BOOSTS), stop=between_terms)
        # one real query for what every query needs once per searcher: the facet bitmaps (read
        # per segment: ~1.3 s at 100k documents after a start, the new segment's after a write),
        # the status and adaptation inputs of the ranking, the stored-fields column and the
        # compound lexicon
        if not stop():
            self.search("Plattform")
            self._warmed = searcher
        return warmed

    def analysis_current(self) -> bool:
        """Whether the live index was built with this code's analysis (``ANALYSIS_VERSION``); if not,
        some words find nothing until ``rebuild``. An index from before the marker counts as 1."""
        with self._lock:
            self._reopen()
            marker = self.path / (self._target or "") / _ANALYSIS_FILE
        try:
            built = int(marker.read_text("ascii").strip())
        except FileNotFoundError:
            built = 1
        except ValueError:
            return False
        return built == ANALYSIS_VERSION

    @_reads
    def doc_count(self) -> int:
        return self._get_searcher().doc_count()

    def has_fingerprints(self) -> bool:
        """Whether the live index records document fingerprints (an index from before them does not)."""
        return "fingerprint" in self._index().schema

    @_reads
    def fingerprints(self) -> dict[str, str]:
        """The fingerprint of every document in the index, by key (empty without ``has_fingerprints``)."""
        searcher = self._get_searcher()
        out: dict[str, str] = {}
        if "fingerprint" not in searcher.schema or not searcher.doc_count_all():
            return out  # (an empty index has no segment, hence no column reader)
        for sub, _ in searcher.reader().leaf_readers():
            column = sub.column_reader("fingerprint")
            for docnum in sub.all_doc_ids():
                key, _, digest = column[docnum].decode().partition(" ")
                out[key] = digest
        return out

    @_reads
    def fingerprints_of(self, keys: Iterable[str]) -> dict[str, str]:
        """The fingerprints of the documents with these keys that are in the index."""
        searcher = self._get_searcher()
        out: dict[str, str] = {}
        if "fingerprint" not in searcher.schema:
            return out
        column = None
        for key in keys:
            docnum = searcher.document_number(key=key)
            if docnum is None:
                continue
            column = column or searcher.reader().column_reader("fingerprint")
            out[key] = column[docnum].decode().partition(" ")[2]
        return out

    @_reads
    def keys_embedding(self, ids: Iterable[str]) -> set[str]:
        """The keys of the documents that embed any of the entities ``ids``: name them as a commune, a
        Handlungsfeld (ancestors included) or a related entry (a lesson's project, a person's employer,
        adaptations). This is what the index holds now, so it includes documents whose relation to an
        entity is gone from the graph (an adaptation taken back, a sub-field moved elsewhere)."""
        terms = [wq.Term(field, i) for i in dict.fromkeys(ids) for field in _EMBEDDING_FIELDS]
        if not terms:
            return set()
        searcher = self._get_searcher()
        docnums = list(searcher.docs_for_query(wq.Or(terms)))
        if not docnums:
            return set()
        if "fingerprint" in searcher.schema:
            column = searcher.reader().column_reader("fingerprint")
            return {column[d].decode().partition(" ")[0] for d in docnums}
        return {searcher.stored_fields(d)["key"] for d in docnums}

    # ------------------------------------------------------------------- writing

    def upsert(self, docs: Iterable[SearchDocument]) -> int:
        """Add or replace documents (by kind and id); returns how many were written."""
        count = 0
        ix = self._index()
        # an index written before fingerprints existed has no column for them (repair rebuilds it)
        fingerprints = "fingerprint" in ix.schema
        writer = ix.writer(timeout=WRITE_TIMEOUT)
        try:
            for doc in docs:
                fields = _fields(doc)
                if not fingerprints:
                    del fields["fingerprint"]
                writer.update_document(**fields)
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return count

    def delete(self, keys: Iterable[str]) -> int:
        """Remove documents by ``doc_key``; returns how many were removed."""
        writer = self._index().writer(timeout=WRITE_TIMEOUT)
        try:
            removed = sum(writer.delete_by_term("key", key) for key in keys)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return removed

    def rebuild(self, docs: Iterable[SearchDocument], *, procs: int | None = None,
                limitmb: int = 256) -> int:
        """Build a fresh index from ``docs`` beside the live one and swap it in atomically.

        Uses up to two processes (``build.build_writer``: one segment per process, no
        final merge) and ``limitmb`` MB of pool per process; documents written to the old index
        while this runs are lost with it, so callers replay pending work afterwards.
        """
        procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        gen = self.path / f"gen-{uuid.uuid4().hex[:12]}"
        gen.mkdir()
        count = 0
        try:
            ix = _create_generation(gen)
            writer = build_writer(ix, procs=procs, limitmb=limitmb)
            try:
                for doc in docs:
                    writer.add_document(**_fields(doc))
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            ix.close()
            tmp = self.path / f".current-{uuid.uuid4().hex}"
            os.symlink(gen.name, tmp)
            os.replace(tmp, self.path / "current")
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        with self._lock:
            previous = self._target
            self._reopen()
        self._remove_old_generations(keep={gen.name, previous or ""})
        self.rebuilds += 1
        return count

    def _remove_old_generations(self, keep: set[str]) -> None:
        # the generation just replaced is kept (open readers elsewhere may still use it)
        for child in self.path.iterdir():
            if child.name.startswith("gen-") and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    # ------------------------------------------------------------------- queries

    def _plan(self, searcher: Searcher, text: str) -> Plan:
        return Planner(searcher.reader(), self._engine_for(searcher)).plan(text)

    @staticmethod
    def _filter_query(kinds: Sequence[str] | None, filters: dict[str, list[str]] | None) -> wq.Query | None:
        groups: list[wq.Query] = []
        if kinds:
            groups.append(wq.Or([wq.Term("kind", str(k)) for k in kinds]))
        for facet, values in (filters or {}).items():
            fieldname = _FACET_FIELDS.get(facet)
            if fieldname is None or not values:
                continue
            groups.append(wq.Or([wq.Term(fieldname, str(v)) for v in values]))
        if not groups:
            return None
        return wq.And(groups)

    def _filter_bits(self, searcher: Searcher, kinds: Sequence[str] | None,
                     filters: dict[str, list[str]] | None) -> int | None:
        """The documents passing the filters (AND across facets, OR within), or None for no filter."""
        groups: list[tuple[str, Sequence[str]]] = []
        if kinds:
            groups.append(("kind", kinds))
        for facet, values in (filters or {}).items():
            if facet in _FACET_FIELDS and values:
                groups.append((facet, values))
        if not groups:
            return None
        bitmaps = self._facet_cache(searcher).bitmaps
        bits: int | None = None
        for facet, wanted in groups:
            group = 0
            for value in wanted:
                group |= bitmaps[facet].get(str(value), 0)
            bits = group if bits is None else bits & group
        return bits

    @_reads
    def search(self, query: str, *, kinds: Sequence[str] | None = None,
               filters: dict[str, list[str]] | None = None, limit: int = 10, offset: int = 0,
               match: str = "auto", facets: bool = True) -> SearchResults:
        """Search for plain words (see ``query.py``); never raises on user text.

        ``facets=False`` leaves the facet counts out (empty): they AND a bitmap of every document with
        each facet value's, so they grow with values x documents (100,000 projects, 4,000 communes:
        ~0.3 s of CPU a search); ask for them only where they are shown.

        ``match``: ``"all"`` words, ``"any"`` word, or ``"auto"``: documents with all words first; when
        fewer than ``FILL_UP_BELOW`` have them all, documents with any word follow (ranked among
        themselves); a single word is loosened into its parts only when nothing has it whole.
        An empty query with filters lists the filtered documents.

        A search asked again before the index changes is answered from the results kept for this
        index generation (``RESULTS_KEPT``; the answer is the same): callers must not change them.
        """
        limit = max(0, min(int(limit), 1000))
        offset = max(0, int(offset))
        searcher = self._get_searcher()
        key = (query if isinstance(query, str) else "", tuple(kinds) if kinds else None,
               tuple(sorted((k, tuple(v)) for k, v in filters.items())) if filters else None,
               limit, offset, match, facets)
        if self._kept is None or self._kept[0] is not searcher:
            self._kept = (searcher, OrderedDict())  # a new index generation: nothing kept is true
        kept = self._kept[1]
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
            self.results_reused += 1
            return found
        self.results_computed += 1
        found = self._search(searcher, query, kinds, filters, limit, offset, match, facets)
        if offset + limit <= RESULTS_KEPT_DEPTH and sum(map(len, found.facets.values())) <= RESULTS_KEPT_FACET_VALUES:
            kept[key] = found
            if len(kept) > RESULTS_KEPT:
                kept.popitem(last=False)
        return found

    def _search(self, searcher: Searcher, query: str, kinds: Sequence[str] | None,
                filters: dict[str, list[str]] | None, limit: int, offset: int, match: str,
                facets: bool) -> SearchResults:
        plan = self._plan(searcher, query if isinstance(query, str) else "")
        filter_q = self._filter_query(kinds, filters)
        filter_bits = self._filter_bits(searcher, kinds, filters)
        if not plan.clauses:
            if filter_q is None:
                return SearchResults(0, [], {}, [])
            return self._run(searcher, wq.Every(), filter_q, filter_bits, plan, limit, offset, facets)
        if len(plan.clauses) == 1:
            text_q: wq.Query = plan.clauses[0]
        elif match == "any":
            text_q = wq.Or(plan.clauses)
        else:
            text_q = wq.And(plan.clauses)
        depth = max(RERANK_DEPTH, offset + limit)
        docs, ranked = self._match(searcher, text_q, filter_q, filter_bits, depth)
        strict_total = docs.bit_count()
        several_words = len(plan.clauses) > 1
        if match == "auto" and plan.can_loosen and (
                strict_total == 0 or several_words and strict_total < FILL_UP_BELOW):
            # Few documents have every word: the rest of the page comes from documents with any
            # word (or any part of a compound or hyphenated word), always after those with all.
            # One word alone is loosened into its parts only when nothing has it: any single part
            # of a compound is too weak to pad a page with.
            loose_docs, loose_ranked = self._match(searcher, wq.Or(plan.loose), filter_q, filter_bits, depth)
            ranked += [(docnum, score) for docnum, score in loose_ranked if not docs >> docnum & 1]
            docs |= loose_docs
        return self._results(searcher, docs, ranked, plan, limit, offset, few=strict_total < 3, facets=facets)

    def _run(self, searcher: Searcher, text_q: wq.Query, filter_q: wq.Query | None, filter_bits: int | None,
             plan: Plan, limit: int, offset: int, facets: bool = True) -> SearchResults:
        docs, ranked = self._match(searcher, text_q, filter_q, filter_bits, max(RERANK_DEPTH, offset + limit))
        return self._results(searcher, docs, ranked, plan, limit, offset, few=docs.bit_count() < 3, facets=facets)

    def _match(self, searcher: Searcher, text_q: wq.Query, filter_q: wq.Query | None, filter_bits: int | None,
               depth: int) -> tuple[int, list[tuple[int, float]]]:
        """The matching documents (a bitmap) and the best ``depth`` of them, ranked (``_rank``)."""
        engine = self._engine_for(searcher)
        try:
            if isinstance(text_q, wq.Every):
                docs = engine.live if filter_bits is None else engine.live & filter_bits
                top = [(docnum, 1.0) for docnum in first_docs(docs, depth)]
            else:
                docs, top = engine.run(text_q, filter_bits, depth)
        except Unsupported:  # phrases: Whoosh's matchers
            full_q = text_q if filter_q is None else wq.And([text_q, wq.ConstantScoreQuery(filter_q, 0.0)])
            docs = bitmap_of(searcher.docs_for_query(full_q), searcher.doc_count_all())
            top = [(hit.docnum, hit.score) for hit in searcher.search(full_q, limit=depth)] if docs else []
        return docs, self._rank(searcher, top)

    def _results(self, searcher: Searcher, docs: int, ranked: list[tuple[int, float]], plan: Plan,
                 limit: int, offset: int, *, few: bool, facets: bool = True) -> SearchResults:
        """One page of hits, the facets of all matching documents and, when ``few`` documents have
        every word, "Meinten Sie …?" suggestions."""
        total = docs.bit_count()
        counts = self._facet_cache(searcher).counts(docs) if total and facets else {}
        hits = [self._hit(searcher, docnum, score, plan.terms) for docnum, score in ranked[offset:offset + limit]]
        suggestions = self._suggest(searcher, plan) if few else []
        return SearchResults(total, hits, counts, suggestions)

    def _rank(self, searcher: Searcher, scored: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The graph-aware step (module docstring) with ``proof_factor`` from the status facet bitmaps and
        the adaptation_count postings instead of each document's stored fields."""
        statuses = self._facet_cache(searcher).bitmaps.get("status", {})
        proven_bits = statuses.get("operation", 0) | statuses.get("completed", 0)
        proven, adaptations = self._engine_for(searcher).proof_inputs(proven_bits)
        out = []
        for docnum, score in scored:
            is_proven = proven[docnum >> 3] >> (docnum & 7) & 1
            factor = 1.0 + 0.06 * is_proven + 0.04 * min(adaptations.get(docnum, 0), 3)
            out.append((docnum, (score or 0.0) * factor))
        out.sort(key=lambda ds: -ds[1])
        return out

    @staticmethod
    def _hit(searcher: Searcher, docnum: int, score: float, terms: frozenset[str]) -> Hit:
        stored = searcher.stored_fields(docnum)
        title = stored.get("title", "")
        highlights: list[str] = []
        highlights.extend(highlight(title, terms, width=300, fragments=1))
        for fieldname in ("summary", "text"):
            if len(highlights) >= 2:
                break
            highlights.extend(highlight(stored.get(fieldname, ""), terms, fragments=1))
        return Hit(stored["kind"], stored["id"], title, float(score), highlights)

    def _suggest(self, searcher: Searcher, plan: Plan) -> list[str]:
        """A corrected query made of real words seen in the corpus ("Meinten Sie …?")."""
        reader = searcher.reader()
        changed = False
        words: list[str] = []
        for part in plan.words:
            if part.phrase or part.prefix or len(part.text) < 4 or not part.text.isalpha():
                words.append(f'"{part.text}"' if part.phrase else part.text + ("*" if part.prefix else ""))
                continue
            lower = part.text.lower()
            stems = analyze_query(part.text)
            if stems and any(reader.doc_frequency(f, stems[0]) for f in FIELD_BOOSTS):
                words.append(part.text)  # a known word: nothing to correct
                continue
            best, best_df = None, 0
            for maxdist in (1, 2):
                for cand in reader.terms_within("spell", lower, maxdist, prefix=1):
                    df = reader.doc_frequency("spell", cand)
                    if cand != lower and df > best_df:
                        best, best_df = cand, df
                if best:
                    break
            if best is None:
                words.append(part.text)
                continue
            changed = True
            words.append(best.capitalize() if part.text[:1].isupper() else best)
        return [" ".join(words)] if changed else []

    # ---------------------------------------------------------------- similarity

    @staticmethod
    def _telling_terms(searcher: Searcher, text: str, min_frequency: int) -> list[wq.Query]:
        """Clauses for the 15 most telling words of ``text`` (tf-idf), over title, summary and text;
        words in fewer than ``min_frequency`` documents are left out."""
        reader = searcher.reader()
        n = max(reader.doc_count(), 1)
        tf = Counter(analyze_query(text))
        weighted = []
        for term, freq in tf.items():
            df = reader.doc_frequency("text", term) + reader.doc_frequency("title", term)
            if df < min_frequency or len(term) < 3:
                continue
            weighted.append((freq * math.log(1 + n / df), term))
        weighted.sort(reverse=True)
        return [wq.Or([wq.Term("title", term, boost=2.0), wq.Term("summary", term), wq.Term("text", term)],
                      boost=min(weight, 5.0)) for weight, term in weighted[:15]]

    @_reads
    def like_text(self, kind: str, text: str, limit: int = 5, exclude: str | None = None) -> list[Hit]:
        """Documents of ``kind`` whose words are most like ``text``: candidates for duplicates of an entry
        that is not in the index (a submission waiting for review), best first; ``exclude`` (an id) left out."""
        searcher = self._get_searcher()
        clauses = self._telling_terms(searcher, text, min_frequency=1)
        if not clauses:
            return []
        limit = max(0, min(int(limit), 1000))
        q = wq.And([wq.Or(clauses), wq.Term("kind", kind)])
        if exclude is not None:
            q = wq.AndNot(q, wq.Term("key", f"{kind}:{exclude}"))
        return [self._hit(searcher, hit.docnum, hit.score, frozenset()) for hit in searcher.search(q, limit=limit)]

    @_reads
    def similar(self, kind: str, id: str, limit: int = 5) -> list[Hit]:
        """More like this: the document's most telling words, plus shared Handlungsfelder and tags.

        Documents linked by adaptation (``related_ids`` of either side: this project adapted them or
        they adapted it) come first, then the rest by score. Only kinds that are comparable are returned
        (``SIMILAR_KINDS``: a project gets projects, never communes or organisations, whose short
        titles would otherwise match a project's place names)."""
        searcher = self._get_searcher()
        key = f"{kind}:{id}"
        docnum = searcher.document_number(key=key)
        if docnum is None:
            return []
        limit = max(0, min(int(limit), 1000))
        stored = searcher.stored_fields(docnum)
        text = " ".join((stored.get("title", ""), stored.get("tags", ""), stored.get("summary", ""),
                         stored.get("text", "")))
        # the document itself counts once in every term's frequency: a term only it has tells nothing
        clauses = self._telling_terms(searcher, text, min_frequency=2)
        for hf in filter(None, stored.get("handlungsfeld", "").split(",")):
            clauses.append(wq.Term("handlungsfeld", hf, boost=1.5))
        for tag in filter(None, stored.get("tags", "").split(_SEP)):
            clauses.append(wq.Or([wq.Term("tags", t, boost=1.0) for t in analyze_query(tag)]))
        # adaptation links, both directions: what this one names, and what names this one
        linked_keys = {f"{k}:{rel}" for rel in filter(None, stored.get("related", "").split(","))
                       for k in SIMILAR_KINDS.get(kind, (kind,))}
        linked = {d for d in (searcher.document_number(key=k) for k in linked_keys) if d is not None}
        linked.update(searcher.docs_for_query(wq.Term("related", id)))
        kinds = SIMILAR_KINDS.get(kind, (kind,))
        allowed = wq.Or([wq.Term("kind", k) for k in kinds])
        q = wq.AndNot(wq.And([wq.Or(clauses), allowed]) if clauses else allowed, wq.Term("key", key))
        linked.discard(docnum)
        linked = {d for d in linked if searcher.stored_fields(d).get("kind") in kinds}
        scores = {hit.docnum: hit.score for hit in searcher.search(q, limit=limit + len(linked))}
        first = sorted(linked, key=lambda d: (-scores.get(d, 0.0), d))
        rest = [d for d in sorted(scores, key=lambda d: -scores[d]) if d not in linked]
        return [self._hit(searcher, d, scores.get(d, 0.0), frozenset()) for d in (first + rest)[:limit]]
