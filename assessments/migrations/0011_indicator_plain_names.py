"""Plain (B1) names of the indicators, beside the model's own wording."""

from django.db import migrations, models

# The shipped questionnaire's plain names, by the model's Dutch name (a frozen copy of
# scripts/build_questionnaire_fixture.py at the time of this migration).
PLAIN_NAMES = {
    'Taakautonomie': ('Zelf bepalen hoe je werkt', 'Deciding how you do your work'),
    'Taakcomplexiteit': ('Werk waarbij je moet nadenken', 'Work that makes you think'),
    'Uitdaging in taken': ('Uitdagende taken', 'Challenging tasks'),
    'Onderling vertrouwen': ('Elkaar vertrouwen', 'Trusting each other'),
    'Fouten mogen maken': ('Fouten mogen maken', 'Being allowed to make mistakes'),
    'Experimenteerruimte': ('Ruimte om nieuwe dingen te proberen', 'Room to try new things'),
    'Goede werkrelatie': ('Goede werkrelaties', 'Good working relationships'),
    'Kennisuitwisseling': ('Kennis delen', 'Sharing knowledge'),
    'Mentor/rolmodel': ('Iemand om van te leren', 'Someone to learn from'),
    'Werkplekinrichting ten behoeve van kennisuitwisseling': ('Een werkplek waar je makkelijk kennis deelt', 'A workplace that makes sharing knowledge easy'),
    'Samenwerken in diverse teams en/of met andere disciplines': ('Samenwerken met andere teams en vakgebieden', 'Working with other teams and trades'),
    'Visie op leren kunnen uitdragen': ('De leiding laat zien waarom leren telt', 'Managers show why learning matters'),
    'Rolmodel': ('De leiding geeft het goede voorbeeld', 'Managers set the example'),
    'Eigenaarschap stimuleren': ('De leiding geeft je eigen verantwoordelijkheid', 'Managers give you ownership'),
    'Ondersteunende structuren en systemen gericht op continu verbeteren': ('Vaste manieren om steeds te verbeteren', 'Set ways to keep improving'),
    'Ondersteunende structuren en systemen om leerervaringen vast te leggen': ('Vastleggen wat we leren', 'Recording what we learn'),
    'Beoordelings- en beloningsstructuur voor ontwikkelinitiatieven': ('Leren wordt gezien en beloond', 'Learning is noticed and rewarded'),
    'Periodieke evaluatiemomenten': ('Regelmatig samen terugkijken', 'Looking back together regularly'),
    'Opleidingsbudget': ('Geld voor opleiding', 'Money for training'),
    '(Proactief) kennis opnemen van ontwikkelingen in de maatschappij en markt': ('Bijblijven met wat er verandert in markt en maatschappij', 'Keeping up with changes in the market and society'),
    'Co-creatie met klanten': ('Samen met klanten verbeteren', 'Improving together with customers'),
    'Co-creatie met leveranciers': ('Leren van leveranciers en partners', 'Learning from suppliers and partners'),
}


def fill_plain_names(apps, schema_editor):
    Indicator = apps.get_model("assessments", "Indicator")
    for indicator in Indicator.objects.filter(name_nl__in=PLAIN_NAMES):
        indicator.plain_name_nl, indicator.plain_name_en = PLAIN_NAMES[indicator.name_nl]
        indicator.save(update_fields=["plain_name_nl", "plain_name_en"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_tasks_stored_report"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="plain_name_nl",
            field=models.CharField(
                blank=True,
                help_text="The wording HR reads (B1 level); empty: the name.",
                max_length=200,
                verbose_name="plain name (Dutch)",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="plain_name_en",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="plain name (English)"
            ),
        ),
        migrations.RunPython(fill_plain_names, migrations.RunPython.noop),
    ]
