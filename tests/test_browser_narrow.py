"""Every page fits a phone, and the header's navigation fits a laptop (Chromium driven by Playwright against a
running server, from the kit in ascn/core/testing/browser.py).

The pages are not a hand-written list: every URL pattern of the site (but the API and the back office) is
visited, as the public and as each demo role, at 390 px wide. A pattern with parameters takes them from
`samples`, filled from one record of each kind that `add_one_of_each` creates on top of the seeded data (a
business case, a city report, values of indicators, imports, a token, an M&E report); a new pattern without a
sample fails `test_every_page_fits_a_phone` until it is given one, so a new page is measured too. `states` adds
a few pages in a state their bare address does not show (a chosen indicator's chart and table).

An answer that is not a page (a redirect to log in, a refusal, a 405 to a GET, a file, a fragment for HTMX) is
left out for that role; FILES lists the addresses known to answer files, which are not requested at all. A page
is too wide when the document scrolls sideways (documentElement.scrollWidth above the viewport's width); the
failure names the page, the roles and the element that sticks out.

How a page stays narrow-safe (the shared CSS rules this test holds every page to) is in docs/architecture.md,
"Layout for every screen"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ascn.core.testing.browser import free_port

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
WAIT = 30_000  # ms
ROLES = {  # the demo accounts (ascn.network.actions.DEMO_ACCOUNTS); None: the public
    "public": None,
    "secretariat": ("secretariat", "demo-secretariat"),
    "national representative": ("nr.vietnam", "demo-nr-vietnam"),
    "city officer": ("csco.danang", "demo-csco-danang"),
    "partner": ("partner.jica", "demo-partner-jica"),
}
MARKER = "ONE-OF-EACH "
LEFT_OUT = ("api/", "admin/")  # the API (its docs page is Ninja's own) and Django's back office
FILES = {  # answers that are files, never pages: not requested at all (a PDF takes a while to print)
    "plans:export", "plans:import_template", "plans:import_file", "plans:document_download",
    "finance:case_export", "monitoring:city_template", "monitoring:city_import_file", "monitoring:me_report_pdf",
    "monitoring:me_report_csv", "monitoring:me_report_version_pdf", "monitoring:observation_evidence",
    "partnerships:session_ics", "partnerships:agenda_pdf", "partnerships:agenda_ics",
    "partnerships:survey_export_csv", "partnerships:survey_export_xlsx",
}


def add_one_of_each() -> None:
    """Run in the test server's database (`manage.py shell -c`): one record of each kind the seeded data lacks,
    through the apps' actions; prints their keys as JSON after MARKER."""
    import datetime as dt

    from ascn.core.actions import create_api_token
    from ascn.core.models import User
    from ascn.finance.actions import business_cases, readiness
    from ascn.finance.models import FinancingInstrument
    from ascn.knowledge.models import CaseStudy
    from ascn.monitoring.actions import me_report, observations, reports
    from ascn.monitoring.models import Indicator, Observation, ReportingRound
    from ascn.network.models import City, Partner, RoleTerm
    from ascn.partnerships.actions import cooperation, sessions, surveys
    from ascn.partnerships.actions.matching import express_interest
    from ascn.partnerships.actions.offers import create_need, create_offer
    from ascn.plans import actions as plan_actions
    from ascn.plans.exporting import COLUMNS
    from ascn.plans.models import ActionPlan, Project

    secretariat = User.objects.get(username="secretariat")
    officer = User.objects.get(username="csco.danang")
    danang = City.objects.get(slug="da-nang")
    project = Project.objects.filter(city=danang, is_published=True).order_by("reference").first()
    assert project is not None
    years = 20  # the case's yearly flows make the widest tables of the site
    case = business_cases.create_business_case(officer, project, {"scenario": "Parking fees", "inputs": {
        "years": years, "discount_rate": 0.08, "currency": "USD",
        "lines": [{"kind": "capex", "values": [12_500_000] + [0] * years, "label": "Build"},
                  {"kind": "revenue", "values": [0] + [2_300_000] * years, "label": "Fees"},
                  {"kind": "opex", "values": [0] + [640_000] * years, "label": "Running"}]}})
    readiness.assessment_for(officer, project)
    reporting_round = ReportingRound.objects.filter(closed_at__isnull=True).order_by("-year").first()
    assert reporting_round is not None
    report = reports.start_draft(secretariat, reporting_round, danang)
    indicators = list(Indicator.objects.exclude(unit="").order_by("code")[:5])
    cities = sorted({danang, *reporting_round.cities.order_by("slug")[:3]}, key=lambda city: city.slug)
    assignments = {(city.slug, indicator.pk): observations.assign_indicator(secretariat, city, indicator)
                   for city in cities for indicator in indicators}
    rows = [{"city": city.slug, "indicator": indicator.code, "period": str(reporting_round.year), "value": 10 + i}
            for i, (city, indicator) in enumerate((c, n) for c in cities for n in indicators)]
    summary, _record = observations.load_records(secretariat, rows, commit=True, as_system=True)
    assert summary.committed, summary.errors
    header = ",".join(("indicator_code", "period", "value"))
    _checked, values_import = observations.import_file(
        officer, "values.csv", f"{header}\n{indicators[0].code},{reporting_round.year},12\nNOPE,1900,x\n".encode(),
        city=danang, commit=False)
    _listed, projects_import = plan_actions.import_projects(
        officer, "projects.csv", (",".join(COLUMNS) + "\nX-1,,,,\n").encode(), commit=False)
    token, _secret = create_api_token(officer, "Reporting script")
    offer = create_offer(User.objects.get(username="partner.jica"), Partner.objects.get(slug="jica"), {
        "title": "Feasibility studies for urban mobility", "kind": "technical_assistance",
        "description": "Studies for the cities' transport projects at the feasibility stage.",
        "ticket_min": 250_000, "ticket_max": 2_500_000, "currency": "JPY", "instruments": ["grant"],
        "stages": ["pre_feasibility", "feasibility"], "contact_role": "Urban and Regional Development Department"},
        publish=True)
    need = create_need(officer, danang, {
        "title": "Financing for flood sensors along the river", "kind": "financial", "amount": 1_200_000,
        "currency": "USD", "stage": "feasibility",
        "description": "Sensors and a warning system for the districts along the river."}, publish=True)
    partner_user = User.objects.get(username="partner.jica")
    interest = express_interest(partner_user, offer, f"n{need.pk}", "partner", "We can help.")
    survey = surveys.create_survey(secretariat, None, {"title": "Needs of the network's cities",
                                                      "description": "What support the cities need next year."},
                                   cities=[danang])
    question = surveys.add_question(secretariat, survey, {"kind": "text", "text": "What do you need most?"})
    surveys.open_survey(secretariat, survey)
    session = sessions.create_session(secretariat, {"title": "Side session", "timezone": "Asia/Bangkok",
                                                    "tables": 2, "place": "Bangkok"})
    start = dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC)
    slot = sessions.add_slot(secretariat, session, start, start + dt.timedelta(minutes=30))
    city_p, partner_p = sessions.add_participants(secretariat, session, cities=[danang],
                                                  partners=[Partner.objects.get(slug="jica")])
    rule = sessions.set_rule(secretariat, session, city_p, partner_p, "pin")
    record = cooperation.create_record(partner_user, {"title": "Traffic studies with Da Nang",
                                                      "kind": "technical_assistance",
                                                      "partner": Partner.objects.get(slug="jica"), "city": danang})
    m_and_e = me_report.request_me_report(secretariat, reporting_round)
    plan = ActionPlan.objects.filter(city=danang).order_by("-year").first()
    assert plan is not None
    target = plan.targets.order_by("pk").first()
    term = RoleTerm.objects.order_by("pk").first()
    assert target is not None and term is not None
    keys = {"project": project.pk, "case": case.pk, "report": report.pk, "year": reporting_round.year,
            "indicator": indicators[0].pk, "indicator_code": indicators[0].code,
            "assignment": assignments["da-nang", indicators[0].pk].pk,
            "observation": Observation.objects.filter(city=danang).order_by("pk").values_list("pk", flat=True)[0],
            "instrument": FinancingInstrument.objects.order_by("slug").values_list("slug", flat=True)[0],
            "case_study": CaseStudy.objects.order_by("slug").values_list("slug", flat=True)[0],
            "values_import": values_import.pk, "projects_import": projects_import.pk, "me_report": m_and_e.pk,
            "plan": plan.pk, "target": target.pk, "term": term.pk, "token": token.pk, "offer": offer.pk,
            "need": need.pk, "interest": interest.pk, "survey": survey.pk, "question": question.pk,
            "session": session.pk, "slot": slot.pk, "participant": city_p.pk, "rule": rule.pk,
            "record": record.pk}
    print(MARKER + json.dumps(keys))


