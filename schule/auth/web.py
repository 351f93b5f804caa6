"""Password sign-in for the web pages: ``/signin`` (the form's target), ``/signout``, ``/auth/session``.

* The one sign-in page is the web app's ``/anmelden``; ``GET /signin`` redirects there, and a
  failed sign-in (wrong account or password, expired form) goes back there with a German message
  (``/anmelden?fehler=…``, see ``SIGN_IN_ERRORS``) as a 303, so browsers never show a bare error page.
  A successful one goes to ``weiter`` (a local path) or ``/``.

* The session cookie is ``HttpOnly`` (scripts cannot read it), ``SameSite=Lax`` (not sent with
  cross-site POSTs) and ``Secure`` when the request came over TLS (``https``; behind a proxy name it
  in ``SCHULE_TRUSTED_PROXIES`` so that its ``X-Forwarded-Proto`` is believed). Its value is a random secret whose
  SHA-256 is stored; signing out revokes it.
* Every form post needs a CSRF token (``csrf.py``): the sign-in form a double-submit cookie,
  signed-in forms the session-bound token. ``require_csrf`` is for other pages' forms.
* Failed sign-ins are rate-limited per account name and client address, and, more loosely, per
  client address (429; ``schule.auth.ratelimit`` says why). A correct password costs nothing: the
  token taken before the check (so that parallel guesses cannot all slip through) is given back.

Forms are ``application/x-www-form-urlencoded``, parsed here without python-multipart.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from schule.auth import credentials, csrf
from schule.auth.middleware import SESSION_COOKIE, client_address, identity_of
from schule.auth.ratelimit import Limits

MAX_FORM_BYTES = 10_000
SIGN_IN_PAGE = "/anmelden"
SIGN_IN_ERRORS = {
    "anmeldung": "Konto oder Passwort stimmt nicht.",
    "formular": "Das Formular ist abgelaufen. Bitte melden Sie sich noch einmal an.",
}


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site (``/…`` but not ``//host``), else None: no open redirects."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def back_to_sign_in(error: str, target: str | None) -> RedirectResponse:
    query = {"fehler": error, **({"weiter": target} if local_path(target) else {})}
    return RedirectResponse(f"{SIGN_IN_PAGE}?{urlencode(query)}", status_code=303)


class CSRFError(Exception):
    pass


async def read_form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items() if v}


def session_secret(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) if identity_of(request.scope).authenticated else None


def csrf_token_for(request: Request) -> str | None:
    """The CSRF token forms of a signed-in page must carry (None when not signed in by cookie)."""
    secret = session_secret(request)
    return csrf.for_session(secret) if secret else None


async def require_csrf(request: Request) -> dict[str, str]:
    """Read a form post and check its CSRF token (field ``csrf_token`` or header ``X-CSRF-Token``)."""
    form = await read_form(request)
    submitted = form.get(csrf.FORM_FIELD) or request.headers.get(csrf.HEADER)
    if not csrf.valid(submitted, session_secret=session_secret(request),
                      pre_session_cookie=request.cookies.get(csrf.PRE_SESSION_COOKIE)):
        raise CSRFError
    return form


def _cookie_args(request: Request) -> dict[str, Any]:
    return {"httponly": True, "samesite": "lax", "secure": request.url.scheme == "https", "path": "/"}


def auth_routes(limits: Limits) -> list[Route]:
    async def sign_in_page(request: Request) -> Response:
        # one sign-in page: the web app's /anmelden (which sets the pre-session CSRF cookie)
        target = local_path(request.query_params.get("weiter"))
        return RedirectResponse(SIGN_IN_PAGE + (f"?{urlencode({'weiter': target})}" if target else ""),
                                status_code=303)

    async def sign_in(request: Request) -> Response:
        form = await read_form(request)
        pre = request.cookies.get(csrf.PRE_SESSION_COOKIE)
        target = local_path(form.get("weiter"))
        if not csrf.valid(form.get(csrf.FORM_FIELD), session_secret=None, pre_session_cookie=pre):
            return back_to_sign_in("formular", target)
        name = form.get("name", "").strip().lower()[:100]
        address = client_address(request.scope)
        pair, per_address = f"name:{name}|addr:{address}", f"addr:{address}"
        wait = limits.sign_in.take(pair)
        if not wait:
            wait = limits.sign_in_address.take(per_address)
            if wait:
                limits.sign_in.give_back(pair)
        if wait:  # the app's error handler renders the German page with the wait time
            raise HTTPException(429, "Zu viele fehlgeschlagene Anmeldeversuche.",
                                headers={"Retry-After": str(int(wait))})
        from schule.services import accounts

        store = request.app.state.schule.store
        try:
            result = await run_in_threadpool(accounts.sign_in, store, name, form.get("password", ""))
        except BaseException:
            limits.sign_in.give_back(pair)  # not a failed guess: the store did not answer
            limits.sign_in_address.give_back(per_address)
            raise
        if result is None:
            return back_to_sign_in("anmeldung", target)  # the tokens taken stay taken: a failure
        limits.sign_in.give_back(pair)
        limits.sign_in_address.give_back(per_address)
        _, secret = result
        response = RedirectResponse(target or "/", status_code=303)
        response.set_cookie(SESSION_COOKIE, secret, max_age=credentials.SESSION_HOURS * 3600, **_cookie_args(request))
        response.delete_cookie(csrf.PRE_SESSION_COOKIE, path="/")
        return response

    async def sign_out(request: Request) -> Response:
        try:
            await require_csrf(request)
        except CSRFError:  # the app's error handler renders the German page
            raise HTTPException(403, "Ungültiges Formular (CSRF).") from None
        secret = session_secret(request)
        if secret:
            from schule.services import accounts

            await run_in_threadpool(accounts.sign_out, request.app.state.schule.store, secret)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
        return response

    async def session(request: Request) -> Response:
        """Who the browser is signed in as, and the CSRF token its forms need (for scripts)."""
        identity = identity_of(request.scope)
        return JSONResponse({
            "authenticated": identity.authenticated,
            "account": identity.account_id, "name": identity.name,
            "role": identity.role.value if identity.role else None,
            "commune": identity.commune_id, "person": identity.person_id,
            "csrfToken": csrf_token_for(request),
        }, headers={"Cache-Control": "no-store"})

    return [
        Route("/signin", sign_in_page, methods=["GET"]),
        Route("/signin", sign_in, methods=["POST"]),
        Route("/signout", sign_out, methods=["POST"]),
        Route("/auth/session", session, methods=["GET"]),
    ]
