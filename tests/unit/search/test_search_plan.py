"""Query side: typos on inflected words, compounds the index lacks as a whole, E-/Elektro-, abbreviations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from search_fixture_docs import indexed, keys
from whoosh.support.levenshtein import distance

from schule.search import SearchDocument, SearchIndex
from schule.search.engine import bit_positions, near_terms, within
from schule.search.index import FILL_UP_BELOW

GATEWAYS = SearchDocument("project", "gateways", "LoRaWAN-Netz im Kreis", summary="40 Gateways auf Kirchtürmen.")
BELEUCHTUNG = SearchDocument("project", "licht", "Smarte Beleuchtung", summary="Laternen dimmen nachts.")
WHOLE = SearchDocument("project", "whole", "Bürgerbeteiligungsplattform", summary="Mitreden online.")
PARTS = SearchDocument("project", "parts", "Beteiligungsplattform für Bürger", summary="Umfragen und Ideen.")
SCATTERED = SearchDocument("project", "scattered", "Mobilität im Quartier", summary="Carsharing und Busse.",
                           text="Eine Plattform für Termine.")
E_MOBIL = SearchDocument("project", "e-mobil", "Ladepunkte", tags=("E-Mobilität",), summary="Strom tanken.")
E_AUTOS = SearchDocument("project", "e-autos", "Ladesäulen für Elektroautos", summary="An Rathaus und Schule.")
KI = SearchDocument("project", "ki", "KI im Bürgerbüro", summary="Ein Chatbot beantwortet Fragen.")
INTELLIGENZ = SearchDocument("project", "intelligenz", "Künstliche Intelligenz in der Verwaltung",
                             summary="Anträge vorsortieren.")
DOCS = [GATEWAYS, BELEUCHTUNG, WHOLE, PARTS, SCATTERED, E_MOBIL, E_AUTOS, KI, INTELLIGENZ]

TYPO_OF_SINGULAR = "Gatway"  # the text says "Gateways"
TYPO_IN_ENDING = "Beleuchtnug"  # as stems 3 edits from "beleucht", as typed 1 from "beleuchtung"
COMPOUND = "Bürgerbeteiligungsplattform"
COMPOUND_NOWHERE_WHOLE = "Mobilitätsplattform"


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    with indexed(tmp_path / "index", DOCS) as ix:
        yield ix


def test_typo_of_a_singular_finds_the_plural(index: SearchIndex) -> None:
    assert keys(index.search(TYPO_OF_SINGULAR)) == ["project:gateways"]
    assert keys(index.search(f"LoRaWAN {TYPO_OF_SINGULAR}")) == ["project:gateways"]


def test_typo_in_an_ending_is_matched_on_the_surface_word(index: SearchIndex) -> None:
    assert keys(index.search(TYPO_IN_ENDING)) == ["project:licht"]


def test_rare_compound_also_finds_its_parts_below_the_whole_word(index: SearchIndex) -> None:
    # when a compound that one document has as a whole is searched
    results = index.search(COMPOUND)

    # then a document with all of its parts (in other words) comes too, after the whole word
    assert keys(results) == ["project:whole", "project:parts"]
    assert results.hits[0].score > results.hits[1].score
    assert "<mark>Bürger</mark>" in " ".join(results.hits[1].highlights)


def test_common_word_is_not_split(tmp_path: Path) -> None:
    # given a compound in enough documents, and one document with its parts in other words
    docs = [*(SearchDocument("project", f"d{i}", "Datenplattform", summary=f"Nummer {i}.") for i in range(3)),
            SearchDocument("project", "apart", "Daten", summary="Eine Plattform.")]
    with indexed(tmp_path / "common", docs) as ix:
        # when / then only the whole word counts
        assert sorted(keys(ix.search("Datenplattform"))) == ["project:d0", "project:d1", "project:d2"]


def test_typo_that_splits_into_words_is_taken_for_a_typo(tmp_path: Path) -> None:
    # given a word in enough documents, and one document with the words its typo splits into
    docs = [*(SearchDocument("project", f"p{i}", "Wasserplatz", summary=f"Nummer {i}.") for i in range(3)),
            SearchDocument("project", "latz", "Ein Latz", summary="Wasser abweisend.")]
    with indexed(tmp_path / "typo", docs) as ix:
        # when the typo is searched / then it is corrected, not split into Wasser + Latz
        assert sorted(keys(ix.search("Wasserlatz"))) == ["project:p0", "project:p1", "project:p2"]


def test_compound_whose_parts_never_meet_finds_any_part(index: SearchIndex) -> None:
    # "Mobilitätsplattform" is nowhere; Mobilität and Plattform are together in one document only
    assert keys(index.search(COMPOUND_NOWHERE_WHOLE))[0] == "project:scattered"
    # a document with none of the parts, never
    assert "project:ki" not in keys(index.search(COMPOUND_NOWHERE_WHOLE))


def test_documents_with_every_word_come_before_those_with_some(index: SearchIndex) -> None:
    # only one document has both words: it leads, and documents with one of them fill the page
    results = keys(index.search("Plattform Termine"))

    assert results[0] == "project:scattered"
    assert len(results) > 1 and "project:scattered" not in results[1:]
    assert "project:ki" not in results  # neither word
    # asked for every word, only that document
    assert keys(index.search("Plattform Termine", match="all")) == ["project:scattered"]


def test_e_and_elektro_are_one_prefix(index: SearchIndex) -> None:
    assert keys(index.search("Elektromobilität")) == ["project:e-mobil"]
    assert keys(index.search("E-Auto")) == ["project:e-autos"]


def test_abbreviation_finds_its_expansion_and_back(index: SearchIndex) -> None:
    # the words as typed rank above their synonyms in the same field
    assert keys(index.search("KI")) == ["project:ki", "project:intelligenz"]
    assert keys(index.search("künstliche Intelligenz")) == ["project:intelligenz", "project:ki"]
    assert keys(index.search('"künstliche Intelligenz"'))[0] == "project:intelligenz"


@given(st.text("abcde", max_size=9), st.text("abcde", max_size=9), st.integers(0, 3))
def test_within_agrees_with_whooshs_distance(a: str, b: str, maxdist: int) -> None:
    assert within(a, b, maxdist) == (distance(a, b) <= maxdist)


@given(st.lists(st.text("abc", max_size=7), max_size=40), st.text("abc", max_size=7), st.integers(0, 2))
def test_near_terms_finds_exactly_the_terms_within_reach(terms: list[str], text: str, maxdist: int) -> None:
    # given a sorted vocabulary full of shared prefixes / when walked as a trie / then as one by one
    vocabulary = sorted(set(terms))
    assert near_terms(vocabulary, text, maxdist) == [t for t in vocabulary if distance(t, text) <= maxdist]


def test_engine_terms_within_agrees_with_whoosh(index: SearchIndex) -> None:
    searcher = index._get_searcher()
    engine = index._engine_for(searcher)
    reader = searcher.reader()
    for fields, text, maxdist in ((("title", "summary"), "beleuchtnug", 2), (("spell",), "gatway", 2),
                                  (("text",), "x", 1), (("title", "text"), "smarte", 1)):
        expected = {t for f in fields for t in reader.terms_within(f, text, maxdist, prefix=1)}
        assert set(engine.terms_within(fields, text, maxdist)) == expected


@pytest.mark.parametrize("with_both", [FILL_UP_BELOW - 1, FILL_UP_BELOW])
def test_documents_with_one_word_fill_up_only_a_short_list(tmp_path: Path, with_both: int) -> None:
    both = [SearchDocument("project", f"beide-{n}", f"Radweg Beleuchtung {n}") for n in range(with_both)]
    one = SearchDocument("project", "nur-radweg", "Radweg am Fluss")
    with indexed(tmp_path / "fill", [*both, one]) as ix:
        found = keys(ix.search("Radweg Beleuchtung", limit=50))

    if with_both < FILL_UP_BELOW:
        assert found[-1] == "project:nur-radweg" and len(found) == with_both + 1
    else:
        assert "project:nur-radweg" not in found and len(found) == with_both


@given(st.integers(min_value=0, max_value=2**3000))
@example(0)
@example((1 << 9999) | (1 << 8) | (1 << 5) | 1)  # sparse: runs of zero bytes between the bits
@example((1 << 4096) - 1)  # dense: one run
def test_bit_positions_are_the_set_bits_lowest_first(bits: int) -> None:
    assert bit_positions(bits) == [i for i in range(bits.bit_length()) if bits >> i & 1]
