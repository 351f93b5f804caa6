"""``json_input.loads``: JSON from outside is either usable or refused with a German reason."""

from __future__ import annotations

import pytest

from schule import json_input
from schule.json_input import BadJSON


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ('"a\\ud800"', "Surrogat"),
        ('{"\\udc00": 1}', "Surrogat"),
        ('"a\\u0000b"', "NUL"),
        ("9" * 5001, "Ziffern"),
        (str(2**63), "Bereich"),
        ("[" * 100_000 + "]" * 100_000, "verschachtelt"),
        ("[" * 40 + "]" * 40, "verschachtelt"),
        ("NaN", "NaN"),
        ("-Infinity", "Infinity"),
        ("{", "kein gültiges JSON"),
        (b"\xff", "UTF-8"),
    ],
)
def test_refused_with_a_reason(text: str | bytes, word: str) -> None:
    with pytest.raises(BadJSON, match=word):
        json_input.loads(text)
    # as the importer passes lines: bytes (the checks of strings and depth are skipped for bytes
    # that cannot hold a problem, so every refusal must hold for bytes as well)
    with pytest.raises(BadJSON, match=word):
        json_input.loads(text if isinstance(text, bytes) else text.encode("utf-8"))


def test_raw_nul_in_bytes_is_refused() -> None:
    with pytest.raises(BadJSON, match="kein gültiges JSON"):
        json_input.loads(b'{"a": "x\x00y"}')


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"Zeile\u2028Trenner\u0085"', "Zeile\u2028Trenner\u0085"),
        (str(2**63 - 1), 2**63 - 1),
        (str(-(2**63) + 1), -(2**63) + 1),
        ('{"a": [1, 2.5, true, null]}', {"a": [1, 2.5, True, None]}),
        ('"\\ud83d\\ude00"', "\U0001f600"),
    ],
)
def test_accepted(text: str, value: object) -> None:
    assert json_input.loads(text) == value