def partnership_samples(keys: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Surveys, matches, interest, cooperation and sessions."""
    survey, session, record = {"pk": keys["survey"]}, {"pk": keys["session"]}, {"pk": keys["record"]}
    question = {**survey, "question": keys["question"]}
    agenda = {**session, "side": "city", "slug": "da-nang"}
    participant = {**session, "participant": keys["participant"]}
    names = {
        "survey": survey, "survey_edit": survey, "survey_question_add": survey, "survey_question_edit": question,
        "survey_question_delete": question, "survey_question_move": question, "survey_open": survey,
        "survey_close": survey, "survey_answer": survey, "survey_results": survey, "survey_import": survey,
        "survey_answer_detail": {**survey, "city": "da-nang"}, "survey_make_need": {**survey, "city": "da-nang"},
        "session": session, "session_participants": session, "agenda": agenda, "session_edit": session,
        "session_add_slot": session, "session_generate_slots": session,
        "session_remove_slot": {**session, "slot": keys["slot"]}, "session_add_participants": session,
        "session_availability": participant, "session_remove_participant": participant,
        "session_add_rule": session, "session_remove_rule": {**session, "rule": keys["rule"]},
        "session_schedule": session, "session_status": session, "session_publish": session,
        "session_unpublish": session, "cooperation_public": record, "cooperation": record,
        "cooperation_edit": record, "cooperation_step": record, "cooperation_comment": record,
        "cooperation_projects": record, "cooperation_apply": record, "offer_matches": {"pk": keys["offer"]},
        "need_matches": {"key": f"n{keys['need']}"}, "interest_withdraw": {"pk": keys["interest"]},
    }
    return {f"partnerships:{name}": kwargs for name, kwargs in names.items()}


def samples(keys: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The parameters of every URL pattern that takes some, from the records of `add_one_of_each`."""
    city, project, case, year = {"slug": "da-nang"}, {"project_pk": keys["project"]}, {"pk": keys["case"]}, keys["year"]
    return {
        "network:city": city, "network:city_edit": city, "network:country": {"iso3": "VNM"},
        "network:office_edit": {"term_id": keys["term"]},
        "plans:import_detail": {"pk": keys["projects_import"]}, "plans:project": {"pk": keys["project"]},
        "plans:project_edit": {"pk": keys["project"]}, "plans:project_history": {"pk": keys["project"]},
        "plans:update_create": {"pk": keys["project"]}, "plans:project_comment": {"pk": keys["project"]},
        "plans:project_document": {"pk": keys["project"]}, "plans:city_plan": city, "plans:plan_create": city,
        "plans:plan_edit": {"pk": keys["plan"]}, "plans:plan_comment": {"pk": keys["plan"]},
        "plans:target_add": {"pk": keys["plan"]}, "plans:target_row": {"pk": keys["target"]},
        "plans:target_edit": {"pk": keys["target"]}, "plans:target_delete": {"pk": keys["target"]},
        "finance:instrument": {"slug": keys["instrument"]}, "finance:cases": project, "finance:case_create": project,
        "finance:case_preview": project, "finance:case_row": {**project, "prefix": "lines"}, "finance:case": case,
        "finance:case_edit": case, "finance:case_delete": case, "finance:readiness": project,
        "finance:readiness_settings": project,
        "knowledge:case_study": {"slug": keys["case_study"]},
        "monitoring:indicator": {"pk": keys["indicator"]}, "monitoring:indicator_definition": {"pk": keys["indicator"]},
        "monitoring:indicator_names": {"pk": keys["indicator"]},
        "monitoring:city_report": {"pk": keys["report"]}, "monitoring:city_report_transition": {"pk": keys["report"]},
        "monitoring:city_data": city, "monitoring:city_assign": city, "monitoring:city_assign_set": city,
        "monitoring:city_unassign": city, "monitoring:city_indicator": {**city, "pk": keys["assignment"]},
        "monitoring:city_import": city, "monitoring:city_import_detail": {**city, "pk": keys["values_import"]},
        "monitoring:city_target_delete": {**city, "pk": keys["assignment"], "target_pk": 1},
        "monitoring:observation_verify": {"pk": keys["observation"]},
        "monitoring:observation_delete": {"pk": keys["observation"]},
        "monitoring:scorecard": city, "monitoring:series": {**city, "code": keys["indicator_code"]},
        "monitoring:me_report": {"year": year}, "monitoring:me_report_generate": {"year": year},
        "monitoring:me_report_version": {"year": year, "pk": keys["me_report"]},
        "monitoring:me_report_status": {"year": year, "pk": keys["me_report"]},
        "monitoring:round": {"year": year}, "monitoring:round_edit": {"year": year},
        "monitoring:round_open_reports": {"year": year}, "monitoring:round_extend": {"year": year},
        "monitoring:round_close": {"year": year}, "monitoring:round_reopen": {"year": year},
        "monitoring:round_remind": {"year": year},
        "workspace:revoke_token": {"token_id": keys["token"]},
        "partnerships:programme": {"slug": "smart-jamp-jbic"}, "partnerships:partner": {"slug": "jica"},
        "partnerships:partner_edit": {"slug": "jica"}, "partnerships:offer": {"pk": keys["offer"]},
        "partnerships:offer_edit": {"pk": keys["offer"]}, "partnerships:offer_publish": {"pk": keys["offer"]},
        "partnerships:offer_close": {"pk": keys["offer"]},
        "partnerships:need": {"key": f"n{keys['need']}"}, "partnerships:need_edit": {"pk": keys["need"]},
        "partnerships:need_publish": {"pk": keys["need"]}, "partnerships:need_close": {"pk": keys["need"]},
        **partnership_samples(keys),
    }


def states(keys: dict[str, Any]) -> dict[str, str]:
    """Pages measured once more in a state their bare address does not show (a chosen indicator draws a chart
    and a table): name -> query string."""
    chosen = f"?indicator={keys['indicator_code']}&period={keys['year']}"
    return {"monitoring:compare": chosen, "monitoring:network": chosen, "finance:guide": f"?project={keys['project']}",
            "plans:pipeline": "?country=VNM"}


def url_patterns(patterns=None, namespace: str = "", prefix: str = ""):
    """(name with its namespace, route, takes parameters) of every named URL pattern."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), bool(entry.pattern.converters)


def page_addresses(keys: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Every address to visit (pattern name -> path), and the patterns with parameters but no sample."""
    given = samples(keys)
    addresses, missing = {}, []
    for name, route, has_parameters in url_patterns():
        if route.startswith(LEFT_OUT) or name in FILES or name in ("health", "live", "logout"):
            continue
        if has_parameters and name not in given:
            missing.append(f"{name} ({route})")
            continue
        addresses[name] = reverse(name, kwargs=given.get(name, {}))
    for name, query in states(keys).items():
        addresses[f"{name} {query}"] = addresses[name] + query
    return addresses, missing


@pytest.fixture(scope="module")
def site(chromium_executable, tmp_path_factory):
    """The kit's development server (see ascn.core.testing.browser.server) on a database seeded as there, plus
    the records of `add_one_of_each`: (url, their keys)."""
    folder = tmp_path_factory.mktemp("narrow")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "ascn.settings", "MAP_TILE_URL": "", "MEDIA_ROOT": str(folder / "media")}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    for command in (["migrate", "--no-input", "-v", "0"], ["seed"], ["demo_accounts"]):
        subprocess.run(manage + command, env=env, check=True, capture_output=True, timeout=180)
    made = subprocess.run([*manage, "shell", "-c", "from tests.test_browser_narrow import add_one_of_each; "
                           "add_one_of_each()"], env=env, check=True, capture_output=True, text=True, timeout=180,
                          cwd=settings.BASE_DIR)
    keys = json.loads(next(line for line in made.stdout.splitlines() if line.startswith(MARKER))[len(MARKER):])
    port = free_port()
    process = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{url}/livez", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the development server did not start")
        yield url, keys
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- Measuring ------------------------------------------------------------------------------------------

