"""Member flows: sign in, submit a project or a lesson learned.

``/anmelden`` is the one sign-in page: it posts to ``/signin`` (``schule.auth.web``: password
check, rate limits, session cookie), which sends failures back here with ``?fehler=…``; this page
renders the form with the pre-session CSRF cookie that route expects. Submissions run the API's
mutations; the API decides what happens next (members' entries wait for review, moderators'
are published at once), and the entry's page says which.

A form with mistakes comes back with status 200, not 422: browsers log every 4xx document as a
console error, and the page is a normal answer (the form again, with the mistakes explained).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from schule.auth import csrf
from schule.auth.middleware import identity_of
from schule.auth.web import SIGN_IN_ERRORS, local_path
from schule.web import documents
from schule.web.forms import read_form
from schule.web.pages import Pages
from schule.web.transfer_form import PREREQUISITES, RANGES, transfer_from_form

STATUS_CHOICES = ("IDEA", "PLANNING", "IMPLEMENTATION", "OPERATION", "COMPLETED", "STOPPED")
LESSON_TYPES = ("SUCCESS", "PITFALL", "RECOMMENDATION")
MAX_TAGS = 20


def _sign_in_first(request: Request) -> Response | None:
    if identity_of(request.scope).authenticated:
        return None
    return RedirectResponse(f"/anmelden?weiter={quote(request.url.path)}", status_code=303)


async def sign_in_page(pages: Pages, request: Request) -> Response:
    token = request.cookies.get(csrf.PRE_SESSION_COOKIE) or csrf.new_pre_session()
    error = SIGN_IN_ERRORS.get(request.query_params.get("fehler", ""))
    response = pages.render(request, "signin.html", token=token,
                            next=local_path(request.query_params.get("weiter")) or "", error=error)
    response.set_cookie(
        csrf.PRE_SESSION_COOKIE, token, max_age=3600, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
    )
    return response


async def _form_options(pages: Pages, request: Request) -> dict[str, Any]:
    data = await pages.api.run(request, documents.FORM_OPTIONS)
    communes = list(data["communes"]["nodes"])
    page_info = data["communes"]["pageInfo"]
    while page_info["hasNextPage"]:
        more = await pages.api.run(request, documents.MORE_COMMUNES, {"after": page_info["endCursor"]})
        communes += more["communes"]["nodes"]
        page_info = more["communes"]["pageInfo"]
    return {"communes": communes, "handlungsfelder": data["handlungsfelder"]["nodes"]}


def _problems(errors: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """UserErrors as messages per input field (the last element of ``field``) and general ones."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for error in errors:
        field = (error.get("field") or [None])[-1]
        if field:
            by_field.setdefault(field, error["message"])
        else:
            general.append(error["message"])
    return by_field, general


async def submit_project_page(pages: Pages, request: Request) -> Response:
    redirect = _sign_in_first(request)
    if redirect:
        return redirect
    viewer = identity_of(request.scope)
    values: dict[str, Any] = {"communes": [viewer.commune_id] if viewer.commune_id else [], "handlungsfelder": []}
    errors: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        form = await read_form(request)
        tags = [t.strip() for t in form.get("tags").split(",") if t.strip()][:MAX_TAGS]
        status = form.get("status")
        values = {
            "title": form.get("title"), "summary": form.get("summary"), "description": form.get("description"),
            "communes": form.getlist("communes"), "handlungsfelder": form.getlist("handlungsfelder"),
            "status": status if status in STATUS_CHOICES else None, "tags": tags,
        }
        transfer, raw_transfer, bad_number = transfer_from_form(form)
        if bad_number:
            errors = {"transfer": bad_number}
        else:
            given = {k: v for k, v in values.items() if v not in (None, "", [])}
            given |= {"title": values["title"], "summary": values["summary"]}
            if transfer:
                given["transfer"] = transfer
            data = await pages.api.run(request, documents.CREATE_PROJECT, {"input": given})
            result = data["createProject"]
            if result["__typename"] == "ProjectPayload":
                return RedirectResponse(f"/projekte/{result['project']['slug']}?eingereicht=1", status_code=303)
            errors, general = _problems(result["errors"])
        values |= raw_transfer
    return pages.render(
        request, "submit_project.html", 200,
        values=values, errors=errors, general=general, status_choices=STATUS_CHOICES,
        transfer_prerequisites=PREREQUISITES, transfer_ranges=RANGES,
        **await _form_options(pages, request),
    )


async def submit_lesson_page(pages: Pages, request: Request) -> Response:
    redirect = _sign_in_first(request)
    if redirect:
        return redirect
    values: dict[str, Any] = {"project": request.query_params.get("projekt", ""), "handlungsfelder": []}
    errors: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        form = await read_form(request)
        kind = form.get("type")
        values = {
            "project": form.get("project"), "title": form.get("title"), "text": form.get("text"),
            "type": kind if kind in LESSON_TYPES else None, "handlungsfelder": form.getlist("handlungsfelder"),
        }
        data = await pages.api.run(request, documents.ADD_LESSON, {
            "input": {k: v for k, v in values.items() if v not in (None, "", [])} | {
                "project": values["project"], "title": values["title"], "text": values["text"]},
        })
        result = data["addLesson"]
        if result["__typename"] == "LessonPayload":
            return RedirectResponse(f"/erkenntnisse/{result['lesson']['slug']}?eingereicht=1", status_code=303)
        errors, general = _problems(result["errors"])
    projects: list[dict[str, Any]] = []
    after = None
    while True:
        page = await pages.api.run(request, documents.PROJECT_CHOICES, {"after": after})
        projects += page["projects"]["nodes"]
        if not page["projects"]["pageInfo"]["hasNextPage"]:
            break
        after = page["projects"]["pageInfo"]["endCursor"]
    options = await _form_options(pages, request)
    return pages.render(
        request, "submit_lesson.html", 200,
        values=values, errors=errors, general=general, lesson_types=LESSON_TYPES, projects=projects,
        handlungsfelder=options["handlungsfelder"],
    )
