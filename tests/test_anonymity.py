"""The publication plan (assessments.anonymity), function by function, without a database."""

from __future__ import annotations

import pytest

from assessments import anonymity
from assessments.anonymity import (
    EMPLOYEES,
    LEADERSHIP,
    BreakdownSpec,
    GroupSpec,
    Interim,
    Reason,
    Refusal,
)

K = 5
ORDERS = {
    "team": ["A", "B", "C"],
    "role": ["employee", "manager", "director"],
    "tenure": ["lt1", "1-5", "gt5"],
    "contract": ["permanent", "temporary", "work_study"],
}


def people(*groups: tuple[int, dict]) -> list[dict]:
    """Profiles in submission order: (count, segment answers) per run of people."""
    out = []
    for count, profile in groups:
        out += [dict(profile) for _ in range(count)]
    return out


def specs(*asked: str) -> tuple[BreakdownSpec, ...]:
    return anonymity.breakdown_specs(asked=asked, group_orders=ORDERS)


def plan(profiles, *asked, interim=Interim.NONE, closed=True, k=K):
    return anonymity.plan_round(
        profiles, threshold=k, interim=interim, closed=closed, breakdowns=specs(*asked)
    )


def shown(result, name: str) -> dict[str, int]:
    return {g.label: g.size for g in result.current.breakdown(name).shown}


def hidden(result, name: str) -> dict[str, Reason]:
    return {g.label: g.reason for g in result.current.breakdown(name).suppressed}


def assert_invariant(result, profiles, k=K) -> None:
    sets = result.published_sets(profiles)
    assert anonymity.disclosure_safe(sets, len(profiles), k)


# --- Basic rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [2, 0, -5, True, 5.0, "5", None])
def test_check_threshold_refuses_anything_but_a_whole_number_of_at_least_three(bad):
    with pytest.raises(ValueError, match="threshold"):
        anonymity.check_threshold(bad)


def test_check_threshold_returns_a_valid_threshold():
    assert anonymity.check_threshold(3) == 3
    assert anonymity.check_threshold(50) == 50


def test_round_results_are_visible_from_k_respondents():
    assert not anonymity.round_results_visible(4, 5)
    assert anonymity.round_results_visible(5, 5)


def test_breakdowns_need_k_and_ten_respondents():
    assert anonymity.breakdowns_allowed(4, 5) is Refusal.ROUND_BELOW_THRESHOLD
    assert anonymity.breakdowns_allowed(9, 5) is Refusal.ORGANISATION_TOO_SMALL
    assert anonymity.breakdowns_allowed(10, 5) is None
    assert anonymity.breakdowns_allowed(11, 11) is None


# --- Looks -----------------------------------------------------------------------------------


def test_without_interim_results_an_open_round_has_no_look_and_a_closed_one_a_final_look():
    assert anonymity.look_sizes(40, 5, Interim.NONE, closed=False) == ()
    assert anonymity.look_sizes(40, 5, Interim.NONE, closed=True) == (40,)
    assert anonymity.look_sizes(4, 5, Interim.NONE, closed=True) == ()


def test_interim_looks_are_whole_steps_of_k_that_trail_the_newest_by_at_least_k():
    assert anonymity.look_sizes(9, 5, Interim.ORGANISATION, closed=False) == ()
    assert anonymity.look_sizes(10, 5, Interim.ORGANISATION, closed=False) == (5,)
    assert anonymity.look_sizes(14, 5, Interim.ORGANISATION, closed=False) == (5,)
    assert anonymity.look_sizes(17, 5, Interim.ORGANISATION, closed=False) == (5, 10)
    # Closing adds the final look, at least k after the last interim one.
    assert anonymity.look_sizes(17, 5, Interim.ORGANISATION, closed=True) == (5, 10, 17)
    assert anonymity.look_sizes(15, 5, Interim.ORGANISATION, closed=True) == (5, 10, 15)


