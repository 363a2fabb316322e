"""The cooperation pipeline: the workflow as data, every step's role check and record, comments, linked
projects, and updating the projects from an agreement (money converted through the rate table).

The accounts are the root conftest's: the Secretariat, the NR of Viet Nam, the CSCO of Da Nang, a JICA partner
user and an account without a role. The record is JICA's with Da Nang unless a test says otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ascn.core.models import AuditEntry, ExchangeRate
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Partner
from ascn.partnerships import workflow
from ascn.partnerships.actions import cooperation as actions
from ascn.partnerships.models import CooperationComment, CooperationRecord, CooperationTransition
from ascn.partnerships.queries import cooperation as queries
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db

AGREEMENT = {"agreement": "mou", "agreed_on": dt.date(2026, 3, 2),
             "signatories": "Chairman of the City People's Committee; Chief Representative of the partner office"}


def record_of(partner: str = "jica", city: str = "da-nang", **fields) -> CooperationRecord:
    values = {"title": "Smart water pilot", "kind": "technical_assistance", "city": City.objects.get(slug=city),
              "partner": Partner.objects.get(slug=partner) if partner else None, **fields}
    return CooperationRecord.objects.create(**values)


def snapshot(record: CooperationRecord) -> tuple:
    """Everything a denied write could have changed."""
    record.refresh_from_db()
    return (record.state, record.scope, record.budget, record.reason, record.agreement,
            CooperationTransition.objects.count(), CooperationComment.objects.count(), AuditEntry.objects.count(),
            sorted(record.projects.values_list("pk", flat=True)))


def water_project() -> Project:
    return Project.objects.get(reference="A112")


# --- The workflow as data ----------------------------------------------------------------------------------


def test_the_workflow_offers_each_role_its_steps():
    def actions_of(state: str, role: str | None) -> list[str]:
        return [t.action for t in workflow.available(state, role)]

    assert actions_of("interest", "partner") == ["propose", "decline", "withdraw"]
    assert actions_of("interest", "national_rep") == []
    assert actions_of("proposal", "city_officer") == ["submit", "decline", "withdraw"]
    assert actions_of("review", "national_rep") == ["return"]
    assert actions_of("review", "secretariat") == ["return", "agree", "decline", "withdraw"]
    assert actions_of("review", "partner") == ["agree", "decline", "withdraw"]
    assert actions_of("agreed", "city_officer") == ["start", "withdraw"]
    assert actions_of("implementation", "partner") == ["complete", "withdraw"]
    assert actions_of("completed", "secretariat") == []
    assert actions_of("declined", "secretariat") == []
    assert actions_of("interest", None) == []
    assert [t.action for t in workflow.TRANSITIONS if t.needs_reason] == ["return", "decline", "withdraw"]
    assert workflow.find("agree", "proposal") is None
    assert workflow.find("agree", "review").target == "agreed"
    assert workflow.roles_for("return") == {"national_rep", "secretariat"}


def test_the_workflow_states_are_the_models():
    from ascn.partnerships.choices import AGREED_STATES, CooperationState

    assert set(workflow.STATES) == set(CooperationState.values)
    assert {str(s) for s in AGREED_STATES} == workflow.AGREED_STATES


# --- Roles on a record --------------------------------------------------------------------------------------


def test_each_account_holds_its_role_on_a_record(accounts, nr_thailand):
    record = record_of()
    assert {name: queries.role_on(user, record) for name, user in accounts.items()} == {
        "secretariat": "secretariat", "nr": "national_rep", "csco": "city_officer", "partner": "partner",
        "none": None}
    assert queries.role_on(nr_thailand, record) is None
    assert queries.role_on(None, record) is None


def test_a_twin_city_sees_and_takes_part_in_its_twinning(csco_danang, nr_vietnam, partner_jica):
    record = record_of(partner="", city="bangkok", twin_city=City.objects.get(slug="da-nang"), kind="twinning",
                       title="Bangkok and Da Nang twinning")
    assert queries.role_on(csco_danang, record) == "city_officer"
    assert queries.role_on(nr_vietnam, record) == "national_rep"
    assert list(queries.visible(csco_danang).filter(pk=record.pk)) == [record]
    assert list(queries.visible(nr_vietnam).filter(pk=record.pk)) == [record]
    assert list(queries.visible(partner_jica).filter(pk=record.pk)) == []
    assert list(queries.my_records(csco_danang)) == [record]
    actions.transition(csco_danang, record, "propose")
    assert record.state == "proposal"


def test_a_draft_stage_record_is_seen_by_its_parties_only(accounts, nr_thailand):
    record = record_of()
    seen = {name: queries.visible(user).filter(pk=record.pk).exists() for name, user in accounts.items()}
    assert seen == {"secretariat": True, "nr": True, "csco": True, "partner": True, "none": False}
    assert not queries.visible(None).filter(pk=record.pk).exists()
    assert not queries.visible(nr_thailand).filter(pk=record.pk).exists()
    record.state = "agreed"
    record.save()
    assert queries.visible(None).filter(pk=record.pk).exists()
    assert list(queries.agreed(None)) == [record]


# --- Opening a record -------------------------------------------------------------------------------------


def test_a_partner_opens_a_record_with_its_own_organisation(partner_jica):
    tag = FrameworkNode.objects.get(code="quality_environment")
    record = actions.create_record(partner_jica, {
        "title": "Water loss reduction", "kind": "technical_assistance", "partner": Partner.objects.get(slug="jica"),
        "city": City.objects.get(slug="da-nang"), "budget": 250000, "currency": "usd"},
        tags=[tag], projects=[water_project()])
    record.refresh_from_db()
    assert (record.state, record.budget, record.currency) == ("interest", Decimal("250000.00"), "USD")
    assert list(record.projects.all()) == [water_project()]
    entry = AuditEntry.objects.get(object_id=str(record.pk), content_type__model="cooperationrecord")
    assert entry.action == "create"
    assert entry.changes["title"] == [None, "Water loss reduction"]
    assert entry.changes["tags"] == [[], ["quality_environment"]]
    assert entry.changes["projects"] == [[], [water_project().pk]]


def test_opening_a_record_for_someone_else_is_refused_and_changes_nothing(partner_jica, csco_danang, nr_vietnam):
    count, audits = CooperationRecord.objects.count(), AuditEntry.objects.count()
    adb = Partner.objects.get(slug="adb")
    for actor, city in ((partner_jica, "da-nang"), (csco_danang, "bangkok"), (nr_vietnam, "da-nang")):
        with pytest.raises(PermissionDenied):
            actions.create_record(actor, {"title": "X", "kind": "financing", "partner": adb,
                                          "city": City.objects.get(slug=city)})
    assert (CooperationRecord.objects.count(), AuditEntry.objects.count()) == (count, audits)


def test_a_record_needs_a_partner_or_a_twin_city(secretariat):
    with pytest.raises(ValidationError) as caught:
        actions.create_record(secretariat, {"title": "X", "kind": "twinning", "city": City.objects.get(slug="da-nang")})
    assert caught.value.message_dict == {"partner": ["Choose the partner, or the twin city of a city-to-city twinning."]}


def test_a_project_of_another_city_is_not_linked(secretariat):
    bangkok = Project.objects.filter(city__slug="bangkok").first()
    count = CooperationRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        actions.create_record(secretariat, {"title": "X", "kind": "financing", "partner": Partner.objects.get(slug="jica"),
                                            "city": City.objects.get(slug="da-nang")}, projects=[bangkok])
    assert caught.value.message_dict == {"projects": [f"Link only projects of the record's cities; not: {bangkok.title}."]}
    assert CooperationRecord.objects.count() == count


# --- The proposal and the steps --------------------------------------------------------------------------


def test_the_pair_moves_from_interest_to_an_mou(partner_jica, csco_danang, nr_vietnam, secretariat):
    record = record_of()
    actions.transition(csco_danang, record, "propose")
    changes = actions.update_proposal(partner_jica, record, {
        "scope": "Leak detection in two districts", "budget": Decimal("120000"), "currency": "USD",
        "start_date": dt.date(2026, 4, 1), "end_date": dt.date(2027, 3, 31),
        "documents": [{"label": "Concept note", "url": "https://example.org/concept.pdf"}]})
    assert changes["scope"] == ["", "Leak detection in two districts"]
    assert changes["budget"] == [None, "120000.00"]
    actions.transition(partner_jica, record, "submit")
    actions.add_comment(nr_vietnam, record, "Aligned with the national water strategy.")
    actions.add_comment(secretariat, record, "Please name the districts.")
    actions.transition(partner_jica, record, "agree", agreement=AGREEMENT)
    record.refresh_from_db()
    assert (record.state, record.agreement, record.agreed_on, record.signatories) == (
        "agreed", "mou", dt.date(2026, 3, 2), AGREEMENT["signatories"])
    steps = list(record.transitions.values_list("action", "from_state", "to_state", "role", "by__username"))
    assert steps == [("propose", "interest", "proposal", "city_officer", "csco-dn"),
                     ("submit", "proposal", "review", "partner", "partner-jica"),
                     ("agree", "review", "agreed", "partner", "partner-jica")]
    assert list(record.comments.values_list("role", "text")) == [
        ("national_rep", "Aligned with the national water strategy."), ("secretariat", "Please name the districts.")]
    audit = AuditEntry.objects.filter(content_type__model="cooperationrecord", object_id=str(record.pk)).order_by("id")
    assert [e.changes.get("state") for e in audit] == [
        ["interest", "proposal"], None, ["proposal", "review"], ["review", "agreed"]]
    assert audit.last().changes["agreement"] == ["", "mou"]


def test_a_step_the_role_may_not_take_is_refused_and_changes_nothing(nr_vietnam, csco_danang, no_role_user):
    record = record_of(state="review", scope="Leak detection")
    before = snapshot(record)
    with pytest.raises(PermissionDenied) as caught:
        actions.transition(nr_vietnam, record, "agree", agreement=AGREEMENT)
    assert str(caught.value) == "Your role may not take the step “Record the agreement” on a record that is under review."
    with pytest.raises(PermissionDenied):
        actions.transition(no_role_user, record, "withdraw", reason="No")
    with pytest.raises(ValidationError) as wrong_state:
        actions.transition(csco_danang, record, "propose")
    assert wrong_state.value.message_dict == {"action": [
        "A record that is under review cannot answer with a proposal: choose another step."]}
    with pytest.raises(ValidationError) as unknown:
        actions.transition(csco_danang, record, "approve")
    assert unknown.value.message_dict["action"][0].startswith("Unknown action “approve”")
    assert snapshot(record) == before


def test_declining_and_withdrawing_need_a_reason(partner_jica, csco_danang):
    record = record_of(state="proposal")
    before = snapshot(record)
    with pytest.raises(ValidationError) as caught:
        actions.transition(csco_danang, record, "decline", reason="  ")
    assert caught.value.message_dict == {"reason": ["Give the reason to decline."]}
    assert snapshot(record) == before
    actions.transition(csco_danang, record, "decline", reason="The city funds it from its own budget.")
    record.refresh_from_db()
    assert (record.state, record.reason) == ("declined", "The city funds it from its own budget.")
    assert workflow.available(record.state, "partner") == []
    other = record_of(state="agreed")
    actions.transition(partner_jica, other, "withdraw", reason="The programme closed.")
    assert other.transitions.get().reason == "The programme closed."


def test_the_reviewers_return_a_proposal_with_a_reason(nr_vietnam):
    record = record_of(state="review", scope="Leak detection")
    with pytest.raises(ValidationError):
        actions.transition(nr_vietnam, record, "return")
    actions.transition(nr_vietnam, record, "return", reason="Name the districts.")
    record.refresh_from_db()
    assert record.state == "proposal"
    assert record.transitions.get().role == "national_rep"


def test_submitting_needs_a_scope_and_agreeing_needs_the_agreement(partner_jica):
    record = record_of(state="proposal")
    with pytest.raises(ValidationError) as caught:
        actions.transition(partner_jica, record, "submit")
    assert caught.value.message_dict == {"scope": [
        "Describe the scope of the proposal before submitting it for review."]}
    record.scope = "Leak detection"
    record.state = "review"
    record.save()
    before = snapshot(record)
    with pytest.raises(ValidationError) as agreement:
        actions.transition(partner_jica, record, "agree", agreement={"agreement": "contract",
                                                                     "agreed_on": dt.date(2999, 1, 1)})
    assert agreement.value.message_dict == {
        "agreement": ["Choose the kind of agreement: a letter of intent or a memorandum of understanding."],
        "agreed_on": ["The date of signature is in the future."],
        "signatories": ["Give the signatories' roles (offices, never a person's name)."]}
    with pytest.raises(ValidationError) as extra:
        actions.transition(partner_jica, record, "submit", agreement={"agreement": "mou"})
    assert extra.value.message_dict == {"agreement": ["The agreement is given only to record it."]}
    assert snapshot(record) == before


def test_the_proposal_is_changed_only_before_review_and_by_a_party(nr_vietnam, partner_jica):
    record = record_of(state="review")
    before = snapshot(record)
    with pytest.raises(ValidationError) as caught:
        actions.update_proposal(partner_jica, record, {"scope": "More"})
    assert caught.value.message_dict["state"][0].startswith("A record that is under review is not changed any more")
    with pytest.raises(PermissionDenied):
        actions.update_proposal(nr_vietnam, record_of(), {"scope": "More"})
    with pytest.raises(ValidationError) as bad:
        actions.update_proposal(partner_jica, record_of(), {"budget": Decimal(10), "currency": "XYZ"})
    assert bad.value.message_dict == {"currency": ["“XYZ” is not an ISO 4217 currency code."]}
    assert snapshot(record) == before


def test_comments_are_for_the_parties_and_reviewers(no_role_user, nr_thailand, csco_danang):
    record = record_of()
    before = snapshot(record)
    for outsider in (no_role_user, nr_thailand):
        with pytest.raises(PermissionDenied):
            actions.add_comment(outsider, record, "Hello")
    with pytest.raises(ValidationError) as empty:
        actions.add_comment(csco_danang, record, "  ")
    assert empty.value.message_dict == {"text": ["Write the comment."]}
    assert snapshot(record) == before
    comment = actions.add_comment(csco_danang, record, "We are interested.")
    entry = AuditEntry.objects.get(content_type__model="cooperationcomment", object_id=str(comment.pk))
    assert entry.changes["text"] == [None, "We are interested."]


def test_linking_projects(csco_danang, partner_jica, no_role_user):
    record = record_of()
    project = water_project()
    assert actions.link_projects(partner_jica, record, [project]) == {"projects": [[], [project.pk]]}
    assert actions.link_projects(partner_jica, record, [project]) == {}
    before = snapshot(record)
    with pytest.raises(PermissionDenied):
        actions.link_projects(no_role_user, record, [])
    assert snapshot(record) == before
    assert actions.link_projects(csco_danang, record, []) == {"projects": [[project.pk], []]}


# --- Updating the projects from the agreement ------------------------------------------------------------


def agreed_record(**fields) -> CooperationRecord:
    record = record_of(state="agreed", agreement="mou", agreed_on=dt.date(2026, 3, 2), signatories="Mayor's office",
                       scope="Leak detection", **fields)
    record.projects.set([water_project()])
    return record


def test_the_agreement_adds_the_partner_and_the_secured_funding(csco_danang):
    project = water_project()
    Project.objects.filter(pk=project.pk).update(currency="USD", cost_estimate=Decimal(1_000_000),
                                                 funding_secured=Decimal(100_000))
    record = agreed_record(budget=Decimal("120000.00"), currency="USD")
    actions.apply_to_projects(csco_danang, record)
    project.refresh_from_db()
    assert project.funding_secured == Decimal("220000.00")
    assert list(project.partners.values_list("slug", flat=True)) == ["jica"]
    assert record.transitions.get().action == "apply"
    entry = AuditEntry.objects.filter(content_type__model="cooperationrecord", object_id=str(record.pk)).get()
    assert entry.changes == {"applied_to_projects": [None, {str(project.pk): {
        "funding_secured": "220000.00", "partners": ["jica"]}}]}
    project_entries = AuditEntry.objects.filter(content_type__model="project", object_id=str(project.pk),
                                                actor=csco_danang)
    assert sorted(tuple(e.changes) for e in project_entries) == [("funding_secured",), ("partners",)]
    with pytest.raises(ValidationError) as twice:
        actions.apply_to_projects(csco_danang, record)
    assert twice.value.message_dict == {"projects": ["The projects were already updated from this agreement."]}


def test_the_budget_is_converted_into_the_projects_currency_at_the_agreements_date(secretariat):
    ExchangeRate.objects.create(currency="JPY", units_per_usd=Decimal("150"), as_of=dt.date(2026, 3, 1), source="t")
    ExchangeRate.objects.create(currency="JPY", units_per_usd=Decimal("100"), as_of=dt.date(2026, 5, 1), source="t")
    ExchangeRate.objects.create(currency="VND", units_per_usd=Decimal("25000"), as_of=dt.date(2026, 2, 1),
                                source="t")
    project = water_project()
    Project.objects.filter(pk=project.pk).update(currency="VND", cost_estimate=None, funding_secured=None)
    record = agreed_record(budget=Decimal("3000000"), currency="JPY")
    planned = actions.planned_changes(record)
    assert planned[0]["amount"] == Decimal("500000000.00")  # 3,000,000 / 150 * 25,000
    assert planned[0]["rates"] == [("JPY", dt.date(2026, 3, 1)), ("VND", dt.date(2026, 2, 1))]
    actions.apply_to_projects(secretariat, record)
    project.refresh_from_db()
    assert project.funding_secured == Decimal("500000000.00")


def test_no_rate_or_a_sum_above_the_cost_is_refused_and_changes_nothing(csco_danang):
    project = water_project()
    Project.objects.filter(pk=project.pk).update(currency="USD", cost_estimate=Decimal(100_000),
                                                 funding_secured=Decimal(50_000))
    record = agreed_record(budget=Decimal("3000000"), currency="JPY")
    before = snapshot(record)
    with pytest.raises(ValidationError) as no_rate:
        actions.apply_to_projects(csco_danang, record)
    assert no_rate.value.message_dict == {"currency": [
        "No exchange rate for JPY on or before March 2, 2026 is recorded: the Secretariat adds it to the exchange "
        "rates first."]}
    record.budget, record.currency = Decimal(60_000), "USD"
    record.save()
    before = snapshot(record)
    with pytest.raises(ValidationError) as above:
        actions.apply_to_projects(csco_danang, record)
    assert above.value.message_dict == {"budget": [
        "“Smart Water Management System” would have USD 110,000.00 secured, above its cost estimate of USD "
        "100,000.00: correct the project's cost estimate or its secured funding first."]}
    assert snapshot(record) == before
    project.refresh_from_db()
    assert (project.funding_secured, project.partners.count()) == (Decimal("50000.00"), 0)


def test_only_the_city_or_the_secretariat_update_the_projects(partner_jica, nr_vietnam):
    record = agreed_record(budget=Decimal(1000), currency="USD")
    before = snapshot(record)
    for actor in (partner_jica, nr_vietnam):
        with pytest.raises(PermissionDenied):
            actions.apply_to_projects(actor, record)
    assert snapshot(record) == before
    assert water_project().funding_secured is None


def test_a_record_not_agreed_updates_no_project(csco_danang):
    record = record_of(state="review")
    record.projects.set([water_project()])
    with pytest.raises(ValidationError) as caught:
        actions.apply_to_projects(csco_danang, record)
    assert caught.value.message_dict == {"state": ["Only an agreed record updates its projects; this one is under "
                                                   "review."]}
