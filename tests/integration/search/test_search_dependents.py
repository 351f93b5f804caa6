"""Documents that embed other entities follow them: a project's document names its communes (and
their Kreise) and its Handlungsfelder with their parents, a lesson's its project's title, a person's
their employer. When only that other entity changes, the documents that embed it are refreshed by the
next drain; ``repair`` finds a document whose content differs from what the graph renders now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from schule.domain.records import parse_record
from schule.search import SearchDocument, SearchIndex
from schule.services import search_sync
from schule.services.search_sync import SearchSync
from schule.store import CypherGraphStore

VILLAGE = [
    {"kind": "commune", "id": "drolshagen", "name": "Drolshagen", "kreis": "Kreis Olpe", "region": "Südwestfalen"},
    {"kind": "handlungsfeld", "id": "raum", "name": "Raumplanung"},
    {"kind": "handlungsfeld", "id": "quartier", "name": "Quartiersentwicklung", "parent": "raum"},
    {"kind": "organisation", "id": "stadtwerke-drolshagen", "name": "Stadtwerke Drolshagen"},
    {"kind": "person", "id": "paula-plan", "name": "Paula Plan", "organisation": "stadtwerke-drolshagen"},
    {"kind": "person", "id": "kai-kern", "name": "Kai Kern", "commune": "drolshagen"},
    {"kind": "project", "id": "dorfladen", "title": "Digitaler Dorfladen", "summary": "Einkaufen ohne Personal.",
     "commune": "drolshagen", "handlungsfelder": ["quartier"], "status": "operation"},
    {"kind": "lesson", "id": "dorfladen-kasse", "project": "dorfladen", "title": "Kassensystem früh testen",
     "text": "Die Selbstbedienungskasse braucht eine stabile Leitung."},
    {"kind": "project", "id": "wenden-laden", "title": "Laden für Wenden", "summary": "Nachgebaut.",
     "commune": "drolshagen", "adapted_from": ["dorfladen"]},
]


def write(store: CypherGraphStore, *records: dict[str, Any]) -> None:
    store.upsert([parse_record(r) for r in records])


def keys(sync: SearchSync, query: str = "", **filters: list[str]) -> set[str]:
    results = sync.index.search(query, filters=filters or None, limit=100)
    return {f"{h.kind}:{h.id}" for h in results.hits}


def stored(index_dir: Path) -> dict[str, dict[str, Any]]:
    """Every document's stored fields, read from the index files on disk."""
    ix = whoosh_index.open_dir(str(index_dir / "current"))
    try:
        with ix.searcher() as searcher:
            return {fields["key"]: fields for fields in searcher.all_stored_fields()}
    finally:
        ix.close()


def assert_as_rebuilt(sync: SearchSync, tmp_path: Path) -> None:
    """The followed index holds exactly what a rebuild from the graph would write."""
    fresh = SearchIndex.open(tmp_path / "rebuilt")
    try:
        fresh.rebuild(sync.builder.all(), procs=1)
    finally:
        fresh.close()
    assert stored(sync.index.path) == stored(tmp_path / "rebuilt")


def followed(store: CypherGraphStore, sync: SearchSync) -> SearchSync:
    write(store, *VILLAGE)
    sync.drain()
    assert "project:dorfladen" in keys(sync, "Drolshagen")
    return sync


def test_renaming_a_commune_refreshes_its_projects_lessons_and_people(
        store: CypherGraphStore, sync: SearchSync, tmp_path: Path) -> None:
    # given a followed index with a project, its lesson and a person of Drolshagen
    followed(store, sync)
    # when only the commune changes: a new name and another Kreis
    write(store, dict(VILLAGE[0], name="Drolshagen an der Bigge", kreis="Kreis Bigge"))
    sync.drain()
    # then everything that names the commune is found by its new name and Kreis, not the old Kreis
    everything = {"commune:drolshagen", "project:dorfladen", "project:wenden-laden", "lesson:dorfladen-kasse",
                  "person:kai-kern"}
    assert keys(sync, "Bigge") == everything
    assert keys(sync, kreis=["Kreis Bigge"]) == everything
    assert not keys(sync, kreis=["Kreis Olpe"]) & everything
    assert_as_rebuilt(sync, tmp_path)


