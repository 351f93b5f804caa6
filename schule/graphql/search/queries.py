"""Search root fields. The work happens in ``schule.services.search``; this layer translates."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from schule.domain.model import Kind
from schule.domain.problems import Code
from schule.errors import refuse
from schule.graphql.limits import MAX_PAGE_SIZE
from schule.graphql.search.types import (
    Facet,
    FacetValue,
    SearchFacetName,
    SearchFilter,
    SearchHit,
    SearchKind,
    SearchResult,
)
from schule.services.search import SearchService

STATUS_LABELS = {
    "idea": "Idee", "planning": "Planung", "implementation": "Umsetzung", "operation": "in Betrieb",
    "completed": "abgeschlossen", "stopped": "eingestellt",
}
TRANSFER_LABELS = {
    "adopted": "bereits übernommen", "open_source": "Open Source", "costs": "Aufwand und Kosten angegeben",
    "funding": "Förderung angegeben", "prerequisites": "Voraussetzungen beschrieben", "documents": "mit Unterlagen",
}
KIND_LABELS = {
    "project": "Projekte", "lesson": "Lessons learned", "commune": "Kommunen", "person": "Personen",
    "event": "Veranstaltungen", "handlungsfeld": "Handlungsfelder", "organisation": "Organisationen",
    "network": "Netzwerke", "adaptation": "Übernahmen",
}


def search_service(info: Info[Any, None]) -> SearchService:
    context = info.context
    request = context["request"] if isinstance(context, dict) else context.request
    service = request.app.state.schule.search
    if service is None:
        raise RuntimeError("search is not ready")
    return service


def _filters(f: SearchFilter | None) -> tuple[list[str] | None, dict[str, list[str]]]:
    if f is None:
        return None, {}
    pairs = {
        "handlungsfeld": f.handlungsfelder, "commune": f.communes, "kreis": f.kreise,
        "region": f.regions, "status": f.statuses,
        "transfer": [t.value for t in f.transfer] if f.transfer else None, "standard": f.standards,
    }
    kinds = [str(k.value) for k in f.kinds] if f.kinds else None
    return kinds, {name: [str(v) for v in values] for name, values in pairs.items() if values}


def _asks_for(info: Info[Any, None], name: str) -> bool:
    """Does the query select ``name`` on this field's result? (Through a fragment: assumed so.)"""
    for field in info.selected_fields:
        for selection in field.selections:
            if not isinstance(selection, SelectedField) or selection.name == name:
                return True
    return False


def _labels(service: SearchService, facets: dict[str, list[tuple[str, int]]]) -> dict[str, str]:
    """Display names for facet values that are ids (communes, Handlungsfelder), in one store call."""
    ids = [v for name in ("commune", "handlungsfeld") for v, _ in facets.get(name, [])]
    entities = service.sync.store.get(ids) if ids else {}
    return {i: getattr(e, "name", i) for i, e in entities.items()}


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Deutsche Volltextsuche über Projekte, Lessons learned, Kommunen, Personen, "
        "Veranstaltungen und Handlungsfelder. Die Anfrage ist reiner Text: Wortteile finden "
        "zusammengesetzte Wörter (Plattform → Datenplattform), ae/ä und ss/ß sind gleich, kleine "
        "Tippfehler werden verziehen, \"Anführungszeichen\" suchen eine Wortfolge, ein * am Wortende "
        "sucht Wortanfänge. Es gibt keine Syntaxfehler."
    )
    async def search(
        self,
        info: Info[Any, None],
        query: Annotated[str, strawberry.argument(description="Suchtext.")],
        filter: Annotated[SearchFilter | None, strawberry.argument(description="Facettenfilter.")] = None,
        first: Annotated[int, strawberry.argument(description=f"Treffer pro Seite (höchstens {MAX_PAGE_SIZE}).")] = 10,
        offset: Annotated[int, strawberry.argument(description="Wie viele Treffer übersprungen werden.")] = 0,
    ) -> SearchResult:
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise refuse(Code.INVALID, f"`first` muss zwischen 1 und {MAX_PAGE_SIZE} liegen.", "first")
        if offset < 0:
            raise refuse(Code.INVALID, "`offset` darf nicht negativ sein.", "offset")
        service = search_service(info)
        kinds, filters = _filters(filter)
        # facets cost most of a search at scale: counting them (every facet value against every match:
        # ~0.3 s of CPU at 100,000 projects) and their display names (a store call for every commune
        # and Handlungsfeld, ~400 entities at 10,000); both only when the query selects them
        with_facets = _asks_for(info, "facets")

        def run() -> tuple[Any, dict[str, str]]:
            results = service.search(query, kinds=kinds, filters=filters, limit=first, offset=offset,
                                     facets=with_facets)
            return results, _labels(service, results.facets) if with_facets else {}

        results, labels = await run_in_threadpool(run)
        facets = []
        for name in SearchFacetName:
            key = str(name.value)
            values = results.facets.get(key, [])
            label_of = {"status": STATUS_LABELS, "kind": KIND_LABELS, "transfer": TRANSFER_LABELS}.get(key, labels)
            facets.append(Facet(name=name, values=[FacetValue(value=v, label=label_of.get(v, v), count=c)
                                                   for v, c in values]))
        return SearchResult(
            total=results.total,
            hits=[SearchHit(kind=SearchKind(h.kind), id=strawberry.ID(h.id), title=h.title, score=h.score,
                            highlights=h.highlights) for h in results.hits],
            facets=facets,
            suggestions=results.suggestions,
        )

    @strawberry.field(
        description="Ähnliche Projekte zu einem Projekt: ähnlicher Text, gemeinsame Handlungsfelder und "
        "Schlagwörter, Übernahmen (adaptedFrom) in beide Richtungen."
    )
    async def similar_projects(
        self,
        info: Info[Any, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="ID des Projekts.")],
        first: Annotated[int, strawberry.argument(description=f"Höchstens so viele (bis {MAX_PAGE_SIZE}).")] = 5,
    ) -> list[SearchHit]:
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise refuse(Code.INVALID, f"`first` muss zwischen 1 und {MAX_PAGE_SIZE} liegen.", "first")
        service = search_service(info)
        hits = await run_in_threadpool(service.similar, Kind.PROJECT.value, str(id), first)
        return [SearchHit(kind=SearchKind(h.kind), id=strawberry.ID(h.id), title=h.title, score=h.score,
                          highlights=h.highlights) for h in hits]
