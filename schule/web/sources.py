"""Sources as people read them.

A record's ``source`` is free text. The seed records cite the texts in ``seed/README.md`` as
``seeds/NNN: <title>, <D.M.YYYY>`` separated by ``; ``, a notation for us, not for readers: a page
shows each cited text as „title“, author or publisher, and the date in German words. Anything else
(the census attribution of a commune, a member's note) is shown as it is; a web address becomes a
link (``is_link``), everything else stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schule.domain.records import is_link
from schule.web.rendering import datum

# Who wrote or published each seed text (seed/README.md, "Sources"); the titles and dates are in
# the records themselves. No web address is given: the texts in shared/seeds/ name none.
SEED_AUTHORS = {
    "000": "Rouven Theiß",
    "001": "Katharina Hogrebe",
    "002": "Rouven Theiß",
    "004": "Pressemitteilung des Kreises Steinfurt",
}
_SEED = re.compile(r"seeds/(\d{3}):\s*(.+?)(?:,\s*(\d{1,2})\.(\d{1,2})\.(\d{4}))?\s*")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Source:
    """One cited source: ``title`` (a quoted title when ``quoted``), ``by``, ``date`` (German) and ``url``."""

    title: str
    by: str | None = None
    date: str | None = None
    url: str | None = None
    quoted: bool = False


def sources(text: str | None) -> list[Source]:
    """The sources of a ``source`` field, in the order cited."""
    if not text or not text.strip():
        return []
    if not _SEED.match(text.strip()):
        return [_plain(text.strip())]  # free text may hold "; " of its own (the census attribution)
    return [_one(part.strip()) for part in text.split(";") if part.strip()]


def _one(part: str) -> Source:
    seed = _SEED.fullmatch(part)
    if seed is None:
        return _plain(part)
    number, title, day, month, year = seed.groups()
    when = datum(f"{year}-{int(month):02d}-{int(day):02d}") if year else None
    return Source(title=title.strip(), by=SEED_AUTHORS.get(number), date=when, quoted=True)


def _plain(text: str) -> Source:
    url = _URL.search(text)
    link = url.group(0).rstrip(".,;)") if url else None
    return Source(title=text, url=link if link and is_link(link) else None)
