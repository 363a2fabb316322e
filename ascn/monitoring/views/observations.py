"""Pages of monitoring: observations."""

from __future__ import annotations

urlpatterns: list = []
