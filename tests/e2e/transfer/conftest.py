"""The app as ``create_app`` builds it (lifespan: store, seed, search), served in-process through
httpx's ASGI transport, for the knowledge-transfer tests: one on the seed data, one on a generated
corpus (``bench/transfer/corpus.py``, a few hundred projects). Each has its own data dir."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.applications import Starlette

from bench.transfer.corpus import write_corpus
from schule.app import create_app
from schule.auth.ratelimit import Limits, RateLimiter
from schule.settings import Settings
from tests.conftest import SEED_DIR

OPERATOR_TOKEN = "transfer-test-operator"
CORPUS_PROJECTS = 300
CORPUS_COMMUNES = 40


class Client:
    """A blocking facade over ``httpx.AsyncClient`` on ``ASGITransport`` (the app runs in-process)."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient, app: Starlette) -> None:
        self.portal, self.client, self.app = portal, client, app

    @property
    def store(self) -> Any:
        return self.app.state.schule.store

    def post(self, body: dict[str, Any], token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.portal.call(functools.partial(self.client.post, "/graphql", json=body, headers=headers))

    def get(self, url: str) -> httpx.Response:
        return self.portal.call(functools.partial(self.client.get, url))

    def execute(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
        response = self.post({"query": query, "variables": variables or {}}, token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
        body = self.execute(query, variables, token)
        assert "errors" not in body, body["errors"]
        return body["data"]


@contextlib.contextmanager
def client_for(data_dir: Path, seed_dir: Path) -> Iterator[Client]:
    settings = Settings(data_dir=data_dir, seed_dir=seed_dir, write_token=OPERATOR_TOKEN)
    # these tests send hundreds of queries in seconds from one address: not what the rate limits are for
    many = RateLimiter(capacity=10**9, per_second=10**9)
    app = create_app(settings, limits=Limits(sign_in=many, mutations=many, queries=many))
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://schule")
        try:
            yield Client(portal, client, app)
        finally:
            portal.call(client.aclose)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The seed data (``seed/``)."""
    with client_for(tmp_path_factory.mktemp("transfer-seed"), SEED_DIR) as client:
        yield client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """A generated corpus: 300 projects in 40 communes of 20 Kreise and 4 regions."""
    seed_dir = tmp_path_factory.mktemp("transfer-corpus-seed")
    write_corpus(seed_dir / "corpus.jsonl", projects=CORPUS_PROJECTS, communes=CORPUS_COMMUNES, seed=11)
    with client_for(tmp_path_factory.mktemp("transfer-corpus"), seed_dir) as client:
        yield client


def errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body.get("errors") or [])
