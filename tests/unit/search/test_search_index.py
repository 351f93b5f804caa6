"""SearchIndex: querying, hostile input, facets, filters, highlights, suggestions, ranking, writing."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_fixture_docs import DOCS, PARK, indexed, keys

from schule.search import SearchDocument, SearchIndex
from schule.search.index import document_fingerprint

PARKPLATZ = "Parkplatz"
TRANSLITERATED = "Buergerbeteiligung"
TYPO = "Datenplatform"
PHRASE = '"offene regionale"'
PREFIX = "Datenpl*"
MISSPELLED_UNKNOWN = "Bürgerbeteilgungsplatform"
HOSTILE = ['"', '"unbalanced', "AND", "OR", "NOT", "-", "+", "*", "**", "title:foo", "kind:project AND",
           "(", ")", "[", "{", "~2", "^3", "a" * 10_000, "\x00\x01\x1b[31m", "", "   ", "\t\n", "'",
           "Park\x00platz", '"" ""', "-Parkplatz", "*Park", "Park**", "NOT AND OR", "ä" * 300]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    with indexed(tmp_path / "index", DOCS) as ix:
        yield ix


def test_compound_part_finds_compound(index: SearchIndex) -> None:
    assert keys(index.search(PARKPLATZ))[0] == "project:park"


def test_transliteration_finds_umlaut_word(index: SearchIndex) -> None:
    assert keys(index.search(TRANSLITERATED))[0] == "project:beteiligung"


def test_typo_is_tolerated(index: SearchIndex) -> None:
    assert keys(index.search(TYPO))[0] == "project:daten"


def test_phrase_and_prefix(index: SearchIndex) -> None:
    assert keys(index.search(PHRASE)) == ["project:daten"]
    assert keys(index.search(PREFIX))[0] == "project:daten"


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(index: SearchIndex, query: str) -> None:
    results = index.search(query)
    assert results.total >= 0 and isinstance(results.hits, list)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_is_a_valid_query(index: SearchIndex, query: str) -> None:
    results = index.search(query, limit=3)
    assert results.total >= len(results.hits)


def test_facets_count_the_whole_result_set(index: SearchIndex) -> None:
    # when one hit per page is asked for
    results = index.search("Sensoren", limit=1)

    # then the facets still count every match
    assert results.total == 2 and len(results.hits) == 1
    assert dict(results.facets["kind"]) == {"project": 1, "lesson": 1}
    assert dict(results.facets["commune"]) == {"olpe": 2}


def test_facets_and_filters_follow_writes_to_documents_of_older_segments(index: SearchIndex) -> None:
    # given the facets as a first search built them (they are kept by index segment)
    assert dict(index.search("Sensoren").facets["commune"]) == {"olpe": 2}

    # when the project moves to Menden in a later write (its old version is deleted in the old
    # segment, which stays) and another write adds a project in Menden
    moved = dataclasses.replace(PARK, communes=("menden",), commune_names=("Menden",), kreise=("Märkischer Kreis",))
    index.upsert([moved])
    index.upsert([dataclasses.replace(PARK, id="park-menden", communes=("menden",), commune_names=("Menden",))])

    # then counts and filters see the moved and the new version, not the deleted one
    results = index.search("Sensoren")
    assert dict(results.facets["commune"]) == {"menden": 2, "olpe": 1}
    assert set(keys(index.search("Sensoren", filters={"commune": ["olpe"]}))) == {"lesson:akku"}
    in_menden = index.search("Sensoren", filters={"commune": ["menden"]})
    assert set(keys(in_menden)) == {"project:park", "project:park-menden"}


def test_facets_can_be_left_out_without_changing_the_hits(index: SearchIndex) -> None:
    for query, filters in (("Sensoren", None), ("", {"commune": ["olpe"]})):
        full = index.search(query, filters=filters)
        bare = index.search(query, filters=filters, facets=False)
        assert full.facets and bare.facets == {}
        assert (bare.total, keys(bare)) == (full.total, keys(full))


def test_filters_and_across_facets_or_within(index: SearchIndex) -> None:
    either = index.search("Beteiligung", filters={"commune": ["soest", "menden"]})
    both = index.search("Beteiligung", filters={"commune": ["soest", "menden"], "status": ["planning"]})
    kinds = index.search("Sensoren", kinds=["lesson"])
    assert set(keys(either)) == {"project:beteiligung", "project:beteiligung-menden"}
    assert keys(both) == ["project:beteiligung-menden"]
    assert keys(kinds) == ["lesson:akku"]


def test_highlights_mark_matches_and_escape_html(index: SearchIndex) -> None:
    hit = index.search("Parkplätze").hits[0]
    joined = " ".join(hit.highlights)
    assert "<mark>Parkplatzsensoren</mark>" in joined
    assert "&lt;b&gt;live&lt;/b&gt; &amp; mehr" in joined
    assert "<b>" not in joined


def test_suggestions_are_real_words(index: SearchIndex) -> None:
    results = index.search(MISSPELLED_UNKNOWN)
    assert results.suggestions == ["Bürgerbeteiligungsplattform"]


def test_no_suggestion_for_known_words(index: SearchIndex) -> None:
    assert index.search(PARKPLATZ).suggestions == []


def _twin(id: str, status: str, adaptations: int, text: str = "Ein Dashboard für Pegelstände.") -> SearchDocument:
    return SearchDocument("project", id, "Pegel-Dashboard", (), "Pegelstände online.", text, status=status,
                          adaptation_count=adaptations)


def test_proven_solution_ranks_first_among_equals(tmp_path: Path) -> None:
    # given two otherwise identical projects, one adapted elsewhere and in operation
    with indexed(tmp_path / "twins", [_twin("a-idea", "idea", 0), _twin("b-proven", "operation", 2)]) as ix:
        # when / then
        assert keys(ix.search("Pegel Dashboard")) == ["project:b-proven", "project:a-idea"]


def test_much_better_text_match_beats_proven_weak_match(tmp_path: Path) -> None:
    strong = SearchDocument("project", "strong", "Hochwasser-Frühwarnung", ("Hochwasser",),
                            "Hochwasser früh erkennen.", "Hochwasser an Bächen.", status="idea")
    weak = SearchDocument("project", "weak", "Feuerwehr-Dashboard", (), "Einsatzplanung.",
                          "Auch bei Hochwasser nützlich.", status="completed", adaptation_count=5)
    with indexed(tmp_path / "strong", [weak, strong]) as ix:
        assert keys(ix.search("Hochwasser"))[0] == "project:strong"


def test_upsert_replaces_and_delete_removes(index: SearchIndex) -> None:
    index.upsert([SearchDocument("project", "park", "Radwege", summary="Neue Radwege.")])
    assert index.doc_count() == len(DOCS)
    assert keys(index.search("Radwege")) == ["project:park"]
    assert index.delete([PARK.key]) == 1
    assert index.search("Radwege").total == 0


def test_rebuild_swaps_in_a_fresh_index(index: SearchIndex, tmp_path: Path) -> None:
    other = SearchIndex.open(tmp_path / "index")  # a second handle, e.g. another process
    assert index.rebuild(DOCS[:2], procs=1) == 2
    assert index.doc_count() == 2 and other.doc_count() == 2
    other.close()


def test_similar_prefers_related_and_shared_handlungsfeld(index: SearchIndex) -> None:
    similar = [h.id for h in index.similar("project", "beteiligung")]
    assert similar[0] == "beteiligung-menden"
    assert "beteiligung" not in similar


def test_similar_ranks_adaptations_first_and_returns_only_projects(tmp_path: Path) -> None:
    # given a project, the project that adapted it, and communes/organisations sharing its place names
    olpe = SearchDocument("project", "olpe-parkplatzsensoren", "Parkplatzsensoren in der Innenstadt",
                          summary="Sensoren zeigen freie Stellplätze in Olpe an.", communes=("olpe",),
                          commune_names=("Olpe",), status="operation", related_ids=("soest-parken",))
    soest = SearchDocument("project", "soest-parken", "Parken in Soest", summary="Übernommen aus Olpe.",
                           communes=("soest",), commune_names=("Soest",), related_ids=("olpe-parkplatzsensoren",))
    other = SearchDocument("project", "olpe-sensoren", "Sensoren in der Innenstadt von Olpe",
                           summary="Sensoren zeigen freie Stellplätze in Olpe an.", communes=("olpe",))
    noise = [SearchDocument("commune", "olpe", "Olpe", summary="Kreis Olpe Südwestfalen"),
             SearchDocument("commune", "attendorn", "Attendorn", summary="Kreis Olpe Südwestfalen"),
             SearchDocument("organisation", "olpe-sensoren", "Sensoren Innenstadt Olpe Stellplätze")]
    with indexed(tmp_path / "similar", [olpe, soest, other, *noise]) as ix:
        # when
        forward = ix.similar("project", "olpe-parkplatzsensoren", limit=10)
        backward = ix.similar("project", "soest-parken", limit=10)

    # then the adaptation comes first in both directions, and only projects are returned
    assert [h.id for h in forward][:2] == ["soest-parken", "olpe-sensoren"]
    assert backward[0].id == "olpe-parkplatzsensoren"
    assert {h.kind for h in forward + backward} == {"project"}


def test_similar_of_unknown_document_is_empty(index: SearchIndex) -> None:
    assert index.similar("project", "does-not-exist") == []


def test_text_not_in_the_index_finds_its_likely_duplicates_of_the_same_kind(tmp_path: Path) -> None:
    # given published projects (and a lesson and a commune with the same words)
    docs = [SearchDocument("project", "olpe-parkplatzsensoren", "Parkplatzsensoren in der Innenstadt",
                           summary="Sensoren zeigen freie Stellplätze in Olpe an."),
            SearchDocument("project", "soest-stadtlabor", "Stadtlabor Soest", summary="Ein Lernort."),
            SearchDocument("lesson", "sensoren-lesson", "Parkplatzsensoren brauchen Strom",
                           summary="Sensoren zeigen freie Stellplätze an."),
            SearchDocument("commune", "olpe", "Olpe", summary="Parkplatzsensoren Stellplätze")]
    with indexed(tmp_path / "like", docs) as ix:
        # when a submission that is not in the index asks for entries like it
        hits = ix.like_text("project", "Parkplatzsensoren für Olpe: freie Stellplätze in der Innenstadt")
        mine = ix.like_text("project", "Parkplatzsensoren in der Innenstadt", exclude="olpe-parkplatzsensoren")
        nothing = ix.like_text("project", "   ")
    # then the project with the same words comes first, and only projects are returned
    assert hits[0].id == "olpe-parkplatzsensoren"
    assert {h.kind for h in hits} == {"project"}
    # and an entry is never its own duplicate; a text without words finds nothing
    assert "olpe-parkplatzsensoren" not in [h.id for h in mine]
    assert nothing == []


def test_rebuild_writes_the_same_postings_as_whooshs_default_writer(tmp_path: Path) -> None:
    # given the fixture documents written by rebuild (fast length lookups) and by a plain Whoosh writer
    from whoosh import index as whoosh_index

    from schule.search.index import _fields, _schema
    rebuilt = SearchIndex.open(tmp_path / "rebuilt")
    rebuilt.rebuild(DOCS, procs=1)
    (tmp_path / "plain").mkdir()
    plain = whoosh_index.create_in(str(tmp_path / "plain"), _schema())
    with plain.writer() as writer:
        for doc in DOCS:
            writer.add_document(**_fields(doc))

    def postings(ix: object) -> list[tuple[object, ...]]:
        with ix.reader() as r:  # type: ignore[attr-defined]
            return [(f, b, r.term_info(f, b).min_length(), r.term_info(f, b).max_length(),
                     r.term_info(f, b).weight(), list(r.postings(f, b).all_items()))
                    for f in r.schema.names() if r.schema[f].indexed for b in r.lexicon(f)]

    # then terms, postings and block length bounds agree, and the segment records the default codec
    assert postings(rebuilt._index()) == postings(plain)
    with rebuilt._index().reader() as reader:
        assert type(reader.segment().codec()).__name__ == "W3Codec"
    rebuilt.close()


def test_index_knows_whether_its_analysis_is_current(index: SearchIndex, tmp_path: Path) -> None:
    # given an index written by this code, one rebuilt by it, and one from before the version marker
    from schule.search.index import _ANALYSIS_FILE
    index.upsert(DOCS[:1])
    assert index.analysis_current()
    index.rebuild(DOCS, procs=1)
    assert index.analysis_current()
    old = SearchIndex.open(tmp_path / "old")
    (old.path / os.readlink(old.path / "current") / _ANALYSIS_FILE).unlink()

    # then only the old one asks for a rebuild, and a rebuild brings it up to date
    assert not old.analysis_current()
    old.rebuild(DOCS, procs=1)
    assert old.analysis_current()
    old.close()


def test_a_write_decodes_only_the_new_segment_again(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from schule.search import engine
    from schule.search import index as index_module

    decoded: list[str] = []  # segment ids, one per decoded term (postings and facet values)
    real_decode = engine.decode_postings

    def counting_decode(sub: Any, field: str, btext: bytes) -> Any:
        decoded.append(sub._segid)
        return real_decode(sub, field, btext)

    monkeypatch.setattr(engine, "decode_postings", counting_decode)
    monkeypatch.setattr(index_module, "decode_postings", counting_decode)
    before = keys(index.search(PARKPLATZ))
    old_segments = set(decoded)

    # a write adds a segment and opens a new searcher
    index.upsert([SearchDocument("project", "neu-parkplatz", "Parkplatz am Bahnhof")])
    decoded.clear()
    after = keys(index.search(PARKPLATZ))

    assert old_segments and before
    assert "project:neu-parkplatz" in after and set(before) <= set(after)
    # the old segment's postings and facet bitmaps came from the caches; only the new segment was read
    assert decoded and not set(decoded) & old_segments


def test_warm_decodes_frequent_terms_ahead_of_queries(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from schule.search import engine
    from schule.search import index as index_module

    # the fixture is small: every term counts as frequent (min_df 1 instead of WARM_MIN_DF)
    monkeypatch.setattr(engine.Engine.warm, "__defaults__", (engine.WARM_POSTINGS, 1, lambda: False))
    warmed = index.warm()
    decoded: list[tuple[str, bytes]] = []
    real_decode = engine.decode_postings

    def counting_decode(sub: Any, field: str, btext: bytes) -> Any:
        decoded.append((field, btext))
        return real_decode(sub, field, btext)

    monkeypatch.setattr(engine, "decode_postings", counting_decode)
    monkeypatch.setattr(index_module, "decode_postings", counting_decode)  # the facet bitmaps
    results = index.search(PARKPLATZ)

    assert warmed > 0
    assert keys(results)[0] == "project:park"  # same answer as cold
    assert decoded == []  # everything the query read was decoded by warm()


def test_searches_go_in_between_while_warm_works_through_the_terms(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads take turns on the searcher (``_reads``); warming 100k documents takes seconds, so warm
    lets waiting searches in between its terms instead of holding them back until it is done."""
    from schule.search import engine

    monkeypatch.setattr(engine.Engine.warm, "__defaults__", (engine.WARM_POSTINGS, 1, lambda: False))
    searched = threading.Event()
    found: list[list[str]] = []

    def search() -> None:
        found.append(keys(index.search(PARKPLATZ)))
        searched.set()

    def stop() -> bool:  # asked between terms: the first time, a user searches meanwhile
        if not found:
            threading.Thread(target=search).start()
            assert searched.wait(timeout=30), "the search waited for warm to finish"
        return False

    assert index.warm(stop=stop) > 0
    assert found and found[0][0] == "project:park"


