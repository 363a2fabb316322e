"""Panels: how an app adds a section to a page that a lower (or sibling) app renders.

A page names a slot (`"workspace.dashboard"`, `"plans.project"`, `"finance.instrument"`) and renders it
with `{% panels "slot" obj %}`. Apps fill slots from their `AppConfig.ready()` with `add_panel`, so the
page's app never imports them: the dependency runs from the contributing app down to the page's app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .http import Request

# What a panel shows for (request, the page's object); None hides the panel.
PanelContext = Callable[[Request, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    slot: str
    template: str
    context: PanelContext
    order: int = 100


_registry: dict[str, list[Panel]] = {}


def add_panel(slot: str, template: str, context: PanelContext, order: int = 100) -> None:
    """Show `template` in `slot`, with the context `context(request, obj)` returns (None: not shown)."""
    panels = _registry.setdefault(slot, [])
    panels[:] = [p for p in panels if p.template != template]  # ready() may run twice in tests
    panels.append(Panel(slot, template, context, order))
    panels.sort(key=lambda p: p.order)


def panels_for(slot: str, request: Request, obj: Any = None) -> list[tuple[str, dict[str, Any]]]:
    """The (template, context) of each panel of `slot` that has something to show."""
    shown = []
    for panel in _registry.get(slot, []):
        context = panel.context(request, obj)
        if context is not None:
            shown.append((panel.template, context))
    return shown
