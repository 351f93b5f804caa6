"""The app's lifespan: shutting down while the first search index build still runs.

Regression: the follower task was cancelled while its repair went on in a worker thread; the store
closed under it, the thread reconnected, and the embedded FalkorDB saw a client left and stayed up,
orphaned, after the app had gone.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schule.app import create_app
from schule.search import SearchDocument
from schule.services.search_documents import DocumentBuilder
from schule.settings import Settings
from schule.store import open_store
from schule.store.embedded import EmbeddedServer
from tests.conftest import SEED_DIR


def test_shutdown_during_the_first_index_build_stops_it_and_the_embedded_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    building = threading.Event()
    documents = DocumentBuilder.all
    handed_out: list[str] = []

    def slow_documents(self: DocumentBuilder) -> Iterator[SearchDocument]:
        for doc in documents(self):
            building.set()
            time.sleep(0.05)  # ~150 seed documents: the build outlasts the app by seconds
            handed_out.append(doc.key)
            yield doc

    monkeypatch.setattr(DocumentBuilder, "all", slow_documents)
    settings = Settings(data_dir=tmp_path, seed_dir=SEED_DIR)
    server = EmbeddedServer(tmp_path)

    app = create_app(settings)

    async def start_then_stop() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://schule") as client:
                assert (await client.get("/healthz")).status_code == 200
            assert await asyncio.to_thread(building.wait, 30), "the first index build did not start"

    asyncio.run(start_then_stop())
    handed_out_before_shutdown = len(handed_out)

    # the embedded server went down with the app: nothing was left talking to it
    assert not server.is_running()
    assert not Path(server.socket_path).exists()
    # and the build was stopped at its next document, not run to its end
    store = open_store(settings)
    try:
        total = sum(1 for _ in documents(DocumentBuilder(store)))
    finally:
        store.close()
    assert 0 < handed_out_before_shutdown < total
