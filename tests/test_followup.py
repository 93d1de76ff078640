"""The pure rules of the management view and the action plan (assessments/followup.py).

No database: the employee side is a hand-made RoundResults, as campaign_results returns it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from assessments import followup, presentation, scoring
from assessments.results.data import (
    Comparison,
    DimensionChange,
    DimensionResult,
    ItemResult,
    RoundInfo,
    RoundResults,
)

SPECS = [
    scoring.ItemSpec("D1.1", "D1", "1"),
    scoring.ItemSpec("D1.2", "D1", "1"),
    scoring.ItemSpec("D1.3", "D1", "1", is_reversed=True),
    scoring.ItemSpec("D2.1", "D2", "2"),
    scoring.ItemSpec("D2.2", "D2", "2"),
    scoring.ItemSpec("D2.3", "D2", "2"),
]
CONTENT = followup.ContentText(
    dimensions={"D1": ("Inhoud van werk", "Inhoud"), "D2": ("Leiderschap", "Leiding")},
    items={
        spec.code: (f"Stelling {spec.code}", spec.dimension, spec.is_reversed) for spec in SPECS
    },
)
DIRECTOR = followup.Participant("Jan", "director", "directeur of eigenaar")
LEADERS = (
    DIRECTOR,
    followup.Participant("Eva", "team_leader", "teamleider"),
    followup.Participant("Ali", "team_leader", "teamleider"),
)


def _item(code: str, mean: float | None, *, suppressed: bool = False) -> ItemResult:
    return ItemResult(
        code, f"Stelling {code}", code == "D1.3", 20, 0, mean, None, None, None, None,
        (0, 0, 0, 0, 0), suppressed,
    )  # fmt: skip


def _dim(code: str, mean: float | None, items: dict[str, float | None], *, sd=0.6, n=20):
    return DimensionResult(
        code=code, name=CONTENT.dimensions[code][0], short_name=CONTENT.dimensions[code][1],
        explanation="", n=n, mean=mean, sd=sd, ci_low=None, ci_high=None, pct_positive=None,
        pct_negative=None, distribution=(0, 0, 0, 0, 0), band=None, attention=False,
        alpha=None, alpha_n=0, alpha_warning=False, suppressed=mean is None,
        indicators=(), items=tuple(_item(c, m, suppressed=m is None) for c, m in items.items()),
        recommendations=(), strongest=(), weakest=(),
    )  # fmt: skip


def _results(*dims: DimensionResult, visible: bool = True, previous=None) -> RoundResults:
    rate = presentation.response_rate(
        received=20, headcount=None, team_sizes=[], invitations_sent=0, invitations_used=0
    )
    common = {
        "round": RoundInfo(1, "Meting", "Bakkerij", dt.date(2026, 3, 1), dt.date(2026, 3, 20),
                           "closed", None),
        "language": "nl", "threshold": 5, "interim": "none", "step": 5, "received": 20,
        "final": True, "look_note": None, "response_rate": rate,
    }  # fmt: skip
    if not visible:
        return RoundResults(
            **common,
            visible=False,
            reason="not_before_close",
            reason_text="De resultaten verschijnen als de meting sluit.",
            respondents=0,
        )
    means = [d.mean for d in dims if d.mean is not None]
    return RoundResults(
        **common,
        visible=True,
        reason=None,
        reason_text=None,
        respondents=20,
        overall_index=round(sum(means) / len(means), 2),
        dimensions=dims,
        previous=previous,
    )


EMPLOYEES = _results(
    _dim("D1", 3.5, {"D1.1": 3.5, "D1.2": 3.0, "D1.3": 4.0}),
    _dim("D2", 3.0, {"D2.1": 2.5, "D2.2": 3.0, "D2.3": None}),
)


def test_the_gap_is_management_minus_employees_as_shown():
    management = [{"D1.1": 4, "D1.2": 4, "D1.3": 2, "D2.1": 5, "D2.2": 4, "D2.3": 4}]
    comparison = followup.compare_views(EMPLOYEES, management, SPECS, CONTENT, [DIRECTOR])
    d1, d2 = comparison.dimensions
    # D1.3 counts reversed: a 2 scores 4, so management's D1 is 4.00.
    assert (d1.management, d1.employees, d1.gap, d1.notable) == (4.0, 3.5, 0.5, True)
    assert (d2.management, d2.employees, d2.gap, d2.notable) == (4.33, 3.0, 1.33, True)
    assert comparison.single
    with translation.override("en"):
        assert comparison.label == "View of Jan (directeur of eigenaar)"


def test_a_statement_the_employees_do_not_see_has_no_gap():
    management = [{"D1.1": 4, "D1.2": 4, "D1.3": 2, "D2.1": 5, "D2.2": 4, "D2.3": 1}]
    comparison = followup.compare_views(EMPLOYEES, management, SPECS, CONTENT, [DIRECTOR])
    codes = {g.code for g in comparison.management_higher + comparison.employees_higher}
    assert "D2.3" not in codes  # suppressed on the employees' side


def test_conversation_starters_are_the_largest_gaps_each_way():
    management = [
        {"D1.1": 2, "D1.2": 5, "D1.3": 1, "D2.1": 5, "D2.2": 1, "D2.3": 3},
        {"D1.1": 3, "D1.2": 5, "D1.3": 1, "D2.1": 5, "D2.2": 2, "D2.3": 3},
    ]
    comparison = followup.compare_views(
        EMPLOYEES, management, SPECS, CONTENT, LEADERS[:2], statements=2
    )
    assert [(g.code, g.gap) for g in comparison.management_higher] == [
        ("D2.1", 2.5),
        ("D1.2", 2.0),
    ]
    assert [(g.code, g.gap) for g in comparison.employees_higher] == [
        ("D2.2", -1.5),
        ("D1.1", -1.0),
    ]
    with translation.override("en"):
        assert comparison.label == "Management's view (n = 2)"


def test_no_gap_is_shown_while_the_employees_results_are_hidden():
    hidden = _results(visible=False)
    management = [{"D1.1": 4, "D1.2": 4, "D1.3": 2, "D2.1": 5, "D2.2": 4, "D2.3": 4}]
    comparison = followup.compare_views(
        hidden, management, SPECS, CONTENT, [DIRECTOR], {"D1": [3.5]}
    )
    assert not comparison.visible
    assert comparison.reason == "not_before_close"
    assert all(d.gap is None and d.employees is None for d in comparison.dimensions)
    assert comparison.management_higher == comparison.employees_higher == ()
    assert comparison.dimension("D1").management == 4.0  # management's own view stays
    assert comparison.estimates[0].difference is None and comparison.mean_abs_error is None


def test_estimates_are_averaged_and_judged_against_the_employees_mean():
    management = [{"D1.1": 4, "D1.2": 4, "D1.3": 2, "D2.1": 5, "D2.2": 4, "D2.3": 4}] * 3
    estimates = {"D1": [3.4, 3.6, 3.8], "D2": [4.0, 4.5]}
    comparison = followup.compare_views(EMPLOYEES, management, SPECS, CONTENT, LEADERS, estimates)
    d1, d2 = comparison.estimates
    assert (d1.estimate, d1.estimators, d1.difference, d1.verdict) == (3.6, 3, 0.1, "close")
    assert (d2.estimate, d2.estimators, d2.difference, d2.verdict) == (4.25, 2, 1.25, "too_high")
    assert comparison.mean_abs_error == 0.68
    assert comparison.has_estimates


def test_without_estimates_there_is_nothing_to_judge():
    management = [{"D1.1": 4, "D1.2": 4, "D1.3": 2, "D2.1": 5, "D2.2": 4, "D2.3": 4}]
    comparison = followup.compare_views(EMPLOYEES, management, SPECS, CONTENT, [DIRECTOR])
    assert not comparison.has_estimates
    assert all(e.verdict is None for e in comparison.estimates)


def test_the_change_since_the_plan_reuses_the_previous_round_comparison():
    change = DimensionChange(
        previous_mean=2.8, difference=0.7, ci_low=0.3, ci_high=1.1, is_meaningful=True
    )
    previous = Comparison(7, "Nulmeting", 30, 3.0, {"D2": change})
    current = _results(_dim("D1", 3.5, {}), _dim("D2", 3.5, {}), previous=previous)
    (d2,) = followup.changes_since_plan(["D2"], current, plan_round_id=7, plan_round=None)
    assert (d2.at_plan, d2.now, d2.difference, d2.is_meaningful, d2.up) == (
        2.8,
        3.5,
        0.7,
        True,
        True,
    )


def test_the_change_since_an_older_plan_uses_the_welch_comparison():
    current = _results(_dim("D1", 3.2, {}, sd=0.5, n=40), _dim("D2", 3.0, {}))
    plan_round = {"D1": scoring.Stats(35, 3.1, 0.5)}
    (d1,) = followup.changes_since_plan(["D1"], current, plan_round_id=3, plan_round=plan_round)
    expected = scoring.compare(scoring.Stats(40, 3.2, 0.5), plan_round["D1"])
    assert d1.difference == round(expected.difference, 2) == 0.1
    assert d1.is_meaningful is expected.is_meaningful is False


def test_no_change_is_shown_while_the_round_has_no_results():
    assert followup.changes_since_plan(["D1"], _results(visible=False), 3, {}) == ()


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], {"planned": 0, "in_progress": 0, "done": 0, "stopped": 0}),
        (["done", "planned", "done"], {"planned": 1, "in_progress": 0, "done": 2, "stopped": 0}),
    ],
)
def test_status_counts_follow_the_status_order(statuses, expected):
    counts = followup.status_counts(statuses)
    assert counts == expected
    assert list(counts) == ["planned", "in_progress", "done", "stopped"]
