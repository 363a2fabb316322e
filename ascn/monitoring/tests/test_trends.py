"""The network's trend across reporting rounds: the rounds before the platform seeded with the figures their
published reports state (checked against the shared reference me_headlines.csv), the trends page and API with
published figures beside computed ones, and what the extra rounds must not change."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest
from django.utils import timezone

from ascn.core.seeding import SeedError
from ascn.monitoring import seed
from ascn.monitoring.models import PublishedFigures, ReportingRound

pytestmark = pytest.mark.django_db
STATUS_COLUMNS = ("ongoing", "planning", "completed")
AREAS = ("civic_social", "health_wellbeing", "safety_security", "quality_environment", "built_infrastructure",
         "industry_innovation")


def number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


# --- The seed ------------------------------------------------------------------------------------------------


def test_the_rounds_before_the_platform_are_closed_with_no_reporting_city():
    rounds = {r.year: r for r in ReportingRound.objects.prefetch_related("cities")}
    assert sorted(rounds) == [2021, 2022, 2023, 2024, 2025]
    for year, as_of in ((2021, dt.date(2021, 8, 30)), (2022, dt.date(2022, 9, 21)), (2023, dt.date(2023, 8, 14)),
                        (2024, dt.date(2024, 9, 25))):
        r = rounds[year]
        assert (r.as_of, r.opens_on, r.closes_on, list(r.cities.all())) == (as_of, None, None, [])
        assert r.closed_at == timezone.make_aware(dt.datetime.combine(as_of, dt.time.min))
        assert "a round before the platform" in r.source
    assert rounds[2025].closed_at is None and rounds[2025].cities.count() == 35  # the platform's round stays open


def test_published_figures_are_the_reference_headlines(reference_dir):
    """Every row of me_headlines.csv, as printed; the 2022 and 2023 status shares are read from its source
    column ("ongoing 75.32 %; planning 22.08 %; completed 2.94 %")."""
    with (reference_dir / "me_headlines.csv").open(encoding="utf-8", newline="") as handle:
        reference = list(csv.DictReader(handle))
    stored = {p.round.year: p for p in PublishedFigures.objects.select_related("round")}
    assert sorted(stored) == [int(row["as_of"][:4]) for row in reference]
    for row in reference:
        figures = stored[int(row["as_of"][:4])]
        printed = dict(re.findall(r"(ongoing|planning|completed) (\d+(?:\.\d+)?) %", row["source"]))
        assert figures.as_of == dt.date.fromisoformat(row["as_of"]) == figures.round.as_of
        assert figures.projects == int(row["projects"])
        assert figures.status_counts == {s: int(row[s]) for s in STATUS_COLUMNS if row[s]}
        assert figures.status_shares == {s: number(printed[s]) for s in STATUS_COLUMNS if s in printed}
        assert figures.focus_area_shares == {a: int(row[f"{a}_pct"]) for a in AREAS if row[f"{a}_pct"]}
        key = row["source"].split(" ")[0]
        assert figures.source.startswith(f"{key}: ASCN M&E Report ")
    assert stored[2022].status_shares == {"ongoing": 75.32, "planning": 22.08, "completed": 2.94}
    assert stored[2023].status_shares == {"ongoing": 77.9, "planning": 19.8, "completed": 2.3}
    assert (stored[2021].projects, stored[2021].status_shares, stored[2021].focus_area_shares) == (65, {}, {})
    assert "a Brunei MTIC speech says 64" in stored[2021].source


def test_seeding_again_changes_nothing():
    loader = next(loader for loader in seed.LOADERS if loader.model is PublishedFigures)
    count = loader.load()
    assert (count.created, count.updated, count.unchanged) == (0, 0, 5)
    rounds = next(loader for loader in seed.LOADERS if loader.model is ReportingRound).load()
    assert (rounds.created, rounds.updated, rounds.unchanged) == (0, 0, 5)


def test_the_seed_never_reopens_a_round_closed_on_the_platform():
    closed = timezone.make_aware(dt.datetime(2025, 10, 15, 9, 30))
    ReportingRound.objects.filter(year=2025).update(closed_at=closed)
    next(loader for loader in seed.LOADERS if loader.model is ReportingRound).load()
    assert ReportingRound.objects.get(year=2025).closed_at == closed


@pytest.mark.parametrize(("change", "reason"), [
    ({"ongoing": "80"}, "the counts by status (ongoing 80, planning 16, completed 11) do not add up to the 108 "
                        "projects"),
    ({"planning": ""}, "the counts by status (ongoing 81, completed 11) do not add up to the 108 projects"),
    ({"civic_social_pct": "127"}, "civic_social_pct '127' is not a per cent from 0 to 100"),
    ({"ongoing_pct": "many"}, "ongoing_pct 'many' is not a number"),
    ({"year": "2019"}, "unknown reporting round '2019' in year"),
    ({"source": ""}, "source is empty"),
])
def test_a_bad_published_row_is_refused_naming_the_line_and_value(tmp_path, change, reason):
    original = seed.fixture("ascn.monitoring", "published_figures.csv")
    rows = list(csv.DictReader(original.open(encoding="utf-8", newline="")))
    rows[3].update(change)  # the 2024 row, on line 5
    path = tmp_path / "published_figures.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    loader = next(loader for loader in seed.LOADERS if loader.model is PublishedFigures)
    with pytest.raises(SeedError) as caught:
        type(loader)(loader.label, path, loader.model, loader.key, loader.columns, loader.build).load()
    assert str(caught.value) == f"{path}, line 5: {reason}"
    assert PublishedFigures.objects.get(round__year=2024).status_counts == {"ongoing": 81, "planning": 16,
                                                                            "completed": 11}


# --- The trend: API and page ---------------------------------------------------------------------------------

PUBLISHED_2025 = {"civic_social": 25, "health_wellbeing": 6, "safety_security": 14, "quality_environment": 18,
                  "built_infrastructure": 25, "industry_innovation": 12}
COMPUTED_2025 = {**PUBLISHED_2025, "quality_environment": 19, "built_infrastructure": 24}
A38 = ("The 2025 report's appendix files project A38 (Vientiane, “Integrated Vehicle Management and Transportation”) "
       "under Quality Environment while its exhibits, and so its shares, count it under Built Infrastructure; the "
       "platform follows the appendix, so one project sits in the other focus area.")


def test_the_api_gives_every_round_with_its_published_and_computed_figures(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = api.get("/monitoring/trends")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5 and [i["year"] for i in body["items"]] == [2021, 2022, 2023, 2024, 2025]
    first = body["items"][0]
    assert first == {"year": 2021, "as_of": "2021-08-30", "closed": True, "computed": None, "notes": [],
                     "published": {"as_of": "2021-08-30", "projects": 65, "status_counts": {}, "status_shares": {},
                                   "focus_area_shares": {}, "source": (
                                       "S5: ASCN M&E Report 2022 (21 Sep 2022), https://asean.org/wp-content/uploads/"
                                       "2022/10/2022-ASCN-ME-Report-Final_21Sep2022-for-public.pdf: 65 projects in "
                                       "2021 (a Brunei MTIC speech says 64)")}}
    y2022 = body["items"][1]
    assert y2022["published"]["status_shares"] == {"ongoing": 75.32, "planning": 22.08, "completed": 2.94}
    assert y2022["notes"] == ["The report gives the status only as shares, as printed (they add up to 100.34%)."]
    assert body["items"][3]["published"]["status_counts"] == {"ongoing": 81, "planning": 16, "completed": 11}
    last = body["items"][4]
    assert (last["closed"], last["published"]["projects"], last["computed"]["projects"]) == (False, 134, 134)
    assert last["published"]["focus_area_shares"] == PUBLISHED_2025
    assert last["computed"]["focus_area_shares"] == COMPUTED_2025
    assert last["computed"]["status_counts"] == last["published"]["status_counts"] == {
        "ongoing": 108, "planning": 8, "completed": 18}
    assert (last["computed"]["report_id"], last["computed"]["generated_at"]) == (None, None)  # computed now
    assert last["notes"] == [
        "The published status shares are worked out from the counts the report prints.",
        "Computed and published focus-area shares differ: Quality Environment 19% computed against 18% published; "
        "Built Infrastructure 24% computed against 25% published.", A38]
    assert body["statuses"] == [{"code": "ongoing", "name": "Ongoing"}, {"code": "planning", "name": "Planning"},
                                {"code": "completed", "name": "Completed"}]
    assert [a["code"] for a in body["focus_areas"]] == list(AREAS)


def test_without_the_a38_difference_there_is_no_note(api):
    from ascn.plans.models import Project

    a38 = Project.objects.get(reference="A38")
    a38.focus_area = Project.objects.get(reference="A39").focus_area  # Built Infrastructure, as the exhibits count it
    a38.save()
    last = api.get("/monitoring/trends").json()["items"][4]
    assert last["computed"]["focus_area_shares"] == PUBLISHED_2025
    assert last["notes"] == ["The published status shares are worked out from the counts the report prints."]


def test_computed_figures_come_from_the_latest_generated_report(api, secretariat, settings, tmp_path, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    from ascn.monitoring.actions import me_report as actions
    from ascn.plans.models import ProgressUpdate, Project

    settings.MEDIA_ROOT = tmp_path

    def no_pdf(report, html):
        raise actions.PdfUnavailable("not needed here")

    monkeypatch.setattr(actions, "render_pdf", no_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.request_me_report(secretariat, ReportingRound.objects.get(year=2025))
    report.refresh_from_db()
    ProgressUpdate.objects.create(project=Project.objects.get(reference="A2"), date=dt.date(2025, 9, 1),
                                  status="completed")  # after the report: the trend keeps the report's figures
    last = api.get("/monitoring/trends").json()["items"][4]
    assert (last["computed"]["report_id"], last["computed"]["status_counts"]["completed"]) == (report.pk, 18)
    assert last["computed"]["generated_at"][:19] == report.finished_at.isoformat()[:19]


def test_the_trends_page_shows_2021_to_2025_with_sources(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/monitoring/trends/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>The network's trend across reporting rounds</h1>" in page
    projects = page[page.index('id="table-projects"'):page.index("</table>", page.index('id="table-projects"'))]
    assert re.findall(r'data-year="(\d+)" data-basis="(\w+)"><th scope="row">\d+</th><td>\w+</td><td class="n">'
                      r'(\d+)</td>', projects) == [
        ("2021", "published", "65"), ("2022", "published", "77"), ("2023", "published", "86"),
        ("2024", "published", "108"), ("2025", "published", "134"), ("2025", "computed", "134")]
    assert ('<td class="n">65</td><td class="source">Published report: S5: ASCN M&amp;E Report 2022 (21 Sep 2022), '
            '<a href="https://asean.org/wp-content/uploads/2022/10/2022-ASCN-ME-Report-Final_21Sep2022-for-public.pdf"'
            ' rel="nofollow">') in projects
    assert "The platform's data, computed now</td>" in projects
    focus = page[page.index('id="table-focus-areas"'):page.index("</table>", page.index('id="table-focus-areas"'))]
    published = focus[focus.index('data-year="2025" data-basis="published"'):]
    computed = focus[focus.index('data-year="2025" data-basis="computed"'):]
    assert re.findall(r'<td class="n">(\d+)%', published[:published.index("</tr>")]) == [
        "25", "6", "14", "18", "25", "12"]
    assert re.findall(r'<td class="n">(\d+)% \(\d+\)', computed[:computed.index("</tr>")]) == [
        "25", "6", "14", "19", "24", "12"]
    status = page[page.index('id="table-status"'):page.index("</table>", page.index('id="table-status"'))]
    assert '<td class="n">75.32%</td><td class="n">22.08%</td><td class="n">2.94%</td>' in status
    assert '<td class="n">75% (81)</td><td class="n">15% (16)</td>' in status  # 2024: worked out from the counts
    for key in ("projects", "status", "focus-areas"):
        assert f'<div class="chart" data-chart="chart-{key}" role="img"' in page
        assert f'<script id="chart-{key}" type="application/json">' in page
        assert f'aria-describedby="table-{key}"' in page
    assert A38.replace("'", "&#x27;") in page
    assert 'href="/api/v1/monitoring/trends"' in page


def test_the_trends_page_in_other_languages_and_its_empty_state(client):
    assert client.get("/vi/monitoring/trends/").status_code == 200
    assert client.get("/th/monitoring/trends/").status_code == 200
    ReportingRound.objects.all().delete()
    page = client.get("/monitoring/trends/").content.decode()
    assert "No reporting round yet." in page and 'data-chart="chart-projects"' not in page
