"""The employee questionnaire: anonymous, resumable, one response per submission.

The round or invitation token appears only in the first URL; it is exchanged for a session
and the browser is sent on to /survey/, so it never lands in history, logs or Referer headers
beyond that first request.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import (
    DEFAULT_RETENTION_MONTHS,
    Campaign,
    Invitation,
    SentDraft,
    SurveyDraft,
    hash_token,
    normalize_short_code,
)
from ..presentation import minutes_to_complete, scale_labels
from ..ratelimits import limit_misses, record_miss
from ..survey import (
    NOT_APPLICABLE,
    OPEN_ANSWER_MAX_LENGTH,
    UNDISCLOSED,
    SubmissionError,
    SurveyPlan,
    draft_with_round,
    hash_resume_code,
    new_code_for,
    normalize_resume_code,
    parse_item_value,
    parse_segment_value,
    start_draft,
    store_locked_draft,
)
from .errors import carried_fields, session_expired

SESSION_KEY = "survey"
# "This round was sent from this browser": the round ids only, signed so that it cannot be
# forged, kept in the browser rather than on the server, and never linked to the response.
SENT_COOKIE = "leercultuur_sent"
SENT_COOKIE_SALT = "assessments.survey.sent"


def _sent_here(request: HttpRequest) -> set[int]:
    try:
        value = request.get_signed_cookie(SENT_COOKIE, default="", salt=SENT_COOKIE_SALT)
    except signing.BadSignature:
        return set()
    return {int(part) for part in value.split(",") if part.isdigit()}


def _write_sent(response: HttpResponse, ids: set[int]) -> None:
    # Only open rounds are worth remembering; the cookie lasts until the last of them closes.
    today = timezone.localdate()
    rounds = list(Campaign.objects.open().filter(pk__in=ids).values_list("pk", "closes_on"))
    if not rounds:
        response.delete_cookie(SENT_COOKIE, samesite="Lax")
        return
    days = max((closes_on - today).days for _, closes_on in rounds) + 1
    response.set_signed_cookie(
        SENT_COOKIE,
        ",".join(str(pk) for pk, _ in sorted(rounds)),
        salt=SENT_COOKIE_SALT,
        max_age=max(days, 1) * 86400,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


def _sent(request: HttpRequest, response: HttpResponse, campaign: Campaign) -> HttpResponse:
    _write_sent(response, _sent_here(request) | {campaign.pk})
    return response


def _already_sent(request: HttpRequest, campaign: Campaign, *, link: bool) -> HttpResponse:
    """The thank-you page again, for a browser that sent this round before."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "campaign": campaign.pk,
        "done": True,
        "returning": True,
        "link": link,
    }
    return redirect("assessments:survey_done")


def _unavailable(request: HttpRequest) -> HttpResponse:
    # One page for unknown, closed, not yet open, used or expired links: it must not tell a
    # guesser which tokens exist.
    return render(request, "assessments/survey/unavailable.html", status=404)


