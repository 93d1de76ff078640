"""The response-rate page of a round: counts that are safe to show while it runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Count, Q
from django.utils import timezone

from .mailing import MAX_FAILURES
from .models import Campaign, Invitation
from .presentation import INDICATIVE_RESPONSE_RATE, rate_basis_text, reason_text
from .results import campaign_results


@dataclass(frozen=True)
class TeamProgress:
    position: int
    name: str
    size: int | None
    count: int | None  # None: not shown (fewer than k, or it would reveal a smaller group)
    rate: float | None
    rate_percent: int | None
    indicative: bool


@dataclass(frozen=True)
class Progress:
    responses: int
    invited: int | None  # the response rate's denominator (presentation.response_rate)
    rate: float | None
    rate_percent: int | None
    rate_basis: str  # what the rate is a share of, in words
    indicative: bool
    days_left: int | None
    threshold: int
    teams: list[TeamProgress]
    teams_reason: str | None  # why team counts are not shown (yet)
    invitations: int
    invitations_sent: int
    invitations_pending: int
    reminders_sent: int
    invitations_failed: int

    def as_dict(self) -> dict:
        return asdict(self)


def response_progress(campaign: Campaign) -> Progress:
    """Response counts of a round that are safe to show.

    The total is live; a team's count is the size of the team's group in the published results
    (anonymity.py), so it appears only where and when the results show that team.
    """
    k = campaign.threshold
    results = campaign_results(campaign)
    responses = results.received
    team_plan = results.breakdowns.get("team")
    shown = {g.key: g.n for g in team_plan.groups} if team_plan else {}
    if team_plan is None or campaign.status != Campaign.Status.CLOSED:
        teams_reason = reason_text("team_counts_with_results", k)
    elif not team_plan.allowed:
        teams_reason = team_plan.reason_text
    else:
        teams_reason = None
    team_rows = []
    for t in campaign.teams.values("pk", "position", "name", "size"):
        count = shown.get(str(t["pk"]))
        percent = min(round(100 * count / t["size"]), 100) if count and t["size"] else None
        team_rows.append(
            TeamProgress(
                position=t["position"],
                name=t["name"],
                size=t["size"],
                count=count,
                rate=percent / 100 if percent is not None else None,
                rate_percent=percent,
                indicative=percent is not None and percent < INDICATIVE_RESPONSE_RATE,
            )
        )
    stats = campaign.invitations.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(sent_on__isnull=False)),
        pending=Count("pk", filter=Q(pending=Invitation.Pending.INVITATION)),
        reminded=Count("pk", filter=Q(reminded_on__isnull=False)),
        failed=Count("pk", filter=Q(sent_on__isnull=True, send_failures__gte=MAX_FAILURES)),
    )
    rate = results.response_rate
    today = timezone.localdate()
    days_left = (
        max((campaign.closes_on - today).days, 0)
        if campaign.status == Campaign.Status.OPEN
        else None
    )
    return Progress(
        responses=responses,
        invited=rate.denominator,
        rate=rate.percent / 100 if rate.percent is not None else None,
        rate_percent=rate.percent,
        rate_basis=rate_basis_text(rate),
        indicative=rate.indicative,
        days_left=days_left,
        threshold=k,
        teams=team_rows if campaign.ask_team else [],
        teams_reason=teams_reason if campaign.ask_team else None,
        invitations=stats["total"],
        invitations_sent=stats["sent"],
        invitations_pending=stats["pending"],
        reminders_sent=stats["reminded"],
        invitations_failed=stats["failed"],
    )
