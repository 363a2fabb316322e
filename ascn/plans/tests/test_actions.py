"""Writes of the plans app (actions.py): permissions, validation, status from progress updates, audit, plan versions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from ascn.core.models import AuditEntry
from ascn.plans import actions
from ascn.plans.diffing import Change
from ascn.plans.models import ActionPlan, Comment, ProgressUpdate, Project, StrategicTarget, SupportNeed
from ascn.plans.queries import plan_history

from .helpers import city, node, partner, project, state, who

pytestmark = pytest.mark.django_db


def new_project_data(**overrides):
    return {
        "city": city("da-nang"), "title": "Smart parking pilot", "focus_area": node("built_infrastructure"),
        "project_type": node("built_infrastructure.mobility_transportation"), "stage": "feasibility",
        "start_date": dt.date(2027, 1, 1), "end_date": dt.date(2028, 12, 31),
        "cost_estimate": Decimal("1500000"), "funding_secured": Decimal("250000"), "is_published": True,
        **overrides,
    }


def audit_of(obj):
    return list(AuditEntry.objects.filter(content_type__model=type(obj)._meta.model_name, object_id=str(obj.pk))
                .order_by("id"))


# --- create_project -------------------------------------------------------------------------------


def test_city_officer_creates_a_project_in_own_city_with_support_and_partners(csco_danang):
    audit_before = AuditEntry.objects.count()
    created = actions.create_project(csco_danang, new_project_data(),
                                     support={"financial": " Loan for the sensors ", "technical": ""},
                                     partners=[partner("jica"), partner("adb")])
    created = Project.objects.get(pk=created.pk)
    assert (created.city.slug, created.title, created.status, created.stage, created.currency) == (
        "da-nang", "Smart parking pilot", "planning", "feasibility", "USD")
    assert (created.cost_estimate, created.funding_secured, created.funding_gap) == (
        Decimal("1500000.00"), Decimal("250000.00"), Decimal("1250000.00"))
    assert list(created.support_needs.values_list("kind", "details")) == [
        ("financial", "Loan for the sensors"), ("technical", "")]
    assert sorted(created.partners.values_list("slug", flat=True)) == ["adb", "jica"]
    assert Project.objects.count() == 137
    entries = audit_of(created)
    assert AuditEntry.objects.count() == audit_before + 3
    assert [(e.action, e.actor, e.via) for e in entries] == [
        ("create", csco_danang, "web"), ("update", csco_danang, "web"), ("update", csco_danang, "web")]
    assert entries[0].changes["title"] == [None, "Smart parking pilot"]
    assert entries[0].changes["cost_estimate"] == [None, "1500000"]
    assert entries[1].changes == {"support": [{}, {"financial": "Loan for the sensors", "technical": ""}]}
    assert entries[2].changes == {"partners": [[], ["adb", "jica"]]}


@pytest.mark.parametrize(("role", "slug"), [
    ("csco", "ha-noi"), ("nr", "da-nang"), ("partner", "da-nang"), ("none", "da-nang"), ("anonymous", "da-nang"),
])
def test_denied_project_creation_changes_nothing(accounts, role, slug):
    before = state()
    with pytest.raises(PermissionDenied):
        actions.create_project(who(accounts, role), new_project_data(city=city(slug)), support={"financial": ""},
                               partners=[partner("jica")])
    assert state() == before


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"funding_secured": Decimal("2000000")}, {"funding_secured": ["Funding secured cannot exceed the cost estimate."]}),
    ({"focus_area": "civic_social"}, {"project_type": ["This project type belongs to another focus area."]}),
    ({"end_date": dt.date(2026, 12, 31)}, {"end_date": ["The end must not be before the start."]}),
    ({"currency": "XYZ"}, {"currency": ["“XYZ” is not an ISO 4217 currency code."]}),
    ({"links": [{"label": "x", "url": "ftp://example.invalid"}]},
     {"links": ["Give links as a list of {label, url} with http(s) addresses."]}),
])
def test_invalid_new_project_is_refused_naming_the_field(csco_danang, overrides, expected):
    if "focus_area" in overrides:
        overrides = {"focus_area": node(overrides["focus_area"])}
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.create_project(csco_danang, new_project_data(**overrides), support={"financial": ""})
    assert refused.value.message_dict == expected
    assert state() == before


def test_unknown_fields_and_support_kinds_are_refused(csco_danang):
    before = state()
    with pytest.raises(ValidationError) as unknown_field:
        actions.create_project(csco_danang, new_project_data(search_text="x"))
    assert unknown_field.value.message_dict == {"search_text": ["This field cannot be set here."]}
    with pytest.raises(ValidationError) as unknown_kind:
        actions.create_project(csco_danang, new_project_data(), support={"loans": "x"})
    assert unknown_kind.value.message_dict == {"support": ["Unknown kind of support: loans."]}
    assert state() == before


def test_funding_gap_is_cost_minus_secured_and_never_negative():
    def gap(cost, secured):
        return Project(cost_estimate=cost, funding_secured=secured).funding_gap

    assert gap(Decimal("1000000"), Decimal("250000")) == Decimal("750000")
    assert gap(Decimal("1000000"), None) == Decimal("1000000")
    assert gap(Decimal("100.50"), Decimal("100.50")) == Decimal("0")
    assert gap(Decimal("100"), Decimal("150")) == Decimal("0")
    assert gap(None, Decimal("10")) is None
    assert gap(None, None) is None


# --- update_project -------------------------------------------------------------------------------


def test_city_officer_updates_a_project_and_the_change_is_audited(csco_danang):
    a112 = project("A112")
    changes = actions.update_project(csco_danang, a112, {"cost_estimate": Decimal("2500000.00"),
                                                         "funding_secured": Decimal("1000000.50")})
    assert changes == {"cost_estimate": [None, "2500000.00"], "funding_secured": [None, "1000000.50"]}
    a112.refresh_from_db()
    assert a112.funding_gap == Decimal("1499999.50")
    entry = audit_of(a112)[-1]
    assert (entry.action, entry.actor, entry.via, entry.changes) == ("update", csco_danang, "web", changes)
    audit_before = AuditEntry.objects.count()
    assert actions.update_project(csco_danang, a112, {"cost_estimate": Decimal("2500000")}) == {}
    assert AuditEntry.objects.count() == audit_before


def test_changing_the_status_directly_is_refused(csco_danang, secretariat):
    before = state()
    for actor in (csco_danang, secretariat):
        with pytest.raises(ValidationError) as refused:
            actions.update_project(actor, project("A112"), {"status": "completed", "title": "Renamed"})
        assert refused.value.message_dict == {"status": ["The status changes through a progress update."]}
    assert state() == before


def test_moving_a_project_to_another_city_is_refused(csco_danang, secretariat):
    before = state()
    for actor in (csco_danang, secretariat):
        with pytest.raises(ValidationError) as refused:
            actions.update_project(actor, project("A112"), {"city": city("ha-noi")})
        assert refused.value.message_dict == {
            "city": ["A project cannot move to another city; record it there instead."]}
    assert state() == before


def test_funding_above_cost_and_a_type_of_another_focus_area_are_refused_on_update(csco_danang):
    before = state()
    with pytest.raises(ValidationError) as too_much:
        actions.update_project(csco_danang, project("A112"), {"cost_estimate": Decimal("100"),
                                                              "funding_secured": Decimal("200")})
    assert too_much.value.message_dict == {"funding_secured": ["Funding secured cannot exceed the cost estimate."]}
    with pytest.raises(ValidationError) as other_type:
        actions.update_project(csco_danang, project("A112"), {"project_type": node("built_infrastructure.utilities")})
    assert other_type.value.message_dict == {"project_type": ["This project type belongs to another focus area."]}
    assert state() == before


@pytest.mark.parametrize(("role", "reference"), [
    ("csco", "A113"), ("nr", "A112"), ("partner", "A112"), ("none", "A112"), ("anonymous", "A112"),
])
def test_denied_project_updates_and_deletes_change_nothing(accounts, role, reference):
    user = who(accounts, role)
    before = state()
    with pytest.raises(PermissionDenied):
        actions.update_project(user, project(reference), {"title": "Changed"}, support={"financial": ""},
                               partners=[partner("jica")])
    with pytest.raises(PermissionDenied):
        actions.delete_project(user, project(reference))
    with pytest.raises(PermissionDenied):
        actions.add_progress_update(user, project(reference), {"date": dt.date(2026, 1, 1), "status": "completed",
                                                               "percent_complete": 100})
    assert state() == before


def test_support_needs_and_partners_changes_are_audited(csco_danang):
    a112 = project("A112")
    changes = actions.update_project(csco_danang, a112, {}, support={"financial": "Co-financing", "technical": ""},
                                     partners=[partner("jica"), partner("adb")])
    assert changes == {"support": [{}, {"financial": "Co-financing", "technical": ""}],
                       "partners": [[], ["adb", "jica"]]}
    assert [e.changes for e in audit_of(a112)[-2:]] == [
        {"support": [{}, {"financial": "Co-financing", "technical": ""}]}, {"partners": [[], ["adb", "jica"]]}]
    audit_before = AuditEntry.objects.count()
    assert actions.update_project(csco_danang, a112, {}, support={"financial": "Co-financing", "technical": ""},
                                  partners=[partner("adb"), partner("jica")]) == {}
    assert AuditEntry.objects.count() == audit_before
    changes = actions.update_project(csco_danang, a112, {}, support={"advisory": "Tariffs"}, partners=[])
    assert changes == {"support": [{"financial": "Co-financing", "technical": ""}, {"advisory": "Tariffs"}],
                       "partners": [["adb", "jica"], []]}
    assert list(SupportNeed.objects.filter(project=a112).values_list("kind", "details")) == [("advisory", "Tariffs")]
    assert a112.partners.count() == 0
    assert AuditEntry.objects.count() == audit_before + 2


def test_city_officer_deletes_own_draft_and_it_is_audited(csco_danang, draft):
    pk = draft.pk
    actions.delete_project(csco_danang, draft)
    assert not Project.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.filter(content_type__model="project", object_id=str(pk)).latest("id")
    assert (entry.action, entry.actor, entry.changes["title"]) == (
        "delete", csco_danang, ["Smart parking pilot (draft)", None])


# --- Progress updates ------------------------------------------------------------------------------


def test_status_follows_the_latest_update_by_date(csco_danang):
    a112 = project("A112")
    newer = actions.add_progress_update(csco_danang, a112, {
        "date": dt.date(2026, 3, 1), "status": "completed", "percent_complete": 100, "progress": "In operation"})
    a112.refresh_from_db()
    assert a112.status == "completed"
    assert (newer.author, newer.status, newer.percent_complete) == (csco_danang, "completed", 100)
    actions.add_progress_update(csco_danang, a112, {"date": dt.date(2026, 1, 10), "status": "ongoing",
                                                    "percent_complete": 90})
    a112.refresh_from_db()
    assert a112.status == "completed"
    assert list(a112.updates.values_list("date", "status")) == [
        (dt.date(2026, 3, 1), "completed"), (dt.date(2026, 1, 10), "ongoing"), (dt.date(2025, 9, 30), "ongoing")]
    status_changes = [e.changes for e in audit_of(a112) if e.via == "web" and "status" in e.changes]
    assert status_changes == [{"status": ["ongoing", "completed"]}]
    actions.add_progress_update(csco_danang, a112, {"date": dt.date(2026, 3, 1), "status": "cancelled"})
    a112.refresh_from_db()
    assert a112.status == "cancelled"


@pytest.mark.parametrize(("data", "expected"), [
    ({"status": "ongoing", "percent_complete": 101}, {"percent_complete": ["Ensure this value is less than or equal to 100."]}),
    ({"status": "completed", "percent_complete": 40}, {"percent_complete": ["A completed project is 100 percent complete."]}),
    ({"status": "finished"}, {"status": ["Value 'finished' is not a valid choice."]}),
])
def test_invalid_progress_updates_are_refused_and_change_nothing(csco_danang, data, expected):
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.add_progress_update(csco_danang, project("A112"), {"date": dt.date(2026, 3, 1), **data})
    assert refused.value.message_dict == expected
    assert state() == before


# --- Comments -------------------------------------------------------------------------------------


def test_nr_of_the_country_comments_on_projects_and_plans(nr_vietnam, draft):
    audit_before = AuditEntry.objects.count()
    comment = actions.add_comment(nr_vietnam, "  Please add the cost estimate.  ", project=project("A112"))
    assert (comment.body, comment.author, comment.project.reference, comment.plan) == (
        "Please add the cost estimate.", nr_vietnam, "A112", None)
    actions.add_comment(nr_vietnam, "Publish when ready.", project=draft)
    actions.add_comment(nr_vietnam, "Targets need baselines.", plan=ActionPlan.objects.get(city__slug="da-nang"))
    assert Comment.objects.count() == 3
    assert AuditEntry.objects.count() == audit_before + 3


def test_city_officer_and_secretariat_comment(csco_danang, secretariat):
    actions.add_comment(csco_danang, "Procurement starts in May.", project=project("A112"))
    actions.add_comment(secretariat, "Noted.", project=project("A1"))
    assert list(Comment.objects.values_list("project__reference", "body")) == [
        ("A112", "Procurement starts in May."), ("A1", "Noted.")]


@pytest.mark.parametrize("role", ["partner", "none", "anonymous"])
def test_partners_and_the_public_may_not_comment(accounts, role):
    before = state()
    with pytest.raises(PermissionDenied):
        actions.add_comment(who(accounts, role), "Hello", project=project("A112"))
    with pytest.raises(PermissionDenied):
        actions.add_comment(who(accounts, role), "Hello", plan=ActionPlan.objects.get(city__slug="da-nang"))
    assert state() == before


def test_nr_of_another_country_may_not_comment(nr_thailand, draft):
    """NRs comment on their own country's plans and projects only (see add_comment)."""
    before = state()
    with pytest.raises(PermissionDenied):
        actions.add_comment(nr_thailand, "Hello", project=draft)
    with pytest.raises(PermissionDenied):
        actions.add_comment(nr_thailand, "Hello", project=project("A112"))
    with pytest.raises(PermissionDenied):
        actions.add_comment(nr_thailand, "Hello", plan=ActionPlan.objects.get(city__slug="battambang"))
    assert state() == before


