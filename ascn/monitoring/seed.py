"""Monitoring reference data: the 91 U4SSC key performance indicators (fixtures/u4ssc_kpis.csv, copied
from the shared reference file with its sources), the network's own context indicators (population and
land area, fixtures/ascn_indicators.csv) and the reporting rounds (fixtures/reporting_rounds.csv;
`members` in the cities column: every city that was a member on the as-of date; the rounds before the
platform have no reporting cities and are closed) and the headline figures each published ASCN M&E report
states about itself (fixtures/published_figures.csv, from the shared reference me_headlines.csv with its
sources; the 2022 and 2023 status shares, which that file keeps in its source column as printed, are given
their own columns here).

The indicators' Vietnamese and Thai texts: their names in fixtures/indicator_translations.csv (one row per
indicator code) and their dimension, sub-dimension and category labels in fixtures/indicator_labels.csv (one
row per English label, so a label is translated once for every indicator that carries it). Both are the
platform's own translations (ITU publishes the KPIs in neither language). They fill `Indicator.i18n` where it
is empty only: a name the Secretariat has entered on the indicator's page is kept."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

from django.utils import timezone

from ascn.core import actions as core
from ascn.core.choices import AuditAction
from ascn.core.seeding import (
    CsvLoader,
    LoadCount,
    RowError,
    SeedError,
    choice,
    fixture,
    lookup,
    parse_date,
    parse_int,
    parse_list,
    required,
)
from ascn.network.models import City
from ascn.plans.choices import ProjectStatus

from .choices import Aggregation, Direction, IndicatorFamily, IndicatorLevel
from .models import Indicator, PublishedFigures, ReportingRound

DEFINITION_COLUMNS = ("unit", "calculation", "numerator", "denominator", "multiplier", "direction",
                      "definition_source")
INDICATOR_COLUMNS = ("code", "name", "dimension", "sub_dimension", "category", "core_or_advanced", *DEFINITION_COLUMNS,
                     "sdg", "source")
ASCN_INDICATOR_COLUMNS = ("code", "name", "dimension", "unit", "direction", "aggregation", "numerator", "denominator",
                          "sdg", "source")
ROUND_COLUMNS = ("year", "as_of", "opens_on", "closes_on", "cities", "closed", "source")
STATUSES = (ProjectStatus.ONGOING, ProjectStatus.PLANNING, ProjectStatus.COMPLETED)
FOCUS_AREAS = ("civic_social", "health_wellbeing", "safety_security", "quality_environment", "built_infrastructure",
               "industry_innovation")
LANGS = ("vi", "th")
LABEL_FIELDS = ("dimension", "sub_dimension", "category")  # translated through indicator_labels.csv
TRANSLATION_COLUMNS = ("code", *(f"name_{lang}" for lang in LANGS))
LABEL_COLUMNS = ("label", *(f"label_{lang}" for lang in LANGS))
PUBLISHED_COLUMNS = ("year", "as_of", "projects", *STATUSES, *(f"{s}_pct" for s in STATUSES),
                     *(f"{code}_pct" for code in FOCUS_AREAS), "source")


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
        "level": choice(row, "core_or_advanced", IndicatorLevel), "sdgs": _sdgs(row), "source": row["source"],
    }


def definition_values(row: dict[str, str]) -> dict[str, Any]:
    """A U4SSC KPI's unit and calculation as the fixture gives them (from the ITU page in `definition_source`)."""
    values: dict[str, Any] = {name: row[name] for name in DEFINITION_COLUMNS}
    values["direction"] = choice(row, "direction", Direction, optional=True)
    values["multiplier"] = _multiplier(row)
    if values["unit"] and not values["definition_source"]:
        raise RowError("a unit needs its definition_source (the page that states it)")
    return values


def _multiplier(row: dict[str, str]) -> float | None:
    text = row["multiplier"]
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"multiplier {text!r} is not a number") from None
    if not number > 0 or number == float("inf"):
        raise RowError(f"multiplier {text!r} is not a number above 0")
    return number


def fill_definition(indicator: Indicator, row: dict[str, str]) -> bool:
    """Fill the indicator's unit and calculation fields that are still empty; a field the Secretariat has set
    on the platform since is kept (seeding fills empty fields only). True when something was filled."""
    filled = {name: value for name, value in definition_values(row).items()
              if value not in ("", None) and getattr(indicator, name) in ("", None)}
    if not filled:
        return False
    core.update_audited(None, indicator, filled, via="seed")
    return True


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
    """A round's values; `closed` (a date) closes it at the start of that day, and an empty cell leaves the
    closing as it is (the seed never reopens a round the Secretariat closed)."""
    closed = parse_date(row, "closed", optional=True)
    return {"year": parse_int(row, "year"), "as_of": parse_date(row, "as_of"),
            "opens_on": parse_date(row, "opens_on", optional=True),
            "closes_on": parse_date(row, "closes_on", optional=True), "source": row["source"],
            **({"closed_at": timezone.make_aware(dt.datetime.combine(closed, dt.time.min))} if closed else {})}


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


