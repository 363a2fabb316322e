"""Background task of the indicator catalogue: recompute and re-flag the stored values of an indicator whose
unit or multiplier changed, when it has too many values to do so in the request (Tasks API: immediate in
development, the database worker in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_indicator(indicator_id: int, via: str = "web") -> dict[str, int] | None:
    """Recompute the indicator's values from their numerator and denominator and flag them again; returns the
    counts (None when the indicator no longer exists)."""
    from ..actions.catalogue import recompute
    from ..models import Indicator

    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        return None
    count = recompute(indicator, via=f"{via}, task"[:20])
    return {"rows": count.rows, "recomputed": count.recomputed, "reflagged": count.reflagged}
