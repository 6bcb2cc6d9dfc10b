"""What the products app adds to the customer page: the holdings panel, suitable products and
recommendations, the risk questionnaire, and holdings/recommendations on the timeline."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.names import person_name_of
from customers import panels, timeline
from customers.access import can_edit_customer, can_serve_customer
from customers.models import RiskAssessment
from customers.timeline import TimelineEntry, model_from_row
from products import selectors
from products.forms import HoldingForm, QuestionnaireForm, RecommendationForm, SaleOverrideForm
from products.models import Holding, Product, Recommendation
from products.suitability import assessment_current


def _product_choices(request) -> list:
    """The product choices, read once per page for all the panels' product selects."""
    if not hasattr(request, "_product_choices"):
        request._product_choices = selectors.product_choices()
    return request._product_choices


@panels.panel(
    "products-holdings",
    title=_("Holdings and suitability"),
    template="products/partials/panel_holdings.html",
    order=5,
    visible=can_serve_customer,
)
def holdings_panel(request, customer) -> dict:
    """Active holdings, each product's risk level against the customer's class, and the forms
    to record a subscription (two queries: holdings, product choices shared with the
    recommendation form)."""
    rows = selectors.holdings_for_customer(customer=customer)
    form, override_form = HoldingForm(), SaleOverrideForm()
    choices = _product_choices(request)
    form.fields["product"].choices = override_form.fields["product"].choices = choices
    return {
        "rows": rows,
        "flagged": sum(1 for r in rows if r.above_class),
        "form": form,
        "override_form": override_form,
        "action": reverse("products:holding_create", args=[customer.pk]),
        "override_action": reverse("products:override_request", args=[customer.pk]),
        "can_override": customer.risk_class not in ("", "C1"),
    }


@panels.panel(
    "products-suitable",
    title=_("Suitable products and recommendations"),
    template="products/partials/panel_suitable.html",
    order=6,
    visible=can_serve_customer,
)
def suitable_panel(request, customer) -> dict:
    """Suitable products for the active needs (one set-based query + the products), the
    latest recommendations (one query) and the form to record one (need choices: one query;
    product choices shared with the holdings panel)."""
    form = RecommendationForm()
    form.fields["product"].choices = _product_choices(request)
    return {
        "assessment_current": assessment_current(customer, timezone.localdate()),
        "suitable": selectors.suitable_products_for(customer=customer),
        "recommendations": selectors.recommendations_for_customer(customer=customer),
        "form": form,
        "action": reverse("products:recommendation_create", args=[customer.pk]),
    }


@panels.panel(
    "products-questionnaire",
    title=_("Risk questionnaire"),
    template="products/partials/panel_questionnaire.html",
    order=40,
    visible=can_edit_customer,
)
def questionnaire_panel(request, customer) -> dict:
    """The questionnaire in use (one query) and the customer's assessment history (one)."""
    questionnaire, questions = selectors.questionnaire_in_use_questions()
    history = list(
        RiskAssessment.objects.filter(customer=customer)
        .select_related("assessed_by", "questionnaire_answers__questionnaire")
        .order_by("-assessed_on", "-pk")[:10]
    )
    return {
        "questionnaire": questionnaire,
        "form": QuestionnaireForm(questions=questions) if questions else None,
        "history": history,
        "action": reverse("products:questionnaire_record", args=[customer.pk]),
    }


# What a holding's or recommendation's timeline entry names and links of its product.
PRODUCT_JSON = (
    "'product', (SELECT jsonb_build_object('id', p.id, 'code', p.code, 'name', p.name)"
    " FROM products_product p WHERE p.id = e.product_id)"
)


@timeline.provider(
    "holding",
    _("Holdings"),
    rows=timeline.entry_rows(
        "products_holding",
        at="start_date",
        dated=True,
        staff="recorded_by_id",
        # The principal as text too: the record's JSON number would be read as a float.
        more=f"{PRODUCT_JSON}, 'principal', e.principal::text",
    ),
)
def holding_entry(at: dt.datetime, row: dict) -> TimelineEntry:
    """A holding, on its start date: principal, maturity, an above-class purchase."""
    h = model_from_row(Holding, {**row["record"], "principal": row["principal"]})
    product = model_from_row(Product, row["product"])
    detail = f"{h.principal:,.2f} {h.currency}"
    if h.maturity_date:
        detail += " · " + gettext("matures %(date)s") % {"date": h.maturity_date.isoformat()}
    if h.above_class_override:
        detail += " · " + gettext("above-class purchase at the customer's request")
    return TimelineEntry(
        occurred_at=at,
        kind="holding",
        title=gettext("Holding: %(product)s") % {"product": str(product)},
        detail=detail,
        url=product.get_absolute_url(),
        actor=person_name_of(row["staff"]),
        badge=h.get_status_display(),
        date_only=True,  # a start date: its time of day means nothing
    )


@timeline.provider(
    "recommendation",
    _("Recommendations"),
    rows=timeline.entry_rows(
        "products_recommendation", at="recommended_at", staff="recommended_by_id", more=PRODUCT_JSON
    ),
)
def recommendation_entry(at: dt.datetime, row: dict) -> TimelineEntry:
    """A recommendation: the product, the rationale, the outcome and why."""
    r = model_from_row(Recommendation, row["record"])
    product = model_from_row(Product, row["product"])
    return TimelineEntry(
        occurred_at=at,
        kind="recommendation",
        title=gettext("Recommended: %(product)s") % {"product": str(product)},
        detail=r.rationale + (f" ({r.outcome_reason})" if r.outcome_reason else ""),
        url=reverse("products:recommendation", args=[r.pk]),
        actor=person_name_of(row["staff"]),
        badge=r.get_outcome_display(),
    )
