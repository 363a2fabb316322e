"""A project's change history as people read it: field names in the reader's language, values as people know
them (names, labels, yes/no, dates and numbers in the reader's format, long text shortened with the whole kept),
internal fields hidden, and the project's progress updates listed."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import translation

from ascn.core.history import date_text
from ascn.framework.actions import set_framework_tags
from ascn.plans import actions

from .helpers import city, node, partner

pytestmark = pytest.mark.django_db

LONG = ("Connect every household of the three central districts to the new sewer network, treat the water in two "
        "plants and reuse it for the parks, the street cleaning and the industrial zone; report the volumes monthly.")


def changes(html: str) -> list[str]:
    """Each change line of the page as text: "Label: old → new" (a long value as its shortened text)."""
    lines = re.findall(r"<li><strong>(.*?)</li>", html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip() for line in lines]


@pytest.fixture
def parking(csco_danang):
    project = actions.create_project(csco_danang, {
        "city": city("da-nang"), "title": "Smart parking pilot", "focus_area": node("built_infrastructure"),
        "currency": "USD", "cost_estimate": Decimal("1500000"), "is_published": False})
    actions.update_project(csco_danang, project, {
        "focus_area": node("quality_environment"), "project_type": None, "is_published": True,
        "start_date": dt.date(2027, 1, 1), "cost_estimate": Decimal("2250000.50"), "description": LONG},
        support={"financial": "Loan"}, partners=[partner("jica"), partner("adb")])
    return project


def test_fields_and_values_read_as_people_know_them(client, csco_danang, parking):
    client.force_login(csco_danang)
    html = client.get(f"/projects/{parking.pk}/history/").content.decode()
    shown = changes(html)
    assert "Focus area: Built Infrastructure → Quality Environment" in shown
    assert "Published: no → yes" in shown
    assert "Start: — → Jan. 1, 2027" in shown
    assert "Cost estimate: 1,500,000 → 2,250,000.50" in shown
    assert "Support required: — → Financial (Loan)" in shown
    assert "Partners involved: — → Asian Development Bank (ADB); Japan International Cooperation Agency (JICA)" in shown
    created = [line for line in shown if line.startswith(("City:", "Title:", "Status:", "Currency:"))]
    assert created == ["City: Da Nang", "Title: Smart parking pilot", "Status: Planning", "Currency: USD"]
    text = " ".join(shown)
    for internal in ("search_text", "Search text", "support_kinds", "created_at", "updated_at", "city: 36"):
        assert internal not in text
    assert "Project recorded" in html and "Project changed" in html


def test_a_long_text_is_shortened_and_can_be_read_whole(client, csco_danang, parking):
    client.force_login(csco_danang)
    html = client.get(f"/projects/{parking.pk}/history/").content.decode()
    (line,) = [line for line in changes(html) if line.startswith("Description:")]
    assert line.startswith("Description: — → Connect every household of the three central districts")
    assert "the street cleaning … (read it whole)" in line and line.endswith(LONG)
    assert f'<span class="whole">{LONG}</span>' in html and "<details><summary>" in html


def test_labels_and_values_in_the_readers_language(client, csco_danang, parking):
    client.force_login(csco_danang)
    html = client.get(f"/vi/projects/{parking.pk}/history/").content.decode()
    shown = changes(html)
    assert "Tiêu đề: Smart parking pilot" in shown
    with translation.override("vi"):
        started = date_text(dt.date(2027, 1, 1))
    assert "Đã công bố: không → có" in shown
    assert f"Ngày bắt đầu: — → {started}" in shown
    assert "Chi phí dự toán: 1.500.000 → 2.250.000,50" in shown


def test_framework_tags_are_named(client, csco_danang, parking):
    set_framework_tags(csco_danang, parking, None, [node("safety_security")])
    client.force_login(csco_danang)
    shown = changes(client.get(f"/projects/{parking.pk}/history/").content.decode())
    assert "Other framework tags: — → Safety and Security" in shown


def test_progress_updates_are_listed_with_the_project(client, nr_vietnam, csco_danang, parking):
    actions.add_progress_update(csco_danang, parking, {"date": dt.date(2027, 3, 31), "status": "ongoing",
                                                       "percent_complete": 15, "progress": "Sensors installed"})
    client.force_login(nr_vietnam)
    html = client.get(f"/projects/{parking.pk}/history/").content.decode()
    assert "Progress update of March 31, 2027 added" in html
    shown = changes(html)
    assert "Status: Planning → Ongoing" in shown  # the project's status follows its latest update
    for line in ("Date: March 31, 2027", "Status: Ongoing", "Percent complete: 15", "Progress: Sensors installed"):
        assert line in shown
    assert not any(line.startswith(("Project:", "Author:")) for line in shown)
    rows = re.findall(r"<tr><td>.*?</td><td>(.*?)</td>\s*<td>(.*?)</td>", html, re.S)
    assert [title.split("<")[0] for _who, title in rows][:2] == ["Project changed",
                                                                "Progress update of March 31, 2027 added"]
    assert all("csco-dn" in who for who, _title in rows)
