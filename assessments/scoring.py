"""Scoring of the leercultuur questionnaire: answers in, frozen dataclasses out.

Pure Python (standard library only, no Django), so it is tested without a database and reused
by the dashboard, the PDF report, the exports and ``campaign_results``. The rules are those of
instrument.md §3 and DESIGN.md §5.

Usage::

    items = [ItemSpec("D1.1", "D1", "autonomy"), ItemSpec("D1.5", "D1", "complexity", True), ...]
    result = summarize(responses, items, threshold=campaign.threshold)
    result.dimension("D1").mean, result.dimension("D1").band.level, result.overall_index

Input
    ``items``: one :class:`ItemSpec` per scored item. Dimensions and indicators are derived
    from the items, in the order the items are given. Pass only the items of the questionnaire
    that was answered (e.g. only the quick-scan items): the ⅔ rule counts the items given here.
    ``responses``: one mapping per respondent, item code → raw answer 1..5, or ``None`` for
    "weet ik niet / n.v.t."; a missing key means "not answered". Both count as missing. Keys
    that are not among ``items`` (e.g. the criterion items C1/C2) are ignored. Any other value
    raises ``ValueError``.

Rules and the choices made where instrument.md leaves room
    * Reverse items are scored 6 − answer (:func:`scored_value`). Everything below (means,
      % positive/negative, distributions) uses *scored* values, so for a reverse item a
      "helemaal mee eens" counts as negative; the UI should mark reverse items (``is_reversed``).
    * A respondent's dimension score is the mean of their valid items in that dimension, only
      when ``valid * 3 >= total * 2`` (exact integer comparison of the ⅔ rule).
    * Group dimension mean = mean of the respondents' dimension scores; ``sd`` is the sample SD
      (n − 1); ``ci_low``/``ci_high`` is the 95% interval mean ± t(0.975, n − 1)·sd/√n.
    * ``pct_positive``/``pct_negative`` are shares in 0..1 (not percentages). For an item: the
      share of its valid scored answers that are 4–5 (1–2). For a dimension: the unweighted mean
      of its items' shares ("averaged over the items", instrument.md §3), so an item that many
      people answered n.v.t. weighs as much as any other. Items without valid answers are left
      out of that mean. Answers of respondents without a dimension score still count here.
    * ``distribution`` = counts of scored values 1..5; for a dimension, over all answers to its
      items.
    * Indicator mean = mean of all valid scored answers to the indicator's items (pooled).
    * Means and shares are computed exactly (``fractions.Fraction``) and converted to float at
      the end, so band edges (3.00, 4.00, 15%, 30%) and item ties are decided without rounding
      noise. :func:`band` decides on the exact value, not on the value rounded for display;
      a float passed to :func:`band` is read as the decimal it prints as (0.15 is 15%).
    * ``overall_index`` = unweighted mean of the dimension means; ``None`` if any is ``None``.
    * ``strongest``/``weakest``: the three items with the highest/lowest mean, ties broken by
      item code (ascending); items without a mean are skipped and no item is in both lists.
    * Cronbach's alpha per dimension over the respondents who answered *all* its items validly
      (listwise). ``None`` when that n < 3, the dimension has fewer than 2 items, or the total
      score has no variance. ``alpha_warning`` is True when n < 30 (``ALPHA_WARNING_N``): below
      that, alpha is too unstable to judge an instrument, so the UI should show it as indicative.
    * ``threshold`` (optional, the round's k): an item or dimension whose statistics would rest
      on fewer than k respondents gets all statistics set to ``None``/empty and
      ``suppressed=True``, because its mean and distribution would describe a smaller group
      than k. A dimension's shares and distribution then leave suppressed items out, and an
      indicator with a suppressed item is suppressed, so nothing hidden can be recovered by
      subtraction. Whether a *group* may be shown at all is decided by ``assessments.anonymity``.
    * :func:`compare` (round vs. previous round, leadership vs. employees): Welch's t-test at 95%;
      a difference counts as meaningful (``is_meaningful``) when its 95% interval excludes 0.
      The two rounds are treated as independent samples (they are anonymous, so they cannot be
      paired), which errs on the cautious side when many people took part twice.
    * :func:`benchmark`: quartiles with the "inclusive" method (type 7, as R's default, Excel's
      QUARTILE.INC and ``statistics.quantiles(method="inclusive")``); ``None`` below
      ``BENCHMARK_MIN_ORGANISATIONS``, so no organisation's own mean can be read back from it.
"""

