"""Small helpers shared by the plans tests (lookups, the "nothing changed" snapshot, CSV files)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.models import AnonymousUser

from ascn.core.models import AuditEntry
from ascn.framework.models import FrameworkNode, FrameworkTag
from ascn.network.models import City, Partner
from ascn.plans.exporting import COLUMNS
from ascn.plans.models import (
    ActionPlan,
    Comment,
    ProgressUpdate,
    Project,
    ProjectImport,
    StrategicTarget,
    SupportNeed,
)


def node(code: str) -> FrameworkNode:
    return FrameworkNode.objects.get(code=code)


def city(slug: str) -> City:
    return City.objects.get(slug=slug)


def project(reference: str) -> Project:
    return Project.objects.get(reference=reference)


def partner(slug: str) -> Partner:
    return Partner.objects.get(slug=slug)


def who(accounts: dict, role: str):
    return AnonymousUser() if role == "anonymous" else accounts[role]


def refs(projects) -> list[str]:
    return [p.reference for p in projects]


def state() -> tuple:
    """Every row the plans app writes, and the number of audit entries: equal before and after means nothing changed."""
    return (
        list(Project.objects.order_by("pk").values()),
        list(SupportNeed.objects.order_by("pk").values()),
        list(ProgressUpdate.objects.order_by("pk").values()),
        list(Project.partners.through.objects.order_by("pk").values()),
        list(ActionPlan.objects.order_by("pk").values()),
        list(ActionPlan.focus_areas.through.objects.order_by("pk").values()),
        list(ActionPlan.priority_projects.through.objects.order_by("pk").values()),
        list(StrategicTarget.objects.order_by("pk").values()),
        list(Comment.objects.order_by("pk").values()),
        list(FrameworkTag.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def import_records() -> int:
    return ProjectImport.objects.count()


def csv_bytes(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    """A UTF-8 CSV file with `header` (default: every import column) and `rows` (missing cells are empty)."""
    header = header or COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue().encode("utf-8")


def row_of(reference: str, **changes: Any) -> dict[str, Any]:
    """An import row that reproduces the stored project `reference` exactly, with `changes` applied."""
    p = Project.objects.select_related("city", "focus_area", "project_type").get(reference=reference)
    row = {
        "reference": p.reference, "city": p.city.slug, "title": p.title, "focus_area": p.focus_area.code,
        "project_type": p.project_type.code if p.project_type else "", "status": p.status, "stage": p.stage,
        "start_date": p.start_date.isoformat() if p.start_date else "",
        "end_date": p.end_date.isoformat() if p.end_date else "", "currency": p.currency,
        "cost_estimate": "" if p.cost_estimate is None else str(p.cost_estimate),
        "funding_secured": "" if p.funding_secured is None else str(p.funding_secured),
        "support": "; ".join(sorted(p.support_needs.values_list("kind", flat=True))),
        "support_notes": p.support_notes, "objective": p.objective, "description": p.description,
        "is_published": "true" if p.is_published else "false", "source": p.source,
    }
    return {**row, **changes}
