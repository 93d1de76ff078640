"""The management view and the action plan of a round, read once for every output.

The dashboard, the PDF report, the dialogue kit and the exports take these typed values from
here: the ORM reads are in this module, the rules in :mod:`assessments.followup` (pure), and
the employees' figures only from :func:`assessments.results.campaign_results`, whose
publication plan keeps deciding what of the employees may be shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.utils import timezone, translation

from . import followup, presentation
from .models import (
    ActionPlan,
    Campaign,
    CampaignSummary,
    Dimension,
    Intervention,
    Item,
    ManagementAnswer,
    ManagementEstimate,
    ManagementResponse,
    ManagementRole,
    ManagementView,
)
from .results.build import stored_dimensions
from .results.data import RoundResults
from .scoring import ItemSpec

# --- The management view ------------------------------------------------------------------


def management_view(campaign: Campaign, *, create: bool = False) -> ManagementView | None:
    """The round's management link (made on first use when ``create``)."""
    view = ManagementView.objects.filter(campaign=campaign).first()
    if view is None and create:
        view, _ = ManagementView.objects.get_or_create(campaign=campaign)
    elif view is not None and create:
        view.heal_token()
    return view


def _content(campaign: Campaign) -> tuple[list[ItemSpec], followup.ContentText]:
    items = list(
        Item.objects.filter(dimension__questionnaire_id=campaign.questionnaire_id)
        .select_related("dimension")
        .order_by("dimension__position", "position")
    )
    specs = [
        ItemSpec(item.code, item.dimension.code, str(item.indicator_id), item.is_reversed)
        for item in items
    ]
    dimensions = {item.dimension.code: item.dimension for item in items}
    content = followup.ContentText(
        dimensions={code: (d.name, d.short_name or d.name) for code, d in dimensions.items()},
        items={item.code: (item.text, item.dimension.code, item.is_reversed) for item in items},
    )
    return specs, content


def participants(campaign: Campaign) -> list[ManagementResponse]:
    """Who of the management team sent their answers, in the order they did."""
    return list(
        ManagementResponse.objects.submitted().for_campaign(campaign).order_by("submitted_at", "pk")
    )


def management_comparison(
    campaign: Campaign, results: RoundResults
) -> followup.ManagementComparison | None:
    """The management view beside the round's published results; None until someone sent."""
    sent = participants(campaign)
    if not sent:
        return None
    with translation.override(results.language):
        specs, content = _content(campaign)
        roles = dict(ManagementRole.choices)
        people = [
            followup.Participant(r.name, r.role, str(roles.get(r.role, r.role))) for r in sent
        ]
    answers: dict[int, dict[str, int | None]] = {r.pk: {} for r in sent}
    for response_id, code, value in ManagementAnswer.objects.filter(
        response__in=[r.pk for r in sent]
    ).values_list("response_id", "item__code", "value"):
        answers[response_id][code] = value
    estimates: dict[str, list[float]] = {}
    for code, value in ManagementEstimate.objects.filter(
        response__in=[r.pk for r in sent]
    ).values_list("dimension__code", "value"):
        estimates.setdefault(code, []).append(float(value))
    with translation.override(results.language):
        return followup.compare_views(
            results, [answers[r.pk] for r in sent], specs, content, people, estimates
        )


# --- The action plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedAction:
    pk: int
    dimension: str  # code
    title: str
    owner: str
    starts_on: dt.date
    due_on: dt.date
    status: str
    status_label: str
    note: str
    intervention: str  # the library code, or ""
    overdue: bool

    @property
    def status_class(self) -> str:
        return presentation.ACTION_STATUS_CLASSES.get(self.status, "")


@dataclass(frozen=True)
class FocusArea:
    code: str
    name: str
    short_name: str
    mean: float | None  # the employees' mean as shown, None when not shown
    band: str | None
    actions: tuple[PlannedAction, ...]


@dataclass(frozen=True)
class PlanSummary:
    campaign_id: int
    campaign_name: str
    focus: tuple[FocusArea, ...]
    counts: dict[str, int]  # per status

    @property
    def actions(self) -> tuple[PlannedAction, ...]:
        return tuple(a for area in self.focus for a in area.actions)

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.overdue)


def _plan(campaign: Campaign) -> ActionPlan | None:
    return ActionPlan.objects.filter(campaign=campaign).select_related("campaign").first()


