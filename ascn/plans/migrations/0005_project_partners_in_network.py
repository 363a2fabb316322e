from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0004_published_count_indexes"),
        ("network", "0002_partner_joins_the_registry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="project",
            name="partners",
            field=models.ManyToManyField(blank=True, related_name="projects", to="network.partner", verbose_name="partners involved"),
        ),
    ]