# The document's width, and when it is wider than the viewport, the element that sticks out furthest: the
# outermost such element (`element`) and the innermost one reaching as far (`cause`), with their widths.
# Elements inside a box that clips or scrolls sideways are left out: they do not widen the document.
MEASURE = r"""() => {
  const root = document.documentElement, viewport = root.clientWidth, width = root.scrollWidth;
  if (width <= viewport) { return {width, viewport}; }
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].slice(0, 3).map(c => "." + c).join("");
  const path = el => { const parts = [];
    for (let a = el; a && a !== document.body && parts.length < 4; a = a.parentElement) { parts.unshift(name(a)); }
    return parts.join(" > "); };
  const clipped = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== "visible") { return true; } } return false; };
  let right = 0, outer = null, inner = null, innerDepth = -1;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= viewport + 0.5 || clipped(el)) { continue; }
    let depth = 0; for (let a = el; a; a = a.parentElement) { depth++; }
    if (box.right > right + 0.5) { right = box.right; outer = el; inner = el; innerDepth = depth; }
    else if (box.right > right - 0.5 && depth > innerDepth) { inner = el; innerDepth = depth; }
  }
  const describe = el => el && {path: path(el), width: Math.round(el.getBoundingClientRect().width),
                                text: (el.innerText || el.value || "").replace(/\s+/g, " ").trim().slice(0, 60)};
  return {width, viewport, element: describe(outer), cause: describe(inner)};
}"""

