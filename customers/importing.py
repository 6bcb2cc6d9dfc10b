"""Imports from core banking: customers and balance snapshots from CSV files, on the import
framework (crm.csvimport: dry run, per-line errors, all-or-nothing commit, audit, uploads kept
in the database, one cell cleaner).

Rows are upserted on the customer number (and, for balances, the date), and a row equal to
what is stored writes nothing, so re-importing the same file changes nothing. Work is done in
batches, so a file of a million rows needs a few queries per thousand rows, not per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Branch, Staff
from crm import identifiers
from crm.csvimport import (
    CsvImporter,
    ImportReport,
    Row,
    cell_bool,
    cell_date,
    cell_decimal,
    import_commit,
    import_dry_run,
    messages_of,
)
from customers.changes import customers_changed
from customers.models import BalanceSnapshot, Customer, RiskAssessment
from customers.services import audit_record, customer_fields_normalise, customer_search_keys_fill

BATCH = 2000

CUSTOMER_REQUIRED = ["customer_number", "name", "date_of_birth", "national_id", "branch_code"]
CUSTOMER_OPTIONAL = [
    "phone",
    "email",
    "address",
    "occupation",
    "income_band",
    "segment",
    "status",
    "rm_employee_number",
    "risk_class",
    "risk_assessed_on",
    "marketing_consent",
    "do_not_contact",
    "preferred_channel",
]
BALANCE_COLUMNS = ["customer_number", "as_of", "deposits", "investments", "loans"]
AMOUNT_COLUMNS = ["deposits", "investments", "loans"]
# Model fields an import sets (branch and RM come from codes).
CUSTOMER_FIELDS = [
    "name",
    "date_of_birth",
    "national_id",
    "phone",
    "email",
    "address",
    "occupation",
    "income_band",
    "segment",
    "status",
    "branch_id",
    "relationship_manager_id",
    "risk_class",
    "risk_assessed_on",
    "marketing_consent",
    "do_not_contact",
    "preferred_channel",
]
SEARCH_FIELDS = ["search_bigrams", "id_last4"]


def _audit(importer: CsvImporter, report: ImportReport) -> None:
    actor = importer.actor
    audit_record(
        actor=actor,
        action=f"{importer.audit_kind}.imported",
        detail=report.totals(),
        branch=getattr(actor, "staff", None) and actor.staff.branch,
    )


def _run(importer: CsvImporter, lines, commit: bool) -> ImportReport:
    return (import_commit if commit else import_dry_run)(importer, lines)


# -- Customers -----------------------------------------------------------------------------


class CustomerImporter(CsvImporter):
    """Upsert customers; `branch` limits the import to one branch (a supervisor's).

    Side effects on commit: customers created/updated with history rows; one audit entry
    ("customer.imported")."""

    kind = "customers"
    audit_kind = "customer"
    required = CUSTOMER_REQUIRED
    optional = CUSTOMER_OPTIONAL
    batch_size = BATCH

    def __init__(self, *, actor, branch: Branch | None = None) -> None:
        super().__init__(actor=actor)
        self.branch = branch
        self.branches = dict(Branch.objects.values_list("code", "id"))
        self.rms = {
            number: (user_id, branch_id)
            for number, user_id, branch_id in Staff.objects.active_rms().values_list(
                "employee_number", "user_id", "branch_id"
            )
        }
        self.seen_numbers: set[str] = set()
        self.seen_ids: set[str] = set()

    def check(self, batch: list[Row], report: ImportReport):
        numbers = [identifiers.customer_number(r["customer_number"]) for r in batch]
        existing = {
            c.customer_number: c for c in Customer.objects.filter(customer_number__in=numbers)
        }
        ids = [identifiers.national_id(r["national_id"]) for r in batch]
        id_owner = dict(
            Customer.objects.filter(national_id__in=ids).values_list(
                "national_id", "customer_number"
            )
        )
        to_create, to_update, update_fields, assessments = [], [], set(), []
        for row in batch:
            try:
                assessment = _assessment_from_row(row)
                customer, changed = _customer_from_row(
                    row, existing, self.branches, self.rms, self.branch, id_owner, assessment
                )
            except ValidationError as exc:
                report.error(row.line, messages_of(exc))
                continue
            number, national_id = customer.customer_number, customer.national_id
            if number in self.seen_numbers:
                report.error(row.line, _("customer_number: appears twice in this file."))
                continue
            if national_id in self.seen_ids:
                report.error(row.line, _("national_id: appears twice in this file."))
                continue
            self.seen_numbers.add(number)
            self.seen_ids.add(national_id)
            if assessment is not None:
                assessments.append((customer, *assessment))
            if customer.pk is None:
                to_create.append(customer)
                report.created += 1
                report.note(row.line, _("new"), f"{number} {customer.name}")
            elif changed:
                to_update.append(customer)
                update_fields.update(changed)
                report.updated += 1
                report.note(row.line, _("changed"), f"{number}: {', '.join(changed)}")
            else:
                report.unchanged += 1
        return to_create, to_update, update_fields, assessments

    def write(self, plan) -> None:
        to_create, to_update, update_fields, assessments = plan
        if to_create:
            bulk_create_with_history(
                to_create,
                Customer,
                batch_size=BATCH,
                default_user=self.actor,
                default_change_reason="import",
            )
        if to_update:
            bulk_update_with_history(
                to_update,
                Customer,
                [*sorted(update_fields), *SEARCH_FIELDS, "updated_at"],
                batch_size=BATCH,
                default_user=self.actor,
                default_change_reason="import",
            )
        self._assessments_record(assessments)

    def _assessments_record(self, assessments: list) -> None:
        """Each imported class becomes a risk assessment (no score: not this system's
        questionnaire), once: re-importing the same file adds none."""
        if not assessments:
            return
        ids = {customer.pk for customer, _class, _on in assessments}
        known = set(
            RiskAssessment.objects.filter(customer_id__in=ids).values_list(
                "customer_id", "risk_class", "assessed_on"
            )
        )
        new = [
            RiskAssessment(
                customer_id=customer.pk,
                risk_class=risk_class,
                assessed_on=on,
                score=None,
                assessed_by=self.actor,
            )
            for customer, risk_class, on in assessments
            if (customer.pk, risk_class, on) not in known
        ]
        RiskAssessment.objects.bulk_create(new, batch_size=BATCH)
        customers_changed(customer_ids=[a.customer_id for a in new], what="risk_assessment")

    def audit(self, report: ImportReport) -> None:
        _audit(self, report)


def import_customers(
    *, actor, lines: str | Iterable[str], commit: bool, branch: Branch | None = None
) -> ImportReport:
    """Dry run or commit of a customer file (see CustomerImporter)."""
    return _run(CustomerImporter(actor=actor, branch=branch), lines, commit)


def _assessment_from_row(row: Row) -> tuple[str, dt.date] | None:
    """(class, assessed on) when the row carries a risk class: an assessment made in core
    banking, recorded as such (never typed onto the customer). ValidationError when the date
    is missing or the class unknown; None when the row has no class."""
    risk_class = row["risk_class"] if row.has("risk_class") else ""
    if not risk_class:
        return None
    if risk_class not in Customer.RiskClass.values:
        raise ValidationError(
            _("risk_class: “%(value)s” is not a risk class.") % {"value": risk_class}
        )
    if not (row.has("risk_assessed_on") and row["risk_assessed_on"]):
        raise ValidationError(_("risk_assessed_on: a risk class needs the date it was assessed."))
    return risk_class, cell_date(row["risk_assessed_on"], "risk_assessed_on")


def _customer_from_row(row: Row, existing, branches, rms, scope_branch, id_owner, assessment):
    """The customer the row describes (new or updated in memory) and the changed fields;
    `assessment`: the row's (class, assessed on), from _assessment_from_row, or None."""
    number = identifiers.customer_number(row["customer_number"])
    values: dict = {
        "name": row["name"],
        "date_of_birth": cell_date(row["date_of_birth"], "date_of_birth"),
        "national_id": row["national_id"],
    }
    code = row["branch_code"]
    if code not in branches:
        raise ValidationError(_("branch_code: no branch “%(code)s”.") % {"code": code})
    values["branch_id"] = branches[code]
    if scope_branch is not None and values["branch_id"] != scope_branch.pk:
        raise ValidationError(_("branch_code: you may import only into your own branch."))
    current = existing.get(number)
    if current is not None and scope_branch is not None and current.branch_id != scope_branch.pk:
        raise ValidationError(
            _("customer_number: this customer cannot be imported into your branch.")
        )
    for column in ("phone", "email", "address", "occupation", "income_band"):
        if row.has(column):
            values[column] = row[column]
    for column in ("segment", "status", "preferred_channel"):
        if row.has(column) and row[column]:
            values[column] = row[column]
    if assessment is not None and (
        current is None
        or current.risk_assessed_on is None
        or assessment[1] >= current.risk_assessed_on
    ):
        # The class follows the latest assessment (issue 9 item 1): an older one imported
        # later joins the history without changing the class.
        values["risk_class"], values["risk_assessed_on"] = assessment
    for column in ("marketing_consent", "do_not_contact"):
        if row.has(column):
            values[column] = cell_bool(row[column], column)
    if row.has("rm_employee_number"):
        employee = row["rm_employee_number"]
        if not employee:
            values["relationship_manager_id"] = None
        elif employee not in rms or rms[employee][1] != values["branch_id"]:
            raise ValidationError(
                _("rm_employee_number: “%(number)s” is not an active RM of branch %(code)s.")
                % {"number": employee, "code": code}
            )
        else:
            values["relationship_manager_id"] = rms[employee][0]
    # The form's and the services' normalisation, before comparing with the stored values.
    values = customer_fields_normalise(values)
    owner = id_owner.get(values["national_id"])
    if owner is not None and owner != number:
        raise ValidationError(_("national_id: belongs to another customer number."))

    customer = current or Customer(customer_number=number)
    changed = [name for name in CUSTOMER_FIELDS if name in values]
    changed = [name for name in changed if getattr(customer, name) != values[name]]
    for name in changed:
        setattr(customer, name, values[name])
    if customer.pk is not None and not changed:
        return customer, []
    customer_search_keys_fill(customer)
    if customer.pk is None:
        customer.created_at = customer.updated_at = timezone.now()
    else:
        customer.updated_at = timezone.now()
    customer.full_clean(
        exclude=["branch", "relationship_manager"],
        validate_unique=False,
        validate_constraints=False,
    )
    return customer, changed


# -- Balance snapshots ---------------------------------------------------------------------


class BalanceImporter(CsvImporter):
    """Upsert month-end balance snapshots on (customer number, date) for the customers in
    `customers` (the actor's scope). Side effects on commit: one audit entry
    ("balance.imported")."""

    kind = "balances"
    audit_kind = "balance"
    required = BALANCE_COLUMNS
    batch_size = BATCH

    def __init__(self, *, actor, customers: QuerySet[Customer] | None = None) -> None:
        super().__init__(actor=actor)
        self.scope = customers if customers is not None else Customer.objects.all()
        self.seen: set[tuple[str, dt.date]] = set()
        self.today = timezone.localdate()

    def check(self, batch: list[Row], report: ImportReport):
        numbers = {identifiers.customer_number(r["customer_number"]) for r in batch}
        ids = dict(
            self.scope.filter(customer_number__in=numbers).values_list("customer_number", "id")
        )
        parsed = []
        for row in batch:
            number = identifiers.customer_number(row["customer_number"])
            try:
                if number not in ids:
                    raise ValidationError(
                        _("customer_number: no customer “%(number)s” in your scope.")
                        % {"number": number}
                    )
                as_of = cell_date(row["as_of"], "as_of")
                if as_of is None or as_of > self.today:
                    raise ValidationError(_("as_of: give a date that is not in the future."))
                amounts = {c: cell_decimal(row[c], c, max_digits=16) for c in AMOUNT_COLUMNS}
            except ValidationError as exc:
                report.error(row.line, messages_of(exc))
                continue
            if (number, as_of) in self.seen:
                report.error(row.line, _("This customer and date appear twice in this file."))
                continue
            self.seen.add((number, as_of))
            parsed.append((row.line, ids[number], number, as_of, amounts))
        stored = {
            (s.customer_id, s.as_of): s
            for s in BalanceSnapshot.objects.filter(
                customer_id__in={p[1] for p in parsed}, as_of__in={p[3] for p in parsed}
            )
        }
        to_create, to_update = [], []
        for line, customer_id, number, as_of, amounts in parsed:
            snap = stored.get((customer_id, as_of))
            if snap is None:
                to_create.append(BalanceSnapshot(customer_id=customer_id, as_of=as_of, **amounts))
                report.created += 1
                report.note(line, _("new"), f"{number} {as_of}")
            elif any(getattr(snap, k) != v for k, v in amounts.items()):
                for k, v in amounts.items():
                    setattr(snap, k, v)
                to_update.append(snap)
                report.updated += 1
                report.note(line, _("changed"), f"{number} {as_of}")
            else:
                report.unchanged += 1
        return to_create, to_update

    def write(self, plan) -> None:
        to_create, to_update = plan
        BalanceSnapshot.objects.bulk_create(to_create, batch_size=BATCH)
        BalanceSnapshot.objects.bulk_update(to_update, AMOUNT_COLUMNS, batch_size=BATCH)
        customers_changed(
            customer_ids=[s.customer_id for s in (*to_create, *to_update)], what="balances"
        )

    def audit(self, report: ImportReport) -> None:
        _audit(self, report)


def import_balances(
    *, actor, lines: str | Iterable[str], commit: bool, customers=None
) -> ImportReport:
    """Dry run or commit of a balance file (see BalanceImporter)."""
    return _run(BalanceImporter(actor=actor, customers=customers), lines, commit)
