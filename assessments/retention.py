"""The data lifecycle: what is deleted when (AVG art. 5(1)(e), storage limitation).

* Invitation e-mail addresses: at close (``Campaign.close``).
* Answers in progress (``SurveyDraft``): at close, at submission, and after
  ``settings.SURVEY_DRAFT_DAYS`` days without activity (here).
* Individual answers (Response, Answer, OpenAnswer): ``Campaign.retention_months`` after close
  (here); the round's ``CampaignSummary`` is kept for comparisons and the benchmark.
* An organisation and everything of it: on request (``delete_organisation``).

``apply_retention`` is run daily by cron (docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import services
from .models import (
    Answer,
    Campaign,
    Invitation,
    Membership,
    OpenAnswer,
    Organisation,
    Response,
    SurveyDraft,
)


@dataclass
class RetentionReport:
    today: dt.date
    dry_run: bool
    rounds: list[tuple[Campaign, int]] = field(default_factory=list)  # (round, responses)
    drafts: int = 0
    sessions: int = 0
    overdue_open_rounds: list[Campaign] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        out = []
        for campaign, responses in self.rounds:
            out.append(
                f"round {campaign.pk} ({campaign.organisation.name} — {campaign.name}, closed "
                f"{campaign.closed_on}, keep {campaign.retention_months} months): {verb} "
                f"{responses} responses with their answers; the summary is kept"
            )
        out.append(
            f"answers in progress untouched for more than {settings.SURVEY_DRAFT_DAYS} days: "
            f"{verb} {self.drafts}"
        )
        out.append(f"expired sessions (questionnaire and login state): {verb} {self.sessions}")
        for campaign in self.overdue_open_rounds:
            out.append(
                f"warning: round {campaign.pk} ({campaign.organisation.name} — {campaign.name}) "
                f"is still open, closing date {campaign.closes_on}; run close_due_rounds (cron) "
                "so that its invitation addresses are deleted and its retention period starts"
            )
        if not self.rounds:
            out.insert(0, "no rounds past their retention period")
        return out


def stale_drafts(today: dt.date):
    return SurveyDraft.objects.filter(
        updated_on__lt=today - dt.timedelta(days=settings.SURVEY_DRAFT_DAYS)
    )


def apply_retention(*, today: dt.date | None = None, dry_run: bool = False) -> RetentionReport:
    today = today or timezone.localdate()
    report = RetentionReport(today, dry_run)
    due = Campaign.objects.select_related("organisation").past_retention(today)
    counts = dict(
        Response.objects.filter(campaign__in=due)
        .values_list("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )
    for campaign in due:
        report.rounds.append((campaign, counts.get(campaign.pk, 0)))
        if not dry_run:
            services.delete_answers(campaign, today)
    drafts = stale_drafts(today)
    report.drafts = drafts.count()
    if not dry_run:
        drafts.delete()
    report.sessions = _clear_expired_sessions(dry_run)
    report.overdue_open_rounds = list(
        Campaign.objects.open()
        .filter(closes_on__lt=today)
        .select_related("organisation")
        .order_by("pk")
    )
    return report


def _clear_expired_sessions(dry_run: bool) -> int:
    """Expired sessions still hold a questionnaire's place (round, draft, resume code)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        if not dry_run:
            store.clear_expired()
        return 0
    from django.contrib.sessions.models import Session

    expired = Session.objects.filter(expire_date__lt=timezone.now())
    count = expired.count()
    if not dry_run:
        expired.delete()
    return count


# --- Deleting an organisation ------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationDeletion:
    """What deleting an organisation removes, for the confirmation page."""

    rounds: int
    responses: int
    teams: int
    invitations: int
    accounts_deleted: list[str]  # HR accounts of this organisation only
    accounts_losing_access: list[str]  # keep their account (other organisations, staff)


def deletion_summary(organisation: Organisation) -> OrganisationDeletion:
    deleted, losing = [], []
    for member in _members(organisation):
        (deleted if _account_goes(member, member.others) else losing).append(
            f"{member.user.get_username()} ({member.get_role_display()})"
        )
    return OrganisationDeletion(
        rounds=organisation.campaigns.count(),
        responses=Response.objects.filter(campaign__organisation=organisation).count(),
        teams=organisation.teams.count(),
        invitations=Invitation.objects.filter(campaign__organisation=organisation).count(),
        accounts_deleted=deleted,
        accounts_losing_access=losing,
    )


def _members(organisation: Organisation) -> list[Membership]:
    others = Count("user__memberships", filter=~Q(user__memberships__organisation=organisation))
    return list(
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(others=others)
        .order_by("user__username")
    )


def _account_goes(member: Membership, other_memberships: int) -> bool:
    # An HR account exists only for its organisation; consultants and staff keep theirs.
    return (
        member.role == Membership.Role.HR
        and other_memberships == 0
        and not member.user.is_staff
        and not member.user.is_superuser
    )


@transaction.atomic
def delete_organisation(organisation: Organisation) -> OrganisationDeletion:
    """Delete the organisation, its rounds, answers, summaries, teams and its HR accounts."""
    summary = deletion_summary(organisation)
    doomed = [m.user_id for m in _members(organisation) if _account_goes(m, m.others)]
    # Answers in one statement each, instead of the cascade's batches per response.
    Answer.objects.filter(response__campaign__organisation=organisation).delete()
    OpenAnswer.objects.filter(response__campaign__organisation=organisation).delete()
    organisation.delete()
    get_user_model().objects.filter(pk__in=doomed).delete()
    return summary
