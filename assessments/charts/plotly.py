"""Plotly figures of the dashboard, built from the typed results of a round.

Every builder takes a :class:`~assessments.results.data.RoundResults` (threshold-safe) and
returns a plain, JSON-able plotly figure ``{"data": [...], "layout": {...}}``: the dashboard
embeds it with ``json_script`` and ``static/js/dashboard.js`` draws it with the self-hosted
plotly.js bundle. The builders only read what the results hold, so a suppressed group cannot
reach a chart: its numbers were never computed.

Figures are plain dicts rather than ``plotly.graph_objects`` because validating a figure
object costs milliseconds each, and the traces used here (scatterpolar, bar, heatmap) are few.
Colours, band zones and labels come from :mod:`assessments.presentation`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..presentation import (
    BAND_ZONES,
    BANDS,
    DISTRIBUTION_COLOURS,
    PALETTE,
    band_colour,
    employees_label,
    format_number,
    scale_labels,
)
from ..results.data import Breakdown, DimensionResult, GroupMeans, RoundResults
from . import SCALE_MAX, SCALE_MIN, distribution_segments

# Heatmap scale over means 1..5: red below 3, amber from 3 to 4, green from 4.
HEATMAP_SCALE: list[list[Any]] = [
    [0.0, PALETTE["low"]],
    [0.45, "#e39a88"],
    [0.5, PALETTE["vulnerable"]],
    [0.7, "#f3d08a"],
    [0.75, "#8fcfc6"],
    [1.0, PALETTE["high"]],
]

FONT = '"Source Sans 3", system-ui, sans-serif'
SCALE_RANGE = [SCALE_MIN, SCALE_MAX]


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": {"family": FONT, "size": 14, "color": PALETTE["text"]},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 40, "r": 40, "t": 20, "b": 20},
        "showlegend": False,
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def _name(dim: DimensionResult) -> str:
    return dim.short_name or dim.name


def _wrap(label: str, width: int = 14) -> str:
    """Break a long axis label over lines (plotly text knows only <br>)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _closed(values: list[Any]) -> list[Any]:
    # A radar line only closes when its first point is repeated at the end.
    return [*values, values[0]] if values else values


def radar_series(results: RoundResults) -> list[dict[str, Any]]:
    """The lines of the radar chart: this round plus the overlays that the results provide.

    Each: key, name, values (one mean or None per dimension, in results order). The
    dashboard's table of the radar uses the same list, so chart and table agree.
    """
    dims = results.dimensions
    codes = [d.code for d in dims]
    series = [{"key": "round", "name": _("This round"), "values": [d.mean for d in dims]}]
    previous = results.previous
    if previous and previous.dimensions:
        series.append(
            {
                "key": "previous",
                "name": _("Previous round"),
                "values": [
                    c.previous_mean if (c := previous.dimensions.get(code)) else None
                    for code in codes
                ],
            }
        )
    benchmark = results.benchmark
    if benchmark and benchmark.dimensions:
        series.append(
            {
                "key": "benchmark",
                "name": _("Benchmark (median)"),
                "values": [
                    q.median if (q := benchmark.dimensions.get(code)) else None for code in codes
                ],
            }
        )
    roles = results.role_comparison
    if roles and roles.allowed:
        for key, group in (("leadership", roles.leadership), ("employees", roles.employees)):
            if group:
                series.append(
                    {
                        "key": key,
                        "name": group.label,
                        "values": [group.dimensions.get(code) for code in codes],
                    }
                )
    return series


_RADAR_STYLE: dict[str, dict[str, Any]] = {
    "round": {
        "line": {"color": PALETTE["primary"], "width": 3},
        "fill": "toself",
        "fillcolor": "rgba(31,111,92,0.18)",
        "marker": {"size": 7},
    },
    "previous": {"line": {"color": PALETTE["previous"], "width": 2, "dash": "dash"}},
    "benchmark": {"line": {"color": PALETTE["benchmark"], "width": 2, "dash": "dot"}},
    "leadership": {"line": {"color": PALETTE["leadership"], "width": 2}},
    "employees": {"line": {"color": PALETTE["employees"], "width": 2}},
}


