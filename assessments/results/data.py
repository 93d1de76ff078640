"""The typed results of a round: what every output reads, and ``to_json()`` for the command.

Frozen dataclasses all the way to the templates (as Django's ``Paginator``/``Page``), so the
dashboard, the charts, the PDF, the exports and ``campaign_results --json`` read the same
fields. Figures are rounded once, here in the model (means to 2 decimals, shares to whole
percentages), so every output shows the same number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from ..presentation import ResponseRate


@dataclass(frozen=True)
class RoundInfo:
    id: int
    name: str
    organisation: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    answers_deleted_on: dt.date | None


@dataclass(frozen=True)
class ItemResult:
    code: str
    text: str
    is_reversed: bool
    n_valid: int
    n_not_applicable: int
    mean: float | None  # as scored (6 − answer for a reverse-scored statement)
    pct_positive: int | None  # favourable, as scored: the share that counts for learning
    pct_negative: int | None
    pct_agree: int | None  # the statement as worded: "(helemaal) mee eens"
    pct_disagree: int | None
    distribution: tuple[int, ...]  # scored 1..5
    suppressed: bool


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    name: str  # plain wording
    model_name: str  # the model's wording (method appendix)
    mean: float | None
    suppressed: bool


@dataclass(frozen=True)
class Recommendation:
    title: str
    body: str


@dataclass(frozen=True)
class DimensionResult:
    code: str
    name: str
    short_name: str
    explanation: str
    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    pct_positive: int | None
    pct_negative: int | None
    distribution: tuple[int, ...]
    band: str | None  # presentation.BANDS code: high, middle, vulnerable, low
    attention: bool
    alpha: float | None
    alpha_n: int
    alpha_warning: bool
    suppressed: bool
    indicators: tuple[IndicatorResult, ...]
    items: tuple[ItemResult, ...]
    recommendations: tuple[Recommendation, ...]
    strongest: tuple[str, ...]  # item codes, scoring.extremes(…, CARD_ITEMS)
    weakest: tuple[str, ...]
    statements_shown: bool = True  # statements, indicators, spread, reliability
    reason: str | None = None  # why (some of) it is not shown
    reason_text: str | None = None

    def item(self, code: str) -> ItemResult:
        return next(item for item in self.items if item.code == code)


@dataclass(frozen=True)
class GroupMeans:
    key: str
    label: str
    n: int
    overall: float | None
    dimensions: dict[str, float | None]


@dataclass(frozen=True)
class HiddenGroup:
    key: str
    label: str
    reason: str
    reason_text: str


@dataclass(frozen=True)
class Breakdown:
    name: str
    label: str  # "Team", "Rol", …
    allowed: bool
    reason: str | None
    reason_text: str | None
    order: tuple[str, ...]  # keys of every listed group, shown and hidden, in display order
    groups: tuple[GroupMeans, ...]
    suppressed: tuple[HiddenGroup, ...]
    # Why some figures of shown groups are blank ("–"), or None when none are.
    cells_note: str | None = None

    def rows(self) -> Iterator[GroupMeans | HiddenGroup]:
        """Every listed group in display order."""
        by_key: dict[str, GroupMeans | HiddenGroup] = {g.key: g for g in self.groups}
        by_key.update({g.key: g for g in self.suppressed})
        return (by_key[key] for key in self.order if key in by_key)


@dataclass(frozen=True)
class RoleComparison:
    allowed: bool
    reason: str | None
    reason_text: str | None
    leadership: GroupMeans | None = None
    employees: GroupMeans | None = None


@dataclass(frozen=True)
class DimensionChange:
    previous_mean: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    is_meaningful: bool


@dataclass(frozen=True)
class Comparison:
    campaign_id: int
    campaign_name: str
    respondents: int
    overall: float | None
    dimensions: dict[str, DimensionChange]


@dataclass(frozen=True)
class Quartiles:
    n: int
    q1: float | None
    median: float | None
    q3: float | None


@dataclass(frozen=True)
class Benchmark:
    organisations: int
    dimensions: dict[str, Quartiles]
    sector: str
    sector_label: str
    sector_organisations: int
    sector_dimensions: dict[str, Quartiles] | None


@dataclass(frozen=True)
class OpenAnswers:
    code: str
    question: str
    visible: bool
    reason: str | None
    reason_text: str | None
    texts: tuple[str, ...]


@dataclass(frozen=True)
class RoundResults:
    round: RoundInfo
    language: str
    threshold: int
    interim: str
    step: int
    visible: bool
    reason: str | None  # why nothing is shown (anonymity.Refusal), when not visible
    reason_text: str | None
    respondents: int  # the respondents the figures describe (the current look)
    received: int  # responses received so far
    final: bool
    look_note: str | None
    response_rate: ResponseRate
    overall_index: float | None = None
    dimensions: tuple[DimensionResult, ...] = ()
    strongest: tuple[str, ...] = ()  # item codes, scoring.extremes(…, TOP_ITEMS)
    weakest: tuple[str, ...] = ()
    role_comparison: RoleComparison | None = None
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    previous: Comparison | None = None
    benchmark: Benchmark | None = None
    open_answers: tuple[OpenAnswers, ...] = ()

    @property
    def lag(self) -> int:
        return self.received - self.respondents

    def dimension(self, code: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.code == code)

    def item(self, code: str) -> ItemResult:
        return next(i for d in self.dimensions for i in d.items if i.code == code)

    def items(self) -> Iterator[tuple[DimensionResult, ItemResult]]:
        return ((d, i) for d in self.dimensions for i in d.items)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types (dates as ISO strings, tuples as lists)."""
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
