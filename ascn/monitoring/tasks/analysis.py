"""Background tasks of the analysis part: keep the analytics snapshot fresh.

Schedule `refresh_analysis_snapshot` (for example every few minutes with the database worker) on a large
installation, so pages and the API rarely find the snapshot stale; requests also refresh it themselves
when the database is small (see `queries.analysis.current_snapshot`).
"""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_analysis_snapshot() -> str:
    """Build the snapshot of the current data unless it exists; returns its directory name."""
    from ..queries.analysis import build_snapshot

    return build_snapshot().path.name
