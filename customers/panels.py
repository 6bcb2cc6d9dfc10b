"""Panels that other apps add to the customer page, without `customers` importing them.

An app registers one in its AppConfig.ready():

    @panels.panel("log-interaction", "interactions/partials/log_panel.html", order=10)
    def log_panel(request, customer) -> dict | None:
        return {"form": InteractionForm()}  # None hides the panel for this user

The customer page renders each panel's template with `panel` (the dict returned) and
`customer` in the context. A panel's context function must cost a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PanelContext = Callable[..., dict | None]


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    order: int
    context: PanelContext


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict


_registry: dict[str, Panel] = {}


def panel(key: str, template: str, *, order: int = 100) -> Callable[[PanelContext], PanelContext]:
    def decorator(context: PanelContext) -> PanelContext:
        _registry[key] = Panel(key=key, template=template, order=order, context=context)
        return context

    return decorator


def panels_for(request, customer) -> list[RenderedPanel]:
    """The panels this user sees on this customer's page, in order."""
    rendered = []
    for registration in sorted(_registry.values(), key=lambda p: (p.order, p.key)):
        context = registration.context(request, customer)
        if context is not None:
            rendered.append(RenderedPanel(registration.key, registration.template, context))
    return rendered
