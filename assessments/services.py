"""State changes that touch several concerns: closing a round, deleting its answers.

Models stay at the bottom (they import no higher layer); what a change also needs — the kept
summary of the results, later the report rendered ahead — is done here.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .models import Campaign, CampaignSummary
from .results import store_summary


def close_round(campaign: Campaign, *, by=None) -> None:
    """Close a round: the final results, its summary for later comparisons, no addresses.

    ``by``: the person who closed it (in the round's history), None when its date passed.
    """
    with transaction.atomic():
        campaign.mark_closed(by=by)
        store_summary(campaign)


def close_due_rounds(queryset=None, *, today: date | None = None) -> int:
    """Close every open round (of ``queryset``) whose closing date has passed."""
    closed = 0
    for campaign in (queryset or Campaign.objects.all()).due_for_closing(today):
        close_round(campaign)
        closed += 1
    return closed


def delete_answers(campaign: Campaign, today: date | None = None) -> dict[str, int]:
    """Delete a round's individual answers, keeping its summary; returns what was deleted.

    The summary is made first if it is missing (closing normally made it), so comparisons with
    later rounds keep working once the raw answers are gone.
    """
    with transaction.atomic():
        if not CampaignSummary.objects.filter(campaign=campaign).exists():
            store_summary(campaign)
        return campaign.delete_answer_rows(today)
