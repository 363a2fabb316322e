"""The text-search interface: the database's index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL)
finds the same records as a plain scan, and follows inserts, updates and deletes."""

import pytest
from django.db import connection

from ascn.core.search import fts_table, text_filter
from ascn.framework.models import FrameworkNode
from ascn.network.models import City
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db


def ids(text):
    return set(Project.objects.filter(text_filter(Project, text)).values_list("id", flat=True))


def test_index_backend_in_use():
    if connection.vendor == "sqlite":
        assert fts_table(Project) in connection.introspection.table_names()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'plans_project_search_trgm'")
            assert cursor.fetchone() == ("plans_project_search_trgm",)


def test_search_follows_writes_and_folds_accents():
    project = Project.objects.create(city=City.objects.get(slug="da-nang"), title="Xylophone Kiosk Đường Phố",
                                     focus_area=FrameworkNode.objects.get(code="civic_social"))
    assert ids("xylophone") == {project.pk}
    assert ids("ĐƯỜNG PHỐ") == {project.pk}
    assert ids("duong pho") == {project.pk}
    project.title = "Marimba Kiosk"
    project.save()
    assert ids("xylophone") == set()
    assert ids("marimba") == {project.pk}
    project.delete()
    assert ids("marimba") == set()


def test_index_and_scan_agree_on_the_reference_projects():
    for text in ["operation", "Smart", "waste", "centre", "e-", "zz"]:
        scanned = set(Project.objects.filter(search_text__contains=text.lower()).values_list("id", flat=True))
        assert ids(text) == scanned, text
    assert len(ids("operation")) == 6
    assert text_filter(Project, "  ") is None
