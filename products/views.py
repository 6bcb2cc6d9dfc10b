"""Product pages and the customer-page actions of the products app (thin: selectors + services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import branch_param
from accounts.models import Role, role_of
from crm import csvimport
from crm.dates import plausible_or_none
from crm.params import page_param
from crm.submit_once import ALREADY_SUBMITTED, AlreadySubmitted, already_submitted
from customers.access import can_import
from customers.models import Customer, NeedType
from products import campaigns, selectors, services
from products.forms import (
    CampaignForm,
    HoldingForm,
    HoldingImportForm,
    OverrideFilterForm,
    ProductFilterForm,
    QuestionnaireForm,
    RecommendationForm,
    RecommendationOutcomeForm,
    SaleOverrideForm,
    TargetMoveForm,
)
from products.importing import HoldingImporter
from products.models import Campaign, CampaignTarget, Product, Recommendation, SaleOverride
from products.shelf import shelf_on

OVERRIDES_PER_PAGE = 50


def _page_number(request: HttpRequest) -> int:
    return page_param(request)


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) is None:
        raise PermissionDenied
    form = ProductFilterForm(request.GET)
    page = selectors.product_page(
        user=request.user, filters=form.filters(), page=_page_number(request)
    )
    ctx = {
        "form": form,
        "page": page,
        "query": _query_without(request, "page"),
        "can_import": can_import(request.user),
    }
    return render(request, "products/product_list.html", ctx)


@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(
        Product.objects.visible_to(request.user).prefetch_related(
            Prefetch("need_types", queryset=NeedType.objects.order_by("sort_order"))
        ),
        pk=pk,
    )
    holders, holdings = selectors.product_holders_in_scope(user=request.user, product=product)
    versions = selectors.product_versions(product=product)
    today = timezone.localdate()
    current = next((v for v in versions if v.effective_from <= today), None)
    ctx = {
        "product": product,
        "current": current,
        "on_sale": current is not None and current.on_sale_on(today),
        "versions": versions,
        "holders": holders,
        "holdings": holdings,
        "scope_all": role_of(request.user) == Role.HEAD_OFFICE,
    }
    return render(request, "products/product_detail.html", ctx)


@require_GET
def shelf_lookup(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Was this product on sale on date D, at which risk level?" (a JSON-free fragment)."""
    product = get_object_or_404(Product.objects.visible_to(request.user), pk=pk)
    try:
        try:
            day = plausible_or_none(parse_date(request.GET.get("on", "")))
        except ValueError:  # well-formed but impossible, e.g. month 13
            day = None
        day = day or timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    state = shelf_on(product, day)
    return render(request, "products/shelf_answer.html", {"product": product, "state": state})


# -- Customer-page actions -------------------------------------------------------------------


def _customer(request: HttpRequest, customer_id: int) -> Customer:
    """The customer, 404 outside the viewer's scope."""
    return get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_id)


def _back(customer: Customer, panel: str) -> HttpResponse:
    """Back to the customer page with `panel` unfolded, showing the result."""
    url = reverse("customers:detail", args=[customer.pk])
    return redirect(f"{url}?panel={panel}#panel-{panel}")


