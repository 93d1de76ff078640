"""Queries that feed the workspace pages (one query per figure, never one per row)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Count, Q
from django.utils import timezone

from .mailing import MAX_FAILURES
from .models import Campaign, Invitation


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
    invitations: int
    invitations_sent: int
    invitations_pending: int
    reminders_sent: int
    invitations_failed: int

    def as_dict(self) -> dict:
        return asdict(self)


def _visible_teams(counts: dict[int, int], no_team: int, k: int) -> set[int]:
    """Teams whose count may be shown: ≥ k, with the hidden remainder 0 or ≥ k.

    The remainder (hidden teams plus responses without a team) could be worked out by
    subtracting the visible teams from the total, so while it is between 1 and k − 1 the
    smallest visible team is hidden as well.
    """
    visible = {pk for pk, n in counts.items() if n >= k}
    while True:
        remainder = no_team + sum(n for pk, n in counts.items() if pk not in visible)
        if remainder == 0 or remainder >= k or not visible:
            return visible
        visible.remove(min(visible, key=lambda pk: (counts[pk], pk)))


def response_progress(campaign: Campaign) -> Progress:
    """Response counts of a round that are safe to show (counts only, threshold k)."""
    k = campaign.threshold
    responses = campaign.responses.count()
    teams = list(
        campaign.teams.annotate(n=Count("responses")).values("pk", "position", "name", "size", "n")
    )
    counts = {t["pk"]: t["n"] for t in teams}
    no_team = responses - sum(counts.values())
    visible = _visible_teams(counts, no_team, k) if campaign.ask_team else set()
    team_rows = [
        TeamProgress(
            position=t["position"],
            name=t["name"],
            size=t["size"],
            count=t["n"] if t["pk"] in visible else None,
            rate=(t["n"] / t["size"]) if t["pk"] in visible and t["size"] else None,
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
        invitations=stats["total"],
        invitations_sent=stats["sent"],
        invitations_pending=stats["pending"],
        reminders_sent=stats["reminded"],
        invitations_failed=stats["failed"],
    )
