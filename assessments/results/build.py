"""The typed results of a round, from its respondents and its publication plan (no ORM).

The input is plain data (read by ``queries.py``); the output is the :class:`RoundResults` every
output renders. Which respondents and groups are covered is decided by the publication plan
alone (:mod:`assessments.anonymity`): the figures describe the plan's current look — its first
``look.size`` respondents in submission order — and only the groups it shows. The arithmetic is
``scoring``'s; the words are ``presentation``'s.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import anonymity, presentation, scoring
from .data import (
    Benchmark,
    Breakdown,
    Comparison,
    DimensionChange,
    DimensionResult,
    GroupMeans,
    HiddenGroup,
    IndicatorResult,
    ItemResult,
    OpenAnswers,
    Quartiles,
    Recommendation,
    RoleComparison,
    RoundInfo,
    RoundResults,
)

BREAKDOWNS = ("team", "role", "tenure", "contract")
_TODAY = dt.date(2000, 1, 1)  # a placeholder date where only figures are built
ROUND_DIGITS = 2


@dataclass(frozen=True)
class Respondent:
    answers: dict[str, int | None]  # item code → 1..5, None = n.v.t.; empty outside the look
    team: str | None  # str(CampaignTeam.pk); None = not asked / not said
    role: str | None
    tenure: str | None
    contract: str | None
    open_texts: dict[int, str] = field(default_factory=dict)  # open question id → text
    sequence: int = 0  # submission number: only to read the answers of a look's respondents
    # Per dimension (questionnaire order): sum and count of the valid scored answers, as
    # stored with the response (scoring.stored_scores); empty outside the look or when built
    # from answers alone.
    sums: tuple[tuple[int, int], ...] = ()

    def profile(self) -> dict[str, str | None]:
        return {
            "team": self.team,
            "role": self.role,
            "tenure": self.tenure,
            "contract": self.contract,
        }


@dataclass(frozen=True)
class RoundInput:
    campaign_id: int
    threshold: int
    open_answer_threshold: int
    interim: str
    closed: bool
    asked: tuple[str, ...]
    group_orders: dict[str, list[str]]
    item_specs: list[scoring.ItemSpec]
    respondents: list[Respondent]  # every response received, in submission order
    open_questions: list[tuple[int, str]]  # (id, code)


@dataclass(frozen=True)
class DimensionText:
    name: str
    short_name: str
    explanation: str
    recommendations: tuple[Recommendation, ...] = ()


@dataclass(frozen=True)
class Labels:
    """The words of one round in one language: content, group names, the round itself."""

    language: str
    round: RoundInfo
    dimensions: Mapping[str, DimensionText]
    indicators: Mapping[str, tuple[str, str]]  # code → (plain name, the model's name)
    items: Mapping[str, str]  # item code → statement
    groups: Mapping[str, Mapping[str, str]]  # breakdown → group key → label
    questions: Mapping[str, str]  # open question code → question
    sector_label: str = ""


@dataclass(frozen=True)
class StoredSummary:
    """A closed round's kept figures (CampaignSummary), read back as plain values."""

    campaign_id: int
    campaign_name: str
    respondents: int
    overall: float | None
    dimensions: Mapping[str, scoring.Stats]


def publication_plan(data: RoundInput) -> anonymity.PublicationPlan:
    specs = anonymity.breakdown_specs(asked=data.asked, group_orders=data.group_orders)
    return anonymity.plan_round(
        [r.profile() for r in data.respondents],
        threshold=data.threshold,
        interim=data.interim,
        closed=data.closed,
        breakdowns=specs,
    )


def _r(value: float | None, digits: int = ROUND_DIGITS) -> float | None:
    return None if value is None else round(value, digits)


def _pct(value: float | None) -> int | None:
    # Shares are shown as whole percentages everywhere (dashboard, PDF, exports).
    return None if value is None else round(value * 100)


