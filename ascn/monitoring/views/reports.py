"""Pages of monitoring: reports."""

from __future__ import annotations

urlpatterns: list = []
