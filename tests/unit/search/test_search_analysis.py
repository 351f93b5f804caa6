"""German analysis: folding, stemming, decompounding."""

from __future__ import annotations

import pytest

from schule.search.analysis import analyze_index, analyze_query, compound_parts
from schule.search.folding import fold

UMLAUT_PAIRS = [("Bürger", "Buerger"), ("Mobilität", "Mobilitaet"), ("Förderung", "Foerderung"),
                ("Straße", "Strasse"), ("Bürger", "Burger")]
KEPT_DIGRAPHS = ["quelle", "feuer", "neue", "sauerland", "steuer"]
PLURALS = [("Parkplatz", "Parkplätze"), ("Sensor", "Sensoren"), ("Station", "Stationen"), ("Labor", "Labore")]
# plurals in -s that Snowball German leaves alone (it strips -s only after b d f g h k l m n r t)
LOANWORD_PLURALS = [("Auto", "Autos"), ("Kita", "Kitas"), ("Kamera", "Kameras"), ("Handy", "Handys"),
                    ("Gateway", "Gateways"), ("App", "Apps"), ("Tipp", "Tipps"), ("Workshop", "Workshops"),
                    ("Interview", "Interviews"), ("City", "Cities"), ("Community", "Communities"),
                    ("Elektroauto", "Elektroautos"), ("Büro", "Büros")]
# an -s outside Snowball's R1, or after u, i, e, s: part of the word
KEEP_S = ["Gas", "Glas", "Chaos", "Haus", "Bus", "Status", "Tourismus", "Ergebnis", "Prozess"]
COMPOUNDS = [
    ("Datenplattform", {"daten", "plattform"}),
    ("Wanderparkplätze", {"park", "parkplatz", "platz"}),
    ("Bürgerbeteiligungsplattform", {"burgerbeteiligung", "beteiligung", "plattform"}),
    ("Parkplatzsensoren", {"parkplatz", "sensor"}),
    # a short modifier (not a noun) starts the compound: its head and the head's parts are found
    ("Nahwärmenetz", {"wärmenetz", "wärme", "netz"}),
    ("Neubaugebiet", {"baugebiet", "bau", "gebiet"}),
    ("Altstadt", {"stadt"}),
]


@pytest.mark.parametrize(("with_umlaut", "transliterated"), UMLAUT_PAIRS)
def test_umlaut_spellings_analyse_identically_both_ways(with_umlaut: str, transliterated: str) -> None:
    # given two spellings of one word / when analysed / then the terms agree
    assert analyze_query(with_umlaut) == analyze_query(transliterated)
    assert analyze_index(transliterated)[0] == analyze_index(with_umlaut)[0]


@pytest.mark.parametrize("word", KEPT_DIGRAPHS)
def test_diphthongs_and_qu_are_not_contracted(word: str) -> None:
    assert fold(word) == word


@pytest.mark.parametrize(("singular", "plural"), PLURALS)
def test_plurals_share_the_stem(singular: str, plural: str) -> None:
    assert analyze_query(singular) == analyze_query(plural)


@pytest.mark.parametrize(("singular", "plural"), LOANWORD_PLURALS)
def test_loanword_plurals_in_s_share_the_stem(singular: str, plural: str) -> None:
    assert analyze_query(singular) == analyze_query(plural)


@pytest.mark.parametrize("word", KEEP_S)
def test_final_s_of_a_word_is_kept(word: str) -> None:
    assert analyze_query(word)[0].endswith("s")


def test_loanword_rule_keeps_forms_that_snowball_unified_together() -> None:
    # the rule works on stems, so the forms of one word still meet (kostenlos/kostenlose/kostenloses)
    assert len({analyze_query(w)[0] for w in ("kostenlos", "kostenlose", "kostenloses")}) == 1
    assert len({analyze_query(w)[0] for w in ("Ergebnis", "Ergebnisse", "Ergebnissen")}) == 1


FEMININE = [("Koordinator", "Koordinatorin", "Koordinatorinnen"), ("Student", "Studentin", "Studentinnen"),
            ("Praktikant", "Praktikantin", "Praktikantinnen"), ("Journalist", "Journalistin", "Journalistinnen"),
            ("Ingenieur", "Ingenieurin", "Ingenieurinnen"), ("Experte", "Expertin", "Expertinnen"),
            ("Kollege", "Kollegin", "Kolleginnen"), ("Pädagoge", "Pädagogin", "Pädagoginnen"),
            ("Architekt", "Architektin", "Architektinnen"), ("Beamter", "Beamtin", "Beamtinnen"),
            ("Berater", "Beraterin", "Beraterinnen")]
