"""The search use case: read-your-writes search over the derived index.

Before answering, pending graph changes are applied to the index (if another process holds the
drain lock, it is already doing that and we answer from what is there). Users' query text is
never parsed as syntax by the engine: see ``schule.search.query``.
"""

from __future__ import annotations

from collections.abc import Sequence

from schule.search import Hit, SearchResults
from schule.services.search_sync import SearchSync

MAX_LIMIT = 100
MAX_QUERY_CHARS = 500


class SearchService:
    def __init__(self, sync: SearchSync) -> None:
        self.sync = sync

    def search(
        self,
        query: str,
        *,
        kinds: Sequence[str] | None = None,
        filters: dict[str, list[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResults:
        self.sync.drain()
        limit = max(1, min(limit, MAX_LIMIT))
        offset = max(0, offset)
        return self.sync.index.search(
            query[:MAX_QUERY_CHARS], kinds=kinds, filters=filters, limit=limit, offset=offset
        )

    def similar(self, kind: str, id: str, limit: int = 5) -> list[Hit]:
        self.sync.drain()
        return self.sync.index.similar(kind, id, limit=max(1, min(limit, MAX_LIMIT)))
