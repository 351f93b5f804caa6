"""What the review queue needs to spot and resolve duplicates: published entries like a submission
(``similar``), and where a merged entry went (``mergedInto``)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from schule.domain import model
from schule.domain.problems import Code
from schule.errors import refuse
from schule.graphql.limits import MAX_PAGE_SIZE

SIMILAR = (
    "Veröffentlichte Einträge derselben Art mit ähnlichem Titel und Text, die ähnlichsten zuerst: Kandidaten für "
    "eine Dublette, z. B. um eine Einreichung in der Prüfliste mit einem bestehenden Eintrag zusammenzuführen. "
    "Anders als `similarProjects` auch für Einträge, die (noch) nicht veröffentlicht sind; der Eintrag selbst "
    "ist nie dabei."
)
SimilarFirst = Annotated[int, strawberry.argument(description=f"Höchstens so viele (1 bis {MAX_PAGE_SIZE}).")]
MERGED_INTO = (
    "Bei einer zusammengeführten Dublette (`state` MERGED) der Eintrag, in den sie überführt wurde; null sonst "
    "oder wenn die anfragende Person ihn nicht sehen darf."
)


def _text(entity: model.Entity) -> str:
    if isinstance(entity, model.Project):
        return " ".join(filter(None, (entity.title, entity.summary, entity.description, " ".join(entity.tags))))
    if isinstance(entity, model.Lesson):
        return " ".join(filter(None, (entity.title, entity.text)))
    return ""


async def similar_entries(info: Info[Any, None], entity: model.Entity, first: int) -> list[Any]:
    from schule.graphql.search.queries import search_service
    from schule.graphql.search.types import SearchHit, SearchKind

    if not 1 <= first <= MAX_PAGE_SIZE:
        raise refuse(Code.INVALID, f"`first` muss zwischen 1 und {MAX_PAGE_SIZE} liegen.", "first")
    text = _text(entity)
    if not text:
        return []
    service = search_service(info)
    hits = await run_in_threadpool(service.like_text, entity.kind.value, text, first, entity.id)
    return [SearchHit(kind=SearchKind(h.kind), id=strawberry.ID(h.id), title=h.title, score=h.score,
                      highlights=h.highlights) for h in hits]


async def merged_into(info: Info[Any, None], entity: model.Entity) -> Any:
    from schule.graphql.registry import to_node

    target = getattr(entity, "merged_into", None)
    if entity.state != model.ReviewState.MERGED or not target:
        return None
    survivor = await info.context.loaders.entity.load(target)  # applies the access rules
    return to_node(survivor) if survivor is not None and survivor.kind == entity.kind else None
