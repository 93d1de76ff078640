"""Background work, on Django's Tasks API (the django-tasks backport until Django 6).

In production the tasks are rows in the database (django-tasks-db) and `manage.py db_worker`
runs them (docs/deployment.md); in development (`TASKS_BACKEND=immediate`, the default with
DEBUG) they run inside the request or command that enqueues them, so `make run` needs no worker.

* ``deliver_invitations``: queued invitations and reminders, enqueued when HR sends them and
  every few minutes for messages that failed before;
* ``render_reports``: both languages of a round's PDF report, enqueued when a round closes, when
  what its cover shows changes and a minute after its action plan was edited
  (assessments/reportstore.py);
* ``close_due_rounds`` and ``apply_retention``: nightly;
* ``deliver_management_invitations``: the management link to the addresses HR entered;
* ``notify_due_actions``: daily, one e-mail to HR per action of a plan whose due date came.

The management commands of the same names do the same work in the foreground (cron, or by
hand), so either way works and both may run: every task is safe to repeat or to run twice.

Task arguments are round ids only. No task takes or returns anything that points at a person,
an invitation or a response: the task table keeps arguments, results and timestamps.

The periodic tasks keep themselves scheduled: each run first enqueues the next one with
``run_after`` (django-tasks-db runs deferred tasks when due), and ``ensure_scheduled`` (after
every ``migrate``) starts the chain. A chain that was started twice heals itself, because a
run only schedules the next one when none is waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend, task

logger = logging.getLogger(__name__)


@task(queue_name="default")
def deliver_invitations(campaign_id: int | None = None) -> int:
    from . import mailing
    from .models import Campaign

    campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None
    if campaign_id and campaign is None:
        return 0
    return mailing.deliver_pending(campaign=campaign)


@task(queue_name="reports")
def render_reports(campaign_id: int) -> list[str]:
    """Render the round's report in every language whose stored PDF is not current."""
    from . import reportstore

    return reportstore.prerender(campaign_id)


@task(queue_name="default")
def deliver_pending_invitations() -> int:
    _schedule_next(deliver_pending_invitations)
    from . import mailing

    # Management invitations that failed before are retried with the employees' ones.
    return deliver_invitations.call() + mailing.deliver_management_invitations()


@task(queue_name="default")
def deliver_management_invitations(campaign_id: int) -> int:
    from . import mailing
    from .models import Campaign

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    return mailing.deliver_management_invitations(campaign=campaign) if campaign else 0


@task(queue_name="default")
def notify_due_actions() -> int:
    from . import mailing

    _schedule_next(notify_due_actions)
    return mailing.deliver_due_action_notices()


@task(queue_name="default")
def close_due_rounds() -> int:
    from . import services

    _schedule_next(close_due_rounds)
    closed = services.close_due_rounds()
    if closed:
        logger.info("Closed %d round(s) past their closing date", closed)
    return closed


@task(queue_name="default")
def apply_retention() -> list[str]:
    from django.core.management import call_command

    from .retention import apply_retention as run_retention

    _schedule_next(apply_retention)
    report = run_retention()
    # Finished task rows carry only round ids and times, but nothing needs them after a week.
    call_command("prune_db_task_results", min_age_days=7, failed_min_age_days=30, verbosity=0)
    return report.lines()


@dataclass(frozen=True)
class Every:
    """When a periodic task runs next: every ``minutes``, or daily at ``at`` (local time)."""

    minutes: int | None = None
    at: dt.time | None = None

    def next_after(self, now: dt.datetime) -> dt.datetime:
        if self.minutes:
            return now + dt.timedelta(minutes=self.minutes)
        local = timezone.localtime(now)
        due = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if due <= local:
            due += dt.timedelta(days=1)
        return due


# Times as the cron lines in docs/operations.md had them: close rounds before retention.
PERIODIC: dict[str, Every] = {
    "deliver_pending_invitations": Every(minutes=5),
    "close_due_rounds": Every(at=dt.time(0, 5)),
    "apply_retention": Every(at=dt.time(0, 15)),
    # In the morning, when HR reads it; after the night's jobs.
    "notify_due_actions": Every(at=dt.time(7, 0)),
}


def _periodic_tasks() -> dict[str, object]:
    return {name: globals()[name] for name in PERIODIC}


def defers() -> bool:
    """Whether the configured backend keeps deferred tasks (the immediate one cannot)."""
    return bool(default_task_backend.supports_defer)


def waiting_with(a_task, *args) -> bool:
    """Whether ``a_task`` with these arguments is already queued and not yet started."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=a_task.module_path,
        args_kwargs={"args": list(args), "kwargs": {}},
    ).exists()


def _schedule_next(a_task: Callable, now: dt.datetime | None = None) -> None:
    if not defers():
        return
    name = a_task.name
    if waiting_with(a_task):
        return
    when = PERIODIC[name].next_after(now or timezone.now())
    a_task.using(run_after=when).enqueue()


def ensure_scheduled(now: dt.datetime | None = None) -> list[str]:
    """Start every periodic task's chain that is not waiting yet; returns the ones started."""
    if not defers():
        return []
    started = []
    for name, a_task in _periodic_tasks().items():
        if not waiting_with(a_task):
            a_task.using(run_after=PERIODIC[name].next_after(now or timezone.now())).enqueue()
            started.append(name)
    return started


def enqueue(a_task, *args, **kwargs) -> None:
    """Enqueue now, inside the caller's transaction.

    With the database queue the task row commits (or rolls back) together with the change
    that asked for it, so the worker never sees a task for data that is not there yet; an
    immediate backend runs it on the caller's connection, which sees that data already.
    """
    a_task.enqueue(*args, **kwargs)
