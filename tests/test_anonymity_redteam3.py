"""Red-team round 3: the outputs of issue 12 (management view, gaps, estimates, action plan,
"since the plan", dialogue kit and the exports that carry them).

Every test plays HR (alice) or the consultant (carol) with a spreadsheet: she downloads what
her role may download (dashboard, aggregated XLSX, the plan's XLSX, ``campaign_results
--json``, the dialogue kit, the response-level file), may answer the management view herself
(she hands out that link), and asserts that she recovers NO figure about fewer than k
employees. A test passes when the app is safe and fails, with the recovered figure in its
message, when it leaks.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import statistics

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import dialogue, improvement, reports, scoring
from assessments.models import ActionPlan, Campaign, CampaignSummary, PlanAction
from assessments.results import campaign_results
from assessments.services import close_round

from .attacker import by, download
from .factories import (
    make_campaign,
    make_management_response,
    make_questionnaire,
    make_responses,
)

pytestmark = pytest.mark.django_db

K = 5
D1 = ["D1.1", "D1.2", "D1.3"]


# --- Helpers -------------------------------------------------------------------------------


def as_json(campaign: Campaign) -> dict:
    out = io.StringIO()
    call_command("campaign_results", str(campaign.pk), "--json", stdout=out)
    return json.loads(out.getvalue())


def dashboard(user, campaign: Campaign) -> str:
    client = Client()
    client.force_login(user)
    page = client.get(
        reverse("assessments:campaign_results", args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    return page.content.decode()


def published_dimension_means(campaign: Campaign) -> dict[str, float | None]:
    return {d["code"]: d["mean"] for d in as_json(campaign)["dimensions"]}


def published_item_means(campaign: Campaign) -> dict[str, float | None]:
    return {i["code"]: i["mean"] for d in as_json(campaign)["dimensions"] for i in d["items"]}


def na_round(organisation, questionnaire, *, scored: int, others: int, name: str, **fields):
    """A closed round where only ``scored`` people have a D1 score: the ``others`` answer
    "n.v.t." on D1.2 and D1.3 (one valid D1 answer of three is below the ⅔ rule)."""
    campaign, _ = make_campaign(
        organisation, questionnaire, name=name, ask_team=False, ask_role=False, **fields
    )
    make_responses(campaign, others, seed=2, values={"D1.2": None, "D1.3": None})
    few = make_responses(campaign, scored, seed=5, values={"D1.1": 1, "D1.2": 1, "D1.3": 2})
    close_round(campaign)
    return campaign, few


def plan_on(campaign: Campaign, *codes: str) -> ActionPlan:
    plan = ActionPlan.objects.create(campaign=campaign)
    plan.focus.set(campaign.questionnaire.dimensions.filter(code__in=codes))
    today = timezone.localdate()
    for code in codes:
        PlanAction.objects.create(
            plan=plan,
            dimension=campaign.questionnaire.dimensions.get(code=code),
            title=f"Actie {code}",
            owner="Alice",
            starts_on=today,
            due_on=today + dt.timedelta(days=30),
        )
    return plan


def rows_as_multiset(sheets: dict) -> dict:
    """The response file's sheets with the rows' order (shuffled per download) and running
    number left out."""
    return {
        name: sorted(repr(sorted((k, v) for k, v in row.items() if k != "row")) for row in rows)
        for name, rows in sheets.items()
    }


# --- 1. Legacy kept summary of the plan's round ------------------------------------------


def test_since_the_plan_does_not_read_a_hidden_dimension_from_an_old_kept_summary(cast):
    """HR, default settings. Round 1 closed before red-team round 1 (commit c359542): its
    kept summary holds every dimension, also D1 on the two people who are the only ones with a
    D1 score (the other eight said "n.v.t."), and no "threshold" key. The dashboard of
    round 1 hides D1 (n = 2), and round 2's comparison with the previous round reads the kept
    summary with round 1's k, so it hides it too.

    Issue 12 lets HR make an action plan on round 1 afterwards, with focus D1. Round 2's
    "Since the action plan" reads the same kept summary without round 1's k.
    """
    questionnaire = make_questionnaire(not_applicable_codes=("D1.2", "D1.3"))
    today = timezone.localdate()
    old, few = na_round(
        cast.bakery,
        questionnaire,
        scored=2,
        others=8,
        name="Meting 2024",
        opens_on=today - dt.timedelta(days=400),
        closes_on=today - dt.timedelta(days=380),
    )
    # What the code before c359542 kept: scoring.summarize without a threshold, every
    # dimension, no "threshold" key.
    specs = [item.spec() for item in questionnaire.ordered_items()]
    answers = [
        {a.item.code: a.value for a in r.answers.select_related("item")}
        for r in old.responses.all()
    ]
    legacy = scoring.summarize(answers, specs)
    CampaignSummary.objects.filter(campaign=old).update(
        data={
            "overall": legacy.overall_index,
            "dimensions": {
                d.code: {"n": d.n, "mean": d.mean, "sd": d.sd} for d in legacy.dimensions
            },
        }
    )
    assert published_dimension_means(old)["D1"] is None  # round 1 hides D1 (n = 2)
    plan_on(old, "D1")

    new, _ = make_campaign(cast.bakery, questionnaire, name="Meting 2025", ask_team=False,
                           ask_role=False)  # fmt: skip
    make_responses(new, 10, seed=8)
    close_round(new)
    assert "D1" not in (as_json(new)["previous"] or {}).get("dimensions", {})

    sheets = download(cast.alice, new)
    since = sheets.get("Since the action plan", [])
    then = [row["Mean then"] for row in since if row["Mean then"] is not None]
    html = dashboard(cast.alice, new)
    section = re.search(r'id="table-since-plan"(.*?)</table>', html, re.S)
    two = statistics.mean(
        statistics.mean([1, 1, 2]) for _ in few
    )  # both scored 1, 1, 2 on D1: mean 1.33
    page = re.search(r"since-plan-page(.*?)</table>", reports.render_report_html(new, "en"), re.S)
    # The follow-up itself is there (D1 with its figure now), only the hidden "then" is not.
    assert [row["Dimension"] for row in since] and section and page
    seen = {
        "XLSX 'Since the action plan'": bool(then),
        "dashboard #table-since-plan": bool(section and "1.33" in section[1]),
        "PDF 'Since the action plan' page": bool(page and "1.33" in page[1]),
    }
    assert not any(seen.values()), (
        f"D1 of round 1 over the 2 people with a D1 score (hidden on round 1's dashboard and "
        f"in round 2's comparison): 'Since the action plan' shows Mean then = {then} "
        f"(their mean {two:.2f}), with a 95% interval that gives their spread; in {seen}; "
        f"rows: {since}"
    )


# --- 2. Statement gaps where the employees' statements are hidden ------------------------


def test_statement_gaps_carry_no_employee_mean_the_results_hide(cast):
    """HR answers the management view herself with extreme answers (5 on every D1
    statement, 1 on every D2 statement) so that every statement would have a large gap.
    D1's statements are hidden by the n.v.t. plan (3 people with a D1 score of 9); D2.3 is
    suppressed (answered by 4). Every employee figure in the gap tables must be a figure the
    results publish, and no hidden statement may get a gap."""
    questionnaire = make_questionnaire(not_applicable_codes=("D1.2", "D1.3", "D2.3"))
    campaign, _ = make_campaign(cast.bakery, questionnaire, ask_team=False, ask_role=False)
    make_responses(campaign, 6, seed=2, values={"D1.2": None, "D1.3": None, "D2.3": None})
    make_responses(campaign, 3, seed=5, values={"D2.3": 2})
    make_responses(campaign, 1, seed=6, values={"D1.2": None, "D1.3": None, "D2.3": 3})
    make_management_response(
        campaign,
        "Alice (HR)",
        values={"D1.1": 5, "D1.2": 5, "D1.3": 5, "D2.1": 1, "D2.2": 1, "D2.3": 1},
        estimates={"D1": 1.0, "D2": 5.0},
    )
    close_round(campaign)
    items = published_item_means(campaign)
    dims = published_dimension_means(campaign)

    sheets = download(cast.alice, campaign)
    leaks = []
    for row in sheets["Largest gaps"]:
        if items.get(row["Item"]) is None or row["Employees"] != items[row["Item"]]:
            leaks.append((row["Item"], row["Employees"]))
    for row in sheets["Management's view"]:
        if row["Employees"] != dims[row["Code"]]:
            leaks.append((row["Code"], row["Employees"]))
        if dims[row["Code"]] is None and (
            row["Gap (management − employees)"] is not None
            or row["Estimate − employees"] is not None
            or row["Estimate"] is not None
        ):
            leaks.append((row["Code"], "gap/estimate of a hidden dimension"))
    html = dashboard(cast.alice, campaign)
    for code, mean in items.items():
        if mean is None and re.search(rf"Statement {re.escape(code)}\b", html):
            shown = re.search(r'id="gaps-management-higher"(.*?)</ol>', html, re.S)
            if shown and f"Statement {code}" in shown[1]:
                leaks.append((code, "in the dashboard's gap list"))
    assert not leaks, f"employee figures the results hide, in the management view: {leaks}"


# --- 3. An open round: no interim results, and interim results --------------------------


def test_an_open_round_without_interim_results_shows_nothing_of_the_employees(cast):
    """Open round, Interim.NONE, 12 responses. HR answers the management view with every
    estimate value she could try (1.0 … 5.0 over several members) to read the verdicts
    ("close", "too high", "too low") as an oracle on the employees' hidden means."""
    questionnaire = make_questionnaire()
    campaign, _ = make_campaign(cast.bakery, questionnaire, ask_team=False, ask_role=False)
    make_responses(campaign, 12, seed=3)
    for i, guess in enumerate((1.0, 2.0, 3.0, 4.0, 5.0)):
        make_management_response(campaign, f"HR {i}", estimates={"D1": guess, "D2": guess})
    results = campaign_results(campaign, "en")
    comparison = improvement.management_comparison(campaign, results)
    told = [
        (e.code, e.employees, e.difference, e.verdict)
        for e in comparison.estimates
        if e.employees is not None or e.difference is not None or e.verdict is not None
    ]
    told += [(d.code, d.employees, d.gap) for d in comparison.dimensions if d.gap is not None]
    told += [(g.code, g.employees) for g in comparison.management_higher]
    told += [(g.code, g.employees) for g in comparison.employees_higher]
    assert download(cast.alice, campaign) is None
    html = dashboard(cast.alice, campaign)
    assert not told and "table-gaps" not in html and "table-estimates" not in html, told


