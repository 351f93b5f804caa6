"""The SVG charts of ``/statistik``: well-formed, labelled, escaped, and drawn to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from schule.web.charts import Series, bar_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def rows(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(SVG + "g") if g.get("class") == "chart-row"]


def bars(element: ET.Element) -> list[ET.Element]:
    return [r for r in element.iter(SVG + "rect") if "bar" in (r.get("class") or "").split()]


def test_a_bar_chart_is_an_image_labelled_by_its_title_and_description() -> None:
    svg = parse(bar_chart("hf", "Projekte je Handlungsfeld", "Anzahl der Projekte", [("Umwelt", 3), ("Energie", 1)]))

    assert svg.get("role") == "img"
    title, desc = svg.find(SVG + "title"), svg.find(SVG + "desc")
    assert title is not None and title.text == "Projekte je Handlungsfeld"
    assert desc is not None and desc.text == "Anzahl der Projekte"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert svg.get("viewBox", "").startswith("0 0 ") and svg.get("width") is None and svg.get("style") is None


def test_one_bar_per_row_drawn_to_scale_with_its_label_and_number() -> None:
    svg = parse(bar_chart("c", "T", "D", [("Kreis Olpe", 2_000), ("Kreis Soest", 1_000), ("Hochsauerlandkreis", 0)]))

    drawn = rows(svg)
    assert len(drawn) == 3 and len(bars(svg)) == 3
    widths = [float(bars(g)[0].get("width", "nan")) for g in drawn]
    assert widths[0] == pytest.approx(2 * widths[1]) and widths[2] == 0
    texts = ["".join(g.itertext()) for g in drawn]
    assert texts == ["Kreis Olpe2.000", "Kreis Soest1.000", "Hochsauerlandkreis0"]


def test_a_single_bar_fills_the_bar_area() -> None:
    svg = parse(bar_chart("c", "T", "D", [("Olpe", 1)]))

    (bar,) = bars(svg)
    assert float(bar.get("width", "0")) > 0
    assert float(bar.get("x", "0")) + float(bar.get("width", "0")) <= float(svg.get("viewBox", "").split()[2])


def test_markup_in_labels_titles_and_ids_is_escaped() -> None:
    evil = '<script>alert("x")</script>&'
    markup = bar_chart('x" onload="y', evil, evil, [(evil, 1)])

    assert "<script>" not in markup and 'onload="y"' not in markup
    svg = parse(markup)  # still well-formed XML
    assert svg.find(SVG + "title").text == evil  # type: ignore[union-attr]
    assert "".join(rows(svg)[0].itertext()).startswith(evil)


def test_all_zero_and_empty_data_draw_without_dividing_by_zero() -> None:
    zeros = parse(bar_chart("z", "T", "D", [("A", 0), ("B", 0)]))
    assert [float(b.get("width", "nan")) for b in bars(zeros)] == [0, 0]

    empty = parse(bar_chart("e", "T", "D", []))
    assert rows(empty) == [] and "Keine Daten" in "".join(empty.itertext())
    assert empty.find(SVG + "title") is not None

    assert rows(parse(stacked_bar_chart("s", "T", "D", [], []))) == []
    no_joins = parse(stacked_bar_chart("s", "T", "D", ["2021"], [Series("Ratsbeschluss", [0])]))
    assert len(rows(no_joins)) == 1 and bars(no_joins) == []


def test_a_stacked_bar_has_one_segment_per_non_zero_series_and_the_row_total() -> None:
    svg = parse(stacked_bar_chart(
        "j", "Beitritte", "je Jahr", ["2020", "2021"],
        [Series("Gründung", [5, 0]), Series("Ratsbeschluss", [0, 1]), Series("nicht erfasst", [1, 1])],
    ))

    first, second = rows(svg)
    assert len(bars(first)) == 2 and len(bars(second)) == 2
    assert "".join(first.itertext()) == "20206" and "".join(second.itertext()) == "20212"
    # segments follow each other: the second starts where the first ends
    a, b = bars(first)
    assert float(b.get("x", "0")) == pytest.approx(float(a.get("x", "0")) + float(a.get("width", "0")))
    legend = "".join(next(g for g in svg.iter(SVG + "g") if g.get("class") == "chart-legend").itertext())
    assert legend == "GründungRatsbeschlussnicht erfasst"


def test_a_series_with_the_wrong_number_of_values_is_refused() -> None:
    with pytest.raises(ValueError, match="one value per label"):
        stacked_bar_chart("j", "T", "D", ["2020", "2021"], [Series("A", [1])])
