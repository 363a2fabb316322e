"""The workspace page where NRs (own country) and the Secretariat maintain offices."""

import pytest

from ascn.core.models import AuditEntry
from ascn.network.models import RoleTerm

pytestmark = pytest.mark.django_db


def test_nr_sees_own_country_offices_and_records_a_csco(client, nr_vietnam):
    client.force_login(nr_vietnam)
    page = client.get("/workspace/offices/")
    assert page.status_code == 200
    assert [t.country.iso3 for t in page.context["terms"]] == ["VNM"] * 4
    assert "country" not in page.context["form"].fields
    hanoi = RoleTerm.objects.get(city__slug="ha-noi").city
    response = client.post("/workspace/offices/", {
        "role": "csco_alternate", "city": hanoi.pk, "position": "Director", "agency": "Ha Noi Department of Science",
        "email": "dost@example.invalid", "starts_on": "2026-03-01"})
    assert response.status_code == 302
    term = RoleTerm.objects.get(role="csco_alternate", city=hanoi)
    assert (term.country.iso3, term.person.agency, str(term.starts_on)) == ("VNM", "Ha Noi Department of Science",
                                                                            "2026-03-01")


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


def test_edit_ends_a_term_and_is_audited(client, nr_vietnam):
    client.force_login(nr_vietnam)
    term = RoleTerm.objects.get(role="csco", city__slug="da-nang")
    form = client.get(f"/workspace/offices/{term.pk}/").context["form"]
    assert set(form.fields) == {"position", "agency", "name", "email", "phone", "starts_on", "ends_on"}
    data = {k: v for k, v in form.initial.items() if v is not None}
    response = client.post(f"/workspace/offices/{term.pk}/", {**data, "starts_on": "2024-01-01", "ends_on": "2023-01-01"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"ends_on": ["The end must be after the start."]}
    response = client.post(f"/workspace/offices/{term.pk}/", {**data, "ends_on": "2026-06-30"})
    assert response.status_code == 302
    term.refresh_from_db()
    assert str(term.ends_on) == "2026-06-30"
    entry = AuditEntry.objects.filter(content_type__model="roleterm", via="web").latest("id")
    assert entry.changes == {"ends_on": [None, "2026-06-30"]}


def test_other_roles_cannot_maintain_offices(client, csco_danang, partner_jica, nr_thailand):
    term = RoleTerm.objects.get(role="csco", city__slug="da-nang")
    for user in (csco_danang, partner_jica):
        client.force_login(user)
        assert client.get("/workspace/offices/").status_code == 403
        assert client.get(f"/workspace/offices/{term.pk}/").status_code == 404
    client.force_login(nr_thailand)
    assert client.get(f"/workspace/offices/{term.pk}/").status_code == 404
    assert client.post(f"/workspace/offices/{term.pk}/", {"agency": "X"}).status_code == 404
    term.refresh_from_db()
    assert term.person.agency == "People's Committee of Da Nang City"


def test_secretariat_records_a_national_representative_for_any_country(client, secretariat):
    client.force_login(secretariat)
    page = client.get("/workspace/offices/")
    assert len(page.context["terms"]) == 50
    thailand = RoleTerm.objects.get(role="nr", country__iso3="THA").country
    response = client.post("/workspace/offices/", {"role": "nr_alternate", "country": thailand.pk,
                                                   "agency": "Digital Economy Promotion Agency"})
    assert response.status_code == 302
    assert RoleTerm.objects.get(role="nr_alternate").country == thailand
