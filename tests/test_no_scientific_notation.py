"""No number a person reads is written in scientific notation, on any page, template or export.

The seeded site, plus figures that Python would write as 1.2e+06 or 1e-05 (an observation of 1,200,000
and one of 0.00001, a loan of 15,000,000 ...), is crawled in English, Vietnamese and Thai as the public and
as each demo account: every page reachable by a link (a few of each address pattern), the workspace, the
monitoring data pages, the scorecard and the analysis pages, finance and plans pages, and the CSV and
XLSX templates and downloads, and the PDFs they link to. The visible text of each page (not its scripts,
styles or attributes), each input's value, each CSV cell, each spreadsheet cell and each PDF's text must be
free of exponents, and a spreadsheet number must have a format that shows it in full. Vietnamese and Thai
pages write numbers with their own separators, with the same decimals on the data page and the scorecard.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation
from openpyxl import load_workbook

from ascn.core.testing.pdf import pdf_text
from ascn.finance.actions.business_cases import create_business_case
from ascn.monitoring import analytics
from ascn.monitoring.models import CityIndicator, Indicator, Observation, Target
from ascn.network.actions import ensure_demo_accounts
from ascn.network.models import City
from ascn.plans.models import Project, StrategicTarget

LANGUAGES = ("en", "vi", "th")
# A number in exponent notation: 1.2e+06, 1e-05, 1,5E+07; not inside a word (a code such as "A1E2").
SCIENTIFIC = re.compile(r"(?<![\w.,])[-+]?\d+(?:[.,]\d+)?[eE][-+]?\d+(?!\w)")
PER_ROUTE = 2  # pages crawled per address pattern (and kind of download), besides the forced ones
SKIPPED = ("/admin/", "/api/", "/static/", "/media/", "/accounts/logout/", "/evidence/", "/file/")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Reading what a person sees -------------------------------------------------------------------------------


class Visible(HTMLParser):
    """The text a reader sees (outside script, style and template), the values of inputs, and the links."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.values: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "input" and found.get("type") not in ("hidden", "submit", "button") and found.get("value"):
            self.values.append(f'{found.get("name")}="{found["value"]}"')
        if tag == "a" and found.get("href") and found.get("rel") != "external":
            self.links.append(found["href"] or "")
        if found.get("hx-get"):
            self.links.append(found["hx-get"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def exponents_in(text: str) -> list[str]:
    """Each exponent with a little of its context."""
    return [text[max(m.start() - 40, 0):m.end() + 20].replace("\n", " ") for m in SCIENTIFIC.finditer(text)]


def excel_general_shows_exponent(value: float) -> bool:
    """Excel's General format writes these in E notation (1.2E+11, 1E-05)."""
    return value != 0 and (abs(value) >= 1e11 or abs(value) < 1e-4)


def problems_in_workbook(data: bytes) -> list[str]:
    found = []
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value, fmt = cell.value, cell.number_format or "General"
                where = f"{sheet.title}!{cell.coordinate}"
                if isinstance(value, str):
                    found += [f"{where}: {hit}" for hit in exponents_in(value)]
                elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                    if "E+" in fmt.upper() or "E-" in fmt.upper():
                        found.append(f"{where}: {value!r} in format {fmt!r}")
                    elif fmt == "General" and excel_general_shows_exponent(float(value)):
                        found.append(f"{where}: {value!r} in the General format (shown as E notation)")
    return found


def problems_in_csv(text: str) -> list[str]:
    return [f"line {n}: {hit}" for n, row in enumerate(csv.reader(io.StringIO(text)), start=1)
            for cell in row for hit in exponents_in(cell)]


# --- The crawl ------------------------------------------------------------------------------------------------


@dataclass
class Crawl:
    """What one reader (a language and an account) reached and what was wrong on it."""

    language: str
    client: Client
    seen: set[str] = field(default_factory=set)
    per_route: dict[tuple, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)

    def prefix(self, url: str) -> str:
        return url if self.language == "en" else f"/{self.language}{url}"

    def route_of(self, url: str) -> tuple | None:
        """The address pattern (and the kind of download) of an internal page of this language."""
        parts = urlsplit(url)
        path = parts.path
        if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith(SKIPPED) \
                or any(path.startswith(skip, len(self.language) + 1) for skip in SKIPPED):
            return None
        other = [code for code in LANGUAGES if code != self.language and code != "en"]
        if any(path.startswith(f"/{code}/") for code in other) or \
                (self.language != "en" and not path.startswith(f"/{self.language}/")):
            return None
        try:
            with translation.override(self.language):
                match = resolve(path)
        except Resolver404:
            return None
        query = dict(parse_qsl(parts.query))
        return match.route, match.kwargs.get("fmt"), query.get("format")

    def run(self, starts: list[str], limit: int = 400) -> None:
        queue = deque((self.prefix(url), True) for url in starts)
        while queue and len(self.seen) < limit:
            url, forced = queue.popleft()
            url = url.split("#")[0]
            if not url or url in self.seen:
                continue
            route = self.route_of(url)
            if route is None:
                continue
            if not forced and self.per_route.get(route, 0) >= PER_ROUTE:
                continue
            self.per_route[route] = self.per_route.get(route, 0) + 1
            self.seen.add(url)
            for link in self.check(url):
                queue.append((urljoin(url, link), False))

    def check(self, url: str) -> list[str]:
        response = self.client.get(url)
        if response.status_code in (301, 302):
            return [response["Location"]]
        if response.status_code != 200:
            return []
        kind = response.get("Content-Type", "").split(";")[0]
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if kind == "text/html":
            page = Visible()
            page.feed(body.decode())
            self.problems += [f"{url}: {hit}" for hit in exponents_in(" ".join(page.text))]
            self.problems += [f"{url}: input {value}" for value in page.values if SCIENTIFIC.search(value)]
            return page.links
        if kind == "text/csv":
            self.problems += [f"{url}: {hit}" for hit in problems_in_csv(body.decode("utf-8-sig"))]
        elif kind == XLSX:
            self.problems += [f"{url}: {hit}" for hit in problems_in_workbook(body)]
        elif kind == "application/pdf":
            self.problems += [f"{url}: {hit}" for hit in exponents_in(pdf_text(body))]
        return []


# --- The seeded site with large and small figures -------------------------------------------------------------

LARGE, SMALL, KNOWN = 1_200_000.0, 0.00001, 1_234_567.5
# A flag as validation stored its figures before they were written plainly.
OLD_FLAG = {"code": "outlier_jump", "params": {"value": "1.5e+07", "ratio": "12.5", "previous": "1.2e+06",
                                               "previous_period": "2024"},
            "detail": "The value 1.5e+07 is 12.5 times the previous value 1.2e+06 (2024)."}


@dataclass
class Figures:
    city: City
    large: CityIndicator
    small: CityIndicator
    project: Project
    case_id: int


@pytest.fixture
def figures(settings, tmp_path, secretariat) -> Figures:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MONITORING_ANALYTICS_DIR = tmp_path / "analytics"
    settings.MONITORING_ANALYTICS_TTL = 0
    city = City.objects.get(slug="da-nang")
    large_indicator = Indicator.objects.create(code="T-LARGE", name="Residents served", family="ascn",
                                               unit="inhabitants", direction="higher", aggregation="sum",
                                               is_published=True)
    small_indicator = Indicator.objects.create(code="T-SMALL", name="Lead in drinking water", family="ascn",
                                               unit="mg/l", direction="lower", aggregation="mean",
                                               is_published=True)
    large = CityIndicator.objects.create(city=city, indicator=large_indicator, baseline_value=LARGE,
                                         baseline_year=2020)
    Target.objects.create(assignment=large, year=2030, value=15_000_000.0)
    small = CityIndicator.objects.create(city=city, indicator=small_indicator, baseline_value=0.00002,
                                         baseline_year=2020)
    Target.objects.create(assignment=small, year=2030, value=0.000005)
    for indicator, values in ((large_indicator, {"2024": LARGE, "2025": KNOWN}),
                              (small_indicator, {"2024": 0.00003, "2025": SMALL})):
        for period, value in values.items():
            Observation.objects.create(city=city, indicator=indicator, period=period, year=int(period), value=value,
                                       numerator=value * 1e6 if indicator is small_indicator else None,
                                       denominator=1e11 if indicator is small_indicator else None,
                                       flags=[OLD_FLAG] if value == KNOWN else [])
    project = Project.objects.filter(city=city, is_published=True).order_by("pk").first()
    assert project is not None
    Project.objects.filter(pk=project.pk).update(cost_estimate=Decimal("25000000.00"),
                                                 funding_secured=Decimal("1234567.50"))
    plan_target = StrategicTarget.objects.filter(plan__city=city).first()
    if plan_target is not None:
        StrategicTarget.objects.filter(pk=plan_target.pk).update(baseline_value=Decimal("1200000"),
                                                                 target_value=Decimal("0.0001"))
    case = create_business_case(secretariat, project, {"scenario": "Large loan", "inputs": {
        "years": 20, "discount_rate": 0.08, "currency": "USD",
        "lines": [{"kind": "capex", "values": [20_000_000] + [0] * 20, "label": "Build"},
                  {"kind": "revenue", "values": [0] + [3_500_000] * 20, "label": "Fees"},
                  {"kind": "opex", "values": [0] + [0.00001] + [600_000] * 19, "label": "Running"}],
        "loans": [{"principal": 15_000_000, "rate": 0.035, "tenor_years": 15}]}})
    yield Figures(city, large, small, Project.objects.get(pk=project.pk), case.pk)
    analytics.close_thread_connection()


def starts(figures: Figures) -> list[str]:
    """The pages the crawl must reach (others are found by following links)."""
    slug, case, project = figures.city.slug, figures.case_id, figures.project.pk
    return ["/", "/workspace/", f"/cities/{slug}/", f"/monitoring/cities/{slug}/data/",
            f"/monitoring/cities/{slug}/data/indicators/{figures.large.pk}/",
            f"/monitoring/cities/{slug}/data/indicators/{figures.small.pk}/",
            f"/monitoring/cities/{slug}/data/template.xlsx", f"/monitoring/cities/{slug}/data/template.csv",
            f"/monitoring/cities/{slug}/scorecard/", f"/monitoring/cities/{slug}/scorecard/?format=csv",
            f"/monitoring/cities/{slug}/indicators/T-LARGE/", f"/monitoring/cities/{slug}/indicators/T-SMALL/",
            f"/monitoring/cities/{slug}/indicators/T-SMALL/?format=csv",
            "/monitoring/compare/?indicator=T-LARGE", "/monitoring/compare/?indicator=T-SMALL&format=csv",
            "/monitoring/network/", "/monitoring/network/?format=csv", "/monitoring/scorecards/",
            "/monitoring/observations/review/", f"/projects/{project}/",
            f"/financing/projects/{project}/business-cases/", f"/financing/business-cases/{case}/",
            f"/financing/business-cases/{case}/export.xlsx", "/projects/", "/projects/export.csv",
            "/projects/export.xlsx", f"/cities/{slug}/plan/", "/projects/import/template.xlsx",
            "/projects/import/template.csv", "/monitoring/reports/"]


def readers() -> list[tuple[str, Client]]:
    """The public and each demo account, signed in."""
    people = [("public", Client())]
    for user in ensure_demo_accounts():
        client = Client()
        client.force_login(user)
        people.append((user.username, client))
    return people


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_template_or_download_shows_a_number_in_scientific_notation(figures, language):
    problems, reached, kinds = [], 0, {}
    for who, client in readers():
        crawl = Crawl(language, client)
        crawl.run(starts(figures))
        problems += [f"[{who}] {p}" for p in crawl.problems]
        reached += len(crawl.seen)
        for kind, count in crawl.kinds.items():
            kinds[kind] = kinds.get(kind, 0) + count
    assert kinds.get("text/html", 0) > 100 and kinds.get("text/csv") and kinds.get(XLSX), (reached, kinds)
    assert not problems, "\n".join(sorted(set(problems)))


# --- Each language's separators, the same decimals on the data page and the scorecard -------------------------


def visible_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = Visible()
    page.feed(response.content.decode())
    return " ".join(page.text)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "known", "small", "target"), [
    ("en", "1,234,567.5", "0.00001", "15,000,000"),
    ("vi", "1.234.567,5", "0,00001", "15.000.000"),
    ("th", "1,234,567.5", "0.00001", "15,000,000"),
])
def test_the_data_page_and_the_scorecard_write_numbers_in_the_readers_language(figures, language, known, small,
                                                                               target):
    client = Client()
    client.force_login(ensure_demo_accounts()[0])
    prefix = "" if language == "en" else f"/{language}"
    slug = figures.city.slug
    data_page = visible_text(client, f"{prefix}/monitoring/cities/{slug}/data/")
    scorecard = visible_text(client, f"{prefix}/monitoring/cities/{slug}/scorecard/")
    series = visible_text(client, f"{prefix}/monitoring/cities/{slug}/indicators/T-LARGE/")
    indicator_page = visible_text(client, f"{prefix}/monitoring/cities/{slug}/data/indicators/{figures.large.pk}/")
    for text in (data_page, scorecard, series, indicator_page):
        assert known in text and target in text
    for text in (data_page, scorecard):
        assert small in text
    grouped_baseline = "1.200.000" if language == "vi" else "1,200,000"
    assert grouped_baseline in data_page and grouped_baseline in scorecard
    assert "1234567" not in data_page + scorecard  # never ungrouped


