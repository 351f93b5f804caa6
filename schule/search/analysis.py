"""German analysis for Whoosh: tokenize, lowercase, fold umlauts, drop stop words, split compounds
(index time only), stem with Snowball German (PyStemmer) completed for loanword plurals in -s
(``loanword_plural``: Autos, Kitas, Apps, Gateways, Cities).

Umlaut folding: ``ä``/``ae`` -> ``a`` etc., both at index and query time; see ``folding.py`` for why.

Decompounding, two candidates were tried on our vocabulary (Datenplattform, Wanderparkplätze,
Bürgerbeteiligungsplattform, Rathaus, Straßenbeleuchtung, Leerstandsmanagement, ...):

* ``compound-split`` (CharSplit, n-gram probabilities): GPL-3.0, unmaintained since 2020, a 39 MB Python
  module that takes ~26 s to import, always proposes exactly one binary split, keeps the Fugen-s
  ("Bürgerbeteiligungs" + "Plattform") and splits "Rathaus" into "Rath" + "Aus". Rejected.
* A word-list splitter driven by German Wiktionary nouns from the ``german-nouns`` package (CC BY-SA 4.0,
  ~100k lemmas with all declined forms). We vendor the folded word forms (680 kB gzip) under
  ``data/`` and split with a small dynamic programme (``compounds.py``): fewest known parts, linking
  elements s/es/n/en/e/er/ens/nen, then each part split again; plus our own short list of verb and
  adjective stems (wander-, lade-, smart-) and exceptions. Loads in ~0.2 s, splits a word in
  microseconds, is deterministic and explainable. Chosen. (``charsplit-fst`` needs Python >= 3.12.)

Index time emits, at the same position as the whole word, every part and every run of adjacent
parts: ``Wanderparkplätze`` -> wanderparkplatz, wander, wanderpark, park, parkplatz, platz (stemmed).
Query time does not split (the parts are in the index), so ``Parkplatz`` finds ``Parkplatzsensoren``;
only a query word that few documents hold as a whole is also looked up by its parts
(``compound_parts``, same lexicon; see ``plan.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import Stemmer
from whoosh.analysis import Analyzer, CompositeAnalyzer, Filter, Token, Tokenizer
from whoosh.lang.stopwords import stoplists

from schule.search.compounds import Lexicon, default_lexicon
from schule.search.folding import fold

__all__ = [
    "ANALYSIS_VERSION",
    "CachedAnalyzer",
    "GermanTokenizer",
    "german_analyzer",
    "spelling_analyzer",
    "analyze_query",
    "analyze_index",
    "compound_parts",
    "loanword_plural",
    "STOP_WORDS",
]

# Bump whenever index-time analysis changes the terms of some text; an index built with another
# version answers those words wrongly until rebuilt (``SearchIndex.analysis_current``).
# 1: the first release; 2: loanword plurals in -s and -y/-ies (``loanword_plural``), inflected forms
# of no-split words kept whole; 3: short vetted modifiers start compounds (Nah-wärmenetz, Neu-bau);
# 4: feminine person nouns in -in / -innen share the masculine stem (``feminine_form``);
# 5: the fields of the ``transfer`` and ``standard`` facets (a schema change needs a rebuild as well).
ANALYSIS_VERSION = 5
STOP_WORDS = frozenset(fold(w) for w in stoplists["de"]) | frozenset({"dass", "fur", "uber"})
_WORD = re.compile(r"\w+(?:[-‐‑]\w+)*", re.UNICODE)
_MAX_TOKEN = 64
_HYPHENS = ("-", "‐", "‑")
_Entry = tuple[int, tuple[tuple[str, str, int, int, int, bool], ...]]


class GermanTokenizer(Tokenizer):
    """Words of letters and digits. A hyphenated word ("Co-Working", "Smart-City-Strategie") gives its
    parts at consecutive positions plus the joined word ("coworking") at the first part's position."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any
                 ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _WORD.finditer(value):
            text = match.group()
            if "-" in text or "‐" in text or "‑" in text:
                pieces = [(m.group(), m.start()) for m in re.finditer(r"\w+", text)]
                joined = "".join(p for p, _ in pieces)
                items = [(joined, match.start(), match.end(), pos)]
                items += [(p, match.start() + off, match.start() + off + len(p), pos + i)
                          for i, (p, off) in enumerate(pieces)]
                advance = len(pieces)
            else:
                items = [(text, match.start(), match.end(), pos)]
                advance = 1
            for word, start, end, word_pos in items:
                if len(word) > _MAX_TOKEN:
                    continue
                token.text = word
                token.original = word
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = word_pos
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token
            pos += advance


