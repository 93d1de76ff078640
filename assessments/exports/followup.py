"""The management view and the action plan as tables, for the results export and the plan's
own export. Built from :mod:`assessments.improvement` only, so a file holds the numbers the
dashboard and the PDF show (and no employee figure the results do not publish)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .. import followup, presentation
from ..improvement import FollowUp, PlanSummary
from .writers import Cell, Table


def management_tables(comparison: followup.ManagementComparison | None) -> list[Table]:
    if comparison is None:
        return []
    note = "" if comparison.visible else (comparison.reason_text or "")
    dimensions = Table(
        _("Management's view"),
        [
            _("Code"),
            _("Dimension"),
            pgettext("management view", "Management"),
            _("Employees"),
            _("Gap (management − employees)"),
            _("Notable gap (half a point or more)"),
            _("Management's estimate"),
            _("Estimate − employees"),
            _("Estimate"),
            _("Note"),
        ],
        [
            [
                d.code,
                d.name,
                d.management,
                d.employees,
                d.gap,
                d.notable if d.gap is not None else None,
                e.estimate,
                e.difference,
                presentation.estimate_text(e.verdict) if e.verdict else None,
                note,
            ]
            for d, e in zip(comparison.dimensions, comparison.estimates, strict=True)
        ],
    )
    statements: list[list[Cell]] = [
        [label, rank, g.code, g.text, g.dimension, g.management, g.employees, g.gap]
        for label, gaps in (
            (_("Management sees it more positively"), comparison.management_higher),
            (_("Employees see it more positively"), comparison.employees_higher),
        )
        for rank, g in enumerate(gaps, start=1)
    ]
    people = Table(
        _("Management: who answered"),
        [_("Name"), _("Role")],
        [[p.name, p.role_label] for p in comparison.participants],
    )
    return [
        dimensions,
        Table(
            _("Largest gaps"),
            [
                _("List"),
                _("Rank"),
                _("Item"),
                _("Statement"),
                _("Dimension"),
                pgettext("management view", "Management"),
                _("Employees"),
                _("Gap"),
            ],
            statements,
        ),
        people,
    ]


def plan_tables(plan: PlanSummary | None, follow_up: FollowUp | None = None) -> list[Table]:
    tables = []
    if plan is not None:
        rows: list[list[Cell]] = []
        for area in plan.focus:
            rows.extend(
                [
                    area.name,
                    area.mean,
                    action.title,
                    action.owner,
                    action.starts_on.isoformat(),
                    action.due_on.isoformat(),
                    action.status_label,
                    action.note,
                    action.intervention or None,
                ]
                for action in area.actions
            )
            if not area.actions:
                rows.append([area.name, area.mean, None, None, None, None, None, None, None])
        tables.append(
            Table(
                _("Action plan"),
                [
                    _("Focus dimension"),
                    _("Employees' mean"),
                    _("Action"),
                    _("Owner"),
                    _("Start"),
                    _("Ready by"),
                    _("Status"),
                    _("Note"),
                    _("From the library"),
                ],
                rows,
            )
        )
    if follow_up is not None:
        tables.append(
            Table(
                _("Since the action plan"),
                [
                    _("Focus dimension"),
                    _("Plan's round"),
                    _("Mean then"),
                    _("Mean now"),
                    _("Difference"),
                    _("95% CI low"),
                    _("95% CI high"),
                    _("Meaningful difference"),
                ],
                [
                    [
                        c.name,
                        follow_up.plan.campaign_name,
                        c.at_plan,
                        c.now,
                        c.difference,
                        c.ci_low,
                        c.ci_high,
                        c.is_meaningful,
                    ]
                    for c in follow_up.changes
                ],
            )
        )
    return tables
