"""Bulk writes (`core.bulk`): each database's strategy and the portable one write exactly the rows given,
update exactly the rows named, and leave nothing written when a load fails; values read back as the ORM
writes them; COPY's text format; the session settings, the index set aside during a large load, and the
collector pause."""

import datetime as dt
import gc
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ascn.core import bulk
from ascn.core.bulk import collector_paused, insert_values
from ascn.core.bulk.base import BulkLoader
from ascn.core.bulk.postgres import PostgresLoader, copy_text
from ascn.core.bulk.sqlite import SQLiteLoader, _single_valued
from ascn.core.bulk.values import db_values
from ascn.framework.models import FrameworkNode
from ascn.monitoring.models import Indicator, Observation
from ascn.network.models import City
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

VENDOR_LOADERS = {"sqlite": SQLiteLoader, "postgresql": PostgresLoader}
NOW = dt.datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=dt.UTC)


@pytest.fixture(params=["vendor", "portable"])
def strategy(request, monkeypatch):
    """Each test runs with the database's own loader and with the portable one."""
    if request.param == "portable":
        monkeypatch.setattr(bulk, "LOADERS", {})
        expected = BulkLoader
    else:
        expected = VENDOR_LOADERS[connection.vendor]
    assert type(bulk.loader_for(Observation)) is expected
    return expected


@pytest.fixture
def ids():
    return City.objects.get(slug="da-nang").pk, City.objects.get(slug="ha-noi").pk, Indicator.objects.order_by("pk")[0].pk


OBSERVATION_CONSTANTS = {"created_at": NOW, "updated_at": NOW, "evidence_file": "", "verification": "reported",
                         "author_id": None, "method": ""}


def observation_chunk(city_id, indicator_id, periods, values, source="Statistics office", flags=None):
    return {"city_id": [city_id] * len(periods), "indicator_id": [indicator_id] * len(periods), "period": periods,
            "year": [int(p[:4]) for p in periods], "value": values, "numerator": [None] * len(periods),
            "denominator": [None] * len(periods), "source": [source] * len(periods),
            "evidence_url": [""] * len(periods), "comment": [""] * len(periods),
            "flags": flags if flags is not None else [[]] * len(periods)}


def stored():
    return list(Observation.objects.order_by("city_id", "period").values_list(
        "city_id", "indicator_id", "period", "year", "value", "numerator", "source", "comment", "flags",
        "verification", "created_at"))


# --- Inserting -----------------------------------------------------------------------------------------------


def test_chunks_of_columns_are_written_with_the_constants_on_every_row(strategy, ids):
    danang, hanoi, indicator = ids
    flag = [{"code": "outlier", "median": 12.5}]
    chunks = [observation_chunk(danang, indicator, ["2024", "2025", "2025-Q1"], [1.5, -0.0, 3e-7],
                                flags=[[], flag, []]),
              observation_chunk(hanoi, indicator, ["2025"], [42.0], source="Tab\there, back\\slash\nnew line")]
    written = bulk.insert_columns(Observation, iter(chunks), OBSERVATION_CONSTANTS)
    assert written == 4
    assert stored() == [
        (danang, indicator, "2024", 2024, 1.5, None, "Statistics office", "", [], "reported", NOW),
        (danang, indicator, "2025", 2025, -0.0, None, "Statistics office", "", flag, "reported", NOW),
        (danang, indicator, "2025-Q1", 2025, 3e-7, None, "Statistics office", "", [], "reported", NOW),
        (hanoi, indicator, "2025", 2025, 42.0, None, "Tab\there, back\\slash\nnew line", "", [], "reported", NOW)]


def test_rows_as_dicts_read_back_as_the_orm_writes_them(strategy):
    now = timezone.now()
    links = [{"label": "Site", "url": "https://example.invalid"}]
    common = {"reference": "", "objective": "", "description": "", "stage": "", "currency": "USD",
              "support_kinds": "", "support_notes": "", "source": "", "search_text": "", "status": "planning",
              "city_id": City.objects.get(slug="da-nang").pk, "project_type_id": None,
              "focus_area_id": FrameworkNode.objects.get(code="civic_social").pk, "created_at": now,
              "updated_at": now, "end_date": None}
    written = insert_values(Project, [
        {**common, "title": "Bulk one", "cost_estimate": Decimal("1234.50"), "funding_secured": None,
         "start_date": dt.date(2027, 1, 31), "is_published": True, "links": links},
        {**common, "title": "Bulk two", "cost_estimate": None, "funding_secured": Decimal("0.01"),
         "start_date": None, "is_published": False, "links": []},
    ])
    assert written == 2
    one, two = Project.objects.filter(title__startswith="Bulk").order_by("title")
    assert (one.cost_estimate, one.start_date, one.is_published, one.links) == (
        Decimal("1234.50"), dt.date(2027, 1, 31), True, links)
    assert (two.cost_estimate, two.funding_secured, two.start_date, two.is_published, two.links) == (
        None, Decimal("0.01"), None, False, [])
    assert one.created_at == now and two.updated_at == now