def radar_figure(results: RoundResults) -> dict[str, Any]:
    """Six axes on a 1–5 scale; overlays start hidden and are switched on by the page."""
    labels = _closed([_wrap(_name(d)) for d in results.dimensions])
    data = []
    for series in radar_series(results):
        trace = {
            "type": "scatterpolar",
            "name": series["name"],
            "meta": series["key"],
            "r": _closed(series["values"]),
            "theta": labels,
            "mode": "lines+markers",
            "marker": {"size": 5},
            "connectgaps": False,
            "hovertemplate": "%{theta}: %{r:.2f}<extra>" + series["name"] + "</extra>",
            "visible": True if series["key"] == "round" else "legendonly",
            **_RADAR_STYLE[series["key"]],
        }
        data.append(trace)
    return {
        "data": data,
        "layout": _layout(
            polar={
                "radialaxis": {
                    "range": SCALE_RANGE,
                    "tickvals": [1, 2, 3, 4, 5],
                    "gridcolor": PALETTE["grid"],
                    # Between the first two axes, so the scale does not cover a label.
                    "angle": 60,
                    "tickangle": 0,
                    "tickfont": {"size": 11, "color": PALETTE["muted"]},
                },
                "angularaxis": {"gridcolor": PALETTE["grid"], "direction": "clockwise"},
                "bgcolor": "rgba(0,0,0,0)",
            },
            margin={"l": 70, "r": 70, "t": 30, "b": 30},
            showlegend=True,
            legend={"orientation": "h", "y": -0.12, "x": 0.5, "xanchor": "center"},
            height=420,
        ),
        # Layout changes dashboard.js applies on a phone-sized chart.
        "narrow": {
            "margin": {"l": 64, "r": 64, "t": 44, "b": 24},
            "font": {"family": FONT, "size": 12, "color": PALETTE["text"]},
            "height": 380,
        },
    }


def dimension_bars_figure(results: RoundResults) -> dict[str, Any]:
    """Each dimension's mean with its 95% interval, coloured by band, over the band zones."""
    dims = [d for d in results.dimensions if d.mean is not None]
    means = [d.mean or 0.0 for d in dims]
    names = [_name(d) for d in dims]
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": [mean - 1 for mean in means],
            "base": 1,
            "customdata": means,
            "marker": {"color": [band_colour(d.band) for d in dims]},
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": [
                    0 if d.ci_high is None else round(d.ci_high - mean, 2)
                    for d, mean in zip(dims, means, strict=True)
                ],
                "arrayminus": [
                    0 if d.ci_low is None else round(mean - d.ci_low, 2)
                    for d, mean in zip(dims, means, strict=True)
                ],
                "color": PALETTE["text"],
                "thickness": 1.5,
                "width": 4,
            },
            "hovertemplate": "%{y}: %{customdata:.2f}<extra></extra>",
            "name": _("This round"),
        }
    ]
    benchmark = results.benchmark.dimensions if results.benchmark else {}
    if benchmark:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "y": names,
                "x": [q.median if (q := benchmark.get(d.code)) else None for d in dims],
                "marker": {
                    "symbol": "line-ns-open",
                    "size": 22,
                    "line": {"width": 3, "color": PALETTE["benchmark"]},
                    "color": PALETTE["benchmark"],
                },
                "name": _("Benchmark (median)"),
                "hovertemplate": "%{y}: %{x:.2f}<extra>" + _("Benchmark (median)") + "</extra>",
            }
        )
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": x0,
            "x1": x1,
            "y0": 0,
            "y1": 1,
            "fillcolor": BANDS[code].colour,
            "opacity": 0.1,
            "line": {"width": 0},
            "layer": "below",
        }
        for x0, x1, code in BAND_ZONES
    ]
    return {
        "data": data,
        "layout": _layout(
            xaxis={
                "range": SCALE_RANGE,
                "tickvals": [1, 2, 3, 4, 5],
                "gridcolor": PALETTE["grid"],
                "zeroline": False,
            },
            yaxis={"autorange": "reversed", "automargin": True},
            shapes=shapes,
            bargap=0.35,
            margin={"l": 10, "r": 20, "t": 10, "b": 30},
            height=60 + 48 * max(len(dims), 1),
        ),
    }


