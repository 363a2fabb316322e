"""Monitoring's data in the reader's language: indicator names and labels in the catalogue, the data pages and
the analysis pages (with their CSV downloads and charts); country names and cities' local names in the
scorecards, comparisons and roll-ups; the Secretariat's form for an indicator's names. The API keeps English."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.monitoring import analytics
from ascn.monitoring.actions import reports as report_actions
from ascn.monitoring.models import CityIndicator, Indicator, Observation, ReportingRound, Target
from ascn.network.models import City

pytestmark = pytest.mark.django_db

ELECTRICITY = "EC: I: ES: 3C"  # Access to Electricity
ELECTRICITY_NAMES = {"en": "Access to Electricity", "vi": "Tiếp cận điện năng", "th": "การเข้าถึงไฟฟ้า"}
INTERNET = "EC: ICT: ICT: 1C"  # Household Internet Access


@pytest.fixture(autouse=True)
def analysis_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MONITORING_ANALYTICS_DIR = tmp_path / "analytics"
    settings.MONITORING_ANALYTICS_TTL = 0
    yield
    analytics.close_thread_connection()


def at(lang: str, path: str) -> str:
    return path if lang == "en" else f"/{lang}{path}"


def client_of(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(html: str) -> str:
    """A page's visible text on one line (tags, scripts and styles dropped)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def chart(html: str, chart_id: str) -> dict:
    return json.loads(html.split(f'id="{chart_id}" type="application/json">')[1].split("</script>")[0])


@pytest.fixture
def data():
    """Access to Electricity in Da Nang, Ha Noi and Bangkok (2025), Da Nang's with a baseline and a target."""
    item = Indicator.objects.get(code=ELECTRICITY)
    Indicator.objects.filter(pk=item.pk).update(direction="higher")
    cities = {c.slug: c for c in City.objects.filter(slug__in=["da-nang", "ha-noi", "bangkok"])}
    assignment = CityIndicator.objects.create(city=cities["da-nang"], indicator=item, baseline_value=90,
                                              baseline_year=2020)
    Target.objects.create(assignment=assignment, year=2030, value=100)
    for slug, value in (("da-nang", 97), ("ha-noi", 99), ("bangkok", 98)):
        Observation.objects.create(city=cities[slug], indicator=item, period="2025", year=2025, value=value)
    FrameworkTag.objects.create(node=FrameworkNode.objects.get(code="built_infrastructure"), is_primary=True,
                                content_type=ContentType.objects.get_for_model(Indicator), object_id=item.pk)
    return item


# --- The catalogue --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "row"), [
    ("en", "EC: ICT: ICT: 1C Household Internet Access Economy · ICT ICT Infrastructure"),
    ("vi", "EC: ICT: ICT: 1C Hộ gia đình truy cập Internet Kinh tế · Công nghệ thông tin và truyền thông "
           "Hạ tầng công nghệ thông tin và truyền thông"),
    ("th", "EC: ICT: ICT: 1C การเข้าถึงอินเทอร์เน็ตของครัวเรือน เศรษฐกิจ · เทคโนโลยีสารสนเทศและการสื่อสาร "
           "โครงสร้างพื้นฐานเทคโนโลยีสารสนเทศและการสื่อสาร"),
])
def test_the_indicator_list_gives_names_and_labels_in_the_readers_language(client, lang, row):
    html = client.get(at(lang, "/monitoring/indicators/")).content.decode()
    assert row in text(html)
    if lang != "en":
        assert "Household Internet Access" not in html and ">Economy<" not in html


