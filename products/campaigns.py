"""Campaigns: a target rule, a preview, a set-based launch, and the RM's target status flow.

Who is targeted: customers (not archived) of the rule's segments, branches and needs (active,
with at least the minimum priority), not already holding a product of the campaign (when
asked), and — always — suitable for EVERY product of the campaign by check_suitability's own
rule for purpose CAMPAIGN (current assessment, no product above the class, products on sale,
marketing consent, not do-not-contact), applied in its SQL form (suitable_where_sql).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Role, branch_id_of, role_of
from crm.submit_once import submission_claim, submission_done
from customers.access import is_supervising, require_serve
from customers.models import Customer, NeedType
from customers.services import audit_record
from products.models import Campaign, CampaignTarget, Product
from products.shelf import VERSION_ON_SQL
from products.suitability import Purpose, suitable_where_sql

CAMPAIGN_NOT_ALLOWED = _("Only head office and branch supervisors define campaigns.")
CAMPAIGN_NO_PRODUCTS = _("Choose at least one product.")
CAMPAIGN_MATCHES_NOBODY = _(
    "The rule matches nobody who may be targeted: widen the segments, needs or branches, or "
    "check that the products are on sale and suitable for the customers it selects."
)
CAMPAIGN_NOT_DRAFT = _("This campaign has already been launched.")
CAMPAIGN_ENDED = _("The campaign's period is over: it can no longer be launched.")
TARGET_FINAL = _("This target is already closed (subscribed or declined).")
TARGET_BACKWARDS = _("A target moves forward only: %(old)s → %(new)s is not allowed.")
SAMPLE_SIZE = 10

# The order a target moves through; subscribed and declined are final.
FLOW = ["to_contact", "contacted", "interested", "subscribed"]
FINAL = {CampaignTarget.Status.SUBSCRIBED, CampaignTarget.Status.DECLINED}


def can_manage_campaigns(user) -> bool:
    """Head office (bank-wide) and supervisors (their branch) define and launch campaigns."""
    return is_supervising(user)


def _check_manage(actor, campaign: Campaign | None = None) -> None:
    role = role_of(actor)
    if role == Role.HEAD_OFFICE:
        return
    if role == Role.SUPERVISOR and (campaign is None or campaign.branch_id == branch_id_of(actor)):
        return
    raise PermissionDenied(CAMPAIGN_NOT_ALLOWED)


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    products: Iterable[Product],
    starts_on: dt.date,
    ends_on: dt.date,
    target_segments: Iterable[str] = (),
    target_needs: Iterable[NeedType] = (),
    min_need_priority: int = 0,
    target_branches: Iterable[Branch] = (),
    exclude_holders: bool = True,
    description: str = "",
    submission_token: str = "",
) -> Campaign:
    """Define a campaign (draft). A supervisor's campaign covers their own branch only.
    AlreadySubmitted for a form sent twice (crm.submit_once)."""
    _check_manage(actor)
    claim = submission_claim(actor=actor, token=submission_token, kind="products.campaign")
    products = list(products)
    if not products:
        raise ValidationError({"products": CAMPAIGN_NO_PRODUCTS})
    branch_id = branch_id_of(actor) if role_of(actor) == Role.SUPERVISOR else None
    campaign = Campaign(
        name=name,
        description=description,
        owner=actor,
        branch_id=branch_id,
        target_segments=list(target_segments),
        min_need_priority=min_need_priority,
        exclude_holders=exclude_holders,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    campaign.full_clean()
    campaign.save()
    campaign.products.set(products)
    campaign.target_needs.set(list(target_needs))
    if branch_id is not None:
        campaign.target_branches.set([branch_id])
    else:
        campaign.target_branches.set(list(target_branches))
    audit_record(actor=actor, action="campaign.created", target=campaign, detail={"name": name})
    submission_done(claim, url=campaign.get_absolute_url())
    return campaign


def campaign_check_date(campaign: Campaign, today: dt.date | None = None) -> dt.date:
    """The date suitability is checked for: the launch day, or the start if later."""
    today = today or timezone.localdate()
    return max(today, campaign.starts_on)


@dataclass(frozen=True)
class RuleSql:
    """The rule as SQL pieces over alias `c`, with the products' versions as CTE `pv`."""

    cte: str  # "WITH pv AS (…)"
    where: str  # the rule's selection, before exclusions
    suitable_all: str  # suitable (purpose CAMPAIGN) for every product of the campaign
    risk_all: str  # the same without consent / do-not-contact (for the preview's breakdown)
    params: dict


