"""The scores stored with each response equal a fresh computation from its answers.

A response's answers (in item order) and per-dimension sums are stored on its own row when it
is sent, so the results read one row per respondent. They are derived data: these tests compare
them with scoring from the answers for generated respondents (n.v.t., the ⅔ rule, reverse
items), for whole rounds through the results, and after `rebuild_scores`.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import scoring
from assessments.models import Answer, Response
from assessments.results import build, campaign_results
from assessments.results.queries import content_labels, load_round, with_answers
from assessments.services import close_round

from .factories import make_campaign, make_organisation, make_questionnaire, make_responses

ITEMS = [
    scoring.ItemSpec(f"D{d}.{i}", f"D{d}", f"I{d}.{i % 2}", is_reversed=(i == 2))
    for d in (1, 2, 3)
    for i in range(1, d + 3)  # dimensions of 3, 4 and 5 statements: different ⅔ cut-offs
]
answer = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
respondent = st.fixed_dictionaries({spec.code: answer for spec in ITEMS})


# --- Pure --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=40))
def test_stored_sums_give_the_same_scores_and_coverage_as_the_answers(respondents):
    stored = [scoring.stored_scores(answers, ITEMS) for answers in respondents]
    codes = [spec.code for spec in ITEMS]
    assert [scoring.unpack_answers(s.packed, codes) for s in stored] == respondents
    sums = [scoring.parse_sums(s.sums_text()) for s in stored]
    assert sums == [s.sums for s in stored]
    assert scoring.score_table_from_sums(sums, ITEMS) == scoring.score_table(respondents, ITEMS)
    assert scoring.coverage_from_sums(sums, ITEMS) == scoring.dimension_coverage(respondents, ITEMS)


def test_a_statement_left_out_is_stored_apart_from_not_applicable():
    answers = {"D1.1": 4, "D1.2": None}  # D1.3 and the rest: not in the answers at all
    stored = scoring.stored_scores(answers, ITEMS)
    assert stored.packed.startswith("40-")
    assert scoring.unpack_answers(stored.packed, [s.code for s in ITEMS]) == answers


def test_an_answer_outside_the_scale_is_refused_before_it_is_stored():
    with pytest.raises(ValueError):
        scoring.stored_scores({"D1.1": 6}, ITEMS)


def test_stored_answers_that_do_not_fit_the_questionnaire_are_refused():
    with pytest.raises(ValueError):
        scoring.unpack_answers("123", [s.code for s in ITEMS])


# --- Rounds ------------------------------------------------------------------------------


def _random_round(seed: int):
    rng = random.Random(seed)
    questionnaire = make_questionnaire(
        dimensions=3,
        items_per_dimension=3,
        reversed_codes=("D1.2", "D3.1"),
        not_applicable_codes=("D2.2", "D2.3", "D3.3"),
    )
    teams = ("Bakkerij", "Winkel", "Bezorging")
    campaign, _ = make_campaign(make_organisation(f"Bakkerij {seed}"), questionnaire, teams=teams)
    by_name = {t.name: t for t in campaign.teams.all()}
    for number in range(rng.randint(12, 30)):
        blanks = {code: None for code in ("D2.2", "D2.3", "D3.3") if rng.random() < 0.3}
        make_responses(
            campaign,
            1,
            seed=seed * 100 + number,
            team=by_name[rng.choice(teams)],
            role=rng.choice(["employee", "manager"]),
            values=blanks,
        )
    close_round(campaign)
    return campaign


def _from_answers(campaign) -> dict[int, dict]:
    items = {item.pk: item.code for item in campaign.questionnaire.ordered_items()}
    answers: dict = {}
    for sequence, item_id, value in Answer.objects.filter(response__campaign=campaign).values_list(
        "response__sequence", "item_id", "value"
    ):
        answers.setdefault(sequence, {})[items[item_id]] = value
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_stored_row_of_a_random_round_equals_its_answers(seed):
    campaign = _random_round(seed)
    specs = [item.spec() for item in campaign.questionnaire.ordered_items()]
    answers = _from_answers(campaign)
    for response in Response.objects.filter(campaign=campaign):
        fresh = scoring.stored_scores(answers[response.sequence], specs)
        assert response.scores_version == scoring.STORED_VERSION
        assert (response.packed_answers, response.dimension_sums) == (
            fresh.packed,
            fresh.sums_text(),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 5])
def test_the_results_from_stored_rows_equal_the_results_from_the_answers(seed, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    campaign = _random_round(seed)
    stored = json.dumps(campaign_results(campaign, "nl").to_json(), sort_keys=True)
    # The same round built from the answers alone (no stored sums: scoring from scratch).
    data = load_round(campaign)
    data = with_answers(campaign, data, len(data.respondents))
    assert all(r.sums for r in data.respondents)
    bare = replace(data, respondents=[replace(r, sums=()) for r in data.respondents])
    plan = build.publication_plan(bare)
    rate = campaign_results(campaign, "nl").response_rate
    with translation.override("nl"):
        fresh = build.build_results(
            bare, plan, content_labels(campaign, "nl"), rate=rate, previous=None, benchmark=()
        )
        from_stored = build.build_results(
            data, plan, content_labels(campaign, "nl"), rate=rate, previous=None, benchmark=()
        )
    assert json.dumps(fresh.to_json(), sort_keys=True) == json.dumps(
        from_stored.to_json(), sort_keys=True
    )
    assert json.loads(stored)["dimensions"] == fresh.to_json()["dimensions"]


@pytest.mark.django_db
def test_rows_stored_before_scores_existed_are_rebuilt_when_the_results_are_read(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    campaign = _random_round(6)
    before = campaign_results(campaign, "nl").to_json()
    Response.objects.filter(campaign=campaign).update(
        packed_answers="", dimension_sums="", scores_version=0
    )
    assert campaign_results(campaign, "nl").to_json() == before
    assert not Response.objects.filter(campaign=campaign, scores_version=0).exists()


@pytest.mark.django_db
def test_the_rebuild_command_restores_every_row_and_says_how_many():
    campaign = _random_round(7)
    expected = dict(Response.objects.filter(campaign=campaign).values_list("pk", "dimension_sums"))
    Response.objects.filter(campaign=campaign).update(dimension_sums="0/0", scores_version=0)
    out = io.StringIO()
    call_command("rebuild_scores", stdout=out)
    assert f"{len(expected)} response" in out.getvalue()
    assert (
        dict(Response.objects.filter(campaign=campaign).values_list("pk", "dimension_sums"))
        == expected
    )
    out = io.StringIO()
    call_command("rebuild_scores", str(campaign.pk), stdout=out)
    assert "0 response" in out.getvalue()  # nothing stale left
    call_command("rebuild_scores", str(campaign.pk), "--all", stdout=out)
    assert f"{len(expected)} response" in out.getvalue().splitlines()[-1]


@pytest.mark.django_db
def test_the_rebuild_command_names_a_round_that_does_not_exist():
    with pytest.raises(CommandError, match="No round with id 999"):
        call_command("rebuild_scores", "999")
