"""Decoding JSON that comes from outside (import lines, GraphQL request bodies and variables).

``json.loads`` accepts things the rest of the system cannot take, and fails on others with
exceptions that are not ``ValueError``:

* an escaped lone surrogate (``"\\ud800"``) decodes to a ``str`` that cannot be encoded as UTF-8:
  the store, the search index or the response encoder fail later, far from the input;
* an escaped NUL (``"\\u0000"``) ends strings early in the database's C code;
* a number of thousands of digits raises ``ValueError`` from ``int()`` (Python's digit limit), and
  numbers beyond 64 bits cannot be stored;
* deeply nested arrays raise ``RecursionError``;
* ``NaN`` and ``Infinity`` are not JSON at all.

``loads`` turns each of these into ``BadJSON`` with a German reason, so callers report it like any
other bad input (``FILE:LINE: reason`` for imports, HTTP 400 for requests).
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32  # records are flat; GraphQL variables nest as deep as input types, far below this
INT64_MAX = 2**63 - 1


class BadJSON(ValueError):
    """The text is not JSON we accept; the message (German) says why."""


def _int(text: str) -> int:
    digits = text.lstrip("-")
    if len(digits) > 19 or abs(value := int(text)) > INT64_MAX:
        raise BadJSON(f"Zahl außerhalb des erlaubten Bereichs ({text[:12]}…, {len(digits)} Ziffern)")
    return value


def _constant(name: str) -> Any:
    raise BadJSON(f"{name} ist kein gültiger JSON-Wert")


def loads(text: str | bytes) -> Any:
    """Decode ``text`` (UTF-8 if bytes) and check every string in it; raises ``BadJSON``."""
    from_bytes = isinstance(text, bytes)  # then strictly decoded: no lone surrogates in it
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadJSON(f"kein gültiges UTF-8 (Byte {e.start + 1})") from None
    try:
        value = json.loads(text, parse_int=_int, parse_constant=_constant)
    except BadJSON:
        raise
    except json.JSONDecodeError as e:
        raise BadJSON(f"kein gültiges JSON ({e.msg}, Spalte {e.colno})") from None
    except RecursionError:
        raise BadJSON(f"zu tief verschachtelt (mehr als {MAX_DEPTH} Ebenen)") from None
    except ValueError as e:  # e.g. a float literal Python cannot represent
        raise BadJSON(f"kein gültiges JSON ({e})") from None
    if not from_bytes or "\\u" in text or text.count("[") + text.count("{") > MAX_DEPTH:
        check_value(value)
    # else there is nothing to find: in text decoded from UTF-8, NUL and lone surrogates can only
    # come from \u escapes (the decoder refuses raw control characters in strings), and a value
    # nested deeper than MAX_DEPTH needs more brackets than the text has. Saves ~1/3 of the time an
    # import spends parsing (100,000 projects: ~3 s).
    return value


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None if it can."""
    if "\x00" in value:
        return "enthält ein NUL-Zeichen (\\u0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        return f"enthält ein einzelnes Surrogat (\\u{ord(value[e.start]):04x}), kein gültiger Unicode-Text"
    return None


def check_value(value: Any) -> None:
    """Every string (keys included) must be storable text; nesting at most ``MAX_DEPTH``.
    Iterative, so a hostile value cannot exhaust the stack here."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise BadJSON(f"zu tief verschachtelt (mehr als {MAX_DEPTH} Ebenen)")
        if isinstance(item, str):
            reason = text_problem(item)
            if reason:
                raise BadJSON(f"ein Text {reason}")
        elif isinstance(item, dict):
            for key, sub in item.items():
                todo.append((key, depth + 1))
                todo.append((sub, depth + 1))
        elif isinstance(item, list):
            todo.extend((sub, depth + 1) for sub in item)
