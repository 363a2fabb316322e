import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_accounts_tokens_audit"),
        ("network", "0002_partner_joins_the_registry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="partner",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="accounts", to="network.partner", verbose_name="partner organisation"),
        ),
    ]
