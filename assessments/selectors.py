"""The response-rate page of a round: counts that are safe to show while it runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Count, Q
from django.utils import timezone

from .mailing import MAX_FAILURES
from .models import Campaign, Invitation
from .presentation import reason_text
from .results import campaign_numbers


@dataclass(frozen=True)
class TeamProgress:
    position: int
    name: str
    size: int | None
    count: int | None  # None: not shown (fewer than k, or it would reveal a smaller group)
    rate: float | None


@dataclass(frozen=True)
class Progress:
    responses: int
    invited: int | None
    rate: float | None
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
    numbers = campaign_numbers(campaign)
    responses = numbers["received"]
    team_plan = (numbers.get("breakdowns") or {}).get("team")
    shown = {g["key"]: g["n"] for g in team_plan["groups"]} if team_plan else {}
    if team_plan is None or campaign.status != Campaign.Status.CLOSED:
        teams_reason = reason_text("team_counts_with_results", k)
    elif not team_plan["allowed"]:
        teams_reason = reason_text(team_plan["reason"], k)
    else:
        teams_reason = None
    teams = list(campaign.teams.values("pk", "position", "name", "size"))
    team_rows = [
        TeamProgress(
            position=t["position"],
            name=t["name"],
            size=t["size"],
            count=shown.get(str(t["pk"])),
            rate=(shown[str(t["pk"])] / t["size"]) if str(t["pk"]) in shown and t["size"] else None,
        )
        for t in teams
    ]
    stats = campaign.invitations.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(sent_on__isnull=False)),
        pending=Count("pk", filter=Q(pending=Invitation.Pending.INVITATION)),
        reminded=Count("pk", filter=Q(reminded_on__isnull=False)),
        failed=Count("pk", filter=Q(sent_on__isnull=True, send_failures__gte=MAX_FAILURES)),
    )
    invited = stats["sent"] or campaign.expected_respondents or None
    today = timezone.localdate()
    days_left = (
        max((campaign.closes_on - today).days, 0)
        if campaign.status == Campaign.Status.OPEN
        else None
    )
    return Progress(
        responses=responses,
        invited=invited,
        rate=(responses / invited) if invited else None,
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
