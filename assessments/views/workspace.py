"""The workspace of HR managers and consultants: organisations, teams, rounds, invitations.

Every view fetches through `assessments.access`, so another organisation's object is a 404.
No page lists e-mail addresses or who has (not) answered: invitations appear as counts only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, addresses, mailing, services
from ..accounts import add_hr_manager
from ..forms import (
    CampaignForm,
    InvitationUploadForm,
    OpenRoundForm,
    OrganisationForm,
    PersonForm,
    TeamForm,
)
from ..models import (
    Campaign,
    CampaignEvent,
    Invitation,
    Membership,
    Organisation,
    Questionnaire,
    reminder_after_days,
)
from ..qr import qr_png, qr_svg
from ..selectors import response_progress


def _post(request: HttpRequest):
    # An empty POST must still bind the form, so that it reports what is missing.
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest):
    return request.FILES if request.method == "POST" else None


# --- Start page and organisations --------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # A cheap catch-up for installations without cron; `close_due_rounds` does the same.
    services.close_due_rounds(Campaign.objects.for_user(request.user))
    organisations = (
        access.organisations_for(request.user)
        .annotate(team_count=Count("teams", distinct=True))
        .prefetch_related(Prefetch("campaigns", queryset=Campaign.objects.order_by("-opens_on")))
    )
    return render(
        request,
        "assessments/workspace/home.html",
        {
            "organisations": organisations,
            "can_create": access.can_create_organisations(request.user),
            "can_manage_consultants": access.can_manage_consultants(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    access.require(access.can_create_organisations(request.user))
    form = OrganisationForm(_post(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organisation = form.save()
            Membership.objects.create(
                user=request.user, organisation=organisation, role=Membership.Role.CONSULTANT
            )
        messages.success(
            request,
            _("%(name)s was created. Next: add its HR manager and teams.")
            % {"name": organisation.name},
        )
        return redirect("assessments:organisation_detail", organisation.pk)
    return render(
        request,
        "assessments/workspace/form.html",
        {"form": form, "title": _("New client organisation")},
    )


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_organisation_for_user(request.user, pk)
    campaigns = list(
        organisation.campaigns.annotate(response_count=Count("responses")).order_by(
            "-opens_on", "-pk"
        )
    )
    return render(
        request,
        "assessments/workspace/organisation_detail.html",
        {
            "organisation": organisation,
            "teams": organisation.teams.all(),
            "campaigns": campaigns,
            "frozen_campaigns": [c for c in campaigns if c.status == Campaign.Status.OPEN],
            "memberships": organisation.memberships.select_related("user").order_by(
                "role", "user__first_name", "user__email"
            ),
            "can_manage_members": access.can_manage_members(request.user, organisation),
            "can_delete": access.is_consultant_for(request.user, organisation),
            "team_form": TeamForm(organisation=organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_organisation_for_user(request.user, pk)
    access.require(access.can_manage_members(request.user, organisation))
    form = OrganisationForm(_post(request), instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The organisation was saved."))
        return redirect("assessments:organisation_detail", organisation.pk)
    return render(
        request,
        "assessments/workspace/form.html",
        {"form": form, "title": _("Edit organisation"), "organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_organisation_for_user(request.user, pk)
    access.require(access.can_manage_members(request.user, organisation))
    form = PersonForm(_post(request), submit_label=_("Give access and send e-mail"))
    if request.method == "POST" and form.is_valid():
        user, added = add_hr_manager(
            organisation=organisation, invited_by=request.user, **form.cleaned_data
        )
        if added:
            messages.success(
                request,
                _("%(email)s now has access to %(name)s and has received an e-mail.")
                % {"email": user.email, "name": organisation.name},
            )
        else:
            messages.info(
                request,
                _("%(email)s already had access to %(name)s.")
                % {"email": user.email, "name": organisation.name},
            )
        return redirect("assessments:organisation_detail", organisation.pk)
    return render(
        request,
        "assessments/workspace/form.html",
        {
            "form": form,
            "title": _("Add an HR manager"),
            "intro": _(
                "The HR manager receives an e-mail with a link to set a password. Someone "
                "who already has an account gets access to this organisation as well."
            ),
            "organisation": organisation,
        },
    )


# --- Teams -------------------------------------------------------------------------------


def _team_change_note(request: HttpRequest, organisation: Organisation) -> None:
    if organisation.campaigns.filter(status=Campaign.Status.OPEN).exists():
        messages.info(
            request,
            _(
                "Team changes apply to the next round. A round that is already open keeps "
                "the team list it had when it opened."
            ),
        )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_organisation_for_user(request.user, pk)
    form = TeamForm(_post(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        team = form.save(commit=False)
        team.organisation = organisation
        team.save()
        messages.success(request, _("Team “%(name)s” was added.") % {"name": team.name})
        _team_change_note(request, organisation)
        return redirect("assessments:organisation_detail", organisation.pk)
    return render(
        request,
        "assessments/workspace/form.html",
        {"form": form, "title": _("New team"), "organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.get_team_for_user(request.user, pk)
    form = TeamForm(_post(request), instance=team, organisation=team.organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The team was saved."))
        _team_change_note(request, team.organisation)
        return redirect("assessments:organisation_detail", team.organisation_id)
    return render(
        request,
        "assessments/workspace/form.html",
        {
            "form": form,
            "title": _("Edit team"),
            "organisation": team.organisation,
            "team": team,
        },
    )


@login_required
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.get_team_for_user(request.user, pk)
    team.delete()
    messages.success(request, _("Team “%(name)s” was removed.") % {"name": team.name})
    _team_change_note(request, team.organisation)
    return redirect("assessments:organisation_detail", team.organisation_id)


# --- Rounds ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_organisation_for_user(request.user, pk)
    today = timezone.localdate()
    form = CampaignForm(
        _post(request),
        initial={
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=21),
            "questionnaire": Questionnaire.objects.published().first(),
        },
    )
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.organisation = organisation
        campaign.save()
        messages.success(
            request, _("The round was created. Check it, then open it to start collecting.")
        )
        return redirect(campaign)
    return render(
        request,
        "assessments/workspace/campaign_form.html",
        {
            "form": form,
            "title": _("New round"),
            "organisation": organisation,
            "no_questionnaire": not Questionnaire.objects.published().exists(),
        },
    )


def _close_if_due(campaign: Campaign) -> None:
    # A cheap catch-up for installations without cron, as on the workspace page.
    if campaign.status == Campaign.Status.OPEN and campaign.closes_on < timezone.localdate():
        services.close_round(campaign)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    _close_if_due(campaign)
    if campaign.status == Campaign.Status.OPEN:
        return _edit_open_round(request, campaign)
    if campaign.status != Campaign.Status.DRAFT:
        messages.warning(
            request, _("This round is closed, so its settings can no longer be changed.")
        )
        return redirect(campaign)
    form = CampaignForm(_post(request), instance=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The round was saved."))
        return redirect(campaign)
    return render(
        request,
        "assessments/workspace/campaign_form.html",
        {
            "form": form,
            "title": _("Edit round"),
            "organisation": campaign.organisation,
            "campaign": campaign,
        },
    )


def _edit_open_round(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    # The form writes into the instance while validating: remember what was stored.
    closes_on, expected = campaign.closes_on, campaign.expected_respondents
    form = OpenRoundForm(_post(request), instance=campaign, teams=campaign.teams.all())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if campaign.closes_on != closes_on:
                campaign.log(
                    CampaignEvent.Kind.CLOSING_DATE,
                    by=request.user,
                    old=closes_on.isoformat(),
                    new=campaign.closes_on.isoformat(),
                )
            if campaign.expected_respondents != expected:
                campaign.log(
                    CampaignEvent.Kind.HEADCOUNT,
                    by=request.user,
                    old=expected,
                    new=campaign.expected_respondents,
                )
            changed = form.changed_team_sizes()
            for team, size in changed:
                team.size = size
                team.save(update_fields=["size"])
            if changed:
                campaign.log(
                    CampaignEvent.Kind.TEAM_SIZES,
                    by=request.user,
                    new=", ".join(f"{team.name}: {size or '–'}" for team, size in changed),
                )
        messages.success(request, _("The round was saved."))
        return redirect(campaign)
    return render(
        request,
        "assessments/workspace/campaign_open_form.html",
        {
            "form": form,
            "title": _("Change the open round"),
            "organisation": campaign.organisation,
            "campaign": campaign,
        },
    )


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    _close_if_due(campaign)
    return render(
        request,
        "assessments/workspace/campaign_detail.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "progress": response_progress(campaign),
            "frozen_teams": campaign.teams.all(),
            "current_teams": campaign.organisation.teams.all(),
            "today": timezone.localdate(),
            "history": campaign.events.select_related("actor"),
        },
    )


@login_required
@require_GET
@never_cache
def campaign_progress(request: HttpRequest, pk: int) -> JsonResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    progress = response_progress(campaign)
    data = progress.as_dict()
    data["teams"] = [
        {"position": t.position, "count": t.count, "rate_percent": t.rate_percent}
        for t in progress.teams
    ]
    data["status"] = campaign.status
    return JsonResponse(data)


@login_required
@require_POST
def campaign_open(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    if campaign.status != Campaign.Status.DRAFT:
        messages.warning(request, _("This round was already opened."))
    elif campaign.closes_on < timezone.localdate():
        messages.error(
            request,
            _("The closing date of this round has passed. Change the closing date first."),
        )
    else:
        campaign.open(by=request.user)
        messages.success(
            request,
            _("The round is open. Share the link or send personal invitations."),
        )
    return redirect(campaign)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Closing cannot be undone, so GET explains what happens and only the POST closes."""
    campaign = access.get_campaign_for_user(request.user, pk)
    _close_if_due(campaign)
    if campaign.status != Campaign.Status.OPEN:
        messages.warning(request, _("Only an open round can be closed."))
        return redirect(campaign)
    if request.method == "POST":
        services.close_round(campaign, by=request.user)
        messages.success(
            request,
            _("The round is closed. The e-mail addresses of this round have been deleted."),
        )
        return redirect(campaign)
    return render(
        request,
        "assessments/workspace/campaign_close.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "addresses": campaign.invitations.exclude(email="").count(),
            "days_left": (campaign.closes_on - timezone.localdate()).days,
        },
    )


