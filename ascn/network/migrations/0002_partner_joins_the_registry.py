# The partner registry moves from `partnerships` to `network` (accounts, projects, instruments and case
# studies all name partners, and they sit below `partnerships` in the layers). The table is kept: the
# model is created in the migration state only, on the existing table, then renamed in 0003.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("network", "0001_registry"),
        ("partnerships", "0001_partner_registry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Partner",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
                        ("name", models.CharField(max_length=200, unique=True, verbose_name="name")),
                        ("kind", models.CharField(choices=[("country_government", "Government"), ("development_bank", "Development bank or investor"), ("agency", "Agency"), ("programme", "Programme"), ("private_association", "Private-sector association"), ("international_org", "International organisation")], max_length=30, verbose_name="kind")),
                        ("country_iso3", models.CharField(blank=True, max_length=3, validators=[django.core.validators.RegexValidator("^[A-Z]{3}$")], verbose_name="country (ISO code)")),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        ("source", models.CharField(blank=True, max_length=1000, verbose_name="source")),
                        ("is_published", models.BooleanField(default=True, verbose_name="published")),
                    ],
                    options={
                        "verbose_name": "partner",
                        "verbose_name_plural": "partners",
                        "ordering": ["name"],
                        "db_table": "partnerships_partner",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