# A whole page (not a fragment answered to HTMX, nor Django's page for a refused method) has the site's header.
IS_PAGE = "() => document.querySelector('body > header.site-header') !== null"

# Charts and maps draw after the page has loaded: wait for them (a chart that cannot draw says so).
DRAWN = """() => [...document.querySelectorAll("[data-chart]")].every(el => el.querySelector("svg, canvas") ||
                                                                   el.textContent.trim())
          && [...document.querySelectorAll(".map")].every(el => el.dataset.ready === "true")"""


@dataclass
class Measured:
    role: str
    name: str
    path: str
    width: int
    viewport: int
    element: dict[str, Any] | None = None
    cause: dict[str, Any] | None = None

    def describe(self, roles: list[str]) -> str:
        text = f"{self.path} as {', '.join(roles)}: {self.width} px wide in a {self.viewport} px viewport"
        if self.element:
            text += f"; sticking out: {self.element['path']} ({self.element['width']} px"
            text += f", “{self.element['text']}”)" if self.element["text"] else ")"
            if self.cause and self.cause["path"] != self.element["path"]:
                text += f", widest inside: {self.cause['path']} ({self.cause['width']} px)"
        return text


@dataclass
class Walk:
    measured: list[Measured] = field(default_factory=list)
    not_pages: dict[str, set[str]] = field(default_factory=dict)  # pattern name -> roles it is no page for
    refused: dict[str, set[str]] = field(default_factory=dict)    # pattern name -> roles answered 403/404


