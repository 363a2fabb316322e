"""The cooperation pages: the standard tests of cooperation records (public once agreed; before, the parties, the
National Representative and the Secretariat), the record's page and its forms per role, refusals that change
nothing, and the Secretariat's dashboard with its downloads.

A record in OWN is JICA's with Da Nang and agreed, in OWN_DRAFT the same pair at the expression of interest, in
SAME_COUNTRY ADB's with Ha Noi (agreed), in FOREIGN ADB's with Bangkok (agreed), in FOREIGN_DRAFT UNDP's with
Bangkok at the expression of interest."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ascn.core.models import AuditEntry, ExchangeRate
from ascn.core.testing.bases import (
    FOREIGN,
    FOREIGN_DRAFT,
    OWN,
    OWN_DRAFT,
    SAME_COUNTRY,
    ModelCase,
    Scope,
    Write,
    every_role,
    standard_tests,
)
from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.network.models import City, Partner
from ascn.partnerships.models import CooperationComment, CooperationRecord, CooperationTransition
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()
EVERY_RECORD = {"own", "own_draft", "same_country", "foreign", "foreign_draft"}
PUBLIC = ("own", "same_country", "foreign")


def make_record(scope: Scope, n: int) -> CooperationRecord:
    number = next(NUMBERS)
    return CooperationRecord.objects.create(
        title=f"Zeta cooperation {number}", kind="technical_assistance", city=City.objects.get(slug=scope.city),
        partner=Partner.objects.get(slug=scope.partner), state="agreed" if scope.published else "interest",
        agreement="mou" if scope.published else "", agreed_on=dt.date(2026, 2, 1) if scope.published else None)


RECORD = ModelCase(
    name="cooperation", model=CooperationRecord, key="id", missing=999_999, make=make_record,
    scopes=(OWN, OWN_DRAFT, SAME_COUNTRY, FOREIGN, FOREIGN_DRAFT),
    visible={**every_role(*PUBLIC), "partner": {*PUBLIC, "own_draft"}, "csco": {*PUBLIC, "own_draft"},
             "nr": {*PUBLIC, "own_draft"}, "secretariat": EVERY_RECORD},
    editable={"partner": {"own", "own_draft"}, "csco": {"own", "own_draft"}, "secretariat": EVERY_RECORD},
    detail_page=lambda record: f"/partnerships/cooperation/{record.pk}/",
    tables=(CooperationTransition, CooperationComment, FrameworkTag),
    writes=(
        Write("create", "page", "/workspace/cooperation/new/",
              data={"title": "Smart water pilot", "kind": "technical_assistance", "partner": "", "city": "",
                    "twin_city": "", "programme": ""},
              allowed=(), roles=("anonymous", "none", "nr"), name="page_create_refused"),
        Write("update", "page", lambda record: f"/workspace/cooperation/{record.pk}/step/", scope=OWN_DRAFT,
              data={"action": "propose"}, allowed={"secretariat", "partner", "csco"},
              refused={"none": 404}, stored={"state": "proposal"}, changes={"state": ["interest", "proposal"]},
              name="page_step_propose"),
        Write("update", "page", lambda record: f"/workspace/cooperation/{record.pk}/edit/", scope=OWN_DRAFT,
              data=lambda record: {"title": record.title, "kind": record.kind, "programme": "",
                                   "scope": "Leak detection", "budget": "1000", "currency": "usd",
                                   "start_date": "", "end_date": "", "source": "", "documents_text": ""},
              allowed={"secretariat", "partner", "csco"}, refused={"none": 404},
              stored={"scope": "Leak detection", "budget": Decimal(1000), "currency": "USD"},
              name="page_edit_proposal"),
    ),
)
globals().update(standard_tests(RECORD))


def record_of(state: str = "interest", **fields) -> CooperationRecord:
    values = {"title": "Smart water pilot", "kind": "technical_assistance", "city": City.objects.get(slug="da-nang"),
              "partner": Partner.objects.get(slug="jica"), "state": state, **fields}
    return CooperationRecord.objects.create(**values)


def unchanged(record: CooperationRecord) -> tuple:
    record.refresh_from_db()
    return (record.state, record.agreement, CooperationTransition.objects.count(),
            CooperationComment.objects.count(), AuditEntry.objects.count())


# --- The lists ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "partner", "csco", "nr", "secretariat"])
def test_the_public_list_shows_agreed_cooperation_only(role, client, accounts, django_assert_max_num_queries):
    rows = {scope.name: make_record(scope, 0) for scope in RECORD.scopes}
    if role != "anonymous":
        client.force_login(accounts[role])
    for n in range(25):
        make_record(FOREIGN, n + 1)
    with django_assert_max_num_queries(9):
        first = client.get("/partnerships/cooperation/")
    second = client.get("/partnerships/cooperation/?page=2")
    shown = {r.pk for r in first.context["page"].object_list} | {r.pk for r in second.context["page"].object_list}
    assert first.context["page"].paginator.count == 28
    assert {name for name, row in rows.items() if row.pk in shown} == set(PUBLIC)


def test_the_public_list_filters_by_partner_programme_country_and_kind(client):
    rows = {scope.name: make_record(scope, 0) for scope in RECORD.scopes}
    CooperationRecord.objects.filter(pk=rows["own"].pk).update(kind="financing")
    def titles(query: str) -> set[str]:
        return {r.title for r in client.get(f"/partnerships/cooperation/?{query}").context["page"].object_list}
    assert titles("partner=jica") == {rows["own"].title}
    assert titles("country=THA") == {rows["foreign"].title}
    assert titles("kind=financing") == {rows["own"].title}
    assert titles("programme=ascn-twinning-2018") == set()
    response = client.get("/partnerships/cooperation/?kind=loan")
    assert response.status_code == 422
    assert response.context["errors"][0]["field"] == "kind"


# --- The record's page ------------------------------------------------------------------------------------


def test_each_role_sees_its_steps_on_the_page(client, accounts):
    record = record_of("review", scope="Leak detection")
    shown = {}
    for name in ("partner", "csco", "nr", "secretariat"):
        client.force_login(accounts[name])
        steps = client.get(f"/workspace/cooperation/{record.pk}/").context["steps"]
        shown[name] = [label for _step, label, _form in steps]
    assert shown == {
        "partner": ["Record the agreement", "Decline", "Withdraw"],
        "csco": ["Record the agreement", "Decline", "Withdraw"],
        "nr": ["Return for changes"],
        "secretariat": ["Return for changes", "Record the agreement", "Decline", "Withdraw"]}
    client.logout()
    assert client.get(f"/partnerships/cooperation/{record.pk}/").status_code == 404


def test_a_step_the_role_may_not_take_says_so_and_changes_nothing(client, nr_vietnam):
    record = record_of("review", scope="Leak detection")
    before = unchanged(record)
    client.force_login(nr_vietnam)
    response = client.post(f"/workspace/cooperation/{record.pk}/step/",
                           {"action": "agree", "agreement": "mou", "agreed_on": "2026-03-02", "signatories": "Mayor"})
    assert response.status_code == 403
    assert [str(m) for m in response.context["messages"]] == [
        "Your role may not take the step “Record the agreement” on a record that is under review."]
    assert unchanged(record) == before


def test_recording_the_agreement_names_each_missing_field(client, partner_jica):
    record = record_of("review", scope="Leak detection")
    before = unchanged(record)
    client.force_login(partner_jica)
    response = client.post(f"/workspace/cooperation/{record.pk}/step/", {"action": "agree"})
    assert response.status_code == 422
    form = dict((s.action, f) for s, _label, f in response.context["steps"])["agree"]
    assert form.errors == {
        "agreement": ["Choose the kind of agreement: a letter of intent or a memorandum of understanding."],
        "agreed_on": ["Give the date the agreement was signed."],
        "signatories": ["Give the signatories' roles (offices, never a person's name)."]}
    assert 'id="id_agree_signatories_error"' in response.content.decode()
    assert unchanged(record) == before
    response = client.post(f"/workspace/cooperation/{record.pk}/step/", {
        "action": "agree", "agreement": "mou", "agreed_on": "2026-03-02",
        "signatories": "Chairman of the City People's Committee"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.state, record.agreed_on) == ("agreed", dt.date(2026, 3, 2))


def test_a_decline_without_a_reason_is_refused_beside_the_field(client, csco_danang):
    record = record_of("proposal")
    before = unchanged(record)
    client.force_login(csco_danang)
    response = client.post(f"/workspace/cooperation/{record.pk}/step/", {"action": "decline", "reason": ""})
    assert response.status_code == 422
    assert 'id="id_decline_reason_error"' in response.content.decode()
    assert "Give the reason to decline." in response.content.decode()
    assert unchanged(record) == before


def test_comments_and_linked_projects_from_the_page(client, nr_vietnam, csco_danang, no_role_user):
    record = record_of("review", scope="Leak detection")
    client.force_login(no_role_user)
    assert client.post(f"/workspace/cooperation/{record.pk}/comment/", {"text": "Hi"}).status_code == 404
    client.force_login(nr_vietnam)
    assert client.post(f"/workspace/cooperation/{record.pk}/comment/",
                       {"text": "Aligned with the national strategy."}).status_code == 302
    assert list(record.comments.values_list("role", "text")) == [
        ("national_rep", "Aligned with the national strategy.")]
    project = Project.objects.get(reference="A112")
    client.force_login(csco_danang)
    assert client.post(f"/workspace/cooperation/{record.pk}/projects/",
                       {"projects": [project.pk]}).status_code == 302
    assert list(record.projects.all()) == [project]
    page = client.get(f"/workspace/cooperation/{record.pk}/").content.decode()
    assert "Aligned with the national strategy." in page
    assert f'href="/projects/{project.pk}/"' in page


def test_the_city_updates_its_project_from_the_agreement(client, csco_danang):
    project = Project.objects.get(reference="A112")
    record = record_of("agreed", agreement="mou", agreed_on=dt.date(2026, 3, 2), signatories="Mayor's office",
                       budget=Decimal(120000), currency="USD")
    record.projects.set([project])
    client.force_login(csco_danang)
    page = client.get(f"/workspace/cooperation/{record.pk}/")
    assert [p["amount"] for p in page.context["planned"]] == [Decimal("120000.00")]
    response = client.post(f"/workspace/cooperation/{record.pk}/apply/")
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.funding_secured, list(project.partners.values_list("slug", flat=True))) == (
        Decimal("120000.00"), ["jica"])
    assert "planned" not in client.get(f"/workspace/cooperation/{record.pk}/").context


def test_the_workspace_list_shows_the_users_records_only(client, csco_danang):
    own = record_of()
    other = record_of(city=City.objects.get(slug="bangkok"), partner=Partner.objects.get(slug="adb"), state="agreed")
    client.force_login(csco_danang)
    rows = list(client.get("/workspace/cooperation/").context["page"].object_list)
    assert rows == [own]
    assert other in CooperationRecord.objects.visible_to(csco_danang)


def test_a_city_officer_opens_a_twinning(client, csco_danang):
    client.force_login(csco_danang)
    bangkok = City.objects.get(slug="bangkok")
    tag = FrameworkNode.objects.get(code="quality_environment")
    response = client.post("/workspace/cooperation/new/", {"title": "Da Nang and Bangkok twinning", "kind": "twinning",
                                                           "partner": "", "twin_city": bangkok.pk, "programme": "",
                                                           "tags": [tag.pk]})
    assert response.status_code == 302
    record = CooperationRecord.objects.get(title="Da Nang and Bangkok twinning")
    assert (record.city.slug, record.twin_city, record.partner, record.state) == ("da-nang", bangkok, None,
                                                                                   "interest")
    response = client.post("/workspace/cooperation/new/", {"title": "No partner", "kind": "twinning"})
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "partner": ["Choose the partner, or the twin city of a city-to-city twinning."]}


# --- The Secretariat's dashboard -----------------------------------------------------------------------


def dashboard_records() -> list[CooperationRecord]:
    ExchangeRate.objects.create(currency="JPY", units_per_usd=Decimal(150), as_of=dt.date(2026, 1, 5), source="t")
    usd = record_of("agreed", agreement="mou", agreed_on=dt.date(2025, 6, 1), budget=Decimal(100000), currency="USD")
    jpy = record_of("implementation", agreement="loi", agreed_on=dt.date(2026, 2, 1), budget=Decimal(15_000_000),
                    currency="JPY", title="Flood sensors")
    eur = record_of("agreed", agreement="mou", agreed_on=dt.date(2026, 2, 1), budget=Decimal(5000), currency="EUR",
                    title="Training")
    draft = record_of("proposal", budget=Decimal(999), currency="USD", title="Draft")
    return [usd, jpy, eur, draft]


def test_the_dashboard_sums_in_dollars_and_lists_records_without_a_rate(client, secretariat):
    eur = dashboard_records()[2]
    client.force_login(secretariat)
    board = client.get("/workspace/cooperation/dashboard/").context["board"]
    assert board.total == 4
    assert board.committed_usd == Decimal("200000.00")  # 100,000 + 15,000,000 / 150
    assert board.rates == [("JPY", dt.date(2026, 1, 5), Decimal("150.00000000"))]
    assert board.without_rate == [eur]
    stages = {g.key: (g.count, g.usd) for g in board.breakdowns["stage"]}
    assert stages["agreed"] == (2, Decimal("100000.00"))
    assert stages["implementation"] == (1, Decimal("100000.00"))
    assert stages["proposal"] == (1, Decimal(0))
    assert [(g.key, g.usd, g.without_rate) for g in board.breakdowns["year"]] == [
        ("2025", Decimal("100000.00"), 0), ("2026", Decimal("100000.00"), 1)]
    assert [(g.key, g.count) for g in board.breakdowns["country"]] == [("VNM", 4)]


def test_the_dashboard_downloads_carry_the_exact_figures(client, secretariat):
    dashboard_records()
    client.force_login(secretariat)
    text = client.get("/workspace/cooperation/dashboard/?format=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    flood = next(r for r in rows if r["title"] == "Flood sensors")
    assert (flood["committed_usd"], flood["rate_as_of"], flood["units_per_usd"]) == ("100000.00", "2026-01-05",
                                                                                     "150.00000000")
    assert next(r for r in rows if r["title"] == "Training")["no_rate"] == "true"
    data = json.loads(client.get("/workspace/cooperation/dashboard/?format=json").content)
    assert (data["count"], data["committed_usd"]) == (4, "200000.00")
    assert data["rates"] == [{"currency": "JPY", "as_of": "2026-01-05", "units_per_usd": "150.00000000"}]
    book = load_workbook(io.BytesIO(client.get("/workspace/cooperation/dashboard/?format=xlsx").content))
    assert book.sheetnames == ["records", "breakdowns", "rates"]
    assert [c.value for c in book["rates"][2]] == ["JPY", "2026-01-05", "150.00000000"]
    assert client.get("/workspace/cooperation/dashboard/?format=pdf").status_code == 404


def test_only_the_secretariat_sees_the_dashboard(client, accounts):
    for name in ("partner", "csco", "nr", "none"):
        client.force_login(accounts[name])
        assert client.get("/workspace/cooperation/dashboard/").status_code == 403
        assert client.get("/workspace/cooperation/dashboard/?format=csv").status_code == 403


# --- The workspace panel ----------------------------------------------------------------------------------


def test_the_workspace_panel_counts_the_users_records_by_stage(client, partner_jica, no_role_user):
    from ascn.partnerships import panels_cooperation  # registers the panel (the app's extensions import it)

    own = record_of("proposal", title="Water loss reduction")
    record_of("agreed", title="Flood sensors", agreement="mou", agreed_on=dt.date(2026, 2, 1))
    record_of("interest", partner=Partner.objects.get(slug="adb"), title="Someone else's")
    client.force_login(partner_jica)
    page = client.get("/workspace/").content.decode()
    assert 'data-testid="cooperation-states"' in page
    assert '?state=proposal">Proposal</a>: 1' in page
    assert '?state=agreed">Agreed</a>: 1' in page
    assert f'href="/workspace/cooperation/{own.pk}/">Water loss reduction</a>' in page
    assert "Someone else" not in page
    context = panels_cooperation.my_cooperation(type("R", (), {"user": partner_jica})(), None)
    assert (context["total"], [r.title for r in context["recent"]]) == (2, ["Flood sensors", "Water loss reduction"])
    assert panels_cooperation.my_cooperation(type("R", (), {"user": no_role_user})(), None) is None


def test_the_public_filter_names_only_partners_of_agreed_cooperation(client):
    rows = {scope.name: make_record(scope, 0) for scope in RECORD.scopes}
    partners = client.get("/partnerships/cooperation/").context["form"].fields["partner"].choices
    assert [value for value, _label in partners] == ["", "adb", "jica"]
    CooperationRecord.objects.filter(pk=rows["own"].pk).update(state="withdrawn")
    partners = client.get("/partnerships/cooperation/").context["form"].fields["partner"].choices
    assert [value for value, _label in partners] == ["", "adb"]  # UNDP's record is only an interest


def test_the_workspace_list_in_a_fixed_number_of_queries(client, secretariat, django_assert_max_num_queries):
    for n in range(30):
        make_record(FOREIGN if n % 2 else OWN_DRAFT, n + 1)
    client.force_login(secretariat)
    with django_assert_max_num_queries(12):
        response = client.get("/workspace/cooperation/?state=agreed")
    assert response.context["page"].paginator.count == 15


def test_the_pages_are_translated(client, csco_danang):
    record = CooperationRecord.objects.create(title="Smart water pilot", kind="twinning",
                                              city=City.objects.get(slug="da-nang"),
                                              twin_city=City.objects.get(slug="bangkok"), state="agreed")
    page = client.get(f"/vi/partnerships/cooperation/{record.pk}/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.content.decode()


def test_a_chart_is_drawn_on_the_server_as_svg(client, secretariat):
    dashboard_records()
    client.force_login(secretariat)
    response = client.get("/workspace/cooperation/dashboard/?chart=committed")
    assert (response.status_code, response["Content-Type"]) == (200, "image/svg+xml")
    assert response.content.startswith(b"<svg")
    assert client.get("/workspace/cooperation/dashboard/?chart=pie").status_code == 404
