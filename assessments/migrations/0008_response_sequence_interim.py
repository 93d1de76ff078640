"""Submission order for stepped publication; the response date goes; interim-results setting."""

from django.db import migrations, models


def number_existing_responses(apps, schema_editor):
    # Existing responses have no known order; their random primary key gives an arbitrary one,
    # which is as good as any for publishing them in steps.
    Response = apps.get_model("assessments", "Response")
    campaign_ids = Response.objects.values_list("campaign_id", flat=True).distinct()
    for campaign_id in campaign_ids.iterator():
        rows = list(Response.objects.filter(campaign_id=campaign_id).order_by("pk"))
        for number, response in enumerate(rows, start=1):
            response.sequence = number
        Response.objects.bulk_update(rows, ["sequence"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_consultant_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="interim_results",
            field=models.CharField(
                choices=[
                    ("none", "No interim results: the results appear when the round closes"),
                    (
                        "organisation",
                        "Interim results for the whole organisation, updated per k new responses",
                    ),
                ],
                default="none",
                max_length=20,
                verbose_name="interim results",
            ),
        ),
        migrations.AddField(
            model_name="response",
            name="sequence",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(number_existing_responses, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="response",
            name="sequence",
            field=models.PositiveIntegerField(editable=False),
        ),
        migrations.RemoveField(model_name="response", name="submitted_on"),
        migrations.RemoveIndex(model_name="response", name="assessments_campaig_2bbba2_idx"),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                fields=("campaign", "sequence"), name="response_sequence"
            ),
        ),
    ]
