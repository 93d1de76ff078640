"""Static SVG charts for the PDF report, drawn from templates in templates/assessments/report/.

WeasyPrint runs no JavaScript, so the report cannot use the dashboard's plotly charts; these
builders compute the geometry in Python and let a template write the SVG, so every label is
autoescaped like any other template output. Colours, band zones and labels are those of
:mod:`assessments.presentation`, as on the dashboard.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from ..presentation import BAND_ZONES, DISTRIBUTION_COLOURS, PALETTE, band_colour
from . import SCALE_MAX, SCALE_MIN


def _svg(template: str, context: dict) -> SafeString:
    # Whitespace between SVG tags is never rendered; dropping it saves parser work per chart.
    return SafeString(re.sub(r">\s+<", "><", render_to_string(template, context)).strip())


def _x(value: float, left: float, width: float) -> float:
    return round(left + (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * width, 2)


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    values: Sequence[float | None]
    dashed: bool = False
    filled: bool = False


def radar(axes: Sequence[str], series: Sequence[Series], *, size: int = 400) -> SafeString:
    """A 1–5 radar with one polygon per series; a series with a missing value is left out."""
    n = len(axes)
    width = round(size * 1.5)
    cx, cy = width / 2, size / 2
    radius = size / 2 - 40

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
        return round(cx + r * math.cos(angle), 2), round(cy + r * math.sin(angle), 2)

    rings = []
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        pts = " ".join(f"{x},{y}" for x, y in (point(i, value) for i in range(n)))
        label_x, label_y = point(0, value)
        rings.append({"points": pts, "value": value, "x": label_x + 4, "y": label_y - 2})
    spokes, labels = [], []
    for i, text in enumerate(axes):
        x, y = point(i, SCALE_MAX)
        spokes.append({"x": x, "y": y})
        lx, ly = point(i, SCALE_MAX + 0.45)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        labels.append({"x": lx, "y": ly + 4, "anchor": anchor, "text": text})
    polygons = []
    for s in series:
        if any(v is None for v in s.values):
            continue
        corners = [point(i, float(v)) for i, v in enumerate(s.values) if v is not None]
        polygons.append(
            {
                "series": s,
                "points": " ".join(f"{x},{y}" for x, y in corners),
                "dots": [{"x": x, "y": y} for x, y in corners],
            }
        )
    return _svg(
        "assessments/report/radar.svg",
        {
            "size": size,
            "width": width,
            "cx": cx,
            "cy": cy,
            "rings": rings,
            "spokes": spokes,
            "labels": labels,
            "polygons": polygons,
            "palette": PALETTE,
        },
    )


def gauge(
    mean: float,
    ci_low: float | None,
    ci_high: float | None,
    band: str | None,
    mean_label: str,
    *,
    width: int = 460,
) -> SafeString:
    """The 1–5 scale with the four band zones, the mean and its 95% interval."""
    left, right = 14, 14
    inner = width - left - right
    zones = [
        {
            "x": _x(x0, left, inner),
            "w": round(_x(x1, left, inner) - _x(x0, left, inner), 2),
            "colour": band_colour(code),
        }
        for x0, x1, code in BAND_ZONES
    ]
    ticks = [{"x": _x(v, left, inner), "v": v} for v in range(SCALE_MIN, SCALE_MAX + 1)]
    ci = None
    if ci_low is not None and ci_high is not None:
        low, high = max(ci_low, SCALE_MIN), min(ci_high, SCALE_MAX)
        ci = {"x1": _x(low, left, inner), "x2": _x(high, left, inner)}
    return _svg(
        "assessments/report/gauge.svg",
        {
            "width": width,
            "zones": zones,
            "ticks": ticks,
            "ci": ci,
            "x": _x(mean, left, inner),
            "label": mean_label,
            "colour": band_colour(band) if band else PALETTE["text"],
            "palette": PALETTE,
        },
    )


def distribution(counts: Sequence[int], labels: Sequence[str], *, width: int = 460) -> SafeString:
    """A 100% stacked bar of scored answers 1..5, with percentages on wide-enough segments."""
    total = sum(counts)
    segments, x = [], 0.0
    for value, (count, label) in enumerate(zip(counts, labels, strict=True), start=1):
        share = count / total if total else 0
        w = share * width
        segments.append(
            {
                "x": round(x, 2),
                "w": round(w, 2),
                "cx": round(x + w / 2, 2),
                "colour": DISTRIBUTION_COLOURS[value - 1],
                "pct": round(share * 100),
                "show": w >= 26,
                "dark": value in (1, 5),
                "title": label,
            }
        )
        x += w
    return _svg(
        "assessments/report/distribution.svg",
        {"width": width, "segments": segments, "palette": PALETTE},
    )


def bar(value: float | None, band: str | None = None) -> SafeString:
    """One horizontal 1–5 bar (indicator or item mean) with guides at 3 and 4.

    Drawn with two CSS boxes instead of an SVG: a report has ~70 of these and WeasyPrint lays
    out and paints boxes far faster than it draws SVG.
    """
    return SafeString(
        render_to_string(
            "assessments/report/_bar.html",
            {
                "pct": None if value is None else _x(value, 0, 100),
                "colour": band_colour(band) if band else PALETTE["primary"],
            },
        )
    )
