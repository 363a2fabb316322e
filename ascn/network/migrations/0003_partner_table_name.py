from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("network", "0002_partner_joins_the_registry"),
        ("partnerships", "0002_partner_moves_to_network"),
    ]

    operations = [
        migrations.AlterModelTable(name="partner", table=None),
    ]
