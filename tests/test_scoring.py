"""Scoring rules (instrument.md §3). Expected values are worked out by hand in each test."""

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.scoring import (
    Band,
    DimensionScore,
    ItemSpec,
    Level,
    band,
    benchmark,
    compare,
    respondent_dimension_scores,
    scored_value,
    summarize,
    t_cdf,
    t_quantile,
)

# A small instrument: D1 has a reverse item, D2 has two items so the ⅔ rule needs both.
ITEMS = [
    ItemSpec("D1.1", "D1", "a"),
    ItemSpec("D1.2", "D1", "a"),
    ItemSpec("D1.3", "D1", "b", is_reversed=True),
    ItemSpec("D2.1", "D2", "c"),
    ItemSpec("D2.2", "D2", "c"),
]

# Raw answers; None = "weet ik niet / n.v.t.", a missing key = not answered.
RESPONSES = [
    {"D1.1": 4, "D1.2": 5, "D1.3": 2, "D2.1": 3, "D2.2": None},  # D1.3 scored 6-2 = 4
    {"D1.1": 3, "D1.2": None, "D1.3": 1, "D2.1": 2, "D2.2": 2},  # D1.3 scored 5
    {"D1.1": 5, "D1.2": 4, "D1.3": 4, "D2.1": 4},  # D1.3 scored 2; D2.2 not answered
    {"D1.1": None, "D1.2": None, "D1.3": 3, "D2.1": 5, "D2.2": 4},  # D1.3 scored 3
]


# --- scored values and the ⅔ rule -------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [(1, 5), (2, 4), (3, 3), (4, 2), (5, 1)])
def test_reverse_items_are_scored_six_minus_the_answer(raw, expected):
    assert scored_value(raw, is_reversed=True) == expected
    assert scored_value(raw, is_reversed=False) == raw


def test_not_applicable_stays_missing():
    assert scored_value(None, is_reversed=True) is None


@pytest.mark.parametrize("raw", [0, 6, -1, 3.0, "3", True])
def test_an_answer_outside_one_to_five_is_refused_with_a_clear_message(raw):
    with pytest.raises(ValueError, match="1 to 5"):
        scored_value(raw, is_reversed=False)


def test_summarize_names_the_item_with_a_bad_answer():
    with pytest.raises(ValueError, match=r"D1\.2"):
        summarize([{"D1.1": 3, "D1.2": 7}], ITEMS)


def test_duplicate_item_codes_are_refused():
    with pytest.raises(ValueError, match="unique"):
        summarize([], [ItemSpec("X", "D1"), ItemSpec("X", "D1")])


def test_three_items_with_one_valid_give_no_dimension_score():
    items = [ItemSpec(f"D1.{i}", "D1") for i in (1, 2, 3)]
    # 1 valid: 1*3 = 3 < 3*2 = 6
    assert respondent_dimension_scores({"D1.1": 4, "D1.2": None}, items) == {"D1": None}


def test_two_of_three_valid_items_give_their_mean():
    items = [ItemSpec("D1.1", "D1"), ItemSpec("D1.2", "D1"), ItemSpec("D1.3", "D1", "", True)]
    # D1.3 raw 2 → scored 4; D1.2 n.v.t.; (4 + 4) / 2 = 4.0. 2*3 = 6 >= 3*2 = 6
    assert respondent_dimension_scores({"D1.1": 4, "D1.2": None, "D1.3": 2}, items) == {"D1": 4.0}


@pytest.mark.parametrize(
    ("n_items", "n_valid", "scored"),
    [
        (4, 2, False),  # 6 < 8
        (4, 3, True),  # 9 >= 8
        (6, 4, True),  # 12 >= 12: exactly two thirds
        (7, 4, False),  # 12 < 14
        (7, 5, True),  # 15 >= 14
        (10, 6, False),  # 18 < 20
        (10, 7, True),  # 21 >= 20
    ],
)
def test_the_two_thirds_rule_is_exact(n_items, n_valid, scored):
    items = [ItemSpec(f"D.{i}", "D") for i in range(n_items)]
    answers = {f"D.{i}": 3 for i in range(n_valid)}  # the rest not answered at all
    assert (respondent_dimension_scores(answers, items)["D"] is not None) is scored


def test_keys_outside_the_items_are_ignored():
    items = [ItemSpec("D1.1", "D1"), ItemSpec("D1.2", "D1")]
    assert respondent_dimension_scores({"D1.1": 2, "D1.2": 3, "C1": 5}, items) == {"D1": 2.5}


