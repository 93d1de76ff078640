"""Alice (HR of Bakkerij De Korenschoof) and carol (its consultant) read a round's dashboard;
bert (HR of Garage Van Dijk, another organisation) may not. The cast: tests/personas.py."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext

from assessments.charts import plotly as charts
from assessments.models import Campaign
from assessments.presentation import reason_text
from assessments.results import campaign_results
from assessments.services import close_round

from .factories import make_campaign, make_questionnaire, make_responses

pytestmark = pytest.mark.django_db

ITEMS = [f"D{d}.{i}" for d in (1, 2, 3) for i in (1, 2, 3)]
# Bezorging (2 people) answers in a way no other group does, so its means are distinctive.
HIDDEN_VALUES = {"D1.1": 1, "D1.2": 1, "D1.3": 2, "D2.1": 2, "D2.2": 2, "D2.3": 1}


@pytest.fixture
def questionnaire():
    return make_questionnaire(dimensions=3, items_per_dimension=3)


@pytest.fixture
def bakery_round(cast, questionnaire):
    campaign, _ = make_campaign(
        cast.bakery,
        questionnaire,
        teams=("Bakkerij", "Winkel", "Bezorging"),
        expected_respondents=30,
    )
    teams = {t.name: t for t in campaign.teams.all()}
    make_responses(campaign, 4, team=teams["Bakkerij"], values=dict.fromkeys(ITEMS, 4))
    make_responses(
        campaign, 4, team=teams["Bakkerij"], values=dict.fromkeys(ITEMS, 5), open_text="Meer uitleg"
    )
    make_responses(campaign, 3, team=teams["Winkel"], values=dict.fromkeys(ITEMS, 3))
    make_responses(
        campaign, 4, team=teams["Winkel"], values=dict.fromkeys(ITEMS, 4), open_text="Goed team"
    )
    make_responses(
        campaign, 2, team=teams["Bezorging"], values={**dict.fromkeys(ITEMS, 2), **HIDDEN_VALUES}
    )
    close_round(campaign)
    return campaign


def dashboard(client, user, campaign, **params):
    client.force_login(user)
    with translation.override("nl"):
        url = reverse("assessments:campaign_results", args=[campaign.pk])
        return client.get(url, params, HTTP_ACCEPT_LANGUAGE="nl")


def group_means(answer_rows: list[dict[str, int]]) -> list[float]:
    """The dimension means of a group, computed here by hand (no reverse items, no n.v.t.)."""
    means = []
    for d in (1, 2, 3):
        scores = [sum(row[f"D{d}.{i}"] for i in (1, 2, 3)) / 3 for row in answer_rows]
        means.append(sum(scores) / len(scores))
    return means


def formatted(values: list[float]) -> set[str]:
    out = set()
    for value in values:
        out.add(f"{value:.2f}")
        with translation.override("nl"):
            out.add(number_format(round(value, 2), 2))
    return out


def test_hr_of_the_organisation_sees_the_dashboard(client, cast, bakery_round):
    response = dashboard(client, cast.alice, bakery_round)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-data"' in html
    for name in ("Dimensie 1", "Dimensie 2", "Dimensie 3"):
        assert name in html


def test_the_consultant_of_the_organisation_sees_the_dashboard(client, cast, bakery_round):
    assert dashboard(client, cast.carol, bakery_round).status_code == 200


def test_hr_of_another_organisation_gets_404(client, cast, bakery_round):
    assert dashboard(client, cast.bert, bakery_round).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, bakery_round):
    response = client.get(reverse("assessments:campaign_results", args=[bakery_round.pk]))
    assert response.status_code == 302


def test_below_the_threshold_the_dashboard_explains_when_results_appear(
    client, cast, questionnaire
):
    campaign, _ = make_campaign(cast.bakery, questionnaire, threshold=5)
    make_responses(campaign, 4, values=dict.fromkeys(ITEMS, 1))
    close_round(campaign)
    response = dashboard(client, cast.alice, campaign)
    html = response.content.decode()
    assert response.status_code == 200
    with translation.override("nl"):
        assert gettext("Too few responses") in html
    assert "chart-data" not in html and "plotly" not in html
    assert "Dimensie 1" not in html
    assert number_format(1.0, 2) not in html


def test_a_suppressed_team_shows_too_few_responses_and_its_numbers_appear_nowhere(
    client, cast, bakery_round
):
    response = dashboard(client, cast.alice, bakery_round, by="team")
    html = response.content.decode()
    results = campaign_results(bakery_round, "nl")
    team = results.breakdowns["team"]
    hidden = {g.label: g.reason for g in team.suppressed}
    # 17 respondents: Bezorging is too small, and showing Bakkerij and Winkel would give it
    # away by subtraction. Both get the same reason: which rule hid which would tell their
    # sizes apart.
    assert hidden == {"Bezorging": "hidden", "Winkel": "hidden"}
    with translation.override("nl"):
        not_shown = gettext("not shown")
        reasons = {name: reason_text(code, 5) for name, code in hidden.items()}
        figure = json.dumps(charts.heatmap_figure(results, "team"), ensure_ascii=False)
    rows = dict(
        re.findall(
            r'<tr class="suppressed-row" data-suppressed="[^"]+">'
            r'<th scope="row">([^<]+)</th>(.*?)</tr>',
            html,
            re.S,
        )
    )
    assert rows.keys() == {"Winkel", "Bezorging"}
    for name, row in rows.items():
        assert not_shown in row and reasons[name] in row
    assert not_shown in figure

    bezorging = [{**dict.fromkeys(ITEMS, 2), **HIDDEN_VALUES}] * 2
    winkel = [dict.fromkeys(ITEMS, 3)] * 3 + [dict.fromkeys(ITEMS, 4)] * 4
    hidden_numbers = formatted(group_means(bezorging)) | formatted(group_means(winkel))
    shown_numbers = formatted(
        [v for d in results.dimensions for v in (d.mean, d.ci_low, d.ci_high)]
        + [i.mean for d in results.dimensions for i in d.items]
    )
    assert not hidden_numbers & shown_numbers, "test data must keep hidden means distinctive"
    for number in hidden_numbers:
        assert number not in html, number


def test_the_numbers_on_the_page_equal_campaign_results(client, cast, bakery_round):
    html = dashboard(client, cast.alice, bakery_round).content.decode()
    results = campaign_results(bakery_round, "nl")
    with translation.override("nl"):
        for dim in results.dimensions:
            shown = dict(
                re.findall(rf'data-dimension="{dim.code}" data-field="(\w+)">([^<]+)<', html)
            )
            assert shown["mean"] == number_format(dim.mean, 2)
            assert shown["pct_positive"] == f"{dim.pct_positive}%"
            assert shown["pct_negative"] == f"{dim.pct_negative}%"
        assert f'data-kpi="received">{results.received}<' in html
        assert f'data-kpi="response-rate">{results.response_rate.percent}%<' in html
        assert f'data-kpi="overall">{number_format(results.overall_index, 2)}<' in html
    figures = json.loads(re.search(r'id="chart-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    radar = figures["chart-radar"]["data"][0]["r"]
    assert radar[:-1] == [d.mean for d in results.dimensions]


def test_the_page_works_without_javascript(client, cast, bakery_round):
    html = dashboard(client, cast.alice, bakery_round, by="team").content.decode()
    for table in ("table-radar", "table-bands", "table-distribution", "table-heatmap"):
        assert f'id="{table}"' in html
    # Tables start open; the script folds them once their chart is drawn.
    assert html.count('<details class="chart-table" open>') >= 4
    assert "<script>" not in html and "onclick" not in html


def test_an_unknown_grouping_gets_a_note_and_another_grouping(client, cast, bakery_round):
    response = dashboard(client, cast.alice, bakery_round, by="shoe_size")
    assert response.status_code == 200
    with translation.override("nl"):
        assert gettext("That grouping is not available for this round; showing another one.") in (
            response.content.decode()
        )


def test_an_attention_point_shows_its_recommendations(client, cast, questionnaire):
    campaign, _ = make_campaign(cast.bakery, questionnaire)
    make_responses(campaign, 5, values={**dict.fromkeys(ITEMS, 4), "D2.1": 1, "D2.2": 2, "D2.3": 1})
    close_round(campaign)
    html = dashboard(client, cast.alice, campaign).content.decode()
    assert 'data-attention="D2"' in html and 'data-attention="D1"' not in html
    assert "Advies 2.1" in html and "Advies 1.1" not in html


def test_the_plotly_bundle_loads_only_on_the_dashboard(client, cast, bakery_round):
    html = dashboard(client, cast.alice, bakery_round).content.decode()
    assert "vendor/plotly/plotly-custom.min.js" in html
    assert "js/dashboard.js" in html
    _, token = make_campaign(bakery_round.organisation, bakery_round.questionnaire)
    client.logout()
    survey = client.get(reverse("assessments:survey_entry", args=[token]), follow=True)
    assert survey.status_code == 200
    assert "plotly" not in survey.content.decode()


@pytest.mark.parametrize("count", [10, 200])
def test_the_dashboard_needs_a_fixed_number_of_queries(
    client, cast, questionnaire, count, django_assert_max_num_queries
):
    campaign, _ = make_campaign(cast.bakery, questionnaire, teams=("Bakkerij", "Winkel"))
    team = campaign.teams.first()
    make_responses(campaign, count, team=team, role="employee", open_text="Prima")
    close_round(campaign)
    client.force_login(cast.alice)
    url = reverse("assessments:campaign_results", args=[campaign.pk])
    # Session, user, round, then campaign_results (cold cache), then one query each for the
    # management view, the round's plan and an earlier round's plan: the same for any N.
    with django_assert_max_num_queries(31):
        assert client.get(url, {"by": "team"}).status_code == 200


def test_alice_finds_the_pdf_and_aggregate_downloads_but_not_the_response_file(
    client, cast, bakery_round
):
    client.force_login(cast.alice)
    html = client.get(reverse("assessments:campaign_results", args=[bakery_round.pk])).content
    html = html.decode()
    assert reverse("assessments:campaign_report", args=[bakery_round.pk]) + "?lang=nl" in html
    assert reverse("assessments:campaign_report", args=[bakery_round.pk]) + "?lang=en" in html
    assert reverse("assessments:export_aggregate", args=[bakery_round.pk, "xlsx"]) in html
    assert reverse("assessments:export_responses", args=[bakery_round.pk, "xlsx"]) not in html


def test_carol_the_consultant_gets_the_response_file_once_the_round_is_closed(
    client, cast, questionnaire
):
    # Interim results are shown while the round is open, but no response file.
    bakery_round, _ = make_campaign(
        cast.bakery, questionnaire, interim_results=Campaign.Interim.ORGANISATION
    )
    make_responses(bakery_round, 17)
    client.force_login(cast.carol)
    url = reverse("assessments:campaign_results", args=[bakery_round.pk])
    export = reverse("assessments:export_responses", args=[bakery_round.pk, "csv"])
    html = client.get(url).content.decode()
    assert 'data-kpi="overall"' in html and export not in html
    close_round(bakery_round)
    assert export in client.get(url).content.decode()
