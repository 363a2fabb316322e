"""The financing instrument catalogue (fixtures/instruments.csv; general descriptions are the platform's
own summary of common practice, programme amounts come from the reference partners.csv)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ascn.core.seeding import (
    CsvLoader,
    RowError,
    choice,
    fixture,
    parse_bool,
    parse_decimal,
    parse_int,
    parse_list,
    required,
)
from ascn.framework.models import FrameworkNode
from ascn.partnerships.models import Partner
from ascn.plans.choices import ProjectStage

from .actions import set_instrument_links
from .choices import InstrumentCategory, RevenueProfile
from .models import FinancingInstrument

COLUMNS = ("slug", "position", "name", "category", "summary", "suits", "requires", "typical_tenor", "typical_cost",
           "revenue_profiles", "stages", "min_size_usd", "max_size_usd", "needs_borrowing_powers",
           "needs_creditworthiness", "needs_revenue_stream", "needs_ppp_framework", "focus_areas", "providers",
           "source")


def _values_of(row: dict[str, str], column: str, allowed: list[str]) -> list[str]:
    values = parse_list(row, column)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise RowError(f"{column} {', '.join(unknown)!r} not among {', '.join(allowed)}")
    return values


def _size(row: dict[str, str], column: str) -> Decimal | None:
    return parse_decimal(row, column) if row[column] else None


def instrument_values(row: dict[str, str]) -> dict[str, Any]:
    return {
        "slug": required(row, "slug"), "position": parse_int(row, "position"), "name": required(row, "name"),
        "category": choice(row, "category", InstrumentCategory), "summary": required(row, "summary"),
        "suits": row["suits"], "requires": row["requires"], "typical_tenor": row["typical_tenor"],
        "typical_cost": row["typical_cost"],
        "revenue_profiles": _values_of(row, "revenue_profiles", list(RevenueProfile.values)),
        "stages": _values_of(row, "stages", list(ProjectStage.values)),
        "min_size_usd": _size(row, "min_size_usd"), "max_size_usd": _size(row, "max_size_usd"),
        **{name: parse_bool(row, name) for name in ("needs_borrowing_powers", "needs_creditworthiness",
                                                    "needs_revenue_stream", "needs_ppp_framework")},
        "source": row["source"],
    }


def save_instrument_links(instrument: FinancingInstrument, row: dict[str, str]) -> bool:
    nodes = {n.code: n for n in FrameworkNode.objects.filter(kind="focus_area")}
    partners = {p.slug: p for p in Partner.objects.all()}
    codes = _values_of(row, "focus_areas", sorted(nodes))
    slugs = _values_of(row, "providers", sorted(partners))
    return bool(set_instrument_links(None, instrument, [nodes[c] for c in codes], [partners[s] for s in slugs],
                                     via="seed"))


LOADERS = [
    CsvLoader("financing instruments", fixture("ascn.finance", "instruments.csv"), FinancingInstrument, ("slug",),
              COLUMNS, instrument_values, after_save=save_instrument_links),
]
