"""The data lifecycle: what is deleted when, and that nothing else goes with it.

The cast of tests/personas.py: carol is consultant of Bakkerij De Korenschoof, alice its HR;
bert is HR of Garage Van Dijk, chris its consultant; sam is staff. bob, the one extra persona,
is HR of both organisations.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import (
    Answer,
    Campaign,
    CampaignSummary,
    CampaignTeam,
    Invitation,
    Membership,
    OpenAnswer,
    Organisation,
    Response,
    SurveyDraft,
    Team,
    add_months,
)
from assessments.results import campaign_results
from assessments.retention import apply_retention
from assessments.services import close_round, delete_answers

from .factories import (
    add_teams,
    make_campaign,
    make_organisation,
    make_questionnaire,
    make_responses,
)
from .personas import make_bob

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 6, 15)


def test_add_months_clips_to_the_end_of_the_month():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 11, 15), 24) == dt.date(2027, 11, 15)
    assert add_months(dt.date(2025, 12, 1), 1) == dt.date(2026, 1, 1)


def _closed_round(organisation, questionnaire, *, closed_on, name, n=6, **fields):
    campaign, _ = make_campaign(
        organisation,
        questionnaire,
        name=name,
        opens_on=closed_on - dt.timedelta(days=20),
        closes_on=closed_on - dt.timedelta(days=1),
        teams=("Bakkerij",),
        **fields,
    )
    make_responses(campaign, n, seed=n, open_text="Meer overleg")
    Invitation.objects.create(campaign=campaign, email="jan@example.com", is_used=True)
    close_round(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(closed_on=closed_on)
    campaign.refresh_from_db()
    return campaign


def _state(campaign) -> tuple:
    return (
        Response.objects.filter(campaign=campaign).count(),
        Answer.objects.filter(response__campaign=campaign).count(),
        OpenAnswer.objects.filter(response__campaign=campaign).count(),
        CampaignSummary.objects.filter(campaign=campaign).count(),
        Invitation.objects.filter(campaign=campaign).count(),
        CampaignTeam.objects.filter(campaign=campaign).count(),
    )


@pytest.fixture
def rounds(cast):
    questionnaire = make_questionnaire(dimensions=2, items_per_dimension=3)
    bakery, garage = cast.bakery, cast.garage
    add_teams(bakery, "Bakkerij")
    expired = _closed_round(bakery, questionnaire, closed_on=dt.date(2025, 6, 14), name="2025")
    kept = _closed_round(bakery, questionnaire, closed_on=dt.date(2025, 6, 16), name="2025b")
    longer = _closed_round(
        garage, questionnaire, closed_on=dt.date(2024, 1, 10), name="2024", retention_months=48
    )
    short = _closed_round(
        garage, questionnaire, closed_on=dt.date(2027, 4, 1), name="2027", retention_months=2
    )
    # Interim results from 2k responses: an open round with a comparison to show.
    still_open, _ = make_campaign(
        bakery,
        questionnaire,
        name="open",
        teams=("Bakkerij",),
        interim_results=Campaign.Interim.ORGANISATION,
    )
    make_responses(still_open, 10, seed=3)
    return {
        "expired": expired,
        "kept": kept,
        "longer": longer,
        "short": short,
        "open": still_open,
    }


def test_closing_a_round_deletes_invitation_addresses_but_not_the_invitations(cast):
    campaign, _ = make_campaign(cast.bakery, make_questionnaire())
    for address in ("jan@example.com", "piet@example.com"):
        Invitation.objects.create(campaign=campaign, email=address)
    other, _ = make_campaign(cast.garage, make_questionnaire())
    Invitation.objects.create(campaign=other, email="dora@example.com")
    close_round(campaign)
    assert list(campaign.invitations.values_list("email", flat=True)) == ["", ""]
    assert list(other.invitations.values_list("email", flat=True)) == ["dora@example.com"]


def test_closing_a_round_deletes_its_answers_in_progress_only(cast):
    campaign, _ = make_campaign(cast.bakery, make_questionnaire())
    other, _ = make_campaign(cast.garage, make_questionnaire())
    SurveyDraft.objects.create(campaign=campaign, resume_code_hash="a" * 64)
    SurveyDraft.objects.create(campaign=other, resume_code_hash="b" * 64)
    close_round(campaign)
    assert list(SurveyDraft.objects.values_list("campaign", flat=True)) == [other.pk]


def test_retention_deletes_the_answers_of_rounds_past_their_period_and_nothing_else(rounds):
    before = {key: _state(c) for key, c in rounds.items()}
    report = apply_retention(today=TODAY)
    assert sorted(c.name for c, _ in report.rounds) == ["2025", "2027"]
    for key, campaign in rounds.items():
        if key in ("expired", "short"):
            # Responses, answers and open answers gone; summary, invitations, teams kept.
            assert _state(campaign) == (0, 0, 0, 1, *before[key][4:])
            campaign.refresh_from_db()
            assert campaign.answers_deleted_on == TODAY
        else:
            assert _state(campaign) == before[key], key
            campaign.refresh_from_db()
            assert campaign.answers_deleted_on is None
    assert {c.pk: n for c, n in report.rounds}[rounds["expired"].pk] == 6


def test_the_summary_survives_unchanged(rounds):
    summary = CampaignSummary.objects.get(campaign=rounds["expired"])
    apply_retention(today=TODAY)
    kept = CampaignSummary.objects.get(campaign=rounds["expired"])
    assert (kept.respondents, kept.data) == (summary.respondents, summary.data)


def test_a_missing_summary_is_made_before_the_answers_go(rounds):
    CampaignSummary.objects.filter(campaign=rounds["expired"]).delete()
    apply_retention(today=TODAY)
    summary = CampaignSummary.objects.get(campaign=rounds["expired"])
    assert summary.respondents == 6
    assert set(summary.data["dimensions"]) == {"D1", "D2"}


def test_running_retention_twice_deletes_nothing_more(rounds):
    apply_retention(today=TODAY)
    after = {key: _state(c) for key, c in rounds.items()}
    assert apply_retention(today=TODAY).rounds == []
    assert {key: _state(c) for key, c in rounds.items()} == after


def test_a_later_round_still_compares_with_a_round_whose_answers_are_deleted(rounds):
    apply_retention(today=TODAY)
    later = rounds["open"]
    results = campaign_results(later, "en")
    assert results.previous.campaign_id == rounds["kept"].pk
    delete_answers(rounds["kept"], TODAY)
    results = campaign_results(later, "en")
    assert results.previous.campaign_id == rounds["kept"].pk
    assert set(results.previous.dimensions) == {"D1", "D2"}


def test_a_deleted_round_says_when_its_answers_were_deleted(rounds):
    apply_retention(today=TODAY)
    rounds["expired"].refresh_from_db()
    results = campaign_results(rounds["expired"], "en")
    assert results.round.answers_deleted_on == TODAY
    assert results.visible is False


def test_answers_in_progress_are_deleted_after_survey_draft_days():
    campaign, _ = make_campaign(make_organisation(), make_questionnaire())
    old = SurveyDraft.objects.create(campaign=campaign, resume_code_hash="a" * 64)
    recent = SurveyDraft.objects.create(campaign=campaign, resume_code_hash="b" * 64)
    days = settings.SURVEY_DRAFT_DAYS
    SurveyDraft.objects.filter(pk=old.pk).update(updated_on=TODAY - dt.timedelta(days=days + 1))
    SurveyDraft.objects.filter(pk=recent.pk).update(updated_on=TODAY - dt.timedelta(days=days))
    report = apply_retention(today=TODAY)
    assert report.drafts == 1
    assert list(SurveyDraft.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_dry_run_deletes_nothing_and_says_what_it_would_delete(rounds):
    before = {key: _state(c) for key, c in rounds.items()}
    out = StringIO()
    call_command("apply_retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert f"round {rounds['expired'].pk} " in text and "would delete 6 responses" in text
    assert f"round {rounds['kept'].pk} " not in text
    assert {key: _state(c) for key, c in rounds.items()} == before


def test_the_command_deletes_and_warns_about_rounds_left_open(rounds):
    Campaign.objects.filter(pk=rounds["open"].pk).update(closes_on=TODAY - dt.timedelta(days=3))
    out = StringIO()
    call_command("apply_retention", "--today", TODAY.isoformat(), stdout=out)
    assert "deleted 6 responses" in out.getvalue()
    assert f"warning: round {rounds['open'].pk}" in out.getvalue()
    assert _state(rounds["expired"])[0] == 0


def test_the_command_explains_a_bad_date():
    with pytest.raises(CommandError, match="must be a date"):
        call_command("apply_retention", "--today", "15-06-2027")


def test_retention_months_must_be_at_least_one():
    from django.core.exceptions import ValidationError

    campaign, _ = make_campaign(make_organisation(), make_questionnaire())
    campaign.retention_months = 0
    with pytest.raises(ValidationError):
        campaign.full_clean()


# --- Deleting an organisation -------------------------------------------------------------


@pytest.fixture
def tenants(cast):
    questionnaire = make_questionnaire()
    bakery, garage = cast.bakery, cast.garage
    add_teams(bakery, "Bakkerij", "Winkel")
    add_teams(garage, "Werkplaats")
    bob = make_bob(cast)  # HR of the bakery who also works for the garage
    closed = _closed_round(bakery, questionnaire, closed_on=dt.date(2026, 1, 10), name="2026")
    current, _ = make_campaign(bakery, questionnaire, name="2027", teams=("Bakkerij",))
    make_responses(current, 7, seed=2)
    SurveyDraft.objects.create(campaign=current, resume_code_hash="c" * 64)
    garage_round = _closed_round(
        garage, questionnaire, closed_on=dt.date(2026, 2, 1), name="garage", n=5
    )
    return {"bob": bob, "rounds": [closed, current], "garage_round": garage_round}


def _url(organisation) -> str:
    return reverse("assessments:organisation_delete", kwargs={"pk": organisation.pk})


def test_the_confirmation_page_names_what_will_be_deleted(client, cast, tenants):
    client.force_login(cast.carol)
    response = client.get(_url(cast.bakery), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.rounds, summary.responses, summary.teams, summary.invitations) == (2, 13, 2, 1)
    assert summary.accounts_deleted == ["alice (HR manager)"]
    assert summary.accounts_losing_access == ["bob (HR manager)", "carol (Consultant)"]
    text = response.content.decode()
    for phrase in ("2 rounds", "13 responses", "2 teams", "alice (HR manager)", "bob"):
        assert phrase in text
    assert Organisation.objects.filter(pk=cast.bakery.pk).exists()


def test_a_wrong_name_deletes_nothing(client, cast, tenants):
    client.force_login(cast.carol)
    response = client.post(_url(cast.bakery), {"name": "Bakkerij"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert b"exactly as shown" in response.content
    assert Response.objects.filter(campaign__organisation=cast.bakery).count() == 13


def test_deleting_an_organisation_removes_its_data_and_nothing_else(client, cast, tenants):
    garage_before = _state(tenants["garage_round"])
    client.force_login(cast.carol)
    response = client.post(_url(cast.bakery), {"name": "Bakkerij De Korenschoof"})
    assert response.status_code == 302
    bakery_id = cast.bakery.pk
    assert not Organisation.objects.filter(pk=bakery_id).exists()
    assert not Campaign.objects.filter(organisation_id=bakery_id).exists()
    assert not Response.objects.filter(campaign__in=[c.pk for c in tenants["rounds"]]).exists()
    assert not CampaignSummary.objects.filter(campaign__in=[c.pk for c in tenants["rounds"]])
    assert not Team.objects.filter(organisation_id=bakery_id).exists()
    assert not SurveyDraft.objects.exists()
    assert Answer.objects.count() == garage_before[1]
    assert OpenAnswer.objects.count() == garage_before[2]
    # The garage is untouched, and so are its accounts (bob's too, who also served the
    # bakery) and the bakery's consultant, who keeps hers.
    assert _state(tenants["garage_round"]) == garage_before
    assert Team.objects.filter(organisation=cast.garage).count() == 1
    users = set(get_user_model().objects.values_list("username", flat=True))
    assert users == {"bert", "bob", "carol", "chris", "sam"}
    assert list(
        Membership.objects.filter(user__username="bob").values_list("organisation", flat=True)
    ) == [cast.garage.pk]


def test_staff_may_delete_an_organisation(client, cast, tenants):
    client.force_login(cast.sam)
    response = client.post(_url(cast.garage), {"name": "  Garage Van Dijk "})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=cast.garage.pk).exists()
    assert Organisation.objects.filter(pk=cast.bakery.pk).exists()


def test_hr_of_the_organisation_gets_403_with_a_reason(client, cast, tenants):
    client.force_login(cast.alice)
    for method in (client.get, client.post):
        response = method(
            _url(cast.bakery),
            {"name": "Bakkerij De Korenschoof"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 403
        assert b"consultant" in response.content
    assert Organisation.objects.filter(pk=cast.bakery.pk).exists()


def test_hr_of_another_organisation_gets_404(client, cast, tenants):
    client.force_login(cast.bert)
    response = client.post(_url(cast.bakery), {"name": "Bakkerij De Korenschoof"})
    assert response.status_code == 404
    assert Organisation.objects.filter(pk=cast.bakery.pk).exists()


# --- Privacy page ---------------------------------------------------------------------------


def test_the_privacy_page_names_the_retention_period(client):
    response = client.get(reverse("assessments:privacy"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b"24 months after the round closes" in response.content