@pytest.mark.django_db
def test_inputs_show_stored_values_plainly_in_every_language(figures):
    client = Client()
    client.force_login(ensure_demo_accounts()[0])
    for prefix in ("", "/vi", "/th"):
        response = client.get(f"{prefix}/monitoring/cities/da-nang/data/indicators/{figures.small.pk}/")
        page = Visible()
        page.feed(response.content.decode())
        assert 'baseline-baseline_value="0.00002"' in page.values


@pytest.mark.django_db
def test_the_entry_template_shows_numbers_in_full(figures):
    client = Client()
    client.force_login(ensure_demo_accounts()[0])
    response = client.get("/monitoring/cities/da-nang/data/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, float | int)
               and not isinstance(c.value, bool)]
    assert problems_in_workbook(response.content) == []
    assert numbers, "the template is prefilled with stored values"


def test_the_checks_catch_what_they_look_for():
    page = Visible()
    page.feed('<p>Baseline 1.2e+06 (2020)</p><script>var x = 1e-05;</script><input name="v" value="1.5e+06">'
              '<a href="/x/" title="3e5">ok</a>')
    found = exponents_in(" ".join(page.text))
    assert len(found) == 1 and found[0].startswith("Baseline 1.2e+06") and page.values == ['v="1.5e+06"']
    assert exponents_in("1,5E+07 and 2E-3") and not exponents_in("ISO 37120, A1E2, 2025-Q3, 1.234.567,5")
    assert problems_in_csv("a,b\n1.5e+16,2\n") == ["line 2: 1.5e+16"]
    assert excel_general_shows_exponent(1.5e11) and excel_general_shows_exponent(1e-5)
    assert not excel_general_shows_exponent(1_200_000) and not excel_general_shows_exponent(0.5)


