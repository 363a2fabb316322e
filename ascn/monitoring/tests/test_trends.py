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
