"""The threshold-safe results of a round: one structure for dashboard, PDF, exports and JSON.

``campaign_results(campaign)`` is the only door to aggregated answers. It reads the round
(``queries``), asks the publication plan (:mod:`assessments.anonymity`) what may be shown, and
builds the figures of the plan's current look (``build``); the dashboard, the PDF, the
aggregated export, the response-rate page and ``manage.py campaign_results --json`` all render
this same dict, so they show the same numbers by construction.

The figures are cached per published state: the round, its settings and the size of the
current look. While a round is open that size changes only every k responses, so a new
response costs one count query, not a rebuild.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.utils import translation

from .. import anonymity
from ..models import Campaign, CampaignSummary
from ..presentation import look_note, reason_text
from . import build, queries

CACHE_SECONDS = 60 * 60 * 24


def current_look_size(campaign: Campaign, received: int | None = None) -> int:
    """The respondents the published results of the round cover now (0: nothing shown)."""
    if received is None:
        received = queries.responses_received(campaign)
    sizes = anonymity.look_sizes(
        received,
        campaign.threshold,
        campaign.interim_results,
        closed=campaign.status == Campaign.Status.CLOSED,
    )
    return sizes[-1] if sizes else 0


def state_key(campaign: Campaign, look_size: int) -> str:
    deleted = campaign.answers_deleted_on.isoformat() if campaign.answers_deleted_on else "-"
    raw = (
        f"{campaign.pk}:{campaign.threshold}:{campaign.interim_results}:{campaign.status}:"
        f"{look_size}:{deleted}:v6"
    )
    return "results:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def publication_plan(campaign: Campaign) -> anonymity.PublicationPlan:
    return build.publication_plan(queries.load_round(campaign))


def _numbers(campaign: Campaign) -> tuple[int, dict[str, Any]]:
    data = queries.load_round(campaign)
    plan = build.publication_plan(data)
    look = plan.current
    if look is not None:
        data = queries.with_answers(campaign, data, look.size)
    previous = None
    summary = queries.previous_summary(campaign) if look is not None else None
    if summary is not None:
        previous = {
            "campaign": {"id": summary.campaign_id, "name": summary.campaign.name},
            "respondents": summary.respondents,
            "data": summary.data,
        }
    numbers = build.build_numbers(
        data,
        plan,
        previous=previous,
        benchmark=queries.benchmark_summaries(campaign) if look is not None else (),
        sector=campaign.organisation.sector,
    )
    return (look.size if look else 0), numbers


def campaign_numbers(campaign: Campaign) -> dict[str, Any]:
    """The figures of the current look (cached), plus the live response count."""
    received = queries.responses_received(campaign)
    key = state_key(campaign, current_look_size(campaign, received))
    numbers = cache.get(key)
    if numbers is None:
        size, numbers = _numbers(campaign)
        cache.set(state_key(campaign, size), numbers, CACHE_SECONDS)
    invited = (
        campaign.invitations.filter(sent_on__isnull=False).count() or campaign.expected_respondents
    )
    rate = received / invited if invited else None
    return {
        **numbers,
        "received": received,
        "lag": received - numbers["respondents"],
        "invited": invited,
        "response_rate": None if rate is None else round(rate * 100),
        "indicative": rate is not None and rate < 0.4,
    }


def campaign_results(campaign: Campaign, language: str | None = None) -> dict[str, Any]:
    """The aggregated, threshold-safe results of a round, JSON-serialisable."""
    return _labels(
        campaign, campaign_numbers(campaign), language or translation.get_language() or "nl"
    )


def _labels(campaign: Campaign, numbers: dict[str, Any], language: str) -> dict[str, Any]:
    """Add names, texts and recommendations in one language to a copy of the numbers."""
    from ..models import CampaignTeam, Contract, Dimension, OpenQuestion, Role, Tenure

    k = numbers["threshold"]
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
            "look_note": look_note(
                respondents=numbers["respondents"],
                received=numbers["received"],
                step=numbers["step"],
                final=numbers["final"] or not numbers["visible"],
            ),
        }
        if not numbers["visible"]:
            out["reason_text"] = reason_text(numbers.get("reason"), k)
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
                "reason_text": reason_text(bd["reason"], k) if bd["reason"] else None,
                "groups": [
                    {**g, "label": str(labels.get(g["key"], g["key"]))} for g in bd["groups"]
                ],
                "suppressed": [
                    {
                        **g,
                        "label": str(labels.get(g["key"], g["key"])),
                        "reason_text": reason_text(g["reason"], k),
                    }
                    for g in bd["suppressed"]
                ],
            }
        out["breakdowns"] = breakdowns
        comparison = numbers["role_comparison"]
        out["role_comparison"] = {
            **comparison,
            "reason_text": reason_text(comparison["reason"], k) if comparison["reason"] else None,
        }
        questions = {
            q.code: q.text
            for q in OpenQuestion.objects.filter(questionnaire_id=campaign.questionnaire_id)
        }
        out["open_answers"] = [
            {
                **o,
                "question": questions.get(o["code"], o["code"]),
                "reason_text": reason_text(o["reason"], k) if o["reason"] else None,
            }
            for o in numbers["open_answers"]
        ]
    return out


def store_summary(campaign: Campaign) -> CampaignSummary | None:
    """Keep the final results' dimension figures for later comparisons (when ≥ k responded)."""
    data = queries.load_round(campaign)
    plan = build.publication_plan(data)
    look = plan.current
    if look is None or not look.final:
        CampaignSummary.objects.filter(campaign=campaign).delete()
        return None
    kept = build.summary_data(queries.with_answers(campaign, data, look.size), plan)
    if kept is None:
        return None
    respondents, figures = kept
    summary, _ = CampaignSummary.objects.update_or_create(
        campaign=campaign, defaults={"respondents": respondents, "data": figures}
    )
    return summary
