"""``/projekte`` and ``/erkenntnisse``: every published entry as a card, with facets, sorting and pages.

The URL carries everything (``schule/web/listing.py``), so a selection can be bookmarked, shared and
followed as an Atom feed (``schule/web/feeds.py``). Pages are numbered (``seite``), which makes links
to page N possible without JavaScript; the API's cursors are offsets, so page N is the cursor of the
entry before it (``encode_cursor``) and the store slices the sorted list itself.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from schule.graphql.pagination import encode_cursor
from schule.web import documents
from schule.web.api import ApiError
from schule.web.listing import LESSONS, PAGE_SIZE, PROJECTS, BadListRequest, ListKind, ListRequest
from schule.web.pages import Pages
from schule.web.search_page import page_numbers

FACET_VALUES_SHOWN = 15

# Which search facet fills which of the list's facets (search facet name -> URL parameter).
_SEARCH_FACETS = {
    PROJECTS.path: {"HANDLUNGSFELD": "hf", "KREIS": "kreis", "REGION": "region", "STATUS": "status"},
    LESSONS.path: {"COMMUNE": "kommune"},
}


class FacetCache:
    """The facet counts of recent selections, for ``TTL_S`` seconds (one per app, on ``app.state``).

    Counting every facet value of an unfiltered list costs the search ~100 ms at 10,000 projects,
    most of a list page; people paging through a list or switching its sort ask for the same counts
    again. The counts are public (published entries only) and the search index follows the graph
    seconds late anyway, so a minute-old count is no new kind of staleness."""

    TTL_S = 60.0
    SIZE = 256

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def get(self, key: str) -> dict[str, Any] | None:
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self.TTL_S:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._entries[key] = (time.monotonic(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.SIZE:
            self._entries.popitem(last=False)


async def _facet_counts(pages: Pages, request: Request, search_filter: dict[str, Any]) -> dict[str, Any]:
    state = request.app.state
    cache = getattr(state, "list_facet_cache", None)
    if cache is None:
        cache = state.list_facet_cache = FacetCache()
    key = json.dumps(search_filter, sort_keys=True)
    found = cache.get(key)
    if found is None:
        try:
            found = await pages.api.run(request, documents.LIST_FACETS, {"facets": search_filter})
        except ApiError as e:
            if not e.user_facing:
                raise
            # the search is not ready (an index being rebuilt): the list works without counts
            return {"search": {"facets": []}}
        cache.put(key, found)
    return found


def bad_request(pages: Pages, request: Request, error: BadListRequest) -> Response:
    return pages.render(request, "error.html", 400, title="Ungültige Anfrage", message=str(error))


def after_cursor(page: int, size: int) -> str | None:
    offset = (page - 1) * size
    return encode_cursor(offset - 1) if offset else None


async def projects_page(pages: Pages, request: Request) -> Response:
    return await _list_page(pages, request, PROJECTS)


async def lessons_page(pages: Pages, request: Request) -> Response:
    return await _list_page(pages, request, LESSONS)


async def _list_page(pages: Pages, request: Request, kind: ListKind) -> Response:
    try:
        wanted = ListRequest.parse(kind, request.query_params)
    except BadListRequest as e:
        return bad_request(pages, request, e)
    size = PAGE_SIZE
    document = documents.PROJECT_LIST if kind is PROJECTS else documents.LESSON_LIST
    data, facet_data = await asyncio.gather(
        pages.api.run(request, document, {
            "filter": wanted.api_filter(), "sort": wanted.sort.api, "first": size,
            "after": after_cursor(wanted.page, size),
        }),
        _facet_counts(pages, request, wanted.search_filter()),
    )
    data = {**data, **facet_data}
    connection = data["projects" if kind is PROJECTS else "lessons"]
    total = connection["totalCount"]
    last = max(1, math.ceil(total / size))
    if wanted.page > last:
        return pages.render(request, "error.html", 404, title="Seite nicht gefunden",
                            message=f"Diese Liste hat {last} Seite{'n' if last > 1 else ''}; Seite {wanted.page} "
                            "gibt es nicht.")
    facets = _facets(wanted, data)
    labels = {(f["param"], v["value"]): v["label"] for f in facets for v in f["values"]}
    titles = {f.param: f.title for f in kind.facets}
    active = [
        {"title": titles[param], "label": labels.get((param, value), value), "url": wanted.url(toggle=(param, value))}
        for param, values in wanted.selected.items() for value in values
    ]
    return pages.render(
        request, "list.html", kind=kind, wanted=wanted, total=total, entries=connection["nodes"],
        facets=facets, active=active, first_number=(wanted.page - 1) * size + 1,
        sorts=[{"param": s.param, "label": s.label, "selected": s is wanted.sort} for s in kind.sorts],
        pagination=[(n, wanted.url(page=n) if n else None) for n in page_numbers(wanted.page, last)],
        previous_url=wanted.url(page=wanted.page - 1) if wanted.page > 1 else None,
        next_url=wanted.url(page=wanted.page + 1) if wanted.page < last else None,
        feed_url=wanted.feed_url(), feed_title=feed_title(wanted, labels),
    )


def feed_title(wanted: ListRequest, labels: dict[tuple[str, str], str] | None = None) -> str:
    """``Projekte – Kreis: Kreis Olpe; Handlungsfeld: Mobilität`` (labels where the page knows them)."""
    labels = labels or {}
    parts = [f"{f.title}: " + ", ".join(labels.get((f.param, v), (f.choices or {}).get(v, v))
                                        for v in wanted.selected[f.param])
             for f in wanted.kind.facets if f.param in wanted.selected]
    return wanted.kind.title + (" – " + "; ".join(parts) if parts else "")


def _facets(wanted: ListRequest, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The facets as link lists: values (with counts when the search counts exactly this list)
    from the search, fixed choices, networks; a selected value is always listed, so it can be removed."""
    kind = wanted.kind
    from_search = {_SEARCH_FACETS[kind.path][f["name"]]: f["values"] for f in data["search"]["facets"]
                   if f["name"] in _SEARCH_FACETS[kind.path]}
    out = []
    for facet in kind.facets:
        if facet.param == "schlagwort":
            values: list[dict[str, Any]] = []   # tags are picked on the cards; the selected ones below
        elif facet.param in from_search:
            values = [{"value": v["value"], "label": v["label"], "count": v["count"] if wanted.counts_exact else None}
                      for v in from_search[facet.param]]
        elif facet.param == "netzwerk":
            values = [{"value": n["slug"], "label": n["name"], "count": None} for n in data["networks"]["nodes"]]
        elif facet.param == "rolle":
            if "netzwerk" not in wanted.selected:
                continue
            values = [{"value": k, "label": label, "count": None} for k, label in (facet.choices or {}).items()]
        elif facet.param == "hf":
            values = [{"value": h["slug"], "label": h["name"], "count": None}
                      for h in data["handlungsfelder"]["nodes"]]
        elif facet.choices is not None:
            values = [{"value": k, "label": label, "count": None} for k, label in facet.choices.items()]
        else:
            values = []
        if facet.choices is not None:  # fixed choices keep their German label and order
            values = [{**v, "label": facet.choices.get(v["value"], v["label"])} for v in values]
        hidden = 0
        if facet.choices is None and len(values) > FACET_VALUES_SHOWN:  # e.g. 400 communes: the most frequent
            hidden = len(values) - FACET_VALUES_SHOWN
            values = values[:FACET_VALUES_SHOWN]
        listed = {v["value"] for v in values}
        values += [{"value": v, "label": (facet.choices or {}).get(v, v), "count": None}
                   for v in wanted.selected.get(facet.param, []) if v not in listed]
        for v in values:
            v["active"] = v["value"] in wanted.selected.get(facet.param, [])
            v["url"] = wanted.url(toggle=(facet.param, v["value"]))
        if values:
            out.append({"param": facet.param, "title": facet.title, "values": values, "hidden": hidden})
    return out