# words in -in / -ine that are no feminine forms, beside the word they must not turn into
NOT_FEMININE = [("Kantine", "Kante"), ("Termin", "Term"), ("Benzin", "Benz"), ("Gewinn", "Gewinde"),
                ("Medizin", "Medien"), ("Routine", "Route"), ("Disziplin", "Diszipel"), ("Protein", "Protest")]


@pytest.mark.parametrize("forms", FEMININE)
def test_feminine_person_nouns_share_the_masculine_stem(forms: tuple[str, ...]) -> None:
    assert len({tuple(analyze_query(w)) for w in forms}) == 1


@pytest.mark.parametrize(("word", "other"), NOT_FEMININE)
def test_words_in_in_that_are_no_feminine_forms_keep_it(word: str, other: str) -> None:
    assert analyze_query(word)[0].endswith(("in", "inn"))
    assert analyze_query(word) != analyze_query(other)


@pytest.mark.parametrize(("compound", "parts"), COMPOUNDS)
def test_compounds_index_whole_word_and_parts(compound: str, parts: set[str]) -> None:
    # when a compound is analysed for the index
    terms = analyze_index(compound)

    # then the whole word comes first and its parts follow (stemmed)
    assert terms[0] == analyze_query(compound)[0]
    stems = {analyze_query(p)[0] for p in parts}
    assert stems <= set(terms)


def test_a_short_modifier_is_no_search_term_of_its_own() -> None:
    # "neu" alone would make every Neu- compound a hit for "neue …"
    assert "neu" not in analyze_index("Neubaugebiet")
    assert "nah" not in analyze_index("Nahwärmenetz")


def test_query_side_does_not_split() -> None:
    assert analyze_query("Datenplattform") == ["datenplattform"]


def test_simple_words_are_not_split() -> None:
    for word in ("Verwaltung", "Beteiligung", "Bürgerinnen", "Quelle"):
        assert len(analyze_index(word)) == 1, word


def test_words_kept_whole_stay_whole_when_inflected() -> None:
    # "Plattform" is on the no-split list; "Plattformen" must not become "Platt" + "Formen"
    assert analyze_index("Plattformen") == ["plattform"]
    assert set(analyze_index("Datenplattformen")) == {"datenplattform", "dat", "plattform"}


def test_compound_parts_are_the_smallest_parts_the_index_holds() -> None:
    # given a compound the query side splits only as a fallback
    parts = compound_parts("Mobilitätsdatenplattform")

    # then its parts are stemmed like the index terms, and every one of them is indexed for it
    assert parts == [analyze_query(w)[0] for w in ("Mobilität", "Daten", "Plattform")]
    assert set(parts) <= set(analyze_index("Mobilitätsdatenplattform"))
    assert compound_parts("Verwaltung") == []
    assert compound_parts("Co-Working") == []


def test_hyphenated_words_give_joined_form_and_parts() -> None:
    assert analyze_index("Co-Working")[:3] == ["coworking", "co", "working"]


MIXED_TEXT = ("Die Smart-City-Strategie der Bürgerinnen und Bürger: Co-Working in Wanderparkplätzen, "
              "über 12 Ladesäulen, a‐b‑c, x, " + "y" * 70 + " Straßenbeleuchtung und die Straßenbeleuchtung")


@pytest.mark.parametrize("make", ["german", "spelling"])
@pytest.mark.parametrize("kwargs", [
    {"mode": "index", "positions": True, "chars": True},
    {"mode": "query"},
    {"mode": "index", "removestops": False, "positions": True, "chars": True, "start_pos": 5, "start_char": 7},
    {"mode": "query", "removestops": False, "positions": True},
])
def test_fused_analyzer_gives_the_tokens_of_the_filter_chain(make: str, kwargs: dict[str, object]) -> None:
    # given the memoised analyzer and the unfused tokenizer + filter chain it stands for
    from schule.search.analysis import german_analyzer, spelling_analyzer
    fused = german_analyzer() if make == "german" else spelling_analyzer()

    def tokens(analyzer: object) -> list[tuple[object, ...]]:
        return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None), getattr(t, "endchar", None),
                 t.stopped, t.original) for t in analyzer(MIXED_TEXT, **kwargs)]  # type: ignore[operator]

    # when both analyse the same text (twice for the fused one: cold and cached) / then they agree
    expected = tokens(fused.chain())
    assert tokens(fused) == expected
    assert tokens(fused) == expected