def test_city_officer_may_not_comment_on_another_city(csco_danang):
    """City officers comment on their own city's plans and projects only (see add_comment)."""
    before = state()
    with pytest.raises(PermissionDenied):
        actions.add_comment(csco_danang, "Hello", project=project("A113"))
    with pytest.raises(PermissionDenied):
        actions.add_comment(csco_danang, "Hello", plan=ActionPlan.objects.get(city__slug="ha-noi"))
    assert state() == before


# --- Action plans ---------------------------------------------------------------------------------


def targets_of(plan):
    return list(plan.targets.order_by("position").values_list(
        "position", "statement", "metric", "unit", "baseline_value", "baseline_year", "target_value", "target_year"))


def test_new_plan_version_copies_targets_focus_areas_and_priority_projects(csco_danang):
    plan = ActionPlan.objects.get(city__slug="da-nang", year=2018)
    actions.update_plan(csco_danang, plan, {}, focus_areas=[node("quality_environment"), node("built_infrastructure")])
    new = actions.new_plan_version(csco_danang, plan, 2025)
    new = ActionPlan.objects.get(pk=new.pk)
    assert (new.city.slug, new.year, new.vision, new.horizon_year, new.is_published, new.source) == (
        "da-nang", 2025, "A smart, liveable and sustainable city by 2030", 2030, False, "")
    assert targets_of(new) == targets_of(plan) == [
        (1, "Smart ICT infrastructure and key databases in place", "", "", None, None, None, 2020),
        (2, "Smart applications in 16 key domains", "Domains with smart applications", "domains", None, None,
         Decimal("16"), 2025),
        (3, "An innovative ecosystem", "", "", None, None, None, 2030),
    ]
    assert sorted(new.focus_areas.values_list("code", flat=True)) == ["built_infrastructure", "quality_environment"]
    assert sorted(new.priority_projects.values_list("reference", flat=True)) == ["A112", "SCAP18-DN1"]
    assert StrategicTarget.objects.count() == 24
    assert ActionPlan.objects.filter(city__slug="da-nang").count() == 2


