"""The few ORM reads that feed the results: a fixed number per round, whatever its size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from django.db import connections
from django.db.models import Count, Q
from django.utils import translation

from .. import anonymity, presentation, scoring
from ..models import (
    Campaign,
    CampaignSummary,
    CampaignTeam,
    Contract,
    Dimension,
    Item,
    Membership,
    OpenAnswer,
    OpenQuestion,
    Organisation,
    Response,
    Role,
    Sector,
    Tenure,
)
from ..scoring import Stats
from .build import (
    DimensionText,
    Labels,
    Respondent,
    RoundInput,
    StoredSummary,
    stored_dimensions,
    stored_summary,
)
from .data import Recommendation, RoundInfo


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
    specs = [item.spec() for item in items]
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
    shown = Response.objects.filter(campaign=campaign, sequence__lte=last)
    # One row per respondent: the answers and dimension sums stored with each response.
    fields = ("sequence", "packed_answers", "dimension_sums", "scores_version")
    rows = list(_raw_rows(shown.order_by().values_list(*fields)))
    if any(version != scoring.STORED_VERSION for *_, version in rows):
        shown.rebuild_stored_scores()  # stored before they existed, or an older version
        rows = list(_raw_rows(shown.order_by().values_list(*fields)))
    codes = [spec.code for spec in data.item_specs]
    unpack, parse = scoring.unpack_answers, scoring.parse_sums
    answers = {sequence: unpack(packed, codes) for sequence, packed, _, _ in rows}
    sums = {sequence: parse(text) for sequence, _, text, _ in rows}
    open_texts: dict[int, dict[int, str]] = defaultdict(dict)
    for sequence, question_id, text in OpenAnswer.objects.filter(
        response__in=shown.values("pk")
    ).values_list("response__sequence", "question_id", "text"):
        open_texts[sequence][question_id] = text
    respondents = [
        replace(
            r,
            answers=answers.get(r.sequence, {}),
            sums=sums.get(r.sequence, ()),
            open_texts=open_texts.get(r.sequence, {}),
        )
        if i < up_to
        else r
        for i, r in enumerate(data.respondents)
    ]
    return replace(data, respondents=respondents)


def previous_summary(campaign: Campaign) -> StoredSummary | None:
    """The organisation's latest closed round before this one, on the same questionnaire."""
    summary = (
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
    if summary is None:
        return None
    return stored_summary(
        summary.campaign_id,
        summary.campaign.name,
        summary.respondents,
        summary.data,
        summary.campaign.threshold,
    )


def benchmark_summaries(campaign: Campaign) -> list[tuple[str, dict[str, Stats]]]:
    """(sector, dimension figures) of every other organisation's latest closed round.

    Organisations that share an HR manager or consultant with this one are left out: a
    consultant who made test organisations of their own could otherwise set the other
    points of the quartiles and read a real organisation's figure off the median.
    """
    related = Organisation.objects.filter(
        memberships__user__in=Membership.objects.filter(
            organisation_id=campaign.organisation_id
        ).values("user_id")
    ).values("pk")
    rows = (
        CampaignSummary.objects.filter(
            campaign__questionnaire_id=campaign.questionnaire_id,
            campaign__status=Campaign.Status.CLOSED,
        )
        .exclude(campaign__organisation_id=campaign.organisation_id)
        .exclude(campaign__organisation_id__in=related)
        .order_by("campaign__organisation_id", "-campaign__closes_on", "-campaign_id")
        .values_list(
            "campaign__organisation_id",
            "campaign__organisation__sector",
            "data",
            "campaign__threshold",
        )
    )
    latest: dict[int, tuple[str, dict[str, Stats]]] = {}
    for organisation_id, sector, data, threshold in rows:
        if organisation_id not in latest:
            latest[organisation_id] = (sector, stored_dimensions(data, threshold))
    return list(latest.values())


def response_rate(campaign: Campaign, received: int) -> presentation.ResponseRate:
    """The round's response rate by the one rule of ``presentation.response_rate``."""
    invitations = campaign.invitations.aggregate(
        sent=Count("pk", filter=Q(sent_on__isnull=False)),
        used=Count("pk", filter=Q(is_used=True)),
    )
    return presentation.response_rate(
        received=received,
        headcount=campaign.expected_respondents,
        team_sizes=list(campaign.teams.values_list("size", flat=True)),
        invitations_sent=invitations["sent"],
        invitations_used=invitations["used"],
    )


def round_info(campaign: Campaign) -> RoundInfo:
    return RoundInfo(
        id=campaign.pk,
        name=campaign.name,
        organisation=campaign.organisation.name,
        opens_on=campaign.opens_on,
        closes_on=campaign.closes_on,
        status=campaign.status,
        answers_deleted_on=campaign.answers_deleted_on,
    )


def content_labels(campaign: Campaign, language: str) -> Labels:
    """The words of the round's results in ``language``: content and group names."""
    with translation.override(language):
        dimensions = list(
            Dimension.objects.filter(questionnaire_id=campaign.questionnaire_id).prefetch_related(
                "indicators", "items", "recommendations"
            )
        )
        team_names = dict(CampaignTeam.objects.filter(campaign=campaign).values_list("pk", "name"))
        return Labels(
            language=language,
            round=round_info(campaign),
            dimensions={
                d.code: DimensionText(
                    d.name,
                    d.short_name,
                    d.explanation,
                    tuple(Recommendation(r.title, r.body) for r in d.recommendations.all()),
                )
                for d in dimensions
            },
            indicators={
                str(i.pk): (i.plain_name, i.name) for d in dimensions for i in d.indicators.all()
            },
            items={i.code: i.text for d in dimensions for i in d.items.all()},
            groups={
                "team": {str(pk): name for pk, name in team_names.items()},
                "role": {value: str(label) for value, label in Role.choices},
                "tenure": {value: str(label) for value, label in Tenure.choices},
                "contract": {value: str(label) for value, label in Contract.choices},
                anonymity.LEADERSHIP: {
                    key: presentation.comparison_label(key)
                    for key in (anonymity.LEADERSHIP, anonymity.EMPLOYEES)
                },
            },
            questions={
                q.code: q.text
                for q in OpenQuestion.objects.filter(questionnaire_id=campaign.questionnaire_id)
            },
            sector_label=str(dict(Sector.choices).get(campaign.organisation.sector, "")),
        )
