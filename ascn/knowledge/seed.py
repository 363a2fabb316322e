"""Case studies (fixtures/case_studies.csv): facts from the partner notes of the reference partners.csv
(source S8, the ASCN M&E Report 2025); the `lessons` are the platform's own reading, marked so."""

from __future__ import annotations

from typing import Any

from ascn.core.seeding import CsvLoader, RowError, fixture, lookup, parse_int, parse_list, required
from ascn.finance.models import FinancingInstrument
from ascn.framework.models import FrameworkNode
from ascn.network.models import City, Partner
from ascn.plans.models import Project

from .actions import set_case_study_links
from .models import CaseStudy

COLUMNS = ("slug", "title", "summary", "lessons", "city", "project", "focus_areas", "instruments", "partners",
           "year", "source")


def case_study_values(row: dict[str, str]) -> dict[str, Any]:
    city = lookup(City, "slug", row, "city", optional=True)
    project = None
    if row["project"]:
        if city is None:
            raise RowError(f"project {row['project']!r} needs its city in city")
        project = Project.objects.filter(city=city, reference=row["project"]).first()
        if project is None:
            raise RowError(f"unknown project {row['project']!r} of {city.slug} in project")
    return {
        "slug": required(row, "slug"), "title": required(row, "title"), "summary": required(row, "summary"),
        "lessons": row["lessons"], "city": city, "project": project,
        "year": parse_int(row, "year", optional=True), "source": required(row, "source"),
    }


def _pick(row: dict[str, str], column: str, known: dict[str, Any]) -> list[Any]:
    values = parse_list(row, column)
    unknown = [v for v in values if v not in known]
    if unknown:
        raise RowError(f"{column} {', '.join(unknown)!r} unknown (known: {', '.join(sorted(known))})")
    return [known[v] for v in values]


def save_case_study_links(case_study: CaseStudy, row: dict[str, str]) -> bool:
    focus_areas = _pick(row, "focus_areas", {n.code: n for n in FrameworkNode.objects.filter(kind="focus_area")})
    instruments = _pick(row, "instruments", {i.slug: i for i in FinancingInstrument.objects.all()})
    partners = _pick(row, "partners", {p.slug: p for p in Partner.objects.all()})
    return bool(set_case_study_links(None, case_study, focus_areas, instruments, partners, via="seed"))


LOADERS = [
    CsvLoader("case studies", fixture("ascn.knowledge", "case_studies.csv"), CaseStudy, ("slug",), COLUMNS,
              case_study_values, after_save=save_case_study_links),
]