def open_as(browser, server: str, role: str, viewport: dict[str, int], **options):
    """A browser context signed in as the role's demo account (the public: not signed in), and its page."""
    context = browser.new_context(viewport=viewport, locale="en-GB", **options)
    page = context.new_page()
    page.set_default_timeout(60_000)
    account = ROLES[role]
    if account:
        page.goto(f"{server}/accounts/login/")
        page.fill("#id_username", account[0])
        page.fill("#id_password", account[1])
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.locator("form button[type=submit]").click()
    return context, page


def keep_to_pages(route) -> None:
    """Answer a navigation with the server's answer, except that a file, or an error without a body (a 405 to a
    POST-only address), is replaced by an empty page with the same status: the browser would otherwise start a
    download or show its own error page, which stops the next navigation."""
    if route.request.resource_type != "document":
        route.continue_()
        return
    answer = route.fetch(max_redirects=0)
    body = answer.body()
    if answer.headers.get("content-type", "").startswith("text/html") and body:
        route.fulfill(response=answer, body=body)
    else:
        route.fulfill(status=answer.status, content_type="text/html", body="<!doctype html><title>not a page</title>",
                      headers={"location": answer.headers["location"]} if "location" in answer.headers else None)


def walk(browser, server: str, addresses: dict[str, str], roles=tuple(ROLES), viewport=PHONE) -> Walk:
    """Every address as every role (at the phone's width): the page's width, where it is a page for the role."""
    seen = Walk()
    for role in roles:
        context, page = open_as(browser, server, role, viewport)
        context.route(f"{server}/**", keep_to_pages)
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        try:
            for name, path in addresses.items():
                answer = page.goto(server + path, wait_until="domcontentloaded")
                assert answer is not None
                assert answer.status < 500, f"{path} answers {answer.status} to {role}"
                if answer.status in (403, 404):
                    seen.refused.setdefault(name, set()).add(role)
                if (answer.status != 200 or answer.request.redirected_from is not None
                        or not page.evaluate(IS_PAGE)):  # a refusal, a redirect (to log in), a file, a fragment
                    seen.not_pages.setdefault(name, set()).add(role)
                    continue
                page.wait_for_function(DRAWN, timeout=WAIT)
                seen.measured.append(Measured(role, name, path, **page.evaluate(MEASURE)))
        finally:
            context.close()
        assert errors == [], f"JavaScript errors as {role}: {errors}"
    return seen


