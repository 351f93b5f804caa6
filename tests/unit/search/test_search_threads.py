"""One SearchIndex searched from many threads at once, as ``schule serve``'s worker threads do.

A whoosh searcher's readers share file positions: before reads took turns (``index._reads``), two
threads reading one searcher at once read each other's bytes. Under load that surfaced as
``UnpicklingError`` in stored fields and ``IndexError`` in postings (5 in 2,100 requests of 8 clients),
and took a moderator's review queue down. Here eight threads ask what a single thread asked, many
times over, and must get exactly its answers.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from search_fixture_docs import DOCS, indexed

from schule.search import SearchDocument, SearchIndex
from schule.search.documents import Hit

THREADS = 8
ROUNDS = 60


def _questions(index: SearchIndex) -> list[Callable[[], Any]]:
    def answer(hits: Iterable[Hit]) -> list[tuple[str, str, str, float]]:
        return [(h.kind, h.id, h.title, round(h.score, 6)) for h in hits]

    def similar(doc: SearchDocument) -> Callable[[], Any]:
        return lambda: answer(index.similar(doc.kind, doc.id, limit=5))

    def like(doc: SearchDocument) -> Callable[[], Any]:
        return lambda: answer(index.like_text(doc.kind, f"{doc.title} {doc.text}", limit=5))

    def search(words: str) -> Callable[[], Any]:
        return lambda: answer(index.search(words, limit=10).hits)

    questions = [similar(doc) for doc in DOCS] + [like(doc) for doc in DOCS]
    return questions + [search(w) for w in ("Parkplatz", "Bürgerbeteiligung", "Datenplattform", "offene Daten")]


@pytest.fixture
def eager_thread_switches() -> Any:
    """Threads switch every microsecond instead of every 5 ms: an unsafe read section, which in a
    server is interrupted now and then, is interrupted in nearly every round here."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.usefixtures("eager_thread_switches")
def test_threads_reading_one_index_at_once_get_what_one_thread_gets(tmp_path: Path) -> None:
    with indexed(tmp_path / "index", DOCS) as index:
        questions = _questions(index)
        expected = [ask() for ask in questions]
        assert any(expected), "the fixture questions find something"
        failures: list[str] = []
        start = threading.Barrier(THREADS)

        def worker(offset: int) -> None:
            start.wait()
            for n in range(ROUNDS):
                i = (offset + n) % len(questions)
                try:
                    got = questions[i]()
                except Exception as e:  # noqa: BLE001 -- what a request would have answered with
                    failures.append(f"question {i}: {type(e).__name__}: {e}")
                    continue
                if got != expected[i]:
                    failures.append(f"question {i}: {got!r} != {expected[i]!r}")

        threads = [threading.Thread(target=worker, args=(t * 7,)) for t in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures[:5]
