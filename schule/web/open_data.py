"""The open data over HTTP, for everyone: ``/daten`` (a German page about the data and its licence),
``/daten/katalog.jsonld`` (the DCAT-AP.de catalogue) and ``/daten/<dataset>.csv|.jsonld``.

What is in the files and what is not: ``schule.services.open_data``. The files do not depend on
who asks (no personal data for anyone, signed in or not), so they are built once per state of the
graph: the cache key is the change log's position (``store.last_change()``, one cheap query), the
public address and the licence. Each answer carries that key as its ``ETag``; a client that sends
it back in ``If-None-Match`` gets 304. ``Access-Control-Allow-Origin: *`` lets browser apps of
others load the files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from schule.domain.data_licences import DATA_LICENCES
from schule.services.open_data import DATASETS, Snapshot, build_snapshot
from schule.settings import Settings
from schule.web.pages import Pages

CACHE_SECONDS = 60
VOCABULARY = (
    ("stand", "Stand eines Projekts: idea (Idee), planning (in Planung), implementation (in Umsetzung), "
              "operation (in Betrieb), completed (abgeschlossen) oder stopped (eingestellt)."),
    ("ansprechperson", "Eine öffentliche Ansprechperson eines Projekts (Datensatz Ansprechpersonen)."),
    ("ags", "Amtlicher Gemeindeschlüssel einer Kommune (acht Ziffern)."),
    ("einwohner", "Einwohnerzahl einer Kommune."),
    ("region", "Region einer Kommune, z. B. Südwestfalen."),
    ("rolle", "Rolle einer Kommune im Netzwerk: pioneer, mitmacher, supporter oder member."),
    ("grundlage", "Grundlage einer Mitgliedschaft: Gründungsmitglied, Absichtserklärung oder Ratsbeschluss."),
    ("dokument", "Beleg einer Mitgliedschaft, z. B. ein Ratsbeschluss."),
)


class OpenDataFiles:
    """The files of the newest snapshot, rendered on first request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._snapshot: Snapshot | None = None
        self._files: dict[str, bytes] = {}

    def get(self, store: Any, settings: Settings, base: str) -> tuple[Snapshot, str]:
        """The snapshot for the graph as it is now, and its ETag (blocking: call in a worker thread)."""
        key = (store.last_change(), base, settings.open_data_license, settings.open_data_publisher)
        with self._lock:
            if self._key != key or self._snapshot is None:
                licence = DATA_LICENCES[settings.open_data_license]
                self._snapshot = build_snapshot(store, base, licence, settings.open_data_publisher)
                self._files = {}
                self._key = key
            digest = hashlib.sha256(repr(key).encode()).hexdigest()[:20]
            return self._snapshot, f'"{digest}"'

    def file(self, snapshot: Snapshot, name: str, render: Callable[[], bytes]) -> bytes:
        with self._lock:
            if self._snapshot is snapshot and name in self._files:
                return self._files[name]
        content = render()
        with self._lock:
            if self._snapshot is snapshot:
                self._files[name] = content
        return content


def _base(request: Request, settings: Settings) -> str:
    return settings.public_url or str(request.base_url).rstrip("/")


def _german_date(iso: str | None) -> str:
    if not iso:
        return "–"
    day = iso[:10].split("-")
    return ".".join(reversed(day))


def open_data_routes(pages: Pages) -> list[BaseRoute]:
    files = OpenDataFiles()

    async def snapshot(request: Request) -> tuple[Snapshot, str]:
        state = request.app.state.schule
        return await run_in_threadpool(files.get, state.store, state.settings, _base(request, state.settings))

    def serve(
        name: str, media_type: str, render: Callable[[Snapshot], bytes], filename: str | None = None
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            current, etag = await snapshot(request)
            headers = {
                "ETag": etag, "Cache-Control": f"public, max-age={CACHE_SECONDS}",
                "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff",
            }
            if filename:
                headers["Content-Disposition"] = f'inline; filename="{filename}"'
            if etag in request.headers.get("if-none-match", ""):
                return Response(status_code=304, headers=headers)
            content = await run_in_threadpool(files.file, current, name, lambda: render(current))
            return Response(content, media_type=media_type, headers=headers)

        endpoint.__name__ = f"open_data_{name.replace('.', '_')}"
        return endpoint

    async def page(pages: Pages, request: Request) -> Response:
        current, _ = await snapshot(request)
        licence = current.licence
        datasets = [
            {"name": t.dataset.name, "title": t.dataset.title, "description": t.dataset.description,
             "columns": t.dataset.columns, "count": len(t.rows), "modified": _german_date(t.modified)}
            for t in current.tables.values()
        ]
        return pages.render(
            request, "daten.html", datasets=datasets, licence=licence, publisher=current.publisher,
            base=current.base, modified=_german_date(current.modified), vocabulary=VOCABULARY,
        )

    routes: list[BaseRoute] = [
        Route("/daten", pages.endpoint(page), methods=["GET"]),
        Route("/daten/katalog.jsonld", serve("katalog.jsonld", "application/ld+json", _catalogue), methods=["GET"]),
    ]
    for dataset in DATASETS:
        name = dataset.name
        routes.append(Route(f"/daten/{name}.csv", serve(
            f"{name}.csv", "text/csv; charset=utf-8", functools.partial(_csv, name), f"{name}.csv"), methods=["GET"]))
        routes.append(Route(f"/daten/{name}.jsonld", serve(
            f"{name}.jsonld", "application/ld+json", functools.partial(_jsonld_table, name)), methods=["GET"]))
    return routes


def _jsonld(value: dict[str, Any]) -> bytes:
    # compact: 10,000 projects are 9 MB this way, 11 MB indented, and written eight times faster
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _csv(name: str, snapshot: Snapshot) -> bytes:
    return snapshot.tables[name].csv().encode("utf-8")


def _jsonld_table(name: str, snapshot: Snapshot) -> bytes:
    return _jsonld(snapshot.tables[name].jsonld(snapshot.base))


def _catalogue(snapshot: Snapshot) -> bytes:
    return _jsonld(snapshot.catalogue())
