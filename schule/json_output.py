"""Writing JSON Lines (exports and backups) that every reader splits where we do: at line feeds.

``json.dumps`` escapes the C0 control characters, among them every line break of ASCII (line
feed, carriage return, vertical tab, form feed, the separators U+001C to U+001E). With
``ensure_ascii=False`` it writes U+0085 (NEXT LINE), U+2028 (LINE SEPARATOR) and U+2029 (PARAGRAPH
SEPARATOR) raw, and Python's ``str.splitlines``, older JavaScript and many editors and line-based
tools break lines there. A title holding one (the API accepts it) would then cut its record in two.
``ensure_ascii=True`` would escape these too, but also every umlaut and ß, and people in Germany
read these files: so only these three are escaped; all other text stays as it is.
"""

from __future__ import annotations

import json
from typing import Any

# The line breaks json.dumps leaves raw (every one below U+0020 it escapes itself).
LINE_BREAKS_LEFT_RAW = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_line(value: Any) -> str:
    """``value`` as one line of JSON Lines, with its line feed. These characters can only stand inside
    JSON strings (the encoder never writes them between tokens), where the escape means the same."""
    return json.dumps(value, ensure_ascii=False).translate(LINE_BREAKS_LEFT_RAW) + "\n"
