"""Alice (HR of Bakkerij De Korenschoof) reads the results of a round."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import Campaign
from assessments.results import campaign_results
from assessments.services import close_round

from .factories import make_campaign, make_organisation, make_questionnaire, make_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def bakery_round():
    questionnaire = make_questionnaire(
        dimensions=2, items_per_dimension=3, reversed_codes=("D1.2",)
    )
    campaign, _ = make_campaign(
        make_organisation(), questionnaire, teams=("Bakkerij", "Winkel", "Bezorging")
    )
    teams = {t.name: t for t in campaign.teams.all()}
    make_responses(
        campaign, 8, seed=1, team=teams["Bakkerij"], role="employee", open_text="Meer overleg"
    )
    make_responses(campaign, 6, seed=2, team=teams["Winkel"], role="manager")
    make_responses(campaign, 2, seed=3, team=teams["Bezorging"], role="employee")
    close_round(campaign)
    return campaign


def test_no_results_are_shown_below_the_threshold():
    campaign, _ = make_campaign(make_organisation(), make_questionnaire())
    make_responses(campaign, 4)
    close_round(campaign)
    results = campaign_results(campaign)
    assert results.visible is False
    assert results.dimensions == () and results.breakdowns == {}


def test_a_team_below_the_threshold_and_its_complement_are_hidden(bakery_round):
    results = campaign_results(bakery_round, "nl")
    team = results.breakdowns["team"]
    shown = {g.label: g.n for g in team.groups}
    hidden = {g.label: g.reason for g in team.suppressed}
    # 16 respondents, Bezorging has 2: showing both other teams would reveal it by subtraction,
    # so the larger of the two is shown and the other hidden with it. Both get one reason.
    assert shown == {"Bakkerij": 8}
    assert hidden == {"Winkel": "hidden", "Bezorging": "hidden"}


def test_campaign_results_json_equals_the_results_structure(bakery_round):
    out = StringIO()
    call_command("campaign_results", str(bakery_round.pk), "--json", stdout=out)
    assert json.loads(out.getvalue()) == json.loads(
        json.dumps(campaign_results(bakery_round, "nl").to_json())
    )


def test_reverse_items_are_scored_six_minus_the_answer():
    questionnaire = make_questionnaire(
        dimensions=1, items_per_dimension=3, reversed_codes=("D1.3",)
    )
    campaign, _ = make_campaign(make_organisation(), questionnaire)
    make_responses(campaign, 5, values={"D1.1": 4, "D1.2": 5, "D1.3": 1})
    close_round(campaign)
    dim = campaign_results(campaign).dimensions[0]
    assert dim.mean == round((4 + 5 + (6 - 1)) / 3, 2)
    assert dim.pct_negative == 0


def test_closing_a_round_keeps_a_summary_for_the_next_comparison(bakery_round):
    assert bakery_round.summary.respondents == 16
    assert Campaign.objects.get(pk=bakery_round.pk).status == "closed"


def test_where_the_spread_is_hidden_the_band_follows_the_mean_alone():
    # Half of every answer is negative (the band's rule would say "attention point" by that
    # share alone), but two people answered "n.v.t." on D1.4, so the statements and the
    # spread are hidden: the band must not tell that share either.
    questionnaire = make_questionnaire(
        dimensions=1, items_per_dimension=4, not_applicable_codes=("D1.4",)
    )
    campaign, _ = make_campaign(make_organisation(), questionnaire)
    make_responses(campaign, 12, values={"D1.1": 1, "D1.2": 5, "D1.3": 5, "D1.4": 2})
    make_responses(campaign, 2, values={"D1.1": 1, "D1.2": 5, "D1.3": 5, "D1.4": None})
    close_round(campaign)
    dim = campaign_results(campaign, "nl").dimensions[0]
    assert not dim.statements_shown and dim.pct_negative is None
    assert 3.0 <= dim.mean < 3.5
    assert dim.band == "vulnerable"