from __future__ import annotations

import math
import operator
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from itertools import repeat
from typing import Protocol, cast

SCALE_MIN = 1
SCALE_MAX = 5
ALPHA_MIN_N = 3
ALPHA_WARNING_N = 30
TOP_ITEMS = 3
BENCHMARK_MIN_ORGANISATIONS = 5
CONFIDENCE = 0.95

LOW_MEAN = Fraction(3)
VULNERABLE_MEAN = Fraction(7, 2)
HIGH_MEAN = Fraction(4)
LOW_NEGATIVE_SHARE = Fraction(30, 100)
HIGH_MAX_NEGATIVE_SHARE = Fraction(15, 100)

Answers = Mapping[str, int | None]
Distribution = tuple[int, int, int, int, int]
_EMPTY_DISTRIBUTION: Distribution = (0, 0, 0, 0, 0)


# --- Data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    code: str
    dimension: str
    indicator: str = ""
    is_reversed: bool = False


class Level(StrEnum):
    LOW = "low"  # "Aandachtspunt"
    MIDDLE = "middle"  # "Basis aanwezig"
    HIGH = "high"  # "Sterk punt"


@dataclass(frozen=True)
class Band:
    level: Level
    vulnerable: bool = False  # "kwetsbaar": middle with 3.00 <= mean < 3.50

    @property
    def code(self) -> str:
        """One stable code for CSS classes and labels: low, vulnerable, middle or high."""
        return "vulnerable" if self.vulnerable else str(self.level)


@dataclass(frozen=True)
class ItemScore:
    code: str
    dimension: str
    indicator: str
    is_reversed: bool
    n_valid: int
    n_not_applicable: int  # answered "weet ik niet / n.v.t."
    n_unanswered: int  # no answer at all
    mean: float | None
    pct_positive: float | None
    pct_negative: float | None
    distribution: Distribution
    suppressed: bool = False


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    dimension: str
    n_answers: int
    mean: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class DimensionScore:
    code: str
    n: int  # respondents with a dimension score
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    pct_positive: float | None
    pct_negative: float | None
    distribution: Distribution
    band: Band | None
    indicators: tuple[IndicatorScore, ...]
    items: tuple[ItemScore, ...]
    alpha: float | None
    alpha_n: int  # respondents with all items valid
    alpha_warning: bool
    suppressed: bool = False
    # Respondents with a score who answered "n.v.t." to some statement: their score weighs
    # their answers differently, so the publication rules look at how many there are.
    n_partial: int = 0


@dataclass(frozen=True)
class GroupResult:
    n: int
    dimensions: tuple[DimensionScore, ...]
    overall_index: float | None
    strongest: tuple[ItemScore, ...]
    weakest: tuple[ItemScore, ...]

    def dimension(self, code: str) -> DimensionScore:
        for dimension in self.dimensions:
            if dimension.code == code:
                return dimension
        raise KeyError(code)

    @property
    def items(self) -> tuple[ItemScore, ...]:
        return tuple(item for dimension in self.dimensions for item in dimension.items)

    def item(self, code: str) -> ItemScore:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


@dataclass(frozen=True)
class Stats:
    """The figures of a group mean that a comparison needs, e.g. as kept after a round."""

    n: int
    mean: float | None
    sd: float | None


class _HasStats(Protocol):
    @property
    def n(self) -> int: ...
    @property
    def mean(self) -> float | None: ...
    @property
    def sd(self) -> float | None: ...


@dataclass(frozen=True)
class Change:
    difference: float | None  # current − previous
    ci_low: float | None  # 95% interval of the difference (Welch)
    ci_high: float | None
    df: float | None  # Welch–Satterthwaite degrees of freedom
    is_meaningful: bool  # the interval excludes 0


@dataclass(frozen=True)
class Quartiles:
    n: int
    q1: float
    median: float
    q3: float


# --- Respondent level --------------------------------------------------------------------


