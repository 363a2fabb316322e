from django.db import migrations


def create(apps, schema_editor):
    """PostgreSQL sorts NULLs first in a descending index; the pipeline's "cost" order wants them last.
    (SQLite's own order already puts NULLs last when descending, and uses project_cost_idx.)"""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('CREATE INDEX IF NOT EXISTS "project_cost_nulls_last_idx" '
                              'ON "plans_project" ("cost_estimate" DESC NULLS LAST, "id")')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "project_cost_nulls_last_idx"')


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_project_search_index")]
    operations = [migrations.RunPython(create, drop)]
