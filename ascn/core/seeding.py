"""Idempotent loading of the reference data kept as CSV under each app's `fixtures/`.

Each app lists its loaders in `<app>/seed.py` as `LOADERS`; `python manage.py seed` runs them all in
one transaction. A bad row stops everything with the file, line and reason; nothing partial is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models

from . import actions, audit
from .choices import AuditAction


class RowError(Exception):
    """A problem with one value of one row; the loader adds the file and line."""


class SeedError(Exception):
    """A row that cannot be loaded, with where it is."""


@dataclass
class LoadCount:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated


M = TypeVar("M", bound=models.Model)


@dataclass
class CsvLoader(Generic[M]):
    """Upserts one model from one CSV file.

    `build(row)` turns a row into field values (raising RowError for a bad value); `key` names the
    fields that identify an existing record.
    """

    label: str
    path: Path
    model: type[M]
    key: tuple[str, ...]
    columns: tuple[str, ...]
    build: Callable[[dict[str, str]], dict[str, Any]]
    after_save: Callable[[M, dict[str, str]], bool] | None = None  # True: it changed

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            with self.path.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in self.columns if c not in (reader.fieldnames or [])]
                if missing:
                    raise SeedError(f"{self.relpath}, line 1: missing columns: {', '.join(missing)}")
                for row in reader:
                    if None in row or any(v is None for v in row.values()):
                        raise SeedError(f"{self.relpath}, line {reader.line_num}: wrong number of cells")
                    yield reader.line_num, {k: v.strip() for k, v in row.items()}
        except UnicodeDecodeError as exc:
            raise SeedError(f"{self.relpath}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        except FileNotFoundError as exc:
            raise SeedError(f"{self.relpath}: file not found") from exc

    @property
    def relpath(self) -> str:
        try:
            return str(self.path.relative_to(settings.BASE_DIR))
        except ValueError:
            return str(self.path)

    def load(self) -> LoadCount:
        count = LoadCount(self.label)
        existing = {self._key_of(obj): obj for obj in self.model._default_manager.all()}
        seen: dict[tuple, int] = {}
        for line, row in self.rows():
            try:
                values = self.build(row)
                key = tuple(_plain(values[k]) for k in self.key)
                if key in seen:
                    raise RowError(f"duplicate of line {seen[key]}")
                seen[key] = line
                outcome = self._upsert(existing.get(key), values, row)
            except (RowError, ValidationError) as exc:
                raise SeedError(f"{self.relpath}, line {line}: {_reason(exc)}") from exc
            setattr(count, outcome, getattr(count, outcome) + 1)
        return count

    def _key_of(self, obj: models.Model) -> tuple:
        return tuple(_plain(getattr(obj, audit.attname(obj, k))) for k in self.key)

    def _upsert(self, obj: M | None, values: dict[str, Any], row: dict[str, str]) -> str:
        if obj is None:
            obj = self.model(**values)
            actions.create_audited(None, obj, via="seed")
            outcome = "created"
        else:
            before = audit.snapshot(obj)
            for name, value in values.items():
                setattr(obj, name, value)
            changes = audit.diff(before, audit.snapshot(obj))
            if changes:
                obj.full_clean()
                obj.save()
                actions.record(None, AuditAction.UPDATE, obj, changes, via="seed")
            outcome = "updated" if changes else "unchanged"
        if self.after_save and self.after_save(obj, row) and outcome == "unchanged":
            outcome = "updated"
        return outcome


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


# --- Cell parsers (raise RowError with a reason that names the value) ----------------------------


def required(row: dict[str, str], column: str) -> str:
    value = row[column]
    if not value:
        raise RowError(f"{column} is empty")
    return value


@overload
def parse_date(row: dict[str, str], column: str) -> dt.date: ...
@overload
def parse_date(row: dict[str, str], column: str, *, optional: bool) -> dt.date | None: ...
def parse_date(row: dict[str, str], column: str, *, optional: bool = False) -> dt.date | None:
    value = row[column]
    if not value and optional:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a date (YYYY-MM-DD)") from None


@overload
def parse_int(row: dict[str, str], column: str) -> int: ...
@overload
def parse_int(row: dict[str, str], column: str, *, optional: bool) -> int | None: ...
def parse_int(row: dict[str, str], column: str, *, optional: bool = False) -> int | None:
    value = row[column]
    if not value and optional:
        return None
    try:
        return int(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a whole number") from None


def parse_decimal(row: dict[str, str], column: str) -> Decimal:
    value = row[column]
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{column} {value!r} is not a number") from None
    if not number.is_finite():
        raise RowError(f"{column} {value!r} is not a finite number")
    return number


def parse_bool(row: dict[str, str], column: str) -> bool:
    value = row[column].lower()
    if value in {"true", "yes", "1"}:
        return True
    if value in {"false", "no", "0", ""}:
        return False
    raise RowError(f"{column} {row[column]!r} is not true or false")


def parse_list(row: dict[str, str], column: str) -> list[str]:
    return [part.strip() for part in row[column].split(";") if part.strip()]


def lookup(model: type[models.Model], field_name: str, row: dict[str, str], column: str,
           *, optional: bool = False) -> Any:
    value = row[column]
    if not value and optional:
        return None
    try:
        return model._default_manager.get(**{field_name: value})
    except ObjectDoesNotExist:
        raise RowError(f"unknown {model._meta.verbose_name} {value!r} in {column}") from None


def choice(row: dict[str, str], column: str, choices: type[models.TextChoices], *, optional: bool = False) -> str:
    value = row[column]
    if not value and optional:
        return ""
    if value not in choices.values:
        raise RowError(f"{column} {value!r} is not one of {', '.join(choices.values)}")
    return value


def fixture(app_module: str, name: str) -> Path:
    """The path of `<app>/fixtures/<name>`."""
    import importlib

    module = importlib.import_module(app_module)
    return Path(module.__file__).resolve().parent / "fixtures" / name  # type: ignore[arg-type]