def too_wide(measured: list[Measured]) -> list[str]:
    """One line per page wider than its viewport: its widest measure, and the roles it was that wide for."""
    widest: dict[str, tuple[Measured, list[str]]] = {}
    for m in measured:
        if m.width > m.viewport:
            if m.path not in widest or m.width > widest[m.path][0].width:
                widest[m.path] = (m, [r for r in widest.get(m.path, (m, []))[1]])
            widest[m.path][1].append(m.role)
    return [m.describe(roles) for m, roles in widest.values()]


# --- Tests ----------------------------------------------------------------------------------------------


def test_every_page_fits_a_phone(site, browser):
    server, keys = site
    addresses, missing = page_addresses(keys)
    assert missing == [], ("URL patterns without a sample to measure: give each one in `samples` (or list it "
                           f"in FILES if it answers a file): {missing}")
    started = time.monotonic()
    seen = walk(browser, server, addresses)
    if os.environ.get("ASCN_LAYOUT_REPORT"):  # every page's width, to compare layouts before and after a change
        Path(os.environ["ASCN_LAYOUT_REPORT"]).write_text(json.dumps(
            {"seconds": round(time.monotonic() - started), "pages": [vars(m) for m in seen.measured]}, indent=1))
    assert too_wide(seen.measured) == [], "Pages wider than a 390 px phone:\n" + "\n".join(too_wide(seen.measured))
    # Every sample reaches its page or action for some role: a wrong key would measure nothing.
    wrong = sorted(name for name, roles in seen.refused.items() if roles == set(ROLES))
    assert wrong == [], f"Samples refused (403/404) to every role: {wrong}"
    pages = {m.name for m in seen.measured}
    for name in ("network:cities", "plans:pipeline", "finance:instruments", "monitoring:index", "monitoring:compare",
                 "monitoring:network", "monitoring:me_report", "finance:case_edit", "finance:case",
                 "monitoring:city_report", "monitoring:inbox", "monitoring:round", "plans:import_detail",
                 "monitoring:city_import_detail", "workspace:tokens", "workspace:dashboard", "monitoring:series"):
        assert name in pages, f"{name} ({addresses[name]}) was not measured as a page for any role"
    roles_measured = {m.role for m in seen.measured if m.name == "workspace:dashboard"}
    assert roles_measured == set(ROLES) - {"public"}


