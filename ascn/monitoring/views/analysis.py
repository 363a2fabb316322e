"""Pages of monitoring: analysis."""

from __future__ import annotations

urlpatterns: list = []
