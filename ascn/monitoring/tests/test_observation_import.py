"""Observation files: the per-city entry template, the dry run with its summary, the atomic and idempotent
commit, the kept file, closed and locked periods, and who may import."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from ascn.core.choices import Role
from ascn.monitoring import importing
from ascn.monitoring.actions import observations as actions
from ascn.monitoring.models import CityReport, Indicator, Observation, ObservationImport, ReportingRound
from ascn.network.models import City
from conftest import make_user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads are kept under pytest's temporary directory, never in the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def kit(db, secretariat):
    """Da Nang with a percentage and a count (of buildings) indicator assigned (baseline and targets on the percentage);
    the 2025 round open; a closed 2019 round; a third indicator assigned to no one."""
    danang, hanoi = City.objects.get(slug="da-nang"), City.objects.get(slug="ha-noi")
    round_2025 = ReportingRound.objects.get(year=2025)
    round_2025.closes_on = None
    round_2025.save()
    round_2025.cities.add(danang, hanoi)
    closed = ReportingRound.objects.create(year=2019, as_of=dt.date(2019, 12, 31), closes_on=dt.date(2020, 1, 31))
    closed.cities.add(danang)
    pct, count, rate = Indicator.objects.filter(family="u4ssc").order_by("code")[:3]
    Indicator.objects.filter(pk=pct.pk).update(unit="%")
    Indicator.objects.filter(pk=count.pk).update(unit="buildings")
    Indicator.objects.filter(pk=rate.pk).update(unit="per 100,000 inhabitants")
    pct.refresh_from_db()
    a_pct = actions.assign_indicator(secretariat, danang, pct, {"baseline_value": 60.0, "baseline_year": 2020})
    actions.set_target(secretariat, a_pct, 2025, 80.0)
    actions.set_target(secretariat, a_pct, 2030, 95.0)
    actions.assign_indicator(secretariat, danang, count)
    return {"danang": danang, "hanoi": hanoi, "pct": pct.code, "count": count.code, "rate": rate.code,
            "pct_name": pct.name, "count_name": count.name}


def as_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["city", "indicator_code", "period", "value", "numerator", "denominator", "source", "comment"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored() -> list[tuple]:
    return sorted(Observation.objects.values_list("city__slug", "indicator__code", "period", "value", "verification"))


# --- Template -------------------------------------------------------------------------------------------


def test_csv_template_lists_only_assigned_indicators_and_open_periods(kit, csco_danang):
    Observation.objects.create(city=kit["danang"], indicator=Indicator.objects.get(code=kit["count"]),
                               period="2025-Q2", year=2025, value=40, source="City statistics office")
    response = logged_in(csco_danang).get("/monitoring/cities/da-nang/data/template.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ascn-da-nang-observations.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["city", "indicator_code", "indicator_name", "unit", "baseline", "target", "period", "value",
                       "numerator", "denominator", "source", "method", "evidence_url", "comment"]
    assert rows[1:] == [
        ["da-nang", kit["pct"], kit["pct_name"], "%", "60 (2020)", "80 (2025)", "2025", "", "", "", "", "", "", ""],
        ["da-nang", kit["count"], kit["count_name"], "buildings", "", "", "2025-Q2", "40", "", "",
         "City statistics office", "", "", ""],
        ["da-nang", kit["count"], kit["count_name"], "buildings", "", "", "2025", "", "", "", "", "", "", ""],
    ]  # 2019 is closed, the third indicator is not assigned


def test_xlsx_template_has_the_rows_and_notes_and_imports_back_unchanged(kit, csco_danang):
    client = logged_in(csco_danang)
    client.post("/monitoring/cities/da-nang/data/", {"indicator": kit["pct"], "period": "2025", "value": "72.5",
                                                    "source": "=HYPERLINK(\"x\")"})
    response = client.get("/monitoring/cities/da-nang/data/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["observations", "notes"]
    sheet = book["observations"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == importing.COLUMNS
    assert [(r[1], r[6], r[7], r[10]) for r in values[1:]] == [(kit["pct"], "2025", 72.5, '=HYPERLINK("x")'),
                                                               (kit["count"], "2025", None, None)]
    assert sheet.cell(row=2, column=11).data_type == "s"  # text, never a live formula
    assert book["notes"]["A1"].value == "Entry template of Da Nang: one row per assigned indicator and open period."
    summary, _record = actions.import_file(csco_danang, "template.xlsx", response.content, city=kit["danang"],
                                           commit=True)
    assert (summary.created, summary.updated, summary.unchanged, summary.blank, summary.error_count) == (0, 0, 1, 1, 0)


def test_template_is_refused_to_a_national_representative(kit, nr_vietnam):
    assert logged_in(nr_vietnam).get("/monitoring/cities/da-nang/data/template.csv").status_code == 403


# --- Dry run, commit, idempotence -------------------------------------------------------------------------


def test_dry_run_summary_counts_and_refusals_with_row_column_and_reason(kit, csco_danang):
    count = Indicator.objects.get(code=kit["count"])
    Observation.objects.create(city=kit["danang"], indicator=count, period="2025", year=2025, value=100)
    Observation.objects.create(city=kit["danang"], indicator=count, period="2025-Q2", year=2025, value=40)
    data = as_csv([
        ["da-nang", kit["pct"], "2025", "75", "", "", "Survey", ""],       # 2: create
        ["da-nang", kit["count"], "2025", "100", "", "", "", ""],          # 3: unchanged
        ["da-nang", kit["count"], "2025-Q1", "30", "", "", "", ""],        # 4: create
        ["da-nang", kit["count"], "2025-Q2", "45", "", "", "", ""],        # 5: update
        ["da-nang", kit["pct"], "2025-Q1", "101", "", "", "", ""],         # 6: create, flagged (above 100 %)
        ["da-nang", kit["rate"], "2025", "5", "", "", "", ""],             # 7: not assigned
        ["da-nang", kit["pct"], "2025-13", "50", "", "", "", ""],          # 8: malformed period
        ["da-nang", kit["pct"], "2019", "50", "", "", "", ""],             # 9: closed round
        ["da-nang", kit["pct"], "2025-Q3", "", "", "", "a note", ""],      # 10: nothing to record
        ["da-nang", kit["pct"], "2025-Q2", "50", "3", "4", "", ""],        # 11: not 3 / 4 x 100
        ["da-nang", kit["count"], "2025-Q4", "1,5", "", "", "", ""],       # 12: not a number
        ["da-nang", kit["count"], "2025-Q1", "31", "", "", "", ""],        # 13: duplicate of row 4
        ["da-nang", kit["count"], "2025-Q3", "-2", "", "", "", ""],        # 14: negative count
    ])
    summary, record = actions.import_file(csco_danang, "danang.csv", data, city=kit["danang"], commit=False)
    assert (summary.rows, summary.created, summary.updated, summary.unchanged, summary.blank) == (12, 3, 1, 1, 1)
    assert summary.error_count == 7 and not summary.committed
    assert summary.flag_counts == {"percentage_range": 1} and summary.flags[0]["row"] == 6
    assert [(e["row"], e["column"], e["reason"]) for e in summary.errors] == [
        (7, "indicator_code", f'"{kit["rate"]}" is not assigned to Da Nang; assign it on the city\'s data page first'),
        (8, "period", "“2025-13” is not a year (2025), quarter (2025-Q3) or month (2025-07)."),
        (9, "period", "2019 is not open: the 2019 round closed on 2020-01-31"),
        (11, "value", "50 does not match the numerator and the denominator: 3 / 4 x 100 = 75. Leave the value empty "
                      "to have it computed, or correct the figures"),
        (12, "value", '"1,5" is not a number (write it with a dot for decimals and no thousands separator)'),
        (13, "period", "duplicate of row 4 (same city, indicator and period)"),
        (14, "value", "-2 is negative; this indicator counts or rates something and cannot be below 0"),
    ]
    assert record.summary == summary.as_dict() and record.committed_at is None
    assert record.city == kit["danang"] and record.uploaded_by == csco_danang
    with record.file.open("rb") as handle:
        assert handle.read() == data  # the original file is kept
    assert Observation.objects.count() == 2  # a dry run writes nothing


def test_commit_is_atomic_one_bad_row_writes_nothing(kit, csco_danang):
    data = as_csv([["da-nang", kit["pct"], "2025", "75", "", "", "", ""],
                   ["da-nang", kit["count"], "2025", "12", "", "", "", ""],
                   ["da-nang", kit["pct"], "2025-Q1", "-1", "", "", "", ""]])
    summary, _record = actions.import_file(csco_danang, "bad.csv", data, city=kit["danang"], commit=True)
    assert not summary.committed and summary.error_count == 1
    assert Observation.objects.count() == 0


def test_commit_then_same_file_again_is_unchanged(kit, csco_danang):
    data = as_csv([["da-nang", kit["pct"], "2025", "", "3", "4", "Household survey", ""],
                   ["da-nang", kit["count"], "2025", "12", "", "", "", "first count"],
                   ["da-nang", kit["count"], "2025-Q1", "3", "", "", "", ""]])
    first, _r = actions.import_file(csco_danang, "ok.csv", data, city=kit["danang"], commit=True)
    assert first.committed and (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert stored() == sorted([("da-nang", kit["count"], "2025", 12.0, "reported"),
                               ("da-nang", kit["count"], "2025-Q1", 3.0, "reported"),
                               ("da-nang", kit["pct"], "2025", 75.0, "reported")])  # 3 / 4 as a percentage
    obs = Observation.objects.get(indicator__code=kit["pct"])
    assert (obs.year, obs.numerator, obs.denominator, obs.source, obs.author) == (2025, 3.0, 4.0,
                                                                                  "Household survey", csco_danang)
    again, _r = actions.import_file(csco_danang, "ok.csv", data, city=kit["danang"], commit=True)
    assert again.committed and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Observation.objects.count() == 3


def test_text_with_tabs_newlines_and_backslashes_is_stored_as_typed(kit, csco_danang):
    source = "Bureau\\Stats\tannex \u0110\u00e0 N\u1eb5ng \\N"
    comment = "line one\nline two\r\nend \\."
    data = as_csv([["da-nang", kit["count"], "2025", "12.5", "", "", source, comment]])
    summary, _r = actions.import_file(csco_danang, "text.csv", data, city=kit["danang"], commit=True)
    assert summary.committed and summary.created == 1
    obs = Observation.objects.get()
    assert (obs.source, obs.comment, obs.value, obs.numerator, obs.flags) == (source, comment, 12.5, None, [])


def test_columns_with_one_value_in_every_row_are_stored_on_every_row(kit, csco_danang):
    data = as_csv([["da-nang", kit["count"], period, value, "", "", "Statistics office", ""]
                   for period, value in (("2025", "12"), ("2025-Q1", "3"), ("2025-Q2", "4"))])
    summary, _r = actions.import_file(csco_danang, "same.csv", data, city=kit["danang"], commit=True)
    assert summary.committed and summary.created == 3
    assert sorted(Observation.objects.values_list("period", "value", "source", "comment", "numerator", "flags",
                                                  "verification", "author__username")) == [
        ("2025", 12.0, "Statistics office", "", None, [], "reported", "csco-dn"),
        ("2025-Q1", 3.0, "Statistics office", "", None, [], "reported", "csco-dn"),
        ("2025-Q2", 4.0, "Statistics office", "", None, [], "reported", "csco-dn")]


def test_a_large_first_load_rebuilds_the_period_index_and_keeps_it(kit, csco_danang, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(actions, "REBUILD_INDEX_MIN_ROWS", 2)
    data = as_csv([["da-nang", kit["count"], "2025", "12", "", "", "", ""],
                   ["da-nang", kit["count"], "2025-Q1", "3", "", "", "", ""]])
    summary, _r = actions.import_file(csco_danang, "big.csv", data, city=kit["danang"], commit=True)
    assert summary.committed and summary.created == 2
    assert stored() == [("da-nang", kit["count"], "2025", 12.0, "reported"),
                        ("da-nang", kit["count"], "2025-Q1", 3.0, "reported")]
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Observation._meta.db_table)
    assert indexes["observation_indicator_idx"]["columns"] == ["indicator_id", "period"]


def test_import_pages_dry_run_then_commit_from_the_kept_file(kit, csco_danang):
    client = logged_in(csco_danang)
    upload = io.BytesIO(as_csv([["", kit["pct"], "2025", "81", "", "", "", ""]]))
    upload.name = "figures.csv"
    response = client.post("/monitoring/cities/da-nang/data/import/", {"file": upload})
    record = ObservationImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/monitoring/cities/da-nang/data/import/{record.pk}/"
    page = client.get(response["Location"])
    assert b'data-testid="created">1<' in page.content and b"Import now" in page.content
    assert Observation.objects.count() == 0
    client.post(response["Location"])
    record.refresh_from_db()
    assert record.committed_at is not None and record.summary["created"] == 1
    assert stored() == [("da-nang", kit["pct"], "2025", 81.0, "reported")]
    kept = client.get(f"/monitoring/cities/da-nang/data/import/{record.pk}/file/")
    assert b"".join(kept.streaming_content) == upload.getvalue()
    again = client.post(response["Location"])  # a second commit of the same upload is refused
    assert again.status_code == 302 and Observation.objects.count() == 1


# --- Closed and locked periods, permissions ---------------------------------------------------------------


@pytest.mark.parametrize("state,reason", [
    ("accepted", "2025 is not open: Da Nang's 2025 report is accepted; the Secretariat must reopen it first"),
    ("submitted", "2025 is not open: Da Nang's 2025 report is submitted; it must be returned to the city before "
                  "its figures change"),
])
def test_locked_report_refuses_writes_with_the_reason(kit, csco_danang, state, reason):
    CityReport.objects.create(round=ReportingRound.objects.get(year=2025), city=kit["danang"], state=state)
    summary, _r = actions.import_file(csco_danang, "x.csv", as_csv([["da-nang", kit["pct"], "2025", "70", "", "", "",
                                                                      ""]]), city=kit["danang"], commit=True)
    assert [(e["row"], e["column"], e["reason"]) for e in summary.errors] == [(2, "period", reason)]
    assert Observation.objects.count() == 0
    assert actions.open_years(kit["danang"]) == []


def test_returned_report_is_open_again(kit, csco_danang):
    CityReport.objects.create(round=ReportingRound.objects.get(year=2025), city=kit["danang"], state="returned")
    assert actions.open_years(kit["danang"]) == [2025]


def test_other_citys_officer_is_refused_and_nothing_changes(kit):
    officer = make_user("csco-hn", Role.CITY_OFFICER, city="ha-noi")
    client = logged_in(officer)
    upload = io.BytesIO(as_csv([["da-nang", kit["pct"], "2025", "70", "", "", "", ""]]))
    upload.name = "x.csv"
    assert client.post("/monitoring/cities/da-nang/data/import/", {"file": upload}).status_code == 403
    assert ObservationImport.objects.count() == 0
    summary, _r = actions.import_file(officer, "x.csv", upload.getvalue(), commit=True)
    assert [(e["row"], e["column"], e["reason"]) for e in summary.errors] == [
        (2, "city", "you may not record figures for Da Nang")]
    assert Observation.objects.count() == 0


def test_rows_of_another_city_on_a_citys_import_page_are_refused(kit, secretariat):
    summary, _r = actions.import_file(secretariat, "x.csv", as_csv([["ha-noi", kit["pct"], "2025", "70", "", "", "",
                                                                     ""]]), city=kit["danang"], commit=False)
    assert [(e["row"], e["column"], e["reason"]) for e in summary.errors] == [
        (2, "city", '"ha-noi" is not Da Nang: this page imports Da Nang\'s figures only'),
        (2, "indicator_code", f'"{kit["pct"]}" is not assigned to Ha Noi; assign it on the city\'s data page first')]


def test_file_problems_are_reported_whole(kit, csco_danang):
    summary, record = actions.import_file(csco_danang, "x.csv", b"indicator_code,value\nA,1\n", city=kit["danang"],
                                          commit=False)
    assert summary.problem == "Missing columns: period. The template lists every column."
    assert record.summary["problem"] == summary.problem
    summary, _r = actions.import_file(csco_danang, "x.csv", b"indicator_code,period,value,colour\n",
                                      city=kit["danang"], commit=False)
    assert summary.problem.startswith("Unknown columns: colour. Allowed: city, indicator_code,")


# --- Flags ---------------------------------------------------------------------------------------------------


def test_outliers_against_history_and_peers_are_flagged_not_refused(kit, csco_danang, secretariat):
    count = Indicator.objects.get(code=kit["count"])
    pct = Indicator.objects.get(code=kit["pct"])
    for year, value in ((2021, 100), (2022, 102), (2023, 98), (2024, 101)):
        Observation.objects.create(city=kit["danang"], indicator=count, period=str(year), year=year, value=value)
    for slug, value in (("ha-noi", 50), ("bangkok", 52), ("phuket", 49), ("yangon", 51), ("manila", 50)):
        Observation.objects.create(city=City.objects.get(slug=slug), indicator=pct, period="2025", year=2025,
                                   value=value)
    data = as_csv([["da-nang", kit["count"], "2025", "500", "", "", "", ""],
                   ["da-nang", kit["pct"], "2025", "99", "", "", "", ""]])
    summary, _r = actions.import_file(csco_danang, "x.csv", data, city=kit["danang"], commit=True)
    assert summary.committed and summary.flag_counts == {"outlier_history": 1, "outlier_peers": 1}
    assert [(f["row"], f["code"], f["detail"]) for f in summary.flags] == [
        (2, "outlier_history", "The value 500 is far from this city's earlier values (median 100.5 over 4 periods, "
                               "robust z-score 53.6)."),
        (3, "outlier_peers", "The value 99 is far from other cities' values for 2025 (median 50.5 over 6 cities, "
                             "robust z-score 13.0)."),
    ]
    flagged = Observation.objects.get(city=kit["danang"], indicator=count, period="2025")
    assert flagged.flags == [{"code": "outlier_history",
                              "params": {"value": "500", "median": "100.5", "count": "4", "z": "53.6"},
                              "detail": "The value 500 is far from this city's earlier values (median 100.5 over 4 "
                                        "periods, robust z-score 53.6)."}]


def test_large_csv_is_read_beyond_the_projects_reader_limit(kit, secretariat, monkeypatch):
    from ascn.plans import importing as plans_importing

    monkeypatch.setattr(plans_importing, "MAX_BYTES", 100)
    data = as_csv([["da-nang", kit["count"], f"2025-{m:02d}", str(m), "", "", "", ""] for m in range(1, 13)])
    assert len(data) > 100
    summary, _r = actions.import_file(secretariat, "big.csv", data, commit=False)
    assert (summary.created, summary.error_count, summary.problem) == (12, 0, "")
