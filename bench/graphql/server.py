"""The benchmark server: the production GraphQL view and schema, plus a hand-written JSON endpoint
doing the same store work, in one Starlette app (run by uvicorn in a subprocess of run.py).

Search is left out of this app: it does not take part in these queries, and building its index
for 35,000 synthetic records would only slow the start.
"""

from __future__ import annotations

import asyncio
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

from schule.auth.identity import ANONYMOUS
from schule.domain.model import Kind, Rel
from schule.gc_pause import settle_heap
from schule.graphql.schema import build_schema
from schule.graphql.view import GraphQLView
from schule.services import access, project_lists
from schule.services.project_lists import ProjectLists
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

    def read() -> tuple[list[Any], int | None, dict[str, Any]]:
        # the page with its total from the lists' facts and the cards' links, in one worker-thread
        # call, as the GraphQL connection asks the store
        page, total = ProjectLists(store).list_page_counted(Kind.PROJECT, filters, "title_asc", 0, 21)
        page = page[:20]
        related = store.get([i for p in page for i in (*p.communes, *p.handlungsfelder)])
        return page, total, access.screen(store, ANONYMOUS, related)

    page, total, related = await run_in_threadpool(read)
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
    """The project detail with the store calls the GraphQL loaders make, in one worker-thread call:
    the project with its edges and the entities at their ends; the lessons' authors."""
    store = request.app.state.schule.store
    pid = request.path_params["id"]

    def read() -> tuple[Any, dict[str, Any], dict[Any, list[Any]], list[Any], dict[str, Any]]:
        # screened for an anonymous visitor as the loaders screen (drafts hidden, contacts redacted):
        # a hand-written endpoint must not show more than the API
        related, edges = get_with_neighbours(store, [pid], {
            (Rel.LEARNED_IN, True): [pid], (Rel.ADAPTED_FROM, True): [pid], (Rel.CONTACT, False): [pid],
            (Rel.ADAPTED_FROM, False): [pid], (Rel.LOCATED_IN, False): [pid]})
        related = access.screen(store, ANONYMOUS, related)
        lessons = [e for e in edges[(Rel.LEARNED_IN, True)] if e.target in related]
        authors = store.get([related[e.target].author for e in lessons if related[e.target].author])
        return related.get(pid), related, edges, lessons, access.screen(store, ANONYMOUS, authors)

    project, related, edges, lessons, authors = await run_in_threadpool(read)
    if project is None:
        return JSONResponse({"project": None}, 404)
    adaptations = edges[(Rel.ADAPTED_FROM, True)]
    body = {
        "title": project.title, "summary": project.summary,
        "status": project.status.value if project.status else None,
        "lessons": [
            {"title": related[e.target].title,
             "author": _entity(authors[author]) if (author := related[e.target].author) in authors else None}
            for e in lessons
        ],
        "contacts": [{"name": related[i].name, "role": related[i].role} for i in project.contacts if i in related],
        "adaptedFrom": [_entity(related[i]) for i in project.adapted_from if i in related],
        "adaptations": [_entity(related[e.target]) for e in adaptations if e.target in related],
        "communes": [_entity(related[i]) for i in project.communes if i in related],
    }
    return JSONResponse(body)


async def plain_commune(request: Request) -> JSONResponse:
    """The commune page: the commune, its first 20 projects by title with their number (a commune
    may have hundreds), its people and memberships; the same worker-thread calls as GraphQL."""
    store = request.app.state.schule.store
    cid = request.path_params["id"]
    filters = {"communes": [cid]}

    def read_commune() -> tuple[dict[str, Any], dict[Any, list[Any]]]:
        # the commune, its people and memberships with the entities at their other end in one round
        # trip, screened for an anonymous visitor, as the loaders do
        related, edges = get_with_neighbours(store, [cid], {(Rel.WORKS_FOR, True): [cid],
                                                            (Rel.MEMBER_OF, False): [cid]})
        return access.screen(store, ANONYMOUS, related), edges

    def read_projects() -> tuple[list[Any], int | None]:
        return ProjectLists(store).list_page_counted(Kind.PROJECT, filters, "title_asc", 0, 21)

    # both at once, in two worker threads, as the two root fields of the GraphQL query
    (related, edges), (page, total) = await asyncio.gather(run_in_threadpool(read_commune),
                                                           run_in_threadpool(read_projects))
    commune = related.get(cid)
    if commune is None:
        return JSONResponse({"commune": None}, 404)
    page = page[:20]
    people, memberships = edges[(Rel.WORKS_FOR, True)], edges[(Rel.MEMBER_OF, False)]
    body = {
        "commune": {
            "name": commune.name, "kreis": commune.kreis,
            "people": [{"name": related[e.target].name} for e in people if e.target in related],
            "memberships": [
                {"role": e.props.get("role"), "network": {"name": related[e.target].name}}
                for e in memberships if e.target in related
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
        # as schule serve does after its start: the lists' facts, then the heap settled
        await run_in_threadpool(project_lists.warm, state.store)
        settle_heap()
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