@login_required
@require_POST
def campaign_copy(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    today = timezone.localdate()
    duration = campaign.closes_on - campaign.opens_on
    questionnaire = (
        Questionnaire.objects.published()
        .filter(code=campaign.questionnaire.code)
        .order_by("-version")
        .first()
    ) or campaign.questionnaire
    copy = Campaign.objects.create(
        organisation=campaign.organisation,
        questionnaire=questionnaire,
        name=_("%(name)s (next round)") % {"name": campaign.name},
        opens_on=today,
        closes_on=today + max(duration, dt.timedelta(days=1)),
        threshold=campaign.threshold,
        ask_team=campaign.ask_team,
        ask_role=campaign.ask_role,
        ask_tenure=campaign.ask_tenure,
        ask_contract=campaign.ask_contract,
        default_language=campaign.default_language,
        expected_respondents=campaign.expected_respondents,
    )
    messages.success(
        request,
        _(
            "A new draft round was made with the same settings. Check its name and dates; it "
            "will use the team list as it is when you open it."
        ),
    )
    return redirect("assessments:campaign_edit", copy.pk)


# --- Sharing the round link --------------------------------------------------------------


def _code_address() -> str:
    # Printed for people to type: browsers add https:// themselves.
    url = f"{settings.SITE_URL}{reverse('assessments:code_entry')}"
    return url.removeprefix("https://")


@login_required
@require_GET
def campaign_share(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    return render(
        request,
        "assessments/workspace/campaign_share.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "survey_url": campaign.survey_url(),
            "short_code": campaign.short_code_display(),
            "code_address": _code_address(),
            "languages": settings.LANGUAGES,
        },
    )


def _qr_response(content: bytes, content_type: str, filename: str, download: bool):
    response = HttpResponse(content, content_type=content_type)
    # The code holds the round's link: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    if download:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def campaign_qr_png(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    return _qr_response(
        qr_png(campaign.survey_url()),
        "image/png",
        f"leercultuur-qr-{campaign.pk}.png",
        "download" in request.GET,
    )