# --- bands ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean", "negative", "level", "vulnerable"),
    [
        (2.99, 0.0, Level.LOW, False),
        (3.00, 0.0, Level.MIDDLE, True),
        (3.00, 0.2999, Level.MIDDLE, True),
        (3.00, 0.30, Level.LOW, False),
        (3.49, 0.10, Level.MIDDLE, True),
        (3.50, 0.10, Level.MIDDLE, False),
        (3.99, 0.0, Level.MIDDLE, False),
        (3.99, 0.30, Level.LOW, False),
        (4.00, 0.0, Level.HIGH, False),
        (4.00, 0.1499, Level.HIGH, False),
        (4.00, 0.15, Level.MIDDLE, False),  # a split group is no strong point
        (4.00, 0.2999, Level.MIDDLE, False),
        (4.00, 0.30, Level.LOW, False),
        (4.80, 0.30, Level.LOW, False),
        (5.00, 0.0, Level.HIGH, False),
        (1.00, 1.0, Level.LOW, False),
    ],
)
def test_band_edges(mean, negative, level, vulnerable):
    assert band(mean, negative) == Band(level, vulnerable)


def test_band_codes_are_stable_strings_for_the_ui():
    assert band(3.2, 0.1).code == "vulnerable"
    assert band(3.7, 0.1).code == "middle"
    assert band(2.0, 0.1).code == "low"
    assert band(4.2, 0.1).code == "high"


# --- end-to-end summary -----------------------------------------------------------------


def test_summarize_computes_dimension_scores_by_hand():
    result = summarize(RESPONSES, ITEMS)
    assert result.n == 4

    d1 = result.dimension("D1")
    # Respondent scores: (4+5+4)/3 = 13/3, (3+5)/2 = 4, (5+4+2)/3 = 11/3; r4 has 1 of 3 valid.
    assert d1.n == 3
    # (13/3 + 12/3 + 11/3) / 3 = 4 exactly, so the band edge at 4.00 is not blurred by floats.
    assert d1.mean == 4.0
    # Deviations 1/3, 0, −1/3 → squares sum 2/9; / (n−1) = 1/9; sd = 1/3.
    assert d1.sd == pytest.approx(1 / 3)
    # 4 ± t(0.975, 2) · (1/3)/√3 = 4 ± 4.302653 · 0.192450 = 4 ± 0.828050
    assert d1.ci_low == pytest.approx(4 - 0.828050, abs=1e-5)
    assert d1.ci_high == pytest.approx(4 + 0.828050, abs=1e-5)
    # Every D1 figure describes r1–r3, who have a D1 score; r4's one valid answer counts in
    # none of them (else the statements minus the mean would give it away).
    # Item shares positive: D1.1 [4,3,5] 2/3, D1.2 [5,4] 1, D1.3 [4,5,2] 2/3 → mean 7/9.
    assert d1.pct_positive == pytest.approx(7 / 9)
    # Negative: 0, 0, 1/3 → mean 1/9.
    assert d1.pct_negative == pytest.approx(1 / 9)
    # All 8 valid scored answers of r1–r3: 2:1, 3:1, 4:3, 5:3.
    assert d1.distribution == (0, 1, 1, 3, 3)
    assert d1.band == Band(Level.HIGH)  # 4.00 and 11% negative
    # Indicator a pools D1.1 and D1.2: (4+3+5+5+4)/5 = 4.2; b = D1.3 alone: 11/3.
    assert [(i.code, i.n_answers, i.mean) for i in d1.indicators] == [
        ("a", 5, pytest.approx(4.2)),
        ("b", 3, pytest.approx(11 / 3)),
    ]
    # r2 answered n.v.t. to D1.2: one respondent whose score weighs other answers.
    assert d1.n_partial == 1
    # Only r1 and r3 have all D1 items valid: too few for alpha.
    assert (d1.alpha, d1.alpha_n, d1.alpha_warning) == (None, 2, False)

    d2 = result.dimension("D2")
    # Two items: a score needs both. r2 (2+2)/2 = 2, r4 (5+4)/2 = 4.5.
    assert (d2.n, d2.mean) == (2, 3.25)
    # Deviations ±1.25 → 2 · 1.5625 / 1 = 3.125; sd = √3.125 = 1.767767
    assert d2.sd == pytest.approx(1.767767, abs=1e-6)
    # half width = 12.706205 · 1.767767 / √2 = 12.706205 · 1.25 = 15.882756
    assert d2.ci_high - d2.mean == pytest.approx(15.882756, abs=1e-5)
    # Only r2 and r4 count. Negative: D2.1 [2,5] 1/2, D2.2 [2,4] 1/2 → 50% ≥ 30% → low.
    assert d2.pct_negative == pytest.approx(0.5)
    assert d2.pct_positive == pytest.approx(0.5)
    assert d2.band == Band(Level.LOW)

    # (4 + 3.25) / 2
    assert result.overall_index == pytest.approx(3.625)


