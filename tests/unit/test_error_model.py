"""The error model's mappings are total: every ``Code`` has a GraphQL value, an HTTP status and an
exit status, so adding a code without mapping it fails here, not in front of a user."""

from __future__ import annotations

import pytest

from schule.cli import EXIT_ERROR, EXIT_TEMPFAIL, exit_status
from schule.domain.problems import Code, Problem
from schule.errors import ProblemError, StoreUnavailable, refuse
from schule.graphql.errors import ErrorCode, error_code, problem_extensions
from schule.http_status import STATUS, status_for


def test_every_code_has_a_graphql_value_of_the_same_name() -> None:
    assert {c.name for c in Code} == {e.name for e in ErrorCode}
    for code in Code:
        assert error_code(code).name == code.name


def test_every_code_has_an_http_status() -> None:
    assert set(STATUS) == set(Code)
    assert status_for(Code.NOT_FOUND) == 404
    assert status_for(Code.RATE_LIMITED) == 429
    assert all(400 <= status < 600 for status in STATUS.values())


@pytest.mark.parametrize("code", list(Code))
def test_every_code_has_an_exit_status(code: Code) -> None:
    expected = EXIT_TEMPFAIL if code in (Code.UNAVAILABLE, Code.TIMEOUT, Code.RATE_LIMITED) else EXIT_ERROR
    assert exit_status(refuse(code, "x")) == expected


def test_an_unreachable_store_asks_to_try_again_later() -> None:
    assert exit_status(StoreUnavailable("weg")) == EXIT_TEMPFAIL


def test_request_error_extensions_name_the_code_and_the_field() -> None:
    assert problem_extensions(Problem(Code.INVALID, "first", "zu groß")) == {"code": "INVALID", "field": "first"}
    assert problem_extensions(Problem(Code.FORBIDDEN, None, "nein")) == {"code": "FORBIDDEN"}


def test_a_problem_error_keeps_every_problem_and_reads_as_their_messages() -> None:
    error = ProblemError([Problem(Code.INVALID, "title", "Titel fehlt"), Problem(Code.NOT_FOUND, "communes", "x?")])

    assert error.code == Code.INVALID
    assert [p.field for p in error.problems] == ["title", "communes"]
    assert str(error) == "Titel fehlt; x?"
    with pytest.raises(ValueError):
        ProblemError([])
