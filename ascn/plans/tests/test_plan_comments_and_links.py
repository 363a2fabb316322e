"""Comments on action plans (NRs of the country, the city's officers, the Secretariat) and project links."""

import pytest

from ascn.plans.models import ActionPlan, Comment, Project

pytestmark = pytest.mark.django_db


def test_nr_comments_on_own_country_plan_only(client, nr_vietnam, nr_thailand, partner_jica):
    plan = ActionPlan.objects.get(city__slug="da-nang", year=2018)
    client.force_login(nr_vietnam)
    page = client.get("/cities/da-nang/plan/")
    assert page.context["can_comment"] is True
    response = client.post(f"/plans/{plan.pk}/comments/", {"body": "Please add a 2030 target for water."})
    assert response.status_code == 302
    assert list(Comment.objects.filter(plan=plan).values_list("body", "author__username")) == [
        ("Please add a 2030 target for water.", "nr-vn")]
    assert "Please add a 2030 target for water." in client.get("/cities/da-nang/plan/").content.decode()
    for outsider in (nr_thailand, partner_jica):
        client.force_login(outsider)
        assert client.get("/cities/da-nang/plan/").context["can_comment"] is False
        assert client.post(f"/plans/{plan.pk}/comments/", {"body": "x"}).status_code == 403
    client.logout()
    assert "Please add a 2030 target" not in client.get("/cities/da-nang/plan/").content.decode()
    assert Comment.objects.filter(plan=plan).count() == 1


def test_project_links_are_edited_one_per_line(client, csco_danang):
    client.force_login(csco_danang)
    project = Project.objects.get(reference="A112")
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("partners", "secondary_tags")}
    data.update(focus_area=project.focus_area_id, currency="USD", support=[],
                links="Water utility | https://example.org/water\nhttps://example.org/plain")
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.links == [{"label": "Water utility", "url": "https://example.org/water"},
                             {"label": "", "url": "https://example.org/plain"}]
    bad = client.post(f"/projects/{project.pk}/edit/", {**data, "links": "Site | ftp://example.org"})
    assert bad.status_code == 422
    assert bad.context["form"].errors["links"] == ["Line 1: the address must start with http:// or https://."]
