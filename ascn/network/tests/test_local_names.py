"""A city's local name for readers of its own country's language ("Đà Nẵng" on /vi/), never invented."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils import translation

from ascn.core.forms import label_of
from ascn.network.forms import CityFilterForm, OfficeForm
from ascn.network.models import City, Country, city_name_in

pytestmark = pytest.mark.django_db


def heading_parts(html: str) -> tuple[str, str]:
    """(the h1's text, the name the h1 leads with)."""
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S)[1]
    lead = re.search(r'data-testid="city-name">(.*?)</span>', h1)[1]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", h1))).strip(), unescape(lead)


@pytest.mark.parametrize(("url", "h1", "lead"), [
    ("/vi/cities/da-nang/", "Đà Nẵng Da Nang", "Đà Nẵng"),
    ("/vi/cities/ho-chi-minh-city/", "Thành phố Hồ Chí Minh Ho Chi Minh City", "Thành phố Hồ Chí Minh"),
    ("/cities/da-nang/", "Da Nang Đà Nẵng", "Da Nang"),
    ("/th/cities/da-nang/", "Da Nang Đà Nẵng", "Da Nang"),          # not the Thai reader's language
    ("/th/cities/bangkok/", "กรุงเทพมหานคร Bangkok", "กรุงเทพมหานคร"),
    ("/vi/cities/bangkok/", "Bangkok กรุงเทพมหานคร", "Bangkok"),
    ("/vi/cities/jakarta/", "Jakarta", "Jakarta"),                    # no local name recorded: none invented
])
def test_the_city_page_heading_leads_with_the_name_in_the_readers_language(client, url, h1, lead):
    html = client.get(url).content.decode()
    assert heading_parts(html) == (h1, lead)


def test_the_local_name_is_marked_with_its_language(client):
    html = client.get("/vi/cities/da-nang/").content.decode()
    assert '<span lang="vi" data-testid="city-name">Đà Nẵng</span> <span class="local-name" lang="en">Da Nang</span>' \
        in html
    assert "<title>Đà Nẵng · " in html
    assert '<span class="local-name" lang="km">ភ្នំពេញ</span>' in client.get("/vi/cities/phnom-penh/").content.decode()


def test_the_name_in_a_language_is_the_local_name_only_in_the_countrys_own_language():
    dili = City.objects.select_related("country").get(slug="dili")
    assert (dili.local_name, dili.name_in("vi"), dili.name_in("pt")) == ("Díli", "Dili", "Díli")
    assert city_name_in("vi", "Da Nang", "Đà Nẵng", "VNM") == "Đà Nẵng"
    assert city_name_in("th", "Da Nang", "Đà Nẵng", "VNM") == "Da Nang"
    assert city_name_in("vi", "Ha Noi", "", "VNM") == "Ha Noi"
    assert city_name_in("en", "Singapore", "Singapore", "SGP") == "Singapore"
    da_nang = City.objects.select_related("country").get(slug="da-nang")
    with translation.override("vi"):
        assert (da_nang.display_name, label_of(da_nang)) == ("Đà Nẵng", "Đà Nẵng")
    with translation.override("th"):
        assert da_nang.display_name == "Da Nang"


def test_the_registry_forms_name_countries_and_cities_in_the_readers_language():
    countries = Country.objects.order_by("name")
    with translation.override("th"):
        filters = CityFilterForm(countries=countries)
        assert ("VNM", "เวียดนาม") in filters.fields["country"].choices
        office = OfficeForm(cities=City.objects.filter(country__iso3="THA").select_related("country"),
                            countries=countries)
        labels = [str(label) for _value, label in office.fields["city"].choices]
        assert "กรุงเทพมหานคร" in labels and "Bangkok" not in labels
        assert "ไทย" in [str(label) for _value, label in office.fields["country"].choices]
