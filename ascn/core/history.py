"""A record's change history as people read it: the audit entries' fields by their names in the reader's
language and their values as people know them, plus what other apps contribute.

An audit entry stores `{field: [old, new]}` in plain JSON (`core.audit.plain`): foreign keys as ids,
choices as codes, dates as ISO text. `describe(model, entries)` turns the entries of one model into `Line`s:

- the label is the field's verbose name ("City", "Cost estimate");
- a foreign key shows its record's name (one query per related model for all the entries given), a choice
  its label, a boolean yes or no, a date or time in the reader's format, a number in the reader's
  separators, a list joined with ";"; a long text is shortened, with the whole text kept (`Value.whole`);
- internal fields are left out: the primary key, fields not edited by people (search text, denormalised
  columns) and the created/updated timestamps.

Keys that are not fields (a many-to-many change such as "partners", "support", "import") take their label
and formatting from the caller's `extra`. A page lists other apps' events with its own through a slot:
an app registers `add_source("plans.project", source)` in its `extensions.py`, and the page calls
`contributed("plans.project", user, obj)`; `source(user, obj)` returns `Item`s (the permission layer
applies: a source lists only what `user` may see).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import numbers

if TYPE_CHECKING:
    from .models import AuditEntry
    from .permissions import Actor

SHORT = 160  # characters of a text shown before "read it whole"
INTERNAL = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class Value:
    """A value as shown: `text`, and the whole text when `text` is shortened."""
    text: str
    whole: str = ""


@dataclass(frozen=True)
class Line:
    """One changed field: its label, and its value before and after (None: no value before, a creation)."""
    label: str
    old: Value | None
    new: Value | None


@dataclass
class Item:
    """One event of a history: when, who (an account or None for the platform), by which channel, what
    happened (`title`), the changed fields, and optionally a link to read more."""
    at: dt.datetime
    actor: Any
    title: str
    lines: list[Line] = field(default_factory=list)
    via: str = ""
    link: tuple[str, str] | None = None  # (address, words)
    kind: str = "update"                 # "create", "update", "delete" or "event"

    @property
    def who(self) -> str:
        if self.actor is None:
            return _("reference data") if self.via == "seed" else _("the platform")
        return self.actor.get_full_name() or self.actor.username

    @property
    def channel(self) -> str:
        return {"web": _("on the web"), "api": _("through the API"), "seed": "", "command": _("by command"),
                "task": _("automatically"), "admin": _("in the back office")}.get(self.via, self.via)


# --- Values -------------------------------------------------------------------------------------------------

EMPTY = Value("—")


def text_value(text: str, limit: int = SHORT) -> Value:
    """A text, shortened at a word to about `limit` characters (the whole kept) when longer."""
    text = str(text).strip()
    if not text:
        return EMPTY
    if len(text) <= limit:
        return Value(text)
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return Value(cut.rstrip(" ,.;:") + " …", whole=text)


def yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def date_text(value: Any) -> str:
    """A date (or its ISO text) in the reader's format."""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return formats.date_format(day, "DATE_FORMAT")


def datetime_text(value: Any) -> str:
    """A moment (or its ISO text) in the reader's time zone and format."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _number(value: Any, field: models.Field) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if isinstance(field, models.DecimalField) and field.decimal_places == 2:
        return numbers.amount(number)
    return numbers.for_people(number, getattr(field, "decimal_places", None) or 4)


def _plain(value: Any) -> Value:
    """A value of a key that is not a field, without the caller's formatting."""
    if isinstance(value, bool):
        return Value(yes_no(value))
    if isinstance(value, list | tuple):
        return text_value("; ".join(str(v) for v in value)) if value else EMPTY
    if isinstance(value, dict):
        return text_value("; ".join(f"{k}: {v}" if v else str(k) for k, v in value.items())) if value else EMPTY
    return text_value(str(value))


class Names:
    """The names of the records that entries' foreign keys point to: one query per related model."""

    def __init__(self, model: type[models.Model], entries: Iterable[AuditEntry]) -> None:
        wanted: dict[str, set[Any]] = {}
        for entry in entries:
            for name, pair in entry.changes.items():
                if _foreign_key(model, name) is not None and isinstance(pair, list):
                    wanted.setdefault(name, set()).update(v for v in pair if v is not None)
        self.names: dict[str, dict[Any, str]] = {}
        for name, ids in wanted.items():
            related = _foreign_key(model, name).related_model  # type: ignore[union-attr]
            found = related._default_manager.in_bulk([i for i in ids if isinstance(i, int | str)])
            self.names[name] = {pk: _record_name(obj) for pk, obj in found.items()}

    def of(self, name: str, value: Any) -> str:
        known = self.names.get(name, {})
        return known.get(value) or known.get(str(value)) or _("(removed record %(id)s)") % {"id": value}


