"""Action plans: a target edited in place, versions compared field by field (old and new text side by side,
the words that changed marked), and the next version proposed for the next free year."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ascn.core.models import AuditEntry
from ascn.plans import actions
from ascn.plans.diffing import FieldChange, diff_versions, word_diff
from ascn.plans.models import ActionPlan, StrategicTarget

from .helpers import city, state

pytestmark = pytest.mark.django_db


def danang_plan() -> ActionPlan:
    return ActionPlan.objects.get(city__slug="da-nang", year=2018)


def field_errors(html: str) -> list[str]:
    return re.findall(r'<small class="field-error" role="alert">([^<]*)</small>', html)


# --- Word-level comparison (pure) ------------------------------------------------------------------------


def test_word_diff_marks_the_words_removed_and_added():
    old, new = word_diff("A liveable city for everyone", "A liveable, green city for all")
    assert "".join(text for text, _marked in old) == "A liveable city for everyone"
    assert "".join(text for text, _marked in new) == "A liveable, green city for all"
    assert [text for text, marked in old if marked] == ["everyone"]
    assert [text for text, marked in new if marked] == [", green", "all"]
    assert word_diff("same", "same") == ((("same", False),), (("same", False),))


def test_a_target_edited_in_place_is_one_change_with_each_changed_field():
    old = {"targets": [{"id": 1, "origin": None, "statement": "Sewers for 85 % of settlements",
                        "target_value": Decimal("85"), "target_year": 2025, "unit": "%"}]}
    new = {"targets": [{"id": 9, "origin": 1, "statement": "Sewers for 90 % of settlements",
                        "target_value": Decimal("90"), "target_year": 2025, "unit": "%"}]}
    (change,) = diff_versions(old, new)
    assert (change.part, change.kind) == ("targets", "changed")
    assert change.old["statement"] == "Sewers for 85 % of settlements" and "id" not in change.old
    statement, value = change.fields
    assert (statement.name, statement.old, statement.new) == ("statement", "Sewers for 85 % of settlements",
                                                              "Sewers for 90 % of settlements")
    assert [t for t, marked in statement.old_words if marked] == ["85"]
    assert [t for t, marked in statement.new_words if marked] == ["90"]
    assert value == FieldChange("target_value", Decimal("85"), Decimal("90"))


def test_without_lineage_a_new_statement_is_a_target_removed_and_another_added():
    old = {"targets": [{"id": 1, "statement": "Two treatment plants"}]}
    new = {"targets": [{"id": 2, "origin": None, "statement": "Three treatment plants"}]}
    assert [(c.kind, (c.old or c.new)["statement"]) for c in diff_versions(old, new)] == [
        ("removed", "Two treatment plants"), ("added", "Three treatment plants")]


# --- The versions page ------------------------------------------------------------------------------------


def test_the_versions_page_shows_old_and_new_text_side_by_side(client, csco_danang):
    plan = danang_plan()
    new = actions.new_plan_version(csco_danang, plan, 2026)
    assert [t.copied_from_id for t in new.targets.order_by("position")] == list(
        plan.targets.order_by("position").values_list("pk", flat=True))
    actions.update_plan(csco_danang, new, {"vision": plan.vision + " Green and inclusive.", "horizon_year": 2035})
    first = new.targets.order_by("position").first()
    actions.update_target(csco_danang, first, {"statement": "Smart ICT infrastructure and all key databases in place",
                                               "target_year": 2030})
    client.force_login(csco_danang)
    html = client.get("/cities/da-nang/plan/").content.decode()
    assert "Vision changed" in html
    assert "<ins> Green and inclusive.</ins>" in html
    assert "Horizon moved from 2030 to 2035" in html
    assert "Target changed: Smart ICT infrastructure and all key databases in place" in html
    assert "Target added" not in html and "Target removed" not in html
    assert "<dt>Target</dt>" in html and "<dt>Target year</dt>" in html
    assert re.search(r"Smart ICT infrastructure and <ins>all </ins>key databases in place", html)
    assert re.search(r'diff-old"><span class="diff-label">Before</span>\s*<p>2020</p>', html)
    assert re.search(r'diff-new"><span class="diff-label">After</span>\s*<p>2030</p>', html)


# --- The next version's year ------------------------------------------------------------------------------


def test_the_form_proposes_the_year_after_the_latest_version(client, csco_danang, secretariat):
    client.force_login(csco_danang)
    page = client.get("/cities/da-nang/plan/").content.decode()
    assert 'name="year" value="2019"' in page and "The next free year is 2019." in page
    actions.new_plan_version(csco_danang, danang_plan(), 2026)
    page = client.get("/cities/da-nang/plan/").content.decode()
    assert 'name="year" value="2027"' in page
    client.force_login(secretariat)
    this_year = timezone.localdate().year
    empty = client.get("/cities/singapore/plan/").content.decode()
    assert f'name="year" value="{this_year}"' in empty and "Start a plan for year" in empty


def test_a_taken_year_is_refused_beside_the_field_and_nothing_is_written(client, csco_danang):
    actions.new_plan_version(csco_danang, danang_plan(), 2019)
    client.force_login(csco_danang)
    before = state()
    refused = client.post("/cities/da-nang/plan/new/", {"year": "2018"})
    assert refused.status_code == 422
    assert re.search(r'<input type="number" name="year" value="2018"[^>]* autofocus', refused.content.decode())
    assert field_errors(refused.content.decode()) == [
        "There is already a version for 2018: choose another year, e.g. 2020, the next free one."]
    for year, error in (("", "This field is required."), ("2017", "Ensure this value is greater than or equal to 2018."),
                        ("next", "Enter a whole number.")):
        response = client.post("/cities/da-nang/plan/new/", {"year": year})
        assert (response.status_code, field_errors(response.content.decode())) == (422, [error])
    assert state() == before
    started = client.post("/cities/da-nang/plan/new/", {"year": "2020"})
    assert started.status_code == 302
    assert ActionPlan.objects.filter(city=city("da-nang")).count() == 3


def test_the_action_refuses_a_taken_year_too(csco_danang):
    with pytest.raises(ValidationError) as refused:
        actions.create_plan(csco_danang, city("da-nang"), 2018, {"vision": "x"})
    assert refused.value.message_dict == {"year": [
        "There is already a version for 2018: choose another year, e.g. 2019, the next free one."]}


# --- A target edited in place -----------------------------------------------------------------------------


HTMX = {"HX-Request": "true"}


def edit_data(target: StrategicTarget, **changes) -> dict:
    values = {"statement": target.statement, "metric": target.metric, "unit": target.unit,
              "baseline_value": "" if target.baseline_value is None else str(target.baseline_value),
              "baseline_year": target.baseline_year or "", "target_value": "" if target.target_value is None else
              str(target.target_value), "target_year": target.target_year or "", **changes}
    return {f"edit-{target.pk}-{name}": value for name, value in values.items()}


def test_edit_turns_the_row_into_a_form_with_its_values_and_cancel_brings_it_back(client, csco_danang):
    target = danang_plan().targets.get(position=1)
    client.force_login(csco_danang)
    html = client.get(f"/targets/{target.pk}/edit/", headers=HTMX).content.decode()
    assert html.lstrip().startswith(f'<tr id="target-{target.pk}" class="editing"')
    assert f'name="edit-{target.pk}-statement"' in html and f">\n{target.statement}</textarea>" in html
    assert f'hx-get="/targets/{target.pk}/"' in html
    row = client.get(f"/targets/{target.pk}/", headers=HTMX).content.decode()
    assert row.lstrip().startswith(f'<tr id="target-{target.pk}" data-testid="target-row">')
    assert target.statement in row and f'hx-get="/targets/{target.pk}/edit/"' in row
    page = client.get(f"/targets/{target.pk}/edit/").content.decode()  # without HTMX: the whole page
    assert "<h1>Action plan of Da Nang (2018)</h1>" in page and 'class="editing"' in page
    domains = danang_plan().targets.get(position=2)  # its target value is stored as 16.0000
    editor = client.get(f"/targets/{domains.pk}/edit/", headers=HTMX).content.decode()
    assert re.search(rf'name="edit-{domains.pk}-target_value" value="16"', editor), editor


def test_saving_an_edited_target_updates_it_in_place_with_audit(client, csco_danang):
    plan = danang_plan()
    target = plan.targets.get(position=2)
    client.force_login(csco_danang)
    saved = client.post(f"/targets/{target.pk}/edit/", edit_data(
        target, statement="Smart applications in 20 key domains", baseline_value="10", baseline_year="2018",
        target_value="20", target_year="2030"), headers=HTMX)
    assert saved.status_code == 200
    html = saved.content.decode()
    assert html.lstrip().startswith(f'<tr id="target-{target.pk}" data-testid="target-row">')
    assert "Smart applications in 20 key domains" in html and "20 domains" in html and "Target saved." in html
    target.refresh_from_db()
    assert (target.statement, target.unit, target.baseline_value, target.baseline_year, target.target_value,
            target.target_year, target.position) == ("Smart applications in 20 key domains", "domains", Decimal("10"),
                                                     2018, Decimal("20"), 2030, 2)
    entry = AuditEntry.objects.filter(content_type__model="strategictarget", object_id=str(target.pk)).latest("id")
    assert (entry.action, entry.actor, entry.via) == ("update", csco_danang, "web")
    assert entry.changes == {"statement": ["Smart applications in 16 key domains", "Smart applications in 20 key domains"],
                             "baseline_value": [None, "10"], "baseline_year": [None, 2018],
                             "target_value": ["16.0000", "20"], "target_year": [2025, 2030]}
    on_plan = AuditEntry.objects.filter(content_type__model="actionplan", object_id=str(plan.pk)).latest("id")
    assert on_plan.changes == {"targets": ["Smart applications in 16 key domains",
                                           "Smart applications in 20 key domains"]}
    again = client.post(f"/targets/{target.pk}/edit/", edit_data(target), headers=HTMX)
    assert "Nothing changed." in again.content.decode()


def test_without_htmx_saving_returns_to_the_plan_form(client, csco_danang):
    target = danang_plan().targets.get(position=3)
    client.force_login(csco_danang)
    saved = client.post(f"/targets/{target.pk}/edit/", edit_data(target, metric="Start-ups founded"))
    assert saved.status_code == 302 and saved["Location"] == f"/plans/{target.plan_id}/edit/"
    assert StrategicTarget.objects.get(pk=target.pk).metric == "Start-ups founded"


def test_errors_show_beside_the_fields_and_nothing_is_written(client, csco_danang):
    target = danang_plan().targets.get(position=1)
    client.force_login(csco_danang)
    before = state()
    response = client.post(f"/targets/{target.pk}/edit/", edit_data(
        target, statement="", baseline_value="10", baseline_year="", target_year="2010"), headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="target-{target.pk}" class="editing"')
    assert field_errors(html) == ["This field is required.", "Give the baseline value and its year together."]
    later = client.post(f"/targets/{target.pk}/edit/", edit_data(target, baseline_value="10", baseline_year="2024",
                                                                 target_year="2020"), headers=HTMX)
    assert field_errors(later.content.decode()) == ["The target year cannot be before the baseline year."]
    page = client.post(f"/targets/{target.pk}/edit/", edit_data(target, statement=""))
    assert page.status_code == 422 and field_errors(page.content.decode()) == ["This field is required."]
    assert state() == before


def test_those_who_may_not_remove_a_target_may_not_edit_it(client, csco_danang, nr_vietnam, partner_jica):
    target = danang_plan().targets.get(position=1)
    hanoi = ActionPlan.objects.get(city__slug="ha-noi").targets.first()
    before = state()
    assert client.get(f"/targets/{target.pk}/edit/")["Location"].startswith("/accounts/login/")
    for user in (nr_vietnam, partner_jica):
        client.force_login(user)
        assert client.get(f"/targets/{target.pk}/edit/", headers=HTMX).status_code == 403
        assert client.post(f"/targets/{target.pk}/edit/", edit_data(target, statement="x")).status_code == 403
        assert client.post(f"/targets/{target.pk}/delete/").status_code == 403
    client.force_login(csco_danang)
    assert client.post(f"/targets/{hanoi.pk}/edit/", edit_data(hanoi, statement="x")).status_code == 403
    assert client.get("/targets/999999/edit/").status_code == 404
    assert state() == before


def test_the_plan_form_offers_edit_on_every_target(client, csco_danang):
    plan = danang_plan()
    client.force_login(csco_danang)
    html = client.get(f"/plans/{plan.pk}/edit/").content.decode()
    for target in plan.targets.all():
        assert f'hx-get="/targets/{target.pk}/edit/" hx-target="#target-{target.pk}" hx-swap="outerHTML"' in html
