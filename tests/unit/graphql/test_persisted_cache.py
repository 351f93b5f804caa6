"""The persisted-query cache stays within its bounds whatever clients register (anyone may)."""

from __future__ import annotations

import hashlib

import pytest

from schule.graphql.persisted import PersistedQueries, PersistedQueryError


def register(cache: PersistedQueries, query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()
    resolved, to_remember = cache.resolve(query, {"persistedQuery": {"version": 1, "sha256Hash": digest}})
    assert resolved == query and to_remember == digest
    cache.remember(digest, resolved)
    return digest


def lookup(cache: PersistedQueries, digest: str) -> str | None:
    try:
        return cache.resolve(None, {"persistedQuery": {"version": 1, "sha256Hash": digest}})[0]
    except PersistedQueryError as e:
        assert e.code == "PERSISTED_QUERY_NOT_FOUND"
        return None


def test_the_least_recently_used_document_goes_first_when_the_entries_are_full() -> None:
    # given a cache of three entries, holding three documents, the first one used again
    cache = PersistedQueries(max_entries=3)
    first, second, third = (register(cache, f"{{ version }} # {i}") for i in range(3))
    assert lookup(cache, first) == "{ version } # 0"

    # when a fourth is registered
    fourth = register(cache, "{ version } # 3")

    # then the least recently used one (the second) is gone, the others stay
    assert len(cache) == 3
    assert lookup(cache, second) is None
    assert [lookup(cache, d) is not None for d in (first, third, fourth)] == [True, True, True]


def test_the_cache_holds_at_most_max_chars_of_documents() -> None:
    # given a cache of 100 characters
    cache = PersistedQueries(max_entries=1000, max_chars=100)

    # when documents of 40 characters each are registered, and one larger than the whole cache
    digests = [register(cache, f"{{ version }} #{i:>27}") for i in range(5)]
    huge = register(cache, "{ version } #" + "x" * 200)

    # then only the newest two fit, and the huge one was never kept
    assert [lookup(cache, d) is not None for d in digests] == [False, False, False, True, True]
    assert lookup(cache, huge) is None


@pytest.mark.parametrize("document", ["mutation { __typename }", "{ version } mutation M { __typename }"])
def test_documents_with_a_mutation_are_not_offered_for_keeping(document: str) -> None:
    digest = hashlib.sha256(document.encode()).hexdigest()
    extension = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    resolved, to_remember = PersistedQueries().resolve(document, extension)
    assert resolved == document and to_remember is None