def _rule_sql(campaign: Campaign, on: dt.date) -> RuleSql:
    """The campaign's rule in SQL. A customer is suitable for every product when as many of
    the products' versions pass suitable_where_sql as the campaign has products (a product
    not on the shelf yet has no version, so it fails for everyone)."""
    product_ids = list(campaign.products.values_list("pk", flat=True))
    need_ids = list(campaign.target_needs.values_list("pk", flat=True))
    branch_ids = list(campaign.target_branches.values_list("pk", flat=True))
    campaign_rule, params = suitable_where_sql(on=on, purpose=Purpose.CAMPAIGN)
    risk_rule, _params = suitable_where_sql(on=on, purpose=Purpose.RECOMMENDATION)
    params.update(
        {
            "campaign": campaign.pk,
            "products": product_ids,
            "n_products": len(product_ids),
            "segments": campaign.target_segments,
            "needs": need_ids,
            "min_priority": campaign.min_need_priority,
            "branches": branch_ids,
        }
    )
    where = ["c.status <> 'archived'"]
    if campaign.target_segments:
        where.append("c.segment = ANY(%(segments)s)")
    if branch_ids:
        where.append("c.branch_id = ANY(%(branches)s)")
    if need_ids:
        where.append(
            "EXISTS (SELECT 1 FROM customers_customerneed n WHERE n.customer_id = c.id "
            "AND n.status = 'active' AND n.need_type_id = ANY(%(needs)s) "
            "AND n.priority >= %(min_priority)s)"
        )
    if campaign.exclude_holders:
        where.append(
            "NOT EXISTS (SELECT 1 FROM products_holding h WHERE h.customer_id = c.id "
            "AND h.product_id = ANY(%(products)s) AND h.status = 'active')"
        )

    def every_product(rule: str) -> str:
        return (
            f"((SELECT COUNT(*) FROM pv WHERE pv.product_id = ANY(%(products)s) AND {rule}) "  # noqa: S608 - fixed SQL pieces, values are parameters
            "= %(n_products)s)"
        )

    return RuleSql(
        cte=f"WITH pv AS MATERIALIZED ({VERSION_ON_SQL})",
        where=" AND ".join(where),
        suitable_all=every_product(campaign_rule),
        risk_all=every_product(risk_rule),
        params=params,
    )


@dataclass(frozen=True)
class Preview:
    matched: int  # customers the rule selects
    unsuitable: int  # of which excluded by suitability (class, assessment, products on sale)
    no_consent: int  # of which without marketing consent
    do_not_contact: int  # of which do-not-contact
    targeted: int  # who would be targeted
    sample: list[Customer]


