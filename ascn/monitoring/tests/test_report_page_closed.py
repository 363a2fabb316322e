"""A report page once the Secretariat has closed the round: the city without an extension reads its report
and is told why it cannot change it, instead of a form whose save would be refused."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_user

from .test_reports import client_of, media_root_fixture, on_day_fixture, round_2025_fixture  # noqa: F401
from .test_rounds import started

pytestmark = pytest.mark.django_db

CLOSED = "The 2025 round is closed: this report takes no more changes unless the Secretariat extends its deadline."


def test_a_closed_round_draws_no_report_form_except_for_a_city_with_an_extension(round_2025, secretariat,
                                                                                 csco_danang, on_day):
    danang, hanoi = started(round_2025, secretariat, "da-nang", "ha-noi")
    officer_hanoi = make_user("csco-hn", "city_officer", city="ha-noi")
    for report, user in ((danang, csco_danang), (hanoi, officer_hanoi)):
        page = client_of(user).get(f"/monitoring/annual-reports/{report.pk}/")
        assert (page.context["editable"], page.context["closed_to_city"]) == (True, False)
        assert b'id="report-form"' in page.content

    on_day(dt.date(2025, 11, 5))
    desk = client_of(secretariat)
    desk.post("/monitoring/rounds/2025/extend/", {"extend-city": "da-nang", "extend-due_on": "2025-11-15",
                                                  "extend-reason": "Census figures due on 12 November"})
    assert desk.post("/monitoring/rounds/2025/close/").status_code == 302

    page = client_of(officer_hanoi).get(f"/monitoring/annual-reports/{hanoi.pk}/")
    assert (page.context["editable"], page.context["closed_to_city"], page.context["edit"]) == (False, True, None)
    assert b'id="report-form"' not in page.content
    assert CLOSED in page.content.decode()
    assert not any(step["action"] == "submit" for step in page.context["steps"])
    secretariat_view = desk.get(f"/monitoring/annual-reports/{hanoi.pk}/")
    assert b'id="report-form"' not in secretariat_view.content

    page = client_of(csco_danang).get(f"/monitoring/annual-reports/{danang.pk}/")  # its extension runs
    assert (page.context["editable"], page.context["closed_to_city"]) == (True, False)
    assert b'id="report-form"' in page.content
    assert CLOSED not in page.content.decode()
