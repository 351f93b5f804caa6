"""The Atom document itself: escaping, required elements, the feed's updated time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from schule.web.feeds import FeedEntry, build_atom, entry_of

ATOM = "{http://www.w3.org/2005/Atom}"


def test_markup_in_titles_and_summaries_is_escaped_text() -> None:
    entry = FeedEntry(url="https://x.de/projekte/a?b=1&c=2", title='Parken <script>alert("x")</script> & mehr',
                      updated="2024-05-01T10:00:00Z", summary="a < b && c > d", categories=(("hf", "Umwelt & Klima"),))
    raw = build_atom(feed_id="https://x.de/projekte.atom?kreis=A&B", title="Projekte – Kreis: A&B",
                     self_url="https://x.de/projekte.atom?kreis=A&B", page_url="https://x.de/projekte?kreis=A&B",
                     author="Smart Cities: Schule", entries=[entry])
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw
    root = ET.fromstring(raw)
    parsed = root.find(f"{ATOM}entry")
    assert parsed is not None
    assert parsed.findtext(f"{ATOM}title") == entry.title
    assert parsed.findtext(f"{ATOM}summary") == "a < b && c > d"
    assert parsed.find(f"{ATOM}link").get("href") == entry.url  # type: ignore[union-attr]
    assert parsed.find(f"{ATOM}category").get("label") == "Umwelt & Klima"  # type: ignore[union-attr]
    assert root.findtext(f"{ATOM}updated") == "2024-05-01T10:00:00Z"  # the newest entry's


def test_an_empty_feed_is_still_valid_with_the_time_it_was_made() -> None:
    raw = build_atom(feed_id="https://x.de/f", title="Leer", self_url="https://x.de/f", page_url="https://x.de/",
                     author="A", entries=[], generated=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    root = ET.fromstring(raw)
    assert root.findtext(f"{ATOM}updated") == "2026-01-02T03:04:05Z"
    assert root.findtext(f"{ATOM}id") == "https://x.de/f" and root.find(f"{ATOM}author/{ATOM}name") is not None
    assert root.findall(f"{ATOM}entry") == []


def test_an_entry_from_card_data_has_an_absolute_link_and_rfc3339_times() -> None:
    node = {"slug": "stadtlabor-soest", "title": "Stadtlabor Soest", "summary": "Ort zum Ausprobieren.",
            "status": "OPERATION", "updatedAt": "2024-05-01T10:00:00.123+00:00",
            "createdAt": "2023-01-01T00:00:00+00:00", "communes": [{"slug": "soest", "name": "Soest"}],
            "handlungsfelder": [{"slug": "bildung", "name": "Bildung"}]}
    entry = entry_of(node, "https://wissen.example.de")
    assert entry is not None
    assert entry.url == "https://wissen.example.de/projekte/stadtlabor-soest"
    assert entry.updated == "2024-05-01T10:00:00Z" and entry.published == "2023-01-01T00:00:00Z"
    assert entry.summary == "Soest · in Betrieb: Ort zum Ausprobieren."
    assert entry_of({**node, "updatedAt": None}, "https://x") is None