def test_an_interim_look_gives_gaps_of_the_look_only_and_no_statements(cast):
    """Open round with interim results (organisation level in steps of k): 13 responses, so
    the look covers the first 5 (the largest multiple of k trailing the newest by ≥ k). HR's
    management view must compare with that look — not with the 13 received — and, since
    statements appear only at close, give no statement gap at all."""
    questionnaire = make_questionnaire()
    campaign, _ = make_campaign(
        cast.bakery, questionnaire, ask_team=False, ask_role=False, interim_results="organisation"
    )
    make_responses(campaign, 13, seed=4)
    make_management_response(campaign, "Alice (HR)", default=5, estimates={"D1": 3.0})
    results = campaign_results(campaign, "en")
    comparison = improvement.management_comparison(campaign, results)
    published = published_dimension_means(campaign)
    assert comparison.employees_n == results.respondents == as_json(campaign)["respondents"]
    assert {d.code: d.employees for d in comparison.dimensions} == published
    assert not comparison.management_higher and not comparison.employees_higher
    assert all(i is None for i in published_item_means(campaign).values())


# --- 4. The plan, its export and the dialogue kit on a hidden dimension ------------------


def test_the_plan_its_export_and_the_dialogue_kit_show_nothing_of_a_hidden_dimension(cast):
    """Closed round of 10, D1 scored by 2 only (n.v.t.): the dashboard hides D1. HR makes D1
    a focus dimension and downloads the plan export and the dialogue kit of D1."""
    questionnaire = make_questionnaire(not_applicable_codes=("D1.2", "D1.3"))
    campaign, _few = na_round(cast.bakery, questionnaire, scored=2, others=8, name="Meting")
    assert published_dimension_means(campaign)["D1"] is None
    plan_on(campaign, "D1", "D2")
    sheets = download(cast.alice, campaign, "plan")
    focus = {row["Focus dimension"]: row["Employees' mean"] for row in sheets["Action plan"]}
    assert focus["Dimension 1"] is None, f"the plan shows hidden D1's mean {focus}"
    summary = improvement.round_plan(campaign, campaign_results(campaign, "en"), "en")
    assert summary.focus[0].mean is None and summary.focus[0].band is None
    try:
        html = dialogue.render_kit_html(campaign, "D1", "en")
    except dialogue.KitUnavailable:
        return
    kit = dialogue.kit_context(campaign, "D1", "en")
    assert kit["dim"].mean is None and kit["gauge"] is None
    assert "1.33" not in html and "1,33" not in html


