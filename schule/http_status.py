"""The one place where an error ``Code`` becomes an HTTP status (web pages, the GraphQL view's
request errors, the rate limiter). A unit test holds this table and ``Code`` together."""

from __future__ import annotations

from schule.domain.problems import Code

STATUS: dict[Code, int] = {
    Code.INVALID: 400,
    Code.NOT_FOUND: 404,
    Code.DUPLICATE: 409,
    Code.FORBIDDEN: 403,
    Code.INVALID_STATE: 409,
    Code.REASON_REQUIRED: 400,
    Code.CONFLICT: 409,
    Code.TOO_COMPLEX: 400,
    Code.RATE_LIMITED: 429,
    Code.TIMEOUT: 503,
    Code.UNAVAILABLE: 503,
}


def status_for(code: Code) -> int:
    return STATUS[code]
