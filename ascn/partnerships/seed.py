"""Programmes and their windows (fixtures/programmes.csv, a copy of the shared reference programmes.csv with its
sources): amounts as the sources announce them, not disbursements; ASCN's own 2018 twinning round has no
partner. No exchange rate is seeded: the reference data holds no sourced rate. Then the needs surveys recorded from the
sources (`seed_surveys`)."""

from __future__ import annotations

from typing import Any

from ascn.core.seeding import CsvLoader, RowError, choice, fixture, parse_date, parse_decimal, parse_list, required
from ascn.network.models import Partner

from .actions.offers import set_programme_partners
from .choices import CooperationKind, Instrument
from .models import Programme
from .seed_surveys import LOADERS as SURVEY_LOADERS

COLUMNS = ("slug", "name", "partner_slugs", "kind", "amount", "currency", "amount_note", "start_date", "end_date",
           "instruments", "eligible", "what_it_offers", "source")


def programme_values(row: dict[str, str]) -> dict[str, Any]:
    instruments = parse_list(row, "instruments")
    unknown = [value for value in instruments if value not in Instrument.values]
    if unknown:
        raise RowError(f"instruments {unknown[0]!r} is not one of {', '.join(Instrument.values)}")
    return {
        "slug": required(row, "slug"), "name": required(row, "name"), "kind": choice(row, "kind", CooperationKind),
        "amount": parse_decimal(row, "amount") if row["amount"] else None, "currency": row["currency"],
        "amount_note": row["amount_note"], "start_date": parse_date(row, "start_date", optional=True),
        "end_date": parse_date(row, "end_date", optional=True), "instruments": instruments,
        "eligible": row["eligible"], "what_it_offers": row["what_it_offers"], "source": required(row, "source"),
    }


def save_partners(programme: Programme, row: dict[str, str]) -> bool:
    slugs = parse_list(row, "partner_slugs")
    partners = list(Partner.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {p.slug for p in partners})
    if missing:
        raise RowError(f"partner_slugs {', '.join(missing)!r} unknown")
    return bool(set_programme_partners(None, programme, partners, via="seed"))


LOADERS = [
    CsvLoader("programmes", fixture("ascn.partnerships", "programmes.csv"), Programme, ("slug",), COLUMNS,
              programme_values, after_save=save_partners),
    *SURVEY_LOADERS,
]