def plan_summary(
    plan: ActionPlan, results: RoundResults | None, language: str, today: dt.date | None = None
) -> PlanSummary:
    today = today or timezone.localdate()
    shown = {d.code: d for d in results.dimensions} if results and results.visible else {}
    with translation.override(language):
        actions = list(plan.actions.select_related("intervention").order_by("due_on", "pk"))
        focus = []
        for dimension in plan.focus_dimensions():
            figures = shown.get(dimension.code)
            focus.append(
                FocusArea(
                    code=dimension.code,
                    name=dimension.name,
                    short_name=dimension.short_name or dimension.name,
                    mean=figures.mean if figures else None,
                    band=figures.band if figures else None,
                    actions=tuple(
                        PlannedAction(
                            pk=a.pk,
                            dimension=dimension.code,
                            title=a.title,
                            owner=a.owner,
                            starts_on=a.starts_on,
                            due_on=a.due_on,
                            status=a.status,
                            status_label=str(a.get_status_display()),
                            note=a.note,
                            intervention=a.intervention.code if a.intervention else "",
                            overdue=a.is_overdue(today),
                        )
                        for a in actions
                        if a.dimension_id == dimension.pk
                    ),
                )
            )
    return PlanSummary(
        campaign_id=plan.campaign_id,
        campaign_name=plan.campaign.name,
        focus=tuple(focus),
        counts=followup.status_counts(a.status for a in actions),
    )


def round_plan(
    campaign: Campaign, results: RoundResults | None, language: str
) -> PlanSummary | None:
    """The round's own action plan, or None."""
    plan = _plan(campaign)
    return plan_summary(plan, results, language) if plan else None


@dataclass(frozen=True)
class FollowUp:
    """An earlier round's plan, seen from a later round: what was planned, what changed."""

    plan: PlanSummary
    changes: tuple[followup.FocusChange, ...]
    visible: bool  # the later round's results are shown, so changes can be
    reason_text: str | None


def earlier_plan(campaign: Campaign) -> ActionPlan | None:
    """The plan of the organisation's latest round that closed before this one opened."""
    return (
        ActionPlan.objects.filter(
            campaign__organisation_id=campaign.organisation_id,
            campaign__status=Campaign.Status.CLOSED,
            campaign__closes_on__lt=campaign.opens_on,
            campaign__questionnaire__code=campaign.questionnaire.code,
        )
        .exclude(campaign=campaign)
        .select_related("campaign")
        .order_by("-campaign__closes_on", "-campaign_id")
        .first()
    )


def follow_up(campaign: Campaign, results: RoundResults) -> FollowUp | None:
    plan = earlier_plan(campaign)
    if plan is None or not plan.focus.exists():
        return None
    summary = (
        CampaignSummary.objects.filter(campaign_id=plan.campaign_id)
        .select_related("campaign")
        .first()
    )
    figures = stored_dimensions(summary.data, summary.campaign.threshold) if summary else None
    codes = [d.code for d in plan.focus_dimensions()]
    with translation.override(results.language):
        changes = followup.changes_since_plan(codes, results, plan.campaign_id, figures)
        earlier = plan_summary(plan, None, results.language)
    return FollowUp(earlier, changes, results.visible, results.reason_text)


# --- The library --------------------------------------------------------------------------


def library(dimension_code: str) -> list[Intervention]:
    return list(Intervention.objects.filter(dimension_code=dimension_code).order_by("position"))


def indicator_names(campaign: Campaign, dimension_code: str) -> dict[int, str]:
    """Position → the indicator's plain name, for "works on" beside an intervention."""
    dimension = (
        Dimension.objects.filter(questionnaire_id=campaign.questionnaire_id, code=dimension_code)
        .prefetch_related("indicators")
        .first()
    )
    if dimension is None:
        return {}
    return {i.position: i.plain_name for i in dimension.indicators.all()}


# --- What the PDF shows of these ------------------------------------------------------------


def state_key(campaign: Campaign) -> str:
    """Changes whenever the management view or a plan the round's report shows changes."""
    parts: list[object] = list(
        ManagementResponse.objects.submitted()
        .for_campaign(campaign)
        .order_by("pk")
        .values_list("pk", "name", "role", "submitted_at")
    )
    plans = [p for p in (_plan(campaign), earlier_plan(campaign)) if p is not None]
    for plan in plans:
        parts.append(("plan", plan.pk, sorted(plan.focus.values_list("code", flat=True))))
        parts.extend(
            plan.actions.order_by("pk").values_list(
                "pk", "dimension_id", "title", "owner", "starts_on", "due_on", "status", "note"
            )
        )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