@pytest.mark.parametrize(("lang", "options"), [
    ("en", [("Context", "Context"), ("Economy", "Economy"), ("Environment", "Environment"),
            ("Society and Culture", "Society and Culture")]),
    ("vi", [("Context", "Bối cảnh"), ("Economy", "Kinh tế"), ("Environment", "Môi trường"),
            ("Society and Culture", "Xã hội và văn hóa")]),
    ("th", [("Context", "ข้อมูลบริบท"), ("Economy", "เศรษฐกิจ"), ("Environment", "สิ่งแวดล้อม"),
            ("Society and Culture", "สังคมและวัฒนธรรม")]),
])
def test_the_dimension_filter_reads_in_the_readers_language_and_filters_by_the_dimension(client, lang, options):
    response = client.get(at(lang, "/monitoring/indicators/"))
    assert response.context["form"].fields["dimension"].choices[1:] == options
    economy = client.get(at(lang, "/monitoring/indicators/"), {"dimension": "Economy"})
    assert economy.context["page"].paginator.count == 45  # the Economy KPIs


@pytest.mark.parametrize(("lang", "q", "codes"), [
    ("vi", "dien nang", [ELECTRICITY]),                      # accents ignored
    ("vi", "Tiếp cận điện", [ELECTRICITY]),
    ("th", "การเข้าถึงไฟฟ้า", [ELECTRICITY]),
    ("vi", "Access to Electricity", [ELECTRICITY]),          # the English name still finds it
    ("en", "dien nang", []),
])
def test_the_catalogue_search_finds_names_in_the_readers_language(client, lang, q, codes):
    response = client.get(at(lang, "/monitoring/indicators/"), {"q": q})
    assert [i.code for i in response.context["page"].object_list] == codes


@pytest.mark.parametrize("lang", ["vi", "th"])
def test_the_indicator_page_gives_its_name_and_labels_in_the_readers_language(client, lang):
    item = Indicator.objects.get(code=INTERNET)
    page = text(client.get(at(lang, f"/monitoring/indicators/{item.pk}/")).content.decode())
    texts = item.i18n[lang]
    assert f"{texts['name']} {INTERNET}" in page
    assert f"{texts['dimension']} · {texts['sub_dimension']}" in page and texts["category"] in page
    assert "Household Internet Access" not in page and "ICT Infrastructure" not in page


# --- The Secretariat enters an indicator's names ----------------------------------------------------------------


def test_the_secretariat_enters_an_indicators_names(secretariat):
    item = Indicator.objects.get(code=INTERNET)
    client = client_of(secretariat)
    page = client.get(f"/vi/monitoring/indicators/{item.pk}/").content.decode()
    assert 'data-testid="names-form"' in page and 'value="Hộ gia đình truy cập Internet"' in page
    response = client.post(f"/vi/monitoring/indicators/{item.pk}/names/",
                           {"name_vi": "  Truy cập Internet của hộ gia đình ", "name_th": ""})
    assert response.status_code == 302 and response["Location"] == f"/vi/monitoring/indicators/{item.pk}/"
    item.refresh_from_db()
    assert item.i18n["vi"]["name"] == "Truy cập Internet của hộ gia đình"
    assert "name" not in item.i18n["th"] and item.i18n["th"]["category"]  # the labels stay
    entry = AuditEntry.objects.filter(object_id=str(item.pk)).latest("pk")
    assert (entry.actor, entry.via) == (secretariat, "web")
    assert entry.changes["i18n"][1]["vi"]["name"] == "Truy cập Internet của hộ gia đình"
    assert "Truy cập Internet của hộ gia đình" in text(client.get(f"/vi/monitoring/indicators/{item.pk}/").content
                                                       .decode())
    th_page = text(client.get(f"/th/monitoring/indicators/{item.pk}/").content.decode())
    assert "Household Internet Access EC: ICT: ICT: 1C" in th_page  # no Thai name: the English one


def test_a_name_too_long_is_refused_beside_its_field(secretariat):
    item = Indicator.objects.get(code=INTERNET)
    before = dict(item.i18n)
    response = client_of(secretariat).post(f"/monitoring/indicators/{item.pk}/names/", {"name_vi": "x" * 251})
    assert response.status_code == 422
    assert "Ensure this value has at most 250 characters" in text(response.content.decode())
    item.refresh_from_db()
    assert item.i18n == before


