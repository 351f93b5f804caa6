"""The search use case: read-your-writes search over the derived index.

Before answering, pending graph changes are applied to the index. If another process or thread
holds the drain lock, it is already applying them: we wait for it up to ``READ_YOUR_WRITES_WAIT_S``
(a moderator who just approved an entry finds it), and beyond that (a full rebuild runs, minutes at
100k documents) answer from what the index has. Users' query text is never parsed as syntax by the
engine: see ``schule.search.query``.
"""

from __future__ import annotations

from collections.abc import Sequence

from schule.search import Hit, SearchResults
from schule.services.search_sync import SearchSync

MAX_LIMIT = 100
MAX_QUERY_CHARS = 500
# how long a search waits for a drain that another process or thread is running (see above)
READ_YOUR_WRITES_WAIT_S = 3.0


class SearchService:
    def __init__(self, sync: SearchSync) -> None:
        self.sync = sync

    def _catch_up(self) -> None:
        applied = self.sync.applied_seq()
        target = self.sync.store.last_change()
        if applied is None or target > applied:
            self.sync.catch_up(target, READ_YOUR_WRITES_WAIT_S)

    def search(
        self,
        query: str,
        *,
        kinds: Sequence[str] | None = None,
        filters: dict[str, list[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
        facets: bool = True,
    ) -> SearchResults:
        self._catch_up()
        limit = max(1, min(limit, MAX_LIMIT))
        offset = max(0, offset)
        return self.sync.index.search(
            query[:MAX_QUERY_CHARS], kinds=kinds, filters=filters, limit=limit, offset=offset, facets=facets
        )

    def similar(self, kind: str, id: str, limit: int = 5) -> list[Hit]:
        self._catch_up()
        return self.sync.index.similar(kind, id, limit=max(1, min(limit, MAX_LIMIT)))

    def like_text(self, kind: str, text: str, limit: int = 5, exclude: str | None = None) -> list[Hit]:
        """Published entries of ``kind`` most like ``text`` (duplicate candidates of an unpublished entry)."""
        self._catch_up()
        return self.sync.index.like_text(kind, text[:MAX_QUERY_CHARS * 4], limit=max(1, min(limit, MAX_LIMIT)),
                                         exclude=exclude)
