"""The seeded projects and plans, `manage.py seed` again, and who sees and edits projects and plans."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from ascn.core.permissions import can_create, can_edit
from ascn.plans.actions import add_progress_update
from ascn.plans.models import ActionPlan, ProgressUpdate, Project, StrategicTarget, SupportNeed

from .helpers import city, project, state, who

pytestmark = pytest.mark.django_db


# --- Seed -----------------------------------------------------------------------------------------


def test_seed_loads_136_published_projects_with_their_statuses():
    assert Project.objects.count() == 136
    assert Project.objects.filter(is_published=True).count() == 136
    assert dict(Project.objects.values_list("status").annotate(n=Count("id"))) == {
        "ongoing": 108, "planning": 10, "completed": 18}
    report = Project.objects.exclude(reference__startswith="SCAP18-")
    assert set(report.values_list("reference", flat=True)) == (
        {f"A{i}" for i in range(1, 117)} | {f"B{i}" for i in range(1, 19)})
    assert dict(report.values_list("status").annotate(n=Count("id"))) == {
        "ongoing": 108, "planning": 8, "completed": 18}
    assert sorted(Project.objects.filter(reference__startswith="SCAP18-").values_list("reference", "status")) == [
        ("SCAP18-DN1", "planning"), ("SCAP18-HN2", "planning")]
    assert Project.objects.filter(city__country__iso3="VNM").count() == 8


def test_seed_gives_each_project_one_progress_update_with_its_status():
    assert ProgressUpdate.objects.count() == 136
    assert Project.objects.annotate(n=Count("updates")).filter(n=1).count() == 136
    assert ProgressUpdate.objects.filter(status=F("project__status")).count() == 136
    assert ProgressUpdate.objects.filter(date=dt.date(2025, 9, 30)).count() == 134
    assert sorted(ProgressUpdate.objects.filter(project__reference__startswith="SCAP18-")
                  .values_list("project__reference", "date")) == [
        ("SCAP18-DN1", dt.date(2018, 7, 8)), ("SCAP18-HN2", dt.date(2018, 7, 8))]
    assert SupportNeed.objects.count() == 0


def test_seed_loads_four_2018_action_plans_with_21_targets():
    assert ActionPlan.objects.count() == 4
    assert sorted(ActionPlan.objects.values_list("city__slug", "year", "horizon_year", "is_published")) == [
        ("battambang", 2018, 2025, True), ("da-nang", 2018, 2030, True), ("ha-noi", 2018, 2030, True),
        ("ho-chi-minh-city", 2018, 2025, True)]
    assert StrategicTarget.objects.count() == 21
    assert dict(StrategicTarget.objects.values_list("plan__city__slug").annotate(n=Count("id"))) == {
        "battambang": 6, "da-nang": 3, "ha-noi": 8, "ho-chi-minh-city": 4}
    priorities = {plan.city.slug: sorted(plan.priority_projects.values_list("reference", flat=True))
                  for plan in ActionPlan.objects.select_related("city")}
    assert priorities == {"battambang": ["A5", "A6"], "da-nang": ["A112", "SCAP18-DN1"],
                          "ha-noi": ["A113", "SCAP18-HN2"], "ho-chi-minh-city": ["A115", "A116"]}


def test_seed_again_reports_the_projects_unchanged_and_writes_nothing():
    before = state()
    out = StringIO()
    call_command("seed", stdout=out)
    text = out.getvalue()
    assert "projects: 0 created, 0 updated, 136 unchanged" in text
    assert "action plans: 0 created, 0 updated, 4 unchanged" in text
    assert "plan targets: 0 created, 0 updated, 21 unchanged" in text
    assert "Nothing to change: the reference data is already loaded." in text
    assert state() == before


def test_seed_again_keeps_the_status_of_a_newer_progress_update(csco_danang):
    """A project's status is the status of its latest update, also after the reference data is loaded again."""
    a112 = project("A112")
    add_progress_update(csco_danang, a112, {"date": dt.date(2026, 3, 1), "status": "completed",
                                            "percent_complete": 100})
    call_command("seed", stdout=StringIO())
    a112.refresh_from_db()
    latest = a112.updates.order_by("-date", "-id").first()
    assert (latest.date, latest.status) == (dt.date(2026, 3, 1), "completed")
    assert a112.status == "completed"


