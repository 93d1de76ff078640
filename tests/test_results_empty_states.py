"""Issue 13, item 7: the results page says why a comparison or benchmark is missing, and when
it will appear, instead of leaving them out without a word."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.scoring import BENCHMARK_MIN_ORGANISATIONS
from assessments.services import close_round

from .factories import make_campaign, make_organisation, make_questionnaire, make_responses

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_ui(settings):
    settings.LANGUAGE_CODE = "en"


def closed_round(organisation, questionnaire, *, name, days_ago: int, responses: int = 6):
    today = timezone.localdate()
    campaign, _ = make_campaign(
        organisation,
        questionnaire,
        name=name,
        opens_on=today - dt.timedelta(days=days_ago + 14),
        closes_on=today - dt.timedelta(days=days_ago),
    )
    make_responses(campaign, responses, seed=days_ago)
    close_round(campaign)
    return campaign


@pytest.fixture
def bakery(cast):
    """Bakkerij De Korenschoof and alice, its HR manager (tests/personas.py)."""
    return cast.bakery, cast.alice, make_questionnaire(dimensions=3, items_per_dimension=3)


def results_page(client, user, campaign) -> str:
    client.force_login(user)
    response = client.get(reverse("assessments:campaign_results", args=[campaign.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_first_round_says_when_the_comparison_and_the_benchmark_appear(client, bakery):
    organisation, alice, questionnaire = bakery
    campaign = closed_round(organisation, questionnaire, name="Nulmeting", days_ago=1)
    body = results_page(client, alice, campaign)
    assert 'id="comparison"' in body and 'href="#comparison"' in body
    assert "No comparison yet" in body
    assert "earlier round of Bakkerij De Korenschoof" in body
    assert "No benchmark yet" in body
    assert f"at least {BENCHMARK_MIN_ORGANISATIONS} other organisations" in body


def test_a_next_round_shows_the_comparison_and_still_explains_the_missing_benchmark(client, bakery):
    organisation, alice, questionnaire = bakery
    closed_round(organisation, questionnaire, name="Nulmeting", days_ago=60)
    campaign = closed_round(organisation, questionnaire, name="Vervolgmeting", days_ago=1)
    body = results_page(client, alice, campaign)
    assert "No comparison yet" not in body
    assert "Change since Nulmeting" in body
    assert "No benchmark yet" in body


def test_with_enough_other_organisations_the_benchmark_has_no_excuse(client, bakery):
    organisation, alice, questionnaire = bakery
    for n in range(BENCHMARK_MIN_ORGANISATIONS):
        other = make_organisation(f"Ander bedrijf {n}")
        closed_round(other, questionnaire, name=f"Meting {n}", days_ago=30 + n)
    campaign = closed_round(organisation, questionnaire, name="Nulmeting", days_ago=1)
    body = results_page(client, alice, campaign)
    assert "No benchmark yet" not in body
    assert 'id="table-benchmark"' in body


def test_the_explanations_are_in_dutch_too(client, bakery, settings):
    settings.LANGUAGE_CODE = "nl"
    organisation, alice, questionnaire = bakery
    campaign = closed_round(organisation, questionnaire, name="Nulmeting", days_ago=1)
    body = results_page(client, alice, campaign)
    assert "Nog geen vergelijking" in body and "Nog geen benchmark" in body
