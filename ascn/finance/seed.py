"""The financing instrument catalogue (fixtures/instruments.csv; general descriptions are the platform's
own summary of common practice, programme amounts come from the reference partners.csv).

fixtures/instruments_i18n.csv holds the Vietnamese and Thai texts: one row per instrument and language
(slug, lang, then the translated columns); an empty cell falls back to the English text.
"""

from __future__ import annotations

import copy
import csv
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
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
from ascn.network.models import Partner
from ascn.plans.choices import ProjectStage

from .actions.catalogue import set_instrument_links
from .choices import InstrumentCategory, RevenueProfile
from .models import FinancingInstrument

APP = "ascn.finance"
INSTRUMENTS = fixture(APP, "instruments.csv")
TRANSLATIONS = fixture(APP, "instruments_i18n.csv")
LANGS = ("vi", "th")
TRANSLATED = ("name", "summary", "suits", "requires", "typical_tenor", "typical_cost")
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


@lru_cache(maxsize=4)
def _read_translations(path: Path, instruments: Path, _versions: tuple) -> dict[str, dict[str, dict[str, str]]]:
    """{slug: {lang: {field: text}}} of the translations file, non-empty texts only."""
    texts: dict[str, dict[str, dict[str, str]]] = {}
    try:
        with instruments.open(encoding="utf-8", newline="") as handle:
            slugs = {(row["slug"] or "").strip() for row in csv.DictReader(handle)}
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("slug", "lang", *TRANSLATED) if c not in (reader.fieldnames or [])]
            if missing:
                raise RowError(f"{path.name}, line 1: missing columns: {', '.join(missing)}")
            for row in reader:
                where = f"{path.name}, line {reader.line_num}"
                if None in row or any(v is None for v in row.values()):
                    raise RowError(f"{where}: wrong number of cells")
                slug, lang = row["slug"].strip(), row["lang"].strip()
                if slug not in slugs:
                    raise RowError(f"{where}: slug {slug!r} is not in {instruments.name}")
                if lang not in LANGS:
                    raise RowError(f"{where}: lang {lang!r} is not one of {', '.join(LANGS)}")
                if lang in texts.get(slug, {}):
                    raise RowError(f"{where}: a second {lang} row for {slug!r}")
                texts.setdefault(slug, {})[lang] = {f: row[f].strip() for f in TRANSLATED if row[f].strip()}
    except FileNotFoundError as exc:
        raise RowError(f"{Path(exc.filename or path).name}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise RowError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return {slug: {lang: found for lang, found in langs.items() if found} for slug, langs in texts.items()}


def _version(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def translations(slug: str) -> dict[str, dict[str, str]]:
    """The Vietnamese and Thai texts of one instrument; the file is read again only when it changes."""
    found = _read_translations(TRANSLATIONS, INSTRUMENTS, (_version(TRANSLATIONS), _version(INSTRUMENTS)))
    return copy.deepcopy(found.get(slug, {}))


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
        "source": row["source"], "i18n": translations(row["slug"]),
    }


def save_instrument_links(instrument: FinancingInstrument, row: dict[str, str]) -> bool:
    nodes = {n.code: n for n in FrameworkNode.objects.filter(kind="focus_area")}
    partners = {p.slug: p for p in Partner.objects.all()}
    codes = _values_of(row, "focus_areas", sorted(nodes))
    slugs = _values_of(row, "providers", sorted(partners))
    return bool(set_instrument_links(None, instrument, [nodes[c] for c in codes], [partners[s] for s in slugs],
                                     via="seed"))


LOADERS = [
    CsvLoader("financing instruments", INSTRUMENTS, FinancingInstrument, ("slug",),
              COLUMNS, instrument_values, after_save=save_instrument_links),
]
