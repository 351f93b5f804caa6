"""Fast evaluation of our term queries on a Whoosh index: bitmaps for the result set, BM25F in tight loops.

Whoosh's matchers spend several microseconds per posting in Python (one method call per document
and field clause, plus a heap for the top N). Our user queries are only ever ``Or``/``And`` trees of
``Term`` leaves (phrases and the "list everything" query still go through Whoosh), so this module
evaluates them over whole posting lists instead:

* **Result set**: every ``(field, term)`` leaf becomes a bitmap (a Python int, bit = docnum),
  ``Or`` is ``|``, ``And`` is ``&``. Totals and facet counts stay exact and cost a few popcounts.
* **Scores**: the same BM25F as ``whoosh.scoring.BM25F`` (B=0.75, K1=1.2, Whoosh's idf and average
  field length, boost = field boost x alternative weight), summed over the leaves a document matches.
  Leaves are scored in one loop over their decoded postings with a per-field length-norm table.
* **Broad queries** (the leaves' postings exceed ``EXACT_POSTINGS``): scoring every posting would
  cost ~0.3 us x postings, so each leaf keeps a *champion list* (its ``CHAMPIONS`` best documents by
  that leaf's score). Candidates are the union of the champion lists within the result set, each
  scored exactly on every leaf (bisect into the posting arrays). A document that is in no leaf's
  champion list is not ranked; for queries whose terms occur in most documents this changes the
  order far down the list only. Totals and facets remain exact.

Bitmaps and champion lists are cached per searcher (one view of the index). Decoded postings are
cached per segment (``SegmentPostings``, a bounded LRU shared by the searchers of one index): a
segment's postings never change (deletions only mark documents), so after a write, which adds a
small segment and opens a new searcher, only the new segment is decoded again. The first query for
a term pays the decoding (~1 us per posting), once per segment.
"""

from __future__ import annotations

import heapq
import re
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length, length_to_byte

__all__ = ["Engine", "SegmentPostings", "Unsupported", "EXACT_POSTINGS", "CHAMPIONS", "near_terms", "within"]

B = 0.75
K1 = 1.2
EXACT_POSTINGS = 60_000
CHAMPIONS = 200
CACHE_POSTINGS = 14_000_000  # decoded postings kept per searcher (8 bytes each)
SEGMENT_CACHE_POSTINGS = 14_000_000  # decoded postings kept per index, by segment
# ``Engine.warm``: the terms in at least WARM_MIN_DF documents (a query reads a word's lists in up to
# five fields and several segments), biggest first, up to WARM_POSTINGS postings (within both
# caches, so warming never evicts itself; ~100 MB each when full, at 100k documents)
WARM_MIN_DF = 2_000
WARM_POSTINGS = 12_000_000


class SegmentPostings:
    """Decoded postings of one segment's terms, by (segment id, field, term), shared by every
    ``Engine`` of one index; least recently used entries go first beyond ``limit`` postings."""

    def __init__(self, limit: int = SEGMENT_CACHE_POSTINGS) -> None:
        self.limit = limit
        self._entries: OrderedDict[tuple[str, str, bytes], tuple[array, array]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # searches run in several threads

    def get(self, key: tuple[str, str, bytes]) -> tuple[array, array] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[str, str, bytes], value: tuple[array, array]) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self._size += len(value[0])
            while self._size > self.limit and len(self._entries) > 1:
                _, (old, _w) = self._entries.popitem(last=False)
                self._size -= len(old)


def decode_postings(sub: Any, field: str, btext: bytes) -> tuple[array, array]:
    """A segment's postings of one term: local docnums (ascending) and term frequencies."""
    ids = array("i")
    weights = array("f")
    m = sub._terms.matcher(field, btext, sub.schema[field].format)
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        if m._weights is None:
            m._read_weights()
        ids.extend(m._ids)
        weights.extend(m._weights)
        if m._lastblock:
            break
        m._next_block()
    return ids, weights


class Unsupported(Exception):
    """The query has a node this engine does not evaluate (phrase, Every, ...): use Whoosh."""


class Leaf:
    __slots__ = ("field", "text", "boost")

    def __init__(self, field: str, text: str, boost: float) -> None:
        self.field, self.text, self.boost = field, text, boost


