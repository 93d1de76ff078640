"""The management view: its own link, the questionnaire the management team fills in, and
the HR page that hands out the link.

The management team answers the same statements as the employees, as they see the
organisation, plus an optional estimate per dimension of how the employees will score it. The
answers are named and stored in their own tables (ManagementResponse): they are not anonymous
within the management team and never enter the employees' results.

As with the round link, the token appears only in the first URL; it is exchanged for a session
and the browser goes on to /management/. Answers are saved page by page on the server.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, improvement, mailing
from ..forms import ManagementIntroForm, ManagementInviteForm
from ..models import (
    Campaign,
    ManagementAnswer,
    ManagementEstimate,
    ManagementInvitation,
    ManagementResponse,
    ManagementView,
    hash_token,
)
from ..presentation import format_number, scale_labels
from ..ratelimits import limit_misses, record_miss
from ..survey import SurveyPlan, parse_item_value
from .survey import _item_rows

SESSION_KEY = "management"
# Estimates of a dimension's mean, in tenths from 1.0 to 5.0 ("" = no estimate).
ESTIMATES = [Decimal(n) / 10 for n in range(10, 51)]


def _unavailable(request: HttpRequest) -> HttpResponse:
    # Unknown links get the same page as the employees' unknown links: it must not tell a
    # guesser which tokens exist.
    return render(request, "assessments/survey/unavailable.html", status=404)


def _not_open(request: HttpRequest, view: ManagementView) -> HttpResponse:
    """The link is real (nobody guesses 256 bits), so it may say kindly why it does not work."""
    return render(
        request,
        "assessments/management/closed.html",
        {
            "campaign": view.campaign,
            "organisation": view.campaign.organisation,
            "closed": view.campaign.status == Campaign.Status.CLOSED
            or view.campaign.closes_on < timezone.localdate(),
        },
    )


class _State:
    """The session's management view and the member's answers in progress."""

    def __init__(self, request: HttpRequest):
        self.request = request
        self.data: dict = request.session.get(SESSION_KEY) or {}
        self.view = (
            ManagementView.objects.select_related("campaign__organisation")
            .filter(pk=self.data.get("view"))
            .first()
            if self.data.get("view")
            else None
        )
        self.response = None
        if self.view is not None and self.data.get("response"):
            self.response = ManagementResponse.objects.filter(
                pk=self.data["response"], view=self.view
            ).first()

    @property
    def campaign(self) -> Campaign:
        assert self.view is not None
        return self.view.campaign

    def save(self) -> None:
        self.request.session[SESSION_KEY] = self.data
        self.request.session.modified = True

    def guard(self, *, need_response: bool = True) -> HttpResponse | None:
        if self.view is None:
            return _unavailable(self.request)
        if not self.view.is_accepting_answers():
            return _not_open(self.request, self.view)
        if need_response and (self.response is None or self.response.submitted_at):
            return redirect("assessments:management_intro")
        return None


@never_cache
@require_GET
@limit_misses()
def management_entry(request: HttpRequest, token: str) -> HttpResponse:
    view = (
        ManagementView.objects.select_related("campaign__organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if view is None:
        record_miss(request)
        return _unavailable(request)
    state = request.session.get(SESSION_KEY) or {}
    if state.get("view") != view.pk:
        if request.session.session_key is not None:
            request.session.cycle_key()
        request.session[SESSION_KEY] = {"view": view.pk}
    if not view.is_accepting_answers():
        # In the session too, so that switching the language shows this page again.
        return _not_open(request, view)
    response = redirect("assessments:management_intro")
    language = view.campaign.default_language
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.SESSION_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response


def _plan(campaign: Campaign) -> SurveyPlan:
    return SurveyPlan.for_campaign(campaign)


def _answers(response: ManagementResponse) -> dict[str, int | None]:
    return dict(response.answers.values_list("item__code", "value"))


def _first_incomplete(plan: SurveyPlan, answers: dict) -> int | None:
    for number, dimension in enumerate(plan.dimensions, start=1):
        if plan.missing_items({"answers": answers}, dimension):
            return number
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def management_intro(request: HttpRequest) -> HttpResponse:
    state = _State(request)
    if (blocked := state.guard(need_response=False)) is not None:
        return blocked
    if request.GET.get("new") or (state.response and state.response.submitted_at):
        # Someone else of the management team on this device, or after sending.
        state.data = {"view": state.view.pk}
        state.save()
        state.response = None
    form = ManagementIntroForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if state.response is not None and "continue" in request.POST:
            plan = _plan(state.campaign)
            number = _first_incomplete(plan, _answers(state.response))
            if number is None:
                return redirect("assessments:management_review")
            return redirect("assessments:management_step", number=number)
        if form.is_valid():
            response = ManagementResponse.objects.create(view=state.view, **form.cleaned_data)
            state.data = {"view": state.view.pk, "response": response.pk}
            state.save()
            return redirect("assessments:management_step", number=1)
    plan = _plan(state.campaign)
    return render(
        request,
        "assessments/management/intro.html",
        {
            "campaign": state.campaign,
            "organisation": state.campaign.organisation,
            "form": form,
            "response": state.response,
            "item_count": plan.item_count(),
            "dimension_count": len(plan.dimensions),
        },
    )


def _estimate_options(current: Decimal | None) -> list[dict]:
    return [
        {
            "value": str(value),
            "label": format_number(float(value), digits=1),
            "selected": value == current,
        }
        for value in ESTIMATES
    ]


def _parse_estimate(raw: str | None) -> tuple[bool, Decimal | None]:
    """(valid, value): "" is no estimate; anything but a listed tenth is refused."""
    if raw in (None, ""):
        return True, None
    try:
        value = Decimal(raw.replace(",", "."))
    except (InvalidOperation, ValueError):
        return False, None
    return (True, value) if value in ESTIMATES else (False, None)


@never_cache
@require_http_methods(["GET", "POST"])
def management_step(request: HttpRequest, number: int) -> HttpResponse:
    state = _State(request)
    if (blocked := state.guard()) is not None:
        return blocked
    plan = _plan(state.campaign)
    if not 1 <= number <= len(plan.dimensions):
        return redirect("assessments:management_step", number=1)
    dimension = plan.dimensions[number - 1]
    items = plan.items_by_dimension[dimension.pk]
    response = state.response
    missing: set[str] = set()
    estimate_invalid = False
    if request.method == "POST":
        posted = {}
        for item in items:
            valid, value = parse_item_value(request.POST.get(f"item-{item.code}"), item)
            if valid:
                posted[item] = value
        valid_estimate, estimate = _parse_estimate(request.POST.get("estimate"))
        estimate_invalid = not valid_estimate
        with transaction.atomic():
            # Only valid values are stored, so a broken field never erases an earlier answer.
            ManagementAnswer.objects.filter(response=response, item__in=list(posted)).delete()
            ManagementAnswer.objects.bulk_create(
                ManagementAnswer(response=response, item=item, value=value)
                for item, value in posted.items()
            )
            if valid_estimate:
                ManagementEstimate.objects.filter(response=response, dimension=dimension).delete()
                if estimate is not None:
                    ManagementEstimate.objects.create(
                        response=response, dimension=dimension, value=estimate
                    )
        answers = _answers(response)
        missing = {item.code for item in items if item.code not in answers}
        action = request.POST.get("action", "next")
        if action == "back":
            if number > 1:
                return redirect("assessments:management_step", number=number - 1)
            return redirect("assessments:management_intro")
        if not missing and not estimate_invalid:
            if number < len(plan.dimensions):
                return redirect("assessments:management_step", number=number + 1)
            return redirect("assessments:management_review")
    answers = _answers(response)
    current = (
        ManagementEstimate.objects.filter(response=response, dimension=dimension)
        .values_list("value", flat=True)
        .first()
    )
    rows = _item_rows(plan, dimension, answers, missing)
    return render(
        request,
        "assessments/management/items.html",
        {
            "campaign": state.campaign,
            "organisation": state.campaign.organisation,
            "response": response,
            "dimension": dimension,
            "rows": rows,
            "missing_rows": [r for r in rows if r["missing"]],
            "has_errors": bool(missing) or estimate_invalid,
            "estimate_invalid": estimate_invalid,
            "estimates": _estimate_options(current),
            "step_number": number,
            "step_total": len(plan.dimensions),
            "scale": scale_labels(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def management_review(request: HttpRequest) -> HttpResponse:
    state = _State(request)
    if (blocked := state.guard()) is not None:
        return blocked
    plan = _plan(state.campaign)
    response = state.response
    answers = _answers(response)
    if request.method == "POST":
        number = _first_incomplete(plan, answers)
        if number is not None:
            return redirect("assessments:management_step", number=number)
        ManagementResponse.objects.filter(pk=response.pk, submitted_at__isnull=True).update(
            submitted_at=timezone.now()
        )
        state.data = {"view": state.view.pk, "done": True}
        state.save()
        return redirect("assessments:management_done")
    estimates = dict(response.estimates.values_list("dimension_id", "value"))
    sections = []
    for number, dimension in enumerate(plan.dimensions, start=1):
        total = len(plan.items_by_dimension[dimension.pk])
        missing = len(plan.missing_items({"answers": answers}, dimension))
        estimate = estimates.get(dimension.pk)
        sections.append(
            {
                "number": number,
                "title": dimension.name,
                "answered": total - missing,
                "total": total,
                "complete": not missing,
                "estimate": None if estimate is None else float(estimate),
            }
        )
    return render(
        request,
        "assessments/management/review.html",
        {
            "campaign": state.campaign,
            "organisation": state.campaign.organisation,
            "response": response,
            "sections": sections,
            "complete": all(s["complete"] for s in sections),
        },
    )


@never_cache
@require_GET
def management_done(request: HttpRequest) -> HttpResponse:
    state = _State(request)
    if state.view is None:
        return _unavailable(request)
    if not state.data.get("done"):
        return redirect("assessments:management_intro")
    return render(
        request,
        "assessments/management/done.html",
        {
            "campaign": state.campaign,
            "organisation": state.campaign.organisation,
            "open": state.view.is_accepting_answers(),
        },
    )


# --- HR and consultants: the management link ---------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_management(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    view = improvement.management_view(campaign, create=True)
    is_open = campaign.status == Campaign.Status.OPEN
    form = ManagementInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not view.is_accepting_answers():
            messages.error(request, _("The management link only works while the round is open."))
            return redirect("assessments:campaign_management", campaign.pk)
        if form.is_valid():
            with transaction.atomic():
                ManagementInvitation.objects.bulk_create(
                    ManagementInvitation(view=view, email=address) for address in form.addresses
                )
                mailing.after_queueing_management(campaign)
            n = len(form.addresses)
            messages.success(
                request,
                ngettext(
                    "The management link goes to %(n)d address.",
                    "The management link goes to %(n)d addresses.",
                    n,
                )
                % {"n": n},
            )
            return redirect("assessments:campaign_management", campaign.pk)
    members = list(view.responses.order_by("started_at", "pk"))
    return render(
        request,
        "assessments/workspace/campaign_management.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "view": view,
            "url": view.url(),
            "is_open": is_open,
            "accepting": view.is_accepting_answers(),
            "sent": [m for m in members if m.submitted_at],
            "in_progress": [m for m in members if not m.submitted_at],
            "invitations": view.invitations.filter(sent_on__isnull=False).count(),
            "queued": view.invitations.filter(pending=True).exclude(email="").count(),
            "form": form,
        },
    )