# --- Charts (drawn in the browser) ----------------------------------------------------------------------------

NUMBERS_CHART = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": [{"city": "Da Nang", "value": 1_234_567.5}]},
    "mark": "bar",
    "encoding": {"x": {"field": "city", "type": "nominal"},
                 "y": {"field": "value", "type": "quantitative", "axis": {"format": ",.1f"}}},
}


@pytest.mark.browser
@pytest.mark.parametrize(("language", "label"), [("vi", "1.200.000,0"), ("th", "1,200,000.0"), ("en", "1,200,000.0")])
def test_charts_write_numbers_with_the_page_languages_separators(server, page, language, label):
    prefix = "" if language == "en" else f"/{language}"
    page.goto(f"{server}{prefix}/monitoring/cities/da-nang/scorecard/")
    page.evaluate("""(spec) => {
        const source = document.createElement("script");
        source.type = "application/json";
        source.id = "chart-numbers";
        source.textContent = JSON.stringify(spec);
        const chart = document.createElement("div");
        chart.dataset.chart = "chart-numbers";
        document.body.append(source, chart);
        document.body.dispatchEvent(new Event("htmx:afterSettle"));  // what charts.js draws swapped-in charts on
    }""", NUMBERS_CHART)
    labels = page.locator('[data-chart="chart-numbers"] svg .role-axis-label text')
    labels.first.wait_for(timeout=30_000)
    assert label in labels.all_text_contents()
