"""Small builders for test data; tests never load the full questionnaire dump."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    Answer,
    Campaign,
    CampaignTeam,
    Dimension,
    Indicator,
    Item,
    Membership,
    OpenAnswer,
    OpenQuestion,
    Organisation,
    Questionnaire,
    Recommendation,
    Response,
    Team,
)

_seq = itertools.count(1)


def make_questionnaire(
    *,
    dimensions: int = 2,
    items_per_dimension: int = 3,
    reversed_codes: tuple[str, ...] = (),
    not_applicable_codes: tuple[str, ...] = (),
    open_questions: int = 1,
) -> Questionnaire:
    n = next(_seq)
    questionnaire = Questionnaire.objects.create(
        code=f"test-{n}", version=1, name_nl=f"Testlijst {n}", name_en=f"Test list {n}"
    )
    for d in range(1, dimensions + 1):
        dimension = Dimension.objects.create(
            questionnaire=questionnaire,
            code=f"D{d}",
            position=d,
            name_nl=f"Dimensie {d}",
            name_en=f"Dimension {d}",
            short_name_nl=f"Dim {d}",
            short_name_en=f"Dim {d}",
            explanation_nl=f"Uitleg bij dimensie {d}.",
            explanation_en=f"Explanation of dimension {d}.",
        )
        indicator = Indicator.objects.create(
            dimension=dimension, position=1, name_nl=f"Indicator {d}", name_en=f"Indicator {d}"
        )
        for i in range(1, items_per_dimension + 1):
            code = f"D{d}.{i}"
            Item.objects.create(
                dimension=dimension,
                indicator=indicator,
                code=code,
                position=i,
                text_nl=f"Stelling {code}",
                text_en=f"Statement {code}",
                is_reversed=code in reversed_codes,
                allows_not_applicable=code in not_applicable_codes,
            )
        for r in range(1, 4):
            Recommendation.objects.create(
                dimension=dimension,
                position=r,
                title_nl=f"Advies {d}.{r}",
                title_en=f"Advice {d}.{r}",
                body_nl="Doe dit.",
                body_en="Do this.",
            )
    for q in range(1, open_questions + 1):
        OpenQuestion.objects.create(
            questionnaire=questionnaire,
            code=f"O{q}",
            position=q,
            text_nl=f"Open vraag {q}?",
            text_en=f"Open question {q}?",
        )
    return questionnaire


def make_user(username: str, *, is_staff: bool = False, password: str = "password"):  # noqa: S107
    return get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password=password,
        is_staff=is_staff,
    )


def make_organisation(name: str = "Bakkerij De Korenschoof", *, teams: tuple[str, ...] = ()):
    organisation = Organisation.objects.create(name=name, sector="trade", size_band="10-49")
    add_teams(organisation, *teams)
    return organisation


def add_teams(organisation: Organisation, *names: str) -> list[Team]:
    return [Team.objects.create(organisation=organisation, name=name) for name in names]


def add_member(user, organisation, role: str = Membership.Role.HR) -> Membership:
    return Membership.objects.create(user=user, organisation=organisation, role=role)


def make_campaign(
    organisation: Organisation,
    questionnaire: Questionnaire,
    *,
    status: str = Campaign.Status.OPEN,
    threshold: int = 5,
    name: str = "Meting voorjaar",
    teams: tuple[str, ...] = (),
    **fields,
) -> tuple[Campaign, str]:
    """Returns the campaign and its (otherwise unrecoverable) link token."""
    today = timezone.localdate()
    campaign = Campaign(
        organisation=organisation,
        questionnaire=questionnaire,
        name=name,
        status=status,
        threshold=threshold,
        opens_on=fields.pop("opens_on", today - dt.timedelta(days=7)),
        closes_on=fields.pop("closes_on", today + dt.timedelta(days=14)),
        **fields,
    )
    token = campaign.set_link_token()
    campaign.save()
    for position, team in enumerate(teams):
        CampaignTeam.objects.create(campaign=campaign, name=team, position=position)
    return campaign, token


def make_responses(
    campaign: Campaign,
    count: int,
    *,
    seed: int = 1,
    team: CampaignTeam | None = None,
    role: str = "",
    values: dict[str, int | None] | None = None,
    open_text: str | None = None,
) -> list[Response]:
    """Stores `count` complete responses; `values` fixes answers by item code."""
    rng = random.Random(seed)
    items = campaign.questionnaire.ordered_items()
    questions = list(campaign.questionnaire.open_questions.all())
    # next_sequence locks the round's row, which needs a transaction (live_server tests run
    # outside the test's own transaction).
    specs = [item.spec() for item in items]
    per_response = [
        {
            item.code: values[item.code] if values and item.code in values else rng.randint(1, 5)
            for item in items
        }
        for _ in range(count)
    ]
    with transaction.atomic():
        first = Response.objects.next_sequence(campaign)
        responses = []
        for i, given in enumerate(per_response):
            response = Response(campaign=campaign, sequence=first + i, team=team, role=role)
            response.set_stored_scores(given, specs)  # as a real send does
            responses.append(response)
        Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(
        Answer(response=response, item=item, value=given[item.code])
        for response, given in zip(responses, per_response, strict=True)
        for item in items
    )
    if open_text is not None and questions:
        OpenAnswer.objects.bulk_create(
            OpenAnswer(response=r, question=questions[0], text=open_text) for r in responses
        )
    return responses


def make_management_response(
    campaign: Campaign,
    name: str,
    *,
    role: str = "director",
    values: dict[str, int | None] | None = None,
    estimates: dict[str, float] | None = None,
    default: int = 4,
):
    """A sent management response: every statement answered (``values`` by item code, else
    ``default``), with the estimates given (dimension code → 1.0–5.0)."""
    from decimal import Decimal

    from assessments.models import (
        ManagementAnswer,
        ManagementEstimate,
        ManagementResponse,
        ManagementView,
    )

    view, _ = ManagementView.objects.get_or_create(campaign=campaign)
    response = ManagementResponse.objects.create(
        view=view, name=name, role=role, submitted_at=timezone.now()
    )
    ManagementAnswer.objects.bulk_create(
        ManagementAnswer(
            response=response,
            item=item,
            value=values[item.code] if values and item.code in values else default,
        )
        for item in campaign.questionnaire.ordered_items()
    )
    dimensions = {d.code: d for d in campaign.questionnaire.dimensions.all()}
    ManagementEstimate.objects.bulk_create(
        ManagementEstimate(response=response, dimension=dimensions[code], value=Decimal(str(v)))
        for code, v in (estimates or {}).items()
    )
    return response