@pytest.mark.parametrize("received", range(0, 60))
@pytest.mark.parametrize("k", [3, 5, 7])
def test_successive_looks_differ_by_at_least_k(received, k):
    for closed in (False, True):
        sizes = anonymity.look_sizes(received, k, Interim.ORGANISATION, closed=closed)
        steps = [b - a for a, b in zip((0, *sizes), sizes, strict=False)]
        assert all(step >= k for step in steps), sizes
        if sizes and not closed:
            assert received - sizes[-1] >= k


def test_look_sizes_refuses_a_negative_count():
    with pytest.raises(ValueError):
        anonymity.look_sizes(-1, 5, Interim.NONE, closed=True)


# --- Atoms -----------------------------------------------------------------------------------


def test_atom_sizes_count_the_people_in_exactly_the_same_sets():
    atoms = anonymity.atom_sizes([{0, 1, 2}, {2, 3}], 5)
    # Person 4 is in no published set: nothing about them can be computed.
    assert atoms == {(True, False): 2, (True, True): 1, (False, True): 1}


def test_disclosure_is_safe_only_when_every_atom_has_zero_or_k_people():
    everyone = set(range(10))
    assert anonymity.disclosure_safe([everyone, set(range(5))], 10, 5)
    assert not anonymity.disclosure_safe([everyone, set(range(6))], 10, 5)  # leaves 4
    # Two breakdowns cross: 6 newcomers, 5 managers of whom 5 are newcomers → one person.
    newcomers, managers = set(range(6)), set(range(5))
    assert not anonymity.disclosure_safe([everyone, newcomers, managers], 10, 5)


# --- Breakdown specs ---------------------------------------------------------------------------


def test_breakdowns_come_in_the_fixed_order_of_preference_and_only_when_asked():
    result = anonymity.breakdown_specs(asked=["contract", "role", "team"], group_orders=ORDERS)
    assert [s.name for s in result] == ["team", LEADERSHIP, "role", "contract"]
    leadership = result[1]
    assert leadership.attribute == "role" and leadership.all_or_nothing
    assert [(g.label, g.values) for g in leadership.groups] == [
        (LEADERSHIP, frozenset({"manager", "director"})),
        (EMPLOYEES, frozenset({"employee"})),
    ]
    assert [g.label for g in result[0].groups] == ["A", "B", "C"]


# --- The plan ---------------------------------------------------------------------------------


def test_nothing_is_shown_before_close_by_default_and_hr_is_told_why():
    profiles = people((30, {"team": "A"}))
    result = plan(profiles, "team", closed=False)
    assert result.current is None and result.looks == ()
    assert result.reason is Refusal.NOT_BEFORE_CLOSE
    assert result.lag == 30


def test_interim_results_wait_for_the_first_step():
    result = plan(people((9, {"team": "A"})), "team", interim=Interim.ORGANISATION, closed=False)
    assert result.reason is Refusal.FIRST_STEP_NOT_REACHED and result.current is None


def test_a_closed_round_below_k_shows_nothing():
    result = plan(people((4, {"team": "A"})), "team")
    assert result.reason is Refusal.ROUND_BELOW_THRESHOLD and result.current is None


def test_interim_looks_show_the_organisation_only():
    profiles = people((20, {"team": "A"}), (3, {"team": "B"}))
    result = plan(profiles, "team", interim=Interim.ORGANISATION, closed=False)
    assert [look.size for look in result.looks] == [5, 10, 15]
    assert result.current.breakdown("team").reason is Refusal.NOT_IN_INTERIM
    assert result.lag == 8


def test_a_small_team_is_hidden_and_so_is_the_next_smallest_when_it_could_be_subtracted():
    profiles = people((9, {"team": "A"}), (12, {"team": "B"}), (4, {"team": "C"}))
    result = plan(profiles, "team")
    assert shown(result, "team") == {"B": 12}
    assert hidden(result, "team") == {"A": Reason.COMPLEMENTARY, "C": Reason.TOO_SMALL}
    assert_invariant(result, profiles)


