"""Accounts in the browser: ``/konto/passwort`` (a signed-in person changes their password) and
``/konten`` (admins: every account, with a password reset that shows a new password once).

Accounts are not part of the GraphQL API (nor is sign-in, ``schule.auth.web``), so these pages call
``schule.services.accounts`` directly, in a worker thread; the service checks who may do what.
A wrong current password counts as a failed sign-in (same buckets, ``Limits.sign_in``), or the
form would be a way around the sign-in limits to guess a password of a left-open browser.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from schule.auth.middleware import client_address, identity_of
from schule.auth.ratelimit import Limits
from schule.auth.web import session_secret
from schule.errors import ProblemError
from schule.services import accounts
from schule.web.api import RateLimited
from schule.web.forms import Form, read_form
from schule.web.pages import NotFound, Pages

PASSWORD_PATH = "/konto/passwort"  # noqa: S105 - a page address
ACCOUNTS_PATH = "/konten"


def _raw(form: Form, name: str) -> str:
    """A password as typed: ``Form.get`` strips spaces, which belong to a password."""
    values = form.fields.get(name)
    return values[0] if values else ""


def _sign_in_first(request: Request) -> Response | None:
    if identity_of(request.scope).authenticated:
        return None
    return RedirectResponse(f"/anmelden?weiter={quote(request.url.path)}", status_code=303)


def account_routes(pages: Pages, limits: Limits | None) -> list[Route]:
    sign_in_limit = limits.sign_in if limits else None

    async def password_page(pages: Pages, request: Request) -> Response:
        redirect = _sign_in_first(request)
        if redirect:
            return redirect
        viewer = identity_of(request.scope)
        errors: dict[str, str] = {}
        if request.method == "POST":
            form = await read_form(request)
            current, new, repeat = _raw(form, "current"), _raw(form, "new"), _raw(form, "repeat")
            if not current:
                errors["current"] = "Bitte geben Sie Ihr bisheriges Passwort ein."
            if new != repeat:
                errors["repeat"] = "Die beiden neuen Passwörter stimmen nicht überein."
            if not errors:
                key = f"name:{(viewer.name or '').lower()}|addr:{client_address(request.scope)}"
                wait = sign_in_limit.take(key) if sign_in_limit else 0
                if wait:
                    raise RateLimited(int(wait))
                try:
                    await run_in_threadpool(accounts.change_own_password, request.app.state.schule.store, viewer,
                                            current, new, session_secret=session_secret(request))
                except ProblemError as e:
                    for problem in e.problems:
                        errors.setdefault(problem.field or "new", problem.message)
                    if sign_in_limit and "current" not in errors:
                        sign_in_limit.give_back(key)  # not a wrong guess of the password
                else:
                    if sign_in_limit:
                        sign_in_limit.give_back(key)
                    return RedirectResponse(f"{PASSWORD_PATH}?geaendert=1", status_code=303)
        return pages.render(request, "password.html", errors=errors,
                            changed=request.query_params.get("geaendert") == "1")

    async def accounts_page(pages: Pages, request: Request) -> Response:
        redirect = _sign_in_first(request)
        if redirect:
            return redirect
        viewer = identity_of(request.scope)
        if not viewer.is_admin:
            raise NotFound  # the page does not exist for anyone else
        store = request.app.state.schule.store
        reset: dict[str, Any] | None = None
        problem: str | None = None
        if request.method == "POST":
            form = await read_form(request)
            name = form.get("name")
            try:
                password = await run_in_threadpool(accounts.reset_password, store, viewer, name)
            except ProblemError as e:
                problem = "; ".join(p.message for p in e.problems)
            else:
                reset = {"name": name, "password": password}
        listed = await run_in_threadpool(accounts.list_accounts, store, viewer)
        return pages.render(request, "accounts.html", accounts=listed, reset=reset, problem=problem)

    return [
        Route(PASSWORD_PATH, pages.endpoint(password_page), methods=["GET", "POST"]),
        Route(ACCOUNTS_PATH, pages.endpoint(accounts_page), methods=["GET", "POST"]),
    ]
