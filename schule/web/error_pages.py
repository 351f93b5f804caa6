"""German error pages for everything a browser may reach outside a page handler: unknown routes
(404), wrong methods (405), rate limits raised as ``HTTPException(429)`` (the sign-in form) and
unhandled errors (500; 503 when the store cannot be reached).

Page handlers render their own errors (``Pages.endpoint``) with the same template and wording.
Machine endpoints keep their answers: ``/graphql`` formats its own errors, and unknown paths under
the API prefixes and the open-data files get Starlette's plain answers, as before.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from schule.auth.middleware import identity_of
from schule.auth.web import csrf_token_for
from schule.errors import StoreUnavailable
from schule.web.api import request_id
from schule.web.rendering import Renderer

log = logging.getLogger("schule.web")

# Paths whose clients are programs, not people: their errors stay as they were.
MACHINE_PREFIXES = ("/graphql", "/auth/", "/healthz", "/metrics", "/static/")
MACHINE_SUFFIXES = (".csv", ".jsonld", ".json", ".xml")

TITLES = {
    400: "Ungültige Anfrage", 403: "Formular abgelaufen", 404: "Seite nicht gefunden", 405: "Nicht möglich",
    409: "Nicht möglich", 429: "Zu viele Anfragen", 500: "Ein Fehler ist aufgetreten",
    503: "Vorübergehend nicht erreichbar",
}


def wait_words(seconds: float) -> str:
    """A wait time in German words, rounded up to what a person would say: ``30 Sekunden``,
    ``eine Minute``, ``5 Minuten``, ``2 Stunden``."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return "eine Sekunde" if seconds == 1 else f"{seconds} Sekunden"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return "eine Minute" if minutes == 1 else f"{minutes} Minuten"
    hours = math.ceil(minutes / 60)
    return "eine Stunde" if hours == 1 else f"{hours} Stunden"


def too_many_message(retry_after: float) -> str:
    return (f"Sie haben in kurzer Zeit sehr viele Anfragen gesendet. Bitte warten Sie {wait_words(retry_after)} "
            "und versuchen Sie es dann noch einmal.")


def is_for_people(path: str) -> bool:
    return not path.startswith(MACHINE_PREFIXES) and not path.endswith(MACHINE_SUFFIXES)


def error_page(renderer: Renderer, request: Request, status: int, message: str,
               headers: Mapping[str, str] | None = None) -> Response:
    response = renderer.page(
        "error.html", status, request=request, viewer=identity_of(request.scope),
        csrf_token=csrf_token_for(request), review_count=None, title=TITLES.get(status, "Fehler"),
        message=message, status=status,
    )
    response.headers.update(headers or {})
    if identity_of(request.scope).authenticated:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _message(status: int, headers: Mapping[str, str]) -> str:
    if status == 403:
        return "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
    if status == 404:
        return "Diese Seite gibt es nicht (mehr). Vielleicht hilft die Suche weiter."
    if status == 405:
        return "Diese Adresse lässt sich so nicht aufrufen."
    if status == 429:
        return too_many_message(float(headers.get("Retry-After", "1")))
    return "Die Anfrage konnte nicht bearbeitet werden."


def error_handlers() -> dict[Any, Callable[[Request, Exception], Awaitable[Response]]]:
    """``Starlette(exception_handlers=…)`` for the German pages."""
    renderer = Renderer()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        if not is_for_people(request.url.path):
            if exc.status_code in (204, 304):
                return Response(status_code=exc.status_code, headers=headers)
            return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=headers)
        return error_page(renderer, request, exc.status_code, _message(exc.status_code, headers), headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette's ServerErrorMiddleware logs the exception after this answer; nothing to add.
        if not is_for_people(request.url.path):
            return PlainTextResponse("Internal Server Error", status_code=500)
        if isinstance(exc, StoreUnavailable):
            return error_page(renderer, request, 503, "Die Datenbank ist gerade nicht erreichbar. Bitte versuchen "
                              "Sie es in ein paar Minuten noch einmal.", {"Retry-After": "60"})
        return error_page(renderer, request, 500, "Bitte versuchen Sie es später noch einmal. "
                          f"Fehlernummer: {request_id(request)}")

    return {HTTPException: http_error, Exception: server_error}
