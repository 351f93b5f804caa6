"""Cursors are opaque offsets; broken ones are the client's mistake, not a server error."""

from __future__ import annotations

import pytest

from schule.errors import ProblemError
from schule.graphql.pagination import decode_cursor, encode_cursor


@pytest.mark.parametrize("offset", [0, 1, 99, 10_000])
def test_cursor_round_trip(offset: int) -> None:
    assert decode_cursor(encode_cursor(offset)) == offset


@pytest.mark.parametrize("cursor", ["", "abc", "b2Zmc2V0Oi0x", "eHl6OjE="])
def test_bad_cursors_are_client_errors(cursor: str) -> None:
    with pytest.raises(ProblemError):
        decode_cursor(cursor)