def test_the_selection_shows_as_many_groups_as_possible_then_as_many_people():
    # Showing A alone leaves 12 (fine); A + B leaves 4; B + C leaves 9: two groups win.
    profiles = people((8, {"team": "A"}), (6, {"team": "B"}), (6, {"team": "C"}), (3, {}))
    result = plan(profiles, "team")
    assert len(shown(result, "team")) == 2
    assert_invariant(result, profiles)
    assert shown(result, "team") == {"A": 8, "B": 6}


def test_a_group_that_crosses_a_shown_team_in_fewer_than_k_people_is_hidden():
    # Attack 3 of issue 10: 6 newcomers, 5 managers who are all newcomers.
    profiles = people(
        (5, {"team": "A", "role": "manager", "tenure": "lt1"}),
        (1, {"team": "A", "role": "employee", "tenure": "lt1"}),
        (14, {"team": "B", "role": "employee", "tenure": "gt5"}),
    )
    result = plan(profiles, "team", "role", "tenure")
    assert shown(result, "team") == {"A": 6, "B": 14}
    # Managers alone would leave the one employee of A to be worked out from A.
    assert hidden(result, LEADERSHIP) == {
        LEADERSHIP: Reason.CROSSING,
        EMPLOYEES: Reason.CROSSING,
    }
    assert hidden(result, "role")["manager"] is Reason.CROSSING
    # Tenure "< 1 year" is exactly team A: the same set, so it may be shown again.
    assert shown(result, "tenure") == {"lt1": 6, "gt5": 14}
    assert_invariant(result, profiles)


def test_a_comparison_shows_both_groups_or_neither():
    profiles = people(
        (6, {"role": "manager"}), (4, {"role": "director"}), (3, {"role": "employee"})
    )
    result = plan(profiles, "role")
    assert shown(result, LEADERSHIP) == {}
    assert hidden(result, LEADERSHIP) == {
        LEADERSHIP: Reason.COMPLEMENTARY,
        EMPLOYEES: Reason.TOO_SMALL,
    }
    both = people((6, {"role": "manager"}), (6, {"role": "employee"}))
    assert shown(plan(both, "role"), LEADERSHIP) == {LEADERSHIP: 6, EMPLOYEES: 6}


def test_after_interim_looks_a_team_split_by_a_look_into_fewer_than_k_is_hidden():
    # Team A answered 3 before the first step (5) and 7 after: the look at 5 covered 3 of A.
    profiles = people(
        (3, {"team": "A"}), (2, {"team": "B"}), (7, {"team": "A"}), (8, {"team": "B"})
    )
    result = plan(profiles, "team", interim=Interim.ORGANISATION)
    assert [look.size for look in result.looks] == [5, 10, 15, 20]
    assert hidden(result, "team") == {
        "A": Reason.EARLIER_LOOK,
        "B": Reason.EARLIER_LOOK,
        "C": Reason.TOO_SMALL,  # no one: listed, without figures
    }
    assert_invariant(result, profiles)
    # Without interim looks both teams are shown at close.
    assert shown(plan(profiles, "team"), "team") == {"A": 10, "B": 10}


def test_a_team_whose_people_answered_together_survives_interim_looks():
    profiles = people((10, {"team": "A"}), (10, {"team": "B"}))
    result = plan(profiles, "team", interim=Interim.ORGANISATION)
    assert shown(result, "team") == {"A": 10, "B": 10}
    assert_invariant(result, profiles)


def test_below_ten_respondents_there_are_no_breakdowns():
    result = plan(people((5, {"team": "A"}), (4, {"team": "B"})), "team")
    breakdown = result.current.breakdown("team")
    assert not breakdown.allowed and breakdown.reason is Refusal.ORGANISATION_TOO_SMALL