def _compile(q: wq.Query, boost: float, leaves: dict[tuple[str, str], float]) -> Any:
    """Turn a Whoosh query into ('leaf', key) / ('or', [...]) / ('and', [...]); collect leaf boosts."""
    if isinstance(q, wq.Term):
        key = (q.fieldname, q.text if isinstance(q.text, str) else q.text.decode("utf-8"))
        leaves[key] = leaves.get(key, 0.0) + boost * q.boost
        return ("leaf", key)
    if isinstance(q, wq.Or):
        return ("or", [_compile(s, boost * q.boost, leaves) for s in q.subqueries])
    if isinstance(q, wq.And):
        return ("and", [_compile(s, boost * q.boost, leaves) for s in q.subqueries])
    raise Unsupported(type(q).__name__)


class Engine:
    """Per-searcher state: lengths, live documents, caches (see module docstring)."""

    def __init__(self, searcher: Searcher, segments: SegmentPostings | None = None) -> None:
        self.searcher = searcher
        self.segments = segments if segments is not None else SegmentPostings()
        self.reader = searcher.reader()
        self.n = self.reader.doc_count_all()
        self.leaf_readers = self.reader.leaf_readers()
        live = (1 << self.n) - 1
        for sub, offset in self.leaf_readers:
            for d in sub.deleted_docs_set if sub.has_deletions() else ():
                live &= ~(1 << (offset + d))
        self.live = live
        self._lengths: dict[str, tuple[bytes, list[float]]] = {}
        self._postings: OrderedDict[tuple[str, str], tuple[array, array]] = OrderedDict()
        self._cached_postings = 0
        self._bitmaps: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._champions: dict[tuple[str, str], list[int]] = {}
        self._idf: dict[tuple[str, str], float] = {}
        self._dfs: dict[tuple[str, str], int] = {}
        self._proof: tuple[bytes, dict[int, int]] | None = None
        self._vocabulary: dict[tuple[tuple[str, ...], str], list[str]] = {}

    # ----------------------------------------------------------------- raw data

    def postings(self, key: tuple[str, str]) -> tuple[array, array]:
        """Docnums (ascending, global) and term frequencies of a leaf, deleted documents included."""
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        field, text = key
        btext = text.encode("latin-1") if field == "adaptation_count" else text.encode("utf-8")
        parts: list[tuple[int, tuple[array, array]]] = []
        for sub, offset in self.leaf_readers:
            if (field, btext) not in sub:
                continue
            segment_key = (sub._segid, field, btext)
            local = self.segments.get(segment_key)
            if local is None:
                local = decode_postings(sub, field, btext)
                self.segments.put(segment_key, local)
            parts.append((offset, local))
        if len(parts) == 1 and parts[0][0] == 0:
            ids, weights = parts[0][1]  # one segment at the start: shared with the segment cache, not copied
        else:
            ids, weights = array("i"), array("f")
            for offset, (local_ids, local_weights) in parts:
                ids.extend(array("i", [i + offset for i in local_ids]) if offset else local_ids)
                weights.extend(local_weights)
        self._postings[key] = (ids, weights)
        self._cached_postings += len(ids)
        while self._cached_postings > CACHE_POSTINGS and len(self._postings) > 1:
            _, (old, _w) = self._postings.popitem(last=False)
            self._cached_postings -= len(old)
        return ids, weights

    def doc_frequency(self, key: tuple[str, str]) -> int:
        """Whoosh's document frequency of a leaf (deleted documents included), cached: each lookup
        searches every segment's term table (~15 us), and planning asks for the same few terms often."""
        df = self._dfs.get(key)
        if df is None:
            if len(self._dfs) > 100_000:
                self._dfs.clear()
            df = self._dfs[key] = self.reader.doc_frequency(*key)
        return df

    def bitmap(self, key: tuple[str, str]) -> int:
        cached = self._bitmaps.get(key)
        if cached is not None:
            self._bitmaps.move_to_end(key)
            return cached
        ids, _ = self.postings(key)
        bits = bitmap_of(ids, self.n)
        self._bitmaps[key] = bits
        if len(self._bitmaps) > 2000:
            self._bitmaps.popitem(last=False)
        return bits

    def _norms(self, field: str) -> tuple[bytes, list[float]]:
        """Per-document length bytes of ``field`` and the BM25 denominator term for each byte."""
        cached = self._lengths.get(field)
        if cached is not None:
            return cached
        parts = []
        for sub, _offset in self.leaf_readers:
            count = sub.doc_count_all()
            raw = b""
            try:
                col = sub._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
                if col is not None:
                    raw = col._dbfile.get(col._basepos, min(col._count, count))
            except Exception:  # noqa: BLE001 (unknown layout: fall back to the public API)
                raw = bytes(_length_byte(sub.doc_field_length(d, field, 0)) for d in range(count))
            parts.append(raw + bytes(count - len(raw)))
        lengths = b"".join(parts)
        avgfl = self.searcher.avg_field_length(field) or 1
        norm = [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(256)]
        self._lengths[field] = (lengths, norm)
        return lengths, norm

    def idf(self, key: tuple[str, str]) -> float:
        v = self._idf.get(key)
        if v is None:
            v = self._idf[key] = self.searcher.idf(*key)
        return v

    def proof_inputs(self, proven: int) -> tuple[bytes, dict[int, int]]:
        """Packed bits of the proven documents (``proven``, from the status facet) and the non-zero
        adaptation counts by docnum, read once per searcher from the ``adaptation_count`` postings."""
        if self._proof is None:
            counts: dict[int, int] = {}
            field = self.searcher.schema["adaptation_count"]
            for btext in field.sortable_terms(self.reader, "adaptation_count"):
                value = int(field.from_bytes(btext))
                if value <= 0:
                    continue
                ids, _ = self.postings(("adaptation_count", btext.decode("latin-1")))
                for d in ids:
                    counts[d] = value
            self._proof = ((proven & self.live).to_bytes((self.n >> 3) + 1, "little"), counts)
        return self._proof

    def terms_within(self, fields: tuple[str, ...], text: str, maxdist: int) -> list[str]:
        """Terms of any of ``fields`` within ``maxdist`` Damerau-Levenshtein edits of ``text`` that share
        its first letter (as Whoosh's ``terms_within(prefix=1)``, which compares every term with that
        letter, ~50 us each). The fields' terms with that letter are read once per searcher into one
        sorted list, which ``near_terms`` walks like a trie."""
        if not text:
            return []
        key = (fields, text[0])
        terms = self._vocabulary.get(key)
        if terms is None:
            unique: set[str] = set()
            for field in fields:
                unique.update(btext.decode("utf-8") for btext in self.reader.expand_prefix(field, text[0]))
            terms = sorted(unique)
            if len(self._vocabulary) > 500:
                self._vocabulary.clear()
            self._vocabulary[key] = terms
        return near_terms(terms, text, maxdist)

    # ------------------------------------------------------------------- evaluation

    def docset(self, node: Any) -> int:
        kind, arg = node
        if kind == "leaf":
            return self.bitmap(arg)
        bits = [self.docset(child) for child in arg]
        if not bits:
            return 0
        out = bits[0]
        if kind == "or":
            for b in bits[1:]:
                out |= b
        else:
            for b in bits[1:]:
                out &= b
        return out

    def _score_all(self, key: tuple[str, str], boost: float, acc: list[float], member: bytes | None = None) -> None:
        """Adds this leaf's BM25 score to ``acc[docnum]`` for the documents it is in: all of them, or
        with ``member`` (a bitmap's bytes) those in it. A list indexed by docnum is faster than a
        dict; the bit test per posting pays only when most postings are not wanted (``run``)."""
        ids, weights = self.postings(key)
        lengths, norm = self._norms(key[0])
        c = boost * self.idf(key) * (K1 + 1)
        if member is None:
            for d, tf in zip(ids, weights, strict=True):
                acc[d] += c * tf / (tf + norm[lengths[d]])
        else:
            for d, tf in zip(ids, weights, strict=True):
                if member[d >> 3] >> (d & 7) & 1:
                    acc[d] += c * tf / (tf + norm[lengths[d]])

    def warm(self, fields: Sequence[str], budget: int = WARM_POSTINGS, min_df: int = WARM_MIN_DF,
             stop: Callable[[], bool] = lambda: False) -> int:
        """Decode the largest postings lists of ``fields`` ahead of queries (biggest first, at most
        ``budget`` postings), with their bitmaps, norms and champion lists. A cold list costs
        about 1-2 us per posting at its first query: 150 ms for a term in most of 100k documents.
        Small lists are left alone: they decode quickly when asked for. Returns the postings
        warmed; ``stop`` is asked between terms."""
        candidates: list[tuple[int, str, str]] = []
        for field in fields:  # one pass over the term dictionary: ~0.1 s at 100k documents
            for btext, info in self.reader.iter_field(field):
                df = info.doc_frequency()
                if df >= min_df:
                    text = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
                    candidates.append((df, field, text))
        candidates.sort(reverse=True)
        warmed = 0
        for df, field, text in candidates:
            if warmed + df > budget or stop():
                break
            self.bitmap((field, text))
            self.champions((field, text))
            warmed += df
        return warmed

    def champions(self, key: tuple[str, str]) -> list[int]:
        """The ``CHAMPIONS`` live documents with the highest score for this leaf alone."""
        cached = self._champions.get(key)
        if cached is not None:
            return cached
        acc = [0.0] * self.n
        self._score_all(key, 1.0, acc)
        ids, _ = self.postings(key)
        live = self.live
        best = heapq.nlargest(CHAMPIONS * 2, zip(ids, map(acc.__getitem__, ids), strict=True), key=itemgetter(1))
        champs = [d for d, _ in best if live >> d & 1][:CHAMPIONS]
        if len(self._champions) > 2000:
            self._champions.clear()
        self._champions[key] = champs
        return champs

    def _score_candidates(self, leaves: dict[tuple[str, str], float], candidates: Iterable[int]
                          ) -> dict[int, float]:
        docs = sorted(candidates)
        acc = dict.fromkeys(docs, 0.0)
        for key, boost in leaves.items():
            ids, weights = self.postings(key)
            if not ids:
                continue
            lengths, norm = self._norms(key[0])
            c = boost * self.idf(key) * (K1 + 1)
            lo, hi = 0, len(ids)
            for d in docs:
                i = bisect_left(ids, d, lo, hi)
                if i == hi:
                    break
                lo = i
                if ids[i] == d:
                    tf = weights[i]
                    acc[d] += c * tf / (tf + norm[lengths[d]])
        return acc

    def run(self, q: wq.Query, filter_bits: int | None, depth: int) -> tuple[int, list[tuple[int, float]]]:
        """The result set (bitmap) and the best ``depth`` (docnum, score) of a Term/Or/And query."""
        leaves: dict[tuple[str, str], float] = {}
        tree = _compile(q, 1.0, leaves)
        docs = self.docset(tree) & self.live
        if filter_bits is not None:
            docs &= filter_bits
        if not docs:
            return 0, []
        volume = sum(self.doc_frequency(k) for k in leaves)
        if volume <= EXACT_POSTINGS:
            acc = [0.0] * self.n
            # few of the postings wanted (an AND, a filter): test each; else score all, read the wanted
            member = docs.to_bytes((self.n >> 3) + 1, "little") if docs.bit_count() * 4 < volume else None
            for key, boost in leaves.items():
                self._score_all(key, boost, acc, member)
            order = bit_positions(docs)  # of equal scores, the lowest docnum first (nlargest keeps the first)
            return docs, heapq.nlargest(depth, zip(order, map(acc.__getitem__, order), strict=True), key=itemgetter(1))
        candidates: set[int] = set()
        for key in leaves:
            candidates.update(d for d in self.champions(key) if docs >> d & 1)
        if len(candidates) < depth:
            candidates.update(_first_bits(docs, depth - len(candidates), exclude=candidates))
        scored = self._score_candidates(leaves, candidates)
        return docs, heapq.nlargest(depth, scored.items(), key=itemgetter(1))


