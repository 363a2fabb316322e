"""Business cases: stored per project and scenario, computed on save, scoped like their project, edited in
the workspace with live recalculation, exported as XLSX and PDF."""

from __future__ import annotations

import io
import os

import numpy_financial as npf
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from ascn.core.models import AuditEntry
from ascn.finance.actions import business_cases as actions
from ascn.finance.forms.business_cases import format_amounts, parse_amounts
from ascn.finance.models import BusinessCase
from ascn.finance.queries import business_cases as queries
from ascn.finance.reporting import NONE, amount, percent, ratio, unit_cost
from ascn.plans.models import Project
from conftest import make_user

pytestmark = pytest.mark.django_db

# A 10-year parking system: 1,000 up front, 300 revenue and 60 running cost a year, 8 %.
INPUTS = {
    "years": 10, "discount_rate": 0.08, "currency": "USD",
    "lines": [{"kind": "capex", "values": [1000] + [0] * 10, "label": "Build"},
              {"kind": "revenue", "values": [0] + [300] * 10, "label": "Fees"},
              {"kind": "opex", "values": [0] + [60] * 10, "label": "Running"}],
}
NET = [-1000] + [240] * 10


def project(reference: str = "A111") -> Project:
    return Project.objects.get(reference=reference)


def make_case(actor, target: Project, scenario: str = "Base case", **extra) -> BusinessCase:
    return actions.create_business_case(actor, target, {"scenario": scenario, "inputs": INPUTS, **extra})


# --- Actions ------------------------------------------------------------------------------------------


def test_a_saved_case_carries_its_results_computed_by_the_engine(csco_danang):
    case = make_case(csco_danang, project())
    appraisal = case.appraisal
    assert appraisal["financial_npv"] == pytest.approx(npf.npv(0.08, NET), rel=1e-12)
    assert appraisal["financial_irr"]["value"] == pytest.approx(npf.irr(NET), rel=1e-9)
    assert appraisal["payback_years"] == pytest.approx(1000 / 240 , rel=1e-12)
    assert [bar["driver"] for bar in case.results["tornado"]] == ["revenue", "capex", "discount_rate", "opex"]
    assert case.results["simulation"] is None
    assert case.is_preferred  # the project's first case
    assert case.created_by == csco_danang
    entry = AuditEntry.objects.get(content_type__model="businesscase", object_id=str(case.pk), action="create")
    assert entry.changes["scenario"] == [None, "Base case"]
    assert "results" not in entry.changes  # derived, not audited


def test_a_monte_carlo_keeps_a_seed_so_the_results_can_be_reproduced(csco_danang):
    risk = {"drivers": {"revenue": {"kind": "triangular", "low": 0.7, "mode": 1.0, "high": 1.1}},
            "iterations": 2000}
    case = make_case(csco_danang, project(), risk=risk)
    seed = case.risk["seed"]
    assert isinstance(seed, int)
    assert case.simulation["seed"] == seed and case.simulation["iterations"] == 2000
    again = make_case(csco_danang, project(), "Same seed", risk={**risk, "seed": seed})
    assert again.simulation["financial_npv"] == case.simulation["financial_npv"]
    # Editing something else keeps the seed, so the figures only move for the reason edited.
    actions.update_business_case(csco_danang, case, {"risk": {**risk, "seed": None}})
    assert case.risk["seed"] == seed


def test_updating_the_model_recomputes_and_audits_the_inputs(csco_danang):
    case = make_case(csco_danang, project())
    cheaper = {**INPUTS, "lines": [{**INPUTS["lines"][0], "values": [800] + [0] * 10}, *INPUTS["lines"][1:]]}
    changes = actions.update_business_case(csco_danang, case, {"inputs": cheaper})
    assert set(changes) == {"inputs"}
    case.refresh_from_db()
    assert case.appraisal["financial_npv"] == pytest.approx(npf.npv(0.08, [-800] + [240] * 10), rel=1e-12)
    assert actions.update_business_case(csco_danang, case, {"inputs": cheaper}) == {}


def test_an_invalid_model_is_refused_naming_each_field_and_changes_nothing(csco_danang):
    bad = {**INPUTS, "currency": "ABC", "lines": [{"kind": "capex", "values": [1, 2]}]}
    with pytest.raises(ValidationError) as caught:
        make_case(csco_danang, project(), inputs=bad)
    assert set(caught.value.message_dict) == {"inputs.currency", "inputs.lines[0].values"}
    assert caught.value.message_dict["inputs.lines[0].values"] == [  # the action takes rows padded by its callers
        "has 2 amounts; the horizon has 11 years (years 0 to 10)"]
    assert not BusinessCase.objects.exists()


def test_scenario_names_are_unique_per_project(csco_danang):
    make_case(csco_danang, project())
    with pytest.raises(ValidationError) as caught:
        make_case(csco_danang, project())
    assert "__all__" in caught.value.message_dict
    assert BusinessCase.objects.count() == 1