def scored_value(raw: int | None, is_reversed: bool) -> int | None:
    """The answer as scored: 6 − answer for reverse items; ``None`` stays missing."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not SCALE_MIN <= raw <= SCALE_MAX:
        raise ValueError(f"An answer must be a whole number from 1 to 5 or None, not {raw!r}.")
    return SCALE_MIN + SCALE_MAX - raw if is_reversed else raw


def has_enough_items(valid: int, total: int) -> bool:
    """The ⅔ rule, as an exact integer comparison."""
    return total > 0 and valid * 3 >= total * 2


def respondent_dimension_scores(
    answers: Answers, items: Sequence[ItemSpec]
) -> dict[str, float | None]:
    """Dimension code → this respondent's score, or None when fewer than ⅔ of items are valid."""
    dimensions = _dimensions(_checked_items(items))
    return {
        code: _to_float(_respondent_score(answers, specs)) for code, specs in dimensions.items()
    }


@dataclass(frozen=True)
class Coverage:
    """Per respondent, for one dimension: whether they have a score, and whether that score
    rests on fewer than all of its statements (some "n.v.t.")."""

    scored: tuple[bool, ...]
    partial: tuple[bool, ...]


def dimension_coverage(
    responses: Sequence[Answers], items: Sequence[ItemSpec]
) -> dict[str, Coverage]:
    out = {}
    for code, specs in _dimensions(_checked_items(items)).items():
        scored, partial = [], []
        for answers in responses:
            valid = sum(1 for spec in specs if answers.get(spec.code) is not None)
            has_score = has_enough_items(valid, len(specs))
            scored.append(has_score)
            partial.append(has_score and valid < len(specs))
        out[code] = Coverage(tuple(scored), tuple(partial))
    return out


def _respondent_score(answers: Answers, specs: Sequence[ItemSpec]) -> Fraction | None:
    values = [_answer(answers, spec) for spec in specs]
    valid = [value for value in values if value is not None]
    if not has_enough_items(len(valid), len(specs)):
        return None
    return Fraction(sum(valid), len(valid))


def _answer(answers: Answers, spec: ItemSpec) -> int | None:
    try:
        return scored_value(answers.get(spec.code), spec.is_reversed)
    except ValueError as error:
        raise ValueError(f"Item {spec.code}: {error}") from None


# --- Bands, comparisons, benchmark -------------------------------------------------------


def band(mean: float | Fraction, pct_negative: float | Fraction) -> Band:
    """The score band of instrument.md §3 for a mean (1..5) and a negative share (0..1).

    low when mean < 3.00 or negative ≥ 30%; high when mean ≥ 4.00 and negative < 15%;
    otherwise middle, "vulnerable" when 3.00 ≤ mean < 3.50. A mean ≥ 4.00 with 15–30% negative
    is therefore middle: a split group is no strong point.
    """
    mean_q, negative_q = _exact(mean), _exact(pct_negative)
    if mean_q < LOW_MEAN or negative_q >= LOW_NEGATIVE_SHARE:
        return Band(Level.LOW)
    if mean_q >= HIGH_MEAN and negative_q < HIGH_MAX_NEGATIVE_SHARE:
        return Band(Level.HIGH)
    return Band(Level.MIDDLE, vulnerable=mean_q < VULNERABLE_MEAN)


def compare(current: _HasStats, previous: _HasStats) -> Change:
    """Difference of two group means with a Welch 95% interval (see the module docstring)."""
    if current.mean is None or previous.mean is None:
        return Change(None, None, None, None, is_meaningful=False)
    difference = current.mean - previous.mean
    if current.sd is None or previous.sd is None:
        return Change(difference, None, None, None, is_meaningful=False)
    var_current = current.sd**2 / current.n
    var_previous = previous.sd**2 / previous.n
    se_squared = var_current + var_previous
    if se_squared == 0:
        # Both groups answered unanimously: any difference is certain, none is noise.
        return Change(difference, difference, difference, None, is_meaningful=difference != 0)
    df = se_squared**2 / (var_current**2 / (current.n - 1) + var_previous**2 / (previous.n - 1))
    half_width = t_quantile((1 + CONFIDENCE) / 2, df) * math.sqrt(se_squared)
    low, high = difference - half_width, difference + half_width
    return Change(difference, low, high, df, is_meaningful=low > 0 or high < 0)


