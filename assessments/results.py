"""The threshold-safe results of a round: one structure for dashboard, PDF, exports and JSON.

`campaign_results(campaign)` is the only door to aggregated answers. It reads the round with a
fixed number of queries (selectors), scores with `scoring`, and lets `anonymity` decide what may
be shown; anything it leaves out is never computed into the output. The dashboard, the PDF,
the aggregated export and `manage.py campaign_results --json` all render this same dict, so
they show the same numbers by construction.

The numbers are cached per round state (responses, threshold, status); labels in the requested
language are added on every call because they are cheap.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

from django.core.cache import cache
from django.utils import translation

from . import anonymity, scoring
from .models import Campaign, CampaignSummary
from .selectors import RoundData, load_round

BREAKDOWNS = ("team", "role", "tenure", "contract")
CACHE_SECONDS = 60 * 60 * 24
ROUND_DIGITS = 2


def _r(value: float | None, digits: int = ROUND_DIGITS) -> float | None:
    return None if value is None else round(value, digits)


def _pct(value: float | None) -> float | None:
    # Shares are shown as whole percentages everywhere (dashboard, PDF, exports).
    return None if value is None else round(value * 100)


def state_key(campaign: Campaign, data_version: str) -> str:
    raw = f"{campaign.pk}:{campaign.threshold}:{campaign.status}:{data_version}:v5"
    return "results:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _dimension_numbers(dim: scoring.DimensionScore) -> dict[str, Any]:
    band = dim.band
    return {
        "code": dim.code,
        "n": dim.n,
        "mean": _r(dim.mean),
        "sd": _r(dim.sd),
        "ci_low": _r(dim.ci_low),
        "ci_high": _r(dim.ci_high),
        "pct_positive": _pct(dim.pct_positive),
        "pct_negative": _pct(dim.pct_negative),
        "distribution": list(dim.distribution),
        "band": band.code if band else None,
        "attention": bool(band and (band.level == scoring.Level.LOW or band.vulnerable)),
        "alpha": _r(dim.alpha),
        "alpha_n": dim.alpha_n,
        "alpha_warning": dim.alpha_warning,
        "suppressed": dim.suppressed,
        "indicators": [
            {"code": ind.code, "mean": _r(ind.mean), "suppressed": ind.suppressed}
            for ind in dim.indicators
        ],
        "items": [
            {
                "code": item.code,
                "is_reversed": item.is_reversed,
                "n_valid": item.n_valid,
                "n_not_applicable": item.n_not_applicable,
                "mean": _r(item.mean),
                "pct_positive": _pct(item.pct_positive),
                "pct_negative": _pct(item.pct_negative),
                "distribution": list(item.distribution),
                "suppressed": item.suppressed,
            }
            for item in dim.items
        ],
    }


def breakdown_plan(
    labels: list[str | None], name: str, *, threshold: int, groups: list[str]
) -> anonymity.BreakdownPlan:
    """The groups of one breakdown that may be shown: the dashboard's and the exports' rule.

    ``labels``: one label per respondent of the round (None = not asked / not said).
    """
    sizes = anonymity.group_sizes(labels)
    also_shown: tuple[anonymity.ShownGroup, ...] = ()
    if name == "role":
        also_shown = anonymity.plan_role_comparison(sizes, threshold=threshold).shown
    return anonymity.plan_breakdown(
        sizes, threshold=threshold, groups=groups, also_shown=also_shown
    )


def _breakdown(data: RoundData, name: str) -> dict[str, Any]:
    plan = breakdown_plan(
        [getattr(r, name) for r in data.respondents],
        name,
        threshold=data.campaign.threshold,
        groups=data.group_order(name),
    )
    table = data.score_table()
    groups = []
    for group in plan.shown:
        members = [i for i, r in enumerate(data.respondents) if getattr(r, name) == group.label]
        groups.append({"key": group.label, **_means(table, members, data.campaign.threshold)})
    listed = {g.label for g in plan.shown} | {g.label for g in plan.suppressed}
    everyone = dict.fromkeys([*data.group_order(name), *sorted(listed)])
    return {
        "allowed": plan.allowed,
        "reason": str(plan.reason) if plan.reason else None,
        # Display order of all listed groups (shown and suppressed), e.g. the team list.
        "order": [label for label in everyone if label in listed],
        "groups": groups,
        "suppressed": [{"key": g.label, "reason": str(g.reason)} for g in plan.suppressed],
    }


def _means(table: scoring.ScoreTable, members: list[int], threshold: int) -> dict[str, Any]:
    means = scoring.group_means(table, members, threshold=threshold)
    return {
        "n": means.n,
        "overall": _r(means.overall),
        "dimensions": {code: _r(mean) for code, mean in means.dimensions.items()},
    }


def _summarize(data: RoundData, answers: list) -> scoring.GroupResult:
    return scoring.summarize(answers, data.item_specs, threshold=data.campaign.threshold)


def _role_comparison(data: RoundData) -> dict[str, Any]:
    k = data.campaign.threshold
    sizes = anonymity.group_sizes(r.role for r in data.respondents)
    comparison = anonymity.plan_role_comparison(sizes, threshold=k)
    if not comparison.allowed:
        return {"allowed": False, "reason": str(comparison.reason)}
    out: dict[str, Any] = {"allowed": True, "reason": None}
    for group in comparison.shown:
        members = [i for i, r in enumerate(data.respondents) if r.role in group.members]
        out[group.label] = _means(data.score_table(), members, k)
    return out


def _previous(campaign: Campaign, current: scoring.GroupResult) -> dict[str, Any] | None:
    previous = (
        CampaignSummary.objects.filter(
            campaign__organisation_id=campaign.organisation_id,
            campaign__status=Campaign.Status.CLOSED,
            campaign__closes_on__lt=campaign.opens_on,
            campaign__questionnaire__code=campaign.questionnaire.code,
        )
        .select_related("campaign")
        .order_by("-campaign__closes_on")
        .first()
    )
    if previous is None:
        return None
    dims = {}
    for dim in current.dimensions:
        stats = previous.data.get("dimensions", {}).get(dim.code)
        if not stats or stats.get("mean") is None:
            continue
        change = scoring.compare(dim, SimpleNamespace(**stats))  # type: ignore[arg-type]
        dims[dim.code] = {
            "previous_mean": _r(stats["mean"]),
            "difference": _r(change.difference),
            "ci_low": _r(change.ci_low),
            "ci_high": _r(change.ci_high),
            "is_meaningful": change.is_meaningful,
        }
    return {
        "campaign": {"id": previous.campaign_id, "name": previous.campaign.name},
        "respondents": previous.respondents,
        "overall": _r(previous.data.get("overall")),
        "dimensions": dims,
    }


def _benchmark(campaign: Campaign) -> dict[str, Any] | None:
    """Median and quartiles over other organisations' latest closed round (same version)."""
    rows = (
        CampaignSummary.objects.filter(
            campaign__questionnaire_id=campaign.questionnaire_id,
            campaign__status=Campaign.Status.CLOSED,
        )
        .exclude(campaign__organisation_id=campaign.organisation_id)
        .order_by("campaign__organisation_id", "-campaign__closes_on", "-campaign_id")
        .values_list("campaign__organisation_id", "campaign__organisation__sector", "data")
    )
    latest: dict[int, tuple[str, dict]] = {}
    for organisation_id, sector, data in rows:
        latest.setdefault(organisation_id, (sector, data))

    def quartiles(entries: list[dict]) -> dict[str, Any] | None:
        out = {}
        codes = {code for e in entries for code in e.get("dimensions", {})}
        for code in sorted(codes):
            means = [
                e["dimensions"][code]["mean"]
                for e in entries
                if e["dimensions"].get(code, {}).get("mean") is not None
            ]
            q = scoring.benchmark(means)
            if q is not None:
                out[code] = {"n": q.n, "q1": _r(q.q1), "median": _r(q.median), "q3": _r(q.q3)}
        return out or None

    everyone = quartiles([data for _, data in latest.values()])
    if everyone is None:
        return None
    sector_entries = [
        data for sector, data in latest.values() if sector == campaign.organisation.sector
    ]
    return {
        "organisations": len(latest),
        "dimensions": everyone,
        "sector": campaign.organisation.sector,
        "sector_organisations": len(sector_entries),
        "sector_dimensions": quartiles(sector_entries),
    }


