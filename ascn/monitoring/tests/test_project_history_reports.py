"""A project's change history lists the acceptance of each annual report with a line for it (the line became the
project's progress update), linked to the report for those who may read it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from ascn.core.history import date_text
from ascn.monitoring.actions import reports as actions
from ascn.monitoring.models import ReportingRound
from ascn.monitoring.queries import reports as queries
from ascn.network.models import City
from ascn.plans.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(secretariat, monkeypatch):
    """Da Nang's 2025 report, its A111 line filled in, submitted, endorsed and accepted."""
    monkeypatch.setattr(queries, "today", lambda: dt.date(2025, 10, 20))
    reporting_round = ReportingRound.objects.get(year=2025)
    reporting_round.opens_on, reporting_round.closes_on = dt.date(2025, 8, 1), dt.date(2025, 10, 31)
    reporting_round.save()
    report = actions.start_report(secretariat, reporting_round, City.objects.get(slug="da-nang"))
    report.project_lines.filter(project__reference="A111").update(
        status="ongoing", percent_complete=60, progress="The operation centre runs the traffic lights.")
    for step in ("submit", "endorse", "accept"):
        actions.transition_report(secretariat, report, step)
    return report


def history_of(user, reference: str = "A111") -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/projects/{Project.objects.get(reference=reference).pk}/history/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_acceptance_of_an_annual_report_is_listed_with_its_line_and_a_link(accepted, nr_vietnam):
    html = history_of(nr_vietnam)
    with translation.override("en"):
        as_of = date_text(accepted.round.as_of)
    title = f"Annual report 2025 of Da Nang accepted: its line became the progress update of {as_of}"
    assert title in html
    assert f'<a href="/monitoring/annual-reports/{accepted.pk}/">Read the annual report</a>' in html
    event = html[html.index(title):]
    event = event[:event.index("</tr>")]
    shown = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li>(.*?)</li>", event, re.S)]
    assert shown == ["Status: Ongoing", "Percent complete: 60 %",
                     "Progress: The operation centre runs the traffic lights."]
    assert f"Progress update of {as_of} added" in html or f"Progress update of {as_of} changed" in html


def test_those_who_may_not_read_the_report_see_the_event_without_the_link(accepted, secretariat, nr_thailand):
    actions.transition_report(secretariat, accepted, "reopen", reason="A111 needs its figures corrected.")
    html = history_of(nr_thailand)
    assert "Annual report 2025 of Da Nang accepted" in html
    assert f"/monitoring/annual-reports/{accepted.pk}/" not in html


def test_a_project_without_a_line_in_an_accepted_report_has_no_such_event(accepted, nr_vietnam):
    assert not accepted.project_lines.filter(project__reference="SCAP18-HN2").exists()
    assert "Annual report" not in history_of(nr_vietnam, "SCAP18-HN2")