def near_terms(terms: Sequence[str], text: str, maxdist: int) -> list[str]:
    """The members of the sorted ``terms`` within ``maxdist`` Damerau-Levenshtein edits of ``text``
    (adjacent transpositions count one, as Whoosh's ``distance``).

    One row of the distance matrix per character of a term, computed only in the band of width
    ``2 * maxdist + 1``. Sorted terms share their prefixes with their neighbours, so the rows of the
    common prefix are reused, and once a prefix's row has no cell within ``maxdist`` (or the prefix is
    longer than ``text`` plus ``maxdist``), every term with that prefix is skipped at once."""
    n = len(text)
    big = maxdist + 1
    rows: list[list[int]] = [[j if j <= maxdist else big for j in range(n + 1)]]
    path = ""  # the prefix that ``rows`` describe: rows[i] is the row of path[:i]
    out: list[str] = []
    i, count = 0, len(terms)
    while i < count:
        term = terms[i]
        common = 0
        limit = min(len(path), len(term))
        while common < limit and path[common] == term[common]:
            common += 1
        del rows[common + 1:]
        path = term[:common]
        dead = ""
        for d in range(common, len(term)):
            if d + 1 > n + maxdist:
                dead = term[:d + 1]  # too long, whatever follows
                break
            ch = term[d]
            prev = rows[d]
            row = [big] * (n + 1)
            if d + 1 <= maxdist:
                row[0] = d + 1
            best = row[0]
            for j in range(max(1, d + 1 - maxdist), min(n, d + 1 + maxdist) + 1):
                cost = 0 if ch == text[j - 1] else 1
                v = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
                if cost and d and j > 1 and ch == text[j - 2] and term[d - 1] == text[j - 1]:
                    v = min(v, rows[d - 1][j - 2] + 1)
                if v > big:
                    v = big
                row[j] = v
                if v < best:
                    best = v
            rows.append(row)
            path = term[:d + 1]
            if best > maxdist:
                dead = path
                break
        if dead:
            i = bisect_left(terms, dead + "\U0010ffff", i + 1)
            continue
        if rows[len(term)][n] <= maxdist:
            out.append(term)
        i += 1
    return out