# The header's rows: the top of every navigation link, and of every item of the tools (languages, account).
HEADER_ROWS = """() => {
  const rows = selector => {  // the rows the elements are laid out in: an element below the last row starts a new one
    const boxes = [...document.querySelectorAll(selector)].map(el => el.getBoundingClientRect())
      .sort((a, b) => a.top - b.top);
    let count = 0, bottom = -Infinity;
    for (const box of boxes) { if (box.top >= bottom) { count++; } bottom = Math.max(bottom, box.bottom); }
    return count;
  };
  const nav = document.querySelector(".main-nav");
  return {nav: rows(".main-nav a"), tools: rows(".header-tools .languages a, .header-tools .account > *"),
          links: document.querySelectorAll(".main-nav a").length, overflow: nav.scrollWidth > nav.clientWidth,
          header: Math.round(document.querySelector(".site-header").getBoundingClientRect().height)};
}"""


@pytest.mark.parametrize("role, language", [("public", ""), ("secretariat", ""), ("city officer", "/vi"),
                                            ("public", "/th")])
def test_the_navigation_fits_one_row_on_a_laptop(site, browser, role, language):
    server, _keys = site
    context, page = open_as(browser, server, role, LAPTOP)
    try:
        page.goto(f"{server}{language}/monitoring/")
        assert page.locator(".menu-toggle").is_hidden()
        rows = page.evaluate(HEADER_ROWS)
        assert rows["links"] == 10
        assert rows["nav"] == 1, f"the navigation takes {rows['nav']} rows at 1,366 px: {rows}"
        assert not rows["overflow"]
        assert rows["tools"] == 1, f"the language and account links take {rows['tools']} rows: {rows}"
        assert rows["header"] <= 100, rows
        signed_in = page.locator(".header-tools .account button.link")
        assert signed_in.count() == (0 if role == "public" else 1)  # Log out, when signed in
    finally:
        context.close()


@pytest.mark.parametrize("language", ["", "/vi", "/th"])
def test_on_a_phone_the_header_is_one_short_row_with_a_menu(site, browser, language):
    server, _keys = site
    context, page = open_as(browser, server, "secretariat", PHONE)
    try:
        page.goto(f"{server}{language}/cities/")
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] <= 64, header
        toggle = page.locator(".menu-toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert toggle.get_attribute("aria-controls") == "site-menu"
        assert page.locator("#site-menu").is_hidden()
    finally:
        context.close()


def test_the_menu_opens_and_leads_to_a_page_on_a_phone(site, browser):
    server, _keys = site
    context, page = open_as(browser, server, "city officer", PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{server}/")
        toggle = page.get_by_role("button", name="Menu")
        projects = page.locator(".main-nav").get_by_role("link", name="Projects")
        assert projects.is_hidden()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert projects.is_visible()
        assert page.locator(".header-tools").get_by_role("link", name="Workspace").is_visible()
        assert page.locator(".header-tools").get_by_role("button", name="Log out").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        with page.expect_navigation(url=f"{server}/projects/", wait_until="domcontentloaded"):
            projects.click()
        assert page.locator("h1").inner_text() == "Project pipeline"
        assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "false"  # closed again

        # With the keyboard: Enter opens it, Tab reaches the first link, Escape closes it and returns to the button.
        toggle = page.get_by_role("button", name="Menu")
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Cities"
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.locator("#site-menu").is_hidden()
        assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
        page.keyboard.press("Space")
        assert toggle.get_attribute("aria-expanded") == "true"
        toggle.click()
        assert page.locator("#site-menu").is_hidden()
    finally:
        context.close()
    assert errors == []


def test_without_scripts_the_navigation_stays_reachable_on_a_phone(site, browser):
    server, _keys = site
    context, page = open_as(browser, server, "public", PHONE, java_script_enabled=False)
    try:
        page.goto(f"{server}/")
        assert page.locator(".menu-toggle").is_hidden()  # a button that could do nothing is not shown
        assert page.locator(".main-nav a").count() == 10
        assert all(page.locator(".main-nav a").nth(i).is_visible() for i in range(10))
        assert page.locator(".header-tools").get_by_role("link", name="Log in").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        with page.expect_navigation(url=f"{server}/financing/instruments/", wait_until="domcontentloaded"):
            page.locator(".main-nav").get_by_role("link", name="Financing").click()
    finally:
        context.close()