def test_nothing_to_insert_writes_nothing(strategy):
    assert bulk.insert_values(Observation, []) == 0
    assert bulk.insert_columns(Observation, iter([]), OBSERVATION_CONSTANTS) == 0
    assert Observation.objects.count() == 0


def test_a_load_failing_in_its_last_chunk_leaves_nothing_written(strategy, ids):
    danang, _hanoi, indicator = ids
    chunks = [observation_chunk(danang, indicator, ["2023", "2024"], [1.0, 2.0]),
              observation_chunk(danang, indicator, ["2025", "2024"], [3.0, 4.0])]  # 2024 again: unique key
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_columns(Observation, iter(chunks), OBSERVATION_CONSTANTS)
    assert Observation.objects.count() == 0


def test_a_load_whose_rows_stop_coming_leaves_nothing_written(strategy, ids):
    danang, _hanoi, indicator = ids

    def chunks():
        yield observation_chunk(danang, indicator, ["2023", "2024"], [1.0, 2.0])
        raise RuntimeError("the file could not be read further")

    with pytest.raises(RuntimeError, match="could not be read"):
        bulk.insert_columns(Observation, chunks(), OBSERVATION_CONSTANTS)
    assert Observation.objects.count() == 0


def test_chunks_must_have_the_same_fields_and_columns_the_same_length(strategy, ids):
    danang, _hanoi, indicator = ids
    first = observation_chunk(danang, indicator, ["2024"], [1.0])
    second = {k: v for k, v in observation_chunk(danang, indicator, ["2025"], [2.0]).items() if k != "comment"}
    with pytest.raises(ValueError, match="a chunk has the fields"):
        bulk.insert_columns(Observation, iter([first, second]), OBSERVATION_CONSTANTS)
    uneven = {**observation_chunk(danang, indicator, ["2024", "2025"], [1.0, 2.0]), "value": [1.0]}
    with pytest.raises(ValueError, match="column 'value' has 1 values, the first has 2"):
        bulk.insert_columns(Observation, iter([uneven]), OBSERVATION_CONSTANTS)
    with pytest.raises(ValueError, match="'observations' is not a column of City"):
        bulk.insert_values(City, [{"observations": 1}])
    assert Observation.objects.count() == 0


# --- Updating ------------------------------------------------------------------------------------------------


def test_updates_by_id_change_exactly_the_rows_named(strategy, ids):
    danang, hanoi, indicator = ids
    bulk.insert_columns(Observation, iter([observation_chunk(danang, indicator, ["2023", "2024", "2025"],
                                                             [1.0, 2.0, 3.0]),
                                           observation_chunk(hanoi, indicator, ["2025"], [9.0])]),
                        OBSERVATION_CONSTANTS)
    by_period = dict(Observation.objects.filter(city_id=danang).values_list("period", "id"))
    later = NOW + dt.timedelta(days=1)
    flag = [{"code": "queried", "comment": "Source?"}]
    changed = bulk.update_by_id(Observation, [by_period["2025"], by_period["2023"]],
                                {"value": [30.5, 10.25], "numerator": [None, 4.0], "flags": [flag, []],
                                 "comment": ["tab\there", ""]},
                                {"updated_at": later, "verification": "queried"})
    assert changed == 2
    assert list(Observation.objects.order_by("city_id", "period").values_list(
        "city_id", "period", "value", "numerator", "comment", "flags", "verification", "updated_at")) == [
        (danang, "2023", 10.25, 4.0, "", [], "queried", later),
        (danang, "2024", 2.0, None, "", [], "reported", NOW),
        (danang, "2025", 30.5, None, "tab\there", flag, "queried", later),
        (hanoi, "2025", 9.0, None, "", [], "reported", NOW)]
    assert bulk.update_by_id(Observation, [], {"value": []}) == 0


def test_a_failing_update_changes_nothing(strategy, ids):
    danang, _hanoi, indicator = ids
    bulk.insert_columns(Observation, iter([observation_chunk(danang, indicator, ["2023", "2024"], [1.0, 2.0])]),
                        OBSERVATION_CONSTANTS)
    before = stored()
    first, second = Observation.objects.order_by("period").values_list("id", flat=True)
    with pytest.raises(IntegrityError), transaction.atomic():  # both rows made 2025: unique key
        bulk.update_by_id(Observation, [first, second], {"period": ["2025", "2025"], "value": [5.0, 6.0]})
    assert stored() == before