def within(a: str, b: str, maxdist: int) -> bool:
    """Whether the Damerau-Levenshtein distance (adjacent transpositions count one, as Whoosh's
    ``distance``) of ``a`` and ``b`` is at most ``maxdist``."""
    if abs(len(a) - len(b)) > maxdist:
        return False
    start, end_a, end_b = 0, len(a), len(b)
    while start < end_a and start < end_b and a[start] == b[start]:
        start += 1
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if not a or not b:
        return max(len(a), len(b)) <= maxdist
    # rows of the distance matrix, only the band |i - j| <= maxdist (cells outside it exceed maxdist);
    # a row whose minimum exceeds maxdist cannot lead back under it
    big = maxdist + 1
    n = len(b)
    two_ago: list[int] = []
    one_ago = [j if j <= maxdist else big for j in range(n + 1)]
    for i in range(1, len(a) + 1):
        row = [big] * (n + 1)
        if i <= maxdist:
            row[0] = i
        ca = a[i - 1]
        lo = max(1, i - maxdist)
        hi = min(n, i + maxdist)
        best = row[0]
        for j in range(lo, hi + 1):
            cost = 0 if ca == b[j - 1] else 1
            v = min(one_ago[j] + 1, row[j - 1] + 1, one_ago[j - 1] + cost)
            if cost and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, two_ago[j - 2] + 1)
            if v > big:
                v = big
            row[j] = v
            if v < best:
                best = v
        if best > maxdist:
            return False
        two_ago, one_ago = one_ago, row
    return one_ago[n] <= maxdist


