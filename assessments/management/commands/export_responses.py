from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import exports
from assessments.models import Campaign


class Command(BaseCommand):
    help = (
        "Write the anonymised response-level export of a closed round with its codebook. "
        "CSV: FILE and FILE-codebook.csv beside it (or one ZIP when FILE ends in .zip); "
        "XLSX: one workbook with a Codebook sheet."
    )
    # Start-up time: the full system check (URLconf, templates, ~0.4 s) is for runserver,
    # migrate and `manage.py check`, which deployments run; see README, Management commands.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("campaign", type=int, help="the round's id (see its dashboard URL)")
        parser.add_argument("--format", choices=exports.FORMATS, default="csv", dest="fmt")
        parser.add_argument("-o", "--output", required=True, metavar="FILE")
        parser.add_argument("--lang", choices=["nl", "en"], default="nl")
        parser.add_argument(
            "--by",
            default=None,
            metavar="team,role,…",
            help="group columns to include (default: every breakdown of the round)",
        )

    def handle(self, *args, campaign: int, fmt: str, output: str, lang: str, by, **options):
        round_ = (
            Campaign.objects.select_related("organisation", "questionnaire")
            .filter(pk=campaign)
            .first()
        )
        if round_ is None:
            raise CommandError(f"There is no round with id {campaign}.")
        segments = None
        if by is not None:
            segments = [name.strip() for name in by.split(",") if name.strip()]
            unknown = [name for name in segments if name not in exports.SEGMENTS]
            if unknown:
                raise CommandError(
                    f"Unknown segmentation {', '.join(unknown)}; "
                    f"choose from {', '.join(exports.SEGMENTS)}."
                )
        path = Path(output)
        try:
            if fmt == "csv" and path.suffix.lower() != ".zip":
                data, codebook = exports.build_response_csv_files(round_, lang, segments=segments)
                codebook_path = path.with_name(f"{path.stem}-codebook.csv")
                path.write_bytes(data)
                codebook_path.write_bytes(codebook)
                self.stdout.write(f"wrote {path} and {codebook_path}")
                return
            content = exports.build_response_export(round_, fmt, lang, segments=segments).content
        except exports.ExportUnavailable as refusal:
            raise CommandError(refusal.message) from None
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        path.write_bytes(content)
        self.stdout.write(f"wrote {path}")