def distribution_figure(results: RoundResults) -> dict[str, Any]:
    """Stacked 100% bars of the scored answers 1..5 per dimension."""
    dims = [d for d in results.dimensions if sum(d.distribution)]
    names = [_name(d) for d in dims]
    labels = [f"{value} {label.lower()}" for value, label in scale_labels()]
    data = []
    for value in range(1, 6):
        pcts = [distribution_segments(d.distribution)[value - 1]["width"] for d in dims]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": labels[value - 1],
                "y": names,
                "x": [round(p, 1) for p in pcts],
                "marker": {"color": DISTRIBUTION_COLOURS[value - 1]},
                "hovertemplate": "%{y}: %{x:.0f}%<extra>" + labels[value - 1] + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            xaxis={"range": [0, 100], "ticksuffix": "%", "gridcolor": PALETTE["grid"]},
            yaxis={"autorange": "reversed", "automargin": True},
            showlegend=True,
            legend={
                "orientation": "h",
                "y": -0.18,
                "x": 0.5,
                "xanchor": "center",
                "traceorder": "normal",
            },
            margin={"l": 10, "r": 20, "t": 10, "b": 40},
            height=120 + 44 * max(len(dims), 1),
        ),
    }


def heatmap_rows(results: RoundResults, by: str) -> list[dict[str, Any]]:
    """One row per group of the breakdown, in display order; suppressed rows carry no numbers."""
    breakdown: Breakdown | None = results.breakdowns.get(by)
    if not breakdown or not breakdown.allowed:
        return []
    codes = [d.code for d in results.dimensions]
    rows = []
    for group in breakdown.rows():
        if isinstance(group, GroupMeans):
            rows.append(
                {
                    "key": group.key,
                    "label": group.label,
                    "suppressed": False,
                    "n": group.n,
                    "overall": group.overall,
                    "values": [group.dimensions.get(c) for c in codes],
                    "cells": [{"code": c, "value": group.dimensions.get(c)} for c in codes],
                }
            )
        else:
            rows.append(
                {
                    "key": group.key,
                    "label": group.label,
                    "suppressed": True,
                    "reason": group.reason,
                    "reason_text": group.reason_text,
                    "values": [None for _c in codes],
                }
            )
    return rows


def _cell(value: float | None) -> str:
    return format_number(value)


def heatmap_figure(results: RoundResults, by: str) -> dict[str, Any] | None:
    """Groups × dimensions; suppressed groups are grey rows with a note and no values."""
    rows = heatmap_rows(results, by)
    if not any(not row["suppressed"] for row in rows):
        return None
    x = [_name(d) for d in results.dimensions]
    y = [_wrap(r["label"], 24) for r in rows]
    hidden = _("not shown")
    z = [r["values"] for r in rows]
    text = [[hidden if r["suppressed"] else _cell(v) for v in r["values"]] for r in rows]
    data = [
        {
            "type": "heatmap",
            "x": x,
            "y": y,
            "z": z,
            "zmin": 1,
            "zmax": 5,
            "colorscale": HEATMAP_SCALE,
            "showscale": False,
            "xgap": 3,
            "ygap": 3,
            "hoverongaps": False,
            "hovertemplate": "%{y} · %{x}: %{z:.2f}<extra></extra>",
        }
    ]
    # Grey blocks behind suppressed rows, so they read as "no figures" rather than as a gap.
    shapes = [
        {
            "type": "rect",
            "xref": "paper",
            "yref": "y",
            "x0": 0,
            "x1": 1,
            "y0": i - 0.5,
            "y1": i + 0.5,
            "fillcolor": PALETTE["suppressed"],
            "line": {"width": 0},
            "layer": "below",
        }
        for i, r in enumerate(rows)
        if r["suppressed"]
    ]
    annotations = []
    for i, r in enumerate(rows):
        if r["suppressed"]:
            annotations.append(
                {
                    "x": 0.5,
                    "xref": "paper",
                    "y": i,
                    "yref": "y",
                    "text": hidden,
                    "showarrow": False,
                    "font": {"color": PALETTE["muted"], "style": "italic"},
                }
            )
            continue
        for j, label in enumerate(text[i]):
            annotations.append(
                {
                    "x": j,
                    "y": i,
                    "xref": "x",
                    "yref": "y",
                    "text": label,
                    "showarrow": False,
                    "font": {"color": PALETTE["text"]},
                }
            )
    return {
        "data": data,
        "layout": _layout(
            xaxis={"side": "top", "type": "category", "tickangle": 0, "automargin": True},
            yaxis={"autorange": "reversed", "type": "category", "automargin": True},
            shapes=shapes,
            annotations=annotations,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            height=90 + 46 * len(rows),
        ),
        "narrow": {"xaxis.tickangle": -90, "font.size": 12, "height": 150 + 46 * len(rows)},
    }


