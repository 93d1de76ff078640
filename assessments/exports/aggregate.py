"""The aggregated export (HR and consultants): the dashboard's tables, from the typed results.

Built from :func:`assessments.results.campaign_results` only, so it shows exactly the numbers
of the dashboard, the PDF and ``campaign_results --json``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .. import presentation
from ..results.data import GroupMeans, RoundResults
from .writers import Cell, Table


class ExportUnavailable(Exception):
    """Nothing may be exported (too few responses, round still open, answers deleted)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def aggregate_tables(results: RoundResults) -> list[Table]:
    """The dashboard's tables, from the typed results only."""
    if not results.visible:
        raise ExportUnavailable(results.reason_text or "")
    round_ = results.round
    dims = results.dimensions
    codes = [d.code for d in dims]
    names = {d.code: d.short_name for d in dims}
    rate = results.response_rate
    previous = results.previous
    summary: list[tuple[str, str, Cell]] = [
        ("organisation", _("Organisation"), round_.organisation),
        ("round", _("Round"), round_.name),
        ("opens_on", _("Opens on"), presentation.format_date(round_.opens_on)),
        ("closes_on", _("Closes on"), presentation.format_date(round_.closes_on)),
        ("status", _("Status"), presentation.status_label(round_.status)),
        ("respondents", _("Respondents"), results.respondents),
        ("received", _("Responses received"), results.received),
        ("response_rate_basis", _("Response rate: out of"), rate.denominator),
        ("response_rate", _("Response rate (%)"), rate.percent),
        (
            "indicative",
            _("Indicative (response rate below %(threshold)s)")
            % {"threshold": presentation.format_percent(presentation.INDICATIVE_RESPONSE_RATE)},
            rate.indicative,
        ),
        ("threshold", _("Minimum group size (k)"), results.threshold),
        ("overall_index", _("Overall index"), results.overall_index),
        ("previous_round", _("Previous round"), previous.campaign_name if previous else None),
        (
            "previous_respondents",
            _("Respondents in the previous round"),
            previous.respondents if previous else None,
        ),
        (
            "previous_overall",
            _("Overall index of the previous round"),
            previous.overall if previous else None,
        ),
    ]
    tables = [Table(_("Round"), [_("Key"), _("Description"), _("Value")], summary)]  # type: ignore[arg-type]

    dist = [_("Scored %(value)d (count)") % {"value": v} for v in range(1, 6)]
    tables.append(
        Table(
            _("Dimensions"),
            [
                _("Code"),
                _("Dimension"),
                _("Respondents (n)"),
                _("Mean"),
                _("SD"),
                _("95% CI low"),
                _("95% CI high"),
                _("% positive"),
                _("% negative"),
                *dist,
                _("Band"),
                _("Band code"),
                _("Needs attention"),
                _("Cronbach's alpha"),
                _("Alpha n"),
                _("Alpha indicative (n < 30)"),
                _("Suppressed"),
            ],
            [
                [
                    d.code,
                    d.name,
                    d.n,
                    d.mean,
                    d.sd,
                    d.ci_low,
                    d.ci_high,
                    d.pct_positive,
                    d.pct_negative,
                    *(d.distribution or (None,) * 5),
                    presentation.band_label(d.band) if d.band else None,
                    d.band,
                    d.attention,
                    d.alpha,
                    d.alpha_n,
                    d.alpha_warning,
                    d.suppressed,
                ]
                for d in dims
            ],
        )
    )
    tables.append(
        Table(
            _("Indicators"),
            [
                _("Dimension"),
                _("Indicator"),
                _("Indicator in the model"),
                _("Mean"),
                _("Suppressed"),
            ],
            [
                [d.code, ind.name, ind.model_name, ind.mean, ind.suppressed]
                for d in dims
                for ind in d.indicators
            ],
        )
    )
    tables.append(
        Table(
            _("Items"),
            [
                _("Dimension"),
                _("Item"),
                _("Statement"),
                _("Counts reversed"),
                _("Valid answers"),
                _("Don't know / not applicable"),
                _("Mean"),
                _("% agree (as worded)"),
                _("% disagree (as worded)"),
                _("% positive"),
                _("% negative"),
                *dist,
                _("Suppressed"),
            ],
            [
                [
                    d.code,
                    i.code,
                    i.text,
                    i.is_reversed,
                    i.n_valid,
                    i.n_not_applicable,
                    i.mean,
                    i.pct_agree,
                    i.pct_disagree,
                    i.pct_positive,
                    i.pct_negative,
                    *(i.distribution or (None,) * 5),
                    i.suppressed,
                ]
                for d in dims
                for i in d.items
            ],
        )
    )
    tables.append(
        Table(
            _("Strongest and weakest"),
            [_("List"), _("Rank"), _("Item"), _("Statement"), _("Mean")],
            [
                [label, rank, code, results.item(code).text, results.item(code).mean]
                for codes_, label in (
                    (results.strongest, _("Strongest")),
                    (results.weakest, _("Weakest")),
                )
                for rank, code in enumerate(codes_, start=1)
            ],
        )
    )

    def means_row(label: str, group: GroupMeans) -> list[Cell]:
        return [label, group.n, group.overall, *(group.dimensions.get(c) for c in codes), ""]

    means_header = [_("Overall index"), *(f"{c} {names[c]}" for c in codes)]
    role = results.role_comparison
    role_rows: list[list[Cell]] = []
    if role and role.allowed and role.leadership and role.employees:
        role_rows = [
            means_row(role.leadership.label, role.leadership),
            means_row(role.employees.label, role.employees),
        ]
    else:
        role_rows = [["", None, None, *([None] * len(codes)), (role and role.reason_text) or ""]]
    tables.append(
        Table(
            _("Managers vs. employees"),
            [_("Group"), _("Respondents (n)"), *means_header, _("Note")],
            role_rows,
        )
    )

    breakdown_rows: list[list[Cell]] = []
    for breakdown in results.breakdowns.values():
        if not breakdown.allowed:
            breakdown_rows.append(
                [
                    breakdown.label,
                    "",
                    None,
                    None,
                    *([None] * len(codes)),
                    breakdown.reason_text or "",
                ]
            )
            continue
        for group in breakdown.rows():
            if isinstance(group, GroupMeans):
                row = means_row(group.label, group)
                if any(v is None for v in group.dimensions.values()):
                    row[-1] = breakdown.cells_note or ""
                breakdown_rows.append([breakdown.label, *row])
            else:
                breakdown_rows.append(
                    [
                        breakdown.label,
                        group.label,
                        None,
                        None,
                        *([None] * len(codes)),
                        group.reason_text,
                    ]
                )
    tables.append(
        Table(
            _("Breakdowns"),
            [_("Breakdown"), _("Group"), _("Respondents (n)"), *means_header, _("Note")],
            breakdown_rows,
        )
    )

    if previous:
        tables.append(
            Table(
                _("Previous round"),
                [
                    _("Dimension"),
                    _("Previous mean"),
                    _("Difference"),
                    _("95% CI low"),
                    _("95% CI high"),
                    _("Meaningful difference"),
                ],
                [
                    [
                        code,
                        change.previous_mean,
                        change.difference,
                        change.ci_low,
                        change.ci_high,
                        change.is_meaningful,
                    ]
                    for code, change in previous.dimensions.items()
                ],
            )
        )
    benchmark = results.benchmark
    if benchmark:
        sector = benchmark.sector_dimensions or {}
        tables.append(
            Table(
                _("Benchmark"),
                [
                    _("Dimension"),
                    _("Organisations"),
                    _("First quartile"),
                    _("Median"),
                    _("Third quartile"),
                    _("Organisations in the sector"),
                    _("Sector: first quartile"),
                    _("Sector: median"),
                    _("Sector: third quartile"),
                ],
                [
                    [
                        code,
                        q.n,
                        q.q1,
                        q.median,
                        q.q3,
                        s.n if (s := sector.get(code)) else None,
                        s.q1 if s else None,
                        s.median if s else None,
                        s.q3 if s else None,
                    ]
                    for code, q in benchmark.dimensions.items()
                ],
            )
        )
    open_rows: list[list[Cell]] = []
    for question in results.open_answers:
        if not question.visible:
            open_rows.append([question.code, question.question, "", question.reason_text or ""])
        for text in question.texts:
            open_rows.append([question.code, question.question, text, ""])
    tables.append(
        Table(
            _("Open answers"),
            [_("Question code"), _("Question"), _("Answer"), _("Note")],
            open_rows,
        )
    )
    return tables
