"""CSV exports that a spreadsheet cannot turn into formulas."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import person_name
from customers.national_id import mask_phone
from customers.selectors import ACCESS_ACTIONS, access_log_descriptions

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(value) -> str:
    """The cell as text; one that a spreadsheet would read as a formula gets a leading '.
    A number (−1, −12.5) is a number, not a formula: it is written as it is."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Encoded CSV lines (with a BOM, so that Excel reads UTF-8) for a streaming response."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    for row in rows:
        yield writer.writerow([neutralise(v) for v in row])


def customer_csv_lines(customers: Iterable, *, full_contact: bool = False) -> Iterator[str]:
    """The customer list as CSV lines; mobile numbers masked unless `full_contact` (a logged,
    permission-checked choice: customers.services.customer_export_record)."""
    header = [
        _("customer number"),
        _("name"),
        _("segment"),
        _("status"),
        _("risk class"),
        _("risk assessed on"),
        _("branch"),
        _("relationship manager"),
        _("mobile phone"),
        _("e-mail"),
    ]
    rows = (
        (
            c.customer_number,
            c.name,
            c.get_segment_display(),
            c.get_status_display(),
            c.risk_class,
            c.risk_assessed_on or "",
            c.branch.code,
            person_name(c.relationship_manager),
            c.phone if full_contact else mask_phone(c.phone),
            c.email,
        )
        for c in customers
    )
    return csv_lines(header, rows)


ACCESS_LOG_EXPORT_MAX_ROWS = 100_000


def access_log_csv_lines(entries: Iterable) -> Iterator[str]:
    """The access log as CSV: when (local time), who, what (in words), customer, branch."""
    header = [
        _("when"),
        _("user name"),
        _("name"),
        _("what"),
        _("customer number"),
        _("customer"),
        _("branch"),
        _("detail"),
    ]

    def rows():
        batch: list = []
        for entry in entries:
            batch.append(entry)
            if len(batch) == 2000:
                yield from _access_rows(batch, ACCESS_ACTIONS, access_log_descriptions)
                batch = []
        yield from _access_rows(batch, ACCESS_ACTIONS, access_log_descriptions)

    return csv_lines(header, rows())


def _access_rows(batch, actions, describe):
    if not batch:
        return
    described = describe(batch)
    for e in batch:
        yield (
            f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}",
            e.actor.username if e.actor else "",
            person_name(e.actor) if e.actor else "",
            actions.get(e.action, e.action),
            e.customer.customer_number if e.customer else "",
            e.customer.name if e.customer else "",
            e.branch.code if e.branch else "",
            described[e.pk],
        )
