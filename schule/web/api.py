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

from schule.graphql.view import GraphQLView, HTTPContext

log = logging.getLogger("schule.web")

USER_ERROR_CODES = frozenset({"BAD_USER_INPUT", "BAD_REQUEST", "FORBIDDEN", "UNAUTHENTICATED", "NOT_FOUND"})


class ApiError(Exception):
    """A GraphQL operation of a page failed. ``user_facing``: the message may be shown as is."""

    def __init__(self, errors: list[GraphQLError], request_id: str) -> None:
        self.errors = errors
        self.request_id = request_id
        self.user_facing = all(_code(e) in USER_ERROR_CODES for e in errors)
        super().__init__("; ".join(e.message for e in errors))


def _code(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


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
