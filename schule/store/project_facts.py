"""The scalars of every published project in one read, for the knowledge-transfer facts.

A whole project (``iter_entities``) carries its description and its references through pattern
comprehensions; for peers, recommendations and coverage only a few scalars are needed, and the
references come cheaper from ``all_edges`` (see ``cypher.PUBLISHED_PROJECT_FACTS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schule.store import cypher

if TYPE_CHECKING:
    from schule.store.graph import CypherGraphStore


@dataclass(frozen=True)
class ProjectRow:
    id: str
    title: str
    status: str | None
    started: str | None
    ended: str | None
    tags: tuple[str, ...]
    updated: str | None = None


def published_projects(store: CypherGraphStore) -> list[ProjectRow]:
    """Every published project's id, title, status, start, end, tags and time of its last change."""
    rows = store._read(cypher.PUBLISHED_PROJECT_FACTS)
    return [
        ProjectRow(r["id"], r["title"] or "", r["status"], r["started"], r["ended"], tuple(r["tags"] or ()),
                   r["updated_at"])
        for r in rows
    ]
