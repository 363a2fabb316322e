"""The indicator catalogue (the 91 U4SSC KPIs) and the reporting rounds: seeded, browsable, in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ascn.core.actions import seed_reference_data
from ascn.monitoring.models import Indicator, ReportingRound
from ascn.network.models import City

pytestmark = pytest.mark.django_db


def test_the_u4ssc_catalogue_is_seeded_with_its_structure():
    assert Indicator.objects.filter(family="u4ssc").count() == 91
    first = Indicator.objects.get(code="EC: ICT: ICT: 1C")
    assert (first.name, first.dimension, first.sub_dimension, first.category, first.level) == (
        "Household Internet Access", "Economy", "ICT", "ICT Infrastructure", "core")
    assert Indicator.objects.get(code="EC: ICT: ICT: 3C").sdgs == [5, 9, 17]
    assert set(Indicator.objects.filter(family="u4ssc").values_list("dimension", flat=True)) == {
        "Economy", "Environment", "Society and Culture"}
    assert Indicator.objects.filter(level="core").count() + Indicator.objects.filter(level="advanced").count() == 91


def test_the_network_context_indicators_are_seeded_for_normalising():
    population = Indicator.objects.get(code="ASCN-POP")
    area = Indicator.objects.get(code="ASCN-AREA")
    assert (population.family, population.unit, population.aggregation, population.direction) == (
        "ascn", "inhabitants", "sum", "")
    assert (area.name, area.unit, area.aggregation, area.sdgs) == ("Land area", "km2", "sum", [11])


def test_the_2025_round_reports_the_members_of_30_september_2025():
    round_2025 = ReportingRound.objects.get(year=2025)
    assert round_2025.as_of == dt.date(2025, 9, 30)
    assert (round_2025.opens_on, round_2025.closes_on) == (None, None)  # not published
    reporting = set(round_2025.cities.values_list("slug", flat=True))
    assert len(reporting) == 35  # S8: 35 member cities as of September 2025
    assert reporting == set(City.objects.as_of(dt.date(2025, 9, 30)).values_list("slug", flat=True))
    assert not {"denpasar", "semarang", "dili"} & reporting  # they joined after the as-of date


def test_seeding_again_changes_nothing():
    counts = {c.label: c for c in seed_reference_data(("ascn.monitoring.seed",))}
    assert counts["indicators (U4SSC)"].changed == 0 and counts["indicators (U4SSC)"].unchanged == 91
    assert counts["reporting rounds"].changed == 0


def test_an_indicator_checks_its_ratio_and_goals():
    indicator = Indicator(code="ASCN-1", name="Share of services online", family="ascn", numerator="Services online")
    with pytest.raises(ValidationError) as caught:
        indicator.full_clean()
    assert caught.value.message_dict["denominator"] == ["Give the numerator and the denominator together."]
    indicator.denominator, indicator.sdgs = "All services", [18]
    with pytest.raises(ValidationError) as caught:
        indicator.full_clean()
    assert caught.value.message_dict["sdgs"] == ["SDG goals are whole numbers from 1 to 17."]


def test_a_round_checks_its_dates():
    bad = ReportingRound(year=2026, as_of=dt.date(2025, 9, 30), opens_on=dt.date(2026, 7, 1),
                         closes_on=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert set(caught.value.message_dict) == {"as_of", "closes_on"}


def test_the_catalogue_page_filters_and_paginates(client):
    page = client.get("/monitoring/indicators/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "93 indicators" in html and "Page 1 of 4" in html and "Household Internet Access" in html
    assert "35" in html  # the 2025 round's reporting cities
    filtered = client.get("/monitoring/indicators/", {"dimension": "Economy", "level": "core", "q": "broadband"},
                          HTTP_HX_REQUEST="true").content.decode()
    assert "3 indicators" in filtered
    for name in ("Fixed Broadband Subscriptions", "Wireless Broadband Subscriptions", "Wireless Broadband Coverage"):
        assert name in filtered
    assert "No indicator matches" in client.get("/monitoring/indicators/", {"q": "zzz"}).content.decode()


def test_the_indicator_page_and_a_missing_one(client):
    indicator = Indicator.objects.get(code="EC: ICT: ICT: 3C")
    html = client.get(f"/monitoring/indicators/{indicator.pk}/").content.decode()
    assert "Wireless Broadband Subscriptions" in html and "5, 9, 17" in html
    assert "subscriptions per 100,000 inhabitants" in html and "\u00d7 100,000" in html
    assert ('<a href="https://itu.int/en/publications/Documents/tsb/2020-U4SSC-Verification-Report-Karmoy-Norway/'
            'files/basic-html/page14.html" rel="noopener">') in html
    beds = Indicator.objects.get(code="SC: EH: H: 4A")
    html = client.get(f"/monitoring/indicators/{beds.pk}/").content.decode()
    assert ("Total number of in-patient hospital beds (public and private) / City population \u00d7 100,000" in html
            and "Higher is better" in html)
    bare = Indicator.objects.get(code="EC: ICT: ICT: 5A")
    html = client.get(f"/monitoring/indicators/{bare.pk}/").content.decode()
    assert "not defined yet" in html and "values are refused until the ASEAN Secretariat sets the unit" in html
    assert 'data-testid="definition-form"' not in html  # the public reads, the Secretariat edits
    assert client.get("/monitoring/indicators/999999/").status_code == 404


def test_unpublished_indicators_are_hidden_from_the_public(client, secretariat):
    indicator = Indicator.objects.get(code="EC: ICT: ICT: 1C")
    indicator.is_published = False
    indicator.save()
    assert client.get(f"/monitoring/indicators/{indicator.pk}/").status_code == 404
    client.force_login(secretariat)
    assert client.get(f"/monitoring/indicators/{indicator.pk}/").status_code == 200


def test_the_api_lists_indicators_and_rounds(api, django_assert_max_num_queries):
    body = api.get("/monitoring/indicators?dimension=Economy&level=core&q=broadband").json()
    assert body["count"] == 3
    assert [i["code"] for i in body["items"]] == ["EC: ICT: ICT: 2C", "EC: ICT: ICT: 3C", "EC: ICT: ICT: 4C"]
    assert body["items"][1]["sdgs"] == [5, 9, 17] and body["items"][1]["direction"] == ""  # ITU's report: unit only
    one = api.get(f"/monitoring/indicators/{body['items'][0]['id']}").json()
    assert one["name"] == "Fixed Broadband Subscriptions"
    assert (one["unit"], one["multiplier"], one["direction"], one["numerator"], one["denominator"]) == (
        "%", 100.0, "higher", "Number of fixed broadband subscriptions", "Total number of households")
    assert one["definition_source"].endswith("/basic-html/page35.html")
    assert api.get("/monitoring/indicators/999999").status_code == 404
    assert api.get("/monitoring/indicators?family=nope").status_code == 422
    with django_assert_max_num_queries(3):
        rounds = api.get("/monitoring/rounds").json()
    assert rounds["count"] == 5  # 2025, and the rounds before the platform kept for their published figures
    assert rounds["items"][0]["year"] == 2025 and len(rounds["items"][0]["cities"]) == 35
    assert [(r["year"], r["cities"]) for r in rounds["items"][1:]] == [(y, []) for y in (2024, 2023, 2022, 2021)]


def test_the_monitoring_hub_lists_the_rounds_and_the_user_s_work(client, csco_danang, nr_vietnam):
    public = client.get("/monitoring/").content.decode()
    assert "M&amp;E report 2025" in public and 'href="/monitoring/reports/2025/"' in public
    assert 'href="/monitoring/scorecards/"' in public and "Your inbox" not in public
    client.force_login(csco_danang)
    officer = client.get("/monitoring/").content.decode()
    assert "Your inbox" in officer and 'href="/monitoring/cities/da-nang/data/"' in officer
    assert "Review observations" not in officer
    client.force_login(nr_vietnam)
    assert "Review observations" in client.get("/monitoring/").content.decode()