def benchmark(
    means: Iterable[float], *, min_count: int = BENCHMARK_MIN_ORGANISATIONS
) -> Quartiles | None:
    """Q1, median and Q3 of other organisations' means (inclusive method), or None if too few."""
    values = sorted(float(value) for value in means)
    if any(math.isnan(value) for value in values):
        raise ValueError("A benchmark mean is not a number.")
    if len(values) < max(min_count, 1):
        return None
    if len(values) == 1:
        return Quartiles(1, values[0], values[0], values[0])
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Quartiles(len(values), q1, median, q3)


# --- Group level -------------------------------------------------------------------------
#
# The statistics below are exact rationals, as the module docstring promises, but they are
# built from integer counts and sums over columns (one list per item) rather than from a
# Fraction per answer: a Fraction per value made 10,000 respondents take seconds. Every
# mean and variance is one Fraction made from integer sums at the end, so the rational
# numbers (and hence the floats and bands) are the same as summing Fractions one by one.

_MISSING = object()  # the key is absent: "not answered", as opposed to None = n.v.t.


@dataclass(frozen=True)
class _Column:
    """One item's scored answers, one entry per respondent (None = missing)."""

    spec: ItemSpec
    values: list[int | None]
    n_not_applicable: int
    n_unanswered: int
    distribution: Distribution
    unanswered: tuple[bool, ...] = ()  # per respondent: no answer at all (not n.v.t.)

    @property
    def n_valid(self) -> int:
        return sum(self.distribution)

    @property
    def total(self) -> int:
        return sum(value * count for value, count in enumerate(self.distribution, 1))


def summarize(
    responses: Sequence[Answers],
    items: Sequence[ItemSpec],
    *,
    threshold: int | None = None,
) -> GroupResult:
    """All scores of one group of respondents (see the module docstring for the rules)."""
    specs = _checked_items(items)
    min_n = threshold or 0
    plain = set(map(type, responses)) <= {dict}
    columns = {spec.code: _column(spec, responses, plain) for spec in specs}
    dimensions: list[DimensionScore] = []
    exact_means: list[Fraction | None] = []
    for code, dimension_specs in _dimensions(specs).items():
        dimension, exact_mean = _dimension_score(
            code, [columns[spec.code] for spec in dimension_specs], min_n
        )
        dimensions.append(dimension)
        exact_means.append(exact_mean)
    overall = None
    if exact_means and all(mean is not None for mean in exact_means):
        overall = float(
            sum((m for m in exact_means if m is not None), Fraction(0)) / len(exact_means)
        )
    strongest, weakest = _extremes(dimensions)
    return GroupResult(len(responses), tuple(dimensions), overall, strongest, weakest)


_SCORED: dict[object, object] = {value: value for value in range(SCALE_MIN, SCALE_MAX + 1)}
_REVERSED: dict[object, object] = {
    value: SCALE_MIN + SCALE_MAX - value for value in range(SCALE_MIN, SCALE_MAX + 1)
}


def _column(spec: ItemSpec, responses: Sequence[Answers], plain: bool) -> _Column:
    code = spec.code
    raws: list[object]
    if plain:
        # dict.get mapped in C: the per-answer loop is what dominates large rounds.
        raws = list(
            map(dict.get, cast("Sequence[dict]", responses), repeat(code), repeat(_MISSING))
        )
    else:
        raws = [answers.get(code, _MISSING) for answers in responses]
    table = dict(_REVERSED if spec.is_reversed else _SCORED)
    table[None] = table[_MISSING] = None
    invalid = object()
    values: list[int | None]
    # bool is an int that the table would accept (True == 1): check types first.
    if set(map(type, raws)) - {int, type(None), object}:
        values = [
            None if raw is _MISSING else _answer({code: cast("int | None", raw)}, spec)
            for raw in raws
        ]
    else:
        mapped = list(map(table.get, raws, repeat(invalid)))
        if invalid in mapped:
            values = [
                None if raw is _MISSING else _answer({code: cast("int | None", raw)}, spec)
                for raw in raws
            ]
        else:
            values = cast("list[int | None]", mapped)
    counts = cast(
        "Distribution", tuple(values.count(value) for value in range(SCALE_MIN, SCALE_MAX + 1))
    )
    n_unanswered = raws.count(_MISSING)
    return _Column(
        spec,
        values,
        n_not_applicable=values.count(None) - n_unanswered,
        n_unanswered=n_unanswered,
        distribution=counts,
        unanswered=tuple(raw is _MISSING for raw in raws) if n_unanswered else (),
    )