def campaign_preview(*, actor, campaign: Campaign, on: dt.date | None = None) -> Preview:
    """How many customers the rule selects, how many each exclusion removes, and a sample of
    those who would be targeted. Two queries (counts; the sample)."""
    _check_manage(actor, campaign)
    on = on or campaign_check_date(campaign)
    rule = _rule_sql(campaign, on)
    counts_sql = (
        f"{rule.cte} SELECT COUNT(*), "  # noqa: S608 - fixed SQL pieces, values are parameters
        f"COUNT(*) FILTER (WHERE NOT {rule.risk_all}), "
        "COUNT(*) FILTER (WHERE NOT c.marketing_consent), "
        "COUNT(*) FILTER (WHERE c.do_not_contact), "
        f"COUNT(*) FILTER (WHERE {rule.suitable_all}) "
        f"FROM customers_customer c WHERE {rule.where}"
    )
    sample_sql = (
        f"{rule.cte} SELECT c.id FROM customers_customer c "  # noqa: S608 - as above
        f"WHERE {rule.where} AND {rule.suitable_all} ORDER BY c.id LIMIT {SAMPLE_SIZE}"
    )
    with connection.cursor() as cursor:
        cursor.execute(counts_sql, rule.params)
        matched, unsuitable, no_consent, dnc, targeted = cursor.fetchone()
        cursor.execute(sample_sql, rule.params)
        ids = [r[0] for r in cursor.fetchall()]
    sample = list(
        Customer.objects.filter(pk__in=ids).select_related("relationship_manager").order_by("pk")
    )
    return Preview(matched, unsuitable, no_consent, dnc, targeted, sample)