# --- 5. "Since the plan" when this round hides the focus dimension ------------------------


def test_since_the_plan_shows_no_now_for_a_dimension_this_round_hides(cast):
    """Round 1 (10 people, all scored) made a plan on D1. Round 2 has 10 people, only 2 with
    a D1 score: its dashboard hides D1. The change since the plan must not give round 2's D1
    (now, difference or interval) away, nor a 'meaningful' verdict."""
    questionnaire = make_questionnaire(not_applicable_codes=("D1.2", "D1.3"))
    today = timezone.localdate()
    first, _ = make_campaign(
        cast.bakery,
        questionnaire,
        name="Nulmeting",
        ask_team=False,
        ask_role=False,
        opens_on=today - dt.timedelta(days=200),
        closes_on=today - dt.timedelta(days=180),
    )
    make_responses(first, 10, seed=1, values={"D1.1": 5, "D1.2": 5, "D1.3": 5})
    close_round(first)
    plan_on(first, "D1")
    second, _ = na_round(cast.bakery, questionnaire, scored=2, others=8, name="Vervolg")
    assert published_dimension_means(second)["D1"] is None
    follow = improvement.follow_up(second, campaign_results(second, "en"))
    changes = [c for c in follow.changes if c.code == "D1"] if follow else []
    leaked = [
        (c.now, c.difference, c.ci_low, c.ci_high, c.is_meaningful)
        for c in changes
        if c.now is not None or c.difference is not None or c.is_meaningful
    ]
    sheets = download(cast.alice, second)
    rows = sheets.get("Since the action plan", [])
    leaked += [(r["Mean now"], r["Difference"]) for r in rows if r["Mean now"] is not None]
    assert not leaked, f"round 2's hidden D1 (2 people) via 'since the plan': {leaked}"