def test_many_groups_are_selected_greedily_and_still_safely():
    teams = [f"T{i:02}" for i in range(20)]
    orders = {"team": teams}
    profiles = [{"team": team} for i, team in enumerate(teams) for _ in range(5 + i % 3)]
    profiles += [{"team": None}] * 3
    spec = anonymity.breakdown_specs(asked=["team"], group_orders=orders)
    result = anonymity.plan_round(profiles, threshold=K, closed=True, breakdowns=spec)
    assert len(result.current.breakdown("team").shown) == 19
    assert_invariant(result, profiles)


def test_group_values_outside_the_spec_stay_in_the_rest():
    spec = (BreakdownSpec("team", "team", (GroupSpec("A", frozenset({"A"})),)),)
    profiles = people((6, {"team": "A"}), (6, {"team": "gone"}))
    result = anonymity.plan_round(profiles, threshold=K, closed=True, breakdowns=spec)
    assert shown(result, "team") == {"A": 6}


def test_a_shown_group_knows_its_members_and_a_look_its_breakdowns():
    profiles = people((6, {"team": "A"}), (6, {"team": "B"}))
    look = plan(profiles, "team").current
    team = look.breakdown("team")
    assert look.breakdown("tenure") is None
    assert team.shown_labels == ("A", "B") and team.is_shown("A") and not team.is_shown("C")
    assert team.group_of({"team": "B"}) == "B"
    assert team.group_of({"team": None}) is None


def test_released_labels_are_the_shown_groups_of_the_final_look_only():
    profiles = people((9, {"team": "A"}), (12, {"team": "B"}), (4, {"team": "C"}))
    result = plan(profiles, "team")
    labels = result.released_labels(profiles)
    assert [row["team"] for row in labels] == [None] * 9 + ["B"] * 12 + [None] * 4
    with pytest.raises(ValueError):
        plan(profiles, "team", interim=Interim.ORGANISATION, closed=False).released_labels(profiles)


def test_published_sets_list_every_look_and_every_shown_group():
    profiles = people((10, {"team": "A"}), (10, {"team": "B"}))
    result = plan(profiles, "team", interim=Interim.ORGANISATION)
    sets = result.published_sets(profiles)
    assert frozenset(range(5)) in sets and frozenset(range(10)) in sets
    assert frozenset(range(20)) in sets and frozenset(range(10, 20)) in sets
    assert len(sets) == 4 + 2  # looks at 5, 10, 15 and 20; teams A and B


def test_the_threshold_is_checked():
    with pytest.raises(ValueError):
        plan(people((10, {"team": "A"})), "team", k=2)


# --- Open answers ------------------------------------------------------------------------------


def test_open_answers_need_k_respondents_and_k_answers():
    few = anonymity.visible_open_answers(["a", "b"], n_respondents=20, threshold=K, seed=1)
    assert not few.visible and few.reason is Refusal.TOO_FEW_ANSWERS and few.texts == ()
    small = anonymity.visible_open_answers(["a"] * 4, n_respondents=4, threshold=K, seed=1)
    assert small.reason is Refusal.ROUND_BELOW_THRESHOLD


def test_open_answers_are_shuffled_the_same_way_each_time_and_blank_ones_dropped():
    texts = [f"antwoord {i}" for i in range(12)] + ["", "   "]
    first = anonymity.visible_open_answers(texts, n_respondents=14, threshold=K, seed="7:1")
    again = anonymity.visible_open_answers(
        list(reversed(texts)), n_respondents=14, threshold=K, seed="7:1"
    )
    assert first.visible and first.texts == again.texts
    assert sorted(first.texts) == sorted(texts[:12])
    assert list(first.texts) != sorted(first.texts)
    other = anonymity.visible_open_answers(texts, n_respondents=14, threshold=K, seed=b"8:1")
    assert other.texts != first.texts


def test_more_open_answers_than_respondents_is_a_bug():
    with pytest.raises(ValueError):
        anonymity.visible_open_answers(["a"] * 6, n_respondents=5, threshold=K, seed=1)
