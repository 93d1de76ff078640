"""PDF reports rendered ahead of the download, and served only for the state they show.

Rendering takes seconds (WeasyPrint); the consultant should not wait for it. So when a round
closes, and again when something its report shows changes (the round's name or settings, the
organisation's name, the consultant's branding, the answers being deleted; an action plan a
minute after its edits, for its round and the later rounds that show the change since it), the
``render_reports`` task renders both languages and stores them (``StoredReport``). The download
then reads one row.

A stored PDF carries the report key of the round it was rendered from
(``reports.report_cache_key``: results state, status, threshold, names, dates, branding,
language, layout version). The download computes the round's current key and serves the stored
PDF only when they are equal; otherwise it renders on demand and stores that. A render whose
round changed while it ran is not stored, because it could show a mix of both states.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .models import (
    ActionPlan,
    Campaign,
    ConsultantProfile,
    Membership,
    Organisation,
    PlanAction,
    StoredReport,
)

logger = logging.getLogger(__name__)


def _reports():
    # Imported when first needed: the signal receivers below are connected at start-up, and
    # a management command that never renders should not pay for the report's imports.
    from . import reports

    return reports


def state_key(campaign: Campaign, language: str) -> str:
    return _reports().report_cache_key(campaign, language)


def stored_pdf(campaign: Campaign, language: str) -> bytes | None:
    """The stored PDF for the round's current state, or None."""
    pdf = (
        StoredReport.objects.filter(
            campaign=campaign, language=language, state=state_key(campaign, language)
        )
        .values_list("pdf", flat=True)
        .first()
    )
    return None if pdf is None else bytes(pdf)


def render_and_store(campaign: Campaign, language: str) -> bytes:
    """Render the report now and keep it, unless the round changed during the render.

    Raises reports.ReportUnavailable (fewer than k responses) or reports.RenderError.
    """
    before = state_key(campaign, language)
    pdf = _reports().build_report_pdf(campaign, language)
    fresh = Campaign.objects.select_related("organisation").filter(pk=campaign.pk).first()
    if fresh is None or state_key(fresh, language) != before:
        return pdf
    try:
        with transaction.atomic():
            StoredReport.objects.update_or_create(
                campaign=campaign, language=language, defaults={"state": before, "pdf": pdf}
            )
    except IntegrityError:  # another render stored the same state a moment earlier
        pass
    return pdf


def get_pdf(campaign: Campaign, language: str) -> bytes:
    """The report for the round's current state: the stored one, or rendered now."""
    pdf = stored_pdf(campaign, language)
    if pdf is None:
        pdf = render_and_store(campaign, language)
    return pdf


def prerender(campaign_id: int) -> list[str]:
    """Render every language whose stored PDF is not current; returns the languages rendered."""
    campaign = Campaign.objects.select_related("organisation").filter(pk=campaign_id).first()
    if campaign is None:
        return []
    reports = _reports()
    rendered = []
    for language in reports.LANGUAGES:
        if stored_pdf(campaign, language) is not None:
            continue
        try:
            render_and_store(campaign, language)
        except reports.ReportUnavailable:
            # Below k (or its answers deleted): nothing may be shown, so nothing is kept.
            StoredReport.objects.filter(campaign=campaign).delete()
            return rendered
        rendered.append(language)
    return rendered


# --- When to render ----------------------------------------------------------------------


_PAUSED: contextvars.ContextVar[bool] = contextvars.ContextVar("reports_paused", default=False)


@contextmanager
def renders_paused() -> Iterator[None]:
    """Changes inside trigger no render: for a batch that changes a round several times and
    renders once at its end (seed_demo)."""
    token = _PAUSED.set(True)
    try:
        yield
    finally:
        _PAUSED.reset(token)


def _renders_wanted() -> bool:
    return settings.REPORT_PRERENDER and not _PAUSED.get()


def _enqueue(campaign_ids) -> None:
    if not _renders_wanted():
        return
    from .tasks import enqueue, render_reports

    for pk in campaign_ids:
        enqueue(render_reports, pk)


# Plan edits come in bursts (the focus, then a few actions, then their statuses): the report is
# rendered once, this long after the first edit, and shows them all.
PLAN_RENDER_DELAY = dt.timedelta(minutes=1)


def _enqueue_after_edits(campaign_ids) -> None:
    if not _renders_wanted():
        return
    from .tasks import defers, render_reports, waiting_with

    if not defers():
        # Development runs tasks inside the request: a render per save would make every click
        # on the plan page wait seconds. The next download renders the current state and keeps it.
        return
    when = timezone.now() + PLAN_RENDER_DELAY
    for pk in campaign_ids:
        if not waiting_with(render_reports, pk):
            render_reports.using(run_after=when).enqueue(pk)


def _closed_rounds(organisation_ids) -> list[int]:
    return list(
        Campaign.objects.closed()
        .filter(organisation__in=organisation_ids, answers_deleted_on__isnull=True)
        .values_list("pk", flat=True)
    )


def _round_saved(sender, instance: Campaign, **kwargs) -> None:
    if instance.answers_deleted_on is not None:
        # The open answers in a stored PDF are individual answers: they go with the others.
        StoredReport.objects.filter(campaign=instance).delete()
        return
    if instance.status == Campaign.Status.CLOSED:
        _enqueue([instance.pk])


def _organisation_saved(sender, instance: Organisation, created: bool, **kwargs) -> None:
    if not created:
        _enqueue(_closed_rounds([instance.pk]))


def _branding_saved(sender, instance: ConsultantProfile, **kwargs) -> None:
    organisations = Membership.objects.filter(
        user_id=instance.user_id, role=Membership.Role.CONSULTANT
    ).values_list("organisation_id", flat=True)
    _enqueue(_closed_rounds(list(organisations)))


def _membership_changed(sender, instance: Membership, **kwargs) -> None:
    if instance.role == Membership.Role.CONSULTANT:
        _enqueue(_closed_rounds([instance.organisation_id]))


def _plan_changed(organisation_id: int | None) -> None:
    # The plan's own round shows it, and later rounds show the change since it.
    if organisation_id is not None:
        _enqueue_after_edits(_closed_rounds([organisation_id]))


def _action_plan_changed(sender, instance: ActionPlan, **kwargs) -> None:
    _plan_changed(
        Campaign.objects.filter(pk=instance.campaign_id)
        .values_list("organisation_id", flat=True)
        .first()
    )


def _plan_action_changed(sender, instance: PlanAction, **kwargs) -> None:
    # Also after the plan itself was deleted (its actions go first): then nothing is found,
    # and the plan's own signal has enqueued the render.
    _plan_changed(
        ActionPlan.objects.filter(pk=instance.plan_id)
        .values_list("campaign__organisation_id", flat=True)
        .first()
    )


def _focus_changed(sender, instance, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, ActionPlan):
        _action_plan_changed(sender, instance)


def connect() -> None:
    post_save.connect(_round_saved, sender=Campaign, dispatch_uid="reportstore-round")
    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="reportstore-org")
    for signal in (post_save, post_delete):
        signal.connect(_branding_saved, sender=ConsultantProfile, dispatch_uid="reportstore-brand")
        signal.connect(
            _membership_changed, sender=Membership, dispatch_uid="reportstore-membership"
        )
        signal.connect(_action_plan_changed, sender=ActionPlan, dispatch_uid="reportstore-plan")
        signal.connect(
            _plan_action_changed, sender=PlanAction, dispatch_uid="reportstore-plan-action"
        )
    m2m_changed.connect(
        _focus_changed, sender=ActionPlan.focus.through, dispatch_uid="reportstore-plan-focus"
    )