def _errors_to_messages(request: HttpRequest, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _service_call(request: HttpRequest, call, success: str) -> bool:
    try:
        call()
    except AlreadySubmitted:
        messages.info(request, ALREADY_SUBMITTED)  # the panel shows what the first one made
        return False
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return False
    messages.success(request, success)
    return True


@require_POST
def questionnaire_record(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    questionnaire, questions = selectors.questionnaire_in_use_questions()
    if not questions:
        messages.error(request, services.NO_ACTIVE_QUESTIONNAIRE)
        return _back(customer, "products-questionnaire")
    form = QuestionnaireForm(request.POST, questions=questions)
    if not form.is_valid():
        missing = [n for _q, n in form.question_fields if n in form.errors]
        if missing:
            messages.error(
                request,
                _("Answer every question: %(count)s left unanswered (%(numbers)s).")
                % {
                    "count": len(missing),
                    "numbers": ", ".join(form.fields[n].label.split(".", 1)[0] for n in missing),
                },
            )
        else:
            _errors_to_messages(request, form)
        return _back(customer, "products-questionnaire")

    try:
        assessment = services.questionnaire_assessment_record(
            actor=request.user,
            customer=customer,
            answers=form.answers(),
            in_person=form.cleaned_data["in_person"],
            questionnaire=questionnaire,
            submission_token=form.cleaned_data.get("submission_token", ""),
        )
    except AlreadySubmitted:
        messages.info(request, ALREADY_SUBMITTED)
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Risk assessment recorded: score %(score)s, risk tolerance class %(klass)s.")
            % {"score": assessment.score, "klass": assessment.get_risk_class_display()},
        )
    return _back(customer, "products-questionnaire")


@require_POST
def recommendation_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    form = RecommendationForm(request.POST)
    if form.is_valid():
        _service_call(
            request,
            lambda: services.recommendation_record(
                actor=request.user, customer=customer, **form.cleaned_data
            ),
            _("Recommendation recorded."),
        )
    else:
        _errors_to_messages(request, form)
    return _back(customer, "products-suitable")


@require_POST
def recommendation_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.visible_to(request.user).select_related("customer"), pk=pk
    )
    form = RecommendationOutcomeForm(request.POST)
    if form.is_valid():
        _service_call(
            request,
            lambda: services.recommendation_outcome_record(
                actor=request.user,
                recommendation=recommendation,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            ),
            _("Outcome recorded."),
        )
    else:
        _errors_to_messages(request, form)
    return _back(recommendation.customer, "products-suitable")


@require_GET
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A recommendation exactly as recorded, with the suitability snapshot (for an auditor)."""
    recommendation = get_object_or_404(
        Recommendation.objects.visible_to(request.user)
        .select_related("customer", "product", "recommended_by")
        .prefetch_related("needs"),
        pk=pk,
    )
    return render(
        request, "products/recommendation_detail.html", {"recommendation": recommendation}
    )


@require_POST
def holding_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    form = HoldingForm(request.POST)
    if form.is_valid():
        _service_call(
            request,
            lambda: services.holding_record(
                actor=request.user, customer=customer, **form.cleaned_data
            ),
            _("Holding recorded."),
        )
    else:
        _errors_to_messages(request, form)
    return _back(customer, "products-holdings")


@require_POST
def override_request(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    form = SaleOverrideForm(request.POST)
    if form.is_valid():
        _service_call(
            request,
            lambda: services.sale_override_request(
                actor=request.user, customer=customer, **form.cleaned_data
            ),
            _("Recorded: the purchase awaits the branch supervisor's sign-off."),
        )
    else:
        _errors_to_messages(request, form)
    return _back(customer, "products-holdings")


@require_GET
def override_list(request: HttpRequest) -> HttpResponse:
    """Above-class purchases in the viewer's scope; supervisors sign them off here."""
    if role_of(request.user) not in (Role.SUPERVISOR, Role.HEAD_OFFICE):
        raise PermissionDenied
    branch_param(request)  # a branch outside scope: 404
    form = OverrideFilterForm(request.GET)
    rows = selectors.overrides_for_user(user=request.user, filters=form.filters())
    page = Paginator(rows, OVERRIDES_PER_PAGE).get_page(_page_number(request))
    return render(
        request,
        "products/override_list.html",
        {
            "form": form,
            "page": page,
            "overrides": page.object_list,
            "query": _query_without(request, "page"),
            "can_decide": role_of(request.user) == Role.SUPERVISOR,
        },
    )


