"""Which aggregates of a round may be shown without revealing a group smaller than k.

Pure Python (standard library only, no Django). The rules are those of DESIGN.md §4 and
instrument.md §4; every figure on the dashboard, in the PDF, the exports and the JSON must go
through one of these plans.

Usage::

    sizes = group_sizes(response.team_key for response in responses)  # None = unknown
    plan = plan_breakdown(sizes, threshold=campaign.threshold, groups=team_keys)
    if plan.allowed:
        for group in plan.shown: ...  # summarize() the respondents of group.label
        for group in plan.suppressed: ...  # label + reason ("too_small" / "complementary")

    comparison = plan_role_comparison(role_sizes, threshold=k)   # radar overlay
    role_plan = plan_breakdown(role_sizes, threshold=k, also_shown=comparison.shown)

Labels are the caller's stable keys for a group (a team name or ``str(pk)``, a role code);
``None`` stands for respondents whose group is unknown (question not asked, "zeg ik liever
niet"). One plan covers exactly one breakdown: there is deliberately no API for crossed
breakdowns (team × tenure).

Why the rules are enough
    Every aggregate we publish (count, sum, mean, distribution) is additive over respondents.
    From a set of published aggregates over sets of respondents, anyone can compute the
    aggregate over any union of the "atoms": the classes of respondents who lie in exactly the
    same published sets. Nothing finer can be derived, because every combination of published
    figures is constant on each atom. So a plan is safe exactly when **every atom has 0 or at
    least k respondents** (:func:`disclosure_safe`). For one breakdown the atoms are the shown
    groups (each ≥ k) and the remainder — hidden groups plus unknowns, i.e. the organisation
    total minus the shown groups — which must be 0 or ≥ k. That covers every pair S ⊂ T of
    shown aggregates, their unions and differences: T \\ S is a union of atoms.

    Complementary suppression: when the remainder is between 1 and k − 1, the smallest shown
    group (ties: by label) is hidden as well. One is always enough for a single breakdown,
    since it adds ≥ k to the remainder. With ``also_shown`` (aggregates published elsewhere
    over the same respondents, such as the leadership/employee comparison for the role
    breakdown) the same atom rule is applied across both views; then the smallest group whose
    removal alone makes the plan safe is hidden, or else the smallest group, until it is safe.

    Only aggregates over one partition (and unions of its cells) are tracked. Crossing two
    breakdowns, e.g. team A and "managers", is not exactly derivable from their totals; that is
    why only one breakdown is shown at a time.

Other rules
    * Round results only when the round has ≥ k respondents (:func:`round_results_visible`).
    * Breakdowns only when the organisation has ≥ 10 respondents
      (``MIN_RESPONDENTS_FOR_BREAKDOWNS``) and ≥ k.
    * Suppressed groups are listed without their size: the size of a small group is itself a
      count below k.
    * Team response rates show a team's count only if the team is shown in the team breakdown
      plan for the same respondents and its size is known, so the progress page and the
      dashboard together never show more than the plan allows.
    * Open answers only at organisation level, when at least ``threshold`` people answered the
      question, sorted and then shuffled with a caller-given seed, without dates.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

MIN_THRESHOLD = 3
MIN_RESPONDENTS_FOR_BREAKDOWNS = 10
INDICATIVE_RESPONSE_RATE = 0.5  # instrument.md §4.5: "about 40–50%"; we take the cautious end
LEADERSHIP_ROLES: frozenset[str] = frozenset({"manager", "director"})
EMPLOYEE_ROLES: frozenset[str] = frozenset({"employee"})
LEADERSHIP = "leadership"
EMPLOYEES = "employees"

Label = str | None


class Reason(StrEnum):
    """Why one group is not shown."""

    TOO_SMALL = "too_small"
    COMPLEMENTARY = "complementary"
    SIZE_UNKNOWN = "size_unknown"  # response rates only


class Refusal(StrEnum):
    """Why a whole plan shows nothing."""

    ROUND_BELOW_THRESHOLD = "round_below_threshold"  # fewer than k respondents in the round
    ORGANISATION_TOO_SMALL = "organisation_too_small"  # fewer than 10: organisation level only
    GROUP_TOO_SMALL = "group_too_small"  # a compared group has fewer than k
    REMAINDER_TOO_SMALL = "remainder_too_small"  # the rest could be derived by subtraction
    TOO_FEW_ANSWERS = "too_few_answers"  # open answers below their threshold


@dataclass(frozen=True)
class ShownGroup:
    label: str
    size: int
    members: frozenset[Label]  # the labels of the respondents it covers

    @classmethod
    def single(cls, label: str, size: int) -> ShownGroup:
        return cls(label, size, frozenset({label}))


@dataclass(frozen=True)
class SuppressedGroup:
    label: str
    reason: Reason


@dataclass(frozen=True)
class BreakdownPlan:
    allowed: bool
    reason: Refusal | None
    total: int
    threshold: int
    shown: tuple[ShownGroup, ...]
    suppressed: tuple[SuppressedGroup, ...]
    not_shown: int  # respondents in no shown group: 0 or ≥ k whenever anything is shown

    def is_shown(self, label: str) -> bool:
        return any(group.label == label for group in self.shown)

    @property
    def shown_labels(self) -> tuple[str, ...]:
        return tuple(group.label for group in self.shown)


@dataclass(frozen=True)
class RoleComparison:
    allowed: bool
    reason: Refusal | None
    leadership: ShownGroup | None
    employees: ShownGroup | None

    @property
    def shown(self) -> tuple[ShownGroup, ...]:
        if self.leadership is None or self.employees is None:
            return ()
        return (self.leadership, self.employees)


@dataclass(frozen=True)
class TeamResponseRate:
    label: str
    size: int | None  # team size as entered by HR
    responded: int | None  # None when hidden
    rate: float | None
    is_indicative: bool  # rate below INDICATIVE_RESPONSE_RATE: mark results "indicatief"
    reason: Reason | Refusal | None  # why ``responded`` is hidden


@dataclass(frozen=True)
class ResponseRates:
    total_responses: int
    allowed: bool  # whether per-team counts may be shown at all
    reason: Refusal | None
    teams: tuple[TeamResponseRate, ...]


@dataclass(frozen=True)
class OpenAnswers:
    visible: bool
    reason: Refusal | None
    texts: tuple[str, ...]


# --- Basic rules -------------------------------------------------------------------------


def check_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise ValueError(f"The threshold must be a whole number, not {threshold!r}.")
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"The threshold must be at least {MIN_THRESHOLD}, not {threshold}.")
    return threshold


def round_results_visible(total: int, threshold: int) -> bool:
    """Whether a round has enough respondents to show anything at all."""
    return total >= check_threshold(threshold)


def breakdowns_allowed(total: int, threshold: int) -> Refusal | None:
    """None when breakdowns may be shown, else the reason why not."""
    if not round_results_visible(total, threshold):
        return Refusal.ROUND_BELOW_THRESHOLD
    if total < MIN_RESPONDENTS_FOR_BREAKDOWNS:
        return Refusal.ORGANISATION_TOO_SMALL
    return None


def group_sizes(labels: Iterable[Label]) -> dict[Label, int]:
    """Respondents per label, from one label per respondent (None = unknown)."""
    return dict(Counter(labels))


def disclosure_safe(
    sizes: Mapping[Label, int], shown: Iterable[Collection[Label]], threshold: int
) -> bool:
    """Whether publishing the total and aggregates over ``shown`` (sets of labels) is safe.

    Safe means every atom — the respondents who lie in exactly the same published sets — has
    0 or at least ``threshold`` respondents; see the module docstring.
    """
    sets = [frozenset(members) for members in shown]
    atoms: Counter[tuple[bool, ...]] = Counter()
    for label, size in sizes.items():
        atoms[tuple(label in members for members in sets)] += size
    return all(size == 0 or size >= threshold for size in atoms.values())


# --- Breakdowns --------------------------------------------------------------------------


def plan_breakdown(
    sizes: Mapping[Label, int],
    *,
    threshold: int,
    total: int | None = None,
    groups: Sequence[str] = (),
    also_shown: Iterable[ShownGroup | Collection[Label]] = (),
) -> BreakdownPlan:
    """Which groups of one breakdown may be shown.

    ``sizes``: respondents per label (``None`` = unknown). ``total``: the round's respondents
    when ``sizes`` counts only some of them (the rest count as unknown); default: their sum.
    ``groups``: every possible label in display order, so groups without respondents are
    listed as suppressed too; labels found only in ``sizes`` follow, sorted. ``also_shown``:
    aggregates over the same respondents that are published elsewhere (see module docstring).
    """
    check_threshold(threshold)
    cells, total = _cells(sizes, total)
    order = list(dict.fromkeys([*groups, *sorted(label for label in cells if label is not None)]))
    refusal = breakdowns_allowed(total, threshold)
    if refusal is not None:
        return BreakdownPlan(False, refusal, total, threshold, (), (), total)
    for label in order:
        cells.setdefault(label, 0)
    other_sets = [
        item.members if isinstance(item, ShownGroup) else frozenset(item) for item in also_shown
    ]
    if not disclosure_safe(cells, other_sets, threshold):
        raise ValueError("The aggregates in also_shown already reveal a group smaller than k.")

    reasons = {label: Reason.TOO_SMALL for label in order if cells[label] < threshold}
    shown = [label for label in order if label not in reasons]

    def safe(labels: Sequence[str]) -> bool:
        return disclosure_safe(cells, [*other_sets, *({label} for label in labels)], threshold)

    while shown and not safe(shown):
        by_size = sorted(shown, key=lambda label: (cells[label], label))
        victim = next(
            (label for label in by_size if safe([other for other in shown if other != label])),
            by_size[0],
        )
        shown.remove(victim)
        reasons[victim] = Reason.COMPLEMENTARY

    return BreakdownPlan(
        allowed=True,
        reason=None,
        total=total,
        threshold=threshold,
        shown=tuple(ShownGroup.single(label, cells[label]) for label in shown),
        suppressed=tuple(
            SuppressedGroup(label, reasons[label]) for label in order if label in reasons
        ),
        not_shown=total - sum(cells[label] for label in shown),
    )


def plan_role_comparison(
    role_sizes: Mapping[Label, int],
    *,
    threshold: int,
    total: int | None = None,
    leadership_roles: Collection[str] = LEADERSHIP_ROLES,
    employee_roles: Collection[str] = EMPLOYEE_ROLES,
) -> RoleComparison:
    """Leidinggevenden (managers + directors) vs. medewerkers, e.g. for the radar overlay.

    Both groups need ≥ k respondents, and the respondents in neither (role unknown) must be
    0 or ≥ k, else one group could be derived from the total and the other. Feed the result
    to ``plan_breakdown(..., also_shown=comparison.shown)`` for the role breakdown.
    """
    check_threshold(threshold)
    cells, total = _cells(role_sizes, total)

    def refused(reason: Refusal) -> RoleComparison:
        return RoleComparison(False, reason, None, None)

    refusal = breakdowns_allowed(total, threshold)
    if refusal is not None:
        return refused(refusal)
    leaders = frozenset(label for label in cells if label in leadership_roles)
    employees = frozenset(label for label in cells if label in employee_roles)
    if leaders & employees:
        raise ValueError("A role cannot be both leadership and employee.")
    n_leaders = sum(cells[label] for label in leaders)
    n_employees = sum(cells[label] for label in employees)
    if n_leaders < threshold or n_employees < threshold:
        return refused(Refusal.GROUP_TOO_SMALL)
    if not disclosure_safe(cells, [leaders, employees], threshold):
        return refused(Refusal.REMAINDER_TOO_SMALL)
    return RoleComparison(
        True,
        None,
        ShownGroup(LEADERSHIP, n_leaders, leaders),
        ShownGroup(EMPLOYEES, n_employees, employees),
    )


# --- Response rates ----------------------------------------------------------------------


def team_response_rates(
    team_sizes: Mapping[str, int | None],
    responded: Mapping[Label, int],
    *,
    threshold: int,
    total: int | None = None,
) -> ResponseRates:
    """Responses per team for the progress page.

    ``team_sizes``: every team of the round (display order) → its size, or None when HR did
    not enter one. ``responded``: responses per team label (None = team unknown). A team's
    count is shown only when the team is shown in the team breakdown plan for these responses
    and its size is known; the organisation total is always returned.
    """
    plan = plan_breakdown(responded, threshold=threshold, total=total, groups=list(team_sizes))
    hidden = {group.label: group.reason for group in plan.suppressed}
    rows = []
    for label, size in team_sizes.items():
        if size is not None and (isinstance(size, bool) or size < 0):
            raise ValueError(f"Team size of {label!r} must be a positive number or unknown.")
        reason: Reason | Refusal | None
        if not plan.allowed:
            reason = plan.reason
        elif label in hidden:
            reason = hidden[label]
        elif size is None:
            reason = Reason.SIZE_UNKNOWN
        else:
            reason = None
        if reason is not None:
            rows.append(TeamResponseRate(label, size, None, None, False, reason))
            continue
        count = responded.get(label, 0)
        rate = count / size if size else None
        indicative = rate is not None and rate < INDICATIVE_RESPONSE_RATE
        rows.append(TeamResponseRate(label, size, count, rate, indicative, None))
    return ResponseRates(plan.total, plan.allowed, plan.reason, tuple(rows))


# --- Open answers ------------------------------------------------------------------------


def visible_open_answers(
    texts: Iterable[str],
    *,
    n_respondents: int,
    threshold: int,
    seed: str | int | bytes,
) -> OpenAnswers:
    """The answers to one open question at organisation level, or nothing.

    ``texts``: the answers to the question (one per respondent; blank ones are dropped).
    ``n_respondents``: the round's respondents. ``threshold``: the open-answer threshold
    (≥ 3; default in the round = k). Shown only when both the round and the number of
    non-blank answers reach the threshold. The order is a shuffle seeded by ``seed`` (e.g.
    the campaign's id plus the question's id), so a reload keeps the order while the
    order of submission, which the caller's query might preserve, is lost.
    """
    check_threshold(threshold)
    answers = sorted(text.strip() for text in texts if text and text.strip())
    if len(answers) > n_respondents:
        raise ValueError("There are more open answers than respondents.")
    if n_respondents < threshold:
        return OpenAnswers(False, Refusal.ROUND_BELOW_THRESHOLD, ())
    if len(answers) < threshold:
        return OpenAnswers(False, Refusal.TOO_FEW_ANSWERS, ())
    rng = random.Random(int.from_bytes(hashlib.sha256(_seed_bytes(seed)).digest(), "big"))
    rng.shuffle(answers)
    return OpenAnswers(True, None, tuple(answers))


# --- Helpers -----------------------------------------------------------------------------


def _cells(sizes: Mapping[Label, int], total: int | None) -> tuple[dict[Label, int], int]:
    cells: dict[Label, int] = {}
    for label, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"Group {label!r} has an invalid size {size!r}.")
        cells[label] = size
    counted = sum(cells.values())
    if total is None:
        total = counted
    elif total < counted:
        raise ValueError(f"The total ({total}) is smaller than the groups together ({counted}).")
    cells[None] = cells.get(None, 0) + total - counted
    return cells, total


def _seed_bytes(seed: str | int | bytes) -> bytes:
    if isinstance(seed, bytes):
        return seed
    return str(seed).encode()
