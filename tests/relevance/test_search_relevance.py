"""Relevance of the German search vs plain BM25 on judged queries (MRR and recall@10).

Run with ``pytest -s`` to see the figures; they are also in the assertion message.
"""

from __future__ import annotations

from pathlib import Path

from search_relevance_corpus import CORPUS
from search_relevance_queries import QUERIES
from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from schule.search import SearchIndex

MIN_MRR = 0.9
MIN_RECALL = 0.9


def _metrics(rankings: dict[str, list[str]]) -> tuple[float, float, list[str]]:
    rr_sum = recall_sum = 0.0
    misses = []
    for query, relevant in QUERIES:
        ranked = rankings[query]
        rank = next((i for i, key in enumerate(ranked, 1) if key in relevant), None)
        rr_sum += 1 / rank if rank else 0.0
        recall_sum += len(set(ranked[:10]) & set(relevant)) / len(relevant)
        if rank != 1:
            misses.append(f"{query!r}: first relevant at {rank}, top {ranked[:3]}")
    return rr_sum / len(QUERIES), recall_sum / len(QUERIES), misses


def _ours(tmp_path: Path) -> dict[str, list[str]]:
    index = SearchIndex.open(tmp_path / "ours")
    index.upsert(CORPUS)
    try:
        return {q: [f"{h.kind}:{h.id}" for h in index.search(q, limit=10).hits] for q, _ in QUERIES}
    finally:
        index.close()


def _plain_bm25(tmp_path: Path) -> dict[str, list[str]]:
    analyzer = StandardAnalyzer()
    schema = Schema(key=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer),
                    tags=TEXT(analyzer=analyzer), summary=TEXT(analyzer=analyzer), text=TEXT(analyzer=analyzer))
    (tmp_path / "plain").mkdir()
    ix = whoosh_index.create_in(str(tmp_path / "plain"), schema)
    with ix.writer() as writer:
        for doc in CORPUS:
            writer.add_document(key=doc.key, title=doc.title, tags=" ".join(doc.tags), summary=doc.summary,
                                text=doc.text)
    parser = MultifieldParser(["title", "tags", "summary", "text"], schema, group=OrGroup)
    with ix.searcher() as searcher:
        return {q: [hit["key"] for hit in searcher.search(parser.parse(q), limit=10)] for q, _ in QUERIES}


def test_german_analysis_beats_plain_bm25_and_meets_targets(tmp_path: Path) -> None:
    # given the fixture corpus indexed twice, and judged queries written before tuning
    assert len(QUERIES) >= 40

    # when every query runs against both
    mrr, recall, misses = _metrics(_ours(tmp_path))
    base_mrr, base_recall, _ = _metrics(_plain_bm25(tmp_path))

    # then
    report = (f"\nqueries={len(QUERIES)} docs={len(CORPUS)}\n"
              f"german analysis: MRR={mrr:.3f} recall@10={recall:.3f}\n"
              f"plain BM25:      MRR={base_mrr:.3f} recall@10={base_recall:.3f}\n"
              "not first:\n  " + "\n  ".join(misses))
    print(report)
    assert mrr >= MIN_MRR and recall >= MIN_RECALL, report