@pytest.mark.parametrize("who", [None, "csco", "nr"])
def test_only_the_secretariat_enters_names(who, csco_danang, nr_vietnam):
    user = {"csco": csco_danang, "nr": nr_vietnam}.get(who or "")
    item = Indicator.objects.get(code=INTERNET)
    before, entries = dict(item.i18n), AuditEntry.objects.count()
    client = client_of(user)
    assert 'data-testid="names-form"' not in client.get(f"/monitoring/indicators/{item.pk}/").content.decode()
    response = client.post(f"/monitoring/indicators/{item.pk}/names/", {"name_vi": "Khác"})
    assert response.status_code == (302 if user is None else 403)
    if user is None:
        assert response["Location"].startswith("/accounts/login/")
    item.refresh_from_db()
    assert (item.i18n, AuditEntry.objects.count()) == (before, entries)


def test_the_indicator_api_keeps_the_english_name_and_gives_the_translations(api):
    item = Indicator.objects.get(code=INTERNET)
    body = Client().get(f"/api/v1/monitoring/indicators/{item.pk}", headers={"Accept-Language": "vi"}).json()
    assert (body["name"], body["category"]) == ("Household Internet Access", "ICT Infrastructure")
    assert body["translations"] == item.i18n and body["translations"]["vi"]["name"] == "Hộ gia đình truy cập Internet"


# --- The city's data page ---------------------------------------------------------------------------------------


def test_the_data_page_puts_assigning_before_recording_in_the_readers_language(csco_danang, data):
    html = client_of(csco_danang).get("/vi/monitoring/cities/da-nang/data/").content.decode()
    assert html.index('<section id="assign">') < html.index('id="entry-form"')
    page = text(html)
    assert "Dữ liệu chỉ số của Đà Nẵng" in page
    assert f"{ELECTRICITY} Tiếp cận điện năng" in page and "Access to Electricity" not in page
    dimensions = re.findall(r'<option value="([^"]+)">([^<]+)</option>',
                            html.split('id="assign-dimension"')[1].split("</select>")[0])
    assert dimensions == [("Context", "Bối cảnh"), ("Economy", "Kinh tế"), ("Environment", "Môi trường"),
                          ("Society and Culture", "Xã hội và văn hóa")]


# --- Analysis ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "city", "country"), [
    ("en", "Da Nang", "Viet Nam"), ("vi", "Đà Nẵng", "Việt Nam"), ("th", "Da Nang", "เวียดนาม")])
def test_the_network_scorecard_names_cities_and_countries_in_the_readers_language(data, lang, city, country):
    html = client_of().get(at(lang, "/monitoring/scorecards/")).content.decode()
    row = html.split('<tr data-city="da-nang">')[1].split("</tr>")[0]
    assert text(row).startswith(f" {city} {country} 1 ")
    bangkok = text(html.split('<tr data-city="bangkok">')[1].split("</tr>")[0])
    assert bangkok.startswith({"en": " Bangkok Thailand ", "vi": " Bangkok Thái Lan ", "th": " กรุงเทพมหานคร ไทย "}[lang])
    rows = {r[0]: r for r in csv_rows(client_of().get(at(lang, "/monitoring/scorecards/"), {"format": "csv"}))}
    assert rows["da-nang"][1:3] == [city, country]


def test_the_city_scorecard_gives_indicator_names_in_the_readers_language(data):
    html = client_of().get("/vi/monitoring/cities/da-nang/scorecard/").content.decode()
    assert f"{ELECTRICITY} Tiếp cận điện năng" in text(html) and "Access to Electricity" not in html
    assert "Đà Nẵng" in text(re.search(r"<h1>.*?</h1>", html, re.S)[0])
    rows = csv_rows(client_of().get("/vi/monitoring/cities/da-nang/scorecard/", {"format": "csv"}))
    assert rows[1][:3] == [ELECTRICITY, "Tiếp cận điện năng", "%"]


