"""``AuthMiddleware``: who is asking, for every HTTP request (pure ASGI, no body copying for
anything but GraphQL POSTs).

* ``Authorization: Bearer TOKEN`` → the token's account, or **401** (with
  ``WWW-Authenticate: Bearer error="invalid_token"``) when the token is bad, expired or revoked,
  or the header is not a bearer token. A client that sends credentials wants to know they failed.
* otherwise the session cookie → its account; a stale cookie just means anonymous.
* The result is ``scope["user"]`` (so ``request.user`` works) and ``scope["schule.identity"]``:
  an ``Identity``, anonymous when nothing was presented.
* GraphQL mutations (a POST to ``/graphql`` whose operation is a mutation) are rate-limited per
  account and per client address: **429** with ``Retry-After``. The web forms' mutations take from
  the same buckets (``schule.web.api``), keyed by ``mutation_keys``. The body is read once here and
  replayed to the app; bodies over the view's cap are left for the view to refuse (413).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schule import json_input
from schule.auth.credentials import constant_time_equal
from schule.auth.identity import ANONYMOUS, Identity
from schule.auth.ratelimit import Limits

SESSION_COOKIE = "schule_session"
GRAPHQL_PATH = "/graphql"
MAX_INSPECTED_BODY = 100_000
IDENTITY_KEY = "schule.identity"
TOO_MANY_MUTATIONS = "Zu viele Änderungen; bitte später erneut versuchen."
UNAUTHENTICATED_MESSAGE = "Ungültiger, abgelaufener oder gesperrter Zugangsschlüssel."


def bearer_token(authorization: str) -> str | None:
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def identity_of(scope: Scope) -> Identity:
    """The identity the middleware resolved (anonymous if it did not run)."""
    identity = scope.get(IDENTITY_KEY)
    return identity if isinstance(identity, Identity) else ANONYMOUS


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def mutation_keys(scope: Scope, identity: Identity) -> list[str]:
    """The rate-limit buckets a mutation of this client takes from: its address and its account."""
    keys = [f"addr:{client_address(scope)}"]
    if identity.account_id:
        keys.append(f"account:{identity.account_id}")
    return keys


def _legacy_write_token(scope: Scope, token: str) -> bool:
    settings = getattr(getattr(scope.get("app"), "state", None), "schule", None)
    expected = getattr(getattr(settings, "settings", None), "write_token", None)
    return bool(expected) and constant_time_equal(token, str(expected))


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status,
                        headers=headers)


def is_mutation(body: bytes) -> bool:
    """Does this GraphQL-over-HTTP JSON body ask for a mutation? (False when it cannot tell: the
    view refuses such bodies anyway.)"""
    try:
        payload = json_input.loads(body)
    except json_input.BadJSON:
        return False
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, str):
        return False
    name = payload.get("operationName")
    return _asks_for_mutation(query, name if isinstance(name, str) else None)


@functools.lru_cache(maxsize=256)
def _asks_for_mutation(query: str, name: str | None) -> bool:
    """Cached: parsing a large document costs milliseconds, and a client repeating one (a flood of
    the same query) would otherwise pay them on every request before the limits see it."""
    try:
        document = parse(query, no_location=True, max_tokens=10_000)
    except (GraphQLError, RecursionError):
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        operations = [op for op in operations if op.name is not None and op.name.value == name]
    return any(op.operation == OperationType.MUTATION for op in operations)


class AuthMiddleware:
    def __init__(self, app: ASGIApp, *, limits: Limits | None = None,
                 store_of: Callable[[Scope], Any] | None = None) -> None:
        self.app = app
        self.limits = limits or Limits.default()
        self.store_of = store_of or (lambda scope: scope["app"].state.schule.store)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        from schule.services import accounts

        headers = Headers(scope=scope)
        identity = ANONYMOUS
        authorization = headers.get("authorization")
        if authorization is not None:
            token = bearer_token(authorization)
            found = await run_in_threadpool(accounts.identity_for_token, self.store_of(scope), token) if token else None
            if found is None and token and _legacy_write_token(scope, token):
                found = Identity.operator()  # SCHULE_WRITE_TOKEN: the operator's token acts as an admin
            if found is None:
                if scope["type"] == "http":
                    response = _error(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE,
                                      {"WWW-Authenticate": 'Bearer error="invalid_token"'})
                    await response(scope, receive, send)
                else:
                    await send({"type": "websocket.close", "code": 4401})
                return
            identity = found
        else:
            secret = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
            if secret:
                found = await run_in_threadpool(accounts.identity_for_session, self.store_of(scope), secret)
                identity = found or ANONYMOUS
        scope[IDENTITY_KEY] = identity
        scope["user"] = identity
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == GRAPHQL_PATH:
            receive, refused = await self._limit_mutations(scope, receive, identity)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _limit_mutations(
        self, scope: Scope, receive: Receive, identity: Identity
    ) -> tuple[Receive, JSONResponse | None]:
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if not message.get("more_body", False) or size > MAX_INSPECTED_BODY:
                break
        complete = messages[-1]["type"] == "http.request" and not messages[-1].get("more_body", False)
        if complete and size <= MAX_INSPECTED_BODY:
            body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
            if is_mutation(body):
                wait = self.limits.mutations.take(*mutation_keys(scope, identity))
                if wait:
                    return receive, _error(429, "RATE_LIMITED", TOO_MANY_MUTATIONS,
                                           {"Retry-After": str(int(wait))})

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        return replay, None
