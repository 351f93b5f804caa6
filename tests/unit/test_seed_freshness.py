"""Freshness dates: derived from the source texts' dates, never invented (seed/README.md)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from schule.services.freshness import cutoff, source_date
from tests.conftest import SEED_DIR


@pytest.mark.parametrize(("source", "expected"), [
    ("seeds/004: Auf dem Weg zur Smart Region, 3.9.2021", "2021-09-03"),
    ("seeds/003: Smarte Region, 3.12.2020; seeds/001: Neuauflage, 20.7.2021", "2021-07-20"),
    ("Datenportal, Stand: Nov. 2022", "2022-11"),
    ("Stand: März 2023; Bericht vom 2.1.2023", "2023-03"),
    ("Bis zum 15. Oktober als Kommune mitmachen", None),  # a day without a year is no date
    ("Bericht vom 31.2.2021", None),  # no such day
    (None, None),
])
def test_the_date_a_source_gives(source: str | None, expected: str | None) -> None:
    assert source_date(source) == expected


def test_the_cutoff_is_whole_months_back_with_the_day_clamped() -> None:
    assert cutoff(date(2026, 12, 4), 12) == "2025-12-04"
    assert cutoff(date(2026, 3, 31), 1) == "2026-02-28"
    assert cutoff(date(2026, 1, 15), 1) == "2025-12-15"


@pytest.mark.parametrize("name", ["projects.jsonl", "lessons.jsonl"])
def test_seed_entries_are_confirmed_as_of_their_sources(name: str) -> None:
    records = [json.loads(line) for line in (SEED_DIR / name).read_text("utf-8").splitlines() if line.strip()]
    assert records
    for record in records:
        assert record.get("last_confirmed") == source_date(record.get("source")), record["id"]
        assert record.get("last_confirmed"), f"{record['id']}: every seed source is dated"