def test_summarize_counts_not_applicable_and_unanswered_separately():
    items = [ItemSpec(f"D1.{i}", "D1") for i in (1, 2, 3)]
    responses = [
        {"D1.1": 4, "D1.2": 5, "D1.3": None},  # n.v.t.
        {"D1.1": 2, "D1.2": 4},  # D1.3 not answered
        {"D1.1": 3, "D1.2": 3, "D1.3": 5},
    ]
    item = summarize(responses, items).item("D1.3")
    assert (item.n_valid, item.n_not_applicable, item.n_unanswered) == (1, 1, 1)
    assert item.mean == 5.0 and item.distribution == (0, 0, 0, 0, 1)


def test_a_respondent_without_a_dimension_score_counts_in_none_of_its_figures():
    item = summarize(RESPONSES, ITEMS).item("D2.2")
    # Only r2 (2) and r4 (4) have a D2 score; r1 (n.v.t.) and r3 (no answer) have none.
    assert (item.n_valid, item.n_not_applicable, item.n_unanswered) == (2, 0, 0)
    assert item.mean == 3.0
    assert item.distribution == (0, 1, 0, 1, 0)
    assert (item.pct_positive, item.pct_negative) == (0.5, 0.5)


def test_reverse_item_distribution_uses_scored_values():
    item = summarize(RESPONSES, ITEMS).item("D1.3")
    # raw 2,1,4 → scored 4,5,2 (r4 has no D1 score)
    assert item.is_reversed
    assert item.distribution == (0, 1, 0, 1, 1)
    assert item.mean == pytest.approx(11 / 3)


def test_strongest_and_weakest_items_break_ties_by_code():
    result = summarize(RESPONSES, ITEMS)
    # Means: D1.1 4, D1.2 4.5, D1.3 11/3, D2.1 (2+5)/2 = 3.5, D2.2 3.
    # No item is in both lists.
    assert [i.code for i in result.strongest] == ["D1.2", "D1.1", "D1.3"]
    assert [i.code for i in result.weakest] == ["D2.2", "D2.1"]


def test_top_three_among_many_items_with_ties():
    # Listed in reverse, so that only the tie-break by code can restore the expected order.
    items = [ItemSpec(f"D1.{i}", "D1") for i in range(8, 0, -1)]
    # One respondent answers item i with the value below, so each mean is that value.
    values = dict(zip([f"D1.{i}" for i in range(1, 9)], [3, 5, 1, 5, 2, 4, 1, 4], strict=True))
    result = summarize([values], items)
    assert [i.code for i in result.strongest] == ["D1.2", "D1.4", "D1.6"]
    assert [i.code for i in result.weakest] == ["D1.3", "D1.7", "D1.5"]


def test_cronbach_alpha_on_a_small_matrix():
    items = [ItemSpec(f"D1.{i}", "D1") for i in (1, 2, 3)]
    rows = [(1, 2, 2), (2, 2, 3), (3, 4, 3), (4, 4, 5)]
    responses = [dict(zip(["D1.1", "D1.2", "D1.3"], row, strict=True)) for row in rows]
    responses.append({"D1.1": 5, "D1.2": None, "D1.3": 5})  # not complete: left out of alpha
    d1 = summarize(responses, items).dimension("D1")
    # Item variances (n−1): [1,2,3,4] 5/3, [2,2,4,4] 4/3, [2,3,3,5] 4.75/3 = 19/12 → 55/12.
    # Totals 5, 7, 10, 13: mean 8.75, squares 14.0625+3.0625+1.5625+18.0625 = 36.75 → 12.25.
    # alpha = 3/2 · (1 − (55/12)/12.25) = 3/2 · (1 − 55/147) = 138/147
    assert d1.alpha == pytest.approx(138 / 147)
    assert d1.alpha_n == 4
    assert d1.alpha_warning  # 4 < 30


