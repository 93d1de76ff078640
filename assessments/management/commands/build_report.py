from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Campaign
from assessments.reports import RenderError, ReportUnavailable, build_report_pdf


class Command(BaseCommand):
    help = "Write the PDF report of a round (the same figures as its dashboard)."
    # Start-up time: the full system check (URLconf, templates, ~0.4 s) is for runserver,
    # migrate and `manage.py check`, which deployments run; see README, Management commands.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("campaign", type=int, help="the round's id (see its dashboard URL)")
        parser.add_argument("-o", "--output", required=True, help="PDF file to write")
        parser.add_argument("--lang", choices=["nl", "en"], default="nl")

    def handle(self, *args, campaign: int, output: str, lang: str, **options):
        round_ = (
            Campaign.objects.select_related("organisation", "questionnaire")
            .filter(pk=campaign)
            .first()
        )
        if round_ is None:
            raise CommandError(f"There is no round with id {campaign}.")
        try:
            pdf = build_report_pdf(round_, lang)
        except ReportUnavailable as refusal:
            raise CommandError(f"There is no report of round {campaign} yet: {refusal}") from None
        except RenderError as exc:
            raise CommandError(f"The report could not be rendered: {exc}") from None
        try:
            Path(output).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        self.stdout.write(f"Wrote {output} ({len(pdf) // 1024} KB, {lang}).")
