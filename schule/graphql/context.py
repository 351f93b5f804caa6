"""The per-request GraphQL context: built fresh for every operation, never shared.

It holds the store, the settings, this request's DataLoaders (their caches must not outlive the
request: they would leak one caller's view to another, so they are built for this request's
``identity``), the request itself, the identity and a request id that appears in logs and in
masked error messages.

The identity comes from ``schule.auth.middleware`` (Bearer token or session cookie). Without a
request (in-process callers such as tests) ``authorization`` is resolved the same way: an account
token, or ``SCHULE_WRITE_TOKEN`` (the operator, acting as an admin); anything else is anonymous.

A view may pass a ready ``Context`` as ``context_value``; ``view.py``'s ``HTTPContext`` (or
Strawberry's stock ``{"request": …, "response": …}``) is turned into a ``Context`` by
``ProvideContext``, using what the app's lifespan opened (``request.app.state.schule``) and
keeping the view's request id, so logs and responses name the same id.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from strawberry.extensions import SchemaExtension

from schule.auth.identity import ANONYMOUS, Identity
from schule.auth.middleware import identity_of
from schule.graphql.loaders import Loaders, RunBlocking
from schule.request_ids import new_request_id
from schule.settings import Settings
from schule.store.graph import CypherGraphStore

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def identity_for(store: CypherGraphStore, settings: Settings, token: str | None) -> Identity:
    """The identity a bearer token stands for, as the middleware would resolve it (no request)."""
    if not token:
        return ANONYMOUS
    if settings.write_token and hmac.compare_digest(token.encode("utf-8"), settings.write_token.encode("utf-8")):
        return Identity.operator()
    from schule.services import accounts

    return accounts.identity_for_token(store, token) or ANONYMOUS


@dataclass
class Context:
    store: CypherGraphStore
    settings: Settings
    request: Request | None = None
    request_id: str = field(default_factory=new_request_id)
    run_blocking: RunBlocking | None = None
    # who is asking, as schule.auth.middleware resolved it (Bearer token or session cookie)
    identity: Identity = ANONYMOUS
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        if self.run_blocking:
            self.loaders = Loaders(self.store, self.run_blocking, identity=self.identity)
        else:
            self.loaders = Loaders(self.store, identity=self.identity)

    @classmethod
    def build(
        cls,
        store: CypherGraphStore,
        settings: Settings,
        *,
        request: Request | None = None,
        authorization: str | None = None,
        run_blocking: RunBlocking | None = None,
    ) -> Context:
        """A context for one operation; ``authorization`` is the raw Authorization header value,
        taken from ``request`` when not given."""
        request_id = None
        if request is not None:
            candidate = request.headers.get("x-request-id")
            request_id = candidate if candidate and _REQUEST_ID.match(candidate) else None
            identity = identity_of(request.scope)
        else:
            identity = identity_for(store, settings, bearer_token(authorization))
        return cls(
            store=store,
            settings=settings,
            request=request,
            run_blocking=run_blocking,
            identity=identity,
            **({"request_id": request_id} if request_id else {}),
        )


class ProvideContext(SchemaExtension):
    """Turns the stock view's context dict into a ``Context`` (see the module docstring)."""

    def on_operation(self) -> Iterator[None]:
        given: Any = self.execution_context.context
        if not isinstance(given, Context):
            # view.py's HTTPContext (request, request_id) or Strawberry's {"request": …, "response": …}
            request = given.get("request") if isinstance(given, dict) else getattr(given, "request", None)
            if request is None:
                raise RuntimeError("GraphQL context needs a schule Context or a request")
            state = request.app.state.schule
            context = Context.build(state.store, state.settings, request=request)
            request_id = getattr(given, "request_id", None) or getattr(request.state, "request_id", None)
            if request_id:
                context.request_id = request_id
            self.execution_context.context = context
        yield
