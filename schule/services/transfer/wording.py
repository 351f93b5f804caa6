"""German wording of reasons: Kreis names in the dative, numbers, quoted names, lists.

Kreis names come in three grammatical forms, and each takes the dative differently after "im":

* "Kreis Olpe", "Kreis Siegen-Wittgenstein", "Landkreis Gifhorn": the noun stays -> "im Kreis Olpe";
* one word ending in "kreis" ("Hochsauerlandkreis", "Ennepe-Ruhr-Kreis", "Rhein-Sieg-Kreis"):
  a masculine noun, unchanged -> "im Hochsauerlandkreis";
* an adjective before "Kreis" ("Märkischer Kreis", "Oberbergischer Kreis", "Rheinisch-Bergischer
  Kreis"): the adjective takes the weak dative ending -en -> "im Märkischen Kreis",
  "im Rheinisch-Bergischen Kreis" (only the last, inflected part changes).

Feminine names ("Städteregion Aachen", "Region Hannover") take "in der".
"""

from __future__ import annotations

from collections.abc import Sequence

from schule.domain.population import format_number

__all__ = ["in_kreis", "format_number", "quoted", "german_list", "plural"]

_FEMININE = ("Städteregion ", "Region ")


def in_kreis(name: str) -> str:
    """'im Märkischen Kreis', 'im Kreis Olpe', 'im Hochsauerlandkreis', 'in der Städteregion Aachen'."""
    name = " ".join(name.split())
    if name.startswith(_FEMININE):
        return f"in der {name}"
    words = name.split(" ")
    if len(words) >= 2 and words[-1] == "Kreis" and words[-2].endswith("er"):
        words[-2] = words[-2][:-2] + "en"
    return "im " + " ".join(words)


def quoted(name: str) -> str:
    """A name in German quotation marks: „Smart Cities: Schule“."""
    return f"„{name}“"


def german_list(items: Sequence[str]) -> str:
    """'A', 'A und B', 'A, B und C'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} und {items[-1]}"


def plural(count: int, singular: str, plural_form: str) -> str:
    """'1 Projekt', '3 Projekte' (numbers as German writes them)."""
    return f"{format_number(count)} {singular if count == 1 else plural_form}"
