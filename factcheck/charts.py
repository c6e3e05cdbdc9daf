"""Small server-side SVG charts: no script, no inline style, every label escaped.

Built with ElementTree so that text and attributes are always XML-escaped; colours and fonts come
from classes styled in static/dashboard.css, which the CSP allows (style="..." it would block).
Each chart is an <svg role="img"> with a <title> and <desc>; the page puts the same numbers in a
table beside it, which is what screen readers and copy-paste use.
"""
from __future__ import annotations

import math
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 560
ROW = 26
LABEL_W = 170
PAD = 10
SERIES_CLASSES = ("series-1", "series-2", "series-3")


def format_number(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def clip(text: str, limit: int) -> str:
    """One printable line, shortened with an ellipsis: the full text is in the table."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") else ch for ch in str(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ticks(top: float, count: int = 4, whole: bool = True) -> list[float]:
    """Round gridline values from 0 past `top`: steps of 1, 2 or 5 times a power of ten."""
    top = max(float(top), 1.0 if whole else 0.1)
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1.0, round(step))
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def _svg(chart_id: str, title: str, description: str, height: int) -> ET.Element:
    svg = ET.Element("svg", {"xmlns": SVG_NS, "viewBox": f"0 0 {WIDTH} {height}", "class": "chart",
                             "role": "img", "aria-labelledby": f"{chart_id}-title {chart_id}-desc", "id": chart_id,
                             "focusable": "false"})
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = clip(title, 200)
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = clip(description, 2000)
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, cls: str, anchor: str = "start") -> None:
    ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "class": cls, "text-anchor": anchor}).text = text


def _rect(parent: ET.Element, x: float, y: float, w: float, h: float, cls: str) -> None:
    ET.SubElement(parent, "rect", {"x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{max(w, 0):.1f}",
                                   "height": f"{h:.1f}", "class": cls})


def _done(svg: ET.Element) -> Markup:
    return Markup(ET.tostring(svg, encoding="unicode"))


def _empty(svg: ET.Element, height: int) -> Markup:
    _text(svg, WIDTH / 2, height / 2, "No data yet", "chart-empty", "middle")
    return _done(svg)


def bar_chart(*, chart_id: str, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
              unit: str = "") -> Markup:
    """Horizontal bars, one row per label; several series stack left to right with a legend."""
    legend = len(series) > 1
    top_y = PAD + (ROW if legend else 0)
    axis_y = top_y + ROW * max(len(labels), 1)
    height = axis_y + 2 * PAD + 12
    summary = "; ".join(f"{label}: " + ", ".join(f"{format_number(values[i])}{unit} {name}".strip()
                                                for name, values in series)
                        for i, label in enumerate(labels))
    svg = _svg(chart_id, title, summary or "No data yet.", height)
    if not labels:
        return _empty(svg, height)
    totals = [sum(values[i] or 0 for _n, values in series) for i in range(len(labels))]
    grid = ticks(max(totals))
    plot_x, plot_w = LABEL_W + PAD, WIDTH - LABEL_W - 3 * PAD - 30
    scale = plot_w / grid[-1]
    if legend:
        x = plot_x
        for n, (name, _values) in enumerate(series):
            _rect(svg, x, PAD + 4, 12, 12, f"chart-bar {SERIES_CLASSES[n % 3]}")
            _text(svg, x + 16, PAD + 14, clip(name, 30), "chart-legend")
            x += 36 + 7.5 * len(clip(name, 30))
    for value in grid:
        x = plot_x + value * scale
        ET.SubElement(svg, "line", {"x1": f"{x:.1f}", "x2": f"{x:.1f}", "y1": str(top_y), "y2": str(axis_y),
                                    "class": "chart-grid"})
        _text(svg, x, axis_y + 14, format_number(value), "chart-tick", "middle")
    for i, label in enumerate(labels):
        y = top_y + i * ROW
        _text(svg, LABEL_W, y + ROW * 0.65, clip(label, 24), "chart-label", "end")
        x = plot_x
        for n, (_name, values) in enumerate(series):
            width = (values[i] or 0) * scale
            _rect(svg, x, y + 4, width, ROW - 8, f"chart-bar {SERIES_CLASSES[n % 3]}")
            x += width
        _text(svg, x + 4, y + ROW * 0.65, format_number(totals[i]) + unit, "chart-value")
    return _done(svg)


def column_chart(*, chart_id: str, title: str, labels: Sequence[str], values: Sequence[float],
                 unit: str = "") -> Markup:
    """Vertical columns over time, oldest on the left."""
    return _time_chart(chart_id, title, labels, values, unit, columns=True)


def line_chart(*, chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None],
               unit: str = "") -> Markup:
    """A line over time; None leaves a gap (no data that period) rather than a false zero."""
    return _time_chart(chart_id, title, labels, values, unit, columns=False)


def _time_chart(chart_id, title, labels, values, unit, columns: bool) -> Markup:
    height, left, top, bottom = 240, 44, 26, 200
    summary = "; ".join(f"{label}: {format_number(v)}{unit if v is not None else ''}"
                        for label, v in zip(labels, values))
    svg = _svg(chart_id, title, summary or "No data yet.", height)
    known = [v for v in values if v is not None]
    if not labels or (not columns and not known):
        return _empty(svg, height)
    grid = ticks(max(known or [0]), whole=columns or all(float(v).is_integer() for v in known))
    plot_h, plot_w = bottom - top, WIDTH - left - 2 * PAD
    step = plot_w / len(labels)

    def y_of(value: float) -> float:
        return bottom - value / grid[-1] * plot_h

    for value in grid:
        y = y_of(value)
        ET.SubElement(svg, "line", {"x1": str(left), "x2": str(WIDTH - PAD), "y1": f"{y:.1f}", "y2": f"{y:.1f}",
                                    "class": "chart-grid"})
        _text(svg, left - 6, y + 4, format_number(value), "chart-tick", "end")
    every = max(1, math.ceil(len(labels) / 6))
    for i, label in enumerate(labels):
        if (len(labels) - 1 - i) % every == 0:  # counted back from the latest period, which is always named
            _text(svg, left + (i + 0.5) * step, bottom + 18, clip(label, 10), "chart-tick", "middle")
    if columns:
        for i, value in enumerate(values):
            x, y = left + i * step + step * 0.15, y_of(value or 0)
            _rect(svg, x, y, step * 0.7, bottom - y, "chart-bar series-1")
            if value:
                _text(svg, x + step * 0.35, y - 4, format_number(value), "chart-value", "middle")
        return _done(svg)
    points = [(left + (i + 0.5) * step, None if v is None else y_of(v)) for i, v in enumerate(values)]
    segment: list[str] = []
    for x, y in points + [(0, None)]:
        if y is not None:
            segment.append(f"{x:.1f},{y:.1f}")
            continue
        if len(segment) > 1:
            ET.SubElement(svg, "polyline", {"points": " ".join(segment), "class": "chart-line"})
        segment = []
    for (x, y), value in zip(points, values):
        if y is not None:
            ET.SubElement(svg, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "3.5", "class": "chart-point"})
            _text(svg, x, y - 8, format_number(value) + unit, "chart-value", "middle")
    return _done(svg)


HOURS_PER = {"min": 1 / 60, "h": 1.0, "d": 24.0}


def duration_unit(hours: Sequence[float | None]) -> str:
    """One unit for a set of durations, from the largest: minutes under 2 h, hours under 2 days, else days."""
    top = max((h for h in hours if h is not None), default=0.0)
    return "min" if top < 2 else "h" if top < 48 else "d"


def in_unit(hours: float | None, unit: str) -> float | None:
    """A duration in hours as a number of `unit`, to one decimal: what the chart plots and the table prints."""
    return None if hours is None else round(hours / HOURS_PER[unit], 1)


def format_duration(hours: float | None, unit: str) -> str:
    value = in_unit(hours, unit)
    return "–" if value is None else f"{format_number(value)} {unit}"
