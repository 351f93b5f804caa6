"""The benchmark server: the production GraphQL view and schema, plus a hand-written JSON endpoint
doing the same store work, in one Starlette app (run by uvicorn in a subprocess of run.py).

Search is left out of this app: it does not take part in these queries, and building its index
for 35,000 synthetic records would only slow the start.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from schule.domain.model import Kind, Rel
from schule.graphql.schema import build_schema
from schule.graphql.view import GraphQLView
from schule.settings import Settings
from schule.store import open_store
from schule.store.neighbourhood import get_with_neighbours


class State:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: Any = None
        self.search: Any = None


def _entity(e: Any) -> dict[str, Any]:
    return {"id": e.id, "name": getattr(e, "name", None), "title": getattr(e, "title", None)}


async def plain_projects(request: Request) -> JSONResponse:
    store = request.app.state.schule.store
    filters = {"kreise": request.query_params.getlist("kreis") or None,
               "handlungsfelder": request.query_params.getlist("hf") or None}
    # the page with its total in one query, as the GraphQL connection asks the store
    page, total = await run_in_threadpool(store.list_page_counted, Kind.PROJECT, filters, "title_asc", 0, 21)
    page = page[:20]
    related = await run_in_threadpool(store.get, [i for p in page for i in (*p.communes, *p.handlungsfelder)])
    body = {
        "totalCount": total,
        "projects": [
            {
                "slug": p.id, "title": p.title, "status": p.status.value if p.status else None,
                "communes": [_entity(related[i]) for i in p.communes if i in related],
                "handlungsfelder": [_entity(related[i]) for i in p.handlungsfelder if i in related],
            }
            for p in page
        ],
    }
    return JSONResponse(body)


async def plain_project(request: Request) -> JSONResponse:
    """The project detail with the store calls the GraphQL loaders make: the project; then in one
    round trip its lessons and adaptations (with those entities) and its contacts, sources and
    communes; then the lessons' authors."""
    store = request.app.state.schule.store
    pid = request.path_params["id"]
    project = (await run_in_threadpool(store.get, [pid]))[pid]
    related, edges = await run_in_threadpool(
        get_with_neighbours, store, [*project.contacts, *project.adapted_from, *project.communes],
        {(Rel.LEARNED_IN, True): [pid], (Rel.ADAPTED_FROM, True): [pid]},
    )
    lessons, adaptations = edges[(Rel.LEARNED_IN, True)], edges[(Rel.ADAPTED_FROM, True)]
    author_ids = [related[e.target].author for e in lessons if related[e.target].author]
    authors = await run_in_threadpool(store.get, author_ids)
    body = {
        "title": project.title, "summary": project.summary,
        "status": project.status.value if project.status else None,
        "lessons": [
            {"title": related[e.target].title,
             "author": _entity(authors[related[e.target].author]) if related[e.target].author else None}
            for e in lessons
        ],
        "contacts": [{"name": related[i].name, "role": related[i].role} for i in project.contacts],
        "adaptedFrom": [_entity(related[i]) for i in project.adapted_from],
        "adaptations": [_entity(related[e.target]) for e in adaptations],
        "communes": [_entity(related[i]) for i in project.communes],
    }
    return JSONResponse(body)


async def plain_commune(request: Request) -> JSONResponse:
    """The commune page: the commune, its first 20 projects by title with their number (a commune
    may have hundreds), its people and memberships."""
    store = request.app.state.schule.store
    cid = request.path_params["id"]
    commune = (await run_in_threadpool(store.get, [cid]))[cid]
    filters = {"communes": [cid]}
    page, total = await run_in_threadpool(store.list_page_counted, Kind.PROJECT, filters, "title_asc", 0, 21)
    page = page[:20]
    # people and memberships with the entities at their other end in one round trip, as the loaders do
    related, edges = await run_in_threadpool(
        get_with_neighbours, store, [], {(Rel.WORKS_FOR, True): [cid], (Rel.MEMBER_OF, False): [cid]}
    )
    people, memberships = edges[(Rel.WORKS_FOR, True)], edges[(Rel.MEMBER_OF, False)]
    body = {
        "commune": {
            "name": commune.name, "kreis": commune.kreis,
            "people": [{"name": related[e.target].name} for e in people],
            "memberships": [
                {"role": e.props.get("role"), "network": {"name": related[e.target].name}} for e in memberships
            ],
        },
        "projects": {"totalCount": total, "projects": [_entity(p) for p in page]},
    }
    return JSONResponse(body)


def create_bench_app(settings: Settings) -> Starlette:
    state = State(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.store = await run_in_threadpool(open_store, settings)
        try:
            yield
        finally:
            await run_in_threadpool(state.store.close)

    app = Starlette(
        routes=[
            Route("/graphql", GraphQLView(build_schema(settings))),
            Route("/plain/projects", plain_projects),
            Route("/plain/project/{id}", plain_project),
            Route("/plain/commune/{id}", plain_commune),
        ],
        lifespan=lifespan,
    )
    app.state.schule = state
    return app


def app() -> Starlette:
    """uvicorn factory: settings from SCHULE_DATA_DIR / SCHULE_GRAPH."""
    return create_bench_app(Settings(data_dir=Path(os.environ["SCHULE_DATA_DIR"]), graph=os.environ["SCHULE_GRAPH"]))
