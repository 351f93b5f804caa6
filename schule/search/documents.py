"""What the search index knows about a thing, and what a search returns.

The index is derived data: callers (the services) turn graph objects into ``SearchDocument`` values;
nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "KINDS", "FACETS", "TRANSFER_FEATURES", "PROJECT_STATUSES", "SearchDocument", "Hit", "SearchResults", "doc_key",
]

KINDS = ("project", "lesson", "commune", "person", "event", "handlungsfeld", "organisation", "network")
PROJECT_STATUSES = ("idea", "planning", "implementation", "operation", "completed", "stopped")
# facet name -> index field
FACETS = ("kind", "handlungsfeld", "commune", "kreis", "region", "status", "transfer", "standard")
# What a project's record says about taking it over (the ``transfer`` facet): a member looking for
# something she can copy filters by these. Derived from facts only (``search_documents``): a feature
# is absent when the entry does not state it, never guessed.
TRANSFER_FEATURES = ("adopted", "open_source", "costs", "funding", "prerequisites", "documents")


def doc_key(kind: str, id: str) -> str:
    """The unique index key of a document: ``kind:id`` (ids are lowercase letters, digits and ``-``)."""
    return f"{kind}:{id}"


@dataclass(frozen=True)
class SearchDocument:
    kind: str
    id: str
    title: str
    tags: tuple[str, ...] = ()
    summary: str = ""
    text: str = ""
    handlungsfelder: tuple[str, ...] = ()  # ids, ancestors included
    handlungsfeld_names: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()  # ids
    commune_names: tuple[str, ...] = ()
    kreise: tuple[str, ...] = ()  # names
    regions: tuple[str, ...] = ()  # names
    status: str | None = None  # projects only, one of PROJECT_STATUSES
    adaptation_count: int = 0  # how many communes adopted this project with success (done records)
    transfer: tuple[str, ...] = ()  # projects only, from TRANSFER_FEATURES
    standards: tuple[str, ...] = ()  # projects only: standards and interfaces (LoRaWAN, OParl …)
    # other entries the document embeds or links: a project's adapted_from and adaptations, a lesson's
    # project, a person's employer (``SearchSync`` re-renders the document when one of them changes)
    related_ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return doc_key(self.kind, self.id)


@dataclass(frozen=True)
class Hit:
    kind: str
    id: str
    title: str
    score: float
    highlights: list[str] = field(default_factory=list)  # HTML: escaped text with <mark>…</mark>


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestions: list[str] = field(default_factory=list)  # corrected queries ("Meinten Sie …?")
