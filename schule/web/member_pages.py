"""Member flows: sign in, submit a project or a lesson learned (the forms: ``schule.web.edit_pages``).

``/anmelden`` is the one sign-in page: it posts to ``/signin`` (``schule.auth.web``: password
check, rate limits, session cookie), which sends failures back here with ``?fehler=…``; this page
renders the form with the pre-session CSRF cookie that route expects. Submissions run the API's
mutations; the API decides what happens next (members' entries wait for review, moderators'
are published at once), and the entry's page says which.

A form with mistakes comes back with status 200, not 422: browsers log every 4xx document as a
console error, and the page is a normal answer (the form again, with the mistakes explained).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from schule.auth import csrf
from schule.auth.web import SIGN_IN_ERRORS, local_path
from schule.web.edit_pages import submit_lesson_page, submit_project_page
from schule.web.pages import Pages

__all__ = ["sign_in_page", "submit_lesson_page", "submit_project_page"]


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
