"""Close every open round whose closing date has passed (cron, e.g. hourly or nightly).

5 0 * * *  cd /srv/leercultuur && .venv/bin/python manage.py close_due_rounds
"""

from django.core.management.base import BaseCommand

from assessments import services


class Command(BaseCommand):
    help = "Close open rounds whose closing date has passed (and delete their addresses)."
    # Start-up time: the full system check (URLconf, templates, ~0.4 s) is for runserver,
    # migrate and `manage.py check`, which deployments run; see README, Management commands.
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        closed = services.close_due_rounds()
        self.stdout.write(f"Closed {closed} round(s).")
