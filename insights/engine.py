"""Runs the alert rules: a full scan, an incremental scan, or one customer.

1. An AlertRun is recorded (committed at once, so a failed or killed run stays visible).
2. The scope is chosen: the whole book; one customer; or, incrementally, the customers touched
   since the last successful scan — rows above its id watermarks in life events, risk
   assessments, balance snapshots and interactions, and customers updated since it started.
3. Each enabled rule's SELECT is wrapped in INSERT … ON CONFLICT DO NOTHING on the unique key
   (rule, customer, trigger key) and committed on its own: a run killed half-way keeps what it
   inserted, and its redelivery inserts the rest and never a duplicate.
4. Open alerts follow their customer's current RM; open alerts past `expires_at` expire.

Time-driven rules (risk expiry, contact gap, age milestones) change with the date alone, so
the nightly full scan is what finds them for customers nobody touched; the incremental scan
and the per-customer run find them at once for customers that were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from feedback.sla import work_calendar
from insights.models import Alert, AlertRule, AlertRun
from insights.rules import RULES, RuleQuery, Scope
from products.shelf import VERSION_ON_SQL
from products.suitability import Purpose, suitable_where_sql

# Past this many touched customers an incremental scan is cheaper as a full one.
INCREMENTAL_MAX_CUSTOMERS = 50_000

WATERMARK_TABLES = {
    "life_event": "customers_lifeevent",
    "risk_assessment": "customers_riskassessment",
    "balance": "customers_balancesnapshot",
    "interaction": "interactions_interaction",
    "holding": "products_holding",
    "recommendation": "products_recommendation",
    "feedback": "feedback_feedback",
    "case": "feedback_case",
}

INSERT_SQL = """
    WITH fired (customer_id, trigger_key, evidence, need_codes) AS ({select}),
    pv AS MATERIALIZED ({version_on}),
    candidates AS (
        SELECT f.customer_id, f.trigger_key, f.evidence, f.need_codes,
               cu.relationship_manager_id, cu.branch_id, cu.risk_class,
               CASE WHEN cu.risk_assessed_on > %(cutoff)s THEN %(on)s::date END
                   AS risk_assessed_on
        FROM fired f
        JOIN customers_customer cu ON cu.id = f.customer_id
    ),
    offer AS (
        SELECT c.need_codes, c.risk_class, c.risk_assessed_on, ARRAY(
            SELECT p.code FROM products_product p
            JOIN pv ON pv.product_id = p.id
            WHERE EXISTS (
                SELECT 1 FROM products_product_need_types pn
                JOIN customers_needtype nt ON nt.id = pn.needtype_id
                WHERE pn.product_id = p.id AND nt.code = ANY(c.need_codes)
            ) AND {suitable}
            ORDER BY p.expected_yield DESC NULLS LAST, p.code
            LIMIT {products_max}
        ) AS codes
        FROM (
            SELECT DISTINCT need_codes, risk_class, risk_assessed_on FROM candidates
            WHERE cardinality(need_codes) > 0
        ) c
    )
    INSERT INTO insights_alert (
        customer_id, rule_id, rule_version, run_id, trigger_key, severity, evidence,
        need_codes, product_codes, assignee_id, branch_id, status, outcome, dismiss_reason, note,
        created_at, ack_due_at, expires_at
    )
    SELECT x.customer_id, %(_rule_id)s, %(_rule_version)s, %(_run_id)s, x.trigger_key,
           %(_severity)s, x.evidence, x.need_codes, COALESCE(o.codes, '{{}}'),
           x.relationship_manager_id, x.branch_id, 'open', '', '', '', %(_now)s, %(_ack_due)s,
           %(_expires)s
    FROM candidates x
    LEFT JOIN offer o ON o.need_codes = x.need_codes AND o.risk_class = x.risk_class
        AND o.risk_assessed_on IS NOT DISTINCT FROM x.risk_assessed_on
    ON CONFLICT ON CONSTRAINT alert_rule_customer_key_unique DO NOTHING