@pytest.mark.parametrize(("lang", "names"), [
    ("en", [("Ha Noi", "Viet Nam"), ("Bangkok", "Thailand"), ("Da Nang", "Viet Nam")]),
    ("vi", [("Hà Nội", "Việt Nam"), ("Bangkok", "Thái Lan"), ("Đà Nẵng", "Việt Nam")]),
    ("th", [("Ha Noi", "เวียดนาม"), ("กรุงเทพมหานคร", "ไทย"), ("Da Nang", "เวียดนาม")]),
])
def test_compare_names_cities_countries_and_the_indicator_in_the_readers_language(data, lang, names):
    response = client_of().get(at(lang, "/monitoring/compare/"), {"indicator": ELECTRICITY})
    html = response.content.decode()
    assert [(r["name"], r["country"]) for r in response.context["result"].rows] == names
    cells = [re.findall(r"<td>(.*?)</td>", part.split("</tr>")[0]) for part in html.split("<tr data-city=")[1:]]
    assert [(text(c[0]).strip(), c[1]) for c in cells] == names
    spec = chart(html, "chart-compare")
    assert [v["label"] for v in spec["layer"][0]["data"]["values"]] == [city for city, _country in names]
    assert spec["title"]["text"] == f"{ELECTRICITY} {ELECTRICITY_NAMES[lang]} (2025)"
    option = f'<option value="{ELECTRICITY}" selected>{ELECTRICITY} {ELECTRICITY_NAMES[lang]}</option>'
    assert option in html
    rows = csv_rows(client_of().get(at(lang, "/monitoring/compare/"), {"indicator": ELECTRICITY, "format": "csv"}))
    assert [tuple(r[1:3]) for r in rows[1:]] == names


@pytest.mark.parametrize(("lang", "by", "groups"), [
    ("vi", "country", ["Thái Lan", "Việt Nam"]), ("th", "country", ["ไทย", "เวียดนาม"]),
    ("vi", "focus_area", ["Cơ sở hạ tầng xây dựng"]), ("th", "focus_area", ["โครงสร้างพื้นฐานทางกายภาพ"]),
])
def test_rollups_name_their_groups_and_indicators_in_the_readers_language(data, lang, by, groups):
    params = {"by": by, "indicator": ELECTRICITY}
    response = client_of().get(at(lang, "/monitoring/network/"), params)
    assert [r["group_name"] for r in response.context["result"].rows] == groups
    assert {r["name"] for r in response.context["result"].rows} == {ELECTRICITY_NAMES[lang]}
    rows = csv_rows(client_of().get(at(lang, "/monitoring/network/"), {**params, "format": "csv"}))
    assert [(r[1], r[3]) for r in rows[1:]] == [(group, ELECTRICITY_NAMES[lang]) for group in groups]
    spec = chart(response.content.decode(), "chart-rollup")
    assert [v["label"] for v in spec["layer"][0]["data"]["values"]] == groups


def test_the_series_page_names_the_indicator_and_the_city_in_the_readers_language(data):
    html = client_of().get(f"/vi/monitoring/cities/da-nang/indicators/{ELECTRICITY}/").content.decode()
    assert text(re.search(r"<h1>.*?</h1>", html, re.S)[0]).strip() == f"Tiếp cận điện năng {ELECTRICITY} · Đà Nẵng"
    assert chart(html, f"chart-series-{data.pk}")["title"]["text"] == f"{ELECTRICITY} Tiếp cận điện năng"


def test_the_api_gives_english_names_whatever_the_language_asked(data):
    headers = {"Accept-Language": "vi"}
    rows = Client().get("/api/v1/monitoring/scorecards", headers=headers).json()["items"]
    assert next((r["name"], r["country"]) for r in rows if r["city"] == "da-nang") == ("Da Nang", "Viet Nam")
    compared = Client().get("/api/v1/monitoring/compare", {"indicator": ELECTRICITY}, headers=headers).json()
    assert [(r["name"], r["country"]) for r in compared["items"]] == [
        ("Ha Noi", "Viet Nam"), ("Bangkok", "Thailand"), ("Da Nang", "Viet Nam")]
    card = Client().get("/api/v1/monitoring/cities/da-nang/scorecard", headers=headers).json()
    assert card["items"][0]["name"] == "Access to Electricity"
    rolled = Client().get("/api/v1/monitoring/rollups", {"by": "country", "indicator": ELECTRICITY},
                          headers=headers).json()["items"]
    assert [(r["group_name"], r["name"]) for r in rolled] == [("Thailand", "Access to Electricity"),
                                                             ("Viet Nam", "Access to Electricity")]


