"""Actions on a project page: "Wir übernehmen das" records an adoption for the member's commune
(``/projekte/{id}/uebernehmen``, the API's ``recordAdoption``). "Kontakt aufnehmen" needs no page of
its own: the project page shows the contact people with ``mailto:`` links to signed-in members
(the API redacts contact data for everyone else).

The API decides what happens to the record: a member's waits for review, a moderator's is published;
a second record of the same commune for the same project is refused (DUPLICATE) with a German
message, shown above the form like every other mistake. A form with mistakes comes back with status
200 (see ``member_pages``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from schule.auth.middleware import identity_of
from schule.domain.records import ID_PATTERN
from schule.web import documents
from schule.web.forms import read_form
from schule.web.pages import NotFound, Pages

ADOPTION_STATUSES = ("PLANNED", "IN_PROGRESS", "DONE")
# the form's fields, in the order of the form (error summary links go to them)
ADOPTION_FIELDS = ("status", "started", "contact", "outcome")


def _errors(errors: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """UserErrors as messages per form field and general ones (the project, the commune, a duplicate)."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for error in errors:
        field = (error.get("field") or [None])[-1]
        if field in ADOPTION_FIELDS:
            by_field.setdefault(field, error["message"])
        else:
            general.append(error["message"])
    return by_field, general


async def adopt_page(pages: Pages, request: Request) -> Response:
    project_id = request.path_params["id"]
    if not ID_PATTERN.fullmatch(project_id):
        raise NotFound(project_id)
    viewer = identity_of(request.scope)
    if not viewer.authenticated:
        return RedirectResponse(f"/anmelden?weiter={quote(request.url.path)}", status_code=303)
    data = await pages.api.run(request, documents.ADOPT_FORM, {
        "id": project_id, "commune": viewer.commune_id or "", "hasCommune": bool(viewer.commune_id)})
    project, commune = data.get("project"), data.get("commune")
    if project is None:
        raise NotFound(project_id)
    values: dict[str, str] = {"status": "PLANNED"}
    errors: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST" and commune is not None:
        form = await read_form(request)
        values = {name: form.get(name) for name in ADOPTION_FIELDS}
        given = {k: v for k, v in values.items() if v}
        if given.get("status") not in ADOPTION_STATUSES:
            given.pop("status", None)
        result = (await pages.api.run(request, documents.RECORD_ADOPTION, {
            "input": {"source": project["slug"], "commune": commune["slug"], **given}}))["recordAdoption"]
        if result["__typename"] == "AdaptationPayload":
            query = urlencode({"erfasst": result["adaptation"]["slug"], "stand": result["adaptation"]["state"]})
            return RedirectResponse(f"{request.url.path}?{query}", status_code=303)
        errors, general = _errors(result["errors"])
    recorded = request.query_params.get("erfasst", "")
    return pages.render(
        request, "adopt.html", project=project, commune=commune, values=values, errors=errors, general=general,
        statuses=ADOPTION_STATUSES, recorded=recorded if ID_PATTERN.fullmatch(recorded) else None,
        published=request.query_params.get("stand") == "PUBLISHED",
    )
