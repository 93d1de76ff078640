import json

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Campaign
from assessments.results import campaign_results


class Command(BaseCommand):
    help = "Print the aggregated, threshold-safe results of a round (what the dashboard shows)."
    # Start-up time: the full system check (URLconf, templates, ~0.4 s) is for runserver,
    # migrate and `manage.py check`, which deployments run; see README, Management commands.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("campaign", type=int, help="the round's id (see its dashboard URL)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--lang", choices=["nl", "en"], default="nl")

    def handle(self, *args, campaign: int, lang: str, **options):
        round_ = (
            Campaign.objects.select_related("organisation", "questionnaire")
            .filter(pk=campaign)
            .first()
        )
        if round_ is None:
            raise CommandError(f"There is no round with id {campaign}.")
        results = campaign_results(round_, lang)
        if options["json"]:
            self.stdout.write(_dumps(results.to_json()))
            return
        self.stdout.write(f"{results.round.organisation} — {results.round.name}")
        rate = results.response_rate
        self.stdout.write(
            f"responses: {results.received}  in the results: {results.respondents}  "
            f"response rate: {'-' if rate.percent is None else rate.percent}%"
        )
        if not results.visible:
            self.stdout.write(f"No results: {results.reason_text}")
            return
        if results.look_note:
            self.stdout.write(results.look_note)
        self.stdout.write(f"overall index: {results.overall_index}")
        for dim in results.dimensions:
            self.stdout.write(
                f"{dim.code} {dim.name}: mean {dim.mean} (n={dim.n}), "
                f"{dim.pct_positive}% positive, {dim.pct_negative}% negative, "
                f"band {dim.band}"
            )
        for breakdown in results.breakdowns.values():
            if not breakdown.allowed:
                continue
            self.stdout.write(f"by {breakdown.name}:")
            for group in breakdown.groups:
                means = ", ".join(f"{c} {m}" for c, m in group.dimensions.items())
                self.stdout.write(f"  {group.label} (n={group.n}): {means}")
            for hidden in breakdown.suppressed:
                self.stdout.write(f"  {hidden.label}: {hidden.reason_text}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
