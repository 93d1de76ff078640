"""The numbers of a round's results, from its respondents and its publication plan (no ORM).

Pure: the input is plain data (read by ``queries.py``), the output is what every output renders.
Which respondents and groups are covered is decided by the publication plan alone
(:mod:`assessments.anonymity`): the figures describe the plan's current look — its first
``look.size`` respondents in submission order — and only the groups it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import anonymity, scoring

BREAKDOWNS = ("team", "role", "tenure", "contract")
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


def _pct(value: float | None) -> float | None:
    # Shares are shown as whole percentages everywhere (dashboard, PDF, exports).
    return None if value is None else round(value * 100)


def build_numbers(
    data: RoundInput,
    plan: anonymity.PublicationPlan,
    *,
    previous: dict[str, Any] | None = None,
    benchmark: Sequence[tuple[str, dict]] = (),
    sector: str = "",
) -> dict[str, Any]:
    """The figures of the plan's current look.

    ``previous``: the previous round's summary as ``{"campaign": {"id", "name"},
    "respondents", "data"}``. ``benchmark``: (sector, summary data) of other organisations.
    """
    k = data.threshold
    look = plan.current
    out: dict[str, Any] = {
        "campaign": data.campaign_id,
        "threshold": k,
        "interim": str(plan.interim),
        "step": k,
        "visible": look is not None,
        "respondents": look.size if look else 0,
        "final": bool(look and look.final),
    }
    if look is None:
        out["reason"] = str(plan.reason)
        return out
    members = data.respondents[: look.size]
    result = scoring.summarize([r.answers for r in members], data.item_specs, threshold=k)
    table = scoring.score_table([r.answers for r in members], data.item_specs)
    profiles = [r.profile() for r in members]
    out["overall_index"] = _r(result.overall_index)
    out["dimensions"] = [_dimension_numbers(d) for d in result.dimensions]
    out["strongest"] = [i.code for i in result.strongest]
    out["weakest"] = [i.code for i in result.weakest]
    out["role_comparison"] = _role_comparison(look, profiles, table, k)
    out["breakdowns"] = {
        name: _breakdown(look.breakdown(name), data.group_orders.get(name, []), profiles, table, k)
        for name in BREAKDOWNS
        if name in data.asked and look.breakdown(name) is not None
    }
    out["previous"] = _previous(result, previous)
    out["benchmark"] = _benchmark(benchmark, sector)
    out["open_answers"] = _open_answers(data, members)
    return out


def _dimension_numbers(dim: scoring.DimensionScore) -> dict[str, Any]:
    band = dim.band
    return {
        "code": dim.code,
        "n": dim.n,
        "mean": _r(dim.mean),
        "sd": _r(dim.sd),
        "ci_low": _r(dim.ci_low),
        "ci_high": _r(dim.ci_high),
        "pct_positive": _pct(dim.pct_positive),
        "pct_negative": _pct(dim.pct_negative),
        "distribution": list(dim.distribution),
        "band": band.code if band else None,
        "attention": bool(band and (band.level == scoring.Level.LOW or band.vulnerable)),
        "alpha": _r(dim.alpha),
        "alpha_n": dim.alpha_n,
        "alpha_warning": dim.alpha_warning,
        "suppressed": dim.suppressed,
        "indicators": [
            {"code": ind.code, "mean": _r(ind.mean), "suppressed": ind.suppressed}
            for ind in dim.indicators
        ],
        "items": [
            {
                "code": item.code,
                "is_reversed": item.is_reversed,
                "n_valid": item.n_valid,
                "n_not_applicable": item.n_not_applicable,
                "mean": _r(item.mean),
                "pct_positive": _pct(item.pct_positive),
                "pct_negative": _pct(item.pct_negative),
                "distribution": list(item.distribution),
                "suppressed": item.suppressed,
            }
            for item in dim.items
        ],
    }


def _means(table: scoring.ScoreTable, members: list[int], threshold: int) -> dict[str, Any]:
    means = scoring.group_means(table, members, threshold=threshold)
    return {
        "n": means.n,
        "overall": _r(means.overall),
        "dimensions": {code: _r(mean) for code, mean in means.dimensions.items()},
    }


def _group_members(
    plan: anonymity.BreakdownPlan, group: anonymity.ShownGroup, profiles: list[dict]
) -> list[int]:
    return [i for i, p in enumerate(profiles) if p.get(plan.attribute) in group.values]


def _breakdown(
    plan: anonymity.BreakdownPlan,
    order: list[str],
    profiles: list[dict],
    table: scoring.ScoreTable,
    k: int,
) -> dict[str, Any]:
    groups = [
        {"key": group.label, **_means(table, _group_members(plan, group, profiles), k)}
        for group in plan.shown
    ]
    listed = set(plan.shown_labels) | {g.label for g in plan.suppressed}
    return {
        "allowed": plan.allowed,
        "reason": str(plan.reason) if plan.reason else None,
        # Display order of all listed groups (shown and suppressed), e.g. the team list.
        "order": [label for label in dict.fromkeys([*order, *sorted(listed)]) if label in listed],
        "groups": groups,
        "suppressed": [{"key": g.label, "reason": str(g.reason)} for g in plan.suppressed],
    }


def _role_comparison(
    look: anonymity.Look, profiles: list[dict], table: scoring.ScoreTable, k: int
) -> dict[str, Any]:
    plan = look.breakdown(anonymity.LEADERSHIP)
    if plan is None:
        return {"allowed": False, "reason": None}
    if not plan.allowed or len(plan.shown) < 2:
        reason = plan.reason or (plan.suppressed[0].reason if plan.suppressed else None)
        return {"allowed": False, "reason": str(reason) if reason else None}
    out: dict[str, Any] = {"allowed": True, "reason": None}
    for group in plan.shown:
        out[group.label] = _means(table, _group_members(plan, group, profiles), k)
    return out


class _Stats:
    """A stored summary's dimension figures, in the shape scoring.compare reads."""

    def __init__(self, stats: dict[str, Any]):
        self.n = stats.get("n")
        self.mean = stats.get("mean")
        self.sd = stats.get("sd")


