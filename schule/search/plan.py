"""From user text to a query over the text fields: for every query word, the alternatives that may
match it, each ``Term`` leaf weighted by its field boost times the alternative's weight.

* the word itself (folded, stemmed): weight 1 in every field (``FIELD_BOOSTS``);
* typos (``FUZZY_WEIGHT``), only when the word itself is rare (fewer than ``FEW_HITS`` postings in
  the text fields, so a real word is not "corrected"): index terms within 1 edit (5-7 letters) or 2 edits
  (8 or more) of the word's term, *and* the terms of surface words within as many edits of the word
  as typed. The second catches typos that the stemmer treats differently from the word they
  distort ("Beleuchtnug" keeps its ending, "Beleuchtung" loses it: 3 edits apart as stems, 1 as
  typed);
* a compound the index does not hold as a whole (fewer than ``FEW_HITS`` documents have it, nor a
  near spelling of it, which would make it a typo): all of its parts, split by the same lexicon as
  at index time ("Mobilitätsdatenplattform": Mobilität, Daten, Plattform), ``DECOMPOUND_WEIGHT``.
  A document that has the whole word has its parts too (the index adds them), so it keeps ranking
  above one that has only the parts. Cheap unless it is needed: a few document frequencies, and the
  parts' postings only for such words;
* a hyphenated word: the joined word, or all of its pieces;
* E- for Elektro- (weight 1): "E-Auto" also looks for "Elektroauto", "Elektromobilität" for
  "E-Mobilität" (the index holds the joined "emobilitat");
* abbreviations (``data/synonyms.txt``, ``SYNONYM_WEIGHT`` shared by the words of a member): a query
  word or run of words that is a member of a group ("KI", "künstliche Intelligenz") also finds every
  other member;
* a prefix (``Daten*``): the terms it expands to (``PREFIX_WEIGHT``) and the word itself.

``Plan.clauses`` need all words; ``Plan.loose`` is the same words with a compound's parts and a
hyphenated word's pieces needed only one at a time, for the fallback when all words find nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from whoosh import query as wq
from whoosh.reading import IndexReader

from schule.search.analysis import analyze_query, compound_parts
from schule.search.engine import Engine
from schule.search.folding import fold
from schule.search.query import QueryPart, parse_user_query

__all__ = ["Plan", "Planner", "FIELD_BOOSTS", "FUZZY_WEIGHT", "PREFIX_WEIGHT", "DECOMPOUND_WEIGHT",
           "SYNONYM_WEIGHT", "FEW_HITS", "synonym_groups"]

FIELD_BOOSTS = {"title": 6.0, "tags": 3.5, "summary": 2.0, "names": 1.5, "text": 1.0}
FUZZY_WEIGHT = 0.15
PREFIX_WEIGHT = 0.5
DECOMPOUND_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.8
FEW_HITS = 3
MAX_FUZZY_TERMS = 6
MAX_PREFIX_TERMS = 40
_TEXT_FIELDS = tuple(FIELD_BOOSTS)
_PIECE = re.compile(r"\w+")
_MAX_SYNONYM_WORDS = 5
_Terms = tuple[str, ...]


@dataclass
class Plan:
    """The query built from user text (module docstring) and the terms that may be highlighted."""

    clauses: list[wq.Query]
    loose: list[wq.Query]
    terms: frozenset[str]
    words: list[QueryPart]

    @property
    def can_loosen(self) -> bool:
        """Whether ``loose`` can find more than ``clauses``: several words, or parts of one."""
        return len(self.clauses) > 1 or self.loose != self.clauses


def _fields(term: str, weight: float = 1.0) -> list[wq.Query]:
    return [wq.Term(f, term, boost=b * weight) for f, b in FIELD_BOOSTS.items()]


def _word_terms(text: str) -> _Terms:
    """One term per word of ``text`` (a hyphenated word gives its joined form; stop words none)."""
    return tuple(terms[0] for word in text.split() if (terms := analyze_query(word)))


@lru_cache(maxsize=1)
def synonym_groups() -> dict[_Terms, tuple[_Terms, ...]]:
    """The terms of each member of ``data/synonyms.txt`` -> the terms of the other members."""
    text = resources.files("schule.search.data").joinpath("synonyms.txt").read_text("utf-8")
    out: dict[_Terms, tuple[_Terms, ...]] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        members = [t for t in (_word_terms(m) for m in line.split("|")) if t]
        for member in members:
            others = tuple(m for m in members if m != member)
            out[member] = tuple(dict.fromkeys((*out.get(member, ()), *others)))
    return out


def _elektro(surface: str) -> str | None:
    """The term of the other spelling of an E-/Elektro- word ("E-Auto" <-> "Elektroauto"), if any."""
    pieces = _PIECE.findall(fold(surface.lower()))
    if len(pieces) > 1 and pieces[0] == "e":
        other = "elektro" + "".join(pieces[1:])
    elif len(pieces) == 1 and pieces[0].startswith("elektro") and len(pieces[0]) >= 10:
        other = "e" + pieces[0][7:]
    else:
        return None
    terms = analyze_query(other)
    return terms[0] if terms else None


class Planner:
    """Builds ``Plan`` objects against one searcher's reader (term statistics, vocabulary)."""

    def __init__(self, reader: IndexReader, engine: Engine) -> None:
        self.reader = reader
        self.engine = engine

    def plan(self, text: str) -> Plan:
        parts = parse_user_query(text)
        terms: set[str] = set()
        clauses: list[wq.Query] = []
        loose: list[wq.Query] = []
        keys = [() if p.prefix else _word_terms(p.text) for p in parts]
        groups = synonym_groups()
        i = 0
        while i < len(parts):
            end, others = self._synonym_span(keys, i, groups)
            built = [b for b in (self._word(p, terms) for p in parts[i:end]) if b is not None]
            i = end
            if not built:
                continue
            strict = built[0][0] if len(built) == 1 else wq.And([b[0] for b in built])
            relaxed = built[0][1] if len(built) == 1 else wq.Or([b[1] for b in built])
            if others:
                synonyms = [self._synonym(member, terms) for member in others]
                strict, relaxed = wq.Or([strict, *synonyms]), wq.Or([relaxed, *synonyms])
            clauses.append(strict)
            loose.append(relaxed)
        return Plan(clauses, loose, frozenset(terms), parts)

    @staticmethod
    def _synonym_span(keys: list[_Terms], start: int, groups: dict[_Terms, tuple[_Terms, ...]]
                      ) -> tuple[int, tuple[_Terms, ...]]:
        """The end of the longest run of query parts from ``start`` that is a synonym group member,
        and the other members; ``(start + 1, ())`` when there is none."""
        if keys[start]:
            for end in range(min(len(keys), start + _MAX_SYNONYM_WORDS), start, -1):
                if keys[end - 1]:
                    others = groups.get(tuple(t for k in keys[start:end] for t in k))
                    if others:
                        return end, others
        return start + 1, ()

    @staticmethod
    def _synonym(member: _Terms, terms: set[str]) -> wq.Query:
        """A member stands for one unit of the query: its words share ``SYNONYM_WEIGHT``."""
        terms.update(member)
        weight = SYNONYM_WEIGHT / len(member)
        if len(member) == 1:
            return wq.Or(_fields(member[0], weight))
        return wq.And([wq.Or(_fields(t, weight)) for t in member])

    # ------------------------------------------------------------------ words

    def _word(self, part: QueryPart, terms: set[str]) -> tuple[wq.Query, wq.Query] | None:
        """(strict, loose) clause of one query part, or None when nothing of it is searchable."""
        if part.phrase:
            words = analyze_query(part.text)
            if not words:
                return None
            terms.update(words)
            if len(words) == 1:
                single = wq.Or(_fields(words[0]))
                return single, single
            phrase = wq.Or([wq.Phrase(f, words, slop=2, boost=b) for f, b in FIELD_BOOSTS.items()
                            if f != "names"])
            return phrase, phrase
        if part.prefix:
            prefix = self._prefix(part.text, terms)
            return (prefix, prefix) if prefix is not None else None
        surfaces = _PIECE.findall(part.text)
        pieces = [(p, s[0]) for p in surfaces if (s := analyze_query(p))]
        if not pieces:
            return None
        if len(surfaces) == 1:
            return self._single(pieces[0][1], pieces[0][0], terms)
        # a hyphenated word: the joined form, or all of its pieces
        joined = analyze_query(part.text)[0]
        terms.add(joined)
        whole, _ = self._alternatives(joined, part.text, terms)
        built = [self._single(term, surface, terms) for surface, term in pieces]
        return (wq.Or([*whole, wq.And([strict for strict, _ in built])]),
                wq.Or([*whole, wq.Or([loose for _, loose in built])]))

    def _single(self, term: str, surface: str, terms: set[str]) -> tuple[wq.Query, wq.Query]:
        terms.add(term)
        alts, typo_docs = self._alternatives(term, surface, terms)
        # a word with near spellings in enough documents is taken for a typo, not split
        parts = self._parts(term, surface) if typo_docs < FEW_HITS else []
        if not parts:
            single = wq.Or(alts)
            return single, single
        terms.update(parts)
        leaves = [wq.Or(_fields(p, DECOMPOUND_WEIGHT)) for p in parts]
        return wq.Or([*alts, wq.And(leaves)]), wq.Or([*alts, wq.Or(leaves)])

    def _prefix(self, text: str, terms: set[str]) -> wq.Query | None:
        stem = fold(text.lower())
        alts: list[wq.Query] = []
        for f, b in FIELD_BOOSTS.items():
            expanded = []
            for btext in self.reader.expand_prefix(f, stem):
                expanded.append(btext.decode("utf-8"))
                if len(expanded) >= MAX_PREFIX_TERMS:
                    break
            terms.update(expanded)
            alts.extend(wq.Term(f, t, boost=b * PREFIX_WEIGHT) for t in expanded)
        exact = analyze_query(text)
        terms.update(exact)
        alts.extend(wq.Term(f, t, boost=b) for t in exact for f, b in FIELD_BOOSTS.items())
        return wq.Or(alts) if alts else None

    # ----------------------------------------------------------- alternatives

    def _alternatives(self, term: str, surface: str, terms: set[str]) -> tuple[list[wq.Query], int]:
        """The term in every field, plus typo alternatives when it is rare; and at least how many
        documents the typo alternatives find."""
        alts = _fields(term)
        typo_docs = 0
        other = _elektro(surface)
        if other and other != term:
            terms.add(other)
            alts.extend(_fields(other))
        length = len(fold(surface.lower()))
        if term.isalpha() and length >= 5:
            maxdist = 2 if length >= 8 else 1
            for candidate in self._fuzzy_candidates(term, surface.lower(), maxdist):
                terms.add(candidate)
                alts.extend(_fields(candidate, FUZZY_WEIGHT))
                typo_docs += max(self.engine.doc_frequency((f, candidate)) for f in FIELD_BOOSTS)
        return alts, typo_docs

    def _fuzzy_candidates(self, term: str, surface: str, maxdist: int) -> list[str]:
        """Terms within ``maxdist`` edits of ``term`` and terms of surface words within ``maxdist`` edits
        of ``surface`` (first letter fixed), most frequent first; none when the term is common (then
        it is a real word, not a typo)."""
        df = self.engine.doc_frequency
        exact_df = sum(df((f, term)) for f in FIELD_BOOSTS)
        if exact_df >= FEW_HITS:
            return []
        found: Counter[str] = Counter()
        for cand in self.engine.terms_within(_TEXT_FIELDS, term, maxdist):
            if cand != term:
                found[cand] += sum(df((f, cand)) for f in FIELD_BOOSTS)
        if surface.isalpha():
            for word in self.engine.terms_within(("spell",), surface, maxdist):
                stems = analyze_query(word)
                if stems and stems[0] != term and word != surface:
                    found[stems[0]] += df(("spell", word))
        return [c for c, _ in found.most_common(MAX_FUZZY_TERMS)]

    def _parts(self, term: str, surface: str) -> list[str]:
        """The compound parts of a word that few documents hold as a whole, else ``[]``."""
        if not term.isalpha() or len(term) < 6 or not self._few(term):
            return []
        return [p for p in compound_parts(surface) if p != term]

    def _few(self, term: str) -> bool:
        """Whether fewer than ``FEW_HITS`` live documents have ``term`` in a text field (document
        frequencies first; postings only when those cannot tell)."""
        dfs = [self.engine.doc_frequency((f, term)) for f in FIELD_BOOSTS]
        if sum(dfs) < FEW_HITS:
            return True
        if max(dfs) >= FEW_HITS:
            return False
        docs = 0
        for f in FIELD_BOOSTS:
            docs |= self.engine.bitmap((f, term))
        return (docs & self.engine.live).bit_count() < FEW_HITS
