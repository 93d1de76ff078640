"""Chart figures built from the results dict of `assessments.results.campaign_results`.

Every builder takes that (threshold-safe) dict and returns a plain, JSON-able plotly figure
``{"data": [...], "layout": {...}}``: the dashboard embeds it with ``json_script`` and
``static/js/dashboard.js`` draws it with the self-hosted plotly.js bundle. The builders only
read what the results dict holds, so a suppressed group cannot reach a chart: its numbers
were never computed into the dict.

Figures are plain dicts rather than ``plotly.graph_objects`` because validating a figure
object costs milliseconds each, and the traces used here (scatterpolar, bar, heatmap) are few.

``PALETTE`` and ``BAND_COLOURS`` are the one place where chart colours live (they follow
``static/css/app.css``); the PDF report reuses them for its SVG charts, and
:func:`distribution_segments` / :func:`bar_fraction` give it the same geometry.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Keep in step with the custom properties in static/css/app.css (--lc-*).
PALETTE: dict[str, str] = {
    "primary": "#1f6f5c",  # --lc-primary: this round
    "primary_dark": "#17574a",  # --lc-primary-dark
    "accent": "#f2c14e",  # --lc-accent
    "low": "#c8553d",  # --lc-low: "Aandachtspunt"
    "mid": "#e9a23b",  # --lc-mid: "Basis aanwezig"
    "high": "#2a9d8f",  # --lc-high: "Sterk punt"
    "previous": "#6b716e",  # previous round (grey, dashed)
    "benchmark": "#3d5a98",  # benchmark median (blue, dotted)
    "leadership": "#7b4f9d",  # leidinggevenden
    "employees": "#d9822b",  # medewerkers
    "text": "#1d2421",
    "muted": "#5c635f",
    "grid": "#e3e3dc",
    "suppressed": "#efefea",  # cells without figures
}

BAND_COLOURS: dict[str, str] = {
    "low": PALETTE["low"],
    "vulnerable": PALETTE["mid"],
    "middle": PALETTE["mid"],
    "high": PALETTE["high"],
}

# Scored answers 1..5: from "helemaal oneens" (after reversal) to "helemaal eens".
DISTRIBUTION_COLOURS: tuple[str, str, str, str, str] = (
    PALETTE["low"],
    "#e39a88",
    "#cfd2cd",
    "#8fcfc6",
    PALETTE["high"],
)

# Heatmap scale over means 1..5: red below 3, amber from 3 to 4, green from 4.
HEATMAP_SCALE: list[list[Any]] = [
    [0.0, PALETTE["low"]],
    [0.45, "#e39a88"],
    [0.5, PALETTE["mid"]],
    [0.7, "#f3d08a"],
    [0.75, "#8fcfc6"],
    [1.0, PALETTE["high"]],
]

FONT = '"Source Sans 3", system-ui, sans-serif'
SCALE_RANGE = [1, 5]


def band_colour(band: str | None) -> str:
    return BAND_COLOURS.get(band or "", PALETTE["suppressed"])


def bar_fraction(mean: float | None) -> float:
    """Where a mean on the 1–5 scale falls on a bar from 1 (0.0) to 5 (1.0)."""
    if mean is None:
        return 0.0
    return max(0.0, min(1.0, (mean - 1) / 4))


def distribution_segments(distribution: list[int]) -> list[dict[str, Any]]:
    """Stacked-bar segments (0..100 wide) for counts of scored answers 1..5."""
    total = sum(distribution)
    segments = []
    x = 0.0
    for value, count in enumerate(distribution, 1):
        width = 100 * count / total if total else 0.0
        segments.append(
            {
                "value": value,
                "count": count,
                "pct": round(width),
                "x": round(x, 3),
                "width": round(width, 3),
                "colour": DISTRIBUTION_COLOURS[value - 1],
            }
        )
        x += width
    return segments


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


def _dims(results: dict[str, Any]) -> list[dict[str, Any]]:
    return results.get("dimensions", [])


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


def radar_series(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of the radar chart: this round plus the overlays that results provides.

    Each: key, name, values (one mean or None per dimension, in results order). The
    dashboard's table of the radar uses the same list, so chart and table agree.
    """
    dims = _dims(results)
    codes = [d["code"] for d in dims]
    series = [
        {"key": "round", "name": _("This round"), "values": [d["mean"] for d in dims]},
    ]
    previous = results.get("previous")
    if previous and previous.get("dimensions"):
        prev = previous["dimensions"]
        series.append(
            {
                "key": "previous",
                "name": _("Previous round"),
                "values": [prev.get(c, {}).get("previous_mean") for c in codes],
            }
        )
    benchmark = results.get("benchmark")
    if benchmark and benchmark.get("dimensions"):
        bench = benchmark["dimensions"]
        series.append(
            {
                "key": "benchmark",
                "name": _("Benchmark (median)"),
                "values": [bench.get(c, {}).get("median") for c in codes],
            }
        )
    roles = results.get("role_comparison") or {}
    if roles.get("allowed"):
        for key, name in (("leadership", _("Managers")), ("employees", _("Employees"))):
            group = roles.get(key)
            if group:
                series.append(
                    {
                        "key": key,
                        "name": name,
                        "values": [group["dimensions"].get(c) for c in codes],
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


def radar_figure(results: dict[str, Any]) -> dict[str, Any]:
    """Six axes on a 1–5 scale; overlays start hidden and are switched on by the page."""
    labels = _closed([_wrap(d["short_name"] or d["name"]) for d in _dims(results)])
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


def dimension_bars_figure(results: dict[str, Any]) -> dict[str, Any]:
    """Each dimension's mean with its 95% interval, coloured by band, over the band zones."""
    dims = [d for d in _dims(results) if d["mean"] is not None]
    names = [d["short_name"] or d["name"] for d in dims]
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": [d["mean"] - 1 for d in dims],
            "base": 1,
            "customdata": [d["mean"] for d in dims],
            "marker": {"color": [band_colour(d["band"]) for d in dims]},
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": [
                    0 if d["ci_high"] is None else round(d["ci_high"] - d["mean"], 2) for d in dims
                ],
                "arrayminus": [
                    0 if d["ci_low"] is None else round(d["mean"] - d["ci_low"], 2) for d in dims
                ],
                "color": PALETTE["text"],
                "thickness": 1.5,
                "width": 4,
            },
            "hovertemplate": "%{y}: %{customdata:.2f}<extra></extra>",
            "name": _("This round"),
        }
    ]
    benchmark = (results.get("benchmark") or {}).get("dimensions") or {}
    if benchmark:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "y": names,
                "x": [benchmark.get(d["code"], {}).get("median") for d in dims],
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
    zones = [(1, 3, PALETTE["low"]), (3, 4, PALETTE["mid"]), (4, 5, PALETTE["high"])]
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": x0,
            "x1": x1,
            "y0": 0,
            "y1": 1,
            "fillcolor": colour,
            "opacity": 0.08,
            "line": {"width": 0},
            "layer": "below",
        }
        for x0, x1, colour in zones
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