def test_a_new_version_can_be_started_after_the_old_horizon(secretariat):
    """Battambang's 2018 plan looks to 2025: its 2026 version must still be possible (with all six targets)."""
    plan = ActionPlan.objects.get(city__slug="battambang")
    new = actions.new_plan_version(secretariat, plan, 2026)
    assert (new.year, new.targets.count()) == (2026, 6)
    assert new.horizon_year is None or new.horizon_year >= 2026


def test_new_plan_version_is_denied_to_the_nr_and_other_cities(nr_vietnam, csco_danang):
    before = state()
    with pytest.raises(PermissionDenied):
        actions.new_plan_version(nr_vietnam, ActionPlan.objects.get(city__slug="da-nang"), 2025)
    with pytest.raises(PermissionDenied):
        actions.new_plan_version(csco_danang, ActionPlan.objects.get(city__slug="ha-noi"), 2025)
    with pytest.raises(PermissionDenied):
        actions.add_target(nr_vietnam, ActionPlan.objects.get(city__slug="da-nang"), {"statement": "x"})
    with pytest.raises(PermissionDenied):
        actions.update_plan(csco_danang, ActionPlan.objects.get(city__slug="ha-noi"), {"vision": "x"})
    assert state() == before


def test_a_version_for_an_existing_year_is_refused(csco_danang):
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.new_plan_version(csco_danang, ActionPlan.objects.get(city__slug="da-nang"), 2018)
    assert refused.value.message_dict == {"year": [
        "There is already a version for 2018: choose another year, e.g. 2019, the next free one."]}
    assert state() == before


