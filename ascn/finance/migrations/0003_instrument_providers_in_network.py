from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("finance", "0002_business_cases_and_readiness"),
        ("network", "0002_partner_joins_the_registry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="financinginstrument",
            name="providers",
            field=models.ManyToManyField(blank=True, related_name="instruments", to="network.partner", verbose_name="providers in the network"),
        ),
    ]
