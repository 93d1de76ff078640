"""From measurement to improvement: the management view's gaps, how well its estimates
predicted the employees, and the change since an action plan. Pure: plain values in, frozen
dataclasses out, no ORM (tests/test_followup.py runs without a database).

Employee figures come only from a round's published :class:`~assessments.results.data.RoundResults`
(``campaign_results``), never from answers: a gap can therefore show nothing of the employees
that the dashboard does not already show, and a suppressed statement or dimension has no gap.
The management team's own figures are ``scoring.summarize`` over its answers, without a
threshold: the management view is not anonymous within the management team, and a view of one
person is shown as that person's view.

Rules
    * Gap = management mean − employees' mean, both as shown (rounded to 2 decimals), so the
      three numbers on a page add up. A gap is *notable* from ``presentation.NOTABLE_GAP``.
    * Conversation starters: the ``presentation.GAP_STATEMENTS`` statements with the largest
      positive gaps (management sees it more positively) and, separately, the largest negative
      ones; ties by statement code. A statement without a figure on either side has no gap.
    * An estimate is the mean of the management members' estimates of a dimension; its
      difference is estimate − employees' mean; "close" within ``presentation.CLOSE_ESTIMATE``.
      ``mean_abs_error`` is the mean absolute difference over the dimensions with both.
    * Change since a plan: per focus dimension, the round's comparison with the plan's round.
      When that round is the one ``RoundResults.previous`` compares with, its figures are
      reused as they are (the same numbers as the dashboard's comparison table); otherwise
      ``scoring.compare`` (Welch, 95%) on the shown figures and the plan round's kept summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from . import presentation, scoring
from .results.data import RoundResults

ROUND_DIGITS = 2


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, ROUND_DIGITS)


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, ROUND_DIGITS)


# --- The management view ------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    name: str
    role: str  # ManagementRole value
    role_label: str


@dataclass(frozen=True)
class DimensionGap:
    code: str
    name: str
    short_name: str
    management: float | None
    employees: float | None
    gap: float | None
    notable: bool


@dataclass(frozen=True)
class StatementGap:
    code: str
    text: str
    dimension: str  # the dimension's short name
    is_reversed: bool
    management: float
    employees: float
    gap: float


@dataclass(frozen=True)
class Estimate:
    code: str
    name: str
    short_name: str
    estimate: float | None
    estimators: int
    employees: float | None
    difference: float | None  # estimate − employees
    verdict: str | None  # "close", "too_high", "too_low"


@dataclass(frozen=True)
class ManagementComparison:
    participants: tuple[Participant, ...]
    visible: bool  # the employees' results are published, so gaps can be shown
    reason: str | None  # why not (anonymity.Refusal), when not visible
    reason_text: str | None
    employees_n: int
    management_overall: float | None
    employees_overall: float | None
    dimensions: tuple[DimensionGap, ...]
    management_higher: tuple[StatementGap, ...]
    employees_higher: tuple[StatementGap, ...]
    estimates: tuple[Estimate, ...]
    mean_abs_error: float | None

    @property
    def respondents(self) -> int:
        return len(self.participants)

    @property
    def single(self) -> bool:
        """One person's view, which every output names as theirs."""
        return len(self.participants) == 1

    @property
    def label(self) -> str:
        return presentation.management_label([(p.name, p.role_label) for p in self.participants])

    @property
    def has_estimates(self) -> bool:
        return any(e.estimators for e in self.estimates)

    def dimension(self, code: str) -> DimensionGap:
        return next(d for d in self.dimensions if d.code == code)


@dataclass(frozen=True)
class ContentText:
    """The words of the round's content in one language (the employees' results may be
    hidden, so the names cannot come from them)."""

    dimensions: Mapping[str, tuple[str, str]]  # code → (name, short name), in display order
    items: Mapping[str, tuple[str, str, bool]]  # code → (statement, dimension code, reversed)


