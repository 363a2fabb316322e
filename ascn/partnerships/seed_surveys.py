"""Needs surveys recorded from the sources (fixtures/surveys.csv): Japan's Smart JAMP survey of the 26 pilot
cities (2020-21), a closed survey with its description and source. No question or answer is recorded: its
questions and answers are not public, and none is invented. Loaded idempotently by `LOADERS` (or
`seed_surveys()`), keyed by the survey's title."""

from __future__ import annotations

from typing import Any

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.seeding import CsvLoader, LoadCount, RowError, choice, fixture, lookup, parse_list, required
from ascn.network.models import City, Partner

from .choices import SurveyState
from .models import Survey

COLUMNS = ("title", "owner_slug", "state", "cities", "description", "source")


def survey_values(row: dict[str, str]) -> dict[str, Any]:
    state = choice(row, "state", SurveyState)
    if state == SurveyState.OPEN:
        raise RowError("state: a survey recorded from the sources is a draft or closed, never open for answers")
    return {"title": required(row, "title"), "owner": lookup(Partner, "slug", row, "owner_slug", optional=True),
            "state": state, "description": row["description"], "source": required(row, "source")}


def save_cities(survey: Survey, row: dict[str, str]) -> bool:
    """The cities asked: "pilot" (the 26 pilot cities of 2018) or city slugs separated by "; "."""
    slugs = parse_list(row, "cities")
    cities = list(City.objects.filter(pilot=True) if slugs == ["pilot"] else City.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {c.slug for c in cities} - {"pilot"})
    if missing:
        raise RowError(f"cities {', '.join(missing)!r} unknown")
    change = core.set_links(survey.cities, cities, "slug")
    if change is None:
        return False
    core.record(None, AuditAction.UPDATE, survey, {"cities": change}, via="seed")
    return True


LOADERS = [
    CsvLoader("surveys", fixture("ascn.partnerships", "surveys.csv"), Survey, ("title",), COLUMNS, survey_values,
              after_save=save_cities),
]


def seed_surveys() -> list[LoadCount]:
    """Load the recorded surveys (call inside the seed's transaction); the same file twice changes nothing."""
    return [loader.load() for loader in LOADERS]
