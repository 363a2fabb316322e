"""City data pages, baselines and targets, verification and the observations API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ascn.core.choices import Role
from ascn.core.models import AuditEntry
from ascn.monitoring.actions import observations as actions
from ascn.monitoring.choices import Verification
from ascn.monitoring.models import CityIndicator, Indicator, Observation, ReportingRound, Target
from ascn.monitoring.queries import dashboard
from ascn.network.models import City
from conftest import make_user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence files and kept uploads go under pytest's temporary directory, never in the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def kit(db, secretariat):
    danang = City.objects.get(slug="da-nang")
    round_2025 = ReportingRound.objects.get(year=2025)
    round_2025.closes_on = None
    round_2025.save()
    round_2025.cities.add(danang, City.objects.get(slug="ha-noi"), City.objects.get(slug="bangkok"))
    pct, count, other = Indicator.objects.filter(family="u4ssc").order_by("code")[:3]
    Indicator.objects.filter(pk=pct.pk).update(unit="%", multiplier=100)
    Indicator.objects.filter(pk=count.pk).update(unit="buildings", multiplier=None)
    pct.refresh_from_db()
    count.refresh_from_db()
    a_pct = actions.assign_indicator(secretariat, danang, pct, {"baseline_value": 60.0, "baseline_year": 2020})
    actions.set_target(secretariat, a_pct, 2025, 80.0)
    actions.set_target(secretariat, a_pct, 2030, 95.0)
    a_count = actions.assign_indicator(secretariat, danang, count)
    return {"danang": danang, "pct": pct, "count": count, "other": other, "a_pct": a_pct, "a_count": a_count}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def observation(city, indicator, period, value, **extra) -> Observation:
    return Observation.objects.create(city=city, indicator=indicator, period=period, year=int(period[:4]),
                                      value=value, **extra)


# --- The city's data page -------------------------------------------------------------------------------


def test_city_data_shows_baseline_latest_target_and_flags(kit, csco_danang):
    observation(kit["danang"], kit["pct"], "2025-Q1", 70)
    observation(kit["danang"], kit["pct"], "2025", 72.5, flags=[{"code": "outlier_peers", "params": {
        "value": "72.5", "period": "2025", "median": "40", "count": "6", "z": "9.9"}, "detail": "x"}])
    response = logged_in(csco_danang).get("/monitoring/cities/da-nang/data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "60 (2020)" in html and "72.5 (2025)" in html and "80 (2025)" in html  # baseline, latest, target
    assert "7.5" in html  # to target
    assert ("The value 72.5 is far from other cities&#x27; values for 2025 (median 40 over 6 cities, robust "
            "z-score 9.9).") in html
    assert 'id="entry-form"' in html and "Open for entry: 2025." in html
    assert response.context["rows"][0].latest.period == "2025"


def test_city_data_query_count_does_not_grow_with_assignments(kit, csco_danang, secretariat):
    client = logged_in(csco_danang)
    client.get("/monitoring/cities/da-nang/data/")
    with CaptureQueriesContext(connection) as few:
        client.get("/monitoring/cities/da-nang/data/")
    for indicator in Indicator.objects.filter(family="u4ssc").order_by("code")[3:8]:
        a = actions.assign_indicator(secretariat, kit["danang"], indicator)
        actions.set_target(secretariat, a, 2026, 5.0)
        observation(kit["danang"], indicator, "2025", 3)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/monitoring/cities/da-nang/data/")
    assert len(response.context["rows"]) == 7
    assert len(many) == len(few)


def test_entry_form_saves_and_inline_check_shows_problems_and_flags(kit, csco_danang):
    client = logged_in(csco_danang)
    check = client.post("/monitoring/cities/da-nang/data/", {"_validate": "1", "indicator": kit["pct"].code,
                                                              "period": "2025", "value": "60", "numerator": "3",
                                                              "denominator": "4"}, headers={"HX-Request": "true"})
    assert check.status_code == 422
    assert ("60 does not match the numerator and the denominator: 3 / 4 x 100 = 75. Leave the value empty to have it "
            "computed, or correct the figures") in check.content.decode()
    assert Observation.objects.count() == 0
    preview = client.post("/monitoring/cities/da-nang/data/", {"_validate": "1", "indicator": kit["pct"].code,
                                                                "period": "2025", "value": "101"},
                          headers={"HX-Request": "true"})
    assert preview.status_code == 200
    assert ("The value 101 is above 100, the most a percentage reaches unless its definition allows more."
            in preview.content.decode())
    assert Observation.objects.count() == 0
    saved = client.post("/monitoring/cities/da-nang/data/", {"indicator": kit["pct"].code, "period": "2025",
                                                              "value": "75", "source": "Survey",
                                                              "evidence_url": "https://example.org/report.pdf"})
    assert saved.status_code == 302
    obs = Observation.objects.get()
    assert (obs.period, obs.year, obs.value, obs.source, obs.evidence_url, obs.verification, obs.author) == (
        "2025", 2025, 75.0, "Survey", "https://example.org/report.pdf", "reported", csco_danang)
    entry = AuditEntry.objects.filter(object_id=str(kit["danang"].pk), object_repr="Da Nang: observations").get()
    assert entry.changes == {"source": [None, "web"], "created": [None, 1], "updated": [None, 0]}


def test_entry_form_keeps_an_evidence_file(kit, csco_danang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = logged_in(csco_danang)
    client.post("/monitoring/cities/da-nang/data/", {"indicator": kit["count"].code, "period": "2025", "value": "4",
                                                     "evidence_file": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4")})
    obs = Observation.objects.get()
    assert obs.evidence_file.name.startswith("evidence/") and obs.evidence_file.read() == b"%PDF-1.4"


def test_the_evidence_file_is_served_only_to_those_who_see_the_value(kit, csco_danang, nr_thailand):
    from django.core.files.uploadedfile import SimpleUploadedFile

    logged_in(csco_danang).post("/monitoring/cities/da-nang/data/", {
        "indicator": kit["count"].code, "period": "2025", "value": "4",
        "evidence_file": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes")})
    obs = Observation.objects.get()
    url = f"/monitoring/observations/{obs.pk}/evidence/"
    page = logged_in(csco_danang).get(f"/monitoring/cities/da-nang/data/indicators/{kit['a_count'].pk}/")
    assert f'href="{url}"' in page.content.decode()
    response = logged_in(csco_danang).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 minutes"
    assert response["Content-Security-Policy"] == "sandbox"
    Indicator.objects.filter(pk=kit["count"].pk).update(is_published=False)
    assert Client().get(url).status_code == 404  # the public sees observations of published indicators only
    assert logged_in(nr_thailand).get(url).status_code == 404
    assert logged_in(csco_danang).get(url).status_code == 200


def test_a_value_entered_by_mistake_is_deleted_while_its_period_is_open(kit, csco_danang, nr_vietnam):
    from ascn.monitoring.models import CityReport

    wrong = observation(kit["danang"], kit["count"], "2025", 40)
    assert logged_in(nr_vietnam).post(f"/monitoring/observations/{wrong.pk}/delete/").status_code == 403
    assert Observation.objects.filter(pk=wrong.pk).exists()
    report = CityReport.objects.create(round=ReportingRound.objects.get(year=2025), city=kit["danang"],
                                       state="submitted")
    response = logged_in(csco_danang).post(f"/monitoring/observations/{wrong.pk}/delete/", follow=True)
    assert "This value cannot be deleted: Da Nang&#x27;s 2025 report is submitted" in response.content.decode()
    assert Observation.objects.filter(pk=wrong.pk).exists()
    CityReport.objects.filter(pk=report.pk).update(state="returned")
    response = logged_in(csco_danang).post(f"/monitoring/observations/{wrong.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/cities/da-nang/data/indicators/{kit['a_count'].pk}/"
    assert not Observation.objects.filter(pk=wrong.pk).exists()
    entry = AuditEntry.objects.filter(action="delete", object_id=str(wrong.pk)).get()
    assert entry.changes["value"] == [40.0, None] and entry.via == "web"


def test_national_representative_reads_but_cannot_write(kit, nr_vietnam):
    observation(kit["danang"], kit["pct"], "2025", 70)
    client = logged_in(nr_vietnam)
    page = client.get("/monitoring/cities/da-nang/data/")
    assert page.status_code == 200 and 'id="entry-form"' not in page.content.decode()
    refused = client.post("/monitoring/cities/da-nang/data/", {"indicator": kit["pct"].code, "period": "2025",
                                                                "value": "10"})
    assert refused.status_code == 403
    assert list(Observation.objects.values_list("value", flat=True)) == [70.0]


def test_other_city_officer_cannot_write_da_nang(kit):
    officer = make_user("csco-hn", Role.CITY_OFFICER, city="ha-noi")
    response = logged_in(officer).post("/monitoring/cities/da-nang/data/", {"indicator": kit["pct"].code,
                                                                            "period": "2025", "value": "10"})
    assert response.status_code == 403 and Observation.objects.count() == 0


# --- Assignments, baselines and targets -------------------------------------------------------------------


def test_city_officer_assigns_an_indicator_and_sets_baseline_and_targets(kit, csco_danang):
    client = logged_in(csco_danang)
    response = client.post("/monitoring/cities/da-nang/data/assign/", {"indicator": kit["other"].code,
                                                                         "baseline_value": "12",
                                                                         "baseline_year": "2019"})
    assert response.status_code == 302
    item = CityIndicator.objects.get(city=kit["danang"], indicator=kit["other"])
    assert (item.baseline_value, item.baseline_year) == (12.0, 2019)
    url = f"/monitoring/cities/da-nang/data/indicators/{item.pk}/"
    client.post(url, {"baseline-baseline_value": "14", "baseline-baseline_year": "2020", "baseline-notes": "census"})
    client.post(url, {"target-year": "2030", "target-value": "30"})
    client.post(url, {"target-year": "2030", "target-value": "25"})  # same year: changes the value
    item.refresh_from_db()
    assert (item.baseline_value, item.baseline_year, item.notes) == (14.0, 2020, "census")
    assert list(item.targets.values_list("year", "value")) == [(2030, 25.0)]
    bad = client.post(url, {"baseline-baseline_value": "14", "baseline-baseline_year": "", "baseline-notes": ""})
    assert bad.status_code == 422 and "Give the baseline value and its year together." in bad.content.decode()


def test_percentage_target_above_100_is_refused(kit, csco_danang):
    response = logged_in(csco_danang).post(f"/monitoring/cities/da-nang/data/indicators/{kit['a_pct'].pk}/",
                                           {"target-year": "2035", "target-value": "120"})
    assert response.status_code == 422 and "120 is not a percentage between 0 and 100" in response.content.decode()
    assert list(kit["a_pct"].targets.values_list("year", flat=True)) == [2025, 2030]


def test_nr_cannot_assign_or_change_targets(kit, nr_vietnam):
    client = logged_in(nr_vietnam)
    assert client.post("/monitoring/cities/da-nang/data/assign/", {"indicator": kit["other"].code}).status_code == 403
    assert client.post(f"/monitoring/cities/da-nang/data/indicators/{kit['a_pct'].pk}/",
                       {"target-year": "2035", "target-value": "1"}).status_code == 403
    assert CityIndicator.objects.filter(city=kit["danang"]).count() == 2
    assert Target.objects.filter(assignment=kit["a_pct"]).count() == 2


# --- Verification and the review queue -----------------------------------------------------------------------


def test_secretariat_verifies_and_queries_from_the_review_page(kit, secretariat):
    flagged = observation(kit["danang"], kit["pct"], "2025", 70, flags=[{"code": "ratio_mismatch", "params": {
        "value": "70", "expected": "75"}, "detail": "The value 70 does not match numerator / denominator, which gives "
                                                    "75."}])
    plain = observation(kit["danang"], kit["count"], "2025", 3)
    client = logged_in(secretariat)
    page = client.get("/monitoring/observations/review/")
    assert page.status_code == 200 and [line["obs"].pk for line in page.context["lines"]] == [flagged.pk, plain.pk]
    assert client.get("/monitoring/observations/review/?state=flagged").context["page"].paginator.count == 1
    row = client.post(f"/monitoring/observations/{flagged.pk}/verification/", {"verification": "verified"},
                      headers={"HX-Request": "true"})
    assert row.status_code == 200 and "Verified" in row.content.decode()
    missing = client.post(f"/monitoring/observations/{plain.pk}/verification/", {"verification": "queried"},
                          headers={"HX-Request": "true"})
    assert missing.status_code == 422 and "Say what is wrong or missing" in missing.content.decode()
    client.post(f"/monitoring/observations/{plain.pk}/verification/", {"verification": "queried",
                                                                        "comment": "Source missing"})
    plain.refresh_from_db()
    flagged.refresh_from_db()
    assert flagged.verification == "verified"
    assert plain.verification == "queried"
    assert plain.flags == [{"code": "queried", "params": {"comment": "Source missing"},
                            "detail": "Queried by the reviewer: Source missing"}]


def test_a_queried_value_answered_by_the_city_is_reported_again(kit, csco_danang, secretariat):
    actions.record_observation(csco_danang, kit["danang"], {"indicator": kit["count"].code, "period": "2025",
                                                            "value": 3})
    obs = Observation.objects.get()
    actions.set_verification(secretariat, obs, "queried", "Which source?")
    actions.record_observation(csco_danang, kit["danang"], {"indicator": kit["count"].code, "period": "2025",
                                                            "value": 3, "source": "Statistics office"})
    obs.refresh_from_db()
    assert (obs.verification, obs.flags, obs.source) == ("reported", [], "Statistics office")


def test_nr_verifies_own_country_only(kit, nr_vietnam, nr_thailand):
    obs = observation(kit["danang"], kit["count"], "2025", 3)
    with pytest.raises(PermissionDenied):
        actions.set_verification(nr_thailand, obs, "verified")
    obs.refresh_from_db()
    assert obs.verification == "reported"
    actions.set_verification(nr_vietnam, obs, "verified")
    obs.refresh_from_db()
    assert obs.verification == "verified"


def test_the_review_queue_holds_what_the_reviewer_may_verify_and_the_dashboard_counts_it(kit, secretariat,
                                                                                          nr_vietnam, nr_thailand):
    bangkok = City.objects.get(slug="bangkok")
    danang = observation(kit["danang"], kit["count"], "2025", 3)
    flagged = observation(kit["danang"], kit["pct"], "2025", 70, flags=[{"code": "outlier_peers", "params": {}}])
    thai = observation(bangkok, kit["count"], "2025", 5)
    thai_flagged = observation(bangkok, kit["pct"], "2025", 99, flags=[{"code": "outlier_peers", "params": {}}])
    verified = observation(bangkok, kit["other"], "2025", 1, verification=Verification.VERIFIED)
    queues = {"secretariat": (secretariat, {danang.pk, flagged.pk, thai.pk, thai_flagged.pk},
                              {flagged.pk, thai_flagged.pk}),
              "nr_vietnam": (nr_vietnam, {danang.pk, flagged.pk}, {flagged.pk}),
              "nr_thailand": (nr_thailand, {thai.pk, thai_flagged.pk}, {thai_flagged.pk})}
    for who, (user, open_values, flagged_values) in queues.items():
        client = logged_in(user)
        listed = {line["obs"].pk for line in client.get("/monitoring/observations/review/").context["lines"]}
        assert listed == open_values, who
        only_flagged = client.get("/monitoring/observations/review/?state=flagged").context["lines"]
        assert {line["obs"].pk for line in only_flagged} == flagged_values, who
        # Every state: the verified values too, of the cities the reviewer verifies only.
        every = {line["obs"].pk for line in client.get("/monitoring/observations/review/?state=all").context["lines"]}
        assert every == open_values | ({verified.pk} if who != "nr_vietnam" else set()), who
        # The dashboard counts what the page lists, and every value listed is one the reviewer may verify.
        review = dashboard.review(user)
        assert (review.open, review.flagged) == (len(open_values), len(flagged_values)), who
        assert all(actions.may_verify(user, o) for o in Observation.objects.filter(pk__in=open_values)), who
        others = Observation.objects.exclude(pk__in=open_values).exclude(verification=Verification.VERIFIED)
        assert not any(actions.may_verify(user, o) for o in others), who


def test_review_page_refused_to_city_officers(kit, csco_danang):
    assert logged_in(csco_danang).get("/monitoring/observations/review/").status_code == 403


# --- API ------------------------------------------------------------------------------------------------------


def test_api_bulk_dry_run_then_commit_then_again(kit, csco_danang, api_as):
    client = api_as(csco_danang)
    rows = [{"city": "da-nang", "indicator": kit["pct"].code, "period": "2025", "value": 75},
            {"city": "da-nang", "indicator": kit["count"].code, "period": "2025-Q1", "value": "12",
             "source": "Register"}]
    dry = client.post("/monitoring/observations/bulk?dry_run=true", {"rows": rows})
    assert dry.status_code == 200
    assert dry.json() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "blank": 0, "errors": [],
                          "error_count": 0, "flags": [], "flag_count": 0, "flag_counts": {}, "problem": "",
                          "committed": False, "import_id": None}
    assert Observation.objects.count() == 0
    done = client.post("/monitoring/observations/bulk?dry_run=false", {"rows": rows})
    assert done.status_code == 200 and done.json()["committed"] is True and done.json()["created"] == 2
    assert done.json()["import_id"] is not None
    again = client.post("/monitoring/observations/bulk?dry_run=false", {"rows": rows})
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 2)
    assert Observation.objects.count() == 2


def test_api_bulk_commit_with_a_bad_row_writes_nothing(kit, csco_danang, api_as):
    rows = [{"city": "da-nang", "indicator": kit["pct"].code, "period": "2025", "value": 75},
            {"city": "da-nang", "indicator": kit["pct"].code, "period": "2025-Q1", "value": 0.75, "numerator": 3,
             "denominator": 4}]
    response = api_as(csco_danang).post("/monitoring/observations/bulk?dry_run=false", {"rows": rows})
    assert response.status_code == 422
    assert response.json()["errors"] == [{
        "row": 2, "column": "value", "code": "ratio_mismatch",
        "reason": "0.75 does not match the numerator and the denominator: 3 / 4 x 100 = 75. Leave the value empty to "
                  "have it computed, or correct the figures"}]
    assert Observation.objects.count() == 0


def test_api_bulk_needs_a_token(kit, api):
    assert api.post("/monitoring/observations/bulk?dry_run=true", {"rows": []}).status_code == 401


def test_api_list_filters_and_constant_query_count(kit, api):
    for city, value in (("da-nang", 1), ("ha-noi", 2)):
        observation(City.objects.get(slug=city), kit["pct"], "2025", value)
    response = api.get(f"/monitoring/observations?city=da-nang&indicator={kit['pct'].code}")
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["value"] == 1.0 and body["items"][0]["city"] == "da-nang"
    with CaptureQueriesContext(connection) as few:
        api.get("/monitoring/observations?year=2025")
    for slug in ("bangkok", "phuket", "yangon", "manila"):
        observation(City.objects.get(slug=slug), kit["count"], "2025", 9)
    with CaptureQueriesContext(connection) as many:
        body = api.get("/monitoring/observations?year=2025").json()
    assert body["count"] == 6 and len(many) == len(few)


def test_api_public_sees_only_published_indicators(kit, api):
    observation(kit["danang"], kit["pct"], "2025", 1)
    Indicator.objects.filter(pk=kit["pct"].pk).update(is_published=False)
    assert api.get("/monitoring/observations").json()["count"] == 0


def test_api_verification_by_secretariat_and_refusal_for_city(kit, secretariat, csco_danang, api_as):
    obs = observation(kit["danang"], kit["count"], "2025", 3)
    refused = api_as(csco_danang).patch(f"/monitoring/observations/{obs.pk}/verification",
                                        {"verification": "verified"})
    assert refused.status_code == 403
    obs.refresh_from_db()
    assert obs.verification == "reported"
    response = api_as(secretariat).patch(f"/monitoring/observations/{obs.pk}/verification",
                                         {"verification": "queried", "comment": "Unit?"})
    assert response.status_code == 200
    assert response.json()["verification"] == "queried"
    assert response.json()["flags"] == [{"code": "queried", "params": {"comment": "Unit?"},
                                         "detail": "Queried by the reviewer: Unit?"}]


def test_api_assignments_get_and_put(kit, csco_danang, nr_vietnam, api_as, api):
    listed = api.get("/monitoring/cities/da-nang/indicators").json()
    assert listed["count"] == 2
    assert listed["items"][0] == {"indicator": kit["pct"].code, "name": kit["pct"].name, "unit": "%",
                                  "baseline_value": 60.0, "baseline_year": 2020, "notes": "",
                                  "targets": [{"year": 2025, "value": 80.0}, {"year": 2030, "value": 95.0}],
                                  "synthetic": False}
    payload = {"items": [{"indicator": kit["other"].code, "baseline_value": 5, "baseline_year": 2021,
                          "targets": [{"year": 2030, "value": 10}]},
                         {"indicator": kit["pct"].code, "baseline_value": 61, "baseline_year": 2020}]}
    assert api_as(nr_vietnam).put("/monitoring/cities/da-nang/indicators", payload).status_code == 403
    assert CityIndicator.objects.filter(city=kit["danang"]).count() == 2
    response = api_as(csco_danang).put("/monitoring/cities/da-nang/indicators", payload)
    assert response.status_code == 200
    assert sorted((i["indicator"], i["baseline_value"], len(i["targets"])) for i in response.json()) == sorted([
        (kit["other"].code, 5.0, 1), (kit["pct"].code, 61.0, 2)])
    targets = api_as(csco_danang).put(f"/monitoring/cities/da-nang/indicators/{kit['pct'].code}/targets",
                                      {"targets": [{"year": 2030, "value": 90}, {"year": 2028, "value": 85}]})
    assert targets.status_code == 200
    assert targets.json() == [{"year": 2028, "value": 85.0}, {"year": 2030, "value": 90.0}]
    assert list(kit["a_pct"].targets.values_list("year", "value")) == [(2028, 85.0), (2030, 90.0)]
    bad = api_as(csco_danang).put(f"/monitoring/cities/da-nang/indicators/{kit['pct'].code}/targets",
                                  {"targets": [{"year": 2030, "value": 120}]})
    assert bad.status_code == 422 and bad.json()["errors"] == [
        {"field": "value", "message": "120 is not a percentage between 0 and 100"}]
    assert list(kit["a_pct"].targets.values_list("year", "value")) == [(2028, 85.0), (2030, 90.0)]


def test_closed_round_by_date(kit, csco_danang, monkeypatch):
    ReportingRound.objects.filter(year=2025).update(closes_on=dt.date(2025, 12, 31))
    monkeypatch.setattr(actions.timezone, "localdate", lambda: dt.date(2026, 1, 15))
    with pytest.raises(ValidationError) as refused:
        actions.record_observation(csco_danang, kit["danang"], {"indicator": kit["count"].code, "period": "2025",
                                                                "value": 1})
    assert refused.value.message_dict == {"period": ["2025 is not open: the 2025 round closed on 2025-12-31"]}
    assert Observation.objects.count() == 0
    monkeypatch.setattr(actions.timezone, "localdate", lambda: dt.date(2025, 12, 31))
    assert actions.open_years(kit["danang"]) == [2025]


def test_public_reads_published_indicators_only_in_every_language(kit):
    observation(kit["danang"], kit["pct"], "2025", 70)
    Indicator.objects.filter(pk=kit["count"].pk).update(is_published=False)
    client = Client()
    response = client.get("/monitoring/cities/da-nang/data/")
    assert response.status_code == 200
    assert [r.assignment.indicator.code for r in response.context["rows"]] == [kit["pct"].code]
    assert 'id="entry-form"' not in response.content.decode()
    assert client.get("/vi/monitoring/cities/da-nang/data/").status_code == 200
    assert client.get("/monitoring/cities/nowhere/data/").status_code == 404
    assert client.get("/monitoring/observations/review/").status_code == 302  # to the login page


def test_api_deletes_an_observation_and_refuses_other_cities(kit, api_as, csco_danang, nr_vietnam):
    wrong = observation(kit["danang"], kit["count"], "2025", 40)
    assert api_as(nr_vietnam).delete(f"/monitoring/observations/{wrong.pk}").status_code == 403
    assert Observation.objects.filter(pk=wrong.pk).exists()
    assert api_as(csco_danang).delete(f"/monitoring/observations/{wrong.pk}").status_code == 204
    assert not Observation.objects.filter(pk=wrong.pk).exists()
    assert api_as(csco_danang).delete(f"/monitoring/observations/{wrong.pk}").status_code == 404
