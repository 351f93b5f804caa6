"""The search page at ``/``: the URL carries everything (query, filters, page), so links can be shared.

``/?q=Datenplattform&art=project&kommune=olpe&seite=2``: ``q`` is the query, each facet has a
short German parameter that may repeat (values within a facet are ORed by the API), ``seite``
counts from 1. Without a query the page is the start page.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from schule.search.documents import TRANSFER_FEATURES
from schule.web import documents
from schule.web.pages import Pages
from schule.web.rendering import query_string
from schule.web.start_page import start_page

PAGE_SIZE = 10
MAX_QUERY_CHARS = 500
MAX_VALUES_PER_FACET = 20
MAX_VALUE_CHARS = 120
MAX_PAGE = 1000
KINDS = ("project", "lesson", "commune", "person", "event", "handlungsfeld", "organisation", "network")


@dataclass(frozen=True)
class FacetParam:
    param: str        # URL parameter
    filter: str       # SearchFilter field
    title: str        # heading on the page


# In the order the API returns its facets (SearchFacetName).
FACETS = {
    "KIND": FacetParam("art", "kinds", "Art"),
    "HANDLUNGSFELD": FacetParam("hf", "handlungsfelder", "Handlungsfeld"),
    "COMMUNE": FacetParam("kommune", "communes", "Kommune"),
    "KREIS": FacetParam("kreis", "kreise", "Kreis"),
    "REGION": FacetParam("region", "regions", "Region"),
    "STATUS": FacetParam("status", "statuses", "Projektstatus"),
    "TRANSFER": FacetParam("uebertragbar", "transfer", "Übertragbarkeit"),
    "STANDARD": FacetParam("standard", "standards", "Standards und Schnittstellen"),
}
# URL parameters whose values are GraphQL enum values (lowercase here, the enum names upper-case)
ENUM_VALUES = {"art": KINDS, "uebertragbar": TRANSFER_FEATURES}
EXAMPLES = ("Datenplattform", "Stadtlabor", "Mitmacherkommune", "Ratsbeschluss", "Bürgerbeteiligung")


@dataclass(frozen=True)
class SearchRequest:
    query: str
    selected: dict[str, list[str]]   # URL parameter -> values
    page: int

    @classmethod
    def from_request(cls, request: Request) -> SearchRequest:
        params = request.query_params
        selected: dict[str, list[str]] = {}
        for facet in FACETS.values():
            values = [v.strip()[:MAX_VALUE_CHARS] for v in params.getlist(facet.param) if v.strip()]
            if facet.param in ENUM_VALUES:  # the API's enums: an unknown value is dropped, not an error page
                values = [v for v in values if v in ENUM_VALUES[facet.param]]
            if values:
                selected[facet.param] = list(dict.fromkeys(values))[:MAX_VALUES_PER_FACET]
        try:
            page = min(max(int(params.get("seite", "1")), 1), MAX_PAGE)
        except ValueError:
            page = 1
        return cls(" ".join(params.get("q", "").split())[:MAX_QUERY_CHARS], selected, page)

    def api_filter(self) -> dict[str, list[str]] | None:
        out: dict[str, list[str]] = {}
        for facet in FACETS.values():
            values = self.selected.get(facet.param)
            if values:
                out[facet.filter] = [v.upper() for v in values] if facet.param in ENUM_VALUES else values
        return out or None

    def url(self, *, page: int = 1, toggle: tuple[str, str] | None = None, query: str | None = None) -> str:
        """This search's URL on ``page``, with one facet value toggled, or with another query."""
        selected = {k: list(v) for k, v in self.selected.items()}
        if toggle is not None:
            param, value = toggle
            values = selected.setdefault(param, [])
            if value in values:
                values.remove(value)
            else:
                values.append(value)
        params: dict[str, Any] = {"q": self.query if query is None else query, **selected}
        if page > 1:
            params["seite"] = str(page)
        return "/" + query_string(params)

    def feed_url(self) -> str:
        """The Atom feed of this search (``schule/web/feeds.py``; the page number does not apply)."""
        return "/suche.atom" + query_string({"q": self.query, **self.selected})


_MARK = re.compile(r"</?mark>")


def split_highlights(hit: dict[str, Any]) -> dict[str, Any]:
    """The hit with its highlighted title (if the title matched) apart from its text snippets."""
    fragments = [f for f in hit["highlights"] if f]
    title_html = None
    if fragments and html.unescape(_MARK.sub("", fragments[0])) == hit["title"]:
        title_html, fragments = fragments[0], fragments[1:]
    return {**hit, "title_html": title_html, "snippets": fragments}


def card_of(hit: dict[str, Any]) -> dict[str, Any]:
    """The hit with what its card shows: the entry's fields (``node``: projects and lessons) or just
    its id and title (other kinds, or an entry the index still has but the graph no longer shows)."""
    node = hit.get("node") or {}
    return {**hit, "node": node if "slug" in node else {"slug": hit["id"], "title": hit["title"]}}


def page_numbers(current: int, last: int) -> list[int | None]:
    """Page links to show: first, last and the neighbours of ``current``; None is a gap."""
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    for n in wanted:
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


async def search_page(pages: Pages, request: Request) -> Response:
    search = SearchRequest.from_request(request)
    if not search.query and not search.selected:
        return await start_page(pages, request, EXAMPLES, search)
    data = await pages.api.run(request, documents.SEARCH, {
        "query": search.query,
        "filter": search.api_filter(),
        "first": PAGE_SIZE,
        "offset": (search.page - 1) * PAGE_SIZE,
    })
    result = data["search"]
    last = max(1, math.ceil(result["total"] / PAGE_SIZE))
    facets = [
        {
            "name": facet["name"],
            "title": FACETS[facet["name"]].title,
            "param": FACETS[facet["name"]].param,
            "values": [
                {**v, "active": v["value"] in search.selected.get(FACETS[facet["name"]].param, []),
                 "url": search.url(toggle=(FACETS[facet["name"]].param, v["value"]))}
                for v in facet["values"]
            ],
        }
        for facet in result["facets"]
        if facet["values"]
    ]
    labels = {(f["param"], v["value"]): v["label"] for f in facets for v in f["values"]}
    active = [  # from the URL, not the facets: a filter that matches nothing must still be removable
        {"title": facet.title, "label": labels.get((facet.param, value), value),
         "url": search.url(toggle=(facet.param, value))}
        for facet in FACETS.values() for value in search.selected.get(facet.param, [])
    ]
    return pages.render(
        request, "search.html",
        search=search, result=result, hits=[card_of(split_highlights(h)) for h in result["hits"]],
        feed_url=search.feed_url(),
        facets=facets, active=active,
        first_hit=(search.page - 1) * PAGE_SIZE + 1,
        pagination=[(n, search.url(page=n) if n else None) for n in page_numbers(search.page, last)],
        previous_url=search.url(page=search.page - 1) if search.page > 1 else None,
        next_url=search.url(page=search.page + 1) if search.page < last else None,
        suggestions=[(s, search.url(query=s)) for s in result["suggestions"]],
    )
