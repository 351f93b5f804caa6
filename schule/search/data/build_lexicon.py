"""Regenerate ``de_nouns.txt.gz`` from the ``german-nouns`` package (Wiktionary, CC BY-SA 4.0).

Only needed when refreshing the vendored list, never at run time::

    pip download --no-deps german-nouns==1.2.5 -d /tmp/gn && unzip -o /tmp/gn/*.whl -d /tmp/gn
    python -m schule.search.data.build_lexicon /tmp/gn/german_nouns/nouns.csv

The output holds one folded word form a line (lemmas and all declined forms of common nouns), without
abbreviations, first names, surnames, place names and street names, which only cause false splits.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

from schule.search.folding import fold

_SKIP_POS = {"Abkürzung", "Vorname", "Nachname", "Toponym", "Eigenname", "Straßenname", "Buchstabe",
             "Symbol", "Affix", "Suffix", "Gebundenes Lexem", "Zahlklassifikator", "Redewendung",
             "Grußformel", "Partikel", "Geflügeltes Wort", "Wortverbindung"}
_META_COLUMNS = {1, 2, 3, 4, 5, 6}
OUTPUT = Path(__file__).with_name("de_nouns.txt.gz")


def build(csv_path: Path) -> set[str]:
    words: set[str] = set()
    with csv_path.open(encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        for row in rows:
            if _SKIP_POS.intersection(row[1].split(",")):
                continue
            for col, value in enumerate(row):
                if col in _META_COLUMNS or not value:
                    continue
                word = value.lower()
                if word.isalpha() and len(word) >= 3:
                    words.add(fold(word))
    return words


def main(argv: list[str]) -> None:
    words = build(Path(argv[1]))
    with gzip.open(OUTPUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(sorted(words)))
        out.write("\n")
    print(f"{len(words)} forms -> {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv)
