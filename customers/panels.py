"""Panels that apps add to the customer page, without `customers` importing them.

An app registers one in its `customer_page.py` (imported from its AppConfig.ready()):

    @panels.panel(
        "log-interaction",
        title=_("Log an interaction"),
        template="interactions/partials/log_panel.html",
        order=10,
        visible=lambda user, customer: role_of(user) is not None,
    )
    def log_panel(request, customer) -> dict:
        return {"form": InteractionForm(...), "action": reverse(...)}

The customer page shows each panel the user may use (`visible(user, customer)`, which must
cost no query: the page has loaded the user's staff profile and the customer) folded, as the
one shell template `customers/partials/panel.html`. The panel's body — `template`, rendered
with `panel` (the dict the registered function returns) and `customer` — is built only when
the user unfolds it: htmx GETs `customers:panel` and puts the answer in the shell. Without
JavaScript, the shell links to the customer page with `?panel=<key>`, which renders that one
panel unfolded. So a page view pays for no form nobody opens, and the body function may cost
a few queries (a constant number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse

PanelContext = Callable[..., dict]
Visible = Callable[..., bool]


@dataclass(frozen=True)
class Panel:
    key: str
    title: str  # a lazy translated string
    template: str  # the body, rendered on unfolding
    order: int
    visible: Visible
    context: PanelContext


@dataclass(frozen=True)
class FoldedPanel:
    """What the customer page shows of a panel: its title and where to fetch its body."""

    key: str
    title: str
    body_url: str  # htmx GET of the body
    page_url: str  # the customer page with this panel unfolded (no JavaScript)
    body: str = ""  # the rendered body when the page itself unfolds the panel


_registry: dict[str, Panel] = {}


def panel(
    key: str, *, title, template: str, order: int = 100, visible: Visible
) -> Callable[[PanelContext], PanelContext]:
    """Register `context(request, customer) -> dict` as the body of panel `key`."""

    def decorator(context: PanelContext) -> PanelContext:
        _registry[key] = Panel(
            key=key, title=title, template=template, order=order, visible=visible, context=context
        )
        return context

    return decorator


def panel_for(key: str, user, customer) -> Panel | None:
    """The registered panel `key` if this user may use it on this customer's page."""
    registration = _registry.get(key)
    if registration is None or not registration.visible(user, customer):
        return None
    return registration


def render_body(request, registration: Panel, customer, *, form=None) -> str:
    """The panel's body HTML (the form), for the htmx GET or an unfolded page.

    `form`: the panel's form as the user sent it, refused (its errors, or the service's in a
    message): shown in place of a new one, so that nothing typed is lost. Its hidden fields
    take the new form's values, which the server fills (e.g. the needs as they are now, so
    that sending it again is a deliberate overwrite)."""
    panel = registration.context(request, customer)
    if form is not None:
        fresh = panel.get("form")
        if fresh is not None:
            data = form.data.copy()
            for field in fresh.hidden_fields():
                data[field.name] = field.value() or ""
            form.data = data
        panel = {**panel, "form": form}
    context = {"panel": panel, "customer": customer}
    return render_to_string(registration.template, context, request=request)


def panels_for(request, customer, *, unfolded: str = "", form=None) -> list[FoldedPanel]:
    """The panels this user sees on this customer's page, in order, folded except `unfolded`
    (whose body is rendered here, with `form` if given: render_body). Costs no query beyond
    that one body's."""
    shown = []
    page_url = customer.get_absolute_url()
    for registration in sorted(_registry.values(), key=lambda p: (p.order, p.key)):
        if not registration.visible(request.user, customer):
            continue
        key = registration.key
        shown.append(
            FoldedPanel(
                key=key,
                title=registration.title,
                body_url=reverse("customers:panel", args=[customer.pk, key]),
                page_url=f"{page_url}?panel={key}#panel-{key}",
                body=render_body(request, registration, customer, form=form)
                if key == unfolded
                else "",
            )
        )
    return shown
