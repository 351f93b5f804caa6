"""Atom 1.0 feeds of new published entries, one for every list and search selection.

``/projekte.atom?<facets of /projekte>``, ``/erkenntnisse.atom?<facets of /erkenntnisse>`` and
``/suche.atom?q=…&<facets of the search>``: a member follows a Handlungsfeld or their Kreis in any
feed reader, without an account or e-mail. A feed holds the newest ``FEED_SIZE`` entries (last
published or changed first: an approved change is news too); its id is its own canonical address,
an entry's id the entry's page, both stable. A search has no date order, so its feed takes the
``SEARCH_POOL`` best matches and shows the newest of them.

Addresses are absolute: ``SCHULE_PUBLIC_URL`` when set (behind a proxy the request's own address is
not the public one), else the request's base URL. The XML is built with ``xml.etree.ElementTree``,
which escapes every text and attribute; nothing is concatenated. A parameter the feed cannot honour
is a 400 with a German message in plain text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from schule.web import documents
from schule.web.list_pages import feed_title
from schule.web.listing import LESSONS, PROJECTS, BadListRequest, ListKind, ListRequest
from schule.web.pages import Pages
from schule.web.rendering import LESSON_TYPE, STATUS, url_of
from schule.web.search_page import KINDS, MAX_QUERY_CHARS, SearchRequest

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50
SEARCH_POOL = 100          # the search API's largest page
SUMMARY_CHARS = 400
FEED_KINDS = ("project", "lesson")   # the kinds with cards and dates
CACHE_SECONDS = 300

ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class FeedEntry:
    url: str                  # absolute address of the entry's page (also its id)
    title: str
    updated: str              # RFC 3339
    summary: str
    published: str | None = None
    categories: tuple[tuple[str, str], ...] = field(default=())   # (term, label)


def build_atom(*, feed_id: str, title: str, self_url: str, page_url: str, author: str,
               entries: Iterable[FeedEntry], generated: datetime | None = None) -> bytes:
    """An Atom 1.0 document (RFC 4287). The feed's ``updated`` is its newest entry's (an empty feed:
    ``generated``, i.e. now), so it only changes when an entry does."""
    entries = list(entries)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "de"})
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    newest = max((e.updated for e in entries), default=None)
    _text(feed, "updated", newest or _rfc3339(generated or datetime.now(UTC)))
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", author)
    _link(feed, "self", self_url, "application/atom+xml")
    _link(feed, "alternate", page_url, "text/html")
    _text(feed, "generator", "Smart Cities: Schule")
    for e in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", e.url)
        _text(entry, "title", e.title)
        _text(entry, "updated", e.updated)
        if e.published:
            _text(entry, "published", e.published)
        _link(entry, "alternate", e.url, "text/html")
        for term, label in e.categories:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": term, "label": label})
        _text(entry, "summary", e.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def _link(parent: ET.Element, rel: str, href: str, media_type: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "href": href, "type": media_type})


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _timestamp(value: str | None) -> str | None:
    """The API's ISO 8601 time as RFC 3339 (None when missing or unreadable)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return _rfc3339(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _shorten(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + " …"


def entry_of(node: dict[str, Any], base: str) -> FeedEntry | None:
    """A card's data (``documents.PROJECT_CARD`` / ``LESSON_CARD``) as a feed entry; None without a date."""
    updated = _timestamp(node.get("updatedAt"))
    if updated is None:
        return None
    categories = tuple((h["slug"], h["name"]) for h in node.get("handlungsfelder", []))
    if "project" in node:  # a lesson
        project = node["project"] or {}
        where = ", ".join(c["name"] for c in project.get("communes", []))
        lead = " · ".join(x for x in (LESSON_TYPE.get(node.get("type") or ""), project.get("title"), where) if x)
        summary = (lead + ": " if lead else "") + _shorten(node.get("text"))
        url = base + url_of("LESSON", node["slug"])
    else:
        where = ", ".join(c["name"] for c in node.get("communes", []))
        lead = " · ".join(x for x in (where, STATUS.get(node.get("status") or "")) if x)
        summary = (lead + ": " if lead else "") + _shorten(node.get("summary"))
        url = base + url_of("PROJECT", node["slug"])
    return FeedEntry(url=url, title=node["title"], updated=updated, summary=summary,
                     published=_timestamp(node.get("createdAt")), categories=categories)


