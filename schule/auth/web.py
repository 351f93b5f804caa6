"""Password sign-in for the web pages: ``/signin`` (form), ``/signout``, ``/auth/session``.

* The session cookie is ``HttpOnly`` (scripts cannot read it), ``SameSite=Lax`` (not sent with
  cross-site POSTs) and ``Secure`` when the request came over TLS (``https``; behind a proxy run
  uvicorn with ``--proxy-headers`` so the scheme is seen). Its value is a random secret whose
  SHA-256 is stored; signing out revokes it.
* Every form post needs a CSRF token (``csrf.py``): the sign-in form a double-submit cookie,
  signed-in forms the session-bound token. ``require_csrf`` is for other pages' forms.
* Sign-in attempts are rate-limited per account name and per client address (429).

Forms are ``application/x-www-form-urlencoded``, parsed here without python-multipart.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from schule.auth import credentials, csrf
from schule.auth.middleware import SESSION_COOKIE, client_address, identity_of
from schule.auth.ratelimit import Limits

MAX_FORM_BYTES = 10_000


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


def _page(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html lang=de><meta charset=utf-8><title>Anmelden – schule</title>"
                        f"<body>{body}</body></html>", status_code=status, headers=headers)


def _sign_in_form(token: str, message: str = "", status: int = 200) -> HTMLResponse:
    note = f"<p role=alert>{html.escape(message)}</p>" if message else ""
    response = _page(
        f"<h1>Anmelden</h1>{note}<form method=post action=/signin>"
        f"<input type=hidden name={csrf.FORM_FIELD} value='{html.escape(token)}'>"
        "<label>Konto <input name=name autocomplete=username required></label>"
        "<label>Passwort <input type=password name=password autocomplete=current-password required></label>"
        "<button>Anmelden</button></form>",
        status,
    )
    return response


def _cookie_args(request: Request) -> dict[str, Any]:
    return {"httponly": True, "samesite": "lax", "secure": request.url.scheme == "https", "path": "/"}


def auth_routes(limits: Limits) -> list[Route]:
    async def sign_in_page(request: Request) -> Response:
        token = request.cookies.get(csrf.PRE_SESSION_COOKIE) or csrf.new_pre_session()
        response = _sign_in_form(token)
        response.set_cookie(csrf.PRE_SESSION_COOKIE, token, max_age=3600, **_cookie_args(request))
        return response

    async def sign_in(request: Request) -> Response:
        form = await read_form(request)
        pre = request.cookies.get(csrf.PRE_SESSION_COOKIE)
        if not csrf.valid(form.get(csrf.FORM_FIELD), session_secret=None, pre_session_cookie=pre):
            return _page("<p>Das Formular ist abgelaufen. Bitte <a href=/signin>neu laden</a>.</p>", 403)
        name = form.get("name", "").strip().lower()[:100]
        wait = limits.sign_in.take(f"name:{name}", f"addr:{client_address(request.scope)}")
        if wait:
            return _page("<p>Zu viele Anmeldeversuche. Bitte später erneut versuchen.</p>", 429,
                         headers={"Retry-After": str(int(wait))})
        from schule.services import accounts

        store = request.app.state.schule.store
        result = await run_in_threadpool(accounts.sign_in, store, name, form.get("password", ""))
        if result is None:
            return _sign_in_form(pre or "", "Konto oder Passwort stimmt nicht.", 401)
        _, secret = result
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, secret, max_age=credentials.SESSION_HOURS * 3600, **_cookie_args(request))
        response.delete_cookie(csrf.PRE_SESSION_COOKIE, path="/")
        return response

    async def sign_out(request: Request) -> Response:
        try:
            await require_csrf(request)
        except CSRFError:
            return _page("<p>Ungültiges Formular (CSRF).</p>", 403)
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