def _previous(current: scoring.GroupResult, previous: dict[str, Any] | None) -> dict | None:
    if previous is None:
        return None
    stored = previous["data"].get("dimensions", {})
    dims = {}
    for dim in current.dimensions:
        stats = stored.get(dim.code)
        if not stats or stats.get("mean") is None:
            continue
        change = scoring.compare(dim, _Stats(stats))  # type: ignore[arg-type]
        dims[dim.code] = {
            "previous_mean": _r(stats["mean"]),
            "difference": _r(change.difference),
            "ci_low": _r(change.ci_low),
            "ci_high": _r(change.ci_high),
            "is_meaningful": change.is_meaningful,
        }
    return {
        "campaign": previous["campaign"],
        "respondents": previous["respondents"],
        "overall": _r(previous["data"].get("overall")),
        "dimensions": dims,
    }


def _quartiles(entries: list[dict]) -> dict[str, Any] | None:
    out = {}
    codes = {code for e in entries for code in e.get("dimensions", {})}
    for code in sorted(codes):
        means = [
            e["dimensions"][code]["mean"]
            for e in entries
            if e["dimensions"].get(code, {}).get("mean") is not None
        ]
        q = scoring.benchmark(means)
        if q is not None:
            out[code] = {"n": q.n, "q1": _r(q.q1), "median": _r(q.median), "q3": _r(q.q3)}
    return out or None


def _benchmark(entries: Sequence[tuple[str, dict]], sector: str) -> dict[str, Any] | None:
    """Median and quartiles over other organisations' latest closed round (same version)."""
    everyone = _quartiles([data for _, data in entries])
    if everyone is None:
        return None
    sector_entries = [data for s, data in entries if s == sector]
    return {
        "organisations": len(entries),
        "dimensions": everyone,
        "sector": sector,
        "sector_organisations": len(sector_entries),
        "sector_dimensions": _quartiles(sector_entries),
    }


def _open_answers(data: RoundInput, members: list[Respondent]) -> list[dict[str, Any]]:
    out = []
    for question_id, code in data.open_questions:
        shown = anonymity.visible_open_answers(
            [r.open_texts[question_id] for r in members if question_id in r.open_texts],
            n_respondents=len(members),
            threshold=data.open_answer_threshold,
            seed=f"{data.campaign_id}:{question_id}",
        )
        out.append(
            {
                "code": code,
                "visible": shown.visible,
                "reason": str(shown.reason) if shown.reason else None,
                "texts": list(shown.texts),
            }
        )
    return out


def summary_data(data: RoundInput, plan: anonymity.PublicationPlan) -> tuple[int, dict] | None:
    """(respondents, figures) kept for later comparisons: the final look's dimensions only."""
    look = plan.current
    if look is None or not look.final:
        return None
    members = data.respondents[: look.size]
    result = scoring.summarize([r.answers for r in members], data.item_specs)
    return look.size, {
        "overall": result.overall_index,
        "dimensions": {d.code: {"n": d.n, "mean": d.mean, "sd": d.sd} for d in result.dimensions},
    }
