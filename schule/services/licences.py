"""Licences as SPDX expressions (``EUPL-1.2``, ``GPL-3.0-or-later OR MIT``).

``publiccode.yml`` requires an SPDX expression in ``legal/license``; files in the wild also write
``GPL v3``, ``EUPL 1.2``, ``MIT License`` or ``Apache License, Version 2.0``. ``spdx`` returns the
canonical expression (validated by ``license-expression`` against the SPDX list, case repaired,
deprecated ids such as ``GPL-3.0`` as their current ``GPL-3.0-only``), and for the usual
spellings of the common licences the id they mean, with a note saying so. Anything else is None:
a licence schule cannot name is left out rather than guessed.
"""

from __future__ import annotations

import functools
import re

from license_expression import Licensing, get_spdx_licensing

# Spellings seen in the wild, reduced by ``_squeeze`` (lower case; "GNU", "the", "license",
# "version" and punctuation dropped; long names shortened); each means the SPDX id beside it. A GPL
# without "or later" is read as "only", as SPDX reads the deprecated id "GPL-3.0".
_ALIASES = {
    "mit": "MIT", "expat": "MIT",
    "apache2": "Apache-2.0", "apache20": "Apache-2.0", "asl2": "Apache-2.0", "asl20": "Apache-2.0",
    "eupl12": "EUPL-1.2", "eupl11": "EUPL-1.1",
    "gpl2": "GPL-2.0-only", "gpl20": "GPL-2.0-only", "gpl2orlater": "GPL-2.0-or-later",
    "gpl20orlater": "GPL-2.0-or-later",
    "gpl3": "GPL-3.0-only", "gpl30": "GPL-3.0-only", "gpl3orlater": "GPL-3.0-or-later",
    "gpl30orlater": "GPL-3.0-or-later",
    "agpl3": "AGPL-3.0-only", "agpl30": "AGPL-3.0-only", "agpl3orlater": "AGPL-3.0-or-later",
    "agpl30orlater": "AGPL-3.0-or-later",
    "lgpl21": "LGPL-2.1-only", "lgpl21orlater": "LGPL-2.1-or-later", "lgpl3": "LGPL-3.0-only",
    "lgpl30": "LGPL-3.0-only", "lgpl3orlater": "LGPL-3.0-or-later", "lgpl30orlater": "LGPL-3.0-or-later",
    "mpl2": "MPL-2.0", "mpl20": "MPL-2.0",
    "bsd3": "BSD-3-Clause", "bsd3clause": "BSD-3-Clause", "newbsd": "BSD-3-Clause", "modifiedbsd": "BSD-3-Clause",
    "bsd2": "BSD-2-Clause", "bsd2clause": "BSD-2-Clause", "simplifiedbsd": "BSD-2-Clause",
    "cc0": "CC0-1.0", "cc010": "CC0-1.0", "ccby4": "CC-BY-4.0", "ccby40": "CC-BY-4.0",
    "ccbysa4": "CC-BY-SA-4.0", "ccbysa40": "CC-BY-SA-4.0",
}
_LONG_NAMES = (
    ("affero general public", "agpl"), ("lesser general public", "lgpl"), ("library general public", "lgpl"),
    ("general public", "gpl"), ("mozilla public", "mpl"), ("european union public", "eupl"),
    ("creative commons attribution share alike", "cc by sa"), ("creative commons attribution", "cc by"),
)
_NOISE = re.compile(r"\b(the|gnu|licen[cs]e[sd]?|lizenz|version)\b")


@functools.cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def _squeeze(text: str) -> str:
    text = text.lower()
    for long, short in _LONG_NAMES:
        text = text.replace(long, short)
    text = re.sub(r"[-\s]*or[-\s]*later|\+", " orlater ", text)
    text = _NOISE.sub(" ", text)
    text = re.sub(r"(?<=[a-z ])v(?=\d)", "", text)  # "GPLv3", "EUPL v1.2"
    return re.sub(r"[^a-z0-9]", "", text)


def spdx(licence: str) -> tuple[str | None, str | None]:
    """``(SPDX expression or None, a note for the operator or None)``."""
    text = " ".join(licence.split())
    if not text or len(text) > 200:
        return None, f"Lizenz {licence[:60]!r} ist keine SPDX-Angabe; nicht übernommen"
    try:
        info = _licensing().validate(text)
        expression = None if info.errors else info.normalized_expression
    except Exception:  # license-expression's validate itself fails on some inputs (e.g. a comma)
        expression = None
    if expression:
        return str(expression), None
    alias = _ALIASES.get(_squeeze(text))
    if alias is not None:
        return alias, f"Lizenz {text!r} als SPDX „{alias}“ gelesen"
    return None, f"Lizenz {text!r} ist keine SPDX-Angabe; nicht übernommen"
