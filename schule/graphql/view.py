"""``/graphql`` over HTTP: the graphql-over-http spec, with our limits, in front of ``schema.execute``.

A thin ASGI endpoint rather than a subclass of ``strawberry.asgi.GraphQL``: the parts we need to
own (reading the body under a cap, media type negotiation with its status codes, refusing batches,
form and multipart bodies before anything is parsed, a timeout, masking) are most of what that
class's ``run()`` does, so overriding its hooks would mean replacing ``run()`` anyway.

What a client gets:

* ``GET /graphql?query=…&variables=…&operationName=…`` runs queries; any mutation is refused with
  405 and ``Allow: POST`` before validation or execution. ``POST`` takes ``application/json`` only;
  form-encoded, multipart (no file uploads), missing or other content types get 415.
* The response is ``application/graphql-response+json`` when the ``Accept`` header asks for it:
  400 for requests that fail before execution (parse, validation, variables), 200 when execution
  ran, even with field errors. Otherwise ``application/json`` with the legacy status 200 for
  every well-formed request. ``Accept`` that allows neither gets 406.
* Malformed requests (bad JSON, a ``query`` that is no string, a batch, a body over
  ``max_body_bytes``: 413, checked while it streams in) are refused with an ``errors`` list and an
  ``extensions.code``; a batch (JSON array) is refused outright: one operation per request.
* An operation running longer than ``timeout_s`` is cancelled (503 under the new media type, 200
  under the legacy one, code ``TIMEOUT``). Cancelling reaches every ``await``; a resolver that
  blocks the event loop cannot be interrupted, which is why resolvers that do I/O are async and
  hand blocking store calls to a thread.
* An operation whose estimated cost is over the budget is refused before it runs (400 under the
  new media type, code ``TOO_COMPLEX``); a client over its query rate limit gets 429 with
  ``Retry-After`` (code ``RATE_LIMITED``). Both are decided by ``cost.CostLimit``.
* A ``GET`` query of an anonymous client answered without errors carries ``ETag`` and
  ``Cache-Control: public``; ``If-None-Match`` gets 304. Nothing else is cacheable
  (``http_cache.py``).
* Automatic persisted queries (Apollo's protocol: ``extensions.persistedQuery.sha256Hash``, without
  ``query`` once registered) are answered from a bounded in-memory cache (``persisted.py``); their
  errors (``PERSISTED_QUERY_NOT_FOUND`` …) are request errors like a parse error.
* Every response carries ``X-Request-ID``. Errors we did not raise on purpose (anything but a
  ``GraphQLError`` or a ``SchuleError`` meant for users) are logged with that id and the traceback,
  and reach the client only as "Internal server error" with the id in ``extensions.requestId``.
  "Did you mean …?" suggestions are cut from every message: they leak the schema.
* A browser (``Accept: text/html``, GET without ``query``) gets GraphiQL when ``graphiql`` is on
  (``settings.introspection``, the default): assets bundled in the package, a strict CSP
  (``graphiql.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry import Schema
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from schule import json_input
from schule.domain.problems import Code
from schule.graphql import http_cache
from schule.graphql.errors import annotate, client_problem
from schule.graphql.graphiql import HEADERS as GRAPHIQL_HEADERS
from schule.graphql.graphiql import graphiql_html
from schule.graphql.persisted import PersistedQueries, PersistedQueryError
from schule.metrics import Metrics
from schule.request_ids import new_request_id

log = logging.getLogger("schule.graphql")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 100_000
TIMEOUT_S = 10.0
INTERNAL_ERROR = "Internal server error"

_SUGGESTION = re.compile(r"\s*Did you mean\b.*", re.DOTALL)
_ALLOWED_OPERATIONS = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}


@dataclass(frozen=True)
class HTTPContext:
    """The default per-request context; the app passes the schema's own ``context_getter``."""

    request: Request
    request_id: str


ContextGetter = Callable[[Request], Awaitable[Any]]


