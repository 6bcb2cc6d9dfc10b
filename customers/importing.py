"""Imports from core banking: customers and balance snapshots from CSV files.

Both imports read the whole file, check every row and report each problem with its line
number. A dry run stops there. A commit writes everything in one transaction, and writes
nothing at all if any row is wrong. Rows are upserted on the customer number (and, for
balances, the date), and a row equal to what is stored writes nothing, so re-importing the
same file changes nothing. Work is done in batches, so a file of a million rows needs a few
queries per thousand rows, not per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Branch, Staff
from crm import identifiers
from crm.dates import plausible_date_check
from crm.text import strip_bidi
from customers.changes import customers_changed
from customers.models import BalanceSnapshot, Customer, PendingImport
from customers.services import audit_record, customer_fields_normalise, customer_search_keys_fill

BATCH = 2000
PREVIEW_ROWS = 20

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
BOOLEANS = {"1": True, "true": True, "yes": True, "y": True, "0": False, "false": False}
BOOLEANS |= {"no": False, "n": False, "": False}
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


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[tuple[int, str, str]] = field(default_factory=list)  # line, action, summary
    committed: bool = False
    errors_truncated: bool = False

    MAX_ERRORS = 500

    def error(self, line: int, message) -> None:
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append(RowError(line, str(message)))
        else:
            self.errors_truncated = True

    def note(self, line: int, action: str, summary: str) -> None:
        if len(self.preview) < PREVIEW_ROWS:
            self.preview.append((line, action, summary))

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    """Raised inside the transaction to undo a commit that found errors."""


def _rows(lines: Iterable[str], required: list[str], report: ImportReport) -> Iterator:
    reader = csv.DictReader(lines)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        report.error(1, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        return
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # blank line
        cells = {k: strip_bidi(v or "").strip() for k, v in row.items() if k}
        yield reader.line_num, cells, header


def _batches(rows: Iterator, size: int = BATCH) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _date(value: str, column: str) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("%(column)s: “%(value)s” is not a date (YYYY-MM-DD).")
            % {"column": column, "value": value}
        ) from None
    try:
        plausible_date_check(day)
    except ValidationError as exc:
        raise ValidationError(f"{column}: {' '.join(exc.messages)}") from None
    return day


def _bool(value: str, column: str) -> bool:
    try:
        return BOOLEANS[value.lower()]
    except KeyError:
        raise ValidationError(
            _("%(column)s: use 1/0, yes/no or true/false.") % {"column": column}
        ) from None


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in errors)}"
            for name, errors in exc.message_dict.items()
        )
    return " ".join(str(m) for m in exc.messages)


def _run(*, actor, kind: str, commit: bool, work) -> ImportReport:
    report = ImportReport(kind=kind)
    if not commit:
        work(report, write=False)
        return report
    try:
        with transaction.atomic():
            work(report, write=True)
            if report.errors:
                raise _Rollback
            audit_record(
                actor=actor,
                action=f"{kind}.imported",
                detail={
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
                branch=getattr(actor, "staff", None) and actor.staff.branch,
            )
    except _Rollback:
        return report
    except IntegrityError as exc:  # a race with another writer: nothing was written
        report.error(0, _("The database refused the import: %(error)s") % {"error": exc})
        return report
    report.committed = True
    return report


# -- Customers -----------------------------------------------------------------------------


def import_customers(
    *, actor, lines: Iterable[str], commit: bool, branch: Branch | None = None
) -> ImportReport:
    """Upsert customers from CSV lines; `branch` limits the import to one branch (supervisor).

    Side effects on commit: customers created/updated with history rows; one audit entry.
    """
    branches = dict(Branch.objects.values_list("code", "id"))
    rms = {
        number: (user_id, branch_id)
        for number, user_id, branch_id in Staff.objects.active_rms().values_list(
            "employee_number", "user_id", "branch_id"
        )
    }
    seen_numbers: set[str] = set()
    seen_ids: set[str] = set()

    def work(report: ImportReport, *, write: bool) -> None:
        rows = _rows(lines, CUSTOMER_REQUIRED, report)
        for batch in _batches(rows):
            numbers = [identifiers.customer_number(r["customer_number"]) for _l, r, _h in batch]
            existing = {
                c.customer_number: c for c in Customer.objects.filter(customer_number__in=numbers)
            }
            ids = [identifiers.national_id(r["national_id"]) for _l, r, _h in batch]
            id_owner = dict(
                Customer.objects.filter(national_id__in=ids).values_list(
                    "national_id", "customer_number"
                )
            )
            to_create, to_update, update_fields = [], [], set()
            for line, row, header in batch:
                report.rows += 1
                try:
                    result = _customer_from_row(
                        row, header, existing, branches, rms, branch, id_owner
                    )
                except ValidationError as exc:
                    report.error(line, _messages(exc))
                    continue
                customer, changed = result
                number, national_id = customer.customer_number, customer.national_id
                if number in seen_numbers:
                    report.error(line, _("customer_number: appears twice in this file."))
                    continue
                if national_id in seen_ids:
                    report.error(line, _("national_id: appears twice in this file."))
                    continue
                seen_numbers.add(number)
                seen_ids.add(national_id)
                if customer.pk is None:
                    to_create.append(customer)
                    report.created += 1
                    report.note(line, _("new"), f"{number} {customer.name}")
                elif changed:
                    to_update.append(customer)
                    update_fields.update(changed)
                    report.updated += 1
                    report.note(line, _("changed"), f"{number}: {', '.join(changed)}")
                else:
                    report.unchanged += 1
            if write and not report.errors:
                if to_create:
                    bulk_create_with_history(
                        to_create,
                        Customer,
                        batch_size=BATCH,
                        default_user=actor,
                        default_change_reason="import",
                    )
                if to_update:
                    bulk_update_with_history(
                        to_update,
                        Customer,
                        [*sorted(update_fields), *SEARCH_FIELDS, "updated_at"],
                        batch_size=BATCH,
                        default_user=actor,
                        default_change_reason="import",
                    )

    return _run(actor=actor, kind="customer", commit=commit, work=work)


def _customer_from_row(row, header, existing, branches, rms, scope_branch, id_owner):
    """The customer the row describes (new or updated in memory) and the changed fields."""
    number = identifiers.customer_number(row["customer_number"])
    values: dict = {
        "name": row["name"],
        "date_of_birth": _date(row["date_of_birth"], "date_of_birth"),
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
    for column in ("phone", "email", "address", "occupation", "income_band", "risk_class"):
        if column in header:
            values[column] = row[column]
    for column in ("segment", "status", "preferred_channel"):
        if column in header and row[column]:
            values[column] = row[column]
    if "risk_assessed_on" in header:
        values["risk_assessed_on"] = _date(row["risk_assessed_on"], "risk_assessed_on")
    for column in ("marketing_consent", "do_not_contact"):
        if column in header:
            values[column] = _bool(row[column], column)
    if "rm_employee_number" in header:
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


def import_balances(*, actor, lines: Iterable[str], commit: bool, customers=None) -> ImportReport:
    """Upsert balance snapshots on (customer number, date); `customers` limits the scope."""
    scope = customers if customers is not None else Customer.objects.all()
    seen: set[tuple[str, dt.date]] = set()
    today = timezone.localdate()

    def work(report: ImportReport, *, write: bool) -> None:
        rows = _rows(lines, BALANCE_COLUMNS, report)
        for batch in _batches(rows):
            numbers = {identifiers.customer_number(r["customer_number"]) for _l, r, _h in batch}
            ids = dict(
                scope.filter(customer_number__in=numbers).values_list("customer_number", "id")
            )
            parsed = []
            for line, row, _header in batch:
                report.rows += 1
                number = identifiers.customer_number(row["customer_number"])
                try:
                    if number not in ids:
                        raise ValidationError(
                            _("customer_number: no customer “%(number)s” in your scope.")
                            % {"number": number}
                        )
                    as_of = _date(row["as_of"], "as_of")
                    if as_of is None or as_of > today:
                        raise ValidationError(_("as_of: give a date that is not in the future."))
                    amounts = {c: _amount(row[c], c) for c in ("deposits", "investments", "loans")}
                except ValidationError as exc:
                    report.error(line, _messages(exc))
                    continue
                if (number, as_of) in seen:
                    report.error(line, _("This customer and date appear twice in this file."))
                    continue
                seen.add((number, as_of))
                parsed.append((line, ids[number], number, as_of, amounts))
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
                    to_create.append(
                        BalanceSnapshot(customer_id=customer_id, as_of=as_of, **amounts)
                    )
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
            if write and not report.errors:
                BalanceSnapshot.objects.bulk_create(to_create, batch_size=BATCH)
                BalanceSnapshot.objects.bulk_update(
                    to_update, ["deposits", "investments", "loans"], batch_size=BATCH
                )
                customers_changed(
                    customer_ids=[s.customer_id for s in (*to_create, *to_update)],
                    what="balances",
                )

    return _run(actor=actor, kind="balance", commit=commit, work=work)


def _amount(value: str, column: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "") or "0")
    except InvalidOperation:
        raise ValidationError(
            _("%(column)s: “%(value)s” is not an amount.") % {"column": column, "value": value}
        ) from None
    if amount < 0 or not amount.is_finite():
        raise ValidationError(_("%(column)s: cannot be negative.") % {"column": column})
    if amount.as_tuple().exponent < -2 or abs(amount) >= Decimal(10) ** 14:
        raise ValidationError(
            _("%(column)s: at most 14 digits and 2 decimals.") % {"column": column}
        )
    return amount.quantize(Decimal("0.01"))


# -- Uploads between their dry run and their commit ----------------------------------------

PENDING_IMPORT_HOURS = 24


def pending_imports_purge() -> int:
    """Delete uploads never committed within PENDING_IMPORT_HOURS (they hold personal data)."""
    cutoff = timezone.now() - dt.timedelta(hours=PENDING_IMPORT_HOURS)
    deleted, _by_model = PendingImport.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def pending_import_store(*, actor, kind: str, name: str, content: bytes) -> PendingImport:
    """Keep an uploaded file for its commit by the same user, from any web server."""
    pending_imports_purge()
    return PendingImport.objects.create(
        uploaded_by=actor, kind=kind, name=name[:255], content=content
    )


def pending_import_for(*, actor, token: str) -> PendingImport | None:
    """The user's own upload with this token, if it is still pending."""
    try:
        token = uuid.UUID(token)
    except ValueError:
        return None
    cutoff = timezone.now() - dt.timedelta(hours=PENDING_IMPORT_HOURS)
    return PendingImport.objects.filter(
        token=token, uploaded_by=actor, created_at__gte=cutoff
    ).first()