def test_alpha_is_none_without_variance():
    items = [ItemSpec("D1.1", "D1"), ItemSpec("D1.2", "D1")]
    d1 = summarize([{"D1.1": 3, "D1.2": 3}] * 5, items).dimension("D1")
    assert d1.alpha is None
    assert d1.alpha_n == 5
    assert d1.sd == 0.0
    assert (d1.ci_low, d1.ci_high) == (3.0, 3.0)


def test_alpha_without_warning_from_thirty_respondents():
    items = [ItemSpec("D1.1", "D1"), ItemSpec("D1.2", "D1")]
    # 15 respondents answer (2, 2) and 15 answer (4, 5): the items move together.
    responses = [{"D1.1": 2, "D1.2": 2}] * 15 + [{"D1.1": 4, "D1.2": 5}] * 15
    d1 = summarize(responses, items).dimension("D1")
    # Item variances: 15·(1²)·2/29 = 30/29 and 15·(1.5²)·2/29 = 67.5/29; sum 97.5/29.
    # Totals 4 and 9, mean 6.5: 30 · 2.5² / 29 = 187.5/29. alpha = 2 · (1 − 97.5/187.5) = 0.96
    assert d1.alpha == pytest.approx(0.96)
    assert (d1.alpha_n, d1.alpha_warning) == (30, False)


def test_a_single_respondent_has_a_mean_but_no_spread():
    d1 = summarize([{"D1.1": 4, "D1.2": 5, "D1.3": 2}], ITEMS).dimension("D1")
    # (4 + 5 + 4) / 3
    assert d1.mean == pytest.approx(13 / 3)
    assert (d1.n, d1.sd, d1.ci_low, d1.ci_high) == (1, None, None, None)


def test_no_respondents_gives_empty_results():
    result = summarize([], ITEMS)
    assert result.n == 0
    assert all(d.mean is None and d.band is None for d in result.dimensions)
    assert result.overall_index is None
    assert result.strongest == result.weakest == ()


def test_overall_index_is_none_when_a_dimension_has_no_score():
    # Only D1 answered: D2 has no respondent with both items.
    result = summarize([{"D1.1": 4, "D1.2": 4, "D1.3": 2}] * 3, ITEMS)
    assert result.dimension("D1").mean == 4.0
    assert result.overall_index is None


def test_threshold_suppresses_statistics_resting_on_fewer_than_k_people():
    result = summarize(RESPONSES, ITEMS, threshold=3)
    d2 = result.dimension("D2")
    assert d2.suppressed and d2.n == 2
    assert (d2.mean, d2.sd, d2.band, d2.pct_negative) == (None, None, None, None)
    assert d2.distribution == (0, 0, 0, 0, 0)
    d12 = result.item("D1.2")  # 2 valid answers
    assert d12.suppressed and d12.mean is None and d12.distribution == (0, 0, 0, 0, 0)
    d1 = result.dimension("D1")
    assert not d1.suppressed and d1.mean == 4.0  # 3 respondents
    # D1.2 is left out of the dimension shares, else they would give it away:
    # positive (2/3 + 2/3) / 2 = 2/3; distribution of D1.1 and D1.3 (r1–r3) only.
    assert d1.pct_positive == pytest.approx(2 / 3)
    assert d1.distribution == (0, 1, 1, 2, 2)
    # Indicator a contains D1.2 and is suppressed with it; b (D1.3, 3 answers) is not.
    assert [(i.code, i.mean) for i in d1.indicators] == [("a", None), ("b", pytest.approx(11 / 3))]
    assert result.overall_index is None
    assert "D1.2" not in [i.code for i in result.strongest + result.weakest]


# --- t distribution, comparisons, benchmark ---------------------------------------------


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (29, 2.045), (30, 2.042), (120, 1.980)],
)
def test_t_critical_values_match_the_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


def test_t_approaches_the_normal_distribution():
    assert t_quantile(0.975, 1e7) == pytest.approx(1.95996, abs=1e-4)
    assert t_quantile(0.995, 10) == pytest.approx(3.169, abs=5e-4)
    assert t_quantile(0.025, 4) == pytest.approx(-2.776, abs=5e-4)


@settings(max_examples=100, deadline=None)
@given(
    p=st.floats(min_value=0.51, max_value=0.999),
    df=st.floats(min_value=1, max_value=500),
)
def test_t_quantile_inverts_the_cdf(p, df):
    assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-9)