class FoldFilter(Filter):
    """Lowercase and fold umlauts/diacritics (``folding.fold``)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text.lower())
            yield t


class GermanStopFilter(Filter):
    """Drops German stop words without renumbering positions (phrases use slop instead)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.text in STOP_WORDS or len(t.text) < 2:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            yield t


class DecompoundFilter(Filter):
    """At index time, follows every compound with its parts at the same position (see module doc)."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self._lexicon = lexicon

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        lexicon = self._lexicon or default_lexicon()
        for t in tokens:
            if t.mode != "index" or not t.text.isalpha():
                yield t
                continue
            word = t.text
            yield t
            for part in lexicon.expansions(word):
                t.text = part
                yield t


_VOWELS = frozenset("aeiouy")
# letters before a plural -s that Snowball German keeps (it strips -s only after b d f g h k l m n r t):
# loanwords and short words pluralised with -s (Autos, Kitas, Kameras, Handys, Gateways, Apps, Tipps,
# Workshops, Interviews). Not u (Haus, Bus, Status, -ismus), i (Ergebnis, Praxis, Basis), e or s.
_LOAN_S_AFTER = frozenset("aoypw")


def _r1(word: str) -> int:
    """Start of Snowball's region R1: after the first non-vowel that follows a vowel, at least 3."""
    for i in range(1, len(word)):
        if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
            return max(i + 1, 3)
    return len(word)


def loanword_plural(stem: str) -> str:
    """Completes Snowball German for plurals in -s that it leaves alone (see ``_LOAN_S_AFTER``), with
    Snowball's own condition that the -s lies in R1 (so Gas, Glas, Chaos keep theirs), and maps a final
    -y to -i so that English -ies plurals, which Snowball reduces to -i, meet their singular
    (Cities/City, Communities/Community). Applied to stems, so every form that Snowball already
    unified stays unified; new collisions are only stems that differ by that -s (Raps/Rap)."""
    if len(stem) > 3 and stem[-1] == "s" and stem[-2] in _LOAN_S_AFTER and len(stem) - 1 >= _r1(stem):
        stem = stem[:-1]
    if len(stem) > 2 and stem[-1] == "y":
        stem = stem[:-1] + "i"
    return stem


# endings of masculine person nouns whose feminine adds -in / -innen and which Snowball German does not
# unify itself (it does for -er: Beraterin/Berater): Koordinator-in, Student-in, Praktikant-in,
# Journalist-in, Ingenieur-in, Expert-in, Kolleg-in, Pädagog-in, Kandidat-in, Bibliothekar-in,
# Doktorand-in, Architekt-in, Fotograf-in, Philosoph-in, Pilot-in, Athlet-in, Beamt-in, Genoss-in,
# Offizier-in
_FEMININE_AFTER = ("or", "ent", "ant", "ist", "eur", "og", "eg", "ert", "at", "ar", "and", "ekt", "af",
                   "ph", "ot", "et", "mt", "oss", "ier")
# the masculine part must be this long, so that short words in -in / -ine keep theirs (Kantine is not
# a Kante, Termin not a Term, Gewinn not a Gew)
_FEMININE_MIN_BASE = 5


def feminine_form(stem: str) -> str:
    """The masculine stem for a feminine person noun in -in / -innen (Snowball leaves -in and makes
    -innen -inn): ``studentinn`` -> ``student``. Only after the endings of ``_FEMININE_AFTER``, so other
    words in -in keep it (Benzin, Medizin, Disziplin, Magazin, Routine, Protein). Known harmless
    over-reach: a few rare non-person words (Terpentin -> terpent, Gelatine -> gelat) that no masculine
    form shares."""
    for suffix in ("inn", "in"):
        if stem.endswith(suffix):
            base = stem[: -len(suffix)]
            if len(base) >= _FEMININE_MIN_BASE and base.endswith(_FEMININE_AFTER):
                return base
            return stem
    return stem