def distribution_figure(results: dict[str, Any]) -> dict[str, Any]:
    """Stacked 100% bars of the scored answers 1..5 per dimension."""
    dims = [d for d in _dims(results) if sum(d["distribution"])]
    names = [d["short_name"] or d["name"] for d in dims]
    labels = scale_labels()
    data = []
    for value in range(1, 6):
        pcts = [distribution_segments(d["distribution"])[value - 1]["width"] for d in dims]
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


def scale_labels() -> list[str]:
    return [
        _("1 fully disagree"),
        _("2 disagree"),
        _("3 neutral"),
        _("4 agree"),
        _("5 fully agree"),
    ]


def heatmap_rows(results: dict[str, Any], by: str) -> list[dict[str, Any]]:
    """One row per group of the breakdown, in display order; suppressed rows carry no numbers."""
    breakdown = (results.get("breakdowns") or {}).get(by)
    if not breakdown or not breakdown.get("allowed"):
        return []
    codes = [d["code"] for d in _dims(results)]
    shown = {g["key"]: g for g in breakdown["groups"]}
    hidden = {g["key"]: g for g in breakdown["suppressed"]}
    order = [g["key"] for g in breakdown["groups"]] + [g["key"] for g in breakdown["suppressed"]]
    # Suppressed groups keep their display position so the heatmap reads like the team list.
    position = {key: i for i, key in enumerate(breakdown.get("order") or order)}
    rows = []
    for key in sorted(order, key=lambda k: position.get(k, len(position))):
        if key in shown:
            group = shown[key]
            rows.append(
                {
                    "key": key,
                    "label": group["label"],
                    "suppressed": False,
                    "n": group["n"],
                    "overall": group["overall"],
                    "values": [group["dimensions"].get(c) for c in codes],
                }
            )
        else:
            group = hidden[key]
            rows.append(
                {
                    "key": key,
                    "label": group["label"],
                    "suppressed": True,
                    "reason": group["reason"],
                    "reason_text": group["reason_text"],
                    "values": [None for _c in codes],
                }
            )
    return rows


def _cell(value: float | None) -> str:
    return "–" if value is None else number_format(value, 2)


def heatmap_figure(results: dict[str, Any], by: str) -> dict[str, Any] | None:
    """Groups × dimensions; suppressed groups are grey rows with a note and no values."""
    rows = heatmap_rows(results, by)
    if not any(not row["suppressed"] for row in rows):
        return None
    dims = _dims(results)
    x = [d["short_name"] or d["name"] for d in dims]
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


def comparison_figure(results: dict[str, Any]) -> dict[str, Any] | None:
    """Change per dimension since the previous round, with its 95% interval."""
    previous = (results.get("previous") or {}).get("dimensions") or {}
    dims = [d for d in _dims(results) if d["code"] in previous]
    if not dims:
        return None
    rows = [previous[d["code"]] for d in dims]
    colours = [
        (PALETTE["high"] if r["difference"] > 0 else PALETTE["low"])
        if r["is_meaningful"]
        else PALETTE["previous"]
        for r in rows
    ]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [d["short_name"] or d["name"] for d in dims],
                "x": [r["difference"] for r in rows],
                "marker": {"color": colours},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        0 if r["ci_high"] is None else round(r["ci_high"] - r["difference"], 2)
                        for r in rows
                    ],
                    "arrayminus": [
                        0 if r["ci_low"] is None else round(r["difference"] - r["ci_low"], 2)
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


def dashboard_figures(results: dict[str, Any], by: str | None = None) -> dict[str, Any]:
    """All figures of the dashboard, keyed by the id of their chart element."""
    if not results.get("visible"):
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
