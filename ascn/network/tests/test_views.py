"""Public pages and the city editing page of the workspace (the standard list, detail and edit tests of
cities and countries are declared in test_standard.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ascn.network.models import City

pytestmark = pytest.mark.django_db


def test_home_shows_the_network_at_a_glance(client):
    response = client.get("/")
    assert response.status_code == 200
    glance = response.context["glance"]
    assert (glance.country_count, glance.city_count, glance.pilot_count) == (11, 38, 26)
    assert len(response.context["map_points"]) == 38
    html = response.content.decode()
    assert 'data-testid="city-count">38<' in html
    assert "asean-outline.geojson" in html
    assert "vendor/leaflet/leaflet.js" in html


def test_cities_page_filters(client):
    filtered = client.get("/cities/?country=THA&as_of=2020-01-01")
    assert [c.slug for c in filtered.context["page"]] == ["bangkok", "chonburi", "phuket"]
    assert [c.slug for c in client.get("/cities/?joined_year=2025").context["page"]] == [
        "cauayan-city", "denpasar", "ipoh", "putrajaya", "seberang-perai", "semarang"]
    assert [c.slug for c in client.get("/cities/?q=Đà Nẵng").context["page"]] == ["da-nang"]


def test_cities_page_explains_bad_filters_and_empty_results(client):
    bad = client.get("/cities/?as_of=2017-05-01")
    assert "The network was founded in 2018; choose a date from 2018 on." in bad.content.decode()
    assert bad.context["page"].paginator.count == 38
    empty = client.get("/cities/?q=atlantis")
    assert "No city matches these filters." in empty.content.decode()


def test_cities_page_htmx_returns_only_the_results(client):
    response = client.get("/cities/?country=VNM", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html
    assert "Da Nang" in html and "Bangkok" not in html


def test_chairs_and_home_use_few_queries(client):
    counts = []
    for path in ["/chairs/", "/"]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        counts.append(len(ctx))
    assert max(counts) <= 10, counts


def test_city_profile(client):
    response = client.get("/cities/bandar-seri-begawan/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Head of Smart Nation Office" in html
    assert "Chief Smart City Officer (alternate)" in html
    assert response.context["member_today"] is True
    assert client.get("/cities/atlantis/").status_code == 404


def test_country_page_and_chairs_and_framework(client):
    vietnam = client.get("/countries/VNM/")
    assert [c.slug for c, _member in vietnam.context["cities"]] == ["da-nang", "ha-noi", "ho-chi-minh-city"]
    assert "Ministry of Construction" in vietnam.content.decode()
    assert [r.chairmanship.year for r in vietnam.context["chair_years"]] == [2020]
    indonesia = client.get("/countries/idn/")
    assert [t.planned_end_year for t in indonesia.context["shepherd_terms"]] == [2025, 2027]
    assert client.get("/countries/XXX/").status_code == 404
    chairs = client.get("/chairs/")
    assert [r.chairmanship.country.iso3 for r in chairs.context["timeline"]] == [
        "SGP", "THA", "VNM", "BRN", "KHM", "IDN", "LAO", "MYS", "PHL"]
    framework = client.get("/framework/").context["framework"]
    assert [n.code for n in framework.focus_areas] == [
        "civic_social", "health_wellbeing", "safety_security", "quality_environment", "built_infrastructure",
        "industry_innovation"]
    assert [t.name for t in framework.focus_areas[5].children.all()] == [
        "Business & Entrepreneurship", "Trade & Commerce", "Upskilling", "Research", "Technology Incubation"]


def test_contacts_only_for_network_members(client, csco_danang, partner_jica):
    person = City.objects.get(slug="ha-noi").role_terms.get().person
    person.email = "hanoi-csco@example.invalid"
    person.save()
    assert "hanoi-csco@example.invalid" not in client.get("/cities/ha-noi/").content.decode()
    client.force_login(partner_jica)
    assert "hanoi-csco@example.invalid" not in client.get("/cities/ha-noi/").content.decode()
    client.force_login(csco_danang)
    assert "hanoi-csco@example.invalid" in client.get("/cities/ha-noi/").content.decode()


def test_city_page_offers_editing_only_where_the_officer_may_edit(client, csco_danang):
    client.force_login(csco_danang)
    assert client.get("/cities/da-nang/").context["can_edit"] is True
    assert client.get("/cities/ha-noi/").context["can_edit"] is False


def test_city_edit_form_shows_the_aliases_as_one_text(client, nr_vietnam):
    client.force_login(nr_vietnam)
    assert client.get("/cities/ho-chi-minh-city/edit/").context["form"].initial["aliases"] == "HCMC; Saigon"


def test_city_edit_inline_validation_writes_nothing(client, csco_danang):
    client.force_login(csco_danang)
    data = {"name": "Da Nang", "local_name": "Đà Nẵng", "aliases": "Danang", "latitude": "123", "longitude": "108",
            "source": "x", "_validate": "1"}
    response = client.post("/cities/da-nang/edit/", data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="city-form"')
    assert "Ensure this value is less than or equal to 90." in html
    ok = client.post("/cities/da-nang/edit/", {**data, "latitude": "16"}, headers={"HX-Request": "true"})
    assert ok.status_code == 200
    assert str(City.objects.get(slug="da-nang").latitude) == "16.0544"


def test_login_logout_and_dashboard(client, nr_vietnam):
    assert client.get("/workspace/").status_code == 302
    wrong = client.post("/accounts/login/", {"username": "nr-vn", "password": "nope"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    response = client.post("/accounts/login/", {"username": "nr-vn", "password": "pw-nr-vn"})
    assert response.status_code == 302
    dashboard = client.get("/workspace/")
    assert [c.slug for c in dashboard.context["editable_cities"]] == ["da-nang", "ha-noi", "ho-chi-minh-city"]
    assert "National Representative" in dashboard.content.decode()
    client.post("/accounts/logout/")
    assert client.get("/workspace/").status_code == 302


def test_back_office_is_for_the_secretariat_only(client, secretariat, nr_vietnam):
    client.force_login(nr_vietnam)
    assert client.get("/admin/").status_code == 302
    client.force_login(secretariat)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/network/city/").status_code == 200


def test_languages(client):
    vi = client.get("/vi/cities/")
    assert vi.status_code == 200
    assert vi.context["LANGUAGE_CODE"] == "vi"
    assert 'href="/th/cities/"' in vi.content.decode()
    assert client.get("/th/countries/").context["LANGUAGE_CODE"] == "th"
    assert client.get("/vi/countries/").context["countries"][10].display_name == "Việt Nam"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
