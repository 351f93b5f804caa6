"""Detail pages: one GraphQL document per page, addressed by our own id in the URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from schule.domain.records import ID_PATTERN
from schule.web import documents
from schule.web.pages import NotFound, Pages
from schule.web.rendering import query_string

SIMILAR_SHOWN = 5
COMMUNE_PROJECTS_SHOWN = 20
# Cursors are opaque to the pages; anything that cannot be one is ignored (the first page is shown).
_CURSOR = re.compile(r"^[A-Za-z0-9_=-]{1,100}$")
ROLE_ORDER = ("PIONEER", "MITMACHER", "MEMBER", "SUPPORTER")
# The network page always names these groups, with a count of 0 where nobody is recorded: what a
# reader looks for is whether there are pioneers, Mitmacher and supporters at all.
ROLES_ALWAYS_SHOWN = ("PIONEER", "MITMACHER", "SUPPORTER")


# Entries a Handlungsfeld page shows before pointing to the full list (subfields included).
FIELD_ENTRIES_SHOWN = 12


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


async def adaptation_page(pages: Pages, request: Request) -> Response:
    adaptation, _ = await _load(pages, request, documents.ADAPTATION, "adaptation")
    return pages.render(request, "adaptation.html", adaptation=adaptation)


@dataclass(frozen=True)
class ProjectPage:
    """Which page of a commune's projects the URL asks for: the one after the cursor in ``nach``
    ("Weitere Projekte"), the one before the cursor in ``vor`` (back), or the first."""

    after: str | None = None
    before: str | None = None

    @classmethod
    def from_request(cls, request: Request) -> ProjectPage:
        after, before = (request.query_params.get(name, "") for name in ("nach", "vor"))
        if _CURSOR.fullmatch(after):
            return cls(after=after)
        if _CURSOR.fullmatch(before):
            return cls(before=before)
        return cls()

    def variables(self, size: int = COMMUNE_PROJECTS_SHOWN) -> dict[str, Any]:
        if self.before:
            return {"last": size, "before": self.before}
        return {"first": size, "after": self.after}

    def links(self, path: str, page_info: dict[str, Any]) -> dict[str, Any]:
        """URLs of the first, previous and next page (None where there is none), at the list."""
        anchor = "#projekte"
        back = page_info["hasPreviousPage"]
        return {
            "first_url": path + anchor if back or self.after or self.before else None,
            "previous_url": path + query_string({"vor": page_info["startCursor"]}) + anchor if back else None,
            "next_url": path + query_string({"nach": page_info["endCursor"]}) + anchor
            if page_info["hasNextPage"] else None,
        }


async def commune_page(pages: Pages, request: Request) -> Response:
    page = ProjectPage.from_request(request)
    commune, data = await _load(pages, request, documents.COMMUNE, "commune", **page.variables())
    projects = data["projects"]
    gaps = [cell["handlungsfeld"] for cell in data["gaps"]]
    return pages.render(
        request, "commune.html", commune=commune, projects=projects,
        recommendations=data["recommendations"],
        # top-level fields first: a whole field without a project says more than one of its sub-fields
        gaps=sorted(gaps, key=lambda f: f["parent"] is not None),
        **page.links(request.url.path, projects["pageInfo"]),
    )


async def person_page(pages: Pages, request: Request) -> Response:
    person, _ = await _load(pages, request, documents.PERSON, "person")
    return pages.render(request, "person.html", person=person)


async def handlungsfeld_page(pages: Pages, request: Request) -> Response:
    field, data = await _load(pages, request, documents.HANDLUNGSFELD, "handlungsfeld", first=FIELD_ENTRIES_SHOWN)
    return pages.render(request, "handlungsfeld.html", field=field, projects=data["projects"], lessons=data["lessons"])


async def network_page(pages: Pages, request: Request) -> Response:
    network, _ = await _load(pages, request, documents.NETWORK, "network")
    groups: dict[str, list[dict[str, Any]]] = {}
    for member in network["members"]:
        groups.setdefault(member["role"], []).append(member)
    by_role = [
        (role, sorted(groups.get(role, []), key=lambda m: (m["commune"] or {}).get("name", "")))
        for role in (*ROLE_ORDER, *sorted(set(groups) - set(ROLE_ORDER)))
        if role in groups or role in ROLES_ALWAYS_SHOWN
    ]
    return pages.render(request, "network.html", network=network, by_role=by_role)


async def event_page(pages: Pages, request: Request) -> Response:
    event, _ = await _load(pages, request, documents.EVENT, "event")
    return pages.render(request, "event.html", event=event)


async def organisation_page(pages: Pages, request: Request) -> Response:
    organisation, _ = await _load(pages, request, documents.ORGANISATION, "organisation")
    return pages.render(request, "organisation.html", organisation=organisation)
