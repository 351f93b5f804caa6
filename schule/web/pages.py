"""What every page handler shares: the API, the renderer, error pages and the Server-Timing header.

For moderators every page also asks the API how many entries wait for review (``reviewQueueCount``)
and shows the number in the header: that is how moderators hear of new submissions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from schule.auth.middleware import identity_of
from schule.auth.web import csrf_token_for
from schule.web import documents
from schule.web.api import Api, ApiError, RateLimited, request_id
from schule.web.error_pages import too_many_message
from schule.web.forms import FormRefused
from schule.web.rendering import Renderer

log = logging.getLogger("schule.web")

Handler = Callable[["Pages", Request], Awaitable[Response]]


_TITLES = {403: "Nicht erlaubt", 404: "Nicht gefunden", 409: "Nicht möglich", 429: "Zu viele Anfragen",
           503: "Vorübergehend nicht erreichbar"}


class NotFound(Exception):
    """The page's entity does not exist (or is not published)."""


class Pages:
    def __init__(self, api: Api, renderer: Renderer) -> None:
        self.api = api
        self.renderer = renderer

    def render(self, request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
        viewer = identity_of(request.scope)
        response = self.renderer.page(
            template, status_code, request=request, viewer=viewer, csrf_token=csrf_token_for(request),
            review_count=getattr(request.state, "review_count", None), **values
        )
        if viewer.authenticated:  # personal pages (names, CSRF tokens) stay out of shared caches
            response.headers["Cache-Control"] = "private, no-store"
        return response

    def endpoint(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """A Starlette endpoint for ``handler``: error pages, security headers, server time."""

        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            try:
                await self._count_reviews(request)
                response = await handler(self, request)
            except FormRefused:
                response = self.render(request, "error.html", 403, title="Formular abgelaufen",
                                       message="Bitte laden Sie die Seite neu und senden Sie das Formular noch einmal.")
            except RateLimited as e:
                response = self.render(request, "error.html", 429, title="Zu viele Anfragen", status=429,
                                       message=too_many_message(e.retry_after))
                response.headers["Retry-After"] = str(e.retry_after)
            except NotFound:
                response = self.render(request, "error.html", 404, title="Nicht gefunden", status=404,
                                       message="Diese Seite gibt es nicht (mehr).")
            except ApiError as e:
                if e.user_facing:
                    title = _TITLES.get(e.status, "Ungültige Anfrage")
                    response = self.render(request, "error.html", e.status, title=title, message=str(e))
                else:
                    response = self._internal_error(request)
            except Exception:
                log.exception("page %s failed (request %s)", request.url.path, request_id(request))
                response = self._internal_error(request)
            # Server time of this page, for browsers' dev tools and bench/web/run.py.
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
            return response

        endpoint.__name__ = handler.__name__
        return endpoint

    async def _count_reviews(self, request: Request) -> None:
        """For moderators: how many entries wait for review (shown in the header of every page)."""
        if not identity_of(request.scope).is_moderator:
            return
        try:
            data = await self.api.run(request, documents.REVIEW_COUNT)
        except ApiError:
            return  # the page still works without the number
        request.state.review_count = data.get("reviewQueueCount")

    def _internal_error(self, request: Request) -> Response:
        return self.render(
            request, "error.html", 500, title="Ein Fehler ist aufgetreten",
            message=f"Bitte versuchen Sie es später noch einmal. Fehlernummer: {request_id(request)}",
        )
