"""The action plan of a closed round and the team dialogue kit, for HR and consultants.

After a round closes, HR (with the consultant) picks one to three focus dimensions and adds
actions, from the intervention library or written by hand. Every view fetches through
``assessments.access``: another organisation's plan or action is a 404.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, dialogue, improvement
from ..forms import ActionForm, FocusForm
from ..models import ActionPlan, Campaign, Dimension, Intervention, PlanAction
from ..pdfrender import RenderError
from ..results import campaign_results
from .exports import download

logger = logging.getLogger(__name__)

# A new action starts today and is due a quarter later, unless HR says otherwise.
DEFAULT_ACTION_DAYS = 90


def _dimensions(campaign: Campaign) -> list[Dimension]:
    return list(
        Dimension.objects.filter(questionnaire_id=campaign.questionnaire_id).order_by("position")
    )


def _library(campaign: Campaign, codes: list[str], used: set[str]) -> dict[str, list[dict]]:
    """Per dimension code, its interventions with the indicator each works on and whether the
    plan uses it already."""
    out = {}
    for code in codes:
        names = improvement.indicator_names(campaign, code)
        out[code] = [
            {
                "intervention": i,
                "indicator": names.get(i.indicator_position or 0, ""),
                "used": i.code in used,
            }
            for i in improvement.library(code)
        ]
    return out


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    language = translation.get_language()
    context: dict = {"campaign": campaign, "organisation": campaign.organisation}
    if campaign.status != Campaign.Status.CLOSED:
        return render(request, "assessments/plans/plan.html", context)
    results = campaign_results(campaign, language)
    dimensions = _dimensions(campaign)
    shown = {d.code: d for d in results.dimensions} if results.visible else {}
    existing = ActionPlan.objects.filter(campaign=campaign).first()
    focus_now = [d.code for d in existing.focus_dimensions()] if existing else []
    form = FocusForm(
        request.POST if request.method == "POST" else None,
        dimensions=[(d.code, d.name) for d in dimensions],
        initial={"focus": focus_now},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["focus"]
        dropped = [d for d in dimensions if d.code in set(focus_now) - set(chosen)]
        busy = [
            d
            for d in dropped
            if existing is not None and existing.actions.filter(dimension=d).exists()
        ]
        if busy:
            form.add_error(
                "focus",
                _(
                    "%(names)s still has actions. Delete or finish those actions first, or "
                    "keep the dimension in the plan."
                )
                % {"names": ", ".join(d.name for d in busy)},
            )
        else:
            with transaction.atomic():
                plan_, _created = ActionPlan.objects.get_or_create(campaign=campaign)
                plan_.focus.set([d for d in dimensions if d.code in chosen])
                plan_.touch()
            messages.success(request, _("The focus of the plan was saved."))
            return redirect("assessments:plan", campaign.pk)
    summary = improvement.round_plan(campaign, results, language)
    codes = [area.code for area in summary.focus] if summary else []
    checked = set(form.data.getlist("focus") if form.is_bound else focus_now)
    context.update(
        {
            "results": results,
            "form": form,
            "choices": [
                {
                    "dimension": d,
                    "checked": d.code in checked,
                    "figures": shown.get(d.code),
                }
                for d in dimensions
            ],
            "plan": summary,
            "areas": [
                {"area": area, "ideas": ideas}
                for area, ideas in zip(
                    summary.focus if summary else (),
                    _library(
                        campaign,
                        codes,
                        {a.intervention for a in (summary.actions if summary else ())},
                    ).values(),
                    strict=True,
                )
            ],
            "kit_dimensions": dimensions if results.visible else [],
            "today": timezone.localdate(),
        }
    )
    return render(request, "assessments/plans/plan.html", context)


def _plan_or_redirect(request: HttpRequest, campaign: Campaign) -> ActionPlan | HttpResponse:
    plan_ = ActionPlan.objects.filter(campaign=campaign).first()
    if campaign.status != Campaign.Status.CLOSED or plan_ is None or not plan_.focus.exists():
        messages.info(request, _("Choose the focus dimensions of the plan first."))
        return redirect("assessments:plan", campaign.pk)
    return plan_


def _code(value: object, length: int) -> str:
    """A library or dimension code from the request; one with a NUL byte is no code at all
    (PostgreSQL refuses NUL in a lookup)."""
    text = str(value or "")[:length]
    return "" if "\x00" in text else text


def _action_page(request, campaign, plan_, form, *, action=None, intervention=None):
    names = improvement.indicator_names(campaign, _code(form["dimension"].value(), 10))
    return render(
        request,
        "assessments/plans/action_form.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "form": form,
            "action": action,
            "intervention": intervention,
            "indicator": names.get(intervention.indicator_position or 0, "")
            if intervention
            else "",
            "title": _("Change the action") if action else _("New action"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    plan_ = _plan_or_redirect(request, campaign)
    if isinstance(plan_, HttpResponse):
        return plan_
    source = request.POST if request.method == "POST" else request.GET
    code = _code(source.get("intervention"), 12)
    intervention = Intervention.objects.filter(code=code).first() if code else None
    today = timezone.localdate()
    initial = {
        "dimension": _code(source.get("dimension"), 10),
        "starts_on": today,
        "due_on": today + dt.timedelta(days=DEFAULT_ACTION_DAYS),
        "status": PlanAction.Status.PLANNED,
    }
    if intervention is not None:
        initial.update(
            intervention=intervention.code,
            title=intervention.title,
            dimension=initial["dimension"] or intervention.dimension_code,
        )
    form = ActionForm(
        request.POST if request.method == "POST" else None, plan=plan_, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            action = form.save(commit=False)
            action.plan = plan_
            action.save()
            plan_.touch()
        messages.success(request, _("The action “%(title)s” was added.") % {"title": action.title})
        return redirect("assessments:plan", campaign.pk)
    return _action_page(request, campaign, plan_, form, intervention=intervention)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request.user, pk)
    plan_ = action.plan
    campaign = plan_.campaign
    form = ActionForm(
        request.POST if request.method == "POST" else None, instance=action, plan=plan_
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            plan_.touch()
        messages.success(request, _("The action was saved."))
        return redirect("assessments:plan", campaign.pk)
    return _action_page(
        request, campaign, plan_, form, action=action, intervention=action.intervention
    )


@login_required
@require_POST
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.get_action_for_user(request.user, pk)
    plan_ = action.plan
    with transaction.atomic():
        action.delete()
        plan_.touch()
    messages.success(request, _("The action “%(title)s” was deleted.") % {"title": action.title})
    return redirect("assessments:plan", plan_.campaign_id)


@login_required
@require_GET
def dialogue_kit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        kit = dialogue.build_kit(campaign, code, language)
    except dialogue.KitUnavailable as refusal:
        return render(
            request,
            "assessments/exports/unavailable.html",
            {
                "heading": _("No dialogue kit available"),
                "message": refusal.message,
                "campaign": campaign,
                "organisation": campaign.organisation,
            },
            status=409,
        )
    except RenderError as exc:
        logger.error("dialogue kit for round %s failed: %s", campaign.pk, exc)
        return render(
            request,
            "assessments/report/unavailable.html",
            {"campaign": campaign, "reason": "failed"},
            status=503,
        )
    return download(kit)