def _record_name(obj: models.Model) -> str:
    display = getattr(obj, "display_name", None)
    if isinstance(display, str) and display:
        return display
    if hasattr(obj, "get_full_name") and callable(obj.get_full_name):
        return obj.get_full_name() or str(obj)
    return str(obj)


def _foreign_key(model: type[models.Model], name: str) -> models.ForeignKey | None:
    found = _field(model, name)
    return found if isinstance(found, models.ForeignKey) else None


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:  # a key that is not a field ("partners", "support", "import")
        return None
    return found if isinstance(found, models.Field) else None


def is_internal(model: type[models.Model], name: str) -> bool:
    """Fields no person edits or reads in a history: the key, timestamps, search text, denormalised columns."""
    found = _field(model, name)
    return name in INTERNAL or (found is not None and (found.primary_key or not found.editable))


def field_value(model: type[models.Model], name: str, value: Any, names: Names) -> Value:
    """A field's stored (plain JSON) value as people know it."""
    if value is None or value == "" or value == []:
        return EMPTY
    found = _field(model, name)
    if found is None:
        return _plain(value)
    if found.choices:
        labels = {str(code): str(label) for code, label in found.flatchoices}
        return Value(labels.get(str(value), str(value)))
    if isinstance(found, models.ForeignKey):
        return Value(names.of(name, value))
    if isinstance(found, models.BooleanField):
        return Value(yes_no(value))
    try:
        if isinstance(found, models.DateTimeField):
            return Value(datetime_text(value))
        if isinstance(found, models.DateField):
            return Value(date_text(value))
    except ValueError:
        return Value(str(value))
    if isinstance(found, models.DecimalField | models.FloatField):
        return Value(_number(value, found))
    if isinstance(found, models.JSONField):
        return _links(value) if name == "links" else _plain(value)
    if isinstance(found, models.FileField):
        return Value(str(value).rsplit("/", 1)[-1])
    return text_value(str(value))


def _links(value: Any) -> Value:
    if not isinstance(value, list):
        return _plain(value)
    shown = [f"{link.get('label') or link.get('url')} ({link.get('url')})" if isinstance(link, dict) else str(link)
             for link in value]
    return text_value("; ".join(shown)) if shown else EMPTY


def label_of(model: type[models.Model], name: str) -> str:
    found = _field(model, name)
    label = str(found.verbose_name) if found is not None else name.replace("_", " ")
    return label[:1].upper() + label[1:]


# A key that is not a field of the model: its label, and how to show one of its values.
Extra = tuple[str, Callable[[Any], Value]]


def describe(model: type[models.Model], entries: list[AuditEntry], extra: Mapping[str, Extra] | None = None,
             hidden: Iterable[str] = ()) -> list[list[Line]]:
    """For each entry, its changes as Lines, in the model's field order (then the extra keys); internal
    and `hidden` fields left out, and a creation's empty values too."""
    extra = extra or {}
    skip = set(hidden)
    names = Names(model, entries)
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())}
    described = []
    for entry in entries:
        lines = []
        keys = sorted(entry.changes, key=lambda k: (k not in order, order.get(k, 0), k))
        for key in keys:
            pair = entry.changes[key]
            if key in skip or (key not in extra and is_internal(model, key)):
                continue
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            if entry.action == "create" and new in (None, "", [], {}):
                continue
            if key in extra:
                label, show = extra[key]
                shown_old = show(old) if old not in (None, "", [], {}) else EMPTY
                shown_new = show(new) if new not in (None, "", [], {}) else EMPTY
            else:
                label = label_of(model, key)
                shown_old, shown_new = field_value(model, key, old, names), field_value(model, key, new, names)
            lines.append(Line(label, None if entry.action == "create" else shown_old,
                              None if entry.action == "delete" else shown_new))
        described.append(lines)
    return described


# --- Contributions from other apps ----------------------------------------------------------------------------

Source = Callable[["Actor | None", Any], list[Item]]
_sources: dict[str, dict[str, Source]] = {}


def add_source(slot: str, source: Source) -> None:
    """List `source(user, obj)`'s items in the history pages that show `slot` (e.g. "plans.project")."""
    _sources.setdefault(slot, {})[f"{source.__module__}.{source.__qualname__}"] = source  # ready() may run twice


def contributed(slot: str, user: Actor | None, obj: Any) -> list[Item]:
    return [item for source in _sources.get(slot, {}).values() for item in source(user, obj)]
