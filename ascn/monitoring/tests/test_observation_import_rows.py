"""The dry run of an observations file lists the rows it would create and update (the import kit's listing,
bounded however large the file), and a file that matches what is stored offers nothing to import."""

import csv
import io

import pytest
from django.test import Client

from ascn.core.imports import MAX_LISTED_ROWS
from ascn.monitoring.actions import observations as actions
from ascn.monitoring.models import Indicator, Observation, ObservationImport, ReportingRound
from ascn.network.models import City

HEADER = ["city", "indicator_code", "period", "value", "numerator", "denominator", "source", "comment"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def count(db, secretariat):
    """A count indicator assigned to Da Nang, whose 2025 round is open."""
    danang = City.objects.get(slug="da-nang")
    round_2025 = ReportingRound.objects.get(year=2025)
    round_2025.closes_on = None
    round_2025.save()
    round_2025.cities.add(danang)
    indicator = Indicator.objects.filter(family="u4ssc").order_by("code")[1]
    Indicator.objects.filter(pk=indicator.pk).update(unit="buildings")
    actions.assign_indicator(secretariat, danang, indicator)
    return indicator.code


def as_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_the_dry_run_lists_created_and_updated_rows_with_what_changes(count, csco_danang):
    first = as_csv([["da-nang", count, "2025", "12", "", "", "Census", ""],
                    ["da-nang", count, "2025-Q1", "3", "", "", "", ""]])
    actions.import_file(csco_danang, "first.csv", first, city=None, commit=True)
    second = as_csv([["da-nang", count, "2025", "14.5", "", "", "Census 2025", ""],
                     ["da-nang", count, "2025-Q1", "3", "", "", "", ""],
                     ["da-nang", count, "2025-Q2", "4", "", "", "", ""]])
    summary, _record = actions.import_file(csco_danang, "second.csv", second, city=None, commit=False)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    assert summary.created_rows == [{"row": 4, "key": f"Da Nang · {count} · 2025-Q2"}]
    assert summary.updated_rows == [{"row": 2, "key": f"Da Nang · {count} · 2025", "changes": [
        {"column": "value", "old": "12", "new": "14.5"}, {"column": "source", "old": "Census", "new": "Census 2025"}]}]


def test_a_large_file_lists_only_the_first_rows_and_the_page_says_how_many_more(count, secretariat, csco_danang):
    danang = City.objects.get(slug="da-nang")
    codes = [count]
    for indicator in Indicator.objects.filter(family="u4ssc").order_by("code")[2:14]:
        Indicator.objects.filter(pk=indicator.pk).update(unit="buildings")
        actions.assign_indicator(secretariat, danang, indicator)
        codes.append(indicator.code)
    periods = ["2025", *(f"2025-Q{q}" for q in range(1, 5)), *(f"2025-{m:02d}" for m in range(1, 13))]
    rows = [["da-nang", code, period, "1", "", "", "", ""] for code in codes for period in periods]
    assert len(rows) == 13 * 17 == 221
    summary, record = actions.import_file(csco_danang, "many.csv", as_csv(rows), city=danang, commit=False)
    assert (summary.created, summary.error_total) == (221, 0)
    assert len(summary.created_rows) == MAX_LISTED_ROWS == 200
    assert [r["row"] for r in summary.created_rows] == list(range(2, 202))
    assert summary.created_rows[0] == {"row": 2, "key": f"Da Nang · {count} · 2025"}
    client = Client()
    client.force_login(csco_danang)
    html = client.get(f"/monitoring/cities/da-nang/data/import/{record.pk}/").content.decode()
    assert "<h2>Rows to create</h2>" in html and html.count("<tr><td>") == 200
    assert "… and 21 more rows." in html


def test_importing_the_same_file_twice_offers_nothing_to_import(count, csco_danang):
    client = Client()
    client.force_login(csco_danang)
    data = as_csv([["", count, "2025", "12", "", "", "", ""]])
    for name in ("first.csv", "second.csv"):
        upload = io.BytesIO(data)
        upload.name = name
        page = client.post("/monitoring/cities/da-nang/data/import/", {"file": upload}, follow=True)
        if name == "first.csv":
            assert b"Import now" in page.content and b'data-testid="created-rows"' in page.content
            client.post(page.redirect_chain[-1][0])
    assert Observation.objects.count() == 1
    assert ObservationImport.objects.order_by("-pk").first().summary["unchanged"] == 1
    html = page.content.decode()
    assert "Nothing to import: every row matches what is stored." in html
    assert "Import now" not in html and "created-rows" not in html
