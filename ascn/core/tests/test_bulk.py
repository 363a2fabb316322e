"""Bulk-insert helpers: values reach the database as the ORM would write them; the collector pause."""

import datetime as dt
import gc
from decimal import Decimal

import pytest
from django.utils import timezone

from ascn.core.bulk import collector_paused, insert_values
from ascn.framework.models import FrameworkNode
from ascn.network.models import City
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db


def test_inserted_values_read_back_as_the_orm_writes_them():
    now = timezone.now()
    links = [{"label": "Site", "url": "https://example.invalid"}]
    common = {"reference": "", "objective": "", "description": "", "stage": "", "currency": "USD",
              "support_kinds": "", "support_notes": "", "source": "", "search_text": "", "status": "planning",
              "city_id": City.objects.get(slug="da-nang").pk, "project_type_id": None,
              "focus_area_id": FrameworkNode.objects.get(code="civic_social").pk, "created_at": now,
              "updated_at": now, "end_date": None}
    insert_values(Project, [
        {**common, "title": "Bulk one", "cost_estimate": Decimal("1234.50"), "funding_secured": None,
         "start_date": dt.date(2027, 1, 31), "is_published": True, "links": links},
        {**common, "title": "Bulk two", "cost_estimate": None, "funding_secured": Decimal("0.01"),
         "start_date": None, "is_published": False, "links": []},
    ])
    one, two = Project.objects.filter(title__startswith="Bulk").order_by("title")
    assert (one.cost_estimate, one.start_date, one.is_published, one.links) == (
        Decimal("1234.50"), dt.date(2027, 1, 31), True, links)
    assert (two.cost_estimate, two.funding_secured, two.start_date, two.is_published, two.links) == (
        None, Decimal("0.01"), None, False, [])
    assert one.created_at == now and two.updated_at == now


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