@require_POST
def override_decide(request: HttpRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(SaleOverride.objects.visible_to(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        raise Http404
    _service_call(
        request,
        lambda: services.sale_override_decide(
            actor=request.user, override=override, approve=decision == "approve"
        ),
        _("Signed off: the holding is recorded.")
        if decision == "approve"
        else _("Rejected: no holding is recorded."),
    )
    return redirect("products:overrides")


# -- Campaigns -------------------------------------------------------------------------------


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) is None:
        raise PermissionDenied
    rows = selectors.campaigns_for_user(user=request.user)
    return render(
        request,
        "products/campaign_list.html",
        {"campaigns": rows, "can_create": campaigns.can_manage_campaigns(request.user)},
    )


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not campaigns.can_manage_campaigns(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.campaign_create(actor=request.user, **form.cleaned_data)
        except AlreadySubmitted as exc:
            return already_submitted(request, exc, reverse("products:campaigns"))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Campaign saved as a draft: check the preview, then launch.")
            )
            return redirect(campaign)
    return render(request, "products/campaign_form.html", {"form": form})


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("owner", "branch"), pk=pk
    )


@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    manage = campaigns.can_manage_campaigns(request.user) and (
        role_of(request.user) == Role.HEAD_OFFICE or campaign.branch_id is not None
    )
    preview = None
    if manage and campaign.status == Campaign.Status.DRAFT:
        preview = campaigns.campaign_preview(actor=request.user, campaign=campaign)
    status = request.GET.get("status", "")
    if status not in CampaignTarget.Status.values:
        status = ""
    ctx = {
        "campaign": campaign,
        "products": list(campaign.products.all()),
        "needs": list(campaign.target_needs.all()),
        "branches": list(campaign.target_branches.all()),
        "manage": manage,
        "preview": preview,
        "status": status,
        "statuses": CampaignTarget.Status.choices,
    }
    if campaign.status != Campaign.Status.DRAFT:
        ctx["funnel_branch"] = campaigns.campaign_funnel(
            user=request.user, campaign=campaign, by="branch"
        )
        ctx["funnel_rm"] = campaigns.campaign_funnel(user=request.user, campaign=campaign, by="rm")
        ctx["funnel_total"] = campaigns.funnel_total(ctx["funnel_branch"], _("Whole campaign"))
        ctx["page"] = selectors.campaign_targets_page(
            user=request.user,
            campaign=campaign,
            status=status,
            branch_id=getattr(branch_param(request), "pk", None),
            page=_page_number(request),
        )
        ctx["query"] = _query_without(request, "page")
    return render(request, "products/campaign_detail.html", ctx)


@require_POST
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        count = campaigns.campaign_launch(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise
    else:
        messages.success(
            request,
            ngettext(
                "Campaign launched: %(n)s customer targeted.",
                "Campaign launched: %(n)s customers targeted.",
                count,
            )
            % {"n": f"{count:,}"},
        )
    return redirect(campaign)


@require_POST
def target_move(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        CampaignTarget.objects.visible_to(request.user).select_related("campaign", "customer"),
        pk=pk,
    )
    form = TargetMoveForm(request.POST)
    if form.is_valid():
        _service_call(
            request,
            lambda: campaigns.campaign_target_move(
                actor=request.user, target=target, status=form.cleaned_data["status"]
            ),
            _("Target updated."),
        )
    else:
        _errors_to_messages(request, form)
    back = reverse("products:campaign_detail", args=[target.campaign_id])
    return redirect(back + "#targets")


# -- Holdings import from core banking ---------------------------------------------------------


def _holding_importer(user) -> HoldingImporter:
    return HoldingImporter(actor=user, customers=Customer.objects.visible_to(user))


@require_http_methods(["GET", "POST"])
def holding_import(request: HttpRequest) -> HttpResponse:
    """Upload a holdings CSV: a dry run shows what would change and every error; then commit."""
    if not can_import(request.user):
        raise PermissionDenied
    form = HoldingImportForm(request.POST or None, request.FILES or None)
    report, token = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            text = csvimport.upload_text(content)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            pending = csvimport.pending_upload_store(
                actor=request.user, kind=HoldingImporter.kind, name=upload.name, content=content
            )
            token = str(pending.token)
            report = csvimport.import_dry_run(_holding_importer(request.user), text)
    ctx = {"form": form, "report": report, "token": token}
    return render(request, "products/holding_import.html", ctx)


@require_POST
def holding_import_commit(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied
    token = request.POST.get("token", "")
    pending = csvimport.pending_upload_for(actor=request.user, token=token)
    if pending is None or pending.kind != HoldingImporter.kind:
        raise Http404
    pending, report = csvimport.pending_upload_commit(
        importer=_holding_importer(request.user), token=token
    )
    if pending is None:  # committed meanwhile by a first click
        messages.info(request, _("This file has already been imported."))
        return redirect("products:list")
    if report.committed:
        messages.success(
            request,
            _("Imported %(name)s: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
            % {
                "name": pending.name,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
        return redirect("products:list")
    ctx = {"form": HoldingImportForm(), "report": report, "token": token}
    return render(request, "products/holding_import.html", ctx)
