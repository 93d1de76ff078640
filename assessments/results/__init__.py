"""The threshold-safe results of a round: one typed structure for every output.

``campaign_results(campaign, language)`` is the only door to aggregated answers. It reads the
round (``queries``), asks the publication plan (:mod:`assessments.anonymity`) what may be
shown, and builds the typed :class:`~assessments.results.data.RoundResults` of the plan's
current look (``build``). The dashboard, the PDF, the aggregated export, the response-rate page
and ``manage.py campaign_results --json`` all render this one value, so they show the same
numbers by construction.

The results are cached per published state — the round, its settings and the size of the
current look — and language. While a round is open that size changes only every k responses,
so a new response costs two count queries, not a rebuild; the live count and the response rate
are filled in on every call.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from django.core.cache import cache
from django.utils import translation

from .. import anonymity, presentation
from ..models import Campaign, CampaignSummary
from . import build, queries
from .data import RoundResults

__all__ = ["RoundResults", "campaign_results", "current_look_size", "state_key", "store_summary"]

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
    """Changes whenever what the round's results show may change (also keys the PDF)."""
    deleted = campaign.answers_deleted_on.isoformat() if campaign.answers_deleted_on else "-"
    raw = (
        f"{campaign.pk}:{campaign.threshold}:{campaign.interim_results}:{campaign.status}:"
        f"{look_size}:{deleted}:v7"
    )
    return "results:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def publication_plan(campaign: Campaign) -> anonymity.PublicationPlan:
    return build.publication_plan(queries.load_round(campaign))


def _build(campaign: Campaign, language: str, rate: presentation.ResponseRate) -> RoundResults:
    data = queries.load_round(campaign)
    plan = build.publication_plan(data)
    look = plan.current
    if look is not None:
        data = queries.with_answers(campaign, data, look.size)
    with translation.override(language):
        return build.build_results(
            data,
            plan,
            queries.content_labels(campaign, language),
            rate=rate,
            previous=queries.previous_summary(campaign) if look is not None else None,
            benchmark=queries.benchmark_summaries(campaign) if look is not None else (),
            sector=campaign.organisation.sector,
        )


def campaign_results(campaign: Campaign, language: str | None = None) -> RoundResults:
    """The aggregated, threshold-safe results of a round in one language."""
    language = (language or translation.get_language() or "nl")[:2]
    received = queries.responses_received(campaign)
    rate = queries.response_rate(campaign, received)
    key = f"{state_key(campaign, current_look_size(campaign, received))}:{language}"
    results = cache.get(key)
    if results is None:
        results = _build(campaign, language, rate)
        key = f"{state_key(campaign, results.respondents)}:{language}"
        cache.set(key, results, CACHE_SECONDS)
    with translation.override(language):
        return replace(
            results,
            # The round's own names and dates are read live: they can change while the
            # figures stay the same.
            round=queries.round_info(campaign),
            received=received,
            response_rate=rate,
            look_note=presentation.look_note(
                respondents=results.respondents,
                received=received,
                step=results.step,
                final=results.final or not results.visible,
            ),
        )


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
