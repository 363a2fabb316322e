# The partner registry now lives in `network` (see network 0002). The table stays; only the migration
# state drops the model here, and its content type (which framework tags, audit entries and
# permissions point at) follows it to `network`.

from django.db import migrations


def move_content_type(apps, schema_editor, source="partnerships", target="network"):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    content_types.filter(app_label=target, model="partner").delete()
    content_types.filter(app_label=source, model="partner").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="network", target="partnerships")


class Migration(migrations.Migration):

    dependencies = [
        ("partnerships", "0001_partner_registry"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_user_partner_in_network"),
        ("plans", "0005_project_partners_in_network"),
        ("finance", "0003_instrument_providers_in_network"),
        ("knowledge", "0002_case_study_partners_in_network"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Partner")],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