def test_warm_works_once_per_index_generation(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app warms after every drain; a drain of changes that wrote no document (a member's draft)
    leaves the searcher as it was, and warming it again would walk its term dictionary for nothing."""
    from schule.search import engine

    monkeypatch.setattr(engine.Engine.warm, "__defaults__", (engine.WARM_POSTINGS, 1, lambda: False))
    walks: list[int] = []
    real_warm = engine.Engine.warm

    def counting(self: Any, *args: Any, **kwargs: Any) -> int:
        walks.append(1)
        return int(real_warm(self, *args, **kwargs))

    monkeypatch.setattr(engine.Engine, "warm", counting)
    assert index.warm() > 0 and walks == [1]
    # nothing written since: nothing to do
    assert index.warm() == 0 and walks == [1]
    # a write opens a new searcher, which is warmed
    index.upsert([SearchDocument("project", "neu-parkplatz", "Parkplatz am Bahnhof")])
    index.warm()
    assert walks == [1, 1]
    assert "project:neu-parkplatz" in keys(index.search(PARKPLATZ))


def test_warm_stops_when_asked(index: SearchIndex) -> None:
    assert index.warm(stop=lambda: True) == 0


def test_fingerprints_follow_what_is_written(index: SearchIndex) -> None:
    # every document has the fingerprint of what was written for it ...
    assert index.fingerprints() == {d.key: document_fingerprint(d) for d in DOCS}
    # ... and a changed document a different one, even if only an embedded name changed
    renamed = dataclasses.replace(PARK, commune_names=("Olpe (Biggesee)",))
    assert document_fingerprint(renamed) != document_fingerprint(PARK)
    index.upsert([renamed])
    assert index.fingerprints()["project:park"] == document_fingerprint(renamed)
    index.delete(["project:park"])
    assert "project:park" not in index.fingerprints()


def test_keys_embedding_names_documents_by_commune_field_or_related_entry(index: SearchIndex) -> None:
    assert index.keys_embedding(["olpe"]) == {"project:park", "project:daten", "lesson:akku"}
    assert index.keys_embedding(["mobilitaet"]) == {"project:park", "lesson:akku"}
    assert index.keys_embedding(["beteiligung-menden"]) == {"project:beteiligung"}
    assert index.keys_embedding(["gibt-es-nicht"]) == set()
    assert index.keys_embedding([]) == set()


def test_an_empty_index_has_no_fingerprints_and_embeds_nothing(tmp_path: Path) -> None:
    with indexed(tmp_path / "empty", []) as ix:
        assert ix.has_fingerprints()
        assert ix.fingerprints() == {}
        assert ix.keys_embedding(["olpe"]) == set()


def test_a_search_asked_again_is_answered_from_the_kept_results_until_the_index_changes(index: SearchIndex) -> None:
    first = index.search(PARKPLATZ)
    computed = index.results_computed
    # asked again, with the index unchanged: the same answer, not computed again
    again = index.search(PARKPLATZ)
    assert again == first and index.results_computed == computed and index.results_reused >= 1
    # another page or another filter is another search
    index.search(PARKPLATZ, offset=1)
    index.search(PARKPLATZ, kinds=["project"])
    assert index.results_computed == computed + 2
    # a write makes a new index generation: nothing kept is reused, the new document is found
    index.upsert([SearchDocument("project", "neu-parkplatz", "Parkplatz am Bahnhof")])
    after = index.search(PARKPLATZ)
    assert index.results_computed == computed + 3
    assert "project:neu-parkplatz" in keys(after) and "project:neu-parkplatz" not in keys(first)


def test_results_with_many_facet_values_are_not_kept(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from schule.search import index as index_module

    # a deep page is not kept, nor are results with more facet values than the bound (memory)
    monkeypatch.setattr(index_module, "RESULTS_KEPT_FACET_VALUES", 0)
    assert index.search(PARKPLATZ, facets=True).facets
    computed = index.results_computed
    index.search(PARKPLATZ, facets=True)
    index.search(PARKPLATZ, facets=False)
    index.search(PARKPLATZ, facets=False)  # no facets: kept
    index.search(PARKPLATZ, limit=50, offset=60, facets=False)
    index.search(PARKPLATZ, limit=50, offset=60, facets=False)  # past RESULTS_KEPT_DEPTH: computed again
    assert index.results_computed == computed + 4
