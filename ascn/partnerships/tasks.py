"""Background tasks of the partnerships app (Tasks API: immediate in development, the database worker in
production)."""

from __future__ import annotations

from django_tasks import task


@task()
def solve_session(session_id: int, actor_id: int | None = None, via: str = "web") -> str | None:
    """Schedule a queued business-matching session and store its meetings; returns the solve's status (None
    when the session no longer exists)."""
    from .actions.sessions import run_solve

    session = run_solve(session_id, actor_id, via)
    return session.solve_status if session is not None else None
