"""Charts as inline SVG, drawn on the server: no JavaScript, no external files, nothing a strict CSP
(no inline ``style``) would block.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (through
``aria-labelledby``, which screen readers announce more reliably than the elements alone), with a
``viewBox`` and no fixed size, so CSS can give it ``width: 100%`` and it shrinks to a phone's width.
Bars are horizontal with the label above each bar: long German labels ("Daten und digitale
Infrastruktur") need the whole width, and a list of rows reads top to bottom like the table the page
shows beside it. Colours are presentation attributes (``fill``) and classes; the page's stylesheet
may restyle them.

Every label is escaped here (labels come from stored entries); the functions return ``Markup`` so
Jinja inserts the SVG as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from schule.domain.population import format_number

WIDTH = 400
ROW_HEIGHT = 44          # label line + bar
LABEL_SIZE = 15
BAR_HEIGHT = 16
VALUE_ROOM = 64          # right of the longest bar, for its number
PAD = 8
MAX_LABEL_CHARS = 44     # the table beside the chart has the full text
LEGEND_ROW = 24
TEXT_FILL = "#1f2933"    # 13:1 on white
# Distinguishable in grey scale and for the common colour-vision deficiencies (Okabe-Ito based),
# each at least 3:1 against white (WCAG 1.4.11, graphical objects).
PALETTE = ("#0b5cad", "#b35900", "#2e7d32", "#8e3b8e", "#5f6b7a")


@dataclass(frozen=True)
class Series:
    """One layer of a stacked chart: its name in the legend and one value per row."""

    name: str
    values: Sequence[int]


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def _open(chart_id: str, title: str, description: str, height: int, css: str) -> list[str]:
    return [
        f'<svg class="chart {css}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]


def _empty(chart_id: str, title: str, description: str) -> Markup:
    parts = _open(chart_id, title, description, 40, "chart-empty")
    parts.append(f'<text x="{PAD}" y="26" font-size="{LABEL_SIZE}" fill="{TEXT_FILL}">Keine Daten</text></svg>')
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped


def _scale(largest: int) -> float:
    """Pixels per unit: the largest value fills the bar area; all zeros draw no bar at all."""
    return (WIDTH - 2 * PAD - VALUE_ROOM) / largest if largest > 0 else 0.0


def bar_chart(chart_id: str, title: str, description: str, rows: Sequence[tuple[str, int]]) -> Markup:
    """One bar per ``(label, value)`` row, in the given order (``<g class="chart-row">`` each)."""
    if not rows:
        return _empty(chart_id, title, description)
    scale = _scale(max(value for _, value in rows))
    height = PAD + ROW_HEIGHT * len(rows)
    parts = _open(chart_id, title, description, height, "chart-bars")
    for i, (label, value) in enumerate(rows):
        top = PAD + i * ROW_HEIGHT
        width = round(value * scale, 1)
        parts.append(
            f'<g class="chart-row">'
            f'<text x="{PAD}" y="{top + LABEL_SIZE}" font-size="{LABEL_SIZE}" fill="{TEXT_FILL}">'
            f'{escape(_label(label))}</text>'
            f'<rect class="bar" x="{PAD}" y="{top + 22}" width="{width}" height="{BAR_HEIGHT}" fill="{PALETTE[0]}"/>'
            f'<text class="chart-value" x="{PAD + width + 6}" y="{top + 22 + BAR_HEIGHT - 3}" font-size="{LABEL_SIZE}" '
            f'fill="{TEXT_FILL}">{format_number(value)}</text>'
            f'</g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped


def stacked_bar_chart(
    chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series]
) -> Markup:
    """One bar per label, made of one segment per series (segments of 0 are left out), a legend on
    top and the row's total after the bar. Every series needs one value per label."""
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value per label")
    if not labels or not series:
        return _empty(chart_id, title, description)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    scale = _scale(max(totals))
    legend_height = LEGEND_ROW * len(series)
    height = PAD + legend_height + PAD + ROW_HEIGHT * len(labels)
    parts = _open(chart_id, title, description, height, "chart-stacked")
    parts.append('<g class="chart-legend">')
    for k, s in enumerate(series):
        top = PAD + k * LEGEND_ROW
        parts.append(
            f'<rect x="{PAD}" y="{top + 3}" width="14" height="14" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{PAD + 22}" y="{top + LABEL_SIZE}" font-size="{LABEL_SIZE}" fill="{TEXT_FILL}">'
            f'{escape(_label(s.name))}</text>'
        )
    parts.append("</g>")
    for i, label in enumerate(labels):
        top = PAD + legend_height + PAD + i * ROW_HEIGHT
        parts.append(
            f'<g class="chart-row"><text x="{PAD}" y="{top + LABEL_SIZE}" font-size="{LABEL_SIZE}" '
            f'fill="{TEXT_FILL}">{escape(_label(label))}</text>'
        )
        x = float(PAD)
        for k, s in enumerate(series):
            width = round(s.values[i] * scale, 1)
            if s.values[i] <= 0:
                continue
            parts.append(
                f'<rect class="bar segment-{k}" x="{round(x, 1)}" y="{top + 22}" width="{width}" '
                f'height="{BAR_HEIGHT}" fill="{PALETTE[k % len(PALETTE)]}"/>'
            )
            x += width
        parts.append(
            f'<text class="chart-value" x="{round(x + 6, 1)}" y="{top + 22 + BAR_HEIGHT - 3}" font-size="{LABEL_SIZE}" '
            f'fill="{TEXT_FILL}">{format_number(totals[i])}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped
