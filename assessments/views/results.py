"""The results dashboard of a round, for its organisation's HR managers and consultants.

Every figure on the page comes from `assessments.results.campaign_results`, the same
threshold-safe dict as the PDF, the exports and `manage.py campaign_results --json`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import charts
from ..access import get_campaign_for_user, is_consultant_for
from ..models import Campaign
from ..results import campaign_results


def _breakdown_names() -> dict[str, str]:
    return {
        "team": _("Team"),
        "role": _("Role"),
        "tenure": _("Years of service"),
        "contract": _("Contract"),
    }


def _dimension_cards(results: dict[str, Any]) -> list[dict[str, Any]]:
    previous = (results.get("previous") or {}).get("dimensions") or {}
    benchmark = (results.get("benchmark") or {}).get("dimensions") or {}
    cards = []
    for dim in results["dimensions"]:
        items = [i for i in dim["items"] if i["mean"] is not None]
        ranked = sorted(items, key=lambda i: (-i["mean"], i["code"]))
        strongest = ranked[:2]
        weakest = [i for i in reversed(ranked) if i not in strongest][:2]
        cards.append(
            {
                **dim,
                "colour": charts.band_colour(dim["band"]),
                "bar": round(100 * charts.bar_fraction(dim["mean"]), 2),
                "segments": charts.distribution_segments(dim["distribution"]),
                "indicator_bars": [
                    {**ind, "bar": round(100 * charts.bar_fraction(ind["mean"]), 2)}
                    for ind in dim["indicators"]
                ],
                "strongest_items": strongest,
                "weakest_items": weakest,
                "previous": previous.get(dim["code"]),
                "benchmark": benchmark.get(dim["code"]),
            }
        )
    return cards


def _extreme_items(results: dict[str, Any], codes: list[str]) -> list[dict[str, Any]]:
    by_code = {
        item["code"]: {**item, "dimension": dim["short_name"] or dim["name"]}
        for dim in results["dimensions"]
        for item in dim["items"]
    }
    return [by_code[code] for code in codes if code in by_code]


def _radar_table(results: dict[str, Any]) -> dict[str, Any]:
    series = charts.radar_series(results)
    rows = [
        {"name": dim["name"], "values": [s["values"][i] for s in series]}
        for i, dim in enumerate(results["dimensions"])
    ]
    return {"series": series, "rows": rows}


@login_required
@require_GET
def campaign_results_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    results = campaign_results(campaign, translation.get_language())
    context: dict[str, Any] = {
        "campaign": campaign,
        "results": results,
        # The anonymised response file is for the organisation's consultant, once the round
        # is closed (two files of an open round differ by exactly the newest respondents).
        "can_export_responses": (
            is_consultant_for(request.user, campaign.organisation)
            and campaign.status == Campaign.Status.CLOSED
            and campaign.answers_deleted_on is None
        ),
    }
    if not results["visible"]:
        return render(request, "assessments/results/dashboard.html", context)

    names = _breakdown_names()
    available = [name for name in results["breakdowns"] if name in names]
    requested = request.GET.get("by")
    by = requested if requested in available else (available[0] if available else None)
    breakdown = results["breakdowns"].get(by) if by else None
    figures = charts.dashboard_figures(results, by)
    cards = _dimension_cards(results)
    context.update(
        {
            "summary_bands": [
                ({"code": code, "cards": [c for c in cards if c["band"] == code]}, code)
                for code in ("high", "middle", "vulnerable", "low")
            ],
            "attention_count": sum(1 for c in cards if c["attention"]),
            "figures": figures,
            "cards": cards,
            "strongest": _extreme_items(results, results["strongest"]),
            "weakest": _extreme_items(results, results["weakest"]),
            "radar": _radar_table(results),
            "scale_labels": charts.scale_labels(),
            "palette": charts.PALETTE,
            "distribution_colours": charts.DISTRIBUTION_COLOURS,
            "breakdown_choices": [(name, names[name]) for name in available],
            "by": by,
            "by_name": names.get(by or ""),
            "by_invalid": requested is not None and requested != by,
            "breakdown": breakdown,
            "heatmap_rows": charts.heatmap_rows(results, by) if by else [],
        }
    )
    return render(request, "assessments/results/dashboard.html", context)
