import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from assessments.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Delete individual answers of rounds past their retention period (the summaries are "
        "kept) and answers in progress older than SURVEY_DRAFT_DAYS. Run daily from cron."
    )
    # Start-up time: the full system check (URLconf, templates, ~0.4 s) is for runserver,
    # migrate and `manage.py check`, which deployments run; see README, Management commands.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be deleted; delete nothing"
        )
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD", help="act as if it were this date (for checks)"
        )

    def handle(self, *args, dry_run: bool, today: str | None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    f"--today must be a date like 2025-01-31, not {today!r}."
                ) from None
        report = apply_retention(today=day, dry_run=dry_run)
        if dry_run:
            self.stdout.write("dry run: nothing is deleted")
        for line in report.lines():
            self.stdout.write(line)
