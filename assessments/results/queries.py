"""The few ORM reads that feed the results: a fixed number per round, whatever its size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from django.db import connections

from ..models import (
    Answer,
    Campaign,
    CampaignSummary,
    Contract,
    Item,
    OpenAnswer,
    OpenQuestion,
    Response,
    Role,
    Tenure,
)
from ..scoring import ItemSpec
from .build import Respondent, RoundInput


def _raw_rows(queryset, chunk_size: int = 20000):
    """The rows of a values_list() queryset as the database driver returns them."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def responses_received(campaign: Campaign) -> int:
    """Responses stored for the round: the live count (it holds no figure of any answer)."""
    return Response.objects.filter(campaign=campaign).count()


def group_orders(campaign: Campaign) -> dict[str, list[str]]:
    """Per segment question, its answer values in display order (teams: their ids)."""
    return {
        "team": [str(pk) for pk in campaign.teams.values_list("pk", flat=True)],
        "role": list(Role.values),
        "tenure": list(Tenure.values),
        "contract": list(Contract.values),
    }


def load_round(campaign: Campaign) -> RoundInput:
    """Every response's segment answers, in submission order; no answers yet (see with_answers)."""
    items = list(
        Item.objects.filter(dimension__questionnaire_id=campaign.questionnaire_id)
        .select_related("dimension")
        .order_by("dimension__position", "position")
    )
    specs = [
        ItemSpec(item.code, item.dimension.code, str(item.indicator_id), item.is_reversed)
        for item in items
    ]
    respondents = [
        Respondent(
            answers={},
            team=str(team_id) if team_id else None,
            role=role or None,
            tenure=tenure or None,
            contract=contract or None,
            sequence=sequence,
        )
        for sequence, team_id, role, tenure, contract in _raw_rows(
            Response.objects.filter(campaign=campaign)
            .order_by("sequence")
            .values_list("sequence", "team_id", "role", "tenure", "contract")
        )
    ]
    open_questions = [
        (question.pk, question.code)
        for question in OpenQuestion.objects.filter(questionnaire_id=campaign.questionnaire_id)
    ]
    return RoundInput(
        campaign_id=campaign.pk,
        threshold=campaign.threshold,
        open_answer_threshold=campaign.open_answer_threshold,
        interim=campaign.interim_results,
        closed=campaign.status == Campaign.Status.CLOSED,
        asked=tuple(campaign.segment_questions()),
        group_orders=group_orders(campaign),
        item_specs=specs,
        respondents=respondents,
        open_questions=open_questions,
    )


def with_answers(campaign: Campaign, data: RoundInput, up_to: int) -> RoundInput:
    """``data`` with the answers and open answers of its first ``up_to`` respondents.

    Responses are stored whole and never change, and later ones get higher numbers, so the
    first ``up_to`` are the same respondents ``load_round`` read, even if more arrived since.
    """
    if not up_to:
        return data
    last = data.respondents[up_to - 1].sequence
    code_by_id = dict(
        Item.objects.filter(dimension__questionnaire_id=campaign.questionnaire_id).values_list(
            "pk", "code"
        )
    )
    shown = Response.objects.filter(campaign=campaign, sequence__lte=last)
    answers: dict[int, dict[str, int | None]] = defaultdict(dict)
    # Plain rows: on SQLite a UUID object per answer cost seconds for 10,000-response rounds.
    for sequence, item_id, value in _raw_rows(
        Answer.objects.filter(response__in=shown.values("pk")).values_list(
            "response__sequence", "item_id", "value"
        )
    ):
        answers[sequence][code_by_id[item_id]] = value
    open_texts: dict[int, dict[int, str]] = defaultdict(dict)
    for sequence, question_id, text in OpenAnswer.objects.filter(
        response__in=shown.values("pk")
    ).values_list("response__sequence", "question_id", "text"):
        open_texts[sequence][question_id] = text
    respondents = [
        replace(r, answers=answers.get(r.sequence, {}), open_texts=open_texts.get(r.sequence, {}))
        if i < up_to
        else r
        for i, r in enumerate(data.respondents)
    ]
    return replace(data, respondents=respondents)


def previous_summary(campaign: Campaign) -> CampaignSummary | None:
    """The organisation's latest closed round before this one, on the same questionnaire."""
    return (
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


def benchmark_summaries(campaign: Campaign) -> list[tuple[str, dict]]:
    """(sector, summary data) of every other organisation's latest closed round."""
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
    return list(latest.values())
