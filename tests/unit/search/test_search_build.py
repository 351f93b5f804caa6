"""The rebuild writers (``schule.search.build``) write exactly the index stock Whoosh writes, also when
their pools spill to disk many times and when two worker processes share the documents."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
import whoosh.writing
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from schule.search import SearchDocument, SearchIndex
from schule.search.build import _BuildPool
from schule.search.index import _create_generation, _fields

WORDS = ("Datenplattform", "Parkplatz", "Wanderparkplätze", "Bürgerbeteiligung", "Straßenbeleuchtung",
         "Verwaltung", "Kommune", "Sensor", "Mobilität", "Klimaschutz", "Nahwärmenetz", "Ladesäulen",
         "Quartier", "Innenstadt", "Stadtlabor", "Förderung", "Open-Data", "Schule", "Digitalisierung",
         "Glasfaser", "Umwelt", "Energie", "Bürgerbüro", "Leerstand", "Radweg")


def corpus(n: int, seed: int = 7) -> list[SearchDocument]:
    rng = random.Random(seed)

    def words(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k))

    return [SearchDocument(kind="project", id=f"p{i}", title=words(3), tags=tuple(rng.sample(WORDS, 2)),
                           summary=words(12), text=words(60), communes=(f"c{i % 7}",),
                           commune_names=(f"Ort{i % 7}",), status=rng.choice(("idea", "operation")),
                           adaptation_count=i % 4)
            for i in range(n)]


def postings_by_key(index_dir: Path) -> tuple[set[tuple[Any, ...]], dict[str, dict[str, Any]], int, list[Any]]:
    """Every posting as (field, term, document key, weight, value), the stored fields by key, the
    number of segments of the live index in ``index_dir`` and its raw postings in stored order."""
    ix = SearchIndex.open(index_dir)
    try:
        with ix._index().searcher() as searcher:
            reader = searcher.reader()
            stored = {reader.stored_fields(d)["key"]: reader.stored_fields(d) for d in reader.all_doc_ids()}
            key_of = {d: reader.stored_fields(d)["key"] for d in reader.all_doc_ids()}
            raw = list(reader.iter_postings())
            postings = {(field, term, key_of[doc], weight, value) for field, term, doc, weight, value in raw}
            lengths = {(field, key_of[d], reader.doc_field_length(d, field))
                       for d in reader.all_doc_ids() for field in ("title", "tags", "summary", "text")}
            segments = len(ix._index()._segments())
    finally:
        ix.close()
    return postings | {("length", *x) for x in lengths}, stored, segments, raw


def stock_index(path: Path, docs: list[SearchDocument]) -> Path:
    """The same documents written by stock Whoosh (one segment, the whole pool in memory)."""
    path.mkdir()
    gen = path / "gen-stock"
    gen.mkdir()
    ix = _create_generation(gen)
    writer = SegmentWriter(ix, limitmb=1024)
    for doc in docs:
        writer.add_document(**_fields(doc))
    writer.commit()
    ix.close()
    (path / "current").symlink_to(gen.name)
    return path


@pytest.fixture(scope="module")
def docs() -> list[SearchDocument]:
    return corpus(600)


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory, docs: list[SearchDocument]) -> tuple[Any, ...]:
    return postings_by_key(stock_index(tmp_path_factory.mktemp("stock") / "index", docs))


def test_pool_merges_many_spilled_runs_into_one_sorted_stream(tmp_path: Path) -> None:
    rng = random.Random(3)
    pool = _BuildPool(FileStorage(str(tmp_path)), None, limitmb=1)
    pool.limit = 20_000  # bytes (Whoosh's estimate): a run every ~100 postings
    added = []
    for docnum in range(400):  # documents arrive with rising docnums, as in a writer
        for term in rng.sample(WORDS, 8):
            posting = (rng.choice(("title", "text")), term.encode(), docnum, 1.0, b"v")
            pool.add(posting)
            added.append(posting)
    assert len(pool.runs) > 10
    assert list(pool.items()) == sorted(added)
    assert list(tmp_path.iterdir()) == []  # run files are removed once read


def test_pool_with_more_runs_than_open_files_falls_back_to_whoosh_merge(tmp_path: Path) -> None:
    pool = _BuildPool(FileStorage(str(tmp_path)), None, limitmb=1)
    pool.limit = 500
    added = [("text", f"t{docnum % 13}".encode(), docnum, 1.0, None) for docnum in range(300)]
    for posting in added:
        pool.add(posting)
    assert len(pool.runs) > 4
    assert list(pool.items(maxfiles=4)) == sorted(added)


def test_single_process_build_with_spills_equals_stock_whoosh(
        tmp_path: Path, docs: list[SearchDocument], stock: tuple[Any, ...],
        monkeypatch: pytest.MonkeyPatch) -> None:
    spills = []
    save = _BuildPool.save
    monkeypatch.setattr(_BuildPool, "save", lambda self: (spills.append(1), save(self))[1])
    index = SearchIndex.open(tmp_path / "index")
    assert index.rebuild(docs, procs=1, limitmb=1) == len(docs)
    index.close()
    assert len(spills) >= 3
    postings, stored, segments, raw = postings_by_key(tmp_path / "index")
    assert segments == 1
    assert stored == stock[1]
    assert postings == stock[0]
    assert raw == stock[3]  # same documents in the same order: the very same postings, in order


def test_two_process_build_equals_stock_whoosh(tmp_path: Path, docs: list[SearchDocument],
                                               stock: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    # the workers are forked from this process: they inherit the patched save and log their spills
    spill_log = tmp_path / "spills"
    save = _BuildPool.save

    def logged_save(self: _BuildPool) -> None:
        with spill_log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        save(self)

    monkeypatch.setattr(_BuildPool, "save", logged_save)
    index = SearchIndex.open(tmp_path / "index")
    assert index.rebuild(docs, procs=2, limitmb=1) == len(docs)
    index.close()
    spilling_processes = set(spill_log.read_text().split())
    assert len(spilling_processes) == 2 and str(os.getpid()) not in spilling_processes
    # the pool class is swapped inside the worker processes only, never in this one
    assert whoosh.writing.PostingPool is not _BuildPool
    postings, stored, segments, _ = postings_by_key(tmp_path / "index")
    assert segments == 2
    assert stored == stock[1]
    assert postings == stock[0]