def build_results(
    data: RoundInput,
    plan: anonymity.PublicationPlan,
    labels: Labels,
    *,
    rate: presentation.ResponseRate,
    previous: StoredSummary | None = None,
    benchmark: Sequence[tuple[str, Mapping[str, scoring.Stats]]] = (),
    sector: str = "",
) -> RoundResults:
    """The results of the plan's current look, in the language of ``labels``.

    ``benchmark``: (sector, dimension figures) of every other organisation's latest round.
    """
    k = data.threshold
    look = plan.current
    common = functools.partial(
        RoundResults,
        round=labels.round,
        language=labels.language,
        threshold=k,
        interim=str(plan.interim),
        step=k,
        received=len(data.respondents),
        response_rate=rate,
    )
    if look is None:
        return common(
            visible=False,
            reason=str(plan.reason),
            reason_text=presentation.reason_text(str(plan.reason), k),
            respondents=0,
            final=False,
            look_note=None,
        )
    members = data.respondents[: look.size]
    answers = [r.answers for r in members]
    result = scoring.summarize(answers, data.item_specs, threshold=k)
    # The stored sums when every respondent has them (one row each); else from the answers.
    stored = [r.sums for r in members]
    if members and all(stored):
        table = scoring.score_table_from_sums(stored, data.item_specs)
        coverages = scoring.coverage_from_sums(stored, data.item_specs)
    else:
        table = scoring.score_table(answers, data.item_specs)
        coverages = scoring.dimension_coverage(answers, data.item_specs)
    profiles = [r.profile() for r in members]
    all_profiles = [r.profile() for r in data.respondents]
    figures = {
        code: anonymity.plan_dimension(
            plan, all_profiles, code=code, scored=coverage.scored, partial=coverage.partial
        )
        for code, coverage in coverages.items()
    }
    index = len(plan.looks) - 1
    dimensions = tuple(
        _dimension(d, labels, figures[d.code], index, look.final, k) for d in result.dimensions
    )
    shown_items = [
        item
        for d, dim in zip(result.dimensions, dimensions, strict=True)
        if dim.statements_shown
        for item in d.items
    ]
    strongest, weakest = scoring.extremes(shown_items, presentation.TOP_ITEMS)
    overall = _r(result.overall_index) if all(d.mean is not None for d in dimensions) else None
    return common(
        visible=True,
        reason=None,
        reason_text=None,
        respondents=look.size,
        final=look.final,
        look_note=presentation.look_note(
            respondents=look.size, received=len(data.respondents), step=k, final=look.final
        ),
        overall_index=overall,
        dimensions=dimensions,
        strongest=tuple(i.code for i in strongest),
        weakest=tuple(i.code for i in weakest),
        role_comparison=_role_comparison(look, profiles, table, labels, figures, k),
        breakdowns={
            name: _breakdown(
                look.breakdown(name),  # type: ignore[arg-type]
                data.group_orders.get(name, []),
                profiles,
                table,
                labels,
                figures,
                k,
            )
            for name in BREAKDOWNS
            if name in data.asked and look.breakdown(name) is not None
        },
        previous=_previous(result, dimensions, previous),
        benchmark=_benchmark(benchmark, sector, labels.sector_label),
        open_answers=_open_answers(data, plan, members, labels),
    )


def _item(item: scoring.ItemScore, labels: Labels, shown: bool) -> ItemResult:
    text = labels.items.get(item.code, item.code)
    if not shown:
        return ItemResult(
            item.code, text, item.is_reversed, 0, 0, None, None, None, None, None, (), True
        )
    # As worded: for a reverse-scored statement, agreeing is what scores as negative.
    agree, disagree = (
        (item.pct_negative, item.pct_positive)
        if item.is_reversed
        else (item.pct_positive, item.pct_negative)
    )
    return ItemResult(
        code=item.code,
        text=text,
        is_reversed=item.is_reversed,
        n_valid=item.n_valid,
        n_not_applicable=item.n_not_applicable,
        mean=_r(item.mean),
        pct_positive=_pct(item.pct_positive),
        pct_negative=_pct(item.pct_negative),
        pct_agree=_pct(agree),
        pct_disagree=_pct(disagree),
        distribution=tuple(item.distribution),
        suppressed=item.suppressed,
    )


