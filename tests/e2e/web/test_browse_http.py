"""/projekte, /erkenntnisse and the Atom feeds over HTTP, against a served app with the seed plus
30 projects, 22 lessons and adoptions (``browse_server``): every published entry as a card, sorting,
facets, pages, feeds that hold exactly the selection, and German 400s for bad parameters.

Expected lists come from the GraphQL API of the same server (what a client sees), not from here."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from tests.e2e.web.browse_server import EXTRA_LESSONS, EXTRA_PROJECTS, browse_server  # noqa: F401
from tests.e2e.web.conftest import WebServer

ATOM = "{http://www.w3.org/2005/Atom}"
CARD = re.compile(r'id="karte-(project|lesson)-([a-z0-9-]+)"')
ALL_PROJECTS = """query($filter: ProjectFilter, $sort: ProjectSort!) {
  projects(filter: $filter, sort: $sort, first: 100) { totalCount nodes { slug title adoptionSummary { communes } } }
}"""
ALL_LESSONS = "query($filter: LessonFilter) { lessons(filter: $filter, first: 100) { totalCount nodes { slug } } }"


@pytest.fixture(scope="module")
def client(browse_server: WebServer) -> httpx.Client:  # noqa: F811
    with httpx.Client(base_url=browse_server.base_url, timeout=30) as c:
        yield c


def graphql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response.json()["data"]


def projects(client: httpx.Client, sort: str = "TITLE_ASC", **filter: Any) -> list[str]:
    return [n["slug"] for n in graphql(client, ALL_PROJECTS, filter=filter or None, sort=sort)["projects"]["nodes"]]


def cards(html: str, kind: str = "project") -> list[str]:
    return [slug for k, slug in CARD.findall(html) if k == kind]


def every_page(client: httpx.Client, path: str, kind: str = "project") -> list[str]:
    """The cards of all pages of a list, following its 'Weiter' links."""
    seen: list[str] = []
    url: str | None = path
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.text
        seen += cards(page.text, kind)
        found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
    return seen


def feed(client: httpx.Client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def test_projekte_shows_every_published_project_as_a_card_with_its_facts(client: httpx.Client) -> None:
    page = client.get("/projekte")
    assert page.status_code == 200
    # twenty cards on the first page, all published projects over the pages, each once
    assert len(cards(page.text)) == 20
    listed = every_page(client, "/projekte")
    assert sorted(listed) == sorted(projects(client)) and len(listed) == len(set(listed))
    assert len(listed) == 9 + EXTRA_PROJECTS
    # a card: title link, communes, stand, years, Handlungsfelder, adoptions
    adopted_first = client.get("/projekte?sortierung=uebernahmen").text
    card = adopted_first.split('id="karte-project-stadtlabor-soest"', 1)[1].split("</article>", 1)[0]
    assert '<a href="/projekte/stadtlabor-soest">Stadtlabor Soest</a>' in card
    assert "Soest" in card and "in Betrieb" in card and "Bildung, Bürgerbeteiligung" in card
    assert "in 2 Kommunen übernommen" in card  # Olpe twice, Menden once: two communes
    testcard = client.get("/projekte?sortierung=titel&seite=2").text
    assert "seit 2040" in testcard or "seit 2039" in testcard
    # the navigation links to both lists
    assert '<a href="/projekte" aria-current="page">Projekte</a>' in page.text
    assert '<a href="/erkenntnisse">Erkenntnisse</a>' in page.text


def test_sorting_by_title_newest_and_most_adopted_follows_the_api(client: httpx.Client) -> None:
    assert every_page(client, "/projekte?sortierung=titel") == projects(client, "TITLE_ASC")
    assert every_page(client, "/projekte") == projects(client, "UPDATED_DESC")
    adopted = every_page(client, "/projekte?sortierung=uebernahmen")
    assert adopted == projects(client, "ADOPTIONS_DESC")
    assert adopted[:2] == ["stadtlabor-soest", "offene-regionale-datenplattform"]
    # the API's order is by adoptionSummary.communes, ties by title
    nodes = graphql(client, ALL_PROJECTS, sort="ADOPTIONS_DESC")["projects"]["nodes"]
    keys = [(-n["adoptionSummary"]["communes"], n["title"].lower()) for n in nodes]
    assert keys == sorted(keys)
    # filtered, the same order (counted apart in the store)
    assert every_page(client, "/projekte?hf=bildung&sortierung=uebernahmen") == projects(
        client, "ADOPTIONS_DESC", handlungsfelder=["bildung"])
    # the sort form keeps the selection
    page = client.get("/projekte?kreis=Kreis+Steinfurt&sortierung=uebernahmen").text
    assert '<input type="hidden" name="kreis" value="Kreis Steinfurt">' in page
    assert '<option value="uebernahmen" selected>' in page


def test_a_facet_link_selects_exactly_the_matching_projects_and_its_count_is_right(client: httpx.Client) -> None:
    page = client.get("/projekte").text
    link = re.search(r'<a href="(/projekte\?kreis=Kreis\+Steinfurt)" class="facet-value">.*?'
                     r'<span class="count">(\d+)<', page, re.S)
    assert link, "a Kreis facet with a count"
    chosen = every_page(client, link.group(1))
    assert sorted(chosen) == sorted(projects(client, kreise=["Kreis Steinfurt"]))
    assert len(chosen) == int(link.group(2)) == EXTRA_PROJECTS + 1  # with the seed's workshop series
    # facets combine: Kreis and stand, and the stand's count on the filtered page is right
    filtered_page = client.get("/projekte?kreis=Kreis+Steinfurt")
    assert filtered_page.status_code == 200, filtered_page.text
    filtered = filtered_page.text
    status = re.search(r'<a href="(/projekte\?kreis=Kreis\+Steinfurt&amp;status=idea)" class="facet-value">.*?'
                       r'<span class="count">(\d+)<', filtered, re.S)
    assert status
    both = every_page(client, status.group(1).replace("&amp;", "&"))
    assert sorted(both) == sorted(projects(client, kreise=["Kreis Steinfurt"], status=["IDEA"]))
    assert len(both) == int(status.group(2)) == 5
    # a selected value is shown as removable
    assert "Kreis: Kreis Steinfurt" in filtered and "(Filter entfernen)" in filtered


def test_tag_handlungsfeld_and_network_role_filters(client: httpx.Client) -> None:
    tagged = every_page(client, "/projekte?schlagwort=Testreihe")
    assert sorted(tagged) == sorted(projects(client, tags=["Testreihe"])) and len(tagged) == 10
    assert '<a href="/projekte?schlagwort=Testreihe">' in client.get("/projekte?sortierung=titel&seite=2").text
    mobility = every_page(client, "/projekte?hf=mobilitaet")
    assert sorted(mobility) == sorted(projects(client, handlungsfelder=["mobilitaet"]))
    pioneers = every_page(client, "/projekte?netzwerk=5-fuer-suedwestfalen&rolle=pioneer")
    expected = projects(client, network={"network": "5-fuer-suedwestfalen", "roles": ["PIONEER"]})
    assert sorted(pioneers) == sorted(expected) and expected and "testprojekt-00" not in pioneers


def test_pages_are_numbered_and_page_two_continues_page_one(client: httpx.Client) -> None:
    first = client.get("/projekte?sortierung=titel").text
    second = client.get("/projekte?sortierung=titel&seite=2").text
    titles = projects(client, "TITLE_ASC")
    assert cards(first) == titles[:20] and cards(second) == titles[20:40]
    assert '<a href="/projekte?sortierung=titel&amp;seite=2" rel="next">' in first
    assert 'aria-current="page"><span class="visually-hidden">Seite </span>2' in second
    assert '<ol class="entry-cards" start="21">' in second
    # past the end: a German 404, not an empty page
    beyond = client.get("/projekte?seite=3")
    assert beyond.status_code == 404 and "Diese Liste hat 2 Seiten" in beyond.text


def test_erkenntnisse_lists_lessons_with_their_project_and_filters_by_type(client: httpx.Client) -> None:
    everything = every_page(client, "/erkenntnisse", "lesson")
    expected = [n["slug"] for n in graphql(client, ALL_LESSONS)["lessons"]["nodes"]]
    assert sorted(everything) == sorted(expected) and len(everything) == 11 + EXTRA_LESSONS
    page = client.get("/erkenntnisse?art=pitfall&sortierung=titel").text
    pitfalls = cards(page, "lesson")
    wanted = graphql(client, ALL_LESSONS, filter={"types": ["PITFALL"]})["lessons"]["nodes"]
    assert sorted(pitfalls) == sorted(n["slug"] for n in wanted)
    assert "Stolperstein" in page and 'aus dem Projekt <a href="/projekte/testprojekt-01">' in page


@pytest.mark.parametrize(("path", "says"), [
    ("/projekte?status=fertig", "Unbekannter Wert „fertig“ für „Stand“"),
    ("/projekte?sortierung=zufall", "Unbekannte Sortierung „zufall“"),
    ("/projekte?seite=null", "Die Seite (seite) muss eine ganze Zahl"),
    ("/projekte?seite=0", "Die Seite (seite) muss eine ganze Zahl"),
    ("/projekte?rolle=pioneer", "braucht ein Netzwerk"),
    ("/projekte?netzwerk=a&netzwerk=b", "Bitte nur einen Wert für „Netzwerk“"),
    ("/erkenntnisse?art=fehler", "Unbekannter Wert „fehler“ für „Art“"),
    ("/projekte?kreis=" + "x" * 200, "ist zu lang"),
])
def test_a_bad_parameter_is_a_german_400_on_the_page_and_the_feed(client: httpx.Client, path: str, says: str) -> None:
    page = client.get(path)
    assert page.status_code == 400 and says in page.text and '<html lang="de">' in page.text
    kind, query = path.split("?", 1)
    atom = client.get(f"{kind}.atom?{query}")
    assert atom.status_code == 400 and says in atom.text
    assert atom.headers["content-type"].startswith("text/plain")


def test_the_projects_feed_is_atom_newest_first_with_absolute_links(client: httpx.Client,
                                                                   browse_server: WebServer) -> None:  # noqa: F811
    root = feed(client, "/projekte.atom")
    base = browse_server.base_url
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == base + "/projekte.atom"
    assert root.findtext(f"{ATOM}title", "").startswith("Projekte")
    assert root.find(f"{ATOM}author/{ATOM}name") is not None and root.findtext(f"{ATOM}updated")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": base + "/projekte.atom", "alternate": base + "/projekte"}
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [base + "/projekte/" + s for s in
                                                         projects(client, "UPDATED_DESC")]
    updated = [e.findtext(f"{ATOM}updated", "") for e in entries]
    assert updated == sorted(updated, reverse=True)
    for e in entries:
        assert e.findtext(f"{ATOM}title") and e.findtext(f"{ATOM}summary")
        alternate = e.find(f"{ATOM}link[@rel='alternate']")
        assert alternate is not None and alternate.get("href") == e.findtext(f"{ATOM}id")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e.findtext(f"{ATOM}updated", ""))
    # the page announces its feed in the head
    head = client.get("/projekte?kreis=Kreis+Olpe").text.split("</head>", 1)[0]
    assert '<link rel="alternate" type="application/atom+xml" title="Projekte – Kreis: Kreis Olpe (Atom-Feed)" ' \
           'href="/projekte.atom?kreis=Kreis+Olpe">' in head


def test_a_filtered_feed_holds_only_the_matching_entries_and_at_most_fifty(client: httpx.Client) -> None:
    root = feed(client, "/projekte.atom?kreis=Kreis+Steinfurt&status=idea&sortierung=titel&seite=2")
    got = [e.findtext(f"{ATOM}id", "").rsplit("/", 1)[1] for e in root.findall(f"{ATOM}entry")]
    assert sorted(got) == sorted(projects(client, kreise=["Kreis Steinfurt"], status=["IDEA"])) and len(got) == 5
    # sort and page do not apply to a feed: its own address leaves them out
    assert root.findtext(f"{ATOM}id", "").endswith("/projekte.atom?kreis=Kreis+Steinfurt&status=idea")
    lessons = feed(client, "/erkenntnisse.atom?art=success")
    ids = [e.findtext(f"{ATOM}id", "").rsplit("/", 1)[1] for e in lessons.findall(f"{ATOM}entry")]
    expected = [n["slug"] for n in graphql(client, ALL_LESSONS, filter={"types": ["SUCCESS"]})["lessons"]["nodes"]]
    assert sorted(ids) == sorted(expected)
    assert len(feed(client, "/projekte.atom").findall(f"{ATOM}entry")) == 39  # all 39: under the bound of 50


def test_the_search_feed_follows_a_search_and_its_facets(client: httpx.Client) -> None:
    page = client.get("/?q=Testprojekt&kreis=Kreis+Steinfurt").text
    head = page.split("</head>", 1)[0]
    assert 'type="application/atom+xml"' in head
    assert 'href="/suche.atom?q=Testprojekt&amp;kreis=Kreis+Steinfurt"' in head
    # the search results are cards too
    assert 'id="karte-project-testprojekt-' in page and "Handlungsfelder:" in page
    root = feed(client, "/suche.atom?q=Testprojekt&art=project&status=idea")
    got = {e.findtext(f"{ATOM}id", "").rsplit("/", 1)[1] for e in root.findall(f"{ATOM}entry")}
    assert got == {f"testprojekt-{n:02d}" for n in range(0, EXTRA_PROJECTS, 6)}
    assert root.findtext(f"{ATOM}title", "").startswith("Suche „Testprojekt“")
    for path, says in (("/suche.atom?q=x&art=commune", "Feeds gibt es für Projekte und Erkenntnisse"),
                       ("/suche.atom?art=nichts", "Unbekannte Art „nichts“"),
                       ("/suche.atom?q=" + "x" * 600, "zu lang")):
        bad = client.get(path)
        assert bad.status_code == 400 and says in bad.text, path


def test_feed_addresses_use_the_public_url_when_it_is_set(browse_server: WebServer) -> None:  # noqa: F811
    import os
    import subprocess
    import sys

    # a second process on the same data dir with SCHULE_PUBLIC_URL: its feed links point there
    script = (
        "import asyncio, httpx\n"
        "from schule.app import create_app\nfrom schule.settings import Settings\nimport os\n"
        "async def main():\n"
        "    app = create_app(Settings.from_env(dict(os.environ)))\n"
        "    async with app.router.lifespan_context(app):\n"
        "        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://intern') as c:\n"
        "            print((await c.get('/projekte.atom?hf=mobilitaet')).text)\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, **browse_server.env, "SCHULE_PUBLIC_URL": "https://wissen.example.de/netz"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(done.stdout.strip().encode())
    assert root.findtext(f"{ATOM}id") == "https://wissen.example.de/netz/projekte.atom?hf=mobilitaet"
    hrefs = [e.findtext(f"{ATOM}id", "") for e in root.findall(f"{ATOM}entry")]
    assert hrefs and all(h.startswith("https://wissen.example.de/netz/projekte/") for h in hrefs)
    assert "intern" not in done.stdout


def test_a_handlungsfeld_page_shows_its_newest_entries_and_links_to_the_full_lists(client: httpx.Client) -> None:
    # Mobilität holds the seed's projects there and the 30 added ones: more than the page shows
    total = graphql(client, "{ projects(first: 1, filter: {handlungsfelder: [\"mobilitaet\"]}) { totalCount } "
                            "lessons(first: 1, filter: {handlungsfelder: [\"mobilitaet\"]}) { totalCount } }")
    projects_total = total["projects"]["totalCount"]
    assert projects_total > 12
    page = client.get("/handlungsfelder/mobilitaet")
    assert page.status_code == 200
    section = page.text.split('id="projekte"', 1)[1].split("</section>", 1)[0]
    shown = re.findall(r'<h3><a href="/projekte/([^"]+)">', section)
    # then a bounded number of them, with the total and a link to the list filtered by this field
    assert 0 < len(shown) <= 12
    assert f"({projects_total})" in section
    assert f'href="/projekte?hf=mobilitaet">Alle {projects_total} Projekte in Mobilität anzeigen</a>' in section
    # and that list holds exactly the field's projects
    listed = client.get("/projekte", params={"hf": "mobilitaet"})
    assert listed.status_code == 200 and str(projects_total) in listed.text


def test_an_unknown_handlungsfeld_is_a_german_404(client: httpx.Client) -> None:
    page = client.get("/handlungsfelder/gibt-es-nicht")
    assert page.status_code == 404 and 'lang="de"' in page.text
