"""Pages of monitoring: me_report."""

from __future__ import annotations

urlpatterns: list = []