def test_since_the_plan_against_an_older_round_than_the_previous_shows_only_its_published(cast):
    """Round 1 (plan, D1 hidden: 2 scored of 10), round 2 (no plan; the 'previous' round),
    round 3. The change since the plan compares round 3 with round 1, a pair the dashboard's
    comparison never makes: it may show only what round 1 itself published."""
    questionnaire = make_questionnaire(not_applicable_codes=("D1.2", "D1.3"))
    today = timezone.localdate()
    first, _ = na_round(
        cast.bakery,
        questionnaire,
        scored=2,
        others=8,
        name="R1",
        opens_on=today - dt.timedelta(days=300),
        closes_on=today - dt.timedelta(days=280),
    )
    plan_on(first, "D1", "D2")
    second, _ = make_campaign(
        cast.bakery, questionnaire, name="R2", ask_team=False, ask_role=False,
        opens_on=today - dt.timedelta(days=150), closes_on=today - dt.timedelta(days=130),
    )  # fmt: skip
    make_responses(second, 10, seed=3)
    close_round(second)
    third, _ = make_campaign(cast.bakery, questionnaire, name="R3", ask_team=False,
                             ask_role=False)  # fmt: skip
    make_responses(third, 10, seed=4)
    close_round(third)
    first_published = published_dimension_means(first)
    follow = improvement.follow_up(third, campaign_results(third, "en"))
    assert follow is not None and follow.plan.campaign_name == "R1"
    then = {c.code: c.at_plan for c in follow.changes}
    wrong = {
        code: value
        for code, value in then.items()
        if value is not None and value != first_published[code]
    }
    assert not wrong, f"'then' figures R1 never published: {wrong} (R1: {first_published})"


