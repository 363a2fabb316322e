"""Background task of the M&E report (Tasks API: immediate in development, the database worker in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_me_report(report_id: int) -> str | None:
    """Generate a queued M&E report; returns its final state (None when the report no longer exists)."""
    from ..actions.me_report import generate

    report = generate(report_id)
    return report.state if report is not None else None