def test_the_rounds_pickers_name_cities_in_the_readers_language(secretariat):
    html = client_of(secretariat).get("/vi/monitoring/rounds/2025/").content.decode()
    picker = html.split('id="id_extend-city"')[1].split("</select>")[0]
    assert '<option value="da-nang">Đà Nẵng</option>' in picker and ">Da Nang<" not in picker
    edit = client_of(secretariat).get("/th/monitoring/rounds/2025/edit/").content.decode()
    assert "กรุงเทพมหานคร (ไทย)" in text(edit) and "Da Nang (เวียดนาม)" in text(edit)


@pytest.mark.parametrize(("lang", "city", "country"), [("en", "Da Nang", "Viet Nam"), ("vi", "Đà Nẵng", "Việt Nam"),
                                                     ("th", "Da Nang", "เวียดนาม")])
def test_the_round_page_reports_list_and_inbox_name_cities_in_the_readers_language(secretariat, nr_vietnam, lang,
                                                                                    city, country):
    reporting_round = ReportingRound.objects.get(year=2025)
    reporting_round.opens_on, reporting_round.closes_on = dt.date(2025, 10, 1), dt.date(2099, 12, 31)
    reporting_round.save()
    report = report_actions.start_report(secretariat, reporting_round, City.objects.get(slug="da-nang"))
    report_actions.transition_report(secretariat, report, "submit")
    link = f'href="/{"" if lang == "en" else lang + "/"}monitoring/annual-reports/{report.pk}/"'
    round_page = client_of(secretariat).get(at(lang, "/monitoring/rounds/2025/")).content.decode()
    row = round_page.split('data-city="da-nang"')[1].split("</tr>")[0]
    assert f"{link}>{city}</a>" in row and f"<td>{country}</td>" in row
    listed = client_of(secretariat).get(at(lang, "/monitoring/annual-reports/"), {"year": 2025}).content.decode()
    assert f"{link}>{city}</a></td><td>{country}</td>" in listed
    inbox = client_of(nr_vietnam).get(at(lang, "/monitoring/inbox/")).content.decode()
    row = inbox.split('data-city="da-nang"')[1].split("</tr>")[0]
    assert f"{link}>{city}</a>" in row and f'<span class="muted">{country}</span>' in row
    dashboard = client_of(nr_vietnam).get(at(lang, "/workspace/")).content.decode()
    row = dashboard.split('data-testid="country-cities"')[1].split('data-city="da-nang"')[1].split("</tr>")[0]
    assert f"{link}>{city}</a>" in row
    if lang == "vi":
        assert "Da Nang" not in row and "Da Nang" not in listed.split('id="results"')[1]
    report_page = client_of(secretariat).get(at(lang, f"/monitoring/annual-reports/{report.pk}/")).content.decode()
    heading = text(re.search(r"<h1>.*?</h1>", report_page, re.S)[0]).strip()
    assert heading.endswith(f"2025: {city}")
    assert re.search(r"<title>(.*?)</title>", report_page, re.S)[1].startswith(heading)


def test_the_workspace_names_the_accounts_scope_in_the_readers_language(nr_vietnam):
    html = client_of(nr_vietnam).get("/vi/workspace/").content.decode()
    assert "Việt Nam" in text(html.split('data-testid="signed-in-as">')[1].split("</p>")[0])


def test_the_workspace_names_a_city_officers_city_in_the_readers_language(csco_danang):
    html = client_of(csco_danang).get("/vi/workspace/").content.decode()
    assert "Đà Nẵng" in text(html.split('data-testid="signed-in-as">')[1].split("</p>")[0])
    assert "Đà Nẵng" in text(html.split('id="projects-title">')[1].split("</h2>")[0])
    assert "Da Nang" not in text(html.split('<main')[1])