# --- 6. HR's own management answers move no employee figure -----------------------------


def test_hr_answering_the_management_view_changes_no_employee_figure(cast):
    """Can HR, by answering the management view (again and again, with extreme answers),
    move any figure derived from the employees — the JSON, the aggregated export's employee
    sheets, the response-level file — or the size of a look of an open round?"""
    questionnaire = make_questionnaire(not_applicable_codes=("D1.2", "D1.3"))
    campaign, _ = make_campaign(
        cast.bakery, questionnaire, ask_team=False, ask_role=False, interim_results="organisation"
    )
    make_responses(campaign, 9, seed=4)
    before_open = as_json(campaign)
    for i in range(4):
        make_management_response(campaign, f"HR {i}", default=1 + i, estimates={"D1": 1.0})
    after_open = as_json(campaign)
    for key in ("respondents", "received", "dimensions", "visible"):
        assert after_open[key] == before_open[key], key
    make_responses(campaign, 2, seed=7, values={"D1.2": None, "D1.3": None})
    close_round(campaign)
    employee_sheets = ("Round", "Dimensions", "Indicators", "Items", "Strongest and weakest")
    before = (
        as_json(campaign),
        download(cast.carol, campaign),
        download(cast.carol, campaign, "responses"),
    )
    make_management_response(campaign, "Alice", default=5)  # after close: refused by the link,
    after = (
        as_json(campaign),
        download(cast.carol, campaign),
        download(  # but even if stored
            cast.carol, campaign, "responses"
        ),
    )
    assert after[0] == before[0]
    for sheet in employee_sheets:
        assert after[1].get(sheet) == before[1].get(sheet), sheet
    assert rows_as_multiset(after[2]) == rows_as_multiset(before[2])


# --- 7. The gap tables with the response-level file (consultant) -------------------------


def test_gaps_with_the_response_file_and_dimension_means_isolate_nobody(cast):
    """The consultant combines the aggregated file's management sheets with the response-level
    file: for every dimension the 'Employees' value of the management view must be the mean
    of the file's rows that have that dimension (a union of published sets), and where the
    results hide a dimension the management view must hide it too — so no subtraction between
    the two isolates anybody."""
    questionnaire = make_questionnaire(not_applicable_codes=("D1.2", "D1.3"))
    campaign, _ = make_campaign(cast.bakery, questionnaire, ask_team=False, ask_role=False)
    make_responses(campaign, 8, seed=2, values={"D1.2": None, "D1.3": None})
    make_responses(campaign, 3, seed=5)
    make_management_response(campaign, "Carol", default=3, estimates={"D1": 2.5, "D2": 2.5})
    close_round(campaign)
    sheets = download(cast.carol, campaign)
    dims = by(sheets["Dimensions"], "Code")
    gaps = by(sheets["Management's view"], "Code")
    for code, row in gaps.items():
        shown = dims[code]["Mean"]
        assert row["Employees"] == shown, (code, row["Employees"], shown)
        if shown is None:
            assert row["Gap (management − employees)"] is None
            assert row["Estimate − employees"] is None
