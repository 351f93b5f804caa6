"""Review pages: a member's own submissions and proposed changes (``/meine-einreichungen``) and the
moderators' review queue (``/pruefen``: approve; reject or send back with a required reason; merge
a duplicate, chosen from the published entries most like it). A published entry in the queue waits
with a member's revision: the page shows its diff (field, published value, proposed value, changed
words marked), and the same form decides the revision. One form per entry; rejecting and merging
ask for confirmation on a page of their own (no JavaScript needed).

Both run the API's documents and nothing else: who may see the queue and who may take which step
is the API's (the services') decision; the pages only keep anonymous visitors out and explain.
Every step is a form post with the session's CSRF token (``forms.read_form``); after a step the
page redirects (303) so reloading does not repeat it, and names what was done.
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
from schule.web.pages import Pages
from schule.web.rendering import REVIEW_STATE
from schule.web.review_view import queue_item

# A page of the queue asks the search for each new entry's duplicate candidates: 25 entries with 5
# candidates each stay well under the cost budget (tests/unit/graphql/test_cost.py).
QUEUE_SHOWN = 25
CANDIDATES = 5
MERGEABLE = ("PROJECT", "LESSON")
SUBMITTABLE = ("DRAFT", "CHANGES_REQUESTED")
DONE = {
    "einreichen": "Der Eintrag ist zur Prüfung eingereicht.",
    "freigeben": "Der Eintrag ist freigegeben und jetzt für alle sichtbar.",
    "zurueckgeben": "Der Eintrag ist zur Überarbeitung zurückgegeben.",
    "ablehnen": "Der Eintrag ist abgelehnt.",
    "zusammenfuehren": "Die Dublette ist in den verbleibenden Eintrag überführt.",
    "freigeben-aenderung": "Die Änderung ist übernommen und jetzt für alle sichtbar.",
    "zurueckgeben-aenderung": "Die Änderung ist zur Überarbeitung zurückgegeben.",
    "ablehnen-aenderung": "Die Änderung ist abgelehnt; der veröffentlichte Eintrag bleibt, wie er war.",
}


def _sign_in_first(request: Request) -> Response | None:
    if identity_of(request.scope).authenticated:
        return None
    return RedirectResponse(f"/anmelden?weiter={quote(request.url.path)}", status_code=303)


def _messages(result: dict[str, Any]) -> list[str]:
    return [e["message"] for e in result.get("errors", [])]


def _done(path: str, action: str, entry: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'erledigt': action, 'eintrag': entry})}", status_code=303)


async def my_submissions_page(pages: Pages, request: Request) -> Response:
    redirect = _sign_in_first(request)
    if redirect:
        return redirect
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        form = await read_form(request)
        entry = form.get("id")
        if ID_PATTERN.fullmatch(entry):
            result = (await pages.api.run(request, documents.SUBMIT_ENTRY, {"id": entry}))["submitEntry"]
            if result["__typename"] == "ModerationPayload":
                return _done(request.url.path, "einreichen", entry)
            problems[entry] = _messages(result)
    data = await pages.api.run(request, documents.MY_SUBMISSIONS)
    return pages.render(
        request, "my_submissions.html", entries=data["mySubmissions"], problems=problems, STATE=REVIEW_STATE,
        submittable=SUBMITTABLE, done=DONE.get(request.query_params.get("erledigt", "")),
    )


def _survivor(form: Any) -> str:
    """The entry to merge into: an id typed by hand wins over a chosen candidate."""
    return form.get("survivor_id") or form.get("survivor")


def _needs_confirmation(form: Any) -> bool:
    """Rejecting and merging cannot be undone from the page: they ask once more (a page of its own,
    so it works without JavaScript). A reject without a reason goes straight to the API, which
    refuses it and says why; a merge without a valid target is refused by ``_step``."""
    action = form.get("aktion")
    if form.get("bestaetigt") == "ja" or not ID_PATTERN.fullmatch(form.get("id")):
        return False
    if action == "ablehnen":
        return bool(form.get("reason"))
    return action == "zusammenfuehren" and bool(ID_PATTERN.fullmatch(_survivor(form)))


async def _step(pages: Pages, request: Request, form: Any) -> tuple[str, dict[str, Any]] | None:
    """Run the step the form asks for; None if the form names no known step."""
    action, entry = form.get("aktion"), form.get("id")
    if not ID_PATTERN.fullmatch(entry):
        return None
    if action == "freigeben":
        data = await pages.api.run(request, documents.APPROVE_ENTRY, {"id": entry})
        return action, data["approveEntry"]
    if action in ("ablehnen", "zurueckgeben"):
        document, field = ((documents.REJECT_ENTRY, "rejectEntry") if action == "ablehnen"
                           else (documents.REQUEST_CHANGES, "requestChanges"))
        data = await pages.api.run(request, document, {"id": entry, "reason": form.get("reason")})
        return action, data[field]
    if action == "zusammenfuehren":
        survivor = _survivor(form)
        if not ID_PATTERN.fullmatch(survivor):
            return action, {"__typename": "UserErrors", "errors": [
                {"code": "INVALID", "field": ["survivor"],
                 "message": "Bitte einen der ähnlichen Einträge wählen oder die ID des verbleibenden Eintrags "
                            "angeben (z. B. 'stadtlabor-soest')."}]}
        reason = form.get("reason") or form.get("merge_reason") or None
        data = await pages.api.run(request, documents.MERGE_ENTRIES, {
            "duplicate": entry, "survivor": survivor, "reason": reason})
        return action, data["mergeEntries"]
    return None


async def review_page(pages: Pages, request: Request) -> Response:
    redirect = _sign_in_first(request)
    if redirect:
        return redirect
    viewer = identity_of(request.scope)
    if not viewer.is_moderator:
        return pages.render(request, "error.html", 403, title="Nur für die Moderation",
                            message="Die Prüfliste sehen nur Moderatorinnen und Moderatoren.")
    problems: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
        if _needs_confirmation(form):
            return pages.render(
                request, "review_confirm.html", action=form.get("aktion"), entry=form.get("id"),
                title=form.get("titel") or form.get("id"), reason=form.get("reason"), survivor=_survivor(form),
                kind=form.get("art") if form.get("art") in MERGEABLE else "PROJECT",
            )
        outcome = await _step(pages, request, form)
        if outcome is not None:
            action, result = outcome
            if result["__typename"] == "ModerationPayload":
                decided = f"{action}-aenderung" if result.get("revision") else action
                return _done(request.url.path, decided, form.get("id"))
            problems[form.get("id")] = _messages(result)
            values = {"id": form.get("id"), "reason": form.get("reason") or form.get("merge_reason"),
                      "survivor": form.get("survivor"), "survivor_id": form.get("survivor_id")}
    # The query's cost (charged against the client's query rate) grows with `first`: ask for no more
    # entries than wait (counted for the header at the start of this request), so that reloading a
    # short queue a few times stays far from the limit.
    waiting = getattr(request.state, "review_count", None)
    first = QUEUE_SHOWN if waiting is None else max(1, min(QUEUE_SHOWN, waiting))
    data = await pages.api.run(request, documents.REVIEW_QUEUE, {"first": first, "candidates": CANDIDATES})
    queue = data["reviewQueue"]
    return pages.render(
        request, "review_queue.html", items=[queue_item(node) for node in queue["nodes"]], total=queue["totalCount"],
        problems=problems, values=values, done=DONE.get(request.query_params.get("erledigt", "")),
        done_entry=request.query_params.get("eintrag", ""), mergeable_kinds=MERGEABLE,
    )