def _numbers(campaign: Campaign) -> dict[str, Any]:
    data = load_round(campaign)
    k = campaign.threshold
    n = len(data.respondents)
    invited = data.invited
    rate = n / invited if invited else None
    out: dict[str, Any] = {
        "campaign": campaign.pk,
        "respondents": n,
        "invited": invited,
        "response_rate": _pct(rate),
        "indicative": rate is not None and rate < 0.4,
        "threshold": k,
        "visible": anonymity.round_results_visible(n, k),
    }
    if not out["visible"]:
        out["reason"] = "round_below_threshold"
        return out
    result = _summarize(data, [r.answers for r in data.respondents])
    out["overall_index"] = _r(result.overall_index)
    out["dimensions"] = [_dimension_numbers(d) for d in result.dimensions]
    out["strongest"] = [i.code for i in result.strongest]
    out["weakest"] = [i.code for i in result.weakest]
    out["role_comparison"] = _role_comparison(data)
    out["breakdowns"] = {
        name: _breakdown(data, name) for name in BREAKDOWNS if name in campaign.segment_questions()
    }
    out["previous"] = _previous(campaign, result)
    out["benchmark"] = _benchmark(campaign)
    open_answers = []
    for question in data.open_questions:
        shown = anonymity.visible_open_answers(
            data.open_texts.get(question.pk, []),
            n_respondents=n,
            threshold=campaign.open_answer_threshold,
            seed=f"{campaign.pk}:{question.pk}",
        )
        open_answers.append(
            {
                "code": question.code,
                "visible": shown.visible,
                "reason": str(shown.reason) if shown.reason else None,
                "texts": list(shown.texts),
            }
        )
    out["open_answers"] = open_answers
    return out


