"""Synthetic records: the demo's made-up data (`manage.py demo_data`), kept apart from the network's own.

One definition for every app:

- `Synthetic`, the abstract model that gives a record its `synthetic` flag (False for everything people and
  the seed write; only the demo's actions set it), and `synthetic_index`, the partial index each model adds
  so that finding the synthetic rows costs nothing when there are none;
- `present()`, whether the database holds any synthetic record (every model with the flag), asked by the
  site-wide notice of every page: one query, remembered for `SYNTHETIC_CHECK_SECONDS` (60 s) per process;
  the demo's actions `forget()` it when they write, and the test kit `assume`s a fresh database has none;
- `LABEL` and `NOTICE`, the words pages, exports and the M&E report use; the template tags
  `{% synthetic_tag obj %}` and `{% synthetic_notice %}` (`core/templatetags/synthetic.py`) show them.

Core imports no app: the models with the flag are found among the installed models.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SOURCE = "Synthetic demo data (manage.py demo_data): not ASCN data"
API_FIELD = "True for the demo's made-up records (manage.py demo_data): not ASCN data"  # the API's `synthetic`
LABEL = _("Synthetic")
TITLE = _("Made-up demo data (manage.py demo_data): not ASCN data.")
SITE_NOTICE = _("This demo site holds synthetic data, marked “Synthetic”; it is not ASCN data.")
NOTICE = _("These figures include synthetic values, marked “Synthetic”: made-up demo data, not ASCN data.")


class Synthetic(models.Model):
    """A record the demo made up. Pages tag it, exports and the API carry the flag, and the demo removes only
    these rows when it runs again. The database default (False) serves the bulk loaders, which write only
    the columns they are given."""

    synthetic = models.BooleanField(
        _("synthetic"), default=False, db_default=False, editable=False,
        help_text=_("Made up by the demo (manage.py demo_data); not ASCN data."))

    class Meta:
        abstract = True


def synthetic_index(name: str) -> models.Index:
    """The partial index of a model's synthetic rows: empty (and free to maintain) on a real site, and it finds
    the demo's rows without reading the table."""
    return models.Index(fields=["synthetic"], condition=Q(synthetic=True), name=name)


def models_with_flag() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, Synthetic)]


def is_synthetic(obj: Any) -> bool:
    """Whether a record (or a row given as a dict) is synthetic; False for anything without the flag. A boolean
    is its own answer (a page that decided already)."""
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, dict):
        return bool(obj.get("synthetic"))
    return bool(getattr(obj, "synthetic", False))


def any_synthetic(rows: Iterable[Any]) -> bool:
    return any(is_synthetic(row) for row in rows)


_lock = threading.Lock()
_memo: dict[str, Any] = {"value": None, "until": 0.0}


def _query() -> bool:
    """One query over every model with the flag, each answered from its partial index."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models_with_flag()]
    if not tables:
        return False
    sql = "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE synthetic = %s)" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [True] * len(tables))
        row = cursor.fetchone()
    return bool(row and row[0])


def present() -> bool:
    """Whether the database holds synthetic records (one query, remembered for a while per process)."""
    now = time.monotonic()
    with _lock:
        if _memo["value"] is not None and now < _memo["until"]:
            return bool(_memo["value"])
    value = _query()
    with _lock:
        _memo.update(value=value, until=now + float(getattr(settings, "SYNTHETIC_CHECK_SECONDS", 60)))
    return value


def forget() -> None:
    """The next `present()` asks the database again (the demo's actions call it after writing)."""
    with _lock:
        _memo.update(value=None, until=0.0)


def assume(value: bool) -> None:
    """Take `value` as known until `forget()` (the test kit: a fresh test database holds no synthetic rows)."""
    with _lock:
        _memo.update(value=value, until=float("inf"))
