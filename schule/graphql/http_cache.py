"""HTTP caching of ``GET /graphql`` answers: ``ETag``, ``Cache-Control``, ``If-None-Match`` → 304.

Only what is the same for everyone may be cached: a query sent with GET (never a mutation: GET
refuses them) by an anonymous client (no ``Authorization`` header, no session cookie) that was
answered 200 without any error. Such an answer gets a strong ``ETag`` (a hash of its media type
and body) and ``Cache-Control: public, max-age=MAX_AGE_S``; a request whose ``If-None-Match``
names that tag gets 304 without a body. The query still runs (and is charged to the client's
rate limit): the tag is the hash of its answer, so it changes as soon as the data does, and a
client or a cache revalidating saves the transfer, not the work.

Everything else sent with GET says ``Cache-Control: no-store`` (an error must not be replayed from a
cache; what a signed-in user sees is theirs); POST answers carry no freshness and are not cached.
``Vary: Accept, Authorization, Cookie`` on every answer: the media type follows ``Accept``, and a
shared cache must not hand one caller's answer to a caller with other credentials.

``MAX_AGE_S`` is short because published entries change by moderation at any time: a cache may
serve an answer that old without asking.
"""

from __future__ import annotations

import base64
import hashlib

from starlette.requests import Request
from starlette.responses import Response

from schule.auth.middleware import SESSION_COOKIE, identity_of

MAX_AGE_S = 60
VARY = "Accept, Authorization, Cookie"
PUBLIC = f"public, max-age={MAX_AGE_S}"
NO_STORE = "no-store"


def is_public(request: Request) -> bool:
    """Whether the answer to this request is the same for everyone: GET by an anonymous client."""
    return (
        request.method == "GET"
        and not identity_of(request.scope).authenticated
        and "authorization" not in request.headers
        and SESSION_COOKIE not in request.cookies
    )


def etag(media_type: str, body: bytes) -> str:
    digest = hashlib.sha256(media_type.encode("ascii") + b"\n" + body).digest()
    return '"' + base64.urlsafe_b64encode(digest[:18]).decode("ascii") + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """``If-None-Match`` against our tag, with the weak comparison RFC 9110 asks for there."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(candidate.strip().removeprefix("W/") == tag for candidate in if_none_match.split(","))


def apply(request: Request, response: Response, *, cacheable: bool) -> Response:
    """Adds the caching headers to ``response`` (an answer of ``/graphql``), or answers 304."""
    response.headers["Vary"] = VARY
    if request.method != "GET":
        return response
    if not (cacheable and response.status_code == 200 and is_public(request)):
        response.headers.setdefault("Cache-Control", NO_STORE)  # GraphiQL's page sets its own
        return response
    tag = etag(response.media_type or "", bytes(response.body))
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": PUBLIC, "Vary": VARY})
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = PUBLIC
    return response
