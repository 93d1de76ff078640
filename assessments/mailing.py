"""Queueing and delivering invitation and reminder e-mails.

A web request only marks invitations as pending (one UPDATE) and enqueues the
``deliver_invitations`` task (assessments/tasks.py), which the worker runs at once and which
delivers them in batches over one connection; a periodic task retries failed messages, and
`manage.py send_invitations` does the same in the foreground. With the immediate task backend
(development) the request itself delivers, so the outbox fills at once.

Personal links are derived from SECRET_KEY and the invitation's salt when the message is built;
they are never stored and never logged (log lines carry counts only).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from .models import Campaign, Invitation, ManagementInvitation, Membership, PlanAction

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_FAILURES = 5
# A claim older than this belongs to a run that died; its messages are queued again.
STALE_CLAIM = dt.timedelta(minutes=15)


def delivers_in_request() -> bool:
    """Whether queued messages go out before the request returns (no worker in between)."""
    from .tasks import defers

    return not defers()


def invitation_url(token: str) -> str:
    try:
        path = reverse("assessments:invitation_entry", args=[token])
    except NoReverseMatch:
        path = f"/i/{token}/"
    return f"{settings.SITE_URL}{path}"


def queue_invitations(campaign: Campaign) -> int:
    """Queue the first message for every address on the list that has not had one yet."""
    return (
        campaign.invitations.filter(sent_on__isnull=True, pending=Invitation.Pending.NOTHING)
        .exclude(email="")
        .filter(send_failures__lt=MAX_FAILURES)
        .update(pending=Invitation.Pending.INVITATION)
    )


def queue_reminders(campaign: Campaign) -> int:
    """Queue a reminder for invitations not yet used whose last e-mail is a few days old.

    Who answered is never shown or listed.
    """
    return (
        campaign.invitations.due_for_reminder()
        .filter(pending=Invitation.Pending.NOTHING)
        .update(pending=Invitation.Pending.REMINDER, send_failures=0)
    )


def after_queueing(campaign: Campaign) -> None:
    from .tasks import deliver_invitations, enqueue

    enqueue(deliver_invitations, campaign.pk)


def _message(
    kind: str, language: str, context: dict, recipients: list[str]
) -> EmailMultiAlternatives:
    """An e-mail from its three templates (subject, text, HTML) in the recipient's language."""
    base = f"assessments/email/{kind}.{language}"
    with translation.override(language):
        # A subject is one line; the template's line breaks and indentation are not.
        subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    message = EmailMultiAlternatives(subject, text, to=recipients)
    message.attach_alternative(html, "text/html")
    return message


def build_message(invitation: Invitation, campaign: Campaign) -> EmailMultiAlternatives:
    kind = invitation.pending or Invitation.Pending.INVITATION
    language = campaign.default_language if campaign.default_language in {"nl", "en"} else "nl"
    context = {
        "campaign": campaign,
        "organisation": campaign.organisation,
        "url": invitation_url(invitation.token()),
        "closes_on": campaign.closes_on,
        "minutes": campaign.questionnaire.minutes_to_complete(),
    }
    return _message(kind, language, context, [invitation.email])


def _claim(queryset: QuerySet, limit: int) -> list[Invitation]:
    ids = list(queryset.values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    claim = secrets.token_hex(16)
    Invitation.objects.filter(pk__in=ids, claim="").exclude(
        pending=Invitation.Pending.NOTHING
    ).update(claim=claim, claimed_at=timezone.now())
    return list(Invitation.objects.filter(claim=claim))


def deliver_pending(*, campaign: Campaign | None = None, limit: int | None = None) -> int:
    """Send pending messages in batches over one connection; returns the number sent."""
    Invitation.objects.exclude(claim="").filter(claimed_at__lt=timezone.now() - STALE_CLAIM).update(
        claim="", claimed_at=None
    )
    pending = (
        Invitation.objects.exclude(pending=Invitation.Pending.NOTHING)
        .filter(claim="", campaign__status=Campaign.Status.OPEN)
        .exclude(email="")
        .order_by("pk")
    )
    if campaign is not None:
        pending = pending.filter(campaign=campaign)
    sent = failed = 0
    tried: list[int] = []  # a failed message waits for the next run instead of a retry loop
    campaigns: dict[int, Campaign] = {}
    with get_connection() as connection:
        while limit is None or sent + failed < limit:
            batch_size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - sent - failed)
            batch = _claim(pending.exclude(pk__in=tried), batch_size)
            if not batch:
                break
            for invitation in batch:
                tried.append(invitation.pk)
                if invitation.campaign_id not in campaigns:
                    campaigns[invitation.campaign_id] = Campaign.objects.select_related(
                        "organisation"
                    ).get(pk=invitation.campaign_id)
                message = build_message(invitation, campaigns[invitation.campaign_id])
                try:
                    connection.send_messages([message])
                except Exception:  # one refused address must not stop the rest
                    failed += 1
                    _record_failure(invitation)
                else:
                    sent += 1
                    _record_success(invitation)
    if sent or failed:
        logger.info("Sent %d invitation e-mails, %d failed", sent, failed)
    return sent


