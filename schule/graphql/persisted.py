"""Automatic persisted queries (Apollo's APQ protocol), for frontends that want them.

A client sends ``extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}``:

* without ``query``: the document registered under that hash runs; an unknown hash is answered
  with the error ``PersistedQueryNotFound`` (``extensions.code`` ``PERSISTED_QUERY_NOT_FOUND``), upon
  which the client sends the hash again with the full ``query``;
* with ``query``: the hash must be the SHA-256 of exactly that text (else ``PERSISTED_QUERY_HASH_MISMATCH``,
  nothing runs); the document runs and, once it has passed validation, is kept under its hash.

Only documents without a mutation are kept: ``schule.auth`` rate-limits mutations by reading the
``query`` of a POST before the view sees it, so a mutation must always arrive as text (the client's
next hash-only attempt gets ``PersistedQueryNotFound`` and sends it in full, as the protocol
expects). With GET and a hash only, a query's URL is short and stable, which is what makes the
anonymous GET responses' ``ETag``/``Cache-Control`` (``view.py``) useful to caches and CDNs.

The cache is in memory, per process, least recently used first out, bounded by entries and by
characters: anyone may register documents, so its size must not depend on them. A restarted or
another instance simply answers ``PersistedQueryNotFound`` once more.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

MAX_ENTRIES = 1_000
MAX_CHARS = 2_000_000
NOT_FOUND = "PersistedQueryNotFound"  # the message Apollo's clients look for, verbatim

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PersistedQueryError(Exception):
    """The persisted-query extension cannot be used as sent (a request error, nothing runs)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class PersistedQueries:
    """Hash -> document, bounded; ``resolve`` before execution, ``remember`` after validation."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self.max_entries, self.max_chars = max_entries, max_chars
        self._documents: OrderedDict[str, str] = OrderedDict()
        self._chars = 0

    def __len__(self) -> int:
        return len(self._documents)

    def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
        """The document to run and the hash to ``remember`` it under afterwards (None: nothing to keep).

        Requests without the extension pass through unchanged."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return query, None
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise PersistedQueryError(
                "PERSISTED_QUERY_NOT_SUPPORTED",
                'Nur "persistedQuery": {"version": 1, "sha256Hash": …} wird unterstützt.',
            )
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise PersistedQueryError(
                "BAD_REQUEST", "`sha256Hash` muss der SHA-256 der Abfrage sein: 64 Hexadezimalziffern, klein."
            )
        if query is None:
            found = self._documents.get(digest)
            if found is None:
                raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", NOT_FOUND)
            self._documents.move_to_end(digest)
            return found, None
        if hashlib.sha256(query.encode("utf-8")).hexdigest() != digest:
            raise PersistedQueryError(
                "PERSISTED_QUERY_HASH_MISMATCH",
                "`sha256Hash` ist nicht der SHA-256 dieser Abfrage (über ihren Text in UTF-8, unverändert); "
                "bitte den Hash neu berechnen.",
            )
        return query, digest if digest not in self._documents and _without_mutation(query) else None

    def remember(self, digest: str, query: str) -> None:
        """Keep a document that passed validation (``resolve`` said which hash it has)."""
        if digest in self._documents or len(query) > self.max_chars:
            return
        self._documents[digest] = query
        self._chars += len(query)
        while len(self._documents) > self.max_entries or self._chars > self.max_chars:
            _, dropped = self._documents.popitem(last=False)
            self._chars -= len(dropped)


@functools.lru_cache(maxsize=256)
def _without_mutation(query: str) -> bool:
    try:
        document = parse(query, no_location=True, max_tokens=10_000)
    except (GraphQLError, RecursionError):
        return False  # the view refuses it anyway
    return not any(
        d.operation is OperationType.MUTATION for d in document.definitions if isinstance(d, OperationDefinitionNode)
    )
