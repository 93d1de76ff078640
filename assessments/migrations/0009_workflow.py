"""Round workflow (issue 13): short round codes, the round's history, sent drafts."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from assessments.models import derive_short_code, hash_short_code


def give_rounds_a_short_code(apps, schema_editor):
    # Derived from the link's salt, like the link itself; stored one by one because each
    # code's hash must be unique (a clash, ~1 in 10^11 per pair, gets a code at next save).
    Campaign = apps.get_model("assessments", "Campaign")
    taken = set()
    for campaign in Campaign.objects.filter(code_hash__isnull=True).only("pk", "link_salt"):
        code_hash = hash_short_code(derive_short_code(campaign.link_salt))
        if code_hash in taken:
            continue
        taken.add(code_hash)
        Campaign.objects.filter(pk=campaign.pk).update(code_hash=code_hash)


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0008_response_sequence_interim'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='code_hash',
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(give_rounds_a_short_code, migrations.RunPython.noop),
        migrations.CreateModel(
            name='CampaignEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('opened', 'opened'), ('closed', 'closed'), ('closed_automatically', 'closed automatically'), ('closing_date', 'closing date changed'), ('headcount', 'number of employees invited changed'), ('team_sizes', 'team sizes changed')], max_length=30, verbose_name='what')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                ('old_value', models.CharField(blank=True, max_length=200)),
                ('new_value', models.CharField(blank=True, max_length=200)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='assessments.campaign')),
            ],
            options={
                'verbose_name': 'round history entry',
                'verbose_name_plural': 'round history',
                'ordering': ['campaign', 'at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='SentDraft',
            fields=[
                ('id', models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ('resume_code_hash', models.CharField(db_index=True, max_length=64)),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sent_drafts', to='assessments.campaign')),
            ],
            options={
                'verbose_name': 'sent answers',
                'verbose_name_plural': 'sent answers',
            },
        ),
    ]