def test_plan_history_shows_what_changed_between_versions(csco_danang):
    plan = ActionPlan.objects.get(city__slug="da-nang", year=2018)
    new = actions.new_plan_version(csco_danang, plan, 2025)
    actions.update_plan(csco_danang, new, {"vision": "A smart, green city by 2035", "horizon_year": 2035},
                        focus_areas=[node("quality_environment")], priority_projects=[project("SCAP18-DN1")])
    added = actions.add_target(csco_danang, new, {"statement": "Half of the buses electric", "metric": "Electric buses",
                                                  "unit": "%", "target_value": Decimal("50"), "target_year": 2030})
    assert added.position == 4
    actions.update_target(csco_danang, new.targets.get(position=2), {"target_value": Decimal("20")})
    actions.delete_target(csco_danang, new.targets.get(position=1))
    history = plan_history(csco_danang, "da-nang")
    assert [(p.year, changes) for p, changes in history] == [
        (2025, [
            Change("vision", "changed", "A smart, liveable and sustainable city by 2030", "A smart, green city by 2035"),
            Change("horizon_year", "changed", 2030, 2035),
            Change("focus_areas", "added", new="Quality Environment"),
            Change("priority_projects", "removed", old="Smart Water Management System"),
            Change("targets", "removed", old={
                "statement": "Smart ICT infrastructure and key databases in place", "metric": "", "unit": "",
                "baseline_value": None, "baseline_year": None, "target_value": None, "target_year": 2020}),
            Change("targets", "changed", {
                "statement": "Smart applications in 16 key domains", "metric": "Domains with smart applications",
                "unit": "domains", "baseline_value": None, "baseline_year": None, "target_value": Decimal("16"),
                "target_year": 2025}, {
                "statement": "Smart applications in 16 key domains", "metric": "Domains with smart applications",
                "unit": "domains", "baseline_value": None, "baseline_year": None, "target_value": Decimal("20"),
                "target_year": 2025}),
            Change("targets", "added", new={
                "statement": "Half of the buses electric", "metric": "Electric buses", "unit": "%",
                "baseline_value": None, "baseline_year": None, "target_value": Decimal("50"), "target_year": 2030}),
        ]),
        (2018, []),
    ]
    # The public sees only the published 2018 version.
    assert [(p.year, changes) for p, changes in plan_history(AnonymousUser(), "da-nang")] == [(2018, [])]


