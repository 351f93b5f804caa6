"""The ``datum`` filter: dates as Germans write them, partial dates as precise as they are."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from schule.web.error_pages import wait_words
from schule.web.rendering import Renderer, datum
from schule.web.sources import sources


@pytest.mark.parametrize(("value", "shown"), [
    ("2022-11-09", "9. November 2022"), ("2021-03-01", "1. März 2021"), ("2022-11", "November 2022"),
    ("2022", "2022"), (date(2020, 12, 3), "3. Dezember 2020"),
    ("2026-12-04T10:19:15.123+00:00", "4. Dezember 2026, 11:19 Uhr"),  # winter: UTC+1
    ("2026-07-04T10:19:15+00:00", "4. Juli 2026, 12:19 Uhr"),  # summer: UTC+2
    (datetime(2026, 1, 2, 23, 30, tzinfo=UTC), "3. Januar 2026, 00:30 Uhr"),
    (None, ""), ("", ""), ("2022-13", "2022-13"), ("2022-02-30", "2022-02-30"), ("bald", "bald"),
])
def test_dates_in_german(value: object, shown: str) -> None:
    assert datum(value) == shown  # type: ignore[arg-type]


def test_the_filter_is_there_for_templates() -> None:
    template = Renderer().env.from_string("seit {{ since | datum }}")
    assert template.render(since="2021-10") == "seit Oktober 2021"


@pytest.mark.parametrize(("seconds", "words"), [
    (1, "eine Sekunde"), (30, "30 Sekunden"), (60, "eine Minute"), (61, "2 Minuten"), (3600, "eine Stunde"),
    (7201, "3 Stunden"),
])
def test_wait_times_in_words(seconds: int, words: str) -> None:
    assert wait_words(seconds) == words


def test_seed_sources_read_as_citations_and_other_text_stays() -> None:
    cited = sources("seeds/003: Südwestfalen: Smarte Region dank smarter Kommunen, 3.12.2020; "
                    "seeds/004: Auf dem Weg zur Smart Region, 3.9.2021")
    assert [(s.title, s.by, s.date) for s in cited] == [
        ("Südwestfalen: Smarte Region dank smarter Kommunen", None, "3. Dezember 2020"),
        ("Auf dem Weg zur Smart Region", "Pressemitteilung des Kreises Steinfurt", "3. September 2021"),
    ]
    census = "Statistisches Bundesamt, Gemeindeverzeichnis (GV-ISys); Zensus 2022, dl-de/by-2-0"
    assert [s.title for s in sources(census)] == [census]
    [linked] = sources("Ratsvorlage unter https://www.olpe.de/vorlage-17.")
    assert linked.url == "https://www.olpe.de/vorlage-17"
    [unsafe] = sources("javascript:alert(1)")
    assert unsafe.url is None
    assert sources(None) == [] and sources("  ") == []
