"""The business case editor without frictions: rows added and removed in place (a new row has the first rows'
defaults and no error until it is typed in), a short amount row padded with zeros with a visible note, a long
one refused, and numbers in plain digits wherever they are shown or typed, across load, edit, save and load."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError

from ascn.finance.actions import business_cases as actions
from ascn.finance.forms.business_cases import format_amounts, parse_amounts, row_example
from ascn.finance.models import BusinessCase
from ascn.plans.models import Project

from .test_business_cases import editor_post

pytestmark = pytest.mark.django_db

EXPONENT = re.compile(r"\d[eE][+-]?\d")


def project() -> Project:
    return Project.objects.get(reference="A111")


class FormReader(HTMLParser):
    """What a browser would post from the page's #case-form as it is shown: inputs, checked boxes, selected
    options, textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.inside = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.first_option: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == "case-form"
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") != "submit":
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[a["name"]] = a.get("value") or "on"
            else:
                self.data[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select:
            self.first_option.setdefault(self.select, a.get("value", ""))
            if "selected" in a:
                self.data[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            self.data.setdefault(self.select, self.first_option.get(self.select, ""))
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea] += data


def posted(html: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(html)
    return {name: value.removeprefix("\n") for name, value in reader.data.items()}


def shown_numbers(html: str) -> list[str]:
    """Every value an input or textarea of the page shows, and the text of the page outside its scripts."""
    for token in re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"|"X-CSRFToken": "([^"]+)"', html):
        for text in filter(None, token):
            html = html.replace(text, "")  # random letters and digits, not a number
    values = re.findall(r'<input[^>]* value="([^"]*)"', html) + re.findall(r"<textarea[^>]*>([^<]*)<", html)
    return [*values, re.sub(r"<script.*?</script>", "", html, flags=re.S)]


# A case whose figures Python writes in exponent notation: 1.5e+06, 1e-05, 4e-05.
BIG = {
    "years": 15, "discount_rate": 0.1, "currency": "USD", "start_year": 2026, "rates": {"VND": 4e-05},
    "inflation": 0.02, "residual_value": 1e7,
    "lines": [{"kind": "capex", "values": [1.5e6, 1e6] + [0] * 14, "label": "Build"},
              {"kind": "revenue", "values": [0] + [6.5e5] * 15, "label": "Fees"},
              {"kind": "opex", "values": [0] + [2.5e9] * 15, "label": "Running", "currency": "VND"}],
    "loans": [{"principal": 1.5e6, "rate": 0.1, "tenor_years": 10, "grace_years": 2,
               "capitalise_grace_interest": False}],
    "grants": [{"amount": 1e6, "year": 1}],
}
BIG_RISK = {"drivers": {"capex": {"kind": "triangular", "low": 1e-05, "mode": 1, "high": 1.5}}, "iterations": 1000,
            "seed": 3}
BIG_SENSITIVITY = {"change": 0.1, "scenarios": {"Cheap": {"capex": 1e-05}}}


# --- Plain numbers -------------------------------------------------------------------------------------------------


def test_amount_rows_are_written_in_plain_digits_with_repeats():
    assert format_amounts([1.5e6, 1e6] + [0.0] * 14) == "1500000 1000000 0x14"
    assert format_amounts([1e-05, 2.5e-7, 1e15]) == "0.00001 0.00000025 1000000000000000"
    assert parse_amounts("1500000 1000000 0x14") == [1.5e6, 1e6] + [0.0] * 14
    assert parse_amounts(format_amounts([1e6, 0.1, 0.1, 3])) == [1e6, 0.1, 0.1, 3]
    assert parse_amounts("200x10") == [200.0] * 10  # the row syntax people type is kept


def test_the_editor_shows_every_number_in_plain_digits_across_load_edit_save_load(client, csco_danang):
    case = actions.create_business_case(csco_danang, project(), {
        "scenario": "Big", "inputs": BIG, "risk": BIG_RISK, "sensitivity": BIG_SENSITIVITY})
    client.force_login(csco_danang)
    page = client.get(f"/financing/business-cases/{case.pk}/edit/").content.decode()
    form = posted(page)
    assert (form["lines-0-values"], form["lines-1-values"], form["lines-2-values"]) == (
        "1500000 1000000 0x14", "0 650000x15", "0 2500000000x15")
    assert (form["discount_rate"], form["inflation"], form["residual_value"]) == ("10", "2", "10000000")
    assert (form["loans-0-principal"], form["loans-0-rate"], form["grants-0-amount"]) == ("1500000", "10", "1000000")
    assert (form["rates"], form["scenarios"], form["drivers-0-low"]) == ("VND=0.00004", "Cheap: capex=0.00001",
                                                                          "0.00001")
    assert not [text for text in shown_numbers(page) if EXPONENT.search(text)]
    # A person changes one thing and saves what the page shows: the rest comes back as it was.
    form["description"] = "Phase 1"
    response = client.post(f"/financing/business-cases/{case.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()
    case.refresh_from_db()
    assert (case.description, case.inputs, case.risk, case.sensitivity) == ("Phase 1", {**BIG, **{
        "lines": [{"currency": "", "escalate": True, **line} for line in BIG["lines"]],
        "loans": [{"repayment": "annuity", "drawdown_year": 0, "currency": "", **BIG["loans"][0]}],
        "grants": [{"currency": "", **BIG["grants"][0]}],
        "economic_discount_rate": None, "conversion_factors": {"capex": 1.0, "opex": 1.0, "revenue": 1.0}}},
        {**BIG_RISK, "drivers": {"capex": {**BIG_RISK["drivers"]["capex"], "mean": None, "sd": None}}},
        BIG_SENSITIVITY)
    again = client.get(f"/financing/business-cases/{case.pk}/edit/").content.decode()
    del form["csrfmiddlewaretoken"]
    assert {k: v for k, v in posted(again).items() if k != "csrfmiddlewaretoken"} == form
    detail = client.get(f"/financing/business-cases/{case.pk}/").content.decode()
    assert not [text for text in shown_numbers(detail) if EXPONENT.search(text)]


def test_the_live_results_show_no_exponent(client, csco_danang):
    client.force_login(csco_danang)
    response = client.post(f"/financing/projects/{project().pk}/business-cases/preview/", editor_post(**{
        "lines-0-values": "1500000000000 0x10", "lines-1-values": "0 300000000000x10", "residual_value": "1e7"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1,500,000,000,000" in html  # the capital cost in the yearly table
    assert not [text for text in shown_numbers(html) if EXPONENT.search(text)]


# --- Rows added and removed in place -------------------------------------------------------------------------------


def add_row(client, table: str, **overrides) -> tuple[int, str]:
    response = client.post(f"/financing/projects/{project().pk}/business-cases/rows/{table}/",
                           editor_post(**overrides))
    return response.status_code, response.content.decode()


def test_a_new_loan_row_has_the_first_rows_defaults_and_no_error(client, csco_danang):
    client.force_login(csco_danang)
    status, html = add_row(client, "loans", **{"loans-TOTAL_FORMS": "2", "loans-0-principal": "500"})
    assert status == 200
    assert html.lstrip().startswith("<tr>") and 'name="loans-2-principal"' in html  # numbered after the page's rows
    assert "field-error" not in html.replace('class="field-error" role="status" hidden', "") and "invalid" not in html
    assert "required" not in re.sub(r'class="[^"]*"', "", html)
    assert re.search(r'name="loans-2-grace_years" value="0"', html)
    assert re.search(r'name="loans-2-drawdown_year" value="0"', html)
    assert re.search(r'<option value="annuity" selected>', html)
    assert re.search(r'name="loans-2-capitalise_grace_interest" id="[^"]+" checked', html)
    assert re.search(r'<input type="hidden" name="loans-TOTAL_FORMS" value="3" id="id_loans-TOTAL_FORMS" '
                     r'hx-swap-oob="true">', html)
    assert not BusinessCase.objects.exists()


def test_a_new_line_row_fits_the_horizon_typed_so_far(client, csco_danang):
    client.force_login(csco_danang)
    status, html = add_row(client, "lines", years="12")
    assert status == 200
    assert f'placeholder="{row_example(12)}"' in html and row_example(12) == "1000 0 200x11"
    assert re.search(r'<option value="capex" selected>', html)
    assert re.search(r'name="lines-4-escalate" id="id_lines-4-escalate" checked', html)
    assert re.search(r'<input type="text" name="lines-4-currency" size="4" maxlength="3" id="[^"]+">', html)


def test_a_new_driver_row_takes_a_driver_not_in_the_table_yet(client, csco_danang):
    client.force_login(csco_danang)
    status, html = add_row(client, "drivers", **{"drivers-0-driver": "capex"})
    assert status == 200 and re.search(r'<option value="opex" selected>', html)
    status, html = add_row(client, "drivers", **{"drivers-0-DELETE": "on", "drivers-0-driver": "capex"})
    assert re.search(r'<option value="capex" selected>', html)  # the removed row's driver is free again


def test_a_full_table_says_so_and_adds_no_row(client, csco_danang):
    client.force_login(csco_danang)
    status, html = add_row(client, "drivers", **{"drivers-TOTAL_FORMS": "7"})
    assert status == 422
    assert "<tr" not in html
    assert "Risk drivers: at most 7 rows; remove one to add another." in html
    status, html = add_row(client, "drivers", **{"drivers-TOTAL_FORMS": "7", "drivers-3-DELETE": "on"})
    assert status == 200 and 'name="drivers-7-driver"' in html  # a removed row leaves room


def test_bad_row_requests(client, csco_danang, nr_vietnam):
    client.force_login(csco_danang)
    assert add_row(client, "bonds")[0] == 404
    assert add_row(client, "loans", **{"loans-TOTAL_FORMS": "many"})[0] == 400
    assert add_row(client, "loans", **{"loans-TOTAL_FORMS": "-1"})[0] == 400
    client.force_login(nr_vietnam)
    assert add_row(client, "loans")[0] == 403
    client.logout()
    assert add_row(client, "loans")[0] == 302  # to the login page


def test_an_untouched_new_row_is_not_saved_and_shows_no_error(client, csco_danang):
    client.force_login(csco_danang)
    untouched = {"loans-TOTAL_FORMS": "1", "loans-0-grace_years": "0", "loans-0-repayment": "annuity",
                 "loans-0-drawdown_year": "0", "loans-0-capitalise_grace_interest": "on", "loans-0-principal": "",
                 "loans-0-rate": "", "loans-0-tenor_years": "", "loans-0-currency": ""}
    preview = client.post(f"/financing/projects/{project().pk}/business-cases/preview/", editor_post(**untouched))
    assert preview.status_code == 200 and "error" not in preview.content.decode()
    response = client.post(f"/financing/projects/{project().pk}/business-cases/new/", editor_post(**untouched))
    assert response.status_code == 302
    assert BusinessCase.objects.get().inputs["loans"] == []


def test_a_removed_row_is_left_out_even_when_it_is_half_typed(client, csco_danang):
    client.force_login(csco_danang)
    response = client.post(f"/financing/projects/{project().pk}/business-cases/new/", editor_post(**{
        "lines-2-DELETE": "on", "lines-2-values": "12abc",
        "loans-TOTAL_FORMS": "1", "loans-0-principal": "100", "loans-0-DELETE": "on"}))
    assert response.status_code == 302
    case = BusinessCase.objects.get()
    assert [line["label"] for line in case.inputs["lines"]] == ["Build", "Fees"] and case.inputs["loans"] == []


def test_a_row_removed_from_a_stored_case_is_deleted_on_save(client, csco_danang):
    case = actions.create_business_case(csco_danang, project(), {"scenario": "Big", "inputs": BIG})
    client.force_login(csco_danang)
    form = posted(client.get(f"/financing/business-cases/{case.pk}/edit/").content.decode())
    form["loans-0-DELETE"] = "on"
    assert client.post(f"/financing/business-cases/{case.pk}/edit/", form).status_code == 302
    case.refresh_from_db()
    assert case.inputs["loans"] == [] and len(case.inputs["lines"]) == 3


# --- Short and long amount rows ------------------------------------------------------------------------------------

PADDED_NOTE = "Lines row 2, Amounts by year (from year 0): padded with 0 for 2032\u20132036"


def test_a_short_row_is_padded_with_zeros_and_the_pages_say_so(client, csco_danang):
    client.force_login(csco_danang)
    short = editor_post(**{"lines-1-values": "0 300x5"})  # years 0 to 5 of 10, from 2026
    preview = client.post(f"/financing/projects/{project().pk}/business-cases/preview/", short)
    assert preview.status_code == 200 and PADDED_NOTE in preview.content.decode()
    response = client.post(f"/financing/projects/{project().pk}/business-cases/new/", short, follow=True)
    case = BusinessCase.objects.get()
    assert case.inputs["lines"][1]["values"] == [0.0] + [300.0] * 5 + [0.0] * 5
    assert PADDED_NOTE in response.content.decode()  # on the case page the save leads to
    form = posted(client.get(f"/financing/business-cases/{case.pk}/edit/").content.decode())
    assert form["lines-1-values"] == "0 300x5 0x5"  # stored padded: the editor shows the whole row


def test_a_padded_row_says_so_under_it_when_the_editor_comes_back_with_errors(client, csco_danang):
    client.force_login(csco_danang)
    response = client.post(f"/financing/projects/{project().pk}/business-cases/new/",
                           editor_post(**{"lines-1-values": "0 300x5", "currency": "ABC", "start_year": ""}))
    assert response.status_code == 422
    html = response.content.decode()
    assert "“ABC” is not an ISO 4217 currency code." in html
    assert "Padded with 0 for" not in html  # the case form's own errors come first: nothing computed yet
    response = client.post(f"/financing/projects/{project().pk}/business-cases/new/",
                           editor_post(**{"lines-1-values": "0 300x5", "rates": "EUR=1.1",
                                          "lines-2-currency": "JPY", "start_year": ""}))
    assert response.status_code == 422
    html = response.content.decode()
    assert "“JPY” has no rate in `rates`" in html
    assert '<small class="note" role="status">Padded with 0 for years 6 to 10.</small>' in html


def test_a_long_row_is_refused_naming_the_extra_amounts(client, csco_danang):
    client.force_login(csco_danang)
    preview = client.post(f"/financing/projects/{project().pk}/business-cases/preview/",
                          editor_post(**{"lines-1-values": "0 300x12"}))
    assert preview.status_code == 422
    assert ("Lines row 2, Amounts by year (from year 0): has 13 amounts, 2 more than the 11 years of the horizon "
            "(years 0 to 10): remove the extra amounts or lengthen the horizon") in preview.content.decode()
    assert not BusinessCase.objects.exists()


def test_the_action_refuses_a_row_nobody_padded(csco_danang):
    with pytest.raises(ValidationError):
        actions.create_business_case(csco_danang, project(), {"scenario": "Raw", "inputs": {
            **BIG, "lines": [{"kind": "capex", "values": [1.0]}]}})