@login_required
@require_GET
def campaign_qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    return _qr_response(
        qr_svg(campaign.survey_url()),
        "image/svg+xml",
        f"leercultuur-qr-{campaign.pk}.svg",
        "download" in request.GET,
    )


@login_required
@require_GET
def campaign_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 invitation sheet with the QR code, in Dutch or English (?lang=)."""
    campaign = access.get_campaign_for_user(request.user, pk)
    language = request.GET.get("lang") or campaign.default_language
    if language not in dict(settings.LANGUAGES):
        language = "nl"
    with translation.override(language):
        return render(
            request,
            "assessments/workspace/campaign_sheet.html",
            {
                "campaign": campaign,
                "organisation": campaign.organisation,
                "short_code": campaign.short_code_display(),
                "code_address": _code_address(),
                "sheet_language": language,
                "minutes": campaign.questionnaire.minutes_to_complete(),
            },
        )


# --- Personal invitations ----------------------------------------------------------------


def _invitation_counts(campaign: Campaign) -> dict:
    return campaign.invitations.aggregate(
        listed=Count("pk", filter=~Q(email="")),
        waiting=Count(
            "pk",
            filter=Q(sent_on__isnull=True, pending="", send_failures__lt=mailing.MAX_FAILURES)
            & ~Q(email=""),
        ),
        queued=Count("pk", filter=~Q(pending="")),
        sent=Count("pk", filter=Q(sent_on__isnull=False)),
        reminded=Count("pk", filter=Q(reminded_on__isnull=False)),
        failed=Count("pk", filter=Q(sent_on__isnull=True, send_failures__gte=mailing.MAX_FAILURES)),
        last_sent=Max("sent_on"),
        last_reminded=Max("reminded_on"),
    )


# A list with bad lines waits in the session until its valid addresses are added (or the next
# list replaces it): a file input cannot be filled in again, so nobody has to upload it twice.
CHECK_KEY = "invitation_check"


def _keep_check(request: HttpRequest, campaign: Campaign, result, source: str) -> None:
    request.session[CHECK_KEY] = {
        "campaign": campaign.pk,
        "source": source[:200],
        "addresses": result.addresses,
        "errors": [[e.line, e.value, e.reason] for e in result.errors],
        "duplicates": len(result.duplicates),
    }


def _check_for(request: HttpRequest, campaign: Campaign) -> dict | None:
    check = request.session.get(CHECK_KEY)
    if isinstance(check, dict) and check.get("campaign") == campaign.pk:
        return check
    return None


def _check_gone(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    messages.warning(
        request, _("The checked list is no longer available. Add the list again, please.")
    )
    return redirect("assessments:invitations", campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def invitations(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    closed = campaign.status == Campaign.Status.CLOSED
    form = InvitationUploadForm(_post(request), _files(request))
    if request.method == "POST" and not closed and form.is_valid():
        result = form.result
        if result.ok:
            added, known = _store_addresses(campaign, result)
            if added is None:
                form.add_error(
                    None,
                    _("A round can have at most %(max)d addresses. Nothing was added.")
                    % {"max": addresses.MAX_ROWS},
                )
            else:
                request.session.pop(CHECK_KEY, None)
                _report_import(request, added, known, result)
                return redirect("assessments:invitations", campaign.pk)
        else:
            # Nothing is stored yet: the page lists the bad lines, keeps the pasted text and
            # offers to add the valid addresses in one click.
            upload = form.cleaned_data.get("file")
            _keep_check(request, campaign, result, upload.name if upload else "")
    invitations = campaign.invitations
    is_open = campaign.status == Campaign.Status.OPEN
    due = invitations.due_for_reminder().count() if is_open else 0
    candidates = invitations.not_answered().count()
    return render(
        request,
        "assessments/workspace/invitations.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "form": form,
            "result": form.result if form.is_bound else None,
            "check": None if closed else _check_for(request, campaign),
            "counts": _invitation_counts(campaign),
            "closed": closed,
            "reminder_candidates": candidates,
            "reminders_due": due,
            "next_reminder_on": invitations.next_reminder_on() if candidates and not due else None,
            "reminder_after_days": reminder_after_days(),
            "delivers_in_request": mailing.delivers_in_request(),
        },
    )


@login_required
@require_POST
def invitation_add_valid(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the valid addresses of the checked list that had bad lines."""
    campaign = access.get_campaign_for_user(request.user, pk)
    check = _check_for(request, campaign)
    if campaign.status == Campaign.Status.CLOSED:
        messages.error(request, _("This round is closed; its addresses have been deleted."))
        return redirect("assessments:invitations", campaign.pk)
    if check is None or not check.get("addresses"):
        return _check_gone(request, campaign)
    result = addresses.AddressList(addresses=[str(a) for a in check["addresses"]])
    added, known = _store_addresses(campaign, result)
    if added is None:
        messages.error(
            request,
            _("A round can have at most %(max)d addresses. Nothing was added.")
            % {"max": addresses.MAX_ROWS},
        )
        return redirect("assessments:invitations", campaign.pk)
    request.session.pop(CHECK_KEY, None)
    _report_import(request, added, known, result)
    skipped = len(check.get("errors", []))
    messages.info(
        request,
        ngettext(
            "%(n)d line with a problem was left out.",
            "%(n)d lines with a problem were left out.",
            skipped,
        )
        % {"n": skipped},
    )
    return redirect("assessments:invitations", campaign.pk)