# --- Session settings and indexes ----------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_sqlite_page_cache_is_large_during_a_large_load_and_restored_after():
    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    with bulk.tuned_for_load(Observation, 9_999):
        assert cache_size() == before
    with pytest.raises(RuntimeError), bulk.tuned_for_load(Observation, 10_000):
        assert cache_size() == -512 * 1024
        raise RuntimeError("stop")
    assert cache_size() == before


@pytest.mark.skipif(connection.vendor == "sqlite", reason="no session settings elsewhere")
def test_other_databases_load_with_their_session_as_it_is():
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        before = cursor.fetchone()[0]
        with bulk.tuned_for_load(Observation, 1_000_000):
            cursor.execute("SHOW work_mem")
            assert cursor.fetchone()[0] == before


def indexes():
    with connection.cursor() as cursor:
        return {name for name, c in connection.introspection.get_constraints(cursor, "monitoring_observation").items()
                if c["index"] and not c["unique"] and not c["primary_key"]}


def test_an_index_is_set_aside_during_a_load_that_at_least_doubles_the_table(strategy, ids):
    danang, _hanoi, indicator = ids
    bulk.insert_columns(Observation, iter([observation_chunk(danang, indicator, ["2020", "2021"], [1.0, 2.0])]),
                        OBSERVATION_CONSTANTS)
    assert "observation_indicator_idx" in indexes()
    with bulk.index_rebuilt(Observation, "observation_indicator_idx", 3, min_rows=4):
        assert "observation_indicator_idx" in indexes()  # a small load keeps it
    with bulk.index_rebuilt(Observation, "observation_indicator_idx", 4, min_rows=4):
        assert "observation_indicator_idx" not in indexes()
        bulk.insert_columns(Observation, iter([observation_chunk(danang, indicator, ["2022", "2023", "2024", "2025"],
                                                                 [3.0, 4.0, 5.0, 6.0])]), OBSERVATION_CONSTANTS)
    assert "observation_indicator_idx" in indexes()
    assert Observation.objects.count() == 6
    with bulk.index_rebuilt(Observation, "observation_indicator_idx", 2, min_rows=2):
        assert "observation_indicator_idx" in indexes()  # 2 new rows do not double a table of 6


def test_a_failed_load_leaves_the_index_as_it_was(strategy):
    with pytest.raises(RuntimeError), transaction.atomic(), \
            bulk.index_rebuilt(Observation, "observation_indicator_idx", 10, min_rows=1):
        assert "observation_indicator_idx" not in indexes()
        raise RuntimeError("stop the load")
    assert "observation_indicator_idx" in indexes()


# --- Formatting and values (no database) ---------------------------------------------------------------------


def test_copy_text_formats_each_type_and_escapes_text():
    columns = [[1, 2, 3], [1.5, None, 1e-07], ["plain", "tab\there", "back\\slash\nline\r"],
               [True, False, None], [dt.date(2025, 1, 31), None, dt.date(2025, 12, 1)],
               [Decimal("1234.50"), Decimal("0.01"), None]]
    assert copy_text(columns, [dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC), None, "x"]) == (
        "1\t1.5\tplain\tt\t2025-01-31\t1234.50\t2026-12-03T09:30:00+00:00\t\\N\tx\n"
        "2\t\\N\ttab\\there\tf\t\\N\t0.01\t2026-12-03T09:30:00+00:00\t\\N\tx\n"
        "3\t1e-07\tback\\\\slash\\nline\\r\t\\N\t2025-12-01\t\\N\t2026-12-03T09:30:00+00:00\t\\N\tx\n")
    assert copy_text([[7]], []) == "7\n"


def test_json_values_become_text_each_shared_object_once():
    field = Observation._meta.get_field("flags")
    none, flag = [], [{"code": "outlier"}]
    converted = db_values(field, [none, flag, none, None, none], connection)
    assert converted == ["[]", '[{"code": "outlier"}]', "[]", None, "[]"]
    assert converted[0] is converted[2] is converted[4]  # dumped once


def test_plain_columns_go_to_the_driver_as_they_are():
    values = ["a", "b"]
    assert db_values(Observation._meta.get_field("source"), values, connection) is values


def test_sqlite_binds_columns_with_one_value_once_but_keeps_a_varying_column():
    assert _single_valued({"a": [1, 1, 1], "b": [1.0, 1.0, 1.0], "c": ["x", "y", "x"], "d": [None, None, None]}) == {
        "a": 1, "d": None}
    assert _single_valued({"a": [1, 1], "b": ["x", "x"]}) == {"b": "x"}


def test_collector_is_paused_inside_the_block_and_restored_after_it_even_on_failure():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("stop")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