"""
# Each new alert gets, in the same statement, up to SUITABLE_PRODUCTS_MAX products that serve
# its suggested needs and that products.suitability allows for the customer as of the scan's
# date (suitable_where_sql, its SQL form), highest expected yield first. The condition reads
# the customer (alias c) only through its risk class and whether its assessment is current, so
# the products are chosen once per distinct (needs, class, current) — a few dozen — not once
# per alert: "c" is that combination, with an assessment date that keeps the condition's truth
# value (`on` when current, NULL when not).
SUITABLE_PRODUCTS_MAX = 3


@dataclass(frozen=True)
class ScanResult:
    run: AlertRun
    counts: dict[str, int]  # new alerts per rule code, in rule order
    expired: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def rule_query(rule: AlertRule, *, as_of: dt.date, scope: Scope, params=None) -> RuleQuery:
    """The SELECT of `rule` (its current params unless others are given)."""
    definition = RULES[rule.code]
    return definition.function(
        params=params if params is not None else rule.params,
        as_of=as_of,
        scope=scope,
        tz=settings.TIME_ZONE,
    )


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (0: `start` itself), in the bank's one
    working-day calendar (feedback.sla: public holidays, adjusted working days, head office's
    overrides). E.g. Friday + 1 working day is Monday."""
    calendar = work_calendar(branch_id=None)
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return day


def ack_due_at(*, created: dt.datetime, working_days: int) -> dt.datetime:
    """The end of the `working_days`-th working day after the alert's creation (bank time)."""
    local = timezone.localtime(created)
    due = add_working_days(local.date(), working_days)
    return dt.datetime.combine(due + dt.timedelta(days=1), dt.time.min, tzinfo=local.tzinfo)