def _dimension(
    dim: scoring.DimensionScore,
    labels: Labels,
    figures: anonymity.DimensionPlan,
    look_index: int,
    final: bool,
    k: int,
) -> DimensionResult:
    text = labels.dimensions.get(dim.code, DimensionText(dim.code, dim.code, ""))
    shown = look_index in figures.looks and dim.mean is not None
    # Statements, indicators, spread and reliability only in the final results and only
    # when the publication plan allows them (anonymity.plan_dimension).
    statements = shown and final and figures.items
    reason = None if statements else _dimension_reason(shown, final, dim, k)
    band = dim.band if shown else None
    if band is not None and not statements and dim.mean is not None:
        # The band's rule also reads the share of negative answers; where that share is not
        # shown, the band must not give it away: the mean alone decides.
        band = scoring.band(dim.mean, 0)
    strongest, weakest = (
        scoring.extremes(dim.items, presentation.CARD_ITEMS) if statements else ((), ())
    )
    return DimensionResult(
        code=dim.code,
        name=text.name,
        short_name=text.short_name or text.name,
        explanation=text.explanation,
        n=dim.n if shown else 0,
        mean=_r(dim.mean) if shown else None,
        sd=_r(dim.sd) if shown else None,
        ci_low=_r(dim.ci_low) if shown else None,
        ci_high=_r(dim.ci_high) if shown else None,
        pct_positive=_pct(dim.pct_positive) if statements else None,
        pct_negative=_pct(dim.pct_negative) if statements else None,
        distribution=tuple(dim.distribution) if statements else (),
        band=band.code if band else None,
        attention=bool(band and (band.level == scoring.Level.LOW or band.vulnerable)),
        alpha=_r(dim.alpha) if statements else None,
        alpha_n=dim.alpha_n if statements else 0,
        alpha_warning=dim.alpha_warning if statements else False,
        suppressed=dim.suppressed or not shown,
        indicators=tuple(
            IndicatorResult(
                code=ind.code,
                name=labels.indicators.get(ind.code, (ind.code, ind.code))[0],
                model_name=labels.indicators.get(ind.code, (ind.code, ind.code))[1],
                mean=_r(ind.mean) if statements else None,
                suppressed=ind.suppressed or not statements,
            )
            for ind in dim.indicators
        ),
        items=tuple(_item(item, labels, statements) for item in dim.items),
        recommendations=text.recommendations,
        strongest=tuple(i.code for i in strongest),
        weakest=tuple(i.code for i in weakest),
        statements_shown=statements,
        reason=reason,
        reason_text=presentation.reason_text(reason, k) if reason else None,
    )


def _dimension_reason(shown: bool, final: bool, dim: scoring.DimensionScore, k: int) -> str:
    if not shown:
        return "dimension_hidden"
    if not final:
        return "statements_at_close"
    return "statements_hidden"


def _means(
    table: scoring.ScoreTable,
    members: list[int],
    k: int,
    key: str,
    label: str,
    shown: Mapping[str, bool],
) -> GroupMeans:
    """A group's dimension means; a mean the dimension's plan hides is None, and so is the
    overall index then (with the other means it would give the hidden one away)."""
    means = scoring.group_means(table, members, threshold=k)
    dimensions = {
        code: _r(mean) if shown.get(code, False) else None
        for code, mean in means.dimensions.items()
    }
    overall = means.overall if all(v is not None for v in dimensions.values()) else None
    return GroupMeans(key=key, label=label, n=means.n, overall=_r(overall), dimensions=dimensions)


def _cells(
    figures: Mapping[str, anonymity.DimensionPlan], breakdown: str, group: str
) -> dict[str, bool]:
    return {code: group in plan.cells.get(breakdown, ()) for code, plan in figures.items()}


def _group_members(
    plan: anonymity.BreakdownPlan, group: anonymity.ShownGroup, profiles: list[dict]
) -> list[int]:
    return [i for i, p in enumerate(profiles) if p.get(plan.attribute) in group.values]