def test_renaming_and_moving_a_handlungsfeld_refreshes_everything_filed_below_it(
        store: CypherGraphStore, sync: SearchSync, tmp_path: Path) -> None:
    followed(store, sync)
    # when the parent field is renamed
    write(store, dict(VILLAGE[1], name="Landentwicklung"))
    sync.drain()
    # then the project and lesson filed under its sub-field, and the sub-field, carry the new name
    assert keys(sync, "Landentwicklung") >= {"handlungsfeld:raum", "handlungsfeld:quartier", "project:dorfladen",
                                             "lesson:dorfladen-kasse"}
    assert_as_rebuilt(sync, tmp_path / "renamed")
    # when the sub-field moves under another parent
    write(store, dict(VILLAGE[2], parent="mobilitaet"))
    sync.drain()
    # then filtering by the new parent finds them, by the old one no longer
    below_mobility = keys(sync, handlungsfeld=["mobilitaet"])
    assert {"handlungsfeld:quartier", "project:dorfladen", "lesson:dorfladen-kasse"} <= below_mobility
    assert keys(sync, handlungsfeld=["raum"]) == {"handlungsfeld:raum"}
    assert_as_rebuilt(sync, tmp_path / "moved")


def test_a_new_project_title_reaches_its_lessons(store: CypherGraphStore, sync: SearchSync, tmp_path: Path) -> None:
    followed(store, sync)
    write(store, dict(VILLAGE[6], title="Dorfladen rund um die Uhr"))
    sync.drain()
    assert "lesson:dorfladen-kasse" in keys(sync, "Uhr")
    assert_as_rebuilt(sync, tmp_path)


def test_renaming_an_organisation_reaches_its_people(store: CypherGraphStore, sync: SearchSync,
                                                     tmp_path: Path) -> None:
    followed(store, sync)
    write(store, dict(VILLAGE[3], name="Bürgerwerke Drolshagen"))
    sync.drain()
    assert "person:paula-plan" in keys(sync, "Bürgerwerke")
    assert_as_rebuilt(sync, tmp_path)


DONE_ADOPTION = {"kind": "adaptation", "id": "dorfladen-in-drolshagen", "adopts": "dorfladen",
                 "commune": "drolshagen", "project": "wenden-laden", "status": "done"}


def test_the_adoption_signal_counts_done_adoption_records_not_links(store: CypherGraphStore, sync: SearchSync,
                                                                     tmp_path: Path) -> None:
    followed(store, sync)
    # a mere adapted_from link (wenden-laden names dorfladen) does not count
    assert stored(sync.index.path)["project:dorfladen"]["adaptation_count"] == 0
    # when a commune records a done adoption of it
    write(store, DONE_ADOPTION)
    sync.drain()
    # then the adopted project's document counts it, and the record is found itself
    assert stored(sync.index.path)["project:dorfladen"]["adaptation_count"] == 1
    assert "adaptation:dorfladen-in-drolshagen" in keys(sync, "Dorfladen")
    assert_as_rebuilt(sync, tmp_path)
    # and when the adoption is given up, it no longer counts
    write(store, dict(DONE_ADOPTION, status="abandoned"))
    sync.drain()
    assert stored(sync.index.path)["project:dorfladen"]["adaptation_count"] == 0
    assert_as_rebuilt(sync, tmp_path)


# -- repair: content fingerprints ------------------------------------------------------------------

def live_generation(sync: SearchSync) -> str:
    return str((sync.index.path / "current").readlink())