def compare_views(
    employees: RoundResults,
    management: Sequence[Mapping[str, int | None]],
    specs: Sequence[scoring.ItemSpec],
    content: ContentText,
    participants: Sequence[Participant],
    estimates: Mapping[str, Sequence[float]] | None = None,
    *,
    statements: int = presentation.GAP_STATEMENTS,
) -> ManagementComparison:
    """The management view beside the published employee results of the same round.

    ``management``: one answer mapping per submitted management member (item code → 1..5 or
    None), as ``scoring.summarize`` reads them; ``estimates``: dimension code → the members'
    estimates (1.0–5.0).
    """
    own = scoring.summarize(list(management), specs) if management else None
    own_dims = {d.code: d for d in own.dimensions} if own else {}
    own_items = {i.code: i for i in own.items} if own else {}
    shown = employees.visible
    employee_dims = {d.code: d for d in employees.dimensions} if shown else {}
    employee_items = {i.code: i for _d, i in employees.items()} if shown else {}

    dimensions = []
    for code, (name, short_name) in content.dimensions.items():
        mine = _r(own_dims[code].mean) if code in own_dims else None
        theirs = employee_dims[code].mean if code in employee_dims else None
        gap = _difference(mine, theirs)
        dimensions.append(
            DimensionGap(
                code,
                name,
                short_name,
                mine,
                theirs,
                gap,
                notable=gap is not None and abs(gap) >= presentation.NOTABLE_GAP,
            )
        )

    gaps = []
    for code, (text, dimension_code, is_reversed) in content.items.items():
        mine_item = own_items.get(code)
        theirs_item = employee_items.get(code)
        if mine_item is None or theirs_item is None:
            continue
        mine, theirs = _r(mine_item.mean), theirs_item.mean
        gap = _difference(mine, theirs)
        if gap is None or mine is None or theirs is None or gap == 0:
            continue
        short = content.dimensions.get(dimension_code, (dimension_code, dimension_code))[1]
        gaps.append(StatementGap(code, text, short, is_reversed, mine, theirs, gap))
    higher = sorted((g for g in gaps if g.gap > 0), key=lambda g: (-g.gap, g.code))
    lower = sorted((g for g in gaps if g.gap < 0), key=lambda g: (g.gap, g.code))

    predicted = predictions(content, estimates or {}, employee_dims)
    errors = [abs(e.difference) for e in predicted if e.difference is not None]
    return ManagementComparison(
        participants=tuple(participants),
        visible=shown,
        reason=None if shown else employees.reason,
        reason_text=None if shown else employees.reason_text,
        employees_n=employees.respondents if shown else 0,
        management_overall=_r(own.overall_index) if own else None,
        employees_overall=employees.overall_index if shown else None,
        dimensions=tuple(dimensions),
        management_higher=tuple(higher[:statements]),
        employees_higher=tuple(lower[:statements]),
        estimates=predicted,
        mean_abs_error=_r(sum(errors) / len(errors)) if errors else None,
    )


def predictions(
    content: ContentText,
    estimates: Mapping[str, Sequence[float]],
    employee_dims: Mapping[str, object],
) -> tuple[Estimate, ...]:
    """Per dimension: management's mean estimate beside the employees' mean."""
    out = []
    for code, (name, short_name) in content.dimensions.items():
        values = [float(v) for v in estimates.get(code, ())]
        estimate = _r(sum(values) / len(values)) if values else None
        employees = getattr(employee_dims.get(code), "mean", None)
        difference = _difference(estimate, employees)
        verdict = None
        if difference is not None:
            if abs(difference) <= presentation.CLOSE_ESTIMATE:
                verdict = "close"
            else:
                verdict = "too_high" if difference > 0 else "too_low"
        out.append(
            Estimate(code, name, short_name, estimate, len(values), employees, difference, verdict)
        )
    return tuple(out)


# --- The action plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class FocusChange:
    code: str
    name: str
    at_plan: float | None  # the mean in the plan's round
    now: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    is_meaningful: bool

    @property
    def up(self) -> bool:
        return (self.difference or 0) > 0


def changes_since_plan(
    focus: Sequence[str],
    current: RoundResults,
    plan_round_id: int,
    plan_round: Mapping[str, scoring.Stats] | None,
) -> tuple[FocusChange, ...]:
    """Per focus dimension (code), the change of the shown mean since the plan's round."""
    if not current.visible:
        return ()
    previous = current.previous
    reuse = previous is not None and previous.campaign_id == plan_round_id
    out = []
    for code in focus:
        dim = next((d for d in current.dimensions if d.code == code), None)
        if dim is None:
            continue
        if reuse and previous is not None and code in previous.dimensions:
            change = previous.dimensions[code]
            out.append(
                FocusChange(
                    code,
                    dim.name,
                    change.previous_mean,
                    dim.mean,
                    change.difference,
                    change.ci_low,
                    change.ci_high,
                    change.is_meaningful,
                )
            )
            continue
        stats = (plan_round or {}).get(code)
        if stats is None or stats.mean is None:
            out.append(FocusChange(code, dim.name, None, dim.mean, None, None, None, False))
            continue
        compared = scoring.compare(dim, stats)
        out.append(
            FocusChange(
                code,
                dim.name,
                _r(stats.mean),
                dim.mean,
                _r(compared.difference),
                _r(compared.ci_low),
                _r(compared.ci_high),
                compared.is_meaningful,
            )
        )
    return tuple(out)


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many actions have each status, in the statuses' order."""
    counts = dict.fromkeys(presentation.ACTION_STATUS_CLASSES, 0)
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts
