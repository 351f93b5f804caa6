"""Dictionary-driven German compound splitter (the choice is explained in ``analysis.py``).

A word is split into the fewest parts that are all known words, allowing a linking element
("Fugenelement": s, es, n, en, e, er, ens, nen) after every part but the last. Ties prefer fewer
linking elements, then longer, more even parts. Works on folded forms (``folding.fold``).

Data: ``data/de_nouns.txt.gz`` (word forms from German Wiktionary via the ``german-nouns`` package,
CC BY-SA 4.0, see ``data/LICENCE-de_nouns.md``) plus our own ``data/de_extra.txt``.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

from schule.search.folding import fold

__all__ = ["Lexicon", "default_lexicon"]

_FUGEN = ("", "s", "es", "n", "en", "e", "er", "ens", "nen")
_INFLECTION = ("innen", "in", "ern", "en", "er", "es", "e", "n", "s")
MIN_PART = 4
MIN_WORD = 7


class Lexicon:
    """Known word forms for splitting; ``split`` and ``expansions`` are cached per word."""

    def __init__(self, words: set[str], short: set[str], modifiers: set[str],
                 banned: frozenset[str] = frozenset(), nosplit: frozenset[str] = frozenset()) -> None:
        self.nosplit = nosplit
        self.words = words
        self.banned = banned
        self.short = short
        self.modifiers = modifiers
        self._cache: dict[str, tuple[str, ...]] = {}

    def _is_part(self, text: str, final: bool) -> bool:
        if text in self.banned:
            return False
        if not final and text in self.modifiers:
            return True  # a vetted list, so its short entries count too: Nah-wärmenetz, Neu-bau, Alt-stadt
        if len(text) < MIN_PART and text not in self.short:
            return False
        if text in self.words or text in self.short:
            return True
        # non-final parts may be verb/adjective stems or drop their final e: Schul-digitalisierung
        return not final and (text in self.modifiers or text + "e" in self.words)

    def split(self, word: str) -> list[tuple[int, int]]:
        """Return ``(start, end)`` spans of the smallest parts of ``word`` (linking elements left out)
        or ``[]`` when it is no compound. The top level takes the fewest parts, each part is then
        split again, so ``wanderparkplatze`` gives wander, park, platze."""
        if word in self.nosplit or any(word.endswith(s) and word[:-len(s)] in self.nosplit for s in _INFLECTION):
            return []  # inflected forms too: Plattformen is not Platt + Formen
        spans = self._split_once(word)
        if not spans:
            return []
        atoms: list[tuple[int, int]] = []
        for start, end in spans:
            inner = self.split(word[start:end]) if end - start >= MIN_WORD else []
            atoms.extend((start + a, start + b) for a, b in inner) if inner else atoms.append((start, end))
        return atoms

    def _split_once(self, word: str) -> list[tuple[int, int]]:
        n = len(word)
        if n < MIN_WORD:
            return []
        for suffix in _INFLECTION:
            # an inflected simple word ("burgerinnen") is not split into "burge" + "rinnen"
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= MIN_PART and stem in self.words:
                inner = self._split_once(stem) if stem != word else []
                if not inner:
                    return []
                return [*inner[:-1], (inner[-1][0], n)]
        # best[i] = (cost, spans) for word[i:], cost = (parts, fugen, -length of the longest part)
        best: list[tuple[tuple[int, int, int], list[tuple[int, int]]] | None] = [None] * (n + 1)
        best[n] = ((0, 0, 0), [])
        for i in range(n - 1, -1, -1):
            candidate = None
            for j in range(i + 3, n + 1):
                if i == 0 and j == n:
                    continue  # the whole word is kept anyway; look for a real split
                part = word[i:j]
                final_ok = self._is_part(part, final=True)
                inner_ok = final_ok or self._is_part(part, final=False)
                if not inner_ok:
                    continue
                for fuge in _FUGEN:
                    k = j + len(fuge)
                    if k > n or (fuge and word[j:k] != fuge):
                        continue
                    rest = best[k]
                    if rest is None or (k == n and (fuge or not final_ok)):
                        continue
                    rest_cost, rest_spans = rest
                    cost = (rest_cost[0] + 1, rest_cost[1] + (1 if fuge else 0),
                            min(rest_cost[2], -len(part)))
                    if candidate is None or cost < candidate[0]:
                        candidate = (cost, [(i, j), *rest_spans])
            best[i] = candidate
        result = best[0]
        if result is None or len(result[1]) < 2:
            return []
        return result[1]

    def expansions(self, word: str) -> tuple[str, ...]:
        """Extra tokens for a folded word: its parts and every run of adjacent parts but the whole."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        spans = self.split(word)
        out: list[str] = []
        for a in range(len(spans)):
            for b in range(a, len(spans)):
                if a == 0 and b == len(spans) - 1:
                    continue
                piece = word[spans[a][0]:spans[b][1]]
                if a == b and len(piece) < MIN_PART and piece in self.modifiers:
                    continue  # "nah", "neu", "alt" alone would find every Nah-, Neu-, Alt- compound
                if piece not in out:
                    out.append(piece)
        result = tuple(out)
        if len(self._cache) < 500_000:
            self._cache[word] = result
        return result


def _read_extra() -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {"short": set(), "modifier": set(), "noun": set(), "nopart": set(),
                                    "nosplit": set()}
    current = "noun"
    text = resources.files("schule.search.data").joinpath("de_extra.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        sections[current].add(fold(line.lower()))
    return sections


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The bundled lexicon, loaded once per process (about 0.2 s)."""
    raw = resources.files("schule.search.data").joinpath("de_nouns.txt.gz").read_bytes()
    words = set(gzip.decompress(raw).decode("utf-8").split())
    extra = _read_extra()
    words |= extra["noun"]
    words = {w for w in words if len(w) >= MIN_PART}
    return Lexicon(words, extra["short"], extra["modifier"], frozenset(extra["nopart"]),
                   frozenset(extra["nosplit"]))
