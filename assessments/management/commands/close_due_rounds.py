"""Close every open round whose closing date has passed (cron, e.g. hourly or nightly).

5 0 * * *  cd /srv/leercultuur && .venv/bin/python manage.py close_due_rounds
"""

from django.core.management.base import BaseCommand

from assessments import services


class Command(BaseCommand):
    help = "Close open rounds whose closing date has passed (and delete their addresses)."

    def handle(self, *args, **options) -> None:
        closed = services.close_due_rounds()
        self.stdout.write(f"Closed {closed} round(s).")
