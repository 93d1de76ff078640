"""Deliver queued invitation and reminder e-mails (cron, every minute).

    * * * * *  cd /srv/leercultuur && .venv/bin/python manage.py send_invitations

Web requests only queue messages, so sending hundreds never times out a request. Runs may
overlap safely: each batch is claimed in the database before it is sent. Output and logs carry
counts only, never an address or a link.
"""

from django.core.management.base import BaseCommand

from assessments.mailing import deliver_pending


class Command(BaseCommand):
    help = "Send queued invitation and reminder e-mails over one connection."
    # Start-up time: the full system check (URLconf, templates, ~0.4 s) is for runserver,
    # migrate and `manage.py check`, which deployments run; see README, Management commands.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None, help="Send at most this many messages."
        )

    def handle(self, *args, limit=None, **options) -> None:
        sent = deliver_pending(limit=limit)
        self.stdout.write(f"Sent {sent} message(s).")
