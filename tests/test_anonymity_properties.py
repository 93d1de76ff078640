"""Property: whatever the organisation, the submission order and the moments HR looks, the
figures of every output for every look never single out fewer than k respondents.

Hypothesis generates organisations (teams of 1–30, the four segment questions with "zeg ik
liever niet", k from 3 to 10), submission orders, the moments HR looks while the round is open,
and the interim-results setting. At each moment the results are built by the same pure code
the dashboard, PDF, exports, JSON and response-rate page render (``results.build``), and the
response-level file's row labels are taken from the plan at close. Every group that has a
figure in any of them is mapped back to the respondents it covers; then

* every atom of those sets has 0 or at least k respondents (the invariant), and
* on small rounds, by brute force, no set of fewer than k respondents has its indicator vector
  in the span of the published sets' indicator vectors — no linear combination of published
  sums (over time, across breakdowns, file and page) gives it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import anonymity, presentation
from assessments.results import build
from assessments.results.data import RoundInfo
from assessments.scoring import ItemSpec

ROLES = ["employee", "manager", "director"]
TENURES = ["lt1", "1-5", "gt5"]
CONTRACTS = ["permanent", "temporary", "work_study"]
ITEMS = [ItemSpec(f"D{d}.{i}", f"D{d}", f"I{d}", i == 3) for d in (1, 2) for i in (1, 2, 3)]
OPEN_QUESTION = (1, "O1")
LABELS = build.Labels(
    language="nl",
    round=RoundInfo(
        1, "Meting", "Bakkerij", dt.date(2026, 1, 1), dt.date(2026, 1, 31), "open", None
    ),
    dimensions={},
    indicators={},
    items={},
    groups={},
    questions={},
)
RATE = presentation.response_rate(
    received=0, headcount=None, team_sizes=[], invitations_sent=0, invitations_used=0
)


@dataclass
class Round:
    k: int
    interim: str
    asked: tuple[str, ...]
    teams: list[str]
    respondents: list[build.Respondent]  # in submission order
    looks: list[int]  # numbers of responses received when HR looked while open


@st.composite
def rounds(draw, max_people: int = 70) -> Round:
    k = draw(st.integers(3, 10))
    sizes = draw(st.lists(st.integers(1, 30), min_size=1, max_size=5))
    teams = [f"team-{i}" for i in range(len(sizes))]
    rng = random.Random(draw(st.integers(0, 2**32)))
    undisclosed = draw(st.sampled_from([0.0, 0.1, 0.3]))

    def answer(options: list[str]) -> str | None:
        return None if rng.random() < undisclosed else rng.choice(options)

    people = []
    for team, size in zip(teams, sizes, strict=True):
        for _ in range(size):
            people.append(
                build.Respondent(
                    answers={
                        spec.code: None if rng.random() < 0.1 else rng.randint(1, 5)
                        for spec in ITEMS
                    },
                    team=None if rng.random() < undisclosed else team,
                    role=answer(["employee"] * 4 + ["manager", "director"]),
                    tenure=answer(TENURES),
                    contract=answer(["permanent"] * 3 + ["temporary", "work_study"]),
                    open_texts={OPEN_QUESTION[0]: f"tekst {rng.random()}"}
                    if rng.random() < 0.5
                    else {},
                )
            )
    people = people[:max_people]
    order = draw(st.permutations(range(len(people))))
    asked = tuple(
        name
        for name in anonymity.SEGMENTS
        if draw(st.booleans()) or (name == "team" and draw(st.booleans()))
    )
    looks = sorted(draw(st.sets(st.integers(1, len(people)), max_size=12)))
    interim = draw(st.sampled_from([i.value for i in anonymity.Interim]))
    return Round(k, interim, asked, teams, [people[i] for i in order], looks)


def round_input(r: Round, received: int, closed: bool) -> build.RoundInput:
    return build.RoundInput(
        campaign_id=1,
        threshold=r.k,
        open_answer_threshold=r.k,
        interim=r.interim,
        closed=closed,
        asked=r.asked,
        group_orders={"team": r.teams, "role": ROLES, "tenure": TENURES, "contract": CONTRACTS},
        item_specs=ITEMS,
        respondents=r.respondents[:received],
        open_questions=[OPEN_QUESTION],
    )


def members(r: Round, covered: int, attribute: str, values) -> frozenset[int]:
    return frozenset(i for i in range(covered) if r.respondents[i].profile()[attribute] in values)


def sets_of_output(r: Round, results, received: int) -> list[frozenset[int]]:
    """Every set of respondents a figure in these results describes, checked against its n."""
    if not results.visible:
        assert results.dimensions == () and results.breakdowns == {}
        return []
    covered = results.respondents
    assert covered <= received
    out = [frozenset(range(covered))]
    for name, breakdown in results.breakdowns.items():
        for group in breakdown.groups:
            group_set = members(r, covered, name, {group.key})
            assert len(group_set) == group.n
            out.append(group_set)
    comparison = results.role_comparison
    if comparison.allowed:
        for group, roles in (
            (comparison.leadership, anonymity.LEADERSHIP_ROLES),
            (comparison.employees, anonymity.EMPLOYEE_ROLES),
        ):
            group_set = members(r, covered, "role", roles)
            assert len(group_set) == group.n
            out.append(group_set)
    for question in results.open_answers:
        # Open answers describe the look's respondents, never a group.
        assert len(question.texts) <= covered
    return out


def everything_published(r: Round) -> tuple[list[frozenset[int]], int]:
    n = len(r.respondents)
    sets: list[frozenset[int]] = []
    moments = [(m, False) for m in r.looks if m < n] + [(n, True)]
    previous_cover = 0
    for received, closed in moments:
        data = round_input(r, received, closed)
        plan = build.publication_plan(data)
        results = build.build_results(data, plan, LABELS, rate=RATE)
        cover = results.respondents
        # Looks change only in whole steps of at least k.
        assert cover == previous_cover or cover - previous_cover >= r.k
        previous_cover = cover
        sets += sets_of_output(r, results, received)
        if closed and plan.current is not None:
            # The response-level file: its rows' label combinations are published too.
            profiles = [p.profile() for p in r.respondents]
            combos: dict[tuple, set[int]] = {}
            for i, labels in enumerate(plan.released_labels(profiles)):
                combos.setdefault(tuple(sorted(labels.items())), set()).add(i)
            sets += [frozenset(s) for s in combos.values()]
    return sets, n


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rounds())
def test_no_atom_of_everything_ever_published_is_smaller_than_k(r):
    sets, n = everything_published(r)
    atoms = anonymity.atom_sizes(sets, n)
    assert all(size >= r.k for size in atoms.values()), sorted(atoms.values())


def _in_span(basis: list[tuple[int, list[Fraction]]], vector: list[Fraction]) -> bool:
    v = list(vector)
    for pivot, row in basis:
        if v[pivot]:
            factor = v[pivot]
            v = [a - factor * b for a, b in zip(v, row, strict=True)]
    return not any(v)


def _echelon(rows: list[list[int]]) -> list[tuple[int, list[Fraction]]]:
    basis: list[tuple[int, list[Fraction]]] = []
    for raw in rows:
        v = [Fraction(x) for x in raw]
        for pivot, row in basis:
            if v[pivot]:
                factor = v[pivot]
                v = [a - factor * b for a, b in zip(v, row, strict=True)]
        pivot = next((j for j, x in enumerate(v) if x), None)
        if pivot is None:
            continue
        v = [x / v[pivot] for x in v]
        basis = [(p, [a - row[pivot] * b for a, b in zip(row, v, strict=True)]) for p, row in basis]
        basis.append((pivot, v))
    return basis


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rounds(max_people=13))
def test_no_small_set_of_respondents_is_a_linear_combination_of_published_sets(r):
    sets, n = everything_published(r)
    basis = _echelon([[int(i in s) for i in range(n)] for s in sets])
    for size in range(1, min(r.k, n + 1)):
        for small in itertools.combinations(range(n), size):
            vector = [Fraction(int(i in small)) for i in range(n)]
            assert not _in_span(basis, vector), small


def test_the_brute_force_check_finds_a_difference_of_two_published_groups():
    # The checker itself must be able to fail: 6 newcomers minus 5 managers is one person.
    everyone, newcomers, managers = range(10), range(6), range(5)
    rows = [[int(i in s) for i in range(10)] for s in (everyone, newcomers, managers)]
    basis = _echelon(rows)
    assert _in_span(basis, [Fraction(int(i == 5)) for i in range(10)])
    assert not _in_span(basis, [Fraction(int(i == 7)) for i in range(10)])


# --- The blanks of the response-level file -----------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    threshold=st.integers(min_value=3, max_value=6),
    rows=st.lists(
        st.tuples(
            st.sampled_from("ABC"),
            st.tuples(st.booleans(), st.booleans()),
            st.tuples(st.booleans()),
            st.sampled_from([(False,), (True,)]),
        ),
        min_size=0,
        max_size=60,
    ),
)
def test_the_kept_dimensions_leave_every_group_and_pattern_of_blanks_none_or_at_least_k_rows(
    threshold, rows
):
    # Groups of the file's columns always hold 0 or ≥ k rows (the plan releases no smaller
    # label combination), so only those are generated.
    sizes = {g: sum(1 for row in rows if row[0] == g) for g in "ABC"}
    rows = [row for row in rows if sizes[row[0]] >= threshold]
    groups = [row[0] for row in rows]
    blanks = {
        "D1": [row[1] for row in rows],
        "D2": [row[2] for row in rows],
        "D3": [row[3] for row in rows],
    }
    kept = anonymity.file_dimensions(groups, blanks, threshold)
    classes: dict[tuple, int] = {}
    for i, group in enumerate(groups):
        key = (group, *(blanks[d][i] for d in kept))
        classes[key] = classes.get(key, 0) + 1
    assert all(size >= threshold for size in classes.values()), (kept, classes)
    # Nothing is left out that need not be: a dimension whose blanks are the same in every
    # row, or that is safe on its own next to what is kept, stays.
    for d in ("D1", "D2", "D3"):
        if len(set(blanks[d])) <= 1:
            assert d in kept
