"""Finding stored entries by what people write: an id, or a name in any case, with or without umlauts.

Spreadsheets (``schule import --csv``) and ``publiccode.yml`` files (``usedBy``) name communes,
Handlungsfelder and organisations the way people write them: ``Lüdenscheid``, ``LUEDENSCHEID``,
``luedenscheid`` (the id), ``Stadt Lüdenscheid``, ``Sundern`` for ``Sundern (Sauerland)``.
``NameIndex`` folds each of them to one key:

* lower case, ``ä``/``ö``/``ü``/``ß`` spelt ``ae``/``oe``/``ue``/``ss`` (so ``Luedenscheid`` finds
  ``Lüdenscheid``), other accents dropped, ``-``/``_``/punctuation read as spaces (so the id
  ``bad-berleburg`` finds ``Bad Berleburg``);
* for communes also without a leading ``Stadt``, ``Gemeinde``, ``Hansestadt`` … and without a
  trailing ``(Sauerland)``. ``Kreis`` is never dropped: ``Kreis Olpe`` is not the town of Olpe.

A key that fits several entries is ambiguous and matches none (the caller says so), rather than
guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")
# Words a commune's name may carry in a list (German, and the usedBy lists of other countries'
# files name "City of …" or "Comune di …" in the same way).
_COMMUNE_PREFIXES = (
    "stadt", "gemeinde", "hansestadt", "kreisstadt", "stadtverwaltung", "gemeindeverwaltung", "kommune",
    "markt", "marktgemeinde", "universitaetsstadt", "landeshauptstadt", "grosse kreisstadt",
    "mittlere kreisangehoerige stadt", "city of", "municipality of", "town of", "comune di",
)


def fold(text: str) -> str:
    """The comparison key of ``text``: lower case, umlauts spelt out, accents dropped, words by spaces."""
    text = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub(" ", text).strip()


def commune_keys(name: str) -> set[str]:
    """The keys a commune's name is known by: as written, without its parenthesis, without a prefix."""
    keys = {fold(name), fold(_PARENTHESIS.sub("", name))}
    for key in list(keys):
        for prefix in _COMMUNE_PREFIXES:
            if key.startswith(prefix + " "):
                keys.add(key[len(prefix) + 1:])
    keys.discard("")
    return keys


@dataclass(frozen=True)
class Match:
    """What a name matched: the entry's id and its name as stored; ``ambiguous`` lists the ids of
    several entries that fit equally well (then ``id`` is None)."""

    id: str | None
    name: str | None = None
    ambiguous: tuple[str, ...] = ()


class NameIndex:
    """Entries of one kind, found by id or name (see the module docstring)."""

    def __init__(self, entries: Iterable[tuple[str, str]], *, communes: bool = False) -> None:
        self._names: dict[str, str] = {}
        self._by_id: dict[str, str] = {}
        self._by_key: dict[str, set[str]] = {}
        self._communes = communes
        for entry_id, name in entries:
            self._names[entry_id] = name
            self._by_id[fold(entry_id)] = entry_id
            for key in self._keys(name):
                self._by_key.setdefault(key, set()).add(entry_id)

    def _keys(self, name: str) -> set[str]:
        return commune_keys(name) if self._communes else {fold(name)} - {""}

    def name_of(self, entry_id: str) -> str | None:
        return self._names.get(entry_id)

    def find(self, text: str) -> Match | None:
        """The entry ``text`` names (id first, then name), or None; ambiguous names yield a Match
        with ``ambiguous`` set."""
        text = text.strip()
        if not text:
            return None
        if text in self._names:
            return Match(text, self._names[text])
        by_id = self._by_id.get(fold(text))
        if by_id is not None:
            return Match(by_id, self._names[by_id])
        found: set[str] = set()
        for key in sorted(self._keys(text), key=len, reverse=True):  # the most specific key first
            found = self._by_key.get(key, set())
            if found:
                break
        if len(found) == 1:
            entry_id = next(iter(found))
            return Match(entry_id, self._names[entry_id])
        if found:
            return Match(None, None, tuple(sorted(found)))
        return None