def test_one_preferred_scenario_per_project(csco_danang):
    first = make_case(csco_danang, project())
    second = make_case(csco_danang, project(), "With a grant", is_preferred=True)
    first.refresh_from_db()
    assert (first.is_preferred, second.is_preferred) == (False, True)
    actions.delete_business_case(csco_danang, second)
    first.refresh_from_db()
    assert first.is_preferred  # the next scenario takes over


@pytest.mark.parametrize("who", ["nr_vietnam", "partner_jica", "no_role_user"])
def test_only_the_citys_officers_and_the_secretariat_write_business_cases(request, who, csco_danang):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        make_case(actor, project())
    case = make_case(csco_danang, project())
    with pytest.raises(PermissionDenied):
        actions.update_business_case(actor, case, {"scenario": "Renamed"})
    with pytest.raises(PermissionDenied):
        actions.delete_business_case(actor, case)
    case.refresh_from_db()
    assert BusinessCase.objects.count() == 1 and case.scenario == "Base case"


def test_a_city_officer_of_another_city_cannot_write_them(db):
    hanoi = make_user("csco-hanoi", "city_officer", city="ha-noi")
    with pytest.raises(PermissionDenied):
        make_case(hanoi, project())
    assert not BusinessCase.objects.exists()


def test_who_sees_which_business_case(csco_danang, nr_vietnam, nr_thailand, partner_jica, secretariat, draft):
    published = make_case(csco_danang, project(), "Published", is_published=True)
    unpublished = make_case(csco_danang, project(), "Unpublished")
    of_a_draft = make_case(csco_danang, draft, "Of a draft project", is_published=True)

    def seen(user) -> set[str]:
        return set(BusinessCase.objects.visible_to(user).values_list("scenario", flat=True))

    everything = {published.scenario, unpublished.scenario, of_a_draft.scenario}
    assert seen(secretariat) == everything
    assert seen(csco_danang) == everything
    assert seen(nr_vietnam) == everything
    assert seen(nr_thailand) == {"Published"}
    assert seen(partner_jica) == {"Published"}
    assert seen(AnonymousUser()) == {"Published"}


# --- The editor's amounts --------------------------------------------------------------------------


def test_amounts_are_typed_as_a_row_with_repeats():
    assert parse_amounts("1000 0, 200x3; 5*2") == [1000, 0, 200, 200, 200, 5, 5]
    assert format_amounts([1000, 0, 200, 200, 200, 5.5]) == "1000 0 200x3 5.5"
    assert parse_amounts(format_amounts([1e6, 0.1, 0.1, 3])) == [1e6, 0.1, 0.1, 3]
    for bad in ("12abc", "nan", "200x0", "1x1000"):
        with pytest.raises(ValidationError):
            parse_amounts(bad)


# --- Pages -----------------------------------------------------------------------------------------


def editor_post(**overrides) -> dict:
    data = {
        "scenario": "Base case", "description": "", "currency": "USD", "start_year": "2026", "years": "10",
        "discount_rate": "8", "economic_discount_rate": "", "inflation": "0", "residual_value": "",
        "factor_capex": "1", "factor_opex": "1", "factor_revenue": "1", "rates": "", "sensitivity_change": "20",
        "scenarios": "Pessimistic: capex=1.3, revenue=0.8", "iterations": "1000", "seed": "7",
        "lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "0",
        "lines-0-kind": "capex", "lines-0-label": "Build", "lines-0-values": "1000 0x10", "lines-0-escalate": "on",
        "lines-1-kind": "revenue", "lines-1-label": "Fees", "lines-1-values": "0 300x10", "lines-1-escalate": "on",
        "lines-2-kind": "opex", "lines-2-label": "Running", "lines-2-values": "0 60x10", "lines-2-escalate": "on",
        "lines-3-kind": "capex", "lines-3-values": "", "lines-3-escalate": "on",  # an empty extra row
        "loans-TOTAL_FORMS": "0", "loans-INITIAL_FORMS": "0", "grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0",
        "drivers-TOTAL_FORMS": "1", "drivers-INITIAL_FORMS": "0",
        "drivers-0-driver": "revenue", "drivers-0-kind": "triangular", "drivers-0-low": "0.7",
        "drivers-0-mode": "1", "drivers-0-high": "1.1",
    }
    data.update(overrides)
    return data


