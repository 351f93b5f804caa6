"""Run GraphQL documents in-process, as the ``/graphql`` endpoint would for this request.

The pages use the public API and nothing else: the same schema object, the same context (built
by the endpoint's own ``context_getter``, so the caller, their session and fresh DataLoaders are
exactly what a client posting to ``/graphql`` with this request's cookies would get), the same
limits. Only the HTTP transport is skipped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request

from schule.graphql.errors import client_problem
from schule.graphql.view import GraphQLView, HTTPContext
from schule.http_status import status_for

log = logging.getLogger("schule.web")

class ApiError(Exception):
    """A GraphQL operation of a page failed.

    ``problems``: what the caller can fix (a bad cursor in the URL, a forbidden step), one per
    error; ``user_facing`` when every error is such a problem, so the message may be shown and
    ``status`` (from the first problem's code) answers. Anything else is a bug of the page."""

    def __init__(self, errors: list[GraphQLError], request_id: str) -> None:
        self.errors = errors
        self.request_id = request_id
        problems = [client_problem(e.original_error) for e in errors]
        self.problems = [p for p in problems if p is not None]
        self.user_facing = len(self.problems) == len(errors)
        self.status = status_for(self.problems[0].code) if self.user_facing else 500
        super().__init__("; ".join(p.message for p in self.problems) if self.user_facing
                         else "; ".join(e.message for e in errors))


def request_id(request: Request) -> str:
    """This request's id (shared by all operations of one page, and shown on error pages)."""
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = uuid.uuid4().hex
        request.state.request_id = rid
    return rid


class Api:
    def __init__(self, view: GraphQLView) -> None:
        self.view = view

    async def _context(self, request: Request) -> Any:
        if self.view.context_getter is not None:
            return await self.view.context_getter(request)
        return HTTPContext(request, request_id(request))

    async def run(self, request: Request, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of ``document``; any error raises ``ApiError`` (logged unless it is the user's)."""
        result = await self.view.schema.execute(
            document, variable_values=dict(variables or {}), context_value=await self._context(request)
        )
        if result.errors:
            failure = ApiError(list(result.errors), request_id(request))
            if not failure.user_facing:
                for error in result.errors:
                    log.error(
                        "GraphQL error in page %s (request %s): %s",
                        request.url.path, failure.request_id, error.message, exc_info=error.original_error,
                    )
            raise failure
        return result.data or {}