# --- Permission matrix: projects ------------------------------------------------------------------


@pytest.fixture
def everyone(accounts, nr_thailand):
    return {**accounts, "nr_thailand": nr_thailand}


@pytest.mark.parametrize(("role", "visible", "editable", "sees_draft", "edits_draft"), [
    ("anonymous", 136, 0, False, False),
    ("none", 136, 0, False, False),
    ("partner", 136, 0, False, False),
    ("nr_thailand", 136, 0, False, False),
    ("nr", 137, 0, True, False),
    ("csco", 137, 4, True, True),
    ("secretariat", 137, 137, True, True),
])
def test_project_matrix_with_a_draft_of_da_nang(everyone, draft, role, visible, editable, sees_draft, edits_draft):
    user = who(everyone, role)
    assert Project.objects.visible_to(user).count() == visible
    assert Project.objects.editable_by(user).count() == editable
    assert Project.objects.visible_to(user).filter(pk=draft.pk).exists() is sees_draft
    assert can_edit(user, draft) is edits_draft
    if role == "csco":
        assert sorted(Project.objects.editable_by(user).values_list("title", flat=True)) == [
            "Intelligent Operation Centre", "Intelligent Traffic Control System", "Smart Water Management System",
            "Smart parking pilot (draft)"]


def test_updates_of_a_draft_are_as_visible_as_the_draft(everyone, draft):
    ProgressUpdate.objects.create(project=draft, date=dt.date(2026, 1, 1), status="planning")
    counts = {role: ProgressUpdate.objects.visible_to(who(everyone, role)).count()
              for role in ("anonymous", "partner", "nr_thailand", "nr", "csco", "secretariat")}
    assert counts == {"anonymous": 136, "partner": 136, "nr_thailand": 136, "nr": 137, "csco": 137,
                      "secretariat": 137}


@pytest.mark.parametrize(("role", "da_nang", "ha_noi"), [
    ("anonymous", False, False), ("none", False, False), ("partner", False, False), ("nr", False, False),
    ("nr_thailand", False, False), ("csco", True, False), ("secretariat", True, True),
])
def test_who_may_create_projects_where(everyone, role, da_nang, ha_noi):
    user = who(everyone, role)
    for slug, expected in (("da-nang", da_nang), ("ha-noi", ha_noi)):
        target = city(slug)
        assert can_create(user, Project, city_id=target.pk, country_id=target.country_id) is expected


# --- Permission matrix: action plans --------------------------------------------------------------


@pytest.mark.parametrize(("role", "visible", "editable", "sees_draft", "edits_draft"), [
    ("anonymous", 4, 0, False, False),
    ("none", 4, 0, False, False),
    ("partner", 4, 0, False, False),
    ("nr_thailand", 4, 0, False, False),
    ("nr", 5, 0, True, False),
    ("csco", 5, 2, True, True),
    ("secretariat", 5, 5, True, True),
])
def test_action_plan_matrix_with_a_draft_version_of_da_nang(everyone, draft_plan, role, visible, editable,
                                                            sees_draft, edits_draft):
    user = who(everyone, role)
    assert ActionPlan.objects.visible_to(user).count() == visible
    assert ActionPlan.objects.editable_by(user).count() == editable
    assert ActionPlan.objects.visible_to(user).filter(pk=draft_plan.pk).exists() is sees_draft
    assert can_edit(user, draft_plan) is edits_draft
    if role == "csco":
        assert sorted(ActionPlan.objects.editable_by(user).values_list("city__slug", "year")) == [
            ("da-nang", 2018), ("da-nang", 2026)]
