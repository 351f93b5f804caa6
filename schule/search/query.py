"""User text -> parts of a query. Users type words; nothing they type is syntax except balanced
"double quotes" (a phrase) and a trailing ``*`` (a prefix). ``AND``, ``-``, ``title:x`` and the like are
just words, so no input can cause a syntax error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["QueryPart", "parse_user_query", "MAX_QUERY_CHARS", "MAX_PARTS"]

MAX_QUERY_CHARS = 512
MAX_PARTS = 12
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"[\w*‐‑-]+")


@dataclass(frozen=True)
class QueryPart:
    text: str  # the surface text, as typed (cleaned)
    phrase: bool = False
    prefix: bool = False


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text[:MAX_QUERY_CHARS])
    return "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)


def parse_user_query(text: str) -> list[QueryPart]:
    """Split user text into words, phrases and prefixes (at most ``MAX_PARTS``)."""
    if not isinstance(text, str):
        return []
    cleaned = _clean(text)
    if cleaned.count('"') % 2:
        cleaned = cleaned.replace('"', " ")  # an unbalanced quote is not syntax
    parts: list[QueryPart] = []
    for match in _TOKEN.finditer(cleaned):
        phrase, word = match.groups()
        if phrase is not None:
            words = [w.strip("*") for w in _WORD_CHARS.findall(phrase)]
            words = [w for w in words if any(ch.isalnum() for ch in w)]
            if len(words) > 1:
                parts.append(QueryPart(" ".join(words), phrase=True))
            elif words:
                parts.append(QueryPart(words[0]))
            continue
        for piece in _WORD_CHARS.findall(word or ""):
            prefix = piece.endswith("*")
            piece = piece.strip("*-‐‑")
            if not any(ch.isalnum() for ch in piece):
                continue
            if "*" in piece:
                for sub in piece.split("*"):
                    if sub:
                        parts.append(QueryPart(sub))
                continue
            parts.append(QueryPart(piece, prefix=prefix and len(piece) >= 2))
    return parts[:MAX_PARTS]
