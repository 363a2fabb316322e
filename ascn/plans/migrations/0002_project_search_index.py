from django.db import migrations

from ascn.core.search import install_search_index, remove_search_index


def install(apps, schema_editor):
    install_search_index(schema_editor, apps.get_model("plans", "Project")._meta.db_table)


def remove(apps, schema_editor):
    remove_search_index(schema_editor, apps.get_model("plans", "Project")._meta.db_table)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_action_plans_and_projects")]
    operations = [migrations.RunPython(install, remove)]