def test_repair_finds_a_document_whose_content_differs_from_the_graph(
        store: CypherGraphStore, sync: SearchSync, tmp_path: Path) -> None:
    # given a followed index in which one document went stale (as the follower once left them),
    # with as many documents as the graph has
    followed(store, sync)
    sync.index.upsert([SearchDocument(kind="project", id="dorfladen", title="Analoger Dorfladen",
                                      communes=("drolshagen",))])
    generation = live_generation(sync)
    # when the index is repaired
    outcome = sync.repair()
    # then just that document was written again, from the graph (no rebuild)
    assert outcome == "re-indexed 1 document whose content differed from the graph"
    assert live_generation(sync) == generation
    assert "project:dorfladen" in keys(sync, "Digitaler Dorfladen")
    assert "project:dorfladen" not in keys(sync, "Analoger")
    assert sync.repair() == "in sync"
    assert_as_rebuilt(sync, tmp_path)


def test_repair_replaces_a_missing_document_and_drops_a_foreign_one(
        store: CypherGraphStore, sync: SearchSync, tmp_path: Path) -> None:
    # given an index with the right number of documents, but one missing and one the graph lacks
    followed(store, sync)
    count = sync.index.doc_count()
    sync.index.delete(["person:kai-kern"])
    sync.index.upsert([SearchDocument(kind="project", id="gibt-es-nicht", title="Geisterprojekt")])
    assert sync.index.doc_count() == count
    # when the index is repaired
    outcome = sync.repair()
    # then both are fixed
    assert outcome == ("re-indexed 1 document whose content differed from the graph; "
                       "removed 1 document the graph does not have")
    assert "person:kai-kern" in keys(sync, "Kai Kern")
    assert "project:gibt-es-nicht" not in keys(sync, "Geisterprojekt")
    assert sync.index.doc_count() == count
    assert_as_rebuilt(sync, tmp_path)


def test_many_dependents_are_rendered_in_batches_each_once(
        store: CypherGraphStore, sync: SearchSync, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given more documents embedding the commune than one batch holds (and adaptations across batches)
    followed(store, sync)
    write(store, *({"kind": "project", "id": f"laden-{i}", "title": f"Laden {i}", "summary": "Nachgebaut.",
                    "commune": "drolshagen", "adapted_from": ["dorfladen", f"laden-{i - 1}" if i else "wenden-laden"]}
                   for i in range(7)))
    sync.drain()
    count = sync.index.doc_count()
    monkeypatch.setattr(search_sync, "BATCH", 2)
    # when the commune is renamed
    write(store, dict(VILLAGE[0], name="Drolshagen an der Bigge"))
    sync.drain()
    # then every document naming it has the new name, and none is in the index twice
    assert {f"project:laden-{i}" for i in range(7)} | {"project:dorfladen", "lesson:dorfladen-kasse"} <= keys(
        sync, "Bigge")
    assert sync.index.doc_count() == count
    assert_as_rebuilt(sync, tmp_path)


def test_writing_an_unchanged_entity_again_rewrites_no_document(
        store: CypherGraphStore, sync: SearchSync, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a followed index, and a record of every document written to it
    followed(store, sync)
    written: list[str] = []
    upsert = sync.index.upsert

    def recorded(docs: Any) -> int:
        docs = list(docs)
        written.extend(d.key for d in docs)
        return upsert(docs)

    monkeypatch.setattr(sync.index, "upsert", recorded)
    # when the commune and the Handlungsfelder are written again unchanged (a re-import, say)
    write(store, VILLAGE[0], VILLAGE[1], VILLAGE[2])
    assert sync.drain() == 3
    # then no document is written: neither theirs nor those embedding them
    assert written == []
    # while a real change writes the commune's document and those that embed it
    write(store, dict(VILLAGE[0], region="Sauerland"))
    sync.drain()
    assert sorted(written) == ["commune:drolshagen", "lesson:dorfladen-kasse", "person:kai-kern",
                               "project:dorfladen", "project:wenden-laden"]
