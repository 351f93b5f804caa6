"""``/statistik``: a network's figures as charts (inline SVG, ``schule.web.charts``) and as tables.

``/statistik?netzwerk=<id>`` picks the network (default: the Smart Cities: Schule, the network the
navigation names). Everything comes from one GraphQL document, ``networkStats``: members joined per
year and basis, projects per Handlungsfeld and per Kreis, adoptions per year, and the gaps by Kreis
(the zero cells of ``coverage`` by Kreis over the network; asking ``coverage`` itself would cost a
page ~5,000 units of the per-address query budget, ``networkStats`` ~10 times less).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from schule.domain.records import ID_PATTERN
from schule.web.charts import Series, bar_chart, stacked_bar_chart
from schule.web.pages import NotFound, Pages
from schule.web.rendering import BASIS

DEFAULT_NETWORK = "smart-cities-schule"
NO_YEAR = "ohne Datum"
NO_BASIS = "nicht erfasst"
NO_KREIS = "ohne Kreis"

STATISTICS = """
query WebStatistics($network: String!) {
  networks(first: 100) { nodes { slug name } }
  networkStats(network: $network) {
    network { slug name }
    members projects
    membersByRole { role count }
    joinsPerYearByBasis { year basis count }
    projectsByHandlungsfeld { handlungsfeld { slug name parent { slug } } projects }
    projectsByKreis { kreis projects }
    adoptionsPerYear { year count }
    gapsByKreis { kreis handlungsfelder { name } }
  }
}
"""


@dataclass(frozen=True)
class Figure:
    """One chart with the table of the same numbers: ``columns`` head the table, ``rows`` are
    ``(row header, cells…)``."""

    anchor: str
    heading: str
    svg: Markup
    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _year(year: int | None) -> str:
    return NO_YEAR if year is None else str(year)


def joins_figure(stats: dict[str, Any]) -> Figure:
    cells = stats["joinsPerYearByBasis"]
    years = list(dict.fromkeys(c["year"] for c in cells))            # the API's order: ascending, undated last
    bases = [b for b in (*BASIS, None) if any(c["basis"] == b for c in cells)]
    count = {(c["year"], c["basis"]): c["count"] for c in cells}
    names = [BASIS[b] if b else NO_BASIS for b in bases]
    series = [Series(name, [count.get((y, b), 0) for y in years]) for name, b in zip(names, bases, strict=True)]
    labels = [_year(y) for y in years]
    svg = stacked_bar_chart(
        "beitritte", "Beitritte je Jahr nach Grundlage",
        "Wie viele Kommunen in welchem Jahr beigetreten sind, aufgeteilt nach Grundlage des Beitritts "
        "(Gründung, Letter of Intent, Ratsbeschluss). Die Zahlen stehen auch in der Tabelle darunter.",
        labels, series,
    )
    rows = [[label, *(s.values[i] for s in series), sum(s.values[i] for s in series)] for i, label in enumerate(labels)]
    return Figure("beitritte", "Beitritte je Jahr", svg, "Beitritte je Jahr und Grundlage",
                  ["Jahr", *names, "Zusammen"], rows)


def fields_figure(stats: dict[str, Any]) -> Figure:
    # top-level fields only: a sub-field counts for its parent already, and 18 bars would not fit a phone
    fields = [f for f in stats["projectsByHandlungsfeld"] if f["handlungsfeld"]["parent"] is None]
    rows = [(f["handlungsfeld"]["name"], f["projects"]) for f in fields]
    svg = bar_chart(
        "handlungsfelder", "Projekte je Handlungsfeld",
        "Anzahl der Projekte des Netzwerks in jedem Handlungsfeld, Projekte der Unterfelder eingeschlossen.", rows,
    )
    return Figure("handlungsfelder", "Projekte je Handlungsfeld", svg, "Projekte je Handlungsfeld",
                  ["Handlungsfeld", "Projekte"], rows)


def kreise_figure(stats: dict[str, Any]) -> Figure:
    rows = [(k["kreis"] or NO_KREIS, k["projects"]) for k in stats["projectsByKreis"]]
    svg = bar_chart(
        "kreise", "Projekte je Kreis",
        "Anzahl der Projekte des Netzwerks je Kreis ihrer Kommunen; ein Projekt in zwei Kreisen zählt in beiden.",
        rows,
    )
    return Figure("kreise", "Projekte je Kreis", svg, "Projekte je Kreis", ["Kreis", "Projekte"], rows)


def adoptions_figure(stats: dict[str, Any]) -> Figure:
    rows = [(_year(a["year"]), a["count"]) for a in stats["adoptionsPerYear"]]
    svg = bar_chart(
        "uebernahmen", "Übernahmen je Jahr",
        "Wie oft Projekte des Netzwerks ein anderes Projekt übernommen haben, je Jahr ihres Beginns.", rows,
    )
    return Figure("uebernahmen", "Übernahmen je Jahr", svg, "Übernahmen je Jahr", ["Jahr", "Übernahmen"], rows)


def gaps_figure(stats: dict[str, Any]) -> Figure:
    fields = len(stats["projectsByHandlungsfeld"])
    gaps = [(g["kreis"], [f["name"] for f in g["handlungsfelder"]]) for g in stats["gapsByKreis"]]
    rows = [(kreis, len(missing)) for kreis, missing in gaps]
    svg = bar_chart(
        "luecken", "Lücken je Kreis",
        f"Wie viele der {fields} Handlungsfelder (mit Unterfeldern) im jeweiligen Kreis noch kein Projekt "
        "des Netzwerks haben.", rows,
    )
    table = [(kreis, len(missing), ", ".join(missing) or "keine") for kreis, missing in gaps]
    return Figure("luecken", "Lücken: Handlungsfelder ohne Projekt", svg, "Handlungsfelder ohne Projekt je Kreis",
                  ["Kreis", "Lücken", "Handlungsfelder ohne Projekt"], table)


async def statistics_page(pages: Pages, request: Request) -> Response:
    network = request.query_params.get("netzwerk", DEFAULT_NETWORK)
    if not ID_PATTERN.fullmatch(network):
        raise NotFound(network)
    data = await pages.api.run(request, STATISTICS, {"network": network})
    stats = data["networkStats"]
    figures = [joins_figure(stats), fields_figure(stats), kreise_figure(stats), adoptions_figure(stats),
               gaps_figure(stats)]
    return pages.render(request, "statistics.html", stats=stats, figures=figures,
                        networks=data["networks"]["nodes"])