def comparison_figure(results: RoundResults) -> dict[str, Any] | None:
    """Change per dimension since the previous round, with its 95% interval."""
    previous = results.previous.dimensions if results.previous else {}
    dims = [d for d in results.dimensions if d.code in previous]
    rows = [previous[d.code] for d in dims]
    if not any(r.difference is not None for r in rows):
        return None
    colours = [
        (PALETTE["high"] if (r.difference or 0) > 0 else PALETTE["low"])
        if r.is_meaningful
        else PALETTE["previous"]
        for r in rows
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [_name(d) for d in dims],
                "x": [r.difference for r in rows],
                "marker": {"color": colours},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        0
                        if r.ci_high is None or r.difference is None
                        else round(r.ci_high - r.difference, 2)
                        for r in rows
                    ],
                    "arrayminus": [
                        0
                        if r.ci_low is None or r.difference is None
                        else round(r.difference - r.ci_low, 2)
                        for r in rows
                    ],
                    "color": PALETTE["text"],
                    "thickness": 1.5,
                },
                "hovertemplate": "%{y}: %{x:+.2f}<extra></extra>",
            }
        ],
        "layout": _layout(
            xaxis={
                "zeroline": True,
                "zerolinecolor": PALETTE["text"],
                "gridcolor": PALETTE["grid"],
            },
            yaxis={"autorange": "reversed", "automargin": True},
            margin={"l": 10, "r": 20, "t": 10, "b": 30},
            height=60 + 44 * len(dims),
        ),
    }


def dashboard_figures(results: RoundResults, by: str | None = None) -> dict[str, Any]:
    """All figures of the dashboard, keyed by the id of their chart element."""
    if not results.visible:
        return {}
    figures: dict[str, Any] = {
        "chart-radar": radar_figure(results),
        "chart-bands": dimension_bars_figure(results),
        "chart-distribution": distribution_figure(results),
    }
    if by:
        heatmap = heatmap_figure(results, by)
        if heatmap:
            figures["chart-heatmap"] = heatmap
    comparison = comparison_figure(results)
    if comparison:
        figures["chart-comparison"] = comparison
    return figures


def management_radar_figure(results: RoundResults, comparison) -> dict[str, Any] | None:
    """The employees' profile and management's view on one radar (the gap at a glance).

    ``comparison`` is a :class:`assessments.followup.ManagementComparison`; None (nothing to
    draw) while the employees' results are not shown.
    """
    if comparison is None or not comparison.visible:
        return None
    dims = comparison.dimensions
    labels = _closed([_wrap(d.short_name) for d in dims])
    series = [
        ("employees", employees_label(comparison.employees_n), [d.employees for d in dims]),
        ("management", comparison.label, [d.management for d in dims]),
    ]
    style = {
        "employees": {
            "line": {"color": PALETTE["primary"], "width": 3},
            "fill": "toself",
            "fillcolor": "rgba(31,111,92,0.14)",
        },
        "management": {"line": {"color": PALETTE["leadership"], "width": 3, "dash": "dash"}},
    }
    data = [
        {
            "type": "scatterpolar",
            "name": name,
            "meta": key,
            "r": _closed(values),
            "theta": labels,
            "mode": "lines+markers",
            "marker": {"size": 6},
            "connectgaps": False,
            "hovertemplate": "%{theta}: %{r:.2f}<extra>" + name + "</extra>",
            "visible": True,
            **style[key],
        }
        for key, name, values in series
    ]
    figure = radar_figure(results)
    return {"data": data, "layout": figure["layout"], "narrow": figure["narrow"]}
