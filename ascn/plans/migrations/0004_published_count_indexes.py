from django.db import migrations

# PostgreSQL only: the public pipeline counts published projects per city and per facet value. Its
# planner reads these small partial indexes with index-only scans instead of scanning the table; SQLite
# already groups over project_facets_idx and project_city_facets_idx (which carry the row id).
PARTIAL_INDEXES = {
    "project_published_city_idx": '("city_id")',
    "project_published_facets_idx": '("status", "stage", "focus_area_id", "project_type_id", "support_kinds")',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in PARTIAL_INDEXES.items():
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "plans_project" {columns} '
                                  'WHERE "is_published"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in PARTIAL_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_postgres_cost_order_index")]
    operations = [
        # The same columns as the foreign key's own index.
        migrations.RemoveIndex(model_name="project", name="project_type_idx"),
        migrations.RunPython(create, drop),
    ]