def _begin_session(
    request: HttpRequest, campaign: Campaign, invitation: Invitation | None
) -> HttpResponse:
    if invitation is None and campaign.pk in _sent_here(request):
        # Sent from this browser already; the page offers a fresh start for someone else.
        return _already_sent(request, campaign, link=True)
    state = request.session.get(SESSION_KEY) or {}
    same_round = state.get("campaign") == campaign.pk and not state.get("done")
    same_invitation = state.get("invitation") == (invitation.pk if invitation else None)
    if not (same_round and same_invitation):
        state = {"campaign": campaign.pk, "invitation": invitation.pk if invitation else None}
        draft = getattr(invitation, "draft", None) if invitation else None
        if draft is not None:
            # The same personal link opened on a second device continues the same answers.
            state["draft"] = str(draft.pk)
            state["code"] = new_code_for(draft)
        if request.session.session_key is not None:
            # Against session fixation. A first visit has no session yet (the lookup above
            # found none), so there is nothing to replace: its session is created once, below.
            request.session.cycle_key()
        request.session[SESSION_KEY] = state
    response = redirect("assessments:survey_intro")
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(campaign.default_language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            campaign.default_language,
            max_age=settings.SESSION_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response


@never_cache
@require_GET
@limit_misses()
def survey_entry(request: HttpRequest, token: str) -> HttpResponse:
    campaign = Campaign.objects.by_link_token(token)
    if campaign is None or not campaign.is_accepting_responses():
        record_miss(request)
        return _unavailable(request)
    return _begin_session(request, campaign, None)


@never_cache
@require_http_methods(["GET", "POST"])
@limit_misses()
def code_entry(request: HttpRequest) -> HttpResponse:
    """The short address on the poster: type the round's code instead of its long link."""
    error = None
    code = ""
    if request.method == "POST":
        code = request.POST.get("code", "")[:40]
        if not normalize_short_code(code):
            # Not a guess at any code, so not counted as a miss.
            error = _(
                "A code has 8 letters and digits, like ABCD-EFGH. Check the code on the poster."
            )
        else:
            campaign = Campaign.objects.by_short_code(code)
            if campaign is not None and campaign.is_accepting_responses():
                return _begin_session(request, campaign, None)
            record_miss(request)
            # One message for unknown, closed and not yet open: it must not tell a guesser
            # which codes exist.
            error = _(
                "We could not find an open questionnaire with this code. Check the code on "
                "the poster; the round may also have closed."
            )
    return render(
        request,
        "assessments/survey/code.html",
        {"error": error, "code": code},
        status=400 if error else 200,
    )


@never_cache
@require_GET
@limit_misses()
def invitation_entry(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        Invitation.objects.select_related("campaign", "draft")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if (
        invitation is not None
        and invitation.is_used
        and invitation.campaign.is_accepting_responses()
        and invitation.campaign_id in _sent_here(request)
    ):
        # Only the browser that sent this round learns that the used link is its own.
        return _already_sent(request, invitation.campaign, link=False)
    if invitation is None or invitation.is_used or not invitation.campaign.is_accepting_responses():
        record_miss(request)
        return _unavailable(request)
    return _begin_session(request, invitation.campaign, invitation)


def _one(queryset):
    # No ORDER BY: the filters name one row, and compiling the ordering was a visible share of
    # a questionnaire page's time.
    return next(iter(queryset.order_by()[:1]), None)


class _Context:
    """What every questionnaire page needs: the session, then draft and round in one read.

    With ``lock`` (inside a transaction) the draft row is locked by that same read, so a page
    that is sent reads and writes its draft with no second query in between.
    """

    def __init__(self, request: HttpRequest, *, lock: bool = False):
        self.request = request
        self.state: dict = request.session.get(SESSION_KEY) or {}
        self.campaign: Campaign | None = None
        self.draft: SurveyDraft | None = None
        campaign_id = self.state.get("campaign")
        if campaign_id and self.state.get("draft"):
            self.draft = draft_with_round(self.state["draft"], campaign_id, lock=lock)
            if self.draft is not None:
                self.campaign = self.draft.campaign
        if campaign_id and self.campaign is None:
            self.campaign = _one(
                Campaign.objects.select_related("organisation").filter(pk=campaign_id)
            )

    def sent_elsewhere(self) -> bool:
        """This session's draft is gone because it was sent (from another device)."""
        return (
            self.campaign is not None
            and self.draft is None
            and bool(self.state.get("draft"))
            and SentDraft.objects.filter(pk=self.state["draft"], campaign=self.campaign).exists()
        )

    @property
    def available(self) -> bool:
        return self.campaign is not None and self.campaign.is_accepting_responses()

    def save_state(self) -> None:
        self.request.session[SESSION_KEY] = self.state
        self.request.session.modified = True


def _base_context(ctx: _Context, plan: SurveyPlan, **extra) -> dict:
    total = len(plan.steps)
    return {
        "campaign": ctx.campaign,
        "organisation": ctx.campaign.organisation,
        "plan": plan,
        "resume_code": ctx.state.get("code"),
        "step_total": total,
        "minutes": minutes_to_complete(plan.item_count()),
        **extra,
    }


def _guard(
    ctx: _Context, *, need_draft: bool = True, step: int | None = None
) -> HttpResponse | None:
    if ctx.state.get("done") and ctx.campaign is not None:
        return redirect("assessments:survey_done")
    if ctx.draft is None and ctx.sent_elsewhere():
        # The resume code this device shows no longer works: say why, and forget it.
        ctx.state = {
            "campaign": ctx.campaign.pk,
            "done": True,
            "sent_elsewhere": True,
            "link": ctx.state.get("invitation") is None,
        }
        ctx.save_state()
        return redirect("assessments:survey_done")
    if ctx.request.method == "POST" and ctx.campaign is None:
        # A page sent after the session expired or the cookies were cleared: the answers are
        # safe on the server, the resume code finds them again (and this page's answers ride
        # along in the form).
        return session_expired(ctx.request, step=step)
    if not ctx.available:
        return _unavailable(ctx.request)
    if need_draft and ctx.draft is None:
        return redirect("assessments:survey_intro")
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def survey_intro(request: HttpRequest) -> HttpResponse:
    ctx = _Context(request)
    if (blocked := _guard(ctx, need_draft=False)) is not None:
        return blocked
    plan = SurveyPlan.for_campaign(ctx.campaign)
    if request.method == "POST":
        if ctx.draft is None:
            invitation = None
            if ctx.state.get("invitation"):
                invitation = Invitation.objects.filter(
                    pk=ctx.state["invitation"], is_used=False, campaign=ctx.campaign
                ).first()
                if invitation is None:
                    return _unavailable(request)
            existing = None
            if invitation is not None:
                existing = SurveyDraft.objects.filter(invitation=invitation).first()
            if existing is not None:
                # Opened on another device first: continue those answers.
                draft, code = existing, new_code_for(existing)
            else:
                try:
                    with transaction.atomic():
                        draft, code = start_draft(ctx.campaign, invitation)
                except IntegrityError:
                    # Started on another device at the same moment (one draft per invitation).
                    draft = SurveyDraft.objects.get(invitation=invitation)
                    code = new_code_for(draft)
            ctx.state.update(draft=str(draft.pk), code=code)
            ctx.save_state()
            return redirect("assessments:survey_step", number=1)
        number = plan.first_incomplete_step(ctx.draft.data) or 1
        return redirect("assessments:survey_step", number=number)
    return render(
        request,
        "assessments/survey/intro.html",
        _base_context(ctx, plan, has_draft=ctx.draft is not None),
    )


def _options_html(field: str, value: str, scale, not_applicable_label: str | None) -> str:
    """The radio buttons of one statement.

    Built here rather than in a template loop: forty-odd radios per page made the
    template engine the largest cost of a questionnaire page. Every interpolated value is
    escaped; the field names are item codes.
    """
    name = escape(field)
    choices = [
        (
            str(number),
            f'<span class="num" aria-hidden="true">{number}</span><span>{escape(label)}</span>',
            "",
        )
        for number, label in scale
    ]
    if not_applicable_label is not None:
        choices.append((NOT_APPLICABLE, escape(not_applicable_label), " na"))
    parts = [
        f'<div class="likert-option{extra}"><input type="radio" name="{name}" '
        f'id="{name}-{code}" value="{code}"{" checked" if value == code else ""}>'
        f'<label for="{name}-{code}">{label}</label></div>'
        for code, label, extra in choices
    ]
    return mark_safe(f'<div class="likert-options">{"".join(parts)}</div>')  # noqa: S308


def _item_rows(plan: SurveyPlan, dimension, answers: dict, missing: set[str]) -> list[dict]:
    scale = scale_labels()
    not_applicable = _("Don't know / not applicable")
    choose = escape(_("Choose an answer."))
    items = plan.items_by_dimension[dimension.pk]
    rows = []
    for number, item in enumerate(items, start=1):
        value = answers.get(item.code, "")
        value = NOT_APPLICABLE if value is None else str(value)
        field = f"item-{item.code}"
        na_label = not_applicable if item.allows_not_applicable else None
        is_missing = item.code in missing
        options = _options_html(field, value, scale, na_label)
        # The whole fieldset is built here, like the radios: a template loop with a
        # blocktranslate per statement was most of the page's template time.
        position = _("Statement %(n)s of %(total)s:") % {"n": number, "total": len(items)}
        error_id = escape(f"{field}-error")
        described = f' aria-describedby="{error_id}"' if is_missing else ""
        note = f'<p class="missing-note" id="{error_id}">{choose}</p>' if is_missing else ""
        fieldset = (
            f'<fieldset class="likert{" is-missing" if is_missing else ""}"{described}>'
            f'<legend><span class="visually-hidden">{escape(position)} </span>'
            f"{escape(item.text)}</legend>{note}{options}</fieldset>"
        )
        rows.append(
            {
                "item": item,
                "field": field,
                "value": value,
                "missing": is_missing,
                "options_html": options,
                "html": mark_safe(fieldset),  # noqa: S308 - every value above is escaped
            }
        )
    return rows


def _segment_rows(plan: SurveyPlan, segments: dict, invalid: set[str]) -> list[dict]:
    labels = {
        "team": _("In which team or department do you work?"),
        "role": _("What is your role?"),
        "tenure": _("How long have you worked here?"),
        "contract": _("What kind of employment contract do you have?"),
    }
    return [
        {
            "name": name,
            "field": f"segment-{name}",
            "label": labels[name],
            "options": plan.segment_options(name),
            "value": segments.get(name, ""),
            "invalid": name in invalid,
        }
        for name in plan.segment_questions()
    ]


def _draft_data(draft: SurveyDraft) -> dict:
    data = draft.data if isinstance(draft.data, dict) else {}
    for key in ("answers", "segments", "open"):
        data.setdefault(key, {})
    return data


def apply_step_answers(plan: SurveyPlan, step, data: dict, post) -> set[str]:
    """Merge one page's posted answers into the draft data; returns what still needs fixing.

    Only valid values are taken, so a broken or hostile field never erases an answer given
    before; everything else on the page is kept.
    """
    problems: set[str] = set()
    if step.kind == "dimension":
        for item in plan.items_by_dimension[step.dimension.pk]:
            valid, value = parse_item_value(post.get(f"item-{item.code}"), item)
            if valid:
                data["answers"][item.code] = value
            if item.code not in data["answers"]:
                problems.add(item.code)
    elif step.kind == "segments":
        for name in plan.segment_questions():
            valid, value = parse_segment_value(
                post.get(f"segment-{name}"), plan.segment_options(name)
            )
            if valid:
                data["segments"][name] = value
            else:
                problems.add(name)
    else:
        for question in plan.open_questions:
            text = post.get(f"open-{question.code}", "")
            text = text.replace("\x00", "")
            if len(text) > OPEN_ANSWER_MAX_LENGTH:
                problems.add(question.code)
            data["open"][question.code] = text[: OPEN_ANSWER_MAX_LENGTH * 2]
    return problems


@never_cache
@require_http_methods(["GET", "POST"])
def survey_step(request: HttpRequest, number: int) -> HttpResponse:
    problems: set[str] = set()
    if request.method == "POST":
        # The draft is read locked and written in one transaction, so the same personal link
        # open on two devices cannot overwrite one page's answers with a stale copy of it (and
        # a draft sent a moment ago from another tab is simply gone: back to the intro).
        with transaction.atomic():
            ctx = _Context(request, lock=True)
            if (blocked := _guard(ctx, step=number)) is not None:
                return blocked
            plan = SurveyPlan.for_campaign(ctx.campaign)
            if not 1 <= number <= len(plan.steps):
                return redirect("assessments:survey_step", number=1)
            step = plan.steps[number - 1]
            data = _draft_data(ctx.draft)
            problems = apply_step_answers(plan, step, data, request.POST)
            ctx.draft.data = data
            ctx.draft.save(update_fields=["data", "updated_on"])
    else:
        ctx = _Context(request)
        if (blocked := _guard(ctx, step=number)) is not None:
            return blocked
        plan = SurveyPlan.for_campaign(ctx.campaign)
        if not 1 <= number <= len(plan.steps):
            return redirect("assessments:survey_step", number=1)
        step = plan.steps[number - 1]
        data = _draft_data(ctx.draft)

    if request.method == "POST":
        action = request.POST.get("action", "next")
        if action == "back":
            if number > 1:
                return redirect("assessments:survey_step", number=number - 1)
            return redirect("assessments:survey_intro")
        if action == "save":
            return redirect("assessments:survey_paused")
        if not problems:
            if number < len(plan.steps):
                return redirect("assessments:survey_step", number=number + 1)
            return redirect("assessments:survey_review")

    context = _base_context(
        ctx,
        plan,
        step=step,
        step_number=number,
        has_errors=bool(problems),
        scale=scale_labels(),
        undisclosed=UNDISCLOSED,
    )
    if step.kind == "dimension":
        rows = _item_rows(plan, step.dimension, data["answers"], problems)
        context.update(rows=rows, missing_rows=[r for r in rows if r["missing"]])
        template = "assessments/survey/items.html"
    elif step.kind == "segments":
        context.update(rows=_segment_rows(plan, data["segments"], problems))
        template = "assessments/survey/segments.html"
    else:
        context.update(
            rows=[
                {
                    "question": q,
                    "field": f"open-{q.code}",
                    "value": data["open"].get(q.code, ""),
                    "too_long": q.code in problems,
                }
                for q in plan.open_questions
            ],
            max_length=OPEN_ANSWER_MAX_LENGTH,
        )
        template = "assessments/survey/open.html"
    return render(request, template, context, status=200)


@never_cache
@require_GET
def survey_paused(request: HttpRequest) -> HttpResponse:
    ctx = _Context(request)
    if (blocked := _guard(ctx)) is not None:
        return blocked
    plan = SurveyPlan.for_campaign(ctx.campaign)
    return render(request, "assessments/survey/paused.html", _base_context(ctx, plan))


def _review_sections(plan: SurveyPlan, data: dict) -> list[dict]:
    sections = []
    for number, step in enumerate(plan.steps, start=1):
        if step.kind == "dimension":
            items = plan.items_by_dimension[step.dimension.pk]
            missing = plan.missing_items(data, step.dimension)
            sections.append(
                {
                    "number": number,
                    "title": step.dimension.name,
                    "answered": len(items) - len(missing),
                    "total": len(items),
                    "complete": not missing,
                }
            )
    return sections


@never_cache
@require_http_methods(["GET", "POST"])
def survey_review(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _send(request)
    ctx = _Context(request)
    if (blocked := _guard(ctx)) is not None:
        return blocked
    plan = SurveyPlan.for_campaign(ctx.campaign)
    error = None
    data = ctx.draft.data
    segments = data.get("segments", {})
    labels = {"team": _("Team"), "role": _("Role"), "tenure": _("Years of service")}
    labels["contract"] = _("Contract")
    segment_summary = []
    for name in plan.segment_questions():
        value = segments.get(name, "")
        shown = dict(plan.segment_options(name)).get(value)
        if value == UNDISCLOSED:
            shown = _("I'd rather not say")
        segment_summary.append({"label": labels[name], "value": shown or _("not answered")})
    sections = _review_sections(plan, data)
    return render(
        request,
        "assessments/survey/review.html",
        _base_context(
            ctx,
            plan,
            sections=sections,
            complete=all(s["complete"] for s in sections),
            segment_summary=segment_summary,
            open_answers=[
                (q, data.get("open", {}).get(q.code, "").strip()) for q in plan.open_questions
            ],
            segments_step=1 if plan.segment_questions() else None,
            open_step=len(plan.steps) if plan.open_questions else None,
            error=error,
        ),
    )


def _send(request: HttpRequest) -> HttpResponse:
    """Store the draft as the response: one locked read of draft and round, then the writes,
    in one transaction (survey.store_locked_draft)."""
    try:
        with transaction.atomic():
            ctx = _Context(request, lock=True)
            if ctx.draft is None and ctx.state.get("done"):
                return redirect("assessments:survey_done")
            if ctx.available and ctx.state.get("draft") and not ctx.draft:
                # The draft is gone because this very submission was stored a moment ago by
                # a concurrent request (double click) whose session update we have not seen.
                ctx.state = {
                    "campaign": ctx.campaign.pk,
                    "done": True,
                    "link": ctx.state.get("invitation") is None,
                }
                ctx.save_state()
                return _sent(request, redirect("assessments:survey_done"), ctx.campaign)
            if (blocked := _guard(ctx)) is not None:
                return blocked
            store_locked_draft(ctx.draft, SurveyPlan.for_campaign(ctx.campaign))
    except SubmissionError as exc:
        if exc.reason == "incomplete":
            return redirect("assessments:survey_step", number=exc.step)
        return _unavailable(request)
    ctx.state = {
        "campaign": ctx.campaign.pk,
        "done": True,
        "link": ctx.state.get("invitation") is None,
    }
    ctx.save_state()
    return _sent(request, redirect("assessments:survey_done"), ctx.campaign)


@never_cache
@require_GET
def survey_done(request: HttpRequest) -> HttpResponse:
    ctx = _Context(request)
    if not ctx.state.get("done") or ctx.campaign is None:
        return redirect("assessments:survey_intro") if ctx.campaign else _unavailable(request)
    return render(
        request,
        "assessments/survey/done.html",
        {
            "campaign": ctx.campaign,
            "organisation": ctx.campaign.organisation,
            "returning": ctx.state.get("returning", False),
            "sent_elsewhere": ctx.state.get("sent_elsewhere", False),
            "can_restart": bool(ctx.state.get("link")) and ctx.available,
        },
    )


@never_cache
@require_POST
def survey_again(request: HttpRequest) -> HttpResponse:
    """Someone else fills in on this (shared) device: an empty questionnaire of the same round.

    Only after the round link (or its code): a personal invitation is for one person. Anyone
    with the round link could start afresh in another browser anyway.
    """
    ctx = _Context(request)
    if not (ctx.state.get("done") and ctx.state.get("link") and ctx.available):
        return _unavailable(request)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"campaign": ctx.campaign.pk, "invitation": None}
    response = redirect("assessments:survey_intro")
    _write_sent(response, _sent_here(request) - {ctx.campaign.pk})
    return response


def _apply_carried_answers(
    request: HttpRequest, plan: SurveyPlan, draft: SurveyDraft
) -> int | None:
    """Answers of a page that was sent after the session expired come along with the resume
    code (see errors.session_expired); store them and return that page's number."""
    raw = request.POST.get("carry-step", "")
    if not raw.isdigit() or not 1 <= int(raw) <= len(plan.steps):
        return None
    if not any(key.startswith(("item-", "segment-", "open-")) for key in request.POST):
        return int(raw)
    with transaction.atomic():
        locked = SurveyDraft.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None:
            return None
        data = _draft_data(locked)
        apply_step_answers(plan, plan.steps[int(raw) - 1], data, request.POST)
        locked.data = data
        locked.save(update_fields=["data", "updated_on"])
    return int(raw)


@never_cache
@require_http_methods(["GET", "POST"])
@limit_misses()
def survey_resume(request: HttpRequest) -> HttpResponse:
    error = None
    code = ""
    if request.method == "POST":
        code = request.POST.get("code", "")[:100]
        normalized = normalize_resume_code(code)
        draft = None
        if normalized:
            draft = (
                SurveyDraft.objects.select_related("campaign")
                .filter(resume_code_hash=hash_resume_code(normalized))
                .first()
            )
        if draft is not None and draft.campaign.is_accepting_responses():
            request.session.cycle_key()
            request.session[SESSION_KEY] = {
                "campaign": draft.campaign_id,
                "invitation": draft.invitation_id,
                "draft": str(draft.pk),
                "code": normalized,
            }
            plan = SurveyPlan.for_campaign(draft.campaign)
            carried = _apply_carried_answers(request, plan, draft)
            if carried is not None:
                return redirect("assessments:survey_step", number=carried)
            number = plan.first_incomplete_step(draft.data)
            if number is None:
                return redirect("assessments:survey_review")
            return redirect("assessments:survey_step", number=number)
        if normalized and draft is None:
            sent = SentDraft.objects.filter(resume_code_hash=hash_resume_code(normalized)).exists()
            if sent:
                return render(
                    request,
                    "assessments/survey/resume.html",
                    {"sent": True, "code": code, "carried": []},
                )
        record_miss(request)
        error = _(
            "We could not find answers for this code. Check the code (16 letters and digits) "
            "or start again with the link you received; the round may also have closed."
        )
    return render(
        request,
        "assessments/survey/resume.html",
        {
            "error": error,
            "code": code,
            "carried": [(n, v) for n, v in carried_fields(request) if n != "carry-step"],
            "carry_step": request.POST.get("carry-step", "")[:3] if error else "",
        },
        status=400 if error else 200,
    )


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    # Inside a questionnaire the page names that round's own threshold and retention period.
    state = request.session.get(SESSION_KEY) or {}
    campaign = Campaign.objects.filter(pk=state.get("campaign")).first() if state else None
    return render(
        request,
        "assessments/privacy.html",
        {
            "threshold": campaign.threshold if campaign else settings.ANONYMITY_DEFAULT_THRESHOLD,
            "retention_months": campaign.retention_months if campaign else None,
            "default_retention_months": DEFAULT_RETENTION_MONTHS,
            "draft_days": settings.SURVEY_DRAFT_DAYS,
        },
    )