def _percent(row: dict[str, str], column: str) -> int | float | None:
    """A share as printed (a whole number stays one); None when the report gives none."""
    value = row[column]
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{column} {value!r} is not a number") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise RowError(f"{column} {value!r} is not a per cent from 0 to 100")
    return int(number) if number == number.to_integral_value() else float(number)


def published_values(row: dict[str, str]) -> dict[str, Any]:
    """A report's headline figures; counts by status, when it gives them, add up to the projects."""
    projects = parse_int(row, "projects")
    counts = {str(s): parse_int(row, s) for s in STATUSES if row[s]}
    if counts and (len(counts) != len(STATUSES) or sum(counts.values()) != projects):
        raise RowError(f"the counts by status ({', '.join(f'{k} {v}' for k, v in counts.items())}) do not add "
                       f"up to the {projects} projects")
    status_shares = {str(s): _percent(row, f"{s}_pct") for s in STATUSES}
    area_shares = {code: _percent(row, f"{code}_pct") for code in FOCUS_AREAS}
    return {"round": lookup(ReportingRound, "year", row, "year"), "as_of": parse_date(row, "as_of"),
            "projects": projects, "status_counts": counts,
            "status_shares": {k: v for k, v in status_shares.items() if v is not None},
            "focus_area_shares": {k: v for k, v in area_shares.items() if v is not None},
            "source": required(row, "source")}


def read_labels(path: Path) -> dict[str, dict[str, str]]:
    """fixtures/indicator_labels.csv as {English label: {"vi": ..., "th": ...}}; every label translated, once."""
    reader = CsvLoader("indicator labels", path, Indicator, ("label",), LABEL_COLUMNS, dict)
    labels: dict[str, dict[str, str]] = {}
    for line, row in reader.rows():
        try:
            label = required(row, "label")
            if label in labels:
                raise RowError(f"label {label!r} is given twice")
            labels[label] = {lang: required(row, f"label_{lang}") for lang in LANGS}
        except RowError as exc:
            raise SeedError(f"{reader.relpath}, line {line}: {exc}") from exc
    return labels


@dataclass
class TranslationLoader:
    """Fills the Vietnamese and Thai names and labels of the indicators loaded before it (never creates one):
    names by code from `path`, labels from `labels_path` (see `fill_translations`)."""

    label: str
    path: Path
    labels_path: Path
    model: ClassVar[type[Indicator]] = Indicator

    def load(self) -> LoadCount:
        labels = read_labels(self.labels_path)
        indicators = {item.code: item for item in Indicator.objects.all()}
        reader = CsvLoader(self.label, self.path, Indicator, ("code",), TRANSLATION_COLUMNS, dict)
        count, seen = LoadCount(self.label), dict[str, int]()
        for line, row in reader.rows():
            try:
                code = required(row, "code")
                if code in seen:
                    raise RowError(f"duplicate of line {seen[code]}")
                seen[code] = line
                if code not in indicators:
                    raise RowError(f"code {code!r} is not an indicator of u4ssc_kpis.csv or ascn_indicators.csv")
                names = {lang: required(row, f"name_{lang}") for lang in LANGS}
            except RowError as exc:
                raise SeedError(f"{reader.relpath}, line {line}: {exc}") from exc
            if fill_translations(indicators[code], names, labels):
                count.updated += 1
            else:
                count.unchanged += 1
        return count


def fill_translations(indicator: Indicator, names: dict[str, str], labels: dict[str, dict[str, str]]) -> bool:
    """Fill the indicator's empty translated texts: its name from `names` ({lang: name}) and its dimension,
    sub-dimension and category from `labels` (by the English label it carries; a label not in the file is left
    untranslated). True when something was filled; a text already there is kept."""
    i18n = copy.deepcopy(indicator.i18n or {})
    for lang in LANGS:
        texts = dict(i18n.get(lang) or {})
        wanted = {"name": names.get(lang, "")}
        for name in LABEL_FIELDS:
            english = getattr(indicator, name)
            wanted[name] = labels.get(english, {}).get(lang, "") if english else ""
        for name, text in wanted.items():
            if text and not texts.get(name):
                texts[name] = text
        if texts:
            i18n[lang] = texts
    if i18n == (indicator.i18n or {}):
        return False
    core.update_audited(None, indicator, {"i18n": i18n}, via="seed")
    return True


LOADERS = [
    CsvLoader("indicators (U4SSC)", fixture("ascn.monitoring", "u4ssc_kpis.csv"), Indicator, ("code",),
              INDICATOR_COLUMNS, indicator_values, after_save=fill_definition),
    CsvLoader("indicators (ASCN)", fixture("ascn.monitoring", "ascn_indicators.csv"), Indicator, ("code",),
              ASCN_INDICATOR_COLUMNS, ascn_indicator_values),
    TranslationLoader("indicator translations", fixture("ascn.monitoring", "indicator_translations.csv"),
                      fixture("ascn.monitoring", "indicator_labels.csv")),
    CsvLoader("reporting rounds", fixture("ascn.monitoring", "reporting_rounds.csv"), ReportingRound, ("year",),
              ROUND_COLUMNS, round_values, after_save=save_round_cities),
    CsvLoader("published M&E figures", fixture("ascn.monitoring", "published_figures.csv"), PublishedFigures,
              ("round",), PUBLISHED_COLUMNS, published_values),
]