def _watermarks() -> dict[str, int]:
    parts = ", ".join(
        f"(SELECT COALESCE(max(id), 0) FROM {table})" for table in WATERMARK_TABLES.values()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return dict(zip(WATERMARK_TABLES, row, strict=True))


def _touched_customers(last: AlertRun) -> list[int]:
    """Customers with a row above the last run's watermarks, or updated since it started."""
    parts = []
    params: dict = {"since": last.started_at}
    for key, table in WATERMARK_TABLES.items():
        if key in last.watermarks:
            parts.append(f"SELECT customer_id FROM {table} WHERE id > %({key})s")
            params[key] = int(last.watermarks[key])
    parts.append("SELECT id FROM customers_customer WHERE updated_at >= %(since)s")
    sql = " UNION ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def _last_successful_scan() -> AlertRun | None:
    return (
        AlertRun.objects.filter(
            status=AlertRun.Status.SUCCESS,
            kind__in=[AlertRun.Kind.FULL, AlertRun.Kind.INCREMENTAL],
        )
        .order_by("-started_at")
        .first()
    )


def alerts_scan(
    *,
    kind: str = AlertRun.Kind.INCREMENTAL,
    customer_id: int | None = None,
    customer_ids: list[int] | None = None,
    as_of: dt.date | None = None,
    rules: list[str] | None = None,
    now: dt.datetime | None = None,
) -> ScanResult:
    """Run the enabled rules (all, or the codes in `rules`) and insert the alerts they fire.

    kind: "full" (the whole book), "incremental" (customers touched since the last successful
    full or incremental scan; a full scan if there was none) or "customer" (`customer_id`, or
    several: `customer_ids`).
    Idempotent: rerunning creates no duplicate. Returns the new alerts per rule. `now` (the
    run's start, the new alerts' creation time) is for replaying history in the demo seed.
    """
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    run_kind = kind
    scope = Scope()
    since = None
    watermarks: dict[str, int] = {}
    if kind == AlertRun.Kind.CUSTOMER:
        ids = sorted(set(customer_ids or []) | ({customer_id} if customer_id else set()))
        if not ids:
            raise ValueError("a customer run needs customer_id or customer_ids")
        scope = Scope(ids)
        customer_id = ids[0] if len(ids) == 1 else None
    else:
        watermarks = _watermarks()
        if kind == AlertRun.Kind.INCREMENTAL:
            last = _last_successful_scan()
            if last is not None:
                since = last.started_at
                touched = _touched_customers(last)
                if len(touched) <= INCREMENTAL_MAX_CUSTOMERS:
                    scope = Scope(touched)
    run = AlertRun.objects.create(
        kind=run_kind,
        customer_id=customer_id,
        as_of=as_of,
        since=since,
        started_at=now,
        watermarks=watermarks,
    )
    counts: dict[str, int] = {}
    try:
        enabled = AlertRule.objects.filter(enabled=True, code__in=list(RULES)).order_by("code")
        if rules is not None:
            enabled = enabled.filter(code__in=rules)
        ordered = sorted(enabled, key=lambda r: RULES[r.code].number)
        for rule in ordered:
            if scope.customer_ids == []:
                counts[rule.code] = 0
                continue
            counts[rule.code] = _insert_alerts(rule=rule, run=run, as_of=as_of, scope=scope)
        expired = _follow_rm_and_expire(scope=scope, now=now)
    except BaseException as exc:
        AlertRun.objects.filter(pk=run.pk).update(
            status=AlertRun.Status.FAILED,
            finished_at=timezone.now(),
            counts=counts,
            total=sum(counts.values()),
            error=f"{type(exc).__name__}: {exc}"[:5000],
        )
        raise
    run.status = AlertRun.Status.SUCCESS
    run.finished_at = timezone.now()
    run.counts = counts
    run.total = sum(counts.values())
    run.save(update_fields=["status", "finished_at", "counts", "total"])
    return ScanResult(run=run, counts=counts, expired=expired)


@transaction.atomic
def _insert_alerts(*, rule: AlertRule, run: AlertRun, as_of: dt.date, scope: Scope) -> int:
    query = rule_query(rule, as_of=as_of, scope=scope)
    suitable, suitable_params = suitable_where_sql(on=as_of, purpose=Purpose.RECOMMENDATION)
    params = {
        **query.params,
        **suitable_params,
        "_rule_id": rule.pk,
        "_rule_version": rule.version,
        "_run_id": run.pk,
        "_severity": rule.severity,
        "_now": run.started_at,
        "_ack_due": ack_due_at(created=run.started_at, working_days=rule.ack_working_days),
        "_expires": run.started_at + dt.timedelta(days=rule.expire_after_days),
    }
    with connection.cursor() as cursor:
        sql = INSERT_SQL.format(
            select=query.sql,
            version_on=VERSION_ON_SQL,
            suitable=suitable,
            products_max=SUITABLE_PRODUCTS_MAX,
        )
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def _follow_rm_and_expire(*, scope: Scope, now: dt.datetime) -> int:
    """Open alerts move to the customer's current RM; those past their expiry expire."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE insights_alert a SET assignee_id = c.relationship_manager_id
            FROM customers_customer c
            WHERE c.id = a.customer_id AND a.status IN ('open', 'acknowledged')
              AND a.assignee_id IS DISTINCT FROM c.relationship_manager_id
              AND {scope.sql("a.customer_id")}
            """,
            scope.params(),
        )
    return alerts_expire(now=now)


def alerts_expire(*, now: dt.datetime | None = None) -> int:
    """Expire open or acknowledged alerts past their `expires_at`; returns how many."""
    now = now or timezone.now()
    return Alert.objects.filter(
        status__in=[Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED], expires_at__lte=now
    ).update(status=Alert.Status.EXPIRED, closed_at=now)


def alert_evidence_recompute(alert: Alert, *, params: dict | None = None) -> dict | None:
    """Evaluate the alert's rule again for its customer as of its run's date, with the
    settings of the rule version that fired it; the evidence it gives (None: no longer fires).

    Equal to `alert.evidence` as long as the data behind it is unchanged.
    """
    from insights.models import AlertRuleVersion

    if params is None:
        params = (
            AlertRuleVersion.objects.filter(rule_id=alert.rule_id, version=alert.rule_version)
            .values_list("params", flat=True)
            .first()
        )
    query = rule_query(
        alert.rule, as_of=alert.run.as_of, scope=Scope([alert.customer_id]), params=params
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT evidence FROM ({query.sql}) q WHERE trigger_key = %(_key)s",
            {**query.params, "_key": alert.trigger_key},
        )
        row = cursor.fetchone()
    if row is None:
        return None
    import json

    return json.loads(row[0]) if isinstance(row[0], str) else row[0]
