"""Recompute the answers and dimension sums stored with each response, from its answers.

They are derived data, written when a response is sent; the results read them (one row per
respondent). Rows stored before they existed, or under an older scoring version, are rebuilt
when a round's results are first read, or here at once (e.g. after a deploy):

    .venv/bin/python manage.py rebuild_scores            # every stale row
    .venv/bin/python manage.py rebuild_scores 12 14 --all  # rounds 12 and 14, every row
"""

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Campaign, Response


class Command(BaseCommand):
    help = "Recompute the scores stored with each response from its answers."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("campaigns", nargs="*", type=int, help="round ids (default: all)")
        parser.add_argument(
            "--all",
            dest="every",
            action="store_true",
            help="rebuild every row, not only those stored under an older version",
        )

    def handle(self, *args, campaigns: list[int], every: bool, **options) -> None:
        rows = Response.objects.all()
        if campaigns:
            missing = sorted(
                set(campaigns)
                - set(Campaign.objects.filter(pk__in=campaigns).values_list("pk", flat=True))
            )
            if missing:
                raise CommandError(f"No round with id {', '.join(map(str, missing))}.")
            rows = rows.filter(campaign_id__in=campaigns)
        # Cached results need no clearing: they were built from the same answers.
        rebuilt = rows.rebuild_stored_scores(stale_only=not every)
        self.stdout.write(f"Rebuilt the stored scores of {rebuilt} response(s).")