def _labels(campaign: Campaign, numbers: dict[str, Any], language: str) -> dict[str, Any]:
    """Add names, texts and recommendations in one language to a copy of the numbers."""
    from .models import CampaignTeam, Contract, Dimension, OpenQuestion, Role, Tenure

    with translation.override(language):
        out = {
            **numbers,
            "language": language,
            "round": {
                "id": campaign.pk,
                "name": campaign.name,
                "organisation": campaign.organisation.name,
                "opens_on": campaign.opens_on.isoformat(),
                "closes_on": campaign.closes_on.isoformat(),
                "status": campaign.status,
                "answers_deleted_on": (
                    campaign.answers_deleted_on.isoformat() if campaign.answers_deleted_on else None
                ),
            },
        }
        if not numbers["visible"]:
            return out
        dimensions = {
            d.code: d
            for d in Dimension.objects.filter(
                questionnaire_id=campaign.questionnaire_id
            ).prefetch_related("indicators", "items", "recommendations")
        }
        item_texts: dict[str, str] = {}
        dims_out = []
        for dim in numbers["dimensions"]:
            content = dimensions[dim["code"]]
            indicator_names = {str(i.pk): i.name for i in content.indicators.all()}
            items = {i.code: i for i in content.items.all()}
            item_texts.update({code: i.text for code, i in items.items()})
            dims_out.append(
                {
                    **dim,
                    "name": content.name,
                    "short_name": content.short_name,
                    "explanation": content.explanation,
                    "recommendations": [
                        {"title": r.title, "body": r.body} for r in content.recommendations.all()
                    ],
                    "indicators": [
                        {**ind, "name": indicator_names.get(ind["code"], ind["code"])}
                        for ind in dim["indicators"]
                    ],
                    "items": [{**i, "text": items[i["code"]].text} for i in dim["items"]],
                }
            )
        out["dimensions"] = dims_out
        out["item_texts"] = item_texts
        team_names = dict(CampaignTeam.objects.filter(campaign=campaign).values_list("pk", "name"))
        choice_labels = {
            "team": {str(pk): name for pk, name in team_names.items()},
            "role": dict(Role.choices),
            "tenure": dict(Tenure.choices),
            "contract": dict(Contract.choices),
        }
        breakdowns = {}
        for name, bd in numbers.get("breakdowns", {}).items():
            labels = choice_labels[name]
            breakdowns[name] = {
                **bd,
                "groups": [
                    {**g, "label": str(labels.get(g["key"], g["key"]))} for g in bd["groups"]
                ],
                "suppressed": [
                    {**g, "label": str(labels.get(g["key"], g["key"]))} for g in bd["suppressed"]
                ],
            }
        out["breakdowns"] = breakdowns
        questions = {
            q.code: q.text
            for q in OpenQuestion.objects.filter(questionnaire_id=campaign.questionnaire_id)
        }
        out["open_answers"] = [
            {**o, "question": questions.get(o["code"], o["code"])} for o in numbers["open_answers"]
        ]
    return out


def campaign_results(campaign: Campaign, language: str | None = None) -> dict[str, Any]:
    """The aggregated, threshold-safe results of a round, JSON-serialisable."""
    from .selectors import data_version

    key = state_key(campaign, data_version(campaign))
    numbers = cache.get(key)
    if numbers is None:
        numbers = _numbers(campaign)
        cache.set(key, numbers, CACHE_SECONDS)
    return _labels(campaign, numbers, language or translation.get_language() or "nl")


def store_summary(campaign: Campaign) -> CampaignSummary | None:
    """Keep the round's dimension figures for later comparisons (only when ≥ k responded)."""
    data = load_round(campaign)
    n = len(data.respondents)
    if not anonymity.round_results_visible(n, campaign.threshold):
        CampaignSummary.objects.filter(campaign=campaign).delete()
        return None
    result = _summarize(data, [r.answers for r in data.respondents])
    summary, _ = CampaignSummary.objects.update_or_create(
        campaign=campaign,
        defaults={
            "respondents": n,
            "data": {
                "overall": result.overall_index,
                "dimensions": {
                    d.code: {"n": d.n, "mean": d.mean, "sd": d.sd} for d in result.dimensions
                },
            },
        },
    )
    return summary
