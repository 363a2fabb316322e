"""Monitoring reference data: the 91 U4SSC key performance indicators (fixtures/u4ssc_kpis.csv, copied
from the shared reference file with its sources), the network's own context indicators (population and
land area, fixtures/ascn_indicators.csv) and the reporting rounds (fixtures/reporting_rounds.csv;
`members` in the cities column: every city that was a member on the as-of date)."""

from __future__ import annotations

from typing import Any

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.seeding import CsvLoader, RowError, choice, fixture, parse_date, parse_int, parse_list, required
from ascn.network.models import City

from .choices import Aggregation, Direction, IndicatorFamily, IndicatorLevel
from .models import Indicator, ReportingRound

INDICATOR_COLUMNS = ("code", "name", "dimension", "sub_dimension", "category", "core_or_advanced", "unit", "sdg",
                     "source")
ASCN_INDICATOR_COLUMNS = ("code", "name", "dimension", "unit", "direction", "aggregation", "numerator", "denominator",
                          "sdg", "source")
ROUND_COLUMNS = ("year", "as_of", "opens_on", "closes_on", "cities", "source")


def _sdgs(row: dict[str, str]) -> list[int]:
    goals = []
    for value in parse_list(row, "sdg"):
        if not value.isdigit() or not 1 <= int(value) <= 17:
            raise RowError(f"sdg {value!r} is not a goal number from 1 to 17")
        goals.append(int(value))
    return sorted(set(goals))


def indicator_values(row: dict[str, str]) -> dict[str, Any]:
    return {
        "code": required(row, "code"), "name": required(row, "name"), "family": IndicatorFamily.U4SSC,
        "dimension": row["dimension"], "sub_dimension": row["sub_dimension"], "category": row["category"],
        "level": choice(row, "core_or_advanced", IndicatorLevel), "unit": row["unit"], "sdgs": _sdgs(row),
        "source": row["source"],
    }


def ascn_indicator_values(row: dict[str, str]) -> dict[str, Any]:
    """The network's own indicators (fixtures/ascn_indicators.csv)."""
    return {
        "code": required(row, "code"), "name": required(row, "name"), "family": IndicatorFamily.ASCN,
        "dimension": row["dimension"], "unit": row["unit"],
        "direction": choice(row, "direction", Direction, optional=True),
        "aggregation": choice(row, "aggregation", Aggregation), "numerator": row["numerator"],
        "denominator": row["denominator"], "sdgs": _sdgs(row), "source": row["source"],
    }


def round_values(row: dict[str, str]) -> dict[str, Any]:
    return {"year": parse_int(row, "year"), "as_of": parse_date(row, "as_of"),
            "opens_on": parse_date(row, "opens_on", optional=True),
            "closes_on": parse_date(row, "closes_on", optional=True), "source": row["source"]}


def save_round_cities(reporting_round: ReportingRound, row: dict[str, str]) -> bool:
    """`members`: the member cities on the as-of date; otherwise city slugs separated by "; "."""
    if row["cities"].strip() == "members":
        cities = list(City.objects.as_of(reporting_round.as_of))
    else:
        slugs = parse_list(row, "cities")
        cities = list(City.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {c.slug for c in cities})
        if unknown:
            raise RowError(f"cities {', '.join(unknown)!r} are not in the registry")
    before = sorted(reporting_round.cities.values_list("slug", flat=True))
    after = sorted(c.slug for c in cities)
    if before == after:
        return False
    reporting_round.cities.set(cities)
    core.record(None, AuditAction.UPDATE, reporting_round, {"cities": [before, after]}, via="seed")
    return True


LOADERS = [
    CsvLoader("indicators (U4SSC)", fixture("ascn.monitoring", "u4ssc_kpis.csv"), Indicator, ("code",),
              INDICATOR_COLUMNS, indicator_values),
    CsvLoader("indicators (ASCN)", fixture("ascn.monitoring", "ascn_indicators.csv"), Indicator, ("code",),
              ASCN_INDICATOR_COLUMNS, ascn_indicator_values),
    CsvLoader("reporting rounds", fixture("ascn.monitoring", "reporting_rounds.csv"), ReportingRound, ("year",),
              ROUND_COLUMNS, round_values, after_save=save_round_cities),
]
