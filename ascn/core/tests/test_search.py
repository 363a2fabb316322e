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


def _new_project_row(title):
    from django.utils import timezone

    now = timezone.now()
    blank = dict.fromkeys(["reference", "objective", "description", "stage", "currency", "support_kinds",
                           "support_notes", "source"], "")
    return {**blank, "city_id": City.objects.get(slug="da-nang").pk, "title": title, "search_text": title.lower(),
            "focus_area_id": FrameworkNode.objects.get(code="civic_social").pk, "status": "planning",
            "is_published": True, "links": [], "created_at": now, "updated_at": now}


def test_rows_of_a_bulk_insert_are_indexed_at_the_end_and_the_trigger_comes_back():
    from ascn.core.bulk import insert_values
    from ascn.core.search import indexed_after_bulk_insert

    with indexed_after_bulk_insert(Project):
        insert_values(Project, [_new_project_row(f"Quokka kiosk {i}") for i in range(3)])
    assert len(ids("quokka kiosk")) == 3
    later = Project.objects.create(city=City.objects.get(slug="da-nang"), title="Quokka kiosk later",
                                   focus_area=FrameworkNode.objects.get(code="civic_social"))
    assert later.pk in ids("quokka kiosk")  # rows written one by one are indexed again


def test_a_failed_bulk_insert_leaves_the_index_and_its_trigger_as_they_were():
    from ascn.core.bulk import insert_values
    from ascn.core.search import indexed_after_bulk_insert

    with pytest.raises(RuntimeError), indexed_after_bulk_insert(Project):
        insert_values(Project, [_new_project_row("Wombat kiosk")])
        raise RuntimeError("stop the import")
    assert not Project.objects.filter(title="Wombat kiosk").exists()
    assert ids("wombat") == set()
    Project.objects.create(city=City.objects.get(slug="da-nang"), title="Wombat kiosk",
                           focus_area=FrameworkNode.objects.get(code="civic_social"))
    assert len(ids("wombat")) == 1
