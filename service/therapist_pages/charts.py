"""A pain chart drawn on the server as SVG: no script, nothing loaded from elsewhere, readable without colour."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 28


@dataclass(frozen=True)
class PainPoint:
    at: dt.datetime
    label: str  # the date as the clinic reads it, and where the answer came from
    leg: int | None
    back: int | None
    peg: float | None = None


def _y(score: int) -> float:
    return TOP + (10 - score) * (HEIGHT - TOP - BOTTOM) / 10


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if count == 1 else index * span / (count - 1))


def _marker(shape: str, x: float, y: float) -> SafeString:
    if shape == "circle":
        return SafeString(f'cx="{x:.1f}" cy="{y:.1f}" r="5"')
    return SafeString(f'x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9"')


def _series(points: Sequence[PainPoint], attr: str, css: str, shape: str) -> SafeString:
    count = len(points)
    coords = [(_x(i, count), _y(getattr(p, attr)), p) for i, p in enumerate(points) if getattr(p, attr) is not None]
    if not coords:
        return SafeString("")
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
    name = "Leg pain" if attr == "leg" else "Back pain"
    marks = format_html_join(
        "",
        '<{} class="{}" {}><title>{}: {} on {}</title></{}>',
        ((shape, css, _marker(shape, x, y), name, getattr(p, attr), p.label, shape) for x, y, p in coords),
    )
    return format_html('<polyline class="{}" points="{}" fill="none"/>{}', css, line, marks)


def pain_chart(points: Sequence[PainPoint]) -> SafeString:
    """Leg pain (circles, solid) and back pain (squares, dashed) from 0 to 10, oldest on the left."""
    if not points:
        return SafeString("")
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/><text class="axis" x="{}" y="{}">{}</text>',
        ((LEFT, WIDTH - RIGHT, _y(s), _y(s), LEFT - 8, _y(s) + 4, s) for s in (0, 2, 4, 6, 8, 10)),
    )
    ends = format_html(
        '<text class="axis start" x="{}" y="{}">{}</text><text class="axis end" x="{}" y="{}">{}</text>',
        LEFT, HEIGHT - 8, points[0].label.split(" · ")[0],
        WIDTH - RIGHT, HEIGHT - 8, points[-1].label.split(" · ")[0],
    )  # fmt: skip
    return format_html(
        '<svg class="pain-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="pain-chart-title">'
        '<title id="pain-chart-title">Leg and back pain, 0 to 10, over {} reports</title>{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        len(points),
        grid,
        ends,
        _series(points, "back", "back", "rect"),
        _series(points, "leg", "leg", "circle"),
    )


def rates_chart(rows: Sequence[Any]) -> SafeString:
    """Per row, the share of answered follow-ups that improved (solid) and that aggravated (hatched),
    as horizontal bars from 0 to 100%; rows with no answered follow-up are left out."""
    rows = [row for row in rows if row.followups_answered]
    if not rows:
        return SafeString("")
    bar, gap, label_w, width = 16, 16, 110, 360
    span = width - label_w - 40
    height = len(rows) * (2 * bar + gap) + 10
    parts = []
    for i, row in enumerate(rows):
        y = 5 + i * (2 * bar + gap)
        improved, aggravated = row.improved_rate or 0.0, row.aggravation_rate or 0.0
        w_improved, w_aggravated = max(span * improved, 1), max(span * aggravated, 1)
        parts.append(
            format_html(
                '<text class="axis" x="0" y="{}">{}</text>'
                '<rect class="improved" x="{}" y="{}" width="{}" height="{}"><title>{}: improved {}</title></rect>'
                '<text class="axis" x="{}" y="{}">{}</text>'
                '<rect class="aggravated" x="{}" y="{}" width="{}" height="{}"><title>{}: aggravated {}</title></rect>'
                '<text class="axis" x="{}" y="{}">{}</text>',
                y + bar + 4,
                row.label[:28],
                label_w,
                y,
                f"{w_improved:.1f}",
                bar,
                row.label,
                f"{improved:.0%}",
                f"{label_w + w_improved + 4:.1f}",
                y + bar - 3,
                f"{improved:.0%}",
                label_w,
                y + bar,
                f"{w_aggravated:.1f}",
                bar,
                row.label,
                f"{aggravated:.0%}",
                f"{label_w + w_aggravated + 4:.1f}",
                y + 2 * bar - 3,
                f"{aggravated:.0%}",
            )
        )
    svg = (
        '<svg class="rates-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="rates-chart-title">'
        '<title id="rates-chart-title">Share of answered follow-ups that improved and that aggravated</title>{}</svg>'
    )
    return format_html(svg, width, height, SafeString("".join(parts)))