class GermanStemFilter(Filter):
    """Snowball German (PyStemmer) completed by ``loanword_plural`` and ``feminine_form``, with a
    per-process cache."""

    _cache: dict[str, str] = {}

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("german")

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._stemmer = Stemmer.Stemmer("german")

    def stem(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is None:
            cached = feminine_form(loanword_plural(self._stemmer.stemWord(word))) if word.isalpha() else word
            if len(self._cache) < 1_000_000:
                self._cache[word] = cached
        return cached

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stem
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


class SurfaceFilter(Filter):
    """For the spelling dictionary: lowercase real words of 3+ letters, umlauts kept."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text.lower()
            if len(text) >= 3 and text.isalpha() and fold(text) not in STOP_WORDS:
                t.text = text
                yield t


class CachedAnalyzer(Analyzer):
    """``GermanTokenizer`` followed by token-local filters, fused and memoised per surface word.

    Every filter of our chains looks at one token only, so the tokens that a word (or a hyphenated
    word) produces depend on the word, the mode and ``removestops`` alone. They are computed once by
    running the real chain (``chain()``) on that word and kept in a per-process cache; indexing then
    costs one regex match and one dict lookup per word instead of a generator per filter and token.
    The output is identical to the unfused chain (texts, positions, characters, ``stopped``)."""

    _MAX_CACHE = 500_000

    def __init__(self, *filters: Filter) -> None:
        self.filters = filters
        self._cache: dict[tuple[str, bool, str], _Entry] = {}

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.filters == other.filters

    def __hash__(self) -> int:
        return hash(type(self))

    def __getstate__(self) -> dict[str, Any]:
        return {"filters": self.filters}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.filters = state["filters"]
        self._cache = {}

    def chain(self) -> CompositeAnalyzer:
        return CompositeAnalyzer(GermanTokenizer(), *self.filters)

    def _word(self, word: str, removestops: bool, mode: str) -> _Entry:
        """How far one tokenizer match advances the position, and (text, original, position offset,
        start, end, stopped) of each of its tokens."""
        tokens = tuple((t.text, t.original, t.pos, t.startchar, t.endchar, t.stopped)
                       for t in self.chain()(word, positions=True, chars=True, removestops=removestops,
                                             mode=mode))
        advance = 1 + sum(word.count(h) for h in _HYPHENS)
        out = (advance, tokens)
        if len(self._cache) < self._MAX_CACHE:
            self._cache[(word, removestops, mode)] = out
        return out

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any
                 ) -> Iterator[Token]:
        if not tokenize:
            yield from self.chain()(value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                                    removestops=removestops, start_pos=start_pos, start_char=start_char,
                                    tokenize=False, mode=mode, **kwargs)
            return
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        cache = self._cache
        lookup = cache.get
        pos = start_pos
        for match in _WORD.finditer(value):
            word = match.group()
            entry = lookup((word, removestops, mode))
            if entry is None:
                entry = self._word(word, removestops, mode)
            advance, items = entry
            for text, original, offset, start, end, stopped in items:
                token.text = text
                token.original = original
                token.boost = 1.0
                token.stopped = stopped
                if positions:
                    token.pos = pos + offset
                if chars:
                    base = start_char + match.start()
                    token.startchar = base + start
                    token.endchar = base + end
                yield token
            pos += advance


def german_analyzer() -> CachedAnalyzer:
    """The analyzer of all text fields; decompounds only when called with ``mode="index"``."""
    return CachedAnalyzer(FoldFilter(), GermanStopFilter(), DecompoundFilter(), GermanStemFilter())


def spelling_analyzer() -> CachedAnalyzer:
    return CachedAnalyzer(SurfaceFilter())


_QUERY_ANALYZER = german_analyzer()


def analyze_query(text: str) -> list[str]:
    """Terms of a query word or phrase (folded and stemmed, not decompounded)."""
    return [t.text for t in _QUERY_ANALYZER(text, mode="query")]


def analyze_index(text: str) -> list[str]:
    """Terms as indexed (with compound parts); for tests and the highlighter."""
    return [t.text for t in _QUERY_ANALYZER(text, mode="index")]


def compound_parts(word: str) -> list[str]:
    """The smallest parts of a compound, as terms, split exactly as the index splits (same lexicon,
    same folded form); ``[]`` for a word that is no compound. For the query-side fallback of a
    compound that the index does not hold as a whole."""
    folded = fold(word.lower())
    if not folded.isalpha():
        return []
    parts: list[str] = []
    for start, end in default_lexicon().split(folded):
        for term in analyze_query(folded[start:end]):
            if term not in parts:
                parts.append(term)
    return parts if len(parts) > 1 else []
