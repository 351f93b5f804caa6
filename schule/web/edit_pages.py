"""Members write their entries: one form per kind for creating (``/einreichen/projekt``,
``/einreichen/erkenntnis``) and editing (``/projekte/{id}/bearbeiten``, ``/erkenntnisse/{id}/bearbeiten``),
save as a draft or submit for review, and withdraw a submission (``…/zurueckziehen``, a confirmation
page, so it works without JavaScript).

The API decides everything that matters (who may write, the review state, that a member's change
to a published entry waits as a pending revision while everyone keeps reading the published text);
the pages only keep other communes' members out with a German page before they type, and explain.
A refused post shows every problem at once in a summary at the top (German field names, links to
the fields), with everything typed kept. It answers 200, not 422: browsers log every 4xx document as
a console error, and the page is a normal answer (the form again, with the mistakes explained).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from schule.auth.middleware import identity_of
from schule.domain.records import ID_PATTERN
from schule.web import documents
from schule.web.entry_form import (
    LESSON_TYPES,
    STATUS_CHOICES,
    Problems,
    lesson_from_form,
    lesson_values,
    project_from_form,
    project_values,
)
from schule.web.forms import read_form
from schule.web.pages import NotFound, Pages
from schule.web.transfer_form import PARTNER_ROLES, PREREQUISITES, RANGES

KINDS = {  # URL prefix -> what differs between projects and lessons
    "projekte": {"field": "project", "query": documents.EDIT_PROJECT, "update": documents.UPDATE_PROJECT,
                 "result": "updateProject", "template": "submit_project.html"},
    "erkenntnisse": {"field": "lesson", "query": documents.EDIT_LESSON, "update": documents.UPDATE_LESSON,
                     "result": "updateLesson", "template": "submit_lesson.html"},
}
SAVED = {
    "entwurf": "Der Entwurf ist gespeichert. Nur Sie und die Moderation sehen ihn; reichen Sie ihn ein, "
               "wenn er fertig ist.",
    "gespeichert": "Ihre Änderungen sind gespeichert.",
    "vorschlag": "Ihre Änderung ist gespeichert und wartet auf die Prüfung durch die Moderation. Bis zur "
                 "Freigabe sehen alle den veröffentlichten Stand.",
    "unveraendert": "Sie haben nichts geändert; es wartet keine Änderung auf die Prüfung.",
    "zurueckgezogen": "Zurückgezogen. Der Eintrag ist wieder ein Entwurf: er bleibt gespeichert, und Sie können "
                      "ihn bearbeiten und erneut einreichen.",
    "vorschlag-zurueckgezogen": "Ihr Änderungsvorschlag ist zurückgezogen; der veröffentlichte Eintrag bleibt, "
                                "wie er ist.",
}
NOT_EDITABLE = ("REJECTED", "MERGED")
# Choices of projects and people are lists of checkboxes or options: past a few hundred nobody can
# use them, and loading thousands would spend the query budget of one page many times over. The
# form offers the first pages, and always what the entry already refers to (or the post named).
# Adoptions of other projects are also recorded from the project's own page ("Wir übernehmen das").
CHOICE_PAGES = 3


def _sign_in_first(request: Request) -> Response | None:
    if identity_of(request.scope).authenticated:
        return None
    return RedirectResponse(f"/anmelden?weiter={quote(request.url.path)}", status_code=303)


async def _first_pages(
    pages: Pages, request: Request, document: str, field: str, **variables: Any
) -> list[dict[str, Any]]:
    """The nodes of the first ``CHOICE_PAGES`` pages of a paginated list (the choices of a form)."""
    nodes: list[dict[str, Any]] = []
    after = None
    for _ in range(CHOICE_PAGES):
        page = (await pages.api.run(request, document, {**variables, "after": after}))[field]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return nodes


def _with(choices: list[dict[str, Any]], chosen: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """``choices`` plus the ``chosen`` ones missing from them (``{"slug", label}``; an id the page
    knows no name for shows as itself)."""
    known = {c["slug"] for c in choices}
    extra = {c["slug"]: c for c in chosen if ID_PATTERN.fullmatch(c["slug"]) and c["slug"] not in known}
    return choices + [{"slug": slug, label: c.get(label) or slug} for slug, c in extra.items()]


async def _options(
    pages: Pages, request: Request, kind: str, entry: dict[str, Any] | None, values: dict[str, Any]
) -> dict[str, Any]:
    data = await pages.api.run(request, documents.FORM_OPTIONS)
    communes = list(data["communes"]["nodes"])
    page_info = data["communes"]["pageInfo"]
    while page_info["hasNextPage"]:
        more = await pages.api.run(request, documents.MORE_COMMUNES, {"after": page_info["endCursor"]})
        communes += more["communes"]["nodes"]
        page_info = more["communes"]["pageInfo"]
    viewer = identity_of(request.scope)
    people = await _first_pages(pages, request, documents.PEOPLE_CHOICES, "people")
    if kind == "erkenntnisse" and not viewer.is_moderator:
        projects = await _first_pages(pages, request, documents.PROJECT_CHOICES_IN, "projects",
                                      communes=[viewer.commune_id] if viewer.commune_id else [])
    else:
        projects = await _first_pages(pages, request, documents.PROJECT_CHOICES, "projects")
    entry = entry or {}
    if kind == "projekte":
        people = _with(people, [*entry.get("contacts", []), *({"slug": s} for s in values.get("contacts", []))], "name")
        projects = _with(projects, [*entry.get("adaptedFrom", []),
                                    *({"slug": s} for s in values.get("adaptedFrom", []))], "title")
    else:
        people = _with(people, [entry.get("author") or {"slug": ""}, {"slug": values.get("author") or ""}], "name")
        projects = _with(projects, [entry.get("project") or {"slug": ""}, {"slug": values.get("project") or ""}],
                         "title")
    options: dict[str, Any] = {
        "communes": communes, "handlungsfelder": data["handlungsfelder"]["nodes"], "people": people,
        "projects": projects, "status_choices": STATUS_CHOICES, "lesson_types": LESSON_TYPES,
    }
    if kind == "projekte":
        organisations = await _first_pages(pages, request, documents.ORGANISATION_CHOICES, "organisations")
        partners = [{"slug": v} for k, v in values.items() if k.startswith("transfer_partner") and
                    not k.startswith("transfer_partner_role") and isinstance(v, str)]
        options |= {"organisations": _with(organisations, partners, "name"),
                    "transfer_prerequisites": PREREQUISITES, "transfer_ranges": RANGES,
                    "partner_roles": PARTNER_ROLES}
    return options


def _communes_of(kind: str, entry: dict[str, Any]) -> list[str]:
    if kind == "projekte":
        return [c["slug"] for c in entry["communes"]]
    return [c["slug"] for c in (entry.get("project") or {}).get("communes", [])]


def _refusal(pages: Pages, request: Request, kind: str, entry: dict[str, Any]) -> Response | None:
    """A German page for an entry the viewer may not edit (the API would refuse the post as well)."""
    viewer = identity_of(request.scope)
    if not viewer.is_moderator and viewer.commune_id not in _communes_of(kind, entry):
        return pages.render(request, "error.html", 403, title="Nicht erlaubt",
                            message="Sie können nur Einträge Ihrer eigenen Kommune bearbeiten. Wenn an diesem "
                            "Eintrag etwas nicht stimmt, schreiben Sie bitte der Moderation.")
    if entry["state"] in NOT_EDITABLE:
        return pages.render(request, "error.html", 409, title="Nicht möglich",
                            message="Dieser Eintrag wurde abgelehnt oder mit einem anderen zusammengeführt und "
                            "kann nicht mehr bearbeitet werden.")
    return None


async def _entry(pages: Pages, request: Request, kind: str) -> dict[str, Any]:
    entry_id = request.path_params["id"]
    if not ID_PATTERN.fullmatch(entry_id):
        raise NotFound(entry_id)
    entry = (await pages.api.run(request, KINDS[kind]["query"], {"id": entry_id}))[KINDS[kind]["field"]]
    if entry is None:
        raise NotFound(entry_id)
    return entry


def _render(pages: Pages, request: Request, kind: str, *, values: dict[str, Any], problems: Problems,
            entry: dict[str, Any] | None, options: dict[str, Any]) -> Response:
    revision = (entry or {}).get("ownRevision")
    open_revision = revision if revision and revision["state"] in ("PENDING", "CHANGES_REQUESTED") else None
    return pages.render(
        request, KINDS[kind]["template"], 200, values=values, errors=problems.inline(),
        summary_items=problems.summary(), general=problems.general, entry=entry, open_revision=open_revision,
        saved=SAVED.get(request.query_params.get("gespeichert", "")), **options,
    )


def _target(kind: str, slug: str, suffix: str = "") -> str:
    return f"/{kind}/{slug}{suffix}"


async def entry_form_page(pages: Pages, request: Request, kind: str, editing: bool) -> Response:
    redirect = _sign_in_first(request)
    if redirect:
        return redirect
    viewer = identity_of(request.scope)
    entry = await _entry(pages, request, kind) if editing else None
    if entry is not None:
        refusal = _refusal(pages, request, kind, entry)
        if refusal:
            return refusal
    problems = Problems()
    if request.method == "POST":
        form = await read_form(request)
        given, values, problems = (project_from_form if kind == "projekte" else lesson_from_form)(form)
        action = form.get("aktion") or ("einreichen" if entry is None else "speichern")
        if not problems:
            result = await _save(pages, request, kind, entry, given, action)
            if "errors" not in result:
                slug = result["slug"]
                if action == "einreichen" and result["state"] != "PUBLISHED":
                    return RedirectResponse(_target(kind, slug, "?eingereicht=1"), status_code=303)
                if entry is not None and entry["state"] == "PUBLISHED" and not viewer.is_moderator:
                    done = "vorschlag" if result["revision"] in ("PENDING", "CHANGES_REQUESTED") else "unveraendert"
                else:
                    done = "entwurf" if result["state"] == "DRAFT" else "gespeichert"
                return RedirectResponse(_target(kind, slug, f"/bearbeiten?gespeichert={done}"), status_code=303)
            problems.add_api(result["errors"])
    elif entry is not None:
        values = (project_values if kind == "projekte" else lesson_values)(entry, entry.get("ownRevision"))
    elif kind == "projekte":
        values = {"communes": [viewer.commune_id] if viewer.commune_id else [], "handlungsfelder": [],
                  "contacts": [], "adaptedFrom": []}
    else:
        values = {"project": request.query_params.get("projekt", ""), "handlungsfelder": []}
    return _render(pages, request, kind, values=values, problems=problems, entry=entry,
                   options=await _options(pages, request, kind, entry, values))


async def _save(pages: Pages, request: Request, kind: str, entry: dict[str, Any] | None, given: dict[str, Any],
                action: str) -> dict[str, Any]:
    """Run the create or update mutation: the entry written (slug, state), or ``{"errors": […]}``."""
    if entry is None:
        document, field, payload = ((documents.CREATE_PROJECT, "createProject", "project") if kind == "projekte"
                                    else (documents.ADD_LESSON, "addLesson", "lesson"))
        required = ("title", "summary") if kind == "projekte" else ("project", "title", "text")
        data = {k: v for k, v in given.items() if v not in (None, "", [])} | {k: given[k] for k in required}
        data["draft"] = action == "entwurf"
    else:
        document, field = KINDS[kind]["update"], KINDS[kind]["result"]
        payload = KINDS[kind]["field"]
        data = {"id": entry["slug"], **given, "submit": action == "einreichen"}
    result = (await pages.api.run(request, document, {"input": data}))[field]
    if result["__typename"] == "UserErrors":
        return {"errors": result["errors"]}
    written = result[payload]
    return {"slug": written["slug"], "state": written["state"],
            "revision": (written.get("ownRevision") or {}).get("state")}


async def withdraw_page(pages: Pages, request: Request, kind: str) -> Response:
    """Confirm, then withdraw: a submission goes back to draft, an open change to a published entry is dropped."""
    redirect = _sign_in_first(request)
    if redirect:
        return redirect
    entry = await _entry(pages, request, kind)
    refusal = _refusal(pages, request, kind, entry)
    if refusal:
        return refusal
    problems: list[str] = []
    if request.method == "POST":
        await read_form(request)
        result = (await pages.api.run(request, documents.WITHDRAW_ENTRY, {"id": entry["slug"]}))["withdrawEntry"]
        if result["__typename"] == "ModerationPayload":
            done = "vorschlag-zurueckgezogen" if result.get("revision") else "zurueckgezogen"
            return RedirectResponse(_target(kind, entry["slug"], f"/bearbeiten?gespeichert={done}"), status_code=303)
        problems = [e["message"] for e in result["errors"]]
    return pages.render(request, "withdraw.html", entry=entry, kind=kind, problems=problems,
                        revision=entry["state"] == "PUBLISHED")


# -- endpoints ------------------------------------------------------------------------------------

async def submit_project_page(pages: Pages, request: Request) -> Response:
    return await entry_form_page(pages, request, "projekte", editing=False)


async def submit_lesson_page(pages: Pages, request: Request) -> Response:
    return await entry_form_page(pages, request, "erkenntnisse", editing=False)


async def edit_project_page(pages: Pages, request: Request) -> Response:
    return await entry_form_page(pages, request, "projekte", editing=True)


async def edit_lesson_page(pages: Pages, request: Request) -> Response:
    return await entry_form_page(pages, request, "erkenntnisse", editing=True)


async def withdraw_project_page(pages: Pages, request: Request) -> Response:
    return await withdraw_page(pages, request, "projekte")


async def withdraw_lesson_page(pages: Pages, request: Request) -> Response:
    return await withdraw_page(pages, request, "erkenntnisse")