def _group(n: int, mean: float, sd: float | None) -> DimensionScore:
    base = summarize([], ITEMS).dimension("D1")
    return replace(base, n=n, mean=mean, sd=sd)


def test_compare_with_welch_interval_equal_groups():
    # se² = 0.25/10 + 0.25/10 = 0.05; df = 0.05² / (2 · 0.025²/9) = 18; t(0.975, 18) = 2.100922
    # half width = 2.100922 · √0.05 = 0.469780
    change = compare(_group(10, 3.8, 0.5), _group(10, 3.2, 0.5))
    assert change.difference == pytest.approx(0.6)
    assert change.df == pytest.approx(18)
    assert change.ci_low == pytest.approx(0.6 - 0.469780, abs=1e-5)
    assert change.ci_high == pytest.approx(0.6 + 0.469780, abs=1e-5)
    assert change.is_meaningful

    small = compare(_group(10, 3.5, 0.5), _group(10, 3.2, 0.5))
    assert small.ci_low < 0 < small.ci_high
    assert not small.is_meaningful


def test_compare_uses_welch_degrees_of_freedom_for_unequal_groups():
    # v1 = 1/5 = 0.2, v2 = 0.25/20 = 0.0125; df = 0.2125² / (0.2²/4 + 0.0125²/19)
    #    = 0.04515625 / (0.01 + 0.00000822368) = 4.51191
    change = compare(_group(5, 4.0, 1.0), _group(20, 3.0, 0.5))
    assert change.df == pytest.approx(4.51191, abs=1e-4)
    assert change.difference == pytest.approx(1.0)


def test_compare_without_spread_is_not_meaningful():
    assert not compare(_group(1, 4.0, None), _group(10, 3.0, 0.5)).is_meaningful
    empty = compare(_group(0, None, None), _group(10, 3.0, 0.5))  # type: ignore[arg-type]
    assert empty.difference is None and not empty.is_meaningful


def test_benchmark_quartiles_use_the_inclusive_method():
    # Positions (n−1)·p on sorted 1..5: 1, 2, 3 → values 2, 3, 4.
    q = benchmark([5, 1, 4, 2, 3])
    assert (q.n, q.q1, q.median, q.q3) == (5, 2.0, 3.0, 4.0)
    # 1..6: positions 1.25, 2.5, 3.75 → 2.25, 3.5, 4.75
    q = benchmark([1, 2, 3, 4, 5, 6])
    assert (q.q1, q.median, q.q3) == (2.25, 3.5, 4.75)


def test_benchmark_needs_enough_organisations():
    assert benchmark([3.1, 3.4, 3.9, 4.0]) is None
    assert benchmark([3.1], min_count=1).median == 3.1
    with pytest.raises(ValueError):
        benchmark([3.0, math.nan, 3.0, 3.0, 3.0])


# --- properties -------------------------------------------------------------------------

answer = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({s.code: answer for s in ITEMS}), max_size=12))
def test_group_means_lie_within_the_respondent_scores(responses):
    result = summarize(responses, ITEMS)
    for dimension in result.dimensions:
        scores = [
            s
            for answers in responses
            if (s := respondent_dimension_scores(answers, ITEMS)[dimension.code]) is not None
        ]
        assert dimension.n == len(scores)
        if scores:
            assert min(scores) - 1e-9 <= dimension.mean <= max(scores) + 1e-9
            assert sum(dimension.distribution) == sum(i.n_valid for i in dimension.items)
            assert 0 <= dimension.pct_negative + dimension.pct_positive <= 1 + 1e-9


def test_group_means_from_the_score_table_equal_summarize_for_every_group():
    import random

    from assessments.scoring import group_means, score_table

    rng = random.Random(7)
    specs = [
        ItemSpec(f"D{d}.{i}", f"D{d}", "x", is_reversed=(i == 2))
        for d in range(1, 4)
        for i in range(1, d + 3)
    ]
    for _ in range(40):
        responses = [
            {s.code: rng.choice([1, 2, 3, 4, 5, None]) for s in specs if rng.random() > 0.15}
            for _ in range(rng.randint(0, 25))
        ]
        table = score_table(responses, specs)
        members = [i for i in range(len(responses)) if rng.random() < 0.6]
        threshold = rng.choice([None, 3, 5])
        fast = group_means(table, members, threshold=threshold)
        full = summarize([responses[i] for i in members], specs, threshold=threshold)
        assert fast.n == full.n
        assert fast.dimensions == {d.code: d.mean for d in full.dimensions}
        assert fast.overall == full.overall_index
