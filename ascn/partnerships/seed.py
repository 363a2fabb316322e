"""The network's external partners, programmes and financiers (reference partners.csv)."""

from __future__ import annotations

from typing import Any

from ascn.core.seeding import CsvLoader, RowError, choice, fixture, required

from .choices import PartnerKind
from .models import Partner


def partner_values(row: dict[str, str]) -> dict[str, Any]:
    iso3 = row["country_iso3"]
    if iso3 and (len(iso3) != 3 or not iso3.isalpha() or not iso3.isupper()):
        raise RowError(f"country_iso3 {iso3!r} is not an ISO 3166-1 alpha-3 code")
    return {
        "slug": required(row, "slug"), "name": required(row, "name"), "kind": choice(row, "kind", PartnerKind),
        "country_iso3": iso3, "notes": row["notes"], "source": row["source"],
    }


LOADERS = [
    CsvLoader("partners", fixture("ascn.partnerships", "partners.csv"), Partner, ("slug",),
              ("slug", "name", "kind", "country_iso3", "notes", "source"), partner_values),
]
