"""E-mail HR about the actions of action plans whose due date has come (cron, daily).

    0 7 * * *  cd /srv/leercultuur && .venv/bin/python manage.py notify_due_actions

The worker does the same every morning (tasks.notify_due_actions). One message per action and
due date: a second run, or both at once, sends nothing again (mailing.deliver_due_action_notices).
"""

from django.core.management.base import BaseCommand

from assessments.mailing import deliver_due_action_notices


class Command(BaseCommand):
    help = "E-mail HR once about every planned or running action whose due date has come."
    # Start-up time: see send_invitations.
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        sent = deliver_due_action_notices()
        self.stdout.write(f"Sent {sent} message(s).")