def test_plan_targets_validate_baselines(csco_danang):
    plan = ActionPlan.objects.get(city__slug="da-nang")
    before = state()
    with pytest.raises(ValidationError) as refused:
        actions.add_target(csco_danang, plan, {"statement": "x", "baseline_value": Decimal("17")})
    assert refused.value.message_dict == {"baseline_year": ["Give the baseline value and its year together."]}
    with pytest.raises(ValidationError) as backwards:
        actions.add_target(csco_danang, plan, {"statement": "x", "baseline_value": Decimal("1"), "baseline_year": 2020,
                                               "target_year": 2019})
    assert backwards.value.message_dict == {"target_year": ["The target year cannot be before the baseline year."]}
    assert state() == before


def test_adding_and_removing_targets_is_recorded_on_the_plan(csco_danang):
    plan = ActionPlan.objects.get(city__slug="da-nang")
    target = actions.add_target(csco_danang, plan, {"statement": "Open data portal", "target_year": 2027})
    actions.delete_target(csco_danang, target)
    plan_entries = [e.changes for e in audit_of(plan)[-2:]]
    assert plan_entries == [{"targets": [None, "Open data portal"]}, {"targets": ["Open data portal", None]}]
    assert plan.targets.count() == 3
    assert ProgressUpdate.objects.count() == 136