class Refused(Exception):
    """A request refused before it reaches GraphQL; becomes an ``errors`` response."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class GraphQLRequest:
    query: str | None  # None: a persisted query's hash only (``persisted.py``)
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


class GraphQLView:
    """The ASGI app mounted at ``/graphql`` (``Route("/graphql", view)``: it checks methods itself)."""

    def __init__(
        self,
        schema: Schema,
        *,
        graphiql: bool = False,
        context_getter: ContextGetter | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        timeout_s: float = TIMEOUT_S,
        persisted: PersistedQueries | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.schema = schema
        self.graphiql = graphiql
        self.context_getter = context_getter
        self.max_body_bytes = max_body_bytes
        self.timeout_s = timeout_s
        self.persisted = persisted if persisted is not None else PersistedQueries()
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no subscriptions, so no websockets
            raise RuntimeError(f"GraphQLView serves HTTP only, not {scope['type']!r}")
        request = Request(scope, receive)
        request_id = new_request_id()
        request.state.request_id = request_id
        request.state.cacheable = False  # _handle says so for an answer without errors
        media_type = JSON
        try:
            if self._wants_graphiql(request):
                response: Response = HTMLResponse(graphiql_html(request.url.path), headers=GRAPHIQL_HEADERS)
            else:
                media_type = negotiate(request.headers.get("accept"))
                response = await self._handle(request, request_id, media_type)
        except Refused as refusal:
            response = _refusal_response(refusal, media_type)
        except Exception:
            log.exception("unexpected error in GraphQL request %s", request_id)
            body = {"errors": [{"message": INTERNAL_ERROR, "extensions": _internal(request_id)}]}
            response = _json_response(body, 500, media_type)
        if self.metrics is not None and isinstance(response, JSONAnswer):
            self.metrics.count_graphql_errors(response.errors)
        response = http_cache.apply(request, response, cacheable=request.state.cacheable)
        response.headers["X-Request-ID"] = request_id
        await response(scope, receive, send)

    async def _handle(self, request: Request, request_id: str, media_type: str) -> Response:
        method = request.method
        if method not in _ALLOWED_OPERATIONS:
            raise Refused(405, "METHOD_NOT_ALLOWED", "GraphQL accepts GET and POST", {"Allow": "GET, POST"})
        if method == "GET":
            params: object = _params_from_url(request)
        else:
            _check_content_type(request.headers.get("content-type"))
            params = _decode_json(await read_body(request, self.max_body_bytes))
        operation = _operation(params)
        try:
            query, to_remember = self.persisted.resolve(operation.query, operation.extensions)
        except PersistedQueryError as e:
            body = {"errors": [{"message": e.message, "extensions": {"code": e.code}}]}
            return self._result_response(body, request_error=True, media_type=media_type)
        if query is None:
            raise Refused(400, "BAD_REQUEST", "The 'query' parameter must be a non-empty string")
        context = await self._context(request, request_id)
        try:
            async with asyncio.timeout(self.timeout_s):
                result = await self.schema.execute(
                    query,
                    variable_values=operation.variables,
                    context_value=context,
                    operation_name=operation.operation_name,
                    allowed_operation_types=_ALLOWED_OPERATIONS[method],
                    operation_extensions=operation.extensions,
                )
        except InvalidOperationTypeError as e:
            if method == "GET" and e.operation_type is OperationType.MUTATION:
                raise Refused(405, "METHOD_NOT_ALLOWED", "Mutations need POST", {"Allow": "POST"}) from e
            raise Refused(400, "OPERATION_NOT_SUPPORTED", e.as_http_error_reason(method)) from e
        except CannotGetOperationTypeError as e:
            return self._result_response(
                {"errors": [{"message": e.as_http_error_reason()}]}, request_error=True, media_type=media_type
            )
        except MissingQueryError as e:
            raise Refused(400, "BAD_REQUEST", "The request has no GraphQL query") from e
        except TimeoutError:
            log.warning("GraphQL request %s cancelled after %.1f s", request_id, self.timeout_s)
            message = f"The operation took longer than {self.timeout_s:g} s and was cancelled"
            body = {"errors": [{"message": message, "extensions": {"code": "TIMEOUT", "requestId": request_id}}]}
            return _json_response(body, 503 if media_type == GRAPHQL_RESPONSE_JSON else 200, media_type)
        body, request_error = self._format(result, request_id)
        if to_remember is not None and not request_error:
            self.persisted.remember(to_remember, query)  # it passed validation
        request.state.cacheable = not result.errors
        retry_after = _retry_after(result)
        if retry_after is not None:
            return _json_response(body, 429, media_type, {"Retry-After": str(retry_after)})
        return self._result_response(body, request_error, media_type=media_type)

    def _wants_graphiql(self, request: Request) -> bool:
        return (
            self.graphiql
            and request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def _context(self, request: Request, request_id: str) -> Any:
        if self.context_getter is None:
            return HTTPContext(request, request_id)
        return await self.context_getter(request)

    def _format(self, result: ExecutionResult, request_id: str) -> tuple[dict[str, Any], bool]:
        """The response body, and whether the request failed before execution (no ``data``)."""
        errors = result.errors or []
        request_error = isinstance(result, PreExecutionError) or (
            result.data is None and bool(errors) and all(e.path is None for e in errors)
        )
        body: dict[str, Any] = {} if request_error else {"data": result.data}
        if errors:
            body["errors"] = [format_error(e, request_id) for e in errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return body, request_error

    @staticmethod
    def _result_response(body: dict[str, Any], request_error: bool, media_type: str) -> Response:
        status = 400 if request_error and media_type == GRAPHQL_RESPONSE_JSON else 200
        return _json_response(body, status, media_type)


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header (none or ``*/*``: legacy JSON)."""
    if not accept:
        return JSON
    best_new, best_json = 0.0, 0.0
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        if media == GRAPHQL_RESPONSE_JSON:
            best_new = max(best_new, q)
        elif media in (JSON, "application/*", "*/*"):
            best_json = max(best_json, q)
    if best_new == best_json == 0.0:
        raise Refused(406, "NOT_ACCEPTABLE", f"This endpoint responds with {GRAPHQL_RESPONSE_JSON} or {JSON}")
    return GRAPHQL_RESPONSE_JSON if best_new >= best_json else JSON


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it exceeds ``limit`` bytes: never read whole."""
    too_large = Refused(413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def spec_error_code(error: GraphQLError) -> str | None:
    """The code of an error graphql-core found in the request itself, named as GraphQL servers
    commonly do (Apollo's codes), so that clients tell a broken query from a refused value:
    ``GRAPHQL_PARSE_FAILED`` (syntax), ``GRAPHQL_VALIDATION_FAILED`` (the document or its variables
    do not fit the schema: an unknown field, a missing argument, a variable of the wrong type or an
    unknown enum value). Errors that carry a code already keep it; errors during execution (with a
    path) have none here."""
    if (error.extensions or {}).get("code"):
        return None
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return None


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """What a client may see of an error: ours in full, anything unexpected masked and logged.

    A ``ProblemError`` (bad page size, cursor, date, id …) is the client's to fix: its message and
    ``extensions.code``/``field`` (``graphql.errors.problem_extensions``), nothing logged."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        formatted = dict(error.formatted)
        formatted["message"] = _SUGGESTION.sub("", error.message)
        code = spec_error_code(error)
        if code is not None:
            formatted["extensions"] = {**(error.extensions or {}), "code": code, "requestId": request_id}
        return formatted
    problem = client_problem(original)
    if problem is not None:
        annotate(error)  # done by the schema already; again for errors that did not pass through it
        formatted = dict(error.formatted)
        formatted["extensions"] = {**(error.extensions or {}), "requestId": request_id}
        return formatted
    log.error(
        "unexpected error in GraphQL request %s at %s",
        request_id,
        ".".join(map(str, error.path or [])) or "-",
        exc_info=original,
    )
    masked: dict[str, Any] = {"message": INTERNAL_ERROR}
    if error.locations:
        masked["locations"] = [loc._asdict() for loc in error.locations]
    if error.path is not None:
        masked["path"] = error.path
    masked["extensions"] = _internal(request_id)
    return masked


def _internal(request_id: str) -> dict[str, str]:
    return {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}


def _check_content_type(header: str | None) -> None:
    media, *params = (p.strip().lower() for p in (header or "").split(";"))
    charset = next((p.partition("=")[2].strip('" ') for p in params if p.startswith("charset=")), "utf-8")
    if media != JSON or charset != "utf-8":
        raise Refused(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"POST bodies must be {JSON} (UTF-8); got {header or 'no Content-Type'}",
            {"Accept-Post": JSON},
        )


def _decode_json(body: bytes) -> object:
    """The body as JSON; refused (400) when it is not JSON we can process: nested deeper than any
    input type, a NUL or lone surrogate in a string, a number beyond 64 bits (``json_input``)."""
    if not body.strip():
        raise Refused(400, "BAD_REQUEST", "The request body is empty")
    try:
        return json_input.loads(body)
    except json_input.BadJSON as e:
        raise Refused(400, "BAD_REQUEST", f"The request body is not valid JSON: {e}") from None


def _params_from_url(request: Request) -> dict[str, object]:
    params: dict[str, object] = dict(request.query_params)
    for key, value in params.items():
        reason = json_input.text_problem(value) if isinstance(value, str) else None
        if reason:
            raise Refused(400, "BAD_REQUEST", f"The {key!r} parameter {reason}")
    for key in ("variables", "extensions"):
        value = params.get(key)
        if isinstance(value, str):
            try:
                params[key] = json_input.loads(value) if value else None
            except json_input.BadJSON as e:
                raise Refused(400, "BAD_REQUEST", f"The {key!r} parameter is not valid JSON: {e}") from None
    return params


def _operation(params: object) -> GraphQLRequest:
    if isinstance(params, list):
        raise Refused(400, "BATCHING_NOT_SUPPORTED", "Batching is not supported: send one operation per request")
    if not isinstance(params, dict):
        raise Refused(400, "BAD_REQUEST", "The request body must be a JSON object")
    for key, kind, expected in (
        ("operationName", str, "a string"),
        ("variables", dict, "an object"),
        ("extensions", dict, "an object"),
    ):
        if params.get(key) is not None and not isinstance(params[key], kind):
            raise Refused(400, "BAD_REQUEST", f"The {key!r} parameter must be {expected} or null")
    query = params.get("query")
    extensions = params.get("extensions")
    hash_only = query is None and isinstance(extensions, dict) and "persistedQuery" in extensions
    if not hash_only and (not isinstance(query, str) or not query.strip()):
        raise Refused(400, "BAD_REQUEST", "The 'query' parameter must be a non-empty string")
    return GraphQLRequest(query, params.get("variables"), params.get("operationName"), extensions)


def _retry_after(result: ExecutionResult) -> int | None:
    """Seconds to wait, when the operation was refused for the client's rate limit."""
    for error in result.errors or []:
        extensions = error.extensions or {}
        if extensions.get("code") == Code.RATE_LIMITED.name:
            return int(extensions.get("retryAfter", 1))
    return None


def _refusal_response(refusal: Refused, media_type: str) -> Response:
    body = {"errors": [{"message": refusal.message, "extensions": {"code": refusal.code}}]}
    response = _json_response(body, refusal.status, media_type)
    response.headers.update(refusal.headers)
    if refusal.status == 413:
        response.headers["Connection"] = "close"  # the rest of the body is never read
    return response


class JSONAnswer(Response):
    """A JSON answer of ``/graphql``; keeps its ``errors`` for the metrics."""

    def __init__(self, body: object, status: int, media_type: str, headers: Mapping[str, str] | None = None) -> None:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        super().__init__(content, status_code=status, media_type=media_type, headers=headers)
        errors = body.get("errors") if isinstance(body, dict) else None
        self.errors: list[Any] = errors if isinstance(errors, list) else []


def _json_response(body: object, status: int, media_type: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONAnswer(body, status, media_type, headers)