def _record_success(invitation: Invitation) -> None:
    today = timezone.localdate()
    fields = {"pending": Invitation.Pending.NOTHING, "claim": "", "claimed_at": None}
    if invitation.pending == Invitation.Pending.REMINDER:
        fields["reminded_on"] = today
    else:
        fields["sent_on"] = today
    Invitation.objects.filter(pk=invitation.pk).update(send_failures=0, **fields)


def _record_failure(invitation: Invitation) -> None:
    give_up = invitation.send_failures + 1 >= MAX_FAILURES
    Invitation.objects.filter(pk=invitation.pk).update(
        send_failures=F("send_failures") + 1,
        claim="",
        claimed_at=None,
        pending=Invitation.Pending.NOTHING if give_up else invitation.pending,
    )


# --- The management view and the action plan (issue 12) ----------------------------------


def after_queueing_management(campaign: Campaign) -> None:
    from .tasks import deliver_management_invitations, enqueue

    enqueue(deliver_management_invitations, campaign.pk)


def management_invitation_message(invitation, campaign: Campaign) -> EmailMultiAlternatives:
    language = campaign.default_language if campaign.default_language in {"nl", "en"} else "nl"
    context = {
        "campaign": campaign,
        "organisation": campaign.organisation,
        "url": invitation.view.url(),
        "closes_on": campaign.closes_on,
    }
    return _message("management_invitation", language, context, [invitation.email])


def deliver_management_invitations(*, campaign: Campaign | None = None) -> int:
    """Send the management link to the queued addresses of open rounds; returns the number sent.

    Each row is claimed with a conditional UPDATE before it is sent, so two runs at once send
    it once; a failed message stays queued for the next run, up to MAX_FAILURES tries.
    """
    pending = (
        ManagementInvitation.objects.filter(
            pending=True,
            view__campaign__status=Campaign.Status.OPEN,
            send_failures__lt=MAX_FAILURES,
        )
        .exclude(email="")
        .select_related("view__campaign__organisation")
        .order_by("pk")
    )
    if campaign is not None:
        pending = pending.filter(view__campaign=campaign)
    sent = 0
    with get_connection() as connection:
        for invitation in pending[:BATCH_SIZE]:
            claimed = ManagementInvitation.objects.filter(pk=invitation.pk, pending=True).update(
                pending=False
            )
            if not claimed:
                continue
            message = management_invitation_message(invitation, invitation.view.campaign)
            try:
                connection.send_messages([message])
            except Exception:  # one refused address must not stop the rest
                ManagementInvitation.objects.filter(pk=invitation.pk).update(
                    pending=True, send_failures=F("send_failures") + 1
                )
            else:
                sent += 1
                ManagementInvitation.objects.filter(pk=invitation.pk).update(
                    sent_on=timezone.localdate()
                )
    if sent:
        logger.info("Sent %d management invitation e-mails", sent)
    return sent


def plan_recipients(organisation) -> list[str]:
    """Who hears about the plan's due actions: the organisation's HR managers (its
    consultants when it has none)."""
    for role in (Membership.Role.HR, Membership.Role.CONSULTANT):
        emails = sorted(
            {
                email
                for email in Membership.objects.filter(
                    organisation=organisation, role=role, user__is_active=True
                ).values_list("user__email", flat=True)
                if email
            }
        )
        if emails:
            return emails
    return []


def due_action_message(action, recipients: list[str]) -> EmailMultiAlternatives:
    campaign = action.plan.campaign
    language = campaign.default_language if campaign.default_language in {"nl", "en"} else "nl"
    try:
        path = reverse("assessments:action_edit", args=[action.pk])
    except NoReverseMatch:
        path = "/"
    with translation.override(language):
        context = {
            "action": action,
            "campaign": campaign,
            "organisation": campaign.organisation,
            "dimension": action.dimension.name,
            "status": action.get_status_display(),
            "url": f"{settings.SITE_URL}{path}",
        }
    return _message("action_due", language, context, recipients)


def deliver_due_action_notices(today: dt.date | None = None) -> int:
    """One e-mail per action whose due date has come while it is planned or in progress.

    The action's ``due_notice_for`` records the due date a message went out for, set by a
    conditional UPDATE before sending: a second run, a run at the same moment or the next
    day's run sends nothing again. A new due date is a new occasion. A message that fails is
    un-claimed and tried again on the next run (a crash between claim and send loses that one
    message rather than risking it twice).
    """
    today = today or timezone.localdate()
    due = (
        PlanAction.objects.filter(status__in=PlanAction.OPEN_STATUSES, due_on__lte=today)
        .exclude(due_notice_for=F("due_on"))
        .select_related("plan__campaign__organisation", "dimension")
        .order_by("due_on", "pk")
    )
    sent = 0
    with get_connection() as connection:
        for action in due:
            recipients = plan_recipients(action.plan.campaign.organisation)
            if not recipients:
                continue
            claimed = (
                PlanAction.objects.filter(pk=action.pk, due_on=action.due_on)
                .exclude(due_notice_for=F("due_on"))
                .update(due_notice_for=F("due_on"))
            )
            if not claimed:
                continue
            try:
                connection.send_messages([due_action_message(action, recipients)])
            except Exception:
                PlanAction.objects.filter(pk=action.pk).update(due_notice_for=None)
            else:
                sent += 1
    if sent:
        logger.info("Sent %d e-mails about due actions", sent)
    return sent