def test_a_city_officer_builds_a_business_case_in_the_workspace(client, csco_danang):
    target = project()
    client.force_login(csco_danang)
    page = client.get(f"/financing/projects/{target.pk}/business-cases/new/")
    assert page.status_code == 200
    response = client.post(f"/financing/projects/{target.pk}/business-cases/new/", editor_post())
    case = BusinessCase.objects.get(project=target)
    assert response.status_code == 302 and response["Location"] == f"/financing/business-cases/{case.pk}/"
    assert case.inputs["lines"][1] == {"kind": "revenue", "values": [0.0] + [300.0] * 10, "label": "Fees",
                                       "currency": "", "escalate": True}
    assert (case.inputs["discount_rate"], case.inputs["start_year"]) == (0.08, 2026)
    assert case.sensitivity == {"change": 0.2, "scenarios": {"Pessimistic": {"capex": 1.3, "revenue": 0.8}}}
    assert case.risk == {"drivers": {"revenue": {"kind": "triangular", "low": 0.7, "mode": 1.0, "high": 1.1,
                                                 "mean": None, "sd": None}}, "iterations": 1000, "seed": 7}
    assert case.appraisal["financial_npv"] == pytest.approx(npf.npv(0.08, NET), rel=1e-12)
    detail = client.get(f"/financing/business-cases/{case.pk}/").content.decode()
    assert "610" in detail  # the financial NPV, 610.41 rounded
    assert 'data-chart="chart-cash-flows"' in detail and 'id="chart-npv"' in detail
    assert "Pessimistic" in detail


def test_the_editor_round_trips_a_stored_case(client, csco_danang):
    client.force_login(csco_danang)
    target = project()
    client.post(f"/financing/projects/{target.pk}/business-cases/new/", editor_post())
    case = BusinessCase.objects.get(project=target)
    page = client.get(f"/financing/business-cases/{case.pk}/edit/").content.decode()
    assert 'value="0 300x10"' in page and 'value="8"' in page
    assert "Pessimistic: capex=1.3, revenue=0.8" in page


def test_the_editor_shows_the_engines_problem_next_to_its_line(client, csco_danang):
    client.force_login(csco_danang)
    target = project()
    response = client.post(f"/financing/projects/{target.pk}/business-cases/new/",
                           editor_post(**{"lines-1-values": "0 300x15"}))
    assert response.status_code == 422
    assert ("has 16 amounts, 5 more than the 11 years of the horizon (years 0 to 10): remove the extra amounts or "
            "lengthen the horizon") in response.content.decode()
    assert not BusinessCase.objects.exists()


def test_the_live_preview_computes_without_saving(client, csco_danang):
    client.force_login(csco_danang)
    target = project()
    response = client.post(f"/financing/projects/{target.pk}/business-cases/preview/", editor_post())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Financial NPV" in html and "610" in html and 'id="chart-tornado"' in html
    bad = client.post(f"/financing/projects/{target.pk}/business-cases/preview/",
                      editor_post(**{"discount_rate": "abc", "lines-0-values": "1000 x"}))
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "Discount rate (%): Enter a number." in text
    assert "Lines row 1, Amounts by year (from year 0)" in text
    assert not BusinessCase.objects.exists()


def test_the_preview_and_editor_are_for_editors_only(client, nr_vietnam, partner_jica):
    target = project()
    for user in (nr_vietnam, partner_jica):
        client.force_login(user)
        assert client.get(f"/financing/projects/{target.pk}/business-cases/new/").status_code == 403
        assert client.post(f"/financing/projects/{target.pk}/business-cases/new/", editor_post()).status_code == 403
        assert client.post(f"/financing/projects/{target.pk}/business-cases/preview/",
                           editor_post()).status_code == 403
    assert not BusinessCase.objects.exists()
    client.logout()
    login = client.get(f"/financing/projects/{target.pk}/business-cases/new/")
    assert login.status_code == 302 and "/accounts/login/" in login["Location"]


def test_pages_show_only_what_the_viewer_may_see(client, csco_danang, nr_thailand):
    target = project()
    published = make_case(csco_danang, target, "Published", is_published=True)
    unpublished = make_case(csco_danang, target, "Unpublished")
    listing = client.get(f"/financing/projects/{target.pk}/business-cases/").content.decode()
    assert "Published" in listing and "Unpublished" not in listing
    assert client.get(f"/financing/business-cases/{published.pk}/").status_code == 200
    assert client.get(f"/financing/business-cases/{unpublished.pk}/").status_code == 404
    assert client.get(f"/financing/business-cases/{unpublished.pk}/export.xlsx").status_code == 404
    client.force_login(nr_thailand)
    assert client.get(f"/financing/business-cases/{unpublished.pk}/").status_code == 404
    client.force_login(csco_danang)
    assert client.get(f"/financing/business-cases/{unpublished.pk}/").status_code == 200
    project_page = client.get(f"/projects/{target.pk}/").content.decode()
    assert f"/financing/business-cases/{unpublished.pk}/" in project_page


def test_an_empty_list_says_what_to_do(client, csco_danang):
    target = project()
    assert "No published business case" in client.get(
        f"/financing/projects/{target.pk}/business-cases/").content.decode()
    client.force_login(csco_danang)
    assert "No business case yet" in client.get(f"/financing/projects/{target.pk}/business-cases/").content.decode()


