"""German full-text search: analysis, index, querying. Works on plain ``SearchDocument`` values."""

from schule.search.documents import Hit, SearchDocument, SearchResults, doc_key
from schule.search.index import SearchIndex

__all__ = ["Hit", "SearchDocument", "SearchIndex", "SearchResults", "doc_key"]
