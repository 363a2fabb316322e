"""The workspace page where NRs (own country) and the Secretariat maintain offices (who is shown which terms,
who may record and edit them, and that refused roles change nothing are declared in test_standard.py)."""

import pytest

from ascn.network.models import RoleTerm

pytestmark = pytest.mark.django_db


def test_nr_sees_own_country_offices_and_chooses_no_country(client, nr_vietnam):
    client.force_login(nr_vietnam)
    page = client.get("/workspace/offices/")
    assert [t.country.iso3 for t in page.context["terms"]] == ["VNM"] * 4
    assert "country" not in page.context["form"].fields


def test_nr_records_own_national_representative(client, nr_vietnam):
    client.force_login(nr_vietnam)
    response = client.post("/workspace/offices/", {"role": "nr_alternate", "agency": "Ministry of Construction"})
    assert response.status_code == 302
    assert RoleTerm.objects.get(role="nr_alternate").country.iso3 == "VNM"


def test_office_form_names_the_bad_field_and_changes_nothing(client, nr_vietnam):
    client.force_login(nr_vietnam)
    response = client.post("/workspace/offices/", {"role": "csco", "agency": "X"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"city": ["A CSCO's term needs a city."]}
    bangkok = RoleTerm.objects.get(role="csco", city__slug="bangkok").city
    foreign = client.post("/workspace/offices/", {"role": "csco", "city": bangkok.pk, "agency": "X"})
    assert foreign.status_code == 422
    assert "city" in foreign.context["form"].errors
    assert RoleTerm.objects.count() == 50


def test_editing_a_term_keeps_its_role_and_place_and_refuses_an_end_before_the_start(client, nr_vietnam):
    client.force_login(nr_vietnam)
    term = RoleTerm.objects.get(role="csco", city__slug="da-nang")
    form = client.get(f"/workspace/offices/{term.pk}/").context["form"]
    assert set(form.fields) == {"position", "agency", "name", "email", "phone", "starts_on", "ends_on"}
    data = {k: v for k, v in form.initial.items() if v is not None}
    response = client.post(f"/workspace/offices/{term.pk}/", {**data, "starts_on": "2024-01-01", "ends_on": "2023-01-01"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"ends_on": ["The end must be after the start."]}
    term.refresh_from_db()
    assert (term.starts_on, term.ends_on) == (None, None)


def test_secretariat_records_a_national_representative_for_any_country(client, secretariat):
    client.force_login(secretariat)
    page = client.get("/workspace/offices/")
    assert len(page.context["terms"]) == 50
    thailand = RoleTerm.objects.get(role="nr", country__iso3="THA").country
    response = client.post("/workspace/offices/", {"role": "nr_alternate", "country": thailand.pk,
                                                   "agency": "Digital Economy Promotion Agency"})
    assert response.status_code == 302
    assert RoleTerm.objects.get(role="nr_alternate").country == thailand