def test_deleting_a_case_in_the_workspace(client, csco_danang, nr_vietnam):
    case = make_case(csco_danang, project())
    client.force_login(nr_vietnam)
    assert client.post(f"/financing/business-cases/{case.pk}/delete/").status_code == 403
    assert BusinessCase.objects.filter(pk=case.pk).exists()
    client.force_login(csco_danang)
    assert client.post(f"/financing/business-cases/{case.pk}/delete/").status_code == 302
    assert not BusinessCase.objects.filter(pk=case.pk).exists()


# --- Exports ---------------------------------------------------------------------------------------


def test_xlsx_export_holds_the_inputs_the_yearly_flows_and_the_results(client, csco_danang):
    case = make_case(csco_danang, project(), is_published=True)
    response = client.get(f"/financing/business-cases/{case.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="business-case-{case.project_id}-{case.pk}.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Inputs", "Yearly flows", "Results"]
    inputs = {row[0]: row[1:] for row in book["Inputs"].iter_rows(values_only=True) if row[0]}
    assert inputs["Fees"][:4] == ("revenue", "USD", True, 0)
    assert list(inputs["Fees"][4:15]) == [300] * 10
    flows = {row[0]: row[1:] for row in book["Yearly flows"].iter_rows(values_only=True)}
    assert list(flows["Net financial flow"]) == NET
    assert book["Inputs"]["B2"].value == "Base case"
    results = {row[0]: row[1] for row in book["Results"].iter_rows(values_only=True) if row[0]}
    assert results["Financial NPV"] == pytest.approx(npf.npv(0.08, NET), rel=1e-12)
    assert results["Financial IRR"] == pytest.approx(npf.irr(NET), rel=1e-9)


def test_text_that_looks_like_a_formula_stays_text_in_the_xlsx(client, csco_danang):
    case = make_case(csco_danang, project(), "=HYPERLINK(\"http://x\")", is_published=True,
                     sensitivity={"change": 0.2, "scenarios": {"+1 more": {"capex": 1.1}}})
    book = load_workbook(io.BytesIO(client.get(f"/financing/business-cases/{case.pk}/export.xlsx").content))
    scenario = book["Inputs"]["B2"]
    assert (scenario.value, scenario.data_type) == ('=HYPERLINK("http://x")', "s")
    named = [row for row in book["Results"].iter_rows() if row[0].value == "+1 more"]
    assert len(named) == 1 and named[0][0].data_type == "s"


def pango_missing() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:
        if os.environ.get("ASCN_REQUIRE_PDF"):
            raise RuntimeError("WeasyPrint cannot load Pango but ASCN_REQUIRE_PDF is set "
                               "(install Debian's libpango-1.0-0 and libpangoft2-1.0-0).") from None
        return True
    return False


@pytest.mark.skipif(pango_missing(), reason="PDF export needs the Pango library")
def test_pdf_export_is_a_pdf_with_the_figures(client, csco_danang):
    case = make_case(csco_danang, project(), is_published=True)
    response = client.get(f"/financing/business-cases/{case.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "Base case" in text and "Financial NPV" in text and "610" in text


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_unknown_export_format_is_a_404(client, csco_danang):
    case = make_case(csco_danang, project(), is_published=True)
    assert client.get(f"/financing/business-cases/{case.pk}/export.docx").status_code == 404


def test_queries_business_cases_puts_the_preferred_first(csco_danang):
    make_case(csco_danang, project(), "B")
    make_case(csco_danang, project(), "A")
    assert [c.scenario for c in queries.business_cases(csco_danang, project())] == ["B", "A"]


def test_the_back_office_looks_business_cases_up_but_does_not_edit_them(client, secretariat, csco_danang):
    case = make_case(csco_danang, project())
    client.force_login(secretariat)
    listing = client.get("/admin/finance/businesscase/")
    assert listing.status_code == 200 and "Base case" in listing.content.decode()
    page = client.get(f"/admin/finance/businesscase/{case.pk}/change/")
    assert page.status_code == 200 and 'name="scenario"' not in page.content.decode()  # read only
    assert client.post(f"/admin/finance/businesscase/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert BusinessCase.objects.filter(pk=case.pk).exists()


def test_figures_are_formatted_for_reading():
    assert (percent(0.123456), ratio(2.999)) == ("12.35 %", "3.00")  # rounded, not cut off

    assert (unit_cost(0.4567, "USD"), unit_cost(1234.4, "USD"), unit_cost(None, "USD")) == (
        "0.46 USD", "1,234 USD", NONE)
    assert (amount(-1234567.6, "THB"), percent(0.08), percent(None)) == ("-1,234,568 THB", "8.00 %", NONE)
