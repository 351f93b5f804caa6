"""Umlaut and diacritic folding shared by indexing, querying and the compound lexicon.

Decision: fold *down* to the base vowel, ``ä``/``ae`` -> ``a``, ``ö``/``oe`` -> ``o``,
``ü``/``ue`` -> ``u``, ``ß`` -> ``ss`` (other diacritics are stripped, ``é`` -> ``e``).

Why down and not up (``ä`` -> ``ae``)?

* It matches all three spellings people type: ``Bürger``, ``Buerger`` *and* ``Burger`` (no umlaut key,
  no transliteration). Folding up only unifies the first two.
* The Snowball German stemmer (PyStemmer, Snowball 3) strips umlauts itself, so the stems agree with
  the folded surface forms and the compound lexicon.

The price is that a genuine ``ae``/``oe``/``ue`` letter sequence is contracted too. To keep the
damage small the digraph is only contracted when it cannot be a diphthong or a ``qu``:
``ue`` after a vowel (``Feuer``, ``neue``, ``Sauerland``, ``Steuer``) or after ``q`` (``Quelle``) is
kept. Words like ``aktuell`` -> ``aktull`` are still contracted, but the folding is applied identically
at index and query time, so such words still match themselves; the only effect is that they might
collide with a different word, which none we know of does.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold"]

_DIGRAPH = re.compile(r"(?<![aeiouyäöü])([ao])e|(?<![aeiouyäöüq])(u)e")
_SIMPLE = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"})


def _digraph(match: re.Match[str]) -> str:
    return match.group(1) or match.group(2)


def fold(word: str) -> str:
    """Fold a lowercase word to its canonical search form (see module docstring)."""
    word = _DIGRAPH.sub(_digraph, word)
    word = word.translate(_SIMPLE)
    if not word.isascii():
        decomposed = unicodedata.normalize("NFKD", word)
        word = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return word
