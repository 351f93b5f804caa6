"""Form posts of the web pages: urlencoded bodies (no python-multipart), repeated fields kept,
every post checked against the CSRF token of ``schule.auth.csrf`` (session-bound once signed in)."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request

from schule.auth import csrf
from schule.auth.web import session_secret

MAX_FORM_BYTES = 50_000


class FormRefused(Exception):
    """The post is not a form we accept (wrong type, too large) or its CSRF token is wrong."""


class Form:
    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0].strip() if values else default

    def getlist(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]


async def read_form(request: Request) -> Form:
    """The posted form, after its CSRF token was checked (raises ``FormRefused``)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise FormRefused("not a form post")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise FormRefused("form too large")
    form = Form(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
    if not csrf.valid(
        form.get(csrf.FORM_FIELD) or request.headers.get(csrf.HEADER),
        session_secret=session_secret(request),
        pre_session_cookie=request.cookies.get(csrf.PRE_SESSION_COOKIE),
    ):
        raise FormRefused("CSRF token missing or wrong")
    return form
