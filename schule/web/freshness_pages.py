"""``/veraltet``: entries of the member's commune (all, for the moderation) not confirmed for the set
time, oldest first, each with a button that confirms it is still true (``confirmEntry``)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from schule.auth.middleware import identity_of
from schule.domain.records import ID_PATTERN
from schule.web import documents
from schule.web.forms import read_form
from schule.web.pages import Pages


async def stale_page(pages: Pages, request: Request) -> Response:
    if not identity_of(request.scope).authenticated:
        return RedirectResponse(f"/anmelden?{urlencode({'weiter': request.url.path})}", status_code=303)
    problems: list[str] = []
    if request.method == "POST":
        entry = (await read_form(request)).get("id")
        if ID_PATTERN.fullmatch(entry):
            result = (await pages.api.run(request, documents.CONFIRM_ENTRY, {"id": entry}))["confirmEntry"]
            if result["__typename"] != "UserErrors":
                return RedirectResponse(f"{request.url.path}?{urlencode({'bestaetigt': entry})}", status_code=303)
            problems = [e["message"] for e in result["errors"]]
    data = await pages.api.run(request, documents.STALE_ENTRIES)
    return pages.render(request, "stale.html", stale=data["staleEntries"], problems=problems,
                        confirmed=request.query_params.get("bestaetigt", ""))
