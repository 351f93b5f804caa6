"""The start page (``/`` without a query): live numbers of the network and what is new.

Its own module so that the search page keeps to searching; ``search_page`` hands over when the URL
asks for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from schule.web import documents
from schule.web.pages import Pages

NEWS_SHOWN = 6


def start_figures(start: dict[str, Any]) -> dict[str, int]:
    """The start page's live numbers: published communes, projects, lessons and adoptions."""
    return {name: start[name]["totalCount"] for name in ("communes", "projects", "lessons", "adaptations")}


def newest(start: dict[str, Any]) -> list[dict[str, Any]]:
    """What is new: the most recently published or changed projects and lessons, newest first."""
    entries = [{**p, "kind": "PROJECT"} for p in start["projects"]["nodes"]]
    entries += [{**lesson, "kind": "LESSON"} for lesson in start["lessons"]["nodes"]]
    entries.sort(key=lambda e: e["updatedAt"] or "", reverse=True)
    return entries[:NEWS_SHOWN]


async def start_page(pages: Pages, request: Request, examples: Sequence[str], search: Any) -> Response:
    start = await pages.api.run(request, documents.START, {"news": NEWS_SHOWN})
    return pages.render(
        request, "start.html", examples=examples, search=search,
        handlungsfelder=start["handlungsfelder"]["nodes"], networks=start["networks"]["nodes"],
        figures=start_figures(start), news=newest(start),
    )