def _first_bits(bits: int, count: int, exclude: set[int]) -> list[int]:
    """Up to ``count`` set bits of ``bits`` (lowest first) that are not in ``exclude``."""
    out: list[int] = []
    while bits and len(out) < count:
        low = bits & -bits
        d = low.bit_length() - 1
        if d not in exclude:
            out.append(d)
        bits ^= low
    return out


def bitmap_of(docnums: Iterable[int], count: int) -> int:
    """The docnums (each below ``count``) as the bits of a Python int."""
    buf = bytearray((count >> 3) + 1)
    for d in docnums:
        buf[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buf, "little")


_NONZERO_BYTES = re.compile(rb"[^\x00]+")
_BITS_OF_BYTE = tuple(tuple(i for i in range(8) if byte >> i & 1) for byte in range(256))


def bit_positions(bits: int) -> list[int]:
    """All set bits of ``bits``, lowest first: the runs of non-zero bytes are found at C speed, and
    each byte's bits come from a table (~50 ns per bit where ``_first_bits`` takes a big-integer
    operation per bit)."""
    out: list[int] = []
    data = bits.to_bytes((bits.bit_length() >> 3) + 1, "little")
    for run in _NONZERO_BYTES.finditer(data):
        base = run.start() << 3
        for byte in run.group():
            out += [base + j for j in _BITS_OF_BYTE[byte]]
            base += 8
    return out


def first_docs(bits: int, count: int) -> list[int]:
    return _first_bits(bits, count, set())


def _length_byte(length: int) -> int:
    return length_to_byte(length or 0)
