"""The network page, the start page's numbers, ``/statistik`` and a commune's recommendations and
gaps, over plain HTTP on the seeded app. Expected numbers come from ``seed/`` or from the GraphQL
API of the same server, never typed in."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from schule.web.rendering import BASIS, ROLE_PLURAL
from tests.conftest import SEED_DIR
from tests.e2e.web.conftest import WebServer

SVG = "{http://www.w3.org/2000/svg}"
NETWORK = "smart-cities-schule"

TOTALS = """{ communes(first: 1) { totalCount } projects(first: 1, sort: UPDATED_DESC) { totalCount nodes { title } }
  lessons(first: 1) { totalCount } adaptations(first: 1) { totalCount } }"""
STATS = """query($network: String!) {
  networkStats(network: $network) {
    members projects
    joinsPerYear { year count }
    projectsByHandlungsfeld { handlungsfeld { name parent { slug } } projects }
    projectsByKreis { kreis projects }
    adoptionsPerYear { year count }
  }
  coverage(groupBy: KREIS, filter: {network: {network: $network}}, onlyGaps: true) { group handlungsfeld { name } }
}"""
COMMUNE = """query($id: String!) {
  commune(id: $id) { peers(first: 5) { commune { name } } }
  recommendations(commune: $id, first: 5) { project { title } }
  coverage(groupBy: COMMUNE, filter: {communes: [$id]}, onlyGaps: true) { handlungsfeld { name } }
}"""


@pytest.fixture(scope="module")
def client(web_server: WebServer) -> httpx.Client:
    with httpx.Client(base_url=web_server.base_url, timeout=30) as c:
        yield c


def graphql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def seed_memberships(network: str) -> list[dict[str, Any]]:
    lines = (SEED_DIR / "memberships.jsonl").read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, filter(None, lines)) if r["network"] == network]


def section(page: str, marker: str) -> str:
    """The HTML of the ``<section>`` whose opening tag contains ``marker`` (sections do not nest here)."""
    start = page.index(">", page.index(marker)) + 1
    return page[start:page.index("</section>", start)]


# -- network page -------------------------------------------------------------------------------------


def test_the_network_page_shows_pioneers_mitmacher_and_supporters_with_basis_date_and_document(
    client: httpx.Client,
) -> None:
    # given the Schule's memberships in the seed
    seeded = seed_memberships(NETWORK)
    page = client.get(f"/netzwerke/{NETWORK}").text

    # then every role has its group with its count, supporters included although there are none
    for role in ("PIONEER", "MITMACHER", "SUPPORTER"):
        members = [m for m in seeded if m["role"].upper() == role]
        group = section(page, f'data-role="{role}"')
        assert f"{ROLE_PLURAL[role]} ({len(members)})" in text(group)
        items = re.findall(r"<li>(.*?)</li>", group, re.S)
        assert len(items) == len(members)
        # and each member with its basis, its date and its document as recorded
        for m in members:
            (item,) = [text(i) for i in items if f'href="/kommunen/{m["commune"]}"' in i]
            assert f"Grundlage: {BASIS[m['basis'].upper()] if 'basis' in m else 'nicht erfasst'}" in item
            assert f"Beitritt: {m.get('since', 'nicht erfasst')}" in item
            assert ("Beleg: " + m["document"] in item) if "document" in m else ("Beleg" not in item)
    assert [m["role"] for m in seeded].count("pioneer") == 5  # what the network's own text says
    assert "Keine Unterstützer erfasst." in page


def test_a_membership_document_is_shown_on_the_rahmenstrategie_page(client: httpx.Client) -> None:
    seeded = {m["commune"]: m for m in seed_memberships("rahmenstrategie-suedwestfalen")}
    page = text(section(client.get("/netzwerke/rahmenstrategie-suedwestfalen").text, 'data-role="MITMACHER"'))
    assert "Grundlage: Ratsbeschluss · Beitritt: 2021 · Beleg: " + seeded["plettenberg"]["document"] in page


# -- start page ---------------------------------------------------------------------------------------


def test_the_start_page_shows_live_numbers_and_what_is_new(client: httpx.Client) -> None:
    totals = graphql(client, TOTALS)
    page = client.get("/").text
    numbers = re.findall(r'<span class="key-number">([\d.]+)</span> <span class="key-label">([^<]+)</span>', page)

    assert {label: int(n.replace(".", "")) for n, label in numbers} == {
        "Kommunen": totals["communes"]["totalCount"],
        "Projekte": totals["projects"]["totalCount"],
        "Lessons learned": totals["lessons"]["totalCount"],
        "Übernahmen" if totals["adaptations"]["totalCount"] != 1 else "Übernahme": totals["adaptations"]["totalCount"],
    }
    news = text(section(page, 'aria-labelledby="neu"'))
    assert news.startswith("Neu Projekt: " + totals["projects"]["nodes"][0]["title"])


# -- /statistik ---------------------------------------------------------------------------------------


def charts_and_tables(page: str) -> dict[str, tuple[ET.Element, list[list[str]]]]:
    """Per figure (by its heading's id): the parsed SVG and the table's body rows as text cells."""
    out = {}
    for anchor, body in re.findall(r'<section class="figure" data-figure="([^"]+)">(.*?)</section>', page, re.S):
        svg = ET.fromstring(re.search(r"<svg.*?</svg>", body, re.S).group(0))  # type: ignore[union-attr]
        tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)  # type: ignore[union-attr]
        rows = [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
                for r in re.findall(r"<tr>(.*?)</tr>", tbody, re.S)]
        out[anchor] = (svg, rows)
    return out


def chart_rows(svg: ET.Element) -> int:
    return sum(1 for g in svg.iter(SVG + "g") if g.get("class") == "chart-row")


def test_statistik_draws_each_figure_as_a_labelled_svg_with_its_numbers_as_a_table(client: httpx.Client) -> None:
    response = client.get("/statistik")
    assert response.status_code == 200
    stats = graphql(client, STATS, {"network": NETWORK})
    figures = charts_and_tables(response.text)

    assert set(figures) == {"beitritte", "handlungsfelder", "kreise", "uebernahmen", "luecken"}
    for anchor, (svg, rows) in figures.items():
        # an image labelled by its own title and description, one bar row per table row
        assert svg.get("role") == "img", anchor
        title, desc = svg.find(SVG + "title"), svg.find(SVG + "desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert chart_rows(svg) == len(rows), anchor
    assert 'style="' not in response.text  # the CSP forbids inline styles

    s = stats["networkStats"]
    fields = [f for f in s["projectsByHandlungsfeld"] if f["handlungsfeld"]["parent"] is None]
    assert figures["handlungsfelder"][1] == [[f["handlungsfeld"]["name"], str(f["projects"])] for f in fields]
    assert figures["kreise"][1] == [[k["kreis"], str(k["projects"])] for k in s["projectsByKreis"]]
    assert figures["uebernahmen"][1] == [[str(a["year"] or "ohne Datum"), str(a["count"])]
                                         for a in s["adoptionsPerYear"]]
    # the joins: one row per year, the last column the year's total
    assert [(r[0], r[-1]) for r in figures["beitritte"][1]] == [
        (str(j["year"]) if j["year"] else "ohne Datum", str(j["count"])) for j in s["joinsPerYear"]]
    assert sum(int(r[-1]) for r in figures["beitritte"][1]) == s["members"]
    # the gaps: per Kreis how many Handlungsfelder have no project, and which
    gaps: dict[str, list[str]] = {}
    for cell in stats["coverage"]:
        gaps.setdefault(cell["group"], []).append(cell["handlungsfeld"]["name"])
    assert {r[0]: int(r[1]) for r in figures["luecken"][1] if int(r[1])} == {k: len(v) for k, v in gaps.items()}
    for row in figures["luecken"][1]:
        assert row[2] == (", ".join(gaps[row[0]]) if row[0] in gaps else "keine")


def test_statistik_of_another_network_and_of_an_unknown_one(client: httpx.Client) -> None:
    other = client.get("/statistik", params={"netzwerk": "rahmenstrategie-suedwestfalen"})
    assert other.status_code == 200
    assert "Smart Cities Rahmenstrategie Südwestfalen" in text(other.text.split("</h1>", 1)[0])
    assert client.get("/statistik", params={"netzwerk": "gibt-es-nicht"}).status_code == 404
    assert client.get("/statistik", params={"netzwerk": "<b>x</b>"}).status_code == 404


# -- commune page -------------------------------------------------------------------------------------


def test_a_commune_page_shows_its_peers_recommendations_and_gaps(client: httpx.Client) -> None:
    expected = graphql(client, COMMUNE, {"id": "plettenberg"})
    page = client.get("/kommunen/plettenberg").text

    peers = text(section(page, 'aria-labelledby="aehnliche-kommunen"'))
    assert all(p["commune"]["name"] in peers for p in expected["commune"]["peers"])
    recommendations = section(page, 'aria-labelledby="empfehlungen"')
    titles = [text(t) for t in re.findall(r'<a href="/projekte/[^"]+">(.*?)</a>', recommendations)]
    assert titles == [r["project"]["title"] for r in expected["recommendations"]]
    assert titles, "the seed gives Plettenberg something to adopt"
    gaps = section(page, 'aria-labelledby="luecken"')
    shown = [text(t) for t in re.findall(r'<a href="/handlungsfelder/[^"]+">(.*?)</a>', gaps)]
    assert sorted(shown) == sorted(c["handlungsfeld"]["name"] for c in expected["coverage"])
    assert f"({len(shown)})" in text(gaps)


GAPS = """query($network: String!) {
  networkStats(network: $network) { gapsByKreis { kreis handlungsfelder { slug } } }
  coverage(groupBy: KREIS, filter: {network: {network: $network}}) { group handlungsfeld { slug } projects }
}"""


@pytest.mark.parametrize("network", [NETWORK, "rahmenstrategie-suedwestfalen", "smart-region-kreis-steinfurt"])
def test_network_stats_gaps_are_the_zero_cells_of_coverage(client: httpx.Client, network: str) -> None:
    data = graphql(client, GAPS, {"network": network})
    expected: dict[str, list[str]] = {}
    for cell in data["coverage"]:
        missing = expected.setdefault(cell["group"], [])
        if cell["projects"] == 0:
            missing.append(cell["handlungsfeld"]["slug"])
    got = {g["kreis"]: [f["slug"] for f in g["handlungsfelder"]] for g in data["networkStats"]["gapsByKreis"]}
    assert got == expected
    assert got, "every seeded network has members in some Kreis"
