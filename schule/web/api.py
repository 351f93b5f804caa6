"""Run GraphQL documents in-process, as the ``/graphql`` endpoint would for this request.

The pages use the public API and nothing else: the same schema object, the same context (built
by the endpoint's own ``context_getter``, so the caller, their session and fresh DataLoaders are
exactly what a client posting to ``/graphql`` with this request's cookies would get), the same
limits. Only the HTTP transport is skipped, which is why the mutation rate limit (applied to
``/graphql`` by ``AuthMiddleware``) is applied here too, to the same buckets: a web form must not be
a way around it (a flood of submissions would bury real ones in the review queue).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request

from schule.auth.middleware import identity_of, mutation_keys
from schule.auth.ratelimit import RateLimiter
from schule.domain.problems import Code
from schule.graphql.errors import client_problem
from schule.graphql.view import GraphQLView, HTTPContext
from schule.http_status import status_for
from schule.request_ids import new_request_id

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


class RateLimited(Exception):
    """Too many requests from this client: try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


@functools.lru_cache(maxsize=64)
def _is_mutation(document: str) -> bool:
    """The pages' documents are module constants, each with one operation."""
    return any(d.operation == OperationType.MUTATION
               for d in parse(document).definitions if isinstance(d, OperationDefinitionNode))


def request_id(request: Request) -> str:
    """This request's id (shared by all operations of one page, and shown on error pages)."""
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = new_request_id()
        request.state.request_id = rid
    return rid


class Api:
    def __init__(self, view: GraphQLView, mutations: RateLimiter | None = None) -> None:
        """``mutations``: the app's mutation rate limit (``Limits.mutations``); None: unlimited."""
        self.view = view
        self.mutations = mutations

    async def _context(self, request: Request) -> Any:
        if self.view.context_getter is not None:
            return await self.view.context_getter(request)
        return HTTPContext(request, request_id(request))

    async def run(self, request: Request, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of ``document``; any error raises ``ApiError`` (logged unless it is the user's),
        a client over its rate limit ``RateLimited``."""
        if self.mutations is not None and _is_mutation(document):
            wait = self.mutations.take(*mutation_keys(request.scope, identity_of(request.scope)))
            if wait:
                raise RateLimited(int(wait))
        result = await self.view.schema.execute(
            document, variable_values=dict(variables or {}), context_value=await self._context(request)
        )
        if result.errors:
            for error in result.errors:
                if (error.extensions or {}).get("code") == Code.RATE_LIMITED.name:  # the query rate limit (cost.py)
                    raise RateLimited(int((error.extensions or {}).get("retryAfter", 1)))
            failure = ApiError(list(result.errors), request_id(request))
            if not failure.user_facing:
                for error in result.errors:
                    log.error(
                        "GraphQL error in page %s (request %s): %s",
                        request.url.path, failure.request_id, error.message, exc_info=error.original_error,
                    )
            raise failure
        return result.data or {}