@login_required
@require_GET
@never_cache
def invitation_problems(request: HttpRequest, pk: int) -> HttpResponse:
    """The lines with problems of the checked list, as a CSV file to fix and add again."""
    campaign = access.get_campaign_for_user(request.user, pk)
    check = _check_for(request, campaign)
    if check is None or not check.get("errors"):
        return _check_gone(request, campaign)
    response = HttpResponse(
        addresses.problems_csv(tuple(row) for row in check["errors"]),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="leercultuur-addresses-to-fix-{campaign.pk}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _store_addresses(campaign: Campaign, result: addresses.AddressList):
    """All or nothing: every new address of the list is stored, or none."""
    with transaction.atomic():
        listed = campaign.invitations.exclude(email="").values_list("email", flat=True)
        existing = {e.lower() for e in listed}
        new = [a for a in result.addresses if a not in existing]
        if len(existing) + len(new) > addresses.MAX_ROWS:
            return None, 0
        invitations = [Invitation(campaign=campaign, email=address) for address in new]
        for invitation in invitations:
            invitation.set_token()
        Invitation.objects.bulk_create(invitations, batch_size=500)
    return len(new), len(result.addresses) - len(new)


def _report_import(request, added: int, known: int, result: addresses.AddressList) -> None:
    parts = [ngettext("%(n)d address added.", "%(n)d addresses added.", added) % {"n": added}]
    if result.duplicates:
        lines = ", ".join(
            _("line %(line)d (same as line %(first)d)") % {"line": d.line, "first": d.first_line}
            for d in result.duplicates[:20]
        )
        parts.append(
            ngettext(
                "%(n)d duplicate was merged: %(lines)s.",
                "%(n)d duplicates were merged: %(lines)s.",
                len(result.duplicates),
            )
            % {"n": len(result.duplicates), "lines": lines}
        )
    if known:
        parts.append(
            ngettext(
                "%(n)d address was already on the list of this round.",
                "%(n)d addresses were already on the list of this round.",
                known,
            )
            % {"n": known}
        )
    messages.success(request, " ".join(parts))


@login_required
@require_POST
def invitation_send(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    if campaign.status != Campaign.Status.OPEN:
        messages.error(request, _("Open the round first; the personal links only work then."))
        return redirect("assessments:invitations", campaign.pk)
    queued = mailing.queue_invitations(campaign)
    mailing.after_queueing(campaign)
    if queued:
        messages.success(request, _queued_message(queued, reminder=False))
    else:
        messages.info(request, _("There are no new addresses to send an invitation to."))
    return redirect("assessments:invitations", campaign.pk)


@login_required
@require_POST
def invitation_remind(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, pk)
    if campaign.status != Campaign.Status.OPEN:
        messages.error(request, _("Reminders can only be sent while the round is open."))
        return redirect("assessments:invitations", campaign.pk)
    queued = mailing.queue_reminders(campaign)
    mailing.after_queueing(campaign)
    if queued:
        messages.success(request, _queued_message(queued, reminder=True))
    elif (next_on := campaign.invitations.next_reminder_on()) is not None:
        messages.info(
            request,
            _(
                "No reminder was sent: the last e-mail went out less than %(days)d days ago. "
                "You can send a reminder from %(date)s."
            )
            % {"days": reminder_after_days(), "date": date_format(next_on, "j F Y")},
        )
    else:
        messages.info(request, _("Everyone who was invited has already answered."))
    return redirect("assessments:invitations", campaign.pk)


def _queued_message(n: int, *, reminder: bool) -> str:
    if mailing.delivers_in_request():
        template = (
            ngettext("%(n)d reminder was sent.", "%(n)d reminders were sent.", n)
            if reminder
            else ngettext("%(n)d invitation was sent.", "%(n)d invitations were sent.", n)
        )
    else:
        template = (
            ngettext(
                "%(n)d reminder is being sent; this takes a few minutes.",
                "%(n)d reminders are being sent; this takes a few minutes.",
                n,
            )
            if reminder
            else ngettext(
                "%(n)d invitation is being sent; this takes a few minutes.",
                "%(n)d invitations are being sent; this takes a few minutes.",
                n,
            )
        )
    return template % {"n": n}


@login_required
@require_POST
def invitation_clear(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove the addresses that have not been sent an invitation yet (to fix a wrong list)."""
    campaign = access.get_campaign_for_user(request.user, pk)
    _total, deleted_by_model = campaign.invitations.filter(
        sent_on__isnull=True, pending=Invitation.Pending.NOTHING
    ).delete()
    deleted = deleted_by_model.get(Invitation._meta.label, 0)
    messages.success(
        request,
        ngettext(
            "%(n)d address that had not been sent an invitation was removed.",
            "%(n)d addresses that had not been sent an invitation were removed.",
            deleted,
        )
        % {"n": deleted},
    )
    return redirect("assessments:invitations", campaign.pk)
