"""CSRF protection for form posts (the web pages; GraphQL takes JSON only, which a cross-site form
cannot send without a CORS preflight, and the session cookie is ``SameSite=Lax``).

* Signed in: the form token is an HMAC of the session secret. The session cookie is HttpOnly, so a
  page on another site can neither read the cookie nor compute the token.
* Before sign-in (the sign-in form itself, against login CSRF): double submit. A random
  ``schule_csrf`` cookie, and the same value in the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from schule.auth.credentials import constant_time_equal

FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
PRE_SESSION_COOKIE = "schule_csrf"


def for_session(session_secret: str) -> str:
    return hmac.new(session_secret.encode(), b"schule-csrf-v1", hashlib.sha256).hexdigest()


def new_pre_session() -> str:
    return secrets.token_urlsafe(24)


def valid(submitted: str | None, *, session_secret: str | None, pre_session_cookie: str | None) -> bool:
    """Is ``submitted`` (form field or header) the right token for this browser?"""
    if not submitted:
        return False
    if session_secret is not None:
        return constant_time_equal(submitted, for_session(session_secret))
    if pre_session_cookie:
        return constant_time_equal(submitted, pre_session_cookie)
    return False
