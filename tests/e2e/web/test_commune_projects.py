"""A commune with many projects: its page shows one page of them and links to the others.

Its own app on its own data dir (a commune with 45 projects and one with none), served in-process
through httpx's ASGI transport, so the shared seeded server of the other web tests is untouched. The
requests run on an event loop in a thread of their own: Playwright's sync API may be running one in
this thread (see conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from schule.app import create_app
from schule.graphql.pagination import encode_cursor
from schule.settings import Settings
from schule.web.detail_pages import COMMUNE_PROJECTS_SHOWN

PROJECTS = 45
TITLE = re.compile(r'<h3><a href="/projekte/(projekt-\d+)">')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">Weitere Projekte ›</a>')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">‹ Vorherige Projekte</a>')


def write_seed(seed_dir: Path) -> None:
    rows = [
        {"kind": "commune", "id": "musterstadt", "name": "Musterstadt", "kreis": "Kreis Muster"},
        {"kind": "commune", "id": "leerdorf", "name": "Leerdorf"},
        *({"kind": "project", "id": f"projekt-{n:02}", "title": f"Projekt {n:02}", "summary": "Ein Projekt.",
           "commune": "musterstadt"} for n in range(PROJECTS)),
    ]
    seed_dir.mkdir()
    (seed_dir / "musterstadt.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_a_commune_page_shows_one_page_of_projects_and_links_to_the_rest(tmp_path: Path) -> None:
    # given a commune with 45 projects: its page, then the pages its links lead to
    write_seed(tmp_path / "seed")
    app = create_app(Settings(data_dir=tmp_path / "data", seed_dir=tmp_path / "seed"))
    seen: list[list[str]] = []

    async def browse() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://schule") as client:
                # when the commune's page is opened
                first = await client.get("/kommunen/musterstadt")
                assert first.status_code == 200
                # then it shows the number of projects, the first 20 by title, and "Weitere Projekte"
                assert 'Projekte <span class="count">(45)</span>' in first.text
                seen.append(TITLE.findall(first.text))
                assert PREVIOUS.search(first.text) is None
                # and following "Weitere Projekte" to the end shows every project once
                page = first
                while (link := NEXT.search(page.text)) is not None:
                    assert link.group(1).startswith("/kommunen/musterstadt?nach=")
                    page = await client.get(link.group(1).replace("&amp;", "&"))
                    assert page.status_code == 200
                    seen.append(TITLE.findall(page.text))
                # and "Vorherige Projekte" leads back to the page before
                back = PREVIOUS.search(page.text)
                assert back is not None
                previous = await client.get(back.group(1).replace("&amp;", "&"))
                assert TITLE.findall(previous.text) == seen[-2]
                # a cursor that is not one is ignored: the first page
                odd = await client.get("/kommunen/musterstadt?nach=<script>")
                assert odd.status_code == 200 and TITLE.findall(odd.text) == seen[0]
                # an old link past the end says the page is empty and leads back to the start
                past = await client.get(f"/kommunen/musterstadt?nach={encode_cursor(99)}")
                assert past.status_code == 200 and TITLE.findall(past.text) == []
                assert "Auf dieser Seite stehen keine Projekte." in past.text
                assert '<a href="/kommunen/musterstadt#projekte">« Anfang</a>' in past.text
                # and a commune without projects says so, without page links
                empty = await client.get("/kommunen/leerdorf")
                assert "Für diese Kommune sind noch keine Projekte erfasst." in empty.text
                assert NEXT.search(empty.text) is None and PREVIOUS.search(empty.text) is None

    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(lambda: asyncio.run(browse())).result()
    assert [len(page) for page in seen] == [COMMUNE_PROJECTS_SHOWN, COMMUNE_PROJECTS_SHOWN, 5]
    assert [p for page in seen for p in page] == [f"projekt-{n:02}" for n in range(PROJECTS)]
