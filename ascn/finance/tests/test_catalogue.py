"""The financing instrument catalogue (seeded), its pages and API, and the financing-option guide."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ascn.core.models import AuditEntry
from ascn.core.testing.forms import form_fields
from ascn.finance.actions.business_cases import create_business_case
from ascn.finance.models import FinancingInstrument
from ascn.finance.seed import LOADERS
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

CATALOGUE = ["municipal-bond", "green-bond", "ppp-availability", "ppp-concession", "asset-recycling",
             "commercial-loan", "concessional-oda-loan", "dfi-equity-guarantee", "grant-trust-fund",
             "national-transfer", "land-value-capture", "climate-fund", "blended-finance"]
WATER_UTILITY = {"revenue": "full", "size_usd": 5e7, "city_may_borrow": True, "city_creditworthy": True,
                 "ppp_framework": True, "stage": "feasibility", "focus_area": "quality_environment"}
SMALL_PARK = {"revenue": "none", "size_usd": 2e6, "stage": "concept", "focus_area": "civic_social"}


def test_the_catalogue_is_seeded_with_its_links_and_reseeding_changes_nothing():
    assert list(FinancingInstrument.objects.values_list("slug", flat=True)) == CATALOGUE
    dfi = FinancingInstrument.objects.get(slug="dfi-equity-guarantee")
    assert sorted(p.slug for p in dfi.providers.all()) == ["jbic", "join", "smart-jamp"]
    assert "JPY 200 bn" in dfi.summary and dfi.needs_revenue_stream
    green = FinancingInstrument.objects.get(slug="green-bond")
    assert sorted(n.code for n in green.focus_areas.all()) == ["built_infrastructure", "quality_environment"]
    assert (green.revenue_profiles, green.needs_borrowing_powers, int(green.min_size_usd)) == (
        ["full", "partial"], True, 20_000_000)
    entries = AuditEntry.objects.count()
    assert [(c.created, c.updated, c.unchanged) for c in (loader.load() for loader in LOADERS)] == [(0, 0, 13)]
    assert AuditEntry.objects.count() == entries


def test_catalogue_page_filters_and_detail(client):
    page = client.get("/financing/instruments/")
    assert page.status_code == 200
    assert re.findall(r'href="/financing/instruments/([a-z-]+)/"', page.content.decode()) == CATALOGUE
    ppp = client.get("/financing/instruments/?category=ppp", headers={"HX-Request": "true"}).content.decode()
    assert ppp.lstrip().startswith('<div id="results">')
    assert re.findall(r'href="/financing/instruments/([a-z-]+)/"', ppp) == ["ppp-availability", "ppp-concession"]
    health = client.get("/financing/instruments/?focus_area=health_wellbeing").content.decode()
    assert "green-bond" not in health and "municipal-bond" in health  # instruments for any focus area stay
    detail = client.get("/financing/instruments/grant-trust-fund/").content.decode()
    assert "Grants and trust funds" in detail and "ASEAN Australia Smart Cities Trust Fund" in detail
    assert "up to USD 5,000,000" in detail
    assert client.get("/financing/instruments/no-such-thing/").status_code == 404
    assert client.get("/vi/financing/instruments/").status_code == 200


def test_unpublished_instruments_are_for_the_secretariat_only(client, api, api_as, secretariat):
    FinancingInstrument.objects.filter(slug="asset-recycling").update(is_published=False)
    assert client.get("/financing/instruments/asset-recycling/").status_code == 404
    assert api.get("/finance/instruments/asset-recycling").status_code == 404
    assert api.get("/finance/instruments").json()["count"] == 12
    assert api_as(secretariat).get("/finance/instruments/asset-recycling").status_code == 200


def test_guide_page_ranks_with_reasons(client):
    empty = client.get("/financing/guide/")
    assert empty.status_code == 200 and "Fill in what you know about the project" in empty.content.decode()
    page = client.get("/financing/guide/", SMALL_PARK).content.decode()
    slugs = re.findall(r'data-slug="([a-z-]+)"', page)
    assert slugs[0] == "grant-trust-fund" and sorted(slugs) == sorted(CATALOGUE)
    assert "It needs a city that may borrow in its own name; you did not say that this city may." in page
    bad = client.get("/financing/guide/", {"revenue": "lots"})
    assert bad.status_code == 422 and "Correct the form to see the ranking." in bad.content.decode()


def test_guide_form_is_filled_from_a_project(client, secretariat):
    project = Project.objects.get(reference="A112")
    project.cost_estimate, project.currency, project.stage = 3_000_000, "USD", "feasibility"
    project.save()
    page = client.get(f"/financing/guide/?project={project.pk}").content.decode()
    assert re.search(r'name="size_usd" value="3000000(\.00)?"', page)
    assert '<option value="quality_environment" selected>' in page
    assert '<option value="feasibility" selected>' in page


def ten_million_case(csco, project, currency: str = "USD", rates: dict | None = None, **extra):
    """A 20-year case whose capital cost is 10 million US dollars (in `currency` at `rates`)."""
    per_dollar = (rates or {}).get("USD", 1)
    return create_business_case(csco, project, {"scenario": "Base case", **extra, "inputs": {
        "years": 20, "discount_rate": 0.08, "currency": currency, "rates": rates or {},
        "lines": [{"kind": "capex", "values": [6_000_000 * per_dollar, 4_000_000 * per_dollar] + [0] * 19},
                  {"kind": "revenue", "values": [0, 0] + [1_500_000 * per_dollar] * 19}]}})


def test_guide_takes_the_capital_cost_of_the_preferred_business_case(client, csco_danang):
    """The defect: "cost is not known yet" with a 10 M USD business case. The form starts from the case's
    capital cost, so the ranking judges the size; the project stays in the address after ranking."""
    project = Project.objects.get(reference="A111")
    project.cost_estimate = None
    project.save()
    ten_million_case(csco_danang, project, is_published=True)
    page = client.get(f"/financing/guide/?project={project.pk}").content.decode()
    assert re.search(r'name="size_usd" value="10000000(\.00)?"', page)
    assert "The capital cost is that of its preferred business case “Base case”." in page
    fields = form_fields(page, "guide-form")
    assert fields["project"] == str(project.pk)  # sent back with the ranking
    ranked = client.get("/financing/guide/", fields)
    assert ranked.status_code == 200
    text = ranked.content.decode()
    assert "capital cost, so the size cannot be judged" not in text
    assert "The project is smaller than deals of this kind usually are." in text  # municipal bonds: from 20 M
    assert form_fields(text, "guide-form")["project"] == str(project.pk)
    assert form_fields(text, "guide-form")["size_usd"] == fields["size_usd"]


def test_guide_converts_a_case_in_another_currency_at_its_own_rate(client, csco_danang):
    project = Project.objects.get(reference="A111")
    project.cost_estimate, project.currency = 7_000_000, "USD"
    project.save()
    case = ten_million_case(csco_danang, project, "VND", {"USD": 25_000})
    client.force_login(csco_danang)  # the case is a draft: its city's officers see it
    page = client.get(f"/financing/guide/?project={project.pk}").content.decode()
    assert re.search(r'name="size_usd" value="10000000(\.00)?"', page)
    case.inputs = {**case.inputs, "rates": {}, "lines": [{**line, "currency": ""} for line in case.inputs["lines"]]}
    case.save()  # a case in dong with no rate for dollars: the project's own estimate, and a word why
    page = client.get(f"/financing/guide/?project={project.pk}").content.decode()
    assert re.search(r'name="size_usd" value="7000000(\.00)?"', page)
    assert "is in VND, with no rate for US dollars: type the capital cost in dollars." in page
    client.logout()  # the public does not see the draft case: the project's estimate
    page = client.get(f"/financing/guide/?project={project.pk}").content.decode()
    assert re.search(r'name="size_usd" value="7000000(\.00)?"', page) and "Base case" not in page


def test_guide_keeps_no_project_the_reader_may_not_see(client, draft):
    page = client.get(f"/financing/guide/?project={draft.pk}").content.decode()
    assert "project" not in form_fields(page, "guide-form") and draft.title not in page


def test_guide_api(api):
    response = api.post("/finance/guide", WATER_UTILITY)
    assert response.status_code == 200
    ranked = response.json()
    assert len(ranked) == 13
    verdicts = {fit["slug"]: (fit["verdict"], fit["score"]) for fit in ranked}
    assert verdicts["ppp-concession"] == ("good", 100)
    assert verdicts["grant-trust-fund"] == ("possible", 35)
    assert [fit["verdict"] for fit in ranked] == sorted(
        (fit["verdict"] for fit in ranked), key=["good", "possible", "unsuitable"].index)
    park = {fit["slug"]: fit for fit in api.post("/finance/guide", SMALL_PARK).json()}
    assert park["municipal-bond"]["verdict"] == "unsuitable"
    assert {"fits": False, "text": "It needs a city that may borrow in its own name; you did not say that this city "
                                   "may."} in park[
        "municipal-bond"]["reasons"]
    invalid = api.post("/finance/guide", {"revenue": "lots", "size_usd": -5})
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.json()["errors"]] == ["revenue", "size_usd"]


def test_catalogue_api_and_its_query_count(api):
    body = api.get("/finance/instruments?category=debt").json()
    assert [i["slug"] for i in body["items"]] == ["municipal-bond", "green-bond", "commercial-loan",
                                                  "concessional-oda-loan"]
    oda = body["items"][3]
    assert oda["providers"] == ["adb", "aiib", "jica", "world-bank-ifc"] and oda["focus_areas"] == []
    assert api.get("/finance/instruments/green-bond").json()["focus_areas"] == [
        "quality_environment", "built_infrastructure"]
    with CaptureQueriesContext(connection) as all_instruments:
        assert api.get("/finance/instruments").json()["count"] == 13
    with CaptureQueriesContext(connection) as debt_only:
        api.get("/finance/instruments?category=debt")
    assert len(all_instruments) == len(debt_only) <= 5  # count, page, focus areas, providers, case studies


def test_an_instrument_lists_its_case_studies(api, client):
    grants = api.get("/finance/instruments/grant-trust-fund").json()
    assert grants["case_studies"] == ["iskandar-malaysia-analytics-centre"]
    assert api.get("/finance/instruments/municipal-bond").json()["case_studies"] == []
    page = client.get("/financing/instruments/grant-trust-fund/").content.decode()
    assert "/knowledge/case-studies/iskandar-malaysia-analytics-centre/" in page
    assert "No case study of this instrument" in client.get("/financing/instruments/municipal-bond/").content.decode()


def test_guide_speaks_the_page_language(client):
    page = client.get("/vi/financing/guide/", SMALL_PARK).content.decode()
    assert "Phù hợp với dự án không có nguồn thu riêng." in page  # "It suits a project without revenue of its own."
    thai = client.get("/th/financing/instruments/").content.decode()
    assert "เครื่องมือทางการเงิน" in thai