def _breakdown(
    plan: anonymity.BreakdownPlan,
    order: list[str],
    profiles: list[dict],
    table: scoring.ScoreTable,
    labels: Labels,
    figures: Mapping[str, anonymity.DimensionPlan],
    k: int,
) -> Breakdown:
    names = labels.groups.get(plan.name, {})
    listed = set(plan.shown_labels) | {g.label for g in plan.suppressed}
    groups = tuple(
        _means(
            table,
            _group_members(plan, group, profiles),
            k,
            group.label,
            names.get(group.label, group.label),
            _cells(figures, plan.name, group.label),
        )
        for group in plan.shown
    )
    blank_cells = any(v is None for g in groups for v in g.dimensions.values())
    return Breakdown(
        name=plan.name,
        label=presentation.breakdown_label(plan.name),
        allowed=plan.allowed,
        reason=str(plan.reason) if plan.reason else None,
        reason_text=presentation.reason_text(str(plan.reason), k) if plan.reason else None,
        order=tuple(label for label in dict.fromkeys([*order, *sorted(listed)]) if label in listed),
        groups=groups,
        # One neutral reason for every hidden group: which of the plan's reasons applies
        # (too small, or hidden with another) would itself tell a group's size apart.
        suppressed=tuple(
            HiddenGroup(
                key=g.label,
                label=names.get(g.label, g.label),
                reason=presentation.HIDDEN_GROUP,
                reason_text=presentation.reason_text(presentation.HIDDEN_GROUP, k),
            )
            for g in plan.suppressed
        ),
        cells_note=presentation.reason_text("cell_hidden", k) if blank_cells else None,
    )


def _role_comparison(
    look: anonymity.Look,
    profiles: list[dict],
    table: scoring.ScoreTable,
    labels: Labels,
    figures: Mapping[str, anonymity.DimensionPlan],
    k: int,
) -> RoleComparison:
    plan = look.breakdown(anonymity.LEADERSHIP)
    if plan is None:
        return RoleComparison(False, None, None)
    if not plan.allowed or len(plan.shown) < 2:
        code = (
            str(plan.reason)
            if plan.reason
            else (presentation.HIDDEN_COMPARISON if plan.suppressed else None)
        )
        return RoleComparison(False, code, presentation.reason_text(code, k) if code else None)
    groups = {
        group.label: _means(
            table,
            _group_members(plan, group, profiles),
            k,
            group.label,
            presentation.comparison_label(group.label),
            _cells(figures, plan.name, group.label),
        )
        for group in plan.shown
    }
    return RoleComparison(
        True, None, None, groups[anonymity.LEADERSHIP], groups[anonymity.EMPLOYEES]
    )


def _previous(
    current: scoring.GroupResult,
    shown: Sequence[DimensionResult],
    previous: StoredSummary | None,
) -> Comparison | None:
    if previous is None:
        return None
    visible = {d.code for d in shown if d.mean is not None}
    changes = {}
    for dim in current.dimensions:
        stats = previous.dimensions.get(dim.code)
        if stats is None or stats.mean is None or dim.code not in visible:
            continue
        change = scoring.compare(dim, stats)
        changes[dim.code] = DimensionChange(
            previous_mean=_r(stats.mean),
            difference=_r(change.difference),
            ci_low=_r(change.ci_low),
            ci_high=_r(change.ci_high),
            is_meaningful=change.is_meaningful,
        )
    return Comparison(
        campaign_id=previous.campaign_id,
        campaign_name=previous.campaign_name,
        respondents=previous.respondents,
        overall=_r(previous.overall),
        dimensions=changes,
    )


def _quartiles(entries: Sequence[Mapping[str, scoring.Stats]]) -> dict[str, Quartiles] | None:
    out = {}
    codes = sorted({code for entry in entries for code in entry})
    for code in codes:
        means = [e[code].mean for e in entries if code in e and e[code].mean is not None]
        q = scoring.benchmark([m for m in means if m is not None])
        if q is not None:
            out[code] = Quartiles(q.n, _r(q.q1), _r(q.median), _r(q.q3))
    return out or None