def _dimension_score(
    code: str, columns: Sequence[_Column], min_n: int
) -> tuple[DimensionScore, Fraction | None]:
    # A respondent's score s/c (sum of c valid answers) is written as s·(L/c)/L with L the
    # least common multiple of 1..m, so the group's scores add up as integers.
    m = len(columns)
    common = math.lcm(*range(1, m + 1))
    factor = {c: common // c for c in range(1, m + 1) if has_enough_items(c, m)}
    all_rows = list(zip(*(column.values for column in columns), strict=True))
    scored = [m - row.count(None) in factor for row in all_rows]
    # Every figure of the dimension describes the same people: those with a score. Answers
    # of someone without one (fewer than ⅔ valid) would otherwise count in the statements
    # but not in the mean, and the difference would be theirs alone.
    columns = [_restrict(column, scored) for column in columns]
    rows = [row for row, keep in zip(all_rows, scored, strict=True) if keep]
    item_scores = tuple(_item_score(column, min_n) for column in columns)
    indicators = _indicator_scores(code, columns, min_n)
    numerators = [sum(filter(None, row)) * factor[m - row.count(None)] for row in rows]
    n = len(numerators)
    n_partial = sum(1 for row in rows if None in row)
    alpha, alpha_n = _cronbach_alpha(rows, m)
    if n == 0 or n < min_n:
        empty = DimensionScore(
            code, n, None, None, None, None, None, None, _EMPTY_DISTRIBUTION, None,
            indicators, item_scores, None, alpha_n, alpha_warning=False, suppressed=n > 0,
            n_partial=n_partial,
        )  # fmt: skip
        return empty, None
    total = sum(numerators)
    mean = Fraction(total, n * common)
    sd = ci_low = ci_high = None
    if n >= 2:
        squares = sum(map(operator.mul, numerators, numerators))
        variance = Fraction(n * squares - total * total, common * common * n * (n - 1))
        sd = math.sqrt(variance)
        half_width = t_quantile((1 + CONFIDENCE) / 2, n - 1) * sd / math.sqrt(n)
        ci_low, ci_high = float(mean) - half_width, float(mean) + half_width
    # Only reported items count here: a dimension total that included a suppressed item
    # would give that item's hidden figures away by subtraction.
    reported = [
        column.distribution
        for column, item in zip(columns, item_scores, strict=True)
        if item.mean is not None
    ]
    shares = [_shares(counts) for counts in reported]
    positive = negative = None
    if shares:
        positive = sum((share[0] for share in shares), Fraction(0)) / len(shares)
        negative = sum((share[1] for share in shares), Fraction(0)) / len(shares)
    distribution = tuple(sum(counts[i] for counts in reported) for i in range(5))
    if alpha_n < min_n:
        alpha = None
    dimension = DimensionScore(
        code=code,
        n=n,
        mean=float(mean),
        sd=sd,
        ci_low=ci_low,
        ci_high=ci_high,
        pct_positive=_to_float(positive),
        pct_negative=_to_float(negative),
        distribution=distribution,  # type: ignore[arg-type]
        band=None if negative is None else band(mean, negative),
        indicators=indicators,
        items=item_scores,
        alpha=alpha,
        alpha_n=alpha_n,
        alpha_warning=alpha is not None and alpha_n < ALPHA_WARNING_N,
        n_partial=n_partial,
    )
    return dimension, mean


def _restrict(column: _Column, keep: Sequence[bool]) -> _Column:
    """The column of only the respondents marked in ``keep``."""
    if all(keep):
        return column
    values = [value for value, k in zip(column.values, keep, strict=True) if k]
    counts = tuple(values.count(value) for value in range(SCALE_MIN, SCALE_MAX + 1))
    unanswered = tuple(u for u, k in zip(column.unanswered, keep, strict=False) if k)
    n_unanswered = sum(unanswered)
    return _Column(
        column.spec,
        values,
        values.count(None) - n_unanswered,
        n_unanswered,
        counts,  # type: ignore[arg-type]
        unanswered if n_unanswered else (),
    )


def _item_score(column: _Column, min_n: int) -> ItemScore:
    spec = column.spec
    n_valid = column.n_valid
    common = {
        "code": spec.code,
        "dimension": spec.dimension,
        "indicator": spec.indicator,
        "is_reversed": spec.is_reversed,
        "n_valid": n_valid,
        "n_not_applicable": column.n_not_applicable,
        "n_unanswered": column.n_unanswered,
    }
    if not n_valid or n_valid < min_n:
        return ItemScore(
            **common,  # type: ignore[arg-type]
            mean=None,
            pct_positive=None,
            pct_negative=None,
            distribution=_EMPTY_DISTRIBUTION,
            suppressed=bool(n_valid),
        )
    positive, negative = _shares(column.distribution)
    return ItemScore(
        **common,  # type: ignore[arg-type]
        mean=float(Fraction(column.total, n_valid)),
        pct_positive=float(positive),
        pct_negative=float(negative),
        distribution=column.distribution,
    )


def _indicator_scores(
    dimension: str, columns: Sequence[_Column], min_n: int
) -> tuple[IndicatorScore, ...]:
    codes = list(dict.fromkeys(column.spec.indicator for column in columns))
    result = []
    for indicator in codes:
        members = [column for column in columns if column.spec.indicator == indicator]
        count = sum(column.n_valid for column in members)
        # A pooled mean that includes a suppressed item would reveal it next to the other
        # items' means, so any item below the threshold suppresses its indicator.
        if not count or any(0 < column.n_valid < min_n for column in members):
            result.append(IndicatorScore(indicator, dimension, count, None, bool(count)))
        else:
            mean = float(Fraction(sum(column.total for column in members), count))
            result.append(IndicatorScore(indicator, dimension, count, mean))
    return tuple(result)


def _cronbach_alpha(rows: Sequence[Sequence[int | None]], k: int) -> tuple[float | None, int]:
    complete = [row for row in rows if None not in row]
    n = len(complete)
    if n < ALPHA_MIN_N or k < 2:
        return None, n
    # Sample variances share the factor 1/(n(n−1)), which cancels in their ratio.
    item_variances = sum(_scaled_variance(column) for column in zip(*complete, strict=True))
    total_variance = _scaled_variance(list(map(sum, complete)))  # type: ignore[arg-type]
    if total_variance == 0:
        return None, n
    return float(Fraction(k, k - 1) * (1 - Fraction(item_variances, total_variance))), n


def _scaled_variance(values: Sequence[int]) -> int:
    """n(n − 1) times the sample variance, as an exact integer."""
    total = sum(values)
    return len(values) * sum(map(operator.mul, values, values)) - total * total


def extremes(
    items: Iterable[ItemScore], count: int = TOP_ITEMS
) -> tuple[tuple[ItemScore, ...], tuple[ItemScore, ...]]:
    """The ``count`` strongest and weakest items: the one rule every output uses.

    Highest (lowest) scored mean first, ties by item code; items without a mean are skipped
    and no item is in both lists.
    """
    rated = [item for item in items if item.mean is not None]
    # Item means are exact rationals converted once, so equal means are equal floats.
    strongest = sorted(rated, key=lambda item: (-(item.mean or 0), item.code))[:count]
    rest = [item for item in rated if item not in strongest]
    weakest = sorted(rest, key=lambda item: (item.mean or 0, item.code))[:count]
    return tuple(strongest), tuple(weakest)


def _extremes(
    dimensions: Sequence[DimensionScore],
) -> tuple[tuple[ItemScore, ...], tuple[ItemScore, ...]]:
    return extremes((item for dimension in dimensions for item in dimension.items), TOP_ITEMS)


# --- Helpers -----------------------------------------------------------------------------


def _checked_items(items: Sequence[ItemSpec]) -> tuple[ItemSpec, ...]:
    specs = tuple(items)
    codes = [spec.code for spec in specs]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"Item codes must be unique; repeated: {', '.join(duplicates)}.")
    return specs


