from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0001_case_studies"),
        ("network", "0002_partner_joins_the_registry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="casestudy",
            name="partners",
            field=models.ManyToManyField(blank=True, related_name="case_studies", to="network.partner", verbose_name="partners"),
        ),
    ]