def _benchmark(
    entries: Sequence[tuple[str, Mapping[str, scoring.Stats]]], sector: str, sector_label: str
) -> Benchmark | None:
    """Median and quartiles over other organisations' latest closed round (same version)."""
    everyone = _quartiles([figures for _, figures in entries])
    if everyone is None:
        return None
    in_sector = [figures for s, figures in entries if s == sector]
    return Benchmark(
        organisations=len(entries),
        dimensions=everyone,
        sector=sector,
        sector_label=sector_label,
        sector_organisations=len(in_sector),
        sector_dimensions=_quartiles(in_sector),
    )


def _open_answers(
    data: RoundInput, plan: anonymity.PublicationPlan, members: list[Respondent], labels: Labels
) -> tuple[OpenAnswers, ...]:
    out = []
    index = len(plan.looks) - 1
    for question_id, code in data.open_questions:
        texts = [r.open_texts.get(question_id, "").strip() for r in members]
        looks = anonymity.plan_open_answers(
            plan, [bool(t) for t in texts], data.open_answer_threshold
        )
        if index in looks:
            shown = anonymity.visible_open_answers(
                texts,
                n_respondents=len(members),
                threshold=data.open_answer_threshold,
                seed=f"{data.campaign_id}:{question_id}",
            )
            visible, reason, shown_texts = shown.visible, shown.reason, shown.texts
        else:
            visible, reason, shown_texts = False, anonymity.Refusal.TOO_FEW_ANSWERS, ()
        code_text = str(reason) if reason else None
        out.append(
            OpenAnswers(
                code=code,
                question=labels.questions.get(code, code),
                visible=visible,
                reason=code_text,
                reason_text=(
                    presentation.reason_text(code_text, data.threshold) if code_text else None
                ),
                texts=shown_texts,
            )
        )
    return tuple(out)


def summary_data(data: RoundInput, plan: anonymity.PublicationPlan) -> tuple[int, dict] | None:
    """(respondents, figures) kept for later comparisons and the benchmark.

    Only what the final results show: a dimension they hide (fewer than k with a score, or
    hidden by its plan) is not kept, and the overall index only when every dimension is.
    """
    look = plan.current
    if look is None or not look.final:
        return None
    labels = Labels("nl", RoundInfo(data.campaign_id, "", "", _TODAY, _TODAY, "closed", None),
                    {}, {}, {}, {}, {})  # fmt: skip
    empty = presentation.ResponseRate(0, None, "unknown", None, False, False)
    final = build_results(data, plan, labels, rate=empty)
    members = data.respondents[: look.size]
    result = scoring.summarize(
        [r.answers for r in members], data.item_specs, threshold=plan.threshold
    )
    dims = {
        d.code: {"n": d.n, "mean": d.mean, "sd": d.sd}
        for d, shown in zip(result.dimensions, final.dimensions, strict=True)
        if shown.mean is not None
    }
    overall = result.overall_index if len(dims) == len(result.dimensions) else None
    return look.size, {"overall": overall, "dimensions": dims, "threshold": plan.threshold}


def stored_summary(
    campaign_id: int, campaign_name: str, respondents: int, data: Mapping, threshold: int
) -> StoredSummary:
    """A kept summary (the JSON of ``summary_data``) read back into typed figures."""
    dimensions = stored_dimensions(data, threshold)
    complete = len(dimensions) == len(data.get("dimensions") or {})
    return StoredSummary(
        campaign_id=campaign_id,
        campaign_name=campaign_name,
        respondents=respondents,
        overall=data.get("overall") if complete else None,
        dimensions=dimensions,
    )


def stored_dimensions(data: Mapping, threshold: int) -> dict[str, scoring.Stats]:
    """The kept dimension figures; ones on fewer than the round's k people are left out
    (summaries kept before that rule could hold them). ``threshold`` is the kept round's k and
    has no default: a reader that forgot it would read such old figures back in full."""
    k = max(threshold, data.get("threshold") or 0)
    return {
        code: scoring.Stats(stats.get("n") or 0, stats.get("mean"), stats.get("sd"))
        for code, stats in (data.get("dimensions") or {}).items()
        if (stats.get("n") or 0) >= k
    }