def _dimensions(specs: Sequence[ItemSpec]) -> dict[str, list[ItemSpec]]:
    dimensions: dict[str, list[ItemSpec]] = {}
    for spec in specs:
        dimensions.setdefault(spec.dimension, []).append(spec)
    return dimensions


def _shares(counts: Distribution) -> tuple[Fraction, Fraction]:
    n = sum(counts)
    return Fraction(counts[3] + counts[4], n), Fraction(counts[0] + counts[1], n)


def _exact(value: float | Fraction) -> Fraction:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"Not a finite number: {value!r}.")
    if isinstance(value, Fraction):
        return value
    # A float is read as the decimal it prints as, so band(4.0, 0.15) treats 0.15 as 15%
    # rather than as the binary value just below it.
    return Fraction(repr(float(value)))


def _to_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


# --- Student's t without scipy -----------------------------------------------------------


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` (> 0, not necessarily whole) degrees of freedom."""
    if df <= 0:
        raise ValueError("Degrees of freedom must be positive.")
    x = df / (df + t * t)
    tail = 0.5 * _regularized_beta(df / 2, 0.5, x)
    return 1 - tail if t > 0 else tail


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """The t value with P(T ≤ t) = p, found by bisection on :func:`t_cdf` (|error| < 1e-10)."""
    if not 0 < p < 1:
        raise ValueError("p must lie strictly between 0 and 1.")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    if p == 0.5:
        return 0.0
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2
    while high - low > 1e-12 * max(1.0, high):
        middle = (low + high) / 2
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) by the continued fraction of Numerical Recipes §6.4 (modified Lentz)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    # The fraction converges fast only on this side of the mean; use the symmetry otherwise.
    if x > (a + 1) / (a + b + 2):
        return 1 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b
    return math.exp(log_front) * _beta_fraction(a, b, x) / a


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return result


# --- Stored with each response ----------------------------------------------------------
#
# A response's answers and dimension sums are stored on its own row when it is sent (derived
# data: ``manage.py rebuild_scores`` recomputes them from the answers), so the results of a
# round read one row per respondent instead of one per answer. Bump the version when the
# packing or the scoring changes: rows of an older version are rebuilt before they are read.

STORED_VERSION = 1
_PACK: dict[int | None, str] = {None: "0", **{v: str(v) for v in range(SCALE_MIN, SCALE_MAX + 1)}}
_UNPACK: dict[str, int | None] = {char: value for value, char in _PACK.items()}
_ABSENT = "-"


@dataclass(frozen=True)
class StoredScores:
    """One respondent's answers in item order and, per dimension, the sum and count of the
    valid scored answers ("17/5;;12/3" in the database)."""

    packed: str
    sums: tuple[tuple[int, int], ...]

    def sums_text(self) -> str:
        return ";".join(f"{total}/{count}" for total, count in self.sums)


def stored_scores(answers: Answers, items: Sequence[ItemSpec]) -> StoredScores:
    """What is stored with a response (``items`` in questionnaire order)."""
    specs = _checked_items(items)
    packed = "".join(
        _PACK[_checked_raw(answers[spec.code], spec)] if spec.code in answers else _ABSENT
        for spec in specs
    )
    sums = []
    for dimension_specs in _dimensions(specs).values():
        valid = [_answer(answers, spec) for spec in dimension_specs]
        values = [value for value in valid if value is not None]
        sums.append((sum(values), len(values)))
    return StoredScores(packed, tuple(sums))


def _checked_raw(raw: int | None, spec: ItemSpec) -> int | None:
    scored_value(raw, spec.is_reversed)  # raises for anything but 1..5 or None
    return raw


def parse_sums(text: str) -> tuple[tuple[int, int], ...]:
    if not text:
        return ()
    pairs = []
    for part in text.split(";"):
        total, count = part.split("/")
        pairs.append((int(total), int(count)))
    return tuple(pairs)


def unpack_answers(packed: str, codes: Sequence[str]) -> dict[str, int | None]:
    """The answers dict :func:`stored_scores` packed (codes in the same order)."""
    if len(packed) != len(codes):
        raise ValueError("The stored answers do not match the questionnaire's items.")
    if _ABSENT not in packed:
        return dict(zip(codes, map(_UNPACK.__getitem__, packed), strict=True))
    return {
        code: _UNPACK[char] for code, char in zip(codes, packed, strict=True) if char != _ABSENT
    }


def score_table_from_sums(
    sums: Sequence[Sequence[tuple[int, int]]], items: Sequence[ItemSpec]
) -> ScoreTable:
    """:func:`score_table` from the stored sums, without the answers."""
    dimensions = _dimensions(_checked_items(items))
    codes = tuple(dimensions)
    sizes = [len(specs) for specs in dimensions.values()]
    commons = [math.lcm(*range(1, m + 1)) for m in sizes]
    factors = [
        {c: common // c for c in range(1, m + 1) if has_enough_items(c, m)}
        for m, common in zip(sizes, commons, strict=True)
    ]
    rows = []
    for row in sums:
        if len(row) != len(codes):
            raise ValueError("The stored sums do not match the questionnaire's dimensions.")
        rows.append(
            tuple(
                total * factor[count] if count in factor else None
                for (total, count), factor in zip(row, factors, strict=True)
            )
        )
    return ScoreTable(codes, tuple(commons), tuple(rows))


def coverage_from_sums(
    sums: Sequence[Sequence[tuple[int, int]]], items: Sequence[ItemSpec]
) -> dict[str, Coverage]:
    """:func:`dimension_coverage` from the stored sums."""
    dimensions = _dimensions(_checked_items(items))
    out = {}
    for index, (code, specs) in enumerate(dimensions.items()):
        m = len(specs)
        counts = [row[index][1] for row in sums]
        scored = tuple(has_enough_items(count, m) for count in counts)
        partial = tuple(ok and count < m for ok, count in zip(scored, counts, strict=True))
        out[code] = Coverage(scored, partial)
    return out


# --- Many groups of one round ------------------------------------------------------------


@dataclass(frozen=True)
class ScoreTable:
    """Every respondent's dimension scores, computed once and summed for many groups.

    A breakdown needs only the dimension means of each group, so the dashboard scores each
    respondent once instead of running :func:`summarize` per group. A score s/c is kept as
    the integer s·(L/c) over the dimension's common denominator L, so group means stay exact.
    """

    dimensions: tuple[str, ...]
    denominators: tuple[int, ...]
    rows: tuple[tuple[int | None, ...], ...]  # per respondent, per dimension; None: < ⅔ valid


@dataclass(frozen=True)
class GroupMeans:
    n: int
    dimensions: dict[str, float | None]  # None when fewer than the threshold have a score
    overall: float | None


def score_table(responses: Sequence[Answers], items: Sequence[ItemSpec]) -> ScoreTable:
    specs = _checked_items(items)
    plain = set(map(type, responses)) <= {dict}
    per_dimension: list[list[int | None]] = []
    denominators: list[int] = []
    codes: list[str] = []
    for code, dimension_specs in _dimensions(specs).items():
        columns = [_column(spec, responses, plain).values for spec in dimension_specs]
        m = len(columns)
        common = math.lcm(*range(1, m + 1))
        factor = {c: common // c for c in range(1, m + 1) if has_enough_items(c, m)}
        numerators: list[int | None] = []
        for row in zip(*columns, strict=True):
            valid = m - row.count(None)
            numerators.append(sum(filter(None, row)) * factor[valid] if valid in factor else None)
        per_dimension.append(numerators)
        denominators.append(common)
        codes.append(code)
    rows = tuple(zip(*per_dimension, strict=True)) if per_dimension else ((),) * len(responses)
    return ScoreTable(tuple(codes), tuple(denominators), rows)


def group_means(
    table: ScoreTable, members: Iterable[int], *, threshold: int | None = None
) -> GroupMeans:
    """The dimension means and overall index of the respondents at positions ``members``.

    The same numbers :func:`summarize` gives for that group (a mean on fewer than
    ``threshold`` respondents is None, and so is the overall index then).
    """
    rows = [table.rows[i] for i in members]
    min_n = threshold or 0
    means: dict[str, float | None] = {}
    exact: list[Fraction] = []
    for j, code in enumerate(table.dimensions):
        values = [row[j] for row in rows if row[j] is not None]
        if not values or len(values) < min_n:
            means[code] = None
            continue
        mean = Fraction(sum(values), len(values) * table.denominators[j])  # type: ignore[arg-type]
        means[code] = float(mean)
        exact.append(mean)
    overall = None
    if exact and len(exact) == len(table.dimensions):
        overall = float(sum(exact, Fraction(0)) / len(exact))
    return GroupMeans(len(rows), means, overall)