def public_base(request: Request) -> str:
    settings = request.app.state.schule.settings
    return settings.public_url or str(request.base_url).rstrip("/")


def atom_response(content: bytes) -> Response:
    return Response(content, media_type=MEDIA_TYPE, headers={
        "Cache-Control": f"public, max-age={CACHE_SECONDS}", "X-Content-Type-Options": "nosniff",
        "Access-Control-Allow-Origin": "*",
    })


def bad_feed_request(message: str) -> Response:
    return Response(f"Ungültige Anfrage: {message}\n", status_code=400, media_type="text/plain; charset=utf-8",
                    headers={"X-Content-Type-Options": "nosniff"})


def _author(request: Request) -> str:
    return str(request.app.state.schule.settings.open_data_publisher)


async def projects_feed(pages: Pages, request: Request) -> Response:
    return await _list_feed(pages, request, PROJECTS)


async def lessons_feed(pages: Pages, request: Request) -> Response:
    return await _list_feed(pages, request, LESSONS)


async def _list_feed(pages: Pages, request: Request, kind: ListKind) -> Response:
    try:
        wanted = ListRequest.parse(kind, request.query_params)
    except BadListRequest as e:
        return bad_feed_request(str(e))
    document = documents.PROJECT_FEED if kind is PROJECTS else documents.LESSON_FEED
    data = await pages.api.run(request, document, {"filter": wanted.api_filter(), "first": FEED_SIZE})
    base = public_base(request)
    nodes = data["projects" if kind is PROJECTS else "lessons"]["nodes"]
    self_url = base + wanted.feed_url()
    return atom_response(build_atom(
        feed_id=self_url, title=f"{feed_title(wanted)} – Smart Cities: Schule", self_url=self_url,
        page_url=base + wanted.url(), author=_author(request),
        entries=[e for e in (entry_of(n, base) for n in nodes) if e is not None],
    ))


async def search_feed(pages: Pages, request: Request) -> Response:
    params = request.query_params
    if len(params.get("q", "")) > MAX_QUERY_CHARS:
        return bad_feed_request(f"Der Suchbegriff (q) ist zu lang (höchstens {MAX_QUERY_CHARS} Zeichen).")
    unknown = [v for v in params.getlist("art") if v.strip() and v.strip() not in KINDS]
    if unknown:
        return bad_feed_request(f"Unbekannte Art „{unknown[0][:40]}“ (art); erlaubt: {', '.join(FEED_KINDS)}.")
    search = SearchRequest.from_request(request)
    kinds = [k for k in search.selected.get("art", FEED_KINDS) if k in FEED_KINDS]
    if not kinds:
        return bad_feed_request("Feeds gibt es für Projekte und Erkenntnisse: art=project oder art=lesson.")
    search_filter = {**(search.api_filter() or {}), "kinds": [k.upper() for k in kinds]}
    data = await pages.api.run(request, documents.SEARCH_FEED,
                               {"query": search.query, "filter": search_filter, "first": SEARCH_POOL})
    base = public_base(request)
    entries = [e for e in (entry_of(h["node"], base) for h in data["search"]["hits"] if h["node"]) if e is not None]
    entries.sort(key=lambda e: e.updated, reverse=True)
    self_url = base + search.feed_url()
    title = f"Suche „{search.query}“" if search.query else "Suche"
    return atom_response(build_atom(
        feed_id=self_url, title=f"{title} – Smart Cities: Schule", self_url=self_url,
        page_url=base + search.url(), author=_author(request), entries=entries[:FEED_SIZE],
    ))
