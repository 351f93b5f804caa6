"""Highlights: the stored text around matches, HTML-escaped, matches wrapped in ``<mark>``.

Whoosh's own highlighter re-analyses without decompounding, so "Parkplatz" would not light up in
"Parkplatzsensoren"; this one analyses like the index does and marks the whole surface word when any
of its terms (the word, its compound parts) matched.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from schule.search.analysis import _WORD, analyze_index

__all__ = ["highlight"]

_MAX_SCAN = 20_000
_PIECE = re.compile(r"\w+")


@lru_cache(maxsize=200_000)
def _word_terms(word: str) -> frozenset[str]:
    """Index terms of one word (analysis is per word, so this equals analysing it in context)."""
    return frozenset(analyze_index(word))


def _match_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(text[:_MAX_SCAN]):
        word = match.group()
        items = [(word, match.start(), match.end())]
        if "-" in word or "‐" in word or "‑" in word:
            # as GermanTokenizer: the joined word over the whole span, then each part
            items = [("".join(p.group() for p in _PIECE.finditer(word)), match.start(), match.end())]
            items += [(p.group(), match.start() + p.start(), match.start() + p.end())
                      for p in _PIECE.finditer(word)]
        for surface, start, end in items:
            if len(surface) <= 64 and not terms.isdisjoint(_word_terms(surface)):
                span = (start, end)
                if not spans or spans[-1] != span:
                    spans.append(span)
    # hyphenated words give the joined word and its parts; keep the outermost spans
    spans.sort(key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            continue
        merged.append((start, end))
    return merged


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return ("… " if start > 0 else "") + "".join(out) + (" …" if end < len(text) else "")


def highlight(text: str, terms: frozenset[str], *, width: int = 180, fragments: int = 2) -> list[str]:
    """Up to ``fragments`` snippets of ``text`` (about ``width`` characters) around matched terms."""
    if not text or not terms:
        return []
    spans = _match_spans(text, terms)
    if not spans:
        return []
    result: list[str] = []
    covered_until = -1
    for s, _ in spans:
        if s < covered_until:
            continue
        start = max(0, s - width // 3)
        if start > 0:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space >= 0 and start - space < 20 else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.find(" ", end)
            end = space if 0 <= space - end < 20 else end
        result.append(_render(text, spans, start, end))
        covered_until = end
        if len(result) >= fragments:
            break
    return result