@transaction.atomic
def campaign_launch(*, actor, campaign: Campaign, on: dt.date | None = None) -> int:
    """Materialise the targets in one INSERT … SELECT, each assigned to the customer's RM.

    Refuses a launched campaign, an ended one, and a rule that matches nobody (nothing is
    saved). Returns the number of targets. Audited.
    """
    _check_manage(actor, campaign)
    today = timezone.localdate()
    if campaign.ends_on < today:
        raise ValidationError(CAMPAIGN_ENDED)
    claimed = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.DRAFT).update(
        status=Campaign.Status.LAUNCHED, launched_at=timezone.now()
    )
    if claimed != 1:
        raise ValidationError(CAMPAIGN_NOT_DRAFT)
    on = on or campaign_check_date(campaign, today)
    rule = _rule_sql(campaign, on)
    insert = (
        f"{rule.cte} INSERT INTO products_campaigntarget "  # noqa: S608 - as above
        "(campaign_id, customer_id, assigned_to_id, branch_id, status, status_changed_at, "
        "created_at) "
        "SELECT %(campaign)s, c.id, c.relationship_manager_id, c.branch_id, 'to_contact', "
        "now(), now() "
        f"FROM customers_customer c WHERE {rule.where} AND {rule.suitable_all} "
        "ON CONFLICT (campaign_id, customer_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, rule.params)
        count = cursor.rowcount
    if count == 0:
        raise ValidationError(CAMPAIGN_MATCHES_NOBODY, code="nobody")
    Campaign.objects.filter(pk=campaign.pk).update(target_count=count)
    campaign.refresh_from_db()
    audit_record(
        actor=actor, action="campaign.launched", target=campaign, detail={"targets": count}
    )
    return count


def target_status_allowed(old: str, new: str) -> bool:
    """Targets move forward: to contact → contacted → interested → subscribed, and may be
    declined from any open state; subscribed and declined are final."""
    if old in FINAL or old == new:
        return False
    if new == CampaignTarget.Status.DECLINED:
        return True
    return FLOW.index(new) > FLOW.index(old)


@transaction.atomic
def campaign_target_move(*, actor, target: CampaignTarget, status: str) -> CampaignTarget:
    """Move a target on (an RM working the list). Scope: the actor must serve the target's
    customer (customers.access.require_serve). Audited."""
    customer = target.customer
    require_serve(actor, customer)
    locked = CampaignTarget.objects.select_for_update().get(pk=target.pk)
    if locked.status in FINAL:
        raise ValidationError(TARGET_FINAL)
    if not target_status_allowed(locked.status, status):
        labels = dict(CampaignTarget.Status.choices)
        raise ValidationError(
            TARGET_BACKWARDS,
            params={"old": labels[locked.status], "new": labels.get(status, status)},
        )
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at"])
    audit_record(
        actor=actor,
        action="campaign_target.moved",
        target=locked,
        customer=customer,
        detail={"status": status, "campaign": locked.campaign_id},
    )
    return locked


# An interaction's outcome → the status it moves the customer's open targets to.
OUTCOME_TO_STATUS = {
    "no_interest": CampaignTarget.Status.DECLINED,
    "interested": CampaignTarget.Status.INTERESTED,
    "follow_up": CampaignTarget.Status.CONTACTED,
    "subscribed": CampaignTarget.Status.SUBSCRIBED,
    "complaint": CampaignTarget.Status.CONTACTED,
}


def campaign_targets_on_interaction(*, customer_id: int, outcome: str) -> int:
    """Called by interactions.services.interaction_log: the customer's open targets in
    launched campaigns move on by the interaction's outcome (never backwards). One UPDATE per
    status step; returns how many targets moved."""
    new = OUTCOME_TO_STATUS.get(outcome, CampaignTarget.Status.CONTACTED)
    if new == CampaignTarget.Status.DECLINED:
        movable = ["to_contact", "contacted", "interested"]
    else:
        movable = FLOW[: FLOW.index(new)]
    return CampaignTarget.objects.filter(
        customer_id=customer_id,
        status__in=movable,
        campaign__status=Campaign.Status.LAUNCHED,
    ).update(status=new, status_changed_at=timezone.now())


@dataclass(frozen=True)
class FunnelRow:
    key: int | None
    label: str
    total: int
    to_contact: int
    contacted: int
    interested: int
    subscribed: int
    declined: int

    @property
    def reached(self) -> int:
        return self.total - self.to_contact

    @property
    def conversion(self) -> float:
        return 100.0 * self.subscribed / self.total if self.total else 0.0


FUNNEL_STAGES = ("total", "to_contact", "contacted", "interested", "subscribed", "declined")


def funnel_total(rows: list[FunnelRow], label: str) -> FunnelRow | None:
    """The whole campaign (in the viewer's scope) as one row: the sum of `rows`."""
    if not rows:
        return None
    return FunnelRow(
        None,
        label,
        *(sum(getattr(r, name) for r in rows) for name in FUNNEL_STAGES),
    )


_FUNNEL_COLUMNS = (
    "COUNT(*), "
    "COUNT(*) FILTER (WHERE t.status = 'to_contact'), "
    "COUNT(*) FILTER (WHERE t.status = 'contacted'), "
    "COUNT(*) FILTER (WHERE t.status = 'interested'), "
    "COUNT(*) FILTER (WHERE t.status = 'subscribed'), "
    "COUNT(*) FILTER (WHERE t.status = 'declined')"
)


def campaign_funnel(*, user, campaign: Campaign, by: str) -> list[FunnelRow]:
    """The funnel of `campaign` per "branch" or per "rm", over the targets in the viewer's
    scope (head office all, branch staff their branch). One GROUP BY query."""
    column = {"branch": "t.branch_id", "rm": "t.assigned_to_id"}[by]
    params: dict = {"campaign": campaign.pk}
    scope = ""
    if role_of(user) != Role.HEAD_OFFICE:
        scope = " AND t.branch_id = %(branch)s"
        params["branch"] = branch_id_of(user)
    if by == "branch":
        label = "b.code || ' ' || b.name"
        join = "JOIN accounts_branch b ON b.id = t.branch_id"
    else:
        label = "COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username, '')"
        join = "LEFT JOIN auth_user u ON u.id = t.assigned_to_id"
    sql = (
        f"SELECT {column}, {label}, {_FUNNEL_COLUMNS} "  # noqa: S608 - fixed SQL, params only
        f"FROM products_campaigntarget t {join} "
        f"WHERE t.campaign_id = %(campaign)s{scope} "
        f"GROUP BY {column}, {label} ORDER BY 3 DESC, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [FunnelRow(*row) for row in cursor.fetchall()]
