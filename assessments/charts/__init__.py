"""Charts of the results: ``plotly`` (dashboard figures) and ``svg`` (PDF charts).

Both draw from the typed results (:mod:`assessments.results.data`) with the one palette and
band colours of :mod:`assessments.presentation`; the geometry they share lives here.
"""

from __future__ import annotations

from typing import Any

from ..presentation import DISTRIBUTION_COLOURS

SCALE_MIN, SCALE_MAX = 1, 5


def bar_fraction(mean: float | None) -> float:
    """Where a mean on the 1–5 scale falls on a bar from 1 (0.0) to 5 (1.0)."""
    if mean is None:
        return 0.0
    return max(0.0, min(1.0, (mean - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)))


def distribution_segments(distribution: tuple[int, ...] | list[int]) -> list[dict[str, Any]]:
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


def heat_colour(value: float | None) -> str:
    """Cell tint for a group mean: a continuous scale from low (1) to high (5)."""
    if value is None:
        return "#ffffff"
    low, mid, high = (0xF6, 0xD5, 0xCC), (0xFB, 0xEC, 0xCF), (0xCF, 0xEB, 0xE7)
    t = min(max((value - 2.5) / 2.0, 0.0), 1.0)
    a, b, f = (low, mid, t * 2) if t < 0.5 else (mid, high, (t - 0.5) * 2)
    return "#" + "".join(f"{round(a[i] + (b[i] - a[i]) * f):02x}" for i in range(3))
