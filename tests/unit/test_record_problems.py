"""A form shows every problem of a record at once: ``record_problems`` lists one per bad field, where
``parse_record`` (the import's fast path) stops at the first."""

from __future__ import annotations

from schule.domain.problems import Code
from schule.domain.records import RecordError, parse_record, record_problems

BAD_PROJECT = {"kind": "project", "id": "p", "title": "  ", "summary": "", "started": "Mai 2021",
               "links": ["www.olpe.de"], "status": "fertig"}


def test_every_bad_field_of_a_record_is_named_once() -> None:
    problems = record_problems(BAD_PROJECT)
    assert [p.field for p in problems] == ["title", "summary", "status", "started", "links"]
    assert {p.code for p in problems} == {Code.INVALID}


def test_the_import_path_still_stops_at_the_first_problem() -> None:
    try:
        parse_record(BAD_PROJECT)
    except RecordError as e:
        assert e.problem == record_problems(BAD_PROJECT)[0]
    else:  # pragma: no cover - the record is bad
        raise AssertionError("parse_record accepted a bad record")


def test_a_contradiction_between_good_fields_is_reported_and_a_good_record_has_none() -> None:
    good = {"kind": "project", "id": "p", "title": "Parken", "summary": "Freie Plätze.", "started": "2022"}
    assert record_problems(good) == []
    problems = record_problems({**good, "ended": "2021"})
    assert [(p.field, p.message) for p in problems] == [("ended", "Feld 'ended' liegt vor 'started'")]
