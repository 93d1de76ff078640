"""The results dashboard of a round, for its organisation's HR managers and consultants.

Every figure on the page comes from `assessments.results.campaign_results`, the same typed
results as the PDF, the exports and `manage.py campaign_results --json`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from .. import improvement, presentation
from ..access import get_campaign_for_user, is_consultant_for
from ..charts import bar_fraction, distribution_segments
from ..charts import plotly as charts
from ..models import Campaign
from ..results import campaign_results
from ..results.data import DimensionResult, RoundResults


def _dimension_cards(results: RoundResults) -> list[dict[str, Any]]:
    previous = results.previous.dimensions if results.previous else {}
    benchmark = results.benchmark.dimensions if results.benchmark else {}
    return [
        {
            "dim": dim,
            "colour": presentation.band_colour(dim.band),
            "bar": round(100 * bar_fraction(dim.mean), 2),
            "segments": distribution_segments(dim.distribution),
            "indicator_bars": [
                {"indicator": ind, "bar": round(100 * bar_fraction(ind.mean), 2)}
                for ind in dim.indicators
            ],
            "strongest_items": [dim.item(code) for code in dim.strongest],
            "weakest_items": [dim.item(code) for code in dim.weakest],
            "previous": previous.get(dim.code),
            "benchmark": benchmark.get(dim.code),
        }
        for dim in results.dimensions
    ]


def _extreme_items(results: RoundResults, codes: tuple[str, ...]) -> list[dict[str, Any]]:
    by_code = {item.code: (dim, item) for dim, item in results.items()}
    return [
        {"item": by_code[code][1], "dimension": _short(by_code[code][0])}
        for code in codes
        if code in by_code
    ]


def _short(dim: DimensionResult) -> str:
    return dim.short_name or dim.name


def _radar_table(results: RoundResults) -> dict[str, Any]:
    series = charts.radar_series(results)
    rows = [
        {
            "code": dim.code,
            "name": dim.name,
            # Which line each cell belongs to (data-series, read by tests/test_cross_output.py).
            "cells": [{"series": s["key"], "value": s["values"][i]} for s in series],
        }
        for i, dim in enumerate(results.dimensions)
    ]
    return {"series": series, "rows": rows}


def _improvement(campaign: Campaign, results: RoundResults) -> dict[str, Any]:
    """The management view, the round's plan and the change since an earlier plan."""
    language = results.language
    closed = campaign.status == Campaign.Status.CLOSED
    return {
        "management": improvement.management_comparison(campaign, results),
        "plan": improvement.round_plan(campaign, results, language),
        "follow_up": improvement.follow_up(campaign, results),
        "plan_possible": closed,
        "kit_dimensions": list(results.dimensions) if closed and results.visible else [],
        "improvement_glossary": presentation.improvement_glossary(),
        "notable_gap": presentation.NOTABLE_GAP,
    }


def _management_figure(results: RoundResults, management) -> dict[str, Any]:
    figure = charts.management_radar_figure(results, management)
    return {"chart-management": figure} if figure else {}


@login_required
@require_GET
def campaign_results_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    results = campaign_results(campaign, translation.get_language())
    context: dict[str, Any] = {
        "campaign": campaign,
        "results": results,
        "rate_basis": presentation.rate_basis_text(results.response_rate),
        "indicative_text": presentation.indicative_text(results.response_rate),
        "glossary": presentation.glossary(),
        # The anonymised response file is for the organisation's consultant, once the round
        # is closed (two files of an open round differ by exactly the newest respondents).
        "can_export_responses": (
            is_consultant_for(request.user, campaign.organisation)
            and campaign.status == Campaign.Status.CLOSED
            and campaign.answers_deleted_on is None
        ),
    }
    context.update(_improvement(campaign, results))
    if not results.visible:
        return render(request, "assessments/results/dashboard.html", context)

    available = list(results.breakdowns)
    requested = request.GET.get("by")
    by = requested if requested in available else (available[0] if available else None)
    breakdown = results.breakdowns.get(by) if by else None
    cards = _dimension_cards(results)
    context.update(
        {
            "summary_bands": [
                {"style": style, "cards": [c for c in cards if c["dim"].band == code]}
                for code, style in presentation.BANDS.items()
            ],
            "bands": presentation.BANDS.values(),
            "band_zones": [
                {
                    "x": round(100 * bar_fraction(x0), 2),
                    "width": round(100 * (bar_fraction(x1) - bar_fraction(x0)), 2),
                    "colour": presentation.band_colour(code),
                }
                for x0, x1, code in presentation.BAND_ZONES
            ],
            "attention_count": sum(1 for c in cards if c["dim"].attention),
            "figures": {
                **charts.dashboard_figures(results, by),
                **_management_figure(results, context["management"]),
            },
            "cards": cards,
            "strongest": _extreme_items(results, results.strongest),
            "weakest": _extreme_items(results, results.weakest),
            "radar": _radar_table(results),
            "scale_labels": presentation.scale_labels(),
            "palette": presentation.PALETTE,
            "distribution_colours": presentation.DISTRIBUTION_COLOURS,
            "breakdown_choices": [(b.name, b.label) for b in results.breakdowns.values()],
            "by": by,
            "by_name": breakdown.label if breakdown else None,
            "by_invalid": requested is not None and requested != by,
            "breakdown": breakdown,
            "heatmap_rows": charts.heatmap_rows(results, by) if by else [],
        }
    )
    return render(request, "assessments/results/dashboard.html", context)
