"""Ids of new projects and lessons.

* Members never choose ids: theirs are made by the server, the slug of the title plus ``-`` and six
  random base32 characters (``schulbus-ticker-olpe-k3q7za``). An id a member could choose would
  answer "taken" for another commune's hidden draft and so reveal it; a random suffix reveals
  nothing and cannot be guessed.
* Moderators and admins see every entry, so they may choose ids; without one they get the slug of
  the title, or with the smallest free suffix ``-2``, ``-3`` … .
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from schule.domain.problems import Code, Problem
from schule.domain.records import ID_PATTERN
from schule.errors import ProblemError
from schule.store.graph import CypherGraphStore

MAX_ID_LENGTH = 80
SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32, lowercase: valid in ids
SUFFIX_LENGTH = 6  # 32**6 ≈ 10⁹ per title
MEMBER_ID_MESSAGE = (
    "Mitglieder wählen keine eigene ID: sie wird aus dem Titel gebildet. Bitte das Feld 'id' weglassen."
)


class NoFreeId(ProblemError):
    """Every candidate id for a title is taken (DUPLICATE on ``id``)."""


def slugify(text: str) -> str:
    """An id from a title: lowercase ASCII, German umlauts spelt out, words joined by '-'."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:MAX_ID_LENGTH].strip("-")
    return slug or "eintrag"


def random_suffix() -> str:
    return "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))


def member_id(store: CypherGraphStore, title: str) -> str:
    """A server-made id for a member's entry: slug of ``title`` plus a random suffix, not taken."""
    base = slugify(title)[:MAX_ID_LENGTH - SUFFIX_LENGTH - 1].strip("-") or "eintrag"
    candidates = [f"{base}-{random_suffix()}" for _ in range(5)]
    taken = store.kinds_of(candidates)
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    # five collisions in a row among a billion suffixes: the store is not what we think it is
    raise RuntimeError(f"no free id for {base!r}")


def free_id(store: CypherGraphStore, title: str) -> str:
    """The slug of ``title``, or with the smallest suffix -2, -3 … that is not taken yet."""
    base = slugify(title)
    candidates = [base] + [f"{base}-{n}" for n in range(2, 51)]
    taken = store.kinds_of(candidates)
    for candidate in candidates:
        if candidate not in taken and ID_PATTERN.match(candidate):
            return candidate
    raise NoFreeId([Problem(Code.DUPLICATE, "id", f"Bitte eine eigene ID angeben: {base!r} ist vergeben.")])
