"""Detail pages: one GraphQL document per page, addressed by our own id in the URL."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from schule.domain.records import ID_PATTERN
from schule.web import documents
from schule.web.pages import NotFound, Pages

SIMILAR_SHOWN = 5
ROLE_ORDER = ("PIONEER", "MITMACHER", "MEMBER", "SUPPORTER")


async def _load(
    pages: Pages, request: Request, document: str, field: str, **variables: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The entity ``field`` of ``document`` for the id in the URL, and the whole ``data``."""
    entity_id = request.path_params["id"]
    if not ID_PATTERN.fullmatch(entity_id):
        raise NotFound(entity_id)
    data = await pages.api.run(request, document, {"id": entity_id, **variables})
    if data.get(field) is None:
        raise NotFound(entity_id)
    return data[field], data


async def project_page(pages: Pages, request: Request) -> Response:
    project, data = await _load(
        pages, request, documents.PROJECT, "project", projectId=request.path_params["id"]
    )
    similar = [hit for hit in data["similarProjects"] if hit["kind"] == "PROJECT"][:SIMILAR_SHOWN]
    return pages.render(request, "project.html", project=project, similar=similar)


async def lesson_page(pages: Pages, request: Request) -> Response:
    lesson, _ = await _load(pages, request, documents.LESSON, "lesson")
    return pages.render(request, "lesson.html", lesson=lesson)


async def commune_page(pages: Pages, request: Request) -> Response:
    commune, _ = await _load(pages, request, documents.COMMUNE, "commune")
    return pages.render(request, "commune.html", commune=commune)


async def person_page(pages: Pages, request: Request) -> Response:
    person, _ = await _load(pages, request, documents.PERSON, "person")
    return pages.render(request, "person.html", person=person)


async def handlungsfeld_page(pages: Pages, request: Request) -> Response:
    field, _ = await _load(pages, request, documents.HANDLUNGSFELD, "handlungsfeld")
    return pages.render(request, "handlungsfeld.html", field=field)


async def network_page(pages: Pages, request: Request) -> Response:
    network, _ = await _load(pages, request, documents.NETWORK, "network")
    groups: dict[str, list[dict[str, Any]]] = {}
    for member in network["members"]:
        groups.setdefault(member["role"], []).append(member)
    by_role = [
        (role, sorted(groups[role], key=lambda m: (m["commune"] or {}).get("name", "")))
        for role in (*ROLE_ORDER, *sorted(set(groups) - set(ROLE_ORDER)))
        if role in groups
    ]
    return pages.render(request, "network.html", network=network, by_role=by_role)


async def event_page(pages: Pages, request: Request) -> Response:
    event, _ = await _load(pages, request, documents.EVENT, "event")
    return pages.render(request, "event.html", event=event)


async def organisation_page(pages: Pages, request: Request) -> Response:
    organisation, _ = await _load(pages, request, documents.ORGANISATION, "organisation")
    return pages.render(request, "organisation.html", organisation=organisation)
