"""One CSV import framework: dry run, per-line errors, all-or-nothing commit, audit, uploads
kept in the database. Customers and balance snapshots (customers/importing.py) and holdings
(products/importing.py) use it, and so does every later import.

An import is a subclass of `CsvImporter` that says which columns it reads and how to check
and write one batch of rows; everything else is here (a sketch of products/importing.py):

    class HoldingImporter(CsvImporter):
        kind = "holdings"                        # PendingUpload.kind, audit "holdings.imported"
        required = ["reference", "customer_number", "product_code", "principal", "start_date"]
        optional = ["currency", "maturity_date", "status"]

        def check(self, batch: list[Row], report: ImportReport) -> list[Holding]:
            # Validate each row against the database (one query per batch, never per row):
            # report.error(row.line, message) for a bad row, report.created/updated/unchanged
            # += 1 and report.note(row.line, _("new"), summary) for a good one. Return what
            # write() needs. Parse cells with cell_decimal / cell_date / cell_bool / cell_int,
            # which raise ValidationError with the column named.
            ...

        def write(self, plan: list[Holding]) -> None:
            Holding.objects.bulk_create(plan)    # or crm.pgcopy.copy_rows for big tables

        def audit(self, report: ImportReport) -> None:
            audit_record(actor=self.actor, action="holdings.imported", detail=report.totals())

    importer = HoldingImporter(actor=user, customers=Customer.objects.visible_to(user))
    report = import_dry_run(importer, text)           # writes nothing
    report = import_commit(importer, text)            # all rows or none; audit entry

The steps and their guarantees:

1. Reading (`read_rows`): the text is parsed with the csv module; each record's line number is
   the line it *starts* on, so a quoted cell spanning lines does not shift later numbers.
   The header row's names are stripped; missing required columns stop the file (line 1).
   Blank records are skipped. A record the csv module refuses (a cell over the field limit,
   an unclosed quote) is reported on its line instead of raising.
2. Cleaning (`cell_clean`, the one cell cleaner): every cell is stripped; a NUL byte or
   another control character, or a cell longer than MAX_CELL_CHARS, is a per-line error.
   Typed cells go through `cell_decimal` (ASCII digits only: no NaN, sNaN, Infinity,
   exponents or non-ASCII digits), `cell_int`, `cell_date` (ISO dates in crm.dates' plausible
   range) and `cell_bool`, each giving a message that names the column.
3. Checking: rows are handed to `importer.check` in batches of `batch_size`; the report
   collects every error with its line (up to ImportReport.MAX_ERRORS) and a preview.
4. Dry run (`import_dry_run`): steps 1–3 only; nothing is written.
5. Commit (`import_commit`, a service): steps 1–3 again inside one transaction, `write` for
   each batch while no row has failed, then `audit` once; any error rolls everything back.
   If the database refuses a write anyway (a concurrent writer), the user sees a reference
   (ImportReport.reference), never the database's message, which quotes the row; the log
   gets the reference, the import kind, the SQLSTATE and the constraint name, no cell values.
6. Uploads between the dry run and the commit live in the database (`PendingUpload`), for
   their uploader only, for PENDING_UPLOAD_HOURS: `pending_upload_store`,
   `pending_upload_for`, `pending_upload_commit` (locks the upload, commits it and deletes
   it in one transaction, so a double submit imports once) and `pending_uploads_purge`.
7. Management commands subclass `CsvImportCommand` (dry run by default, `--commit`,
   `--user`), so a file too large for the page goes through the same code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.dates import plausible_date_check
from crm.models import PendingUpload
from crm.text import strip_bidi

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20
# Longer than any column we store (addresses: 255), short enough that a runaway cell is
# reported instead of carried along.
MAX_CELL_CHARS = 1000
CSV_FIELD_LIMIT = csv.field_size_limit()
BOOLEANS = {"1": True, "true": True, "yes": True, "y": True, "0": False, "false": False}
BOOLEANS |= {"no": False, "n": False, "": False}
# Plain amounts: ASCII digits, optional thousands separators, optional decimals.
AMOUNT = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
INTEGER = re.compile(r"-?[0-9]+")
# Control characters a cell may contain (line breaks inside a quoted cell, tabs).
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


# -- Reports ---------------------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    """What an import found (dry run) or did (commit). Lines are 1-based file lines."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[tuple[int, str, str]] = field(default_factory=list)  # line, action, summary
    committed: bool = False
    errors_truncated: bool = False
    reference: str = ""  # set when the database refused the commit

    MAX_ERRORS: ClassVar[int] = 500

    def error(self, line: int, message) -> None:
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append(RowError(line, str(message)))
        else:
            self.errors_truncated = True

    def note(self, line: int, action: str, summary: str) -> None:
        if len(self.preview) < PREVIEW_ROWS:
            self.preview.append((line, action, summary))

    def totals(self) -> dict[str, int]:
        """The counts, for an audit entry's detail (no cell values)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }

    @property
    def ok(self) -> bool:
        return not self.errors


def messages_of(exc: ValidationError) -> str:
    """A ValidationError as one line: "field: message; field: message"."""
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in errors)}"
            for name, errors in exc.message_dict.items()
        )
    return " ".join(str(m) for m in exc.messages)


# -- Cells -----------------------------------------------------------------------------------


def cell_clean(value: str | None, column: str) -> str:
    """The one cell cleaner: the cell stripped of surrounding blanks and bidirectional control
    characters. Raises ValidationError
    naming `column` for a NUL byte or another control character (line breaks and tabs
    inside a quoted cell are fine) or a cell longer than MAX_CELL_CHARS."""
    # Bidirectional controls are dropped like in every form (crm.text, issue 8 item 11).
    text = strip_bidi(value or "").strip()
    if len(text) > MAX_CELL_CHARS:
        raise ValidationError(
            _("%(column)s: longer than %(limit)s characters.")
            % {"column": column, "limit": MAX_CELL_CHARS}
        )
    if "\x00" in text:
        raise ValidationError(
            _("%(column)s: contains a NUL character (byte 0); export the file again as text.")
            % {"column": column}
        )
    if any((c < " " and c not in ALLOWED_CONTROLS) or "\x7f" <= c <= "\x9f" for c in text):
        raise ValidationError(_("%(column)s: contains a control character.") % {"column": column})
    return text


def cell_decimal(
    value: str,
    column: str,
    *,
    decimal_places: int = 2,
    max_digits: int = 16,
    minimum: Decimal | None = Decimal(0),
    blank: Decimal | None = Decimal(0),
) -> Decimal | None:
    """A plain amount ("1,234.50"): ASCII digits, optional thousands commas and decimals.

    A blank cell gives `blank`. NaN, sNaN, Infinity, exponents and non-ASCII digits are
    refused, as are more than `decimal_places` decimals, more than `max_digits` digits in all
    and values below `minimum`. Raises ValidationError naming `column`.
    """
    if not value:
        return blank
    if not AMOUNT.fullmatch(value):
        raise ValidationError(
            _("%(column)s: “%(value)s” is not an amount.") % {"column": column, "value": value[:40]}
        )
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only finite numbers
        raise ValidationError(_("%(column)s: not an amount.") % {"column": column}) from None
    if minimum is not None and amount < minimum:
        if minimum == 0:
            raise ValidationError(_("%(column)s: cannot be negative.") % {"column": column})
        raise ValidationError(
            _("%(column)s: cannot be less than %(minimum)s.")
            % {"column": column, "minimum": minimum}
        )
    exponent = amount.as_tuple().exponent
    if (isinstance(exponent, int) and exponent < -decimal_places) or abs(amount) >= Decimal(10) ** (
        max_digits - decimal_places
    ):
        raise ValidationError(
            _("%(column)s: at most %(digits)s digits and %(places)s decimals.")
            % {"column": column, "digits": max_digits - decimal_places, "places": decimal_places}
        )
    return amount.quantize(Decimal(1).scaleb(-decimal_places))


def cell_int(
    value: str, column: str, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """A whole number of ASCII digits (blank: None), within [minimum, maximum]."""
    if not value:
        return None
    if not INTEGER.fullmatch(value) or len(value) > 18:
        raise ValidationError(
            _("%(column)s: “%(value)s” is not a whole number.")
            % {"column": column, "value": value[:40]}
        )
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ValidationError(
            _("%(column)s: must be between %(minimum)s and %(maximum)s.")
            % {"column": column, "minimum": minimum, "maximum": maximum}
        )
    return number


def cell_date(value: str, column: str) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) in the plausible range of crm.dates; blank gives None."""
    if not value:
        return None
    try:
        if not value.isascii():
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("%(column)s: “%(value)s” is not a date (YYYY-MM-DD).")
            % {"column": column, "value": value[:40]}
        ) from None
    try:
        plausible_date_check(day)
    except ValidationError as exc:
        raise ValidationError(f"{column}: {' '.join(exc.messages)}") from None
    return day


def cell_bool(value: str, column: str) -> bool:
    """1/0, yes/no, y/n, true/false (any case); blank is False."""
    try:
        return BOOLEANS[value.lower()]
    except KeyError:
        raise ValidationError(
            _("%(column)s: use 1/0, yes/no or true/false.") % {"column": column}
        ) from None


# -- Rows ------------------------------------------------------------------------------------


@dataclass
class Row:
    """One record of the file: the line it starts on, its cleaned cells by column name, and
    the file's header (to tell an absent optional column from an empty cell)."""

    line: int
    cells: dict[str, str]
    header: list[str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    def has(self, column: str) -> bool:
        return column in self.header


def read_rows(text: str | Iterable[str], importer: CsvImporter, report: ImportReport):
    """Yield the file's rows as `Row`s, reporting (not raising) what cannot be read."""
    lines = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(lines)
    header: list[str] | None = None
    known = set(importer.required) | set(importer.optional)
    end = 0  # the last physical line read so far
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = reader.line_num
            report.rows += header is not None
            report.error(start, _read_error(exc))
            continue
        end = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        if header is None:
            header = [name.strip() for name in record]
            missing = [c for c in importer.required if c not in header]
            if missing:
                report.error(
                    start, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}
                )
                return
            continue
        report.rows += 1
        cells: dict[str, str] = {}
        problems: list[str] = []
        for name, value in zip(header, record, strict=False):
            if name not in known or name in cells:
                continue
            try:
                cells[name] = cell_clean(value, name)
            except ValidationError as exc:
                problems.append(messages_of(exc))
        if problems:
            report.error(start, "; ".join(problems))
            continue
        yield Row(start, cells, header)


def _read_error(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return _("A cell is longer than %(limit)s characters; the row cannot be read.") % {
            "limit": f"{CSV_FIELD_LIMIT:,}"
        }
    return _("The row cannot be read as CSV (check its quotes).")


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- Importers -------------------------------------------------------------------------------


class CsvImporter(ABC):
    """One kind of import. Subclasses set `kind`, `required`, `optional` and implement
    `check`, `write` and `audit` (see the module docstring)."""

    kind: ClassVar[str] = ""
    required: ClassVar[list[str]] = []
    optional: ClassVar[list[str]] = []
    batch_size: ClassVar[int] = 2000

    def __init__(self, *, actor) -> None:
        self.actor = actor

    @abstractmethod
    def check(self, batch: list[Row], report: ImportReport) -> Any:
        """Validate `batch` against the database and return what `write` needs."""

    @abstractmethod
    def write(self, plan: Any) -> None:
        """Write one checked batch (commit only; never called once a row has failed)."""

    @abstractmethod
    def audit(self, report: ImportReport) -> None:
        """Record the committed import in the audit log (once, inside the transaction)."""


class _Rollback(Exception):
    """Raised inside the transaction to undo a commit that found errors."""


def _run(importer: CsvImporter, text, report: ImportReport, *, write: bool) -> None:
    for batch in _batches(read_rows(text, importer, report), importer.batch_size):
        plan = importer.check(batch, report)
        if write and not report.errors:
            importer.write(plan)


def import_dry_run(importer: CsvImporter, text: str | Iterable[str]) -> ImportReport:
    """Read and check every row; write nothing. Returns the report (errors by line)."""
    report = ImportReport(kind=importer.kind)
    _run(importer, text, report, write=False)
    return report


def import_commit(importer: CsvImporter, text: str | Iterable[str]) -> ImportReport:
    """Check and write every row in one transaction, with one audit entry; or, if any row is
    wrong or the database refuses, write nothing. `report.committed` tells which."""
    report = ImportReport(kind=importer.kind)
    try:
        with transaction.atomic():
            _run(importer, text, report, write=True)
            if report.errors:
                raise _Rollback
            importer.audit(report)
    except _Rollback:
        return report
    except DatabaseError as exc:  # e.g. a concurrent writer took a unique value meanwhile
        report.reference = uuid.uuid4().hex[:10]
        cause = getattr(exc, "__cause__", None)
        diag = getattr(cause, "diag", None)
        # Never the message itself: PostgreSQL's detail quotes the row's values.
        logger.error(
            "import refused by the database: reference=%s kind=%s sqlstate=%s constraint=%s",
            report.reference,
            importer.kind,
            getattr(cause, "sqlstate", None) or "-",
            getattr(diag, "constraint_name", None) or "-",
        )
        report.created = report.updated = report.unchanged = 0
        report.error(
            0,
            _(
                "The database refused the import (reference %(reference)s); nothing was "
                "written. Check the file again; if this repeats, give IT support the reference."
            )
            % {"reference": report.reference},
        )
        return report
    report.committed = True
    return report


# -- Uploads between the dry run and the commit ----------------------------------------------


def upload_text(content: bytes) -> str:
    """The upload as text (UTF-8, a byte-order mark allowed). Raises ValidationError."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text; export it as CSV UTF-8."), code="encoding"
        ) from None


def pending_uploads_purge() -> int:
    """Delete uploads never committed within PENDING_UPLOAD_HOURS (they hold personal data)."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.PENDING_UPLOAD_HOURS)
    deleted, _by_model = PendingUpload.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def pending_upload_store(*, actor, kind: str, name: str, content: bytes) -> PendingUpload:
    """Keep an uploaded file for its commit by the same user, from any web server."""
    pending_uploads_purge()
    return PendingUpload.objects.create(
        uploaded_by=actor, kind=kind, name=name[:255], content=content
    )


def _pending(actor, token: str):
    try:
        token_uuid = uuid.UUID(str(token))
    except ValueError:
        return PendingUpload.objects.none()
    cutoff = timezone.now() - dt.timedelta(hours=settings.PENDING_UPLOAD_HOURS)
    return PendingUpload.objects.filter(token=token_uuid, uploaded_by=actor, created_at__gte=cutoff)


def pending_upload_for(*, actor, token: str) -> PendingUpload | None:
    """The user's own upload with this token, if it is still pending."""
    return _pending(actor, token).first()


def pending_upload_commit(
    *, importer: CsvImporter, token: str
) -> tuple[PendingUpload | None, ImportReport | None]:
    """Commit the actor's pending upload `token` with `importer` and delete it, in one
    transaction. Returns (upload, report); (None, None) when there is no such upload (another
    user's, expired, or already committed by a first click: a double submit imports once).
    When the report has errors the upload stays pending."""
    with transaction.atomic():
        upload = _pending(importer.actor, token).select_for_update().first()
        if upload is None:
            return None, None
        report = import_commit(importer, upload_text(bytes(upload.content)))
        if report.committed:
            upload.delete()
    return upload, report


# -- Management commands ---------------------------------------------------------------------


class CsvImportCommand(BaseCommand):
    """Base of an import command: `manage.py <command> FILE [--commit] [--user U]`.

    Subclasses implement `importer(actor, **options) -> CsvImporter`."""

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8 (a BOM is fine)")
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Write the changes (all or nothing). Without it: a dry run that only reports.",
        )
        parser.add_argument("--user", help="Username recorded as the author of the changes.")

    def importer(self, actor, **options) -> CsvImporter:
        """The importer this command runs (each subclass names its own)."""
        raise NotImplementedError(f"{type(self).__name__} must define importer()")

    def actor(self, username: str | None):
        if not username:
            return None
        user_model = get_user_model()
        try:
            return user_model.objects.get(username=username)
        except user_model.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None

    def handle(self, *args, file: str, commit: bool, user: str | None, **options):
        importer = self.importer(self.actor(user), **options)
        try:
            with open(file, encoding="utf-8-sig", newline="") as lines:
                report = (import_commit if commit else import_dry_run)(importer, lines)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        self.stdout.write(
            f"{report.rows} rows: {report.created} new, {report.updated} changed, "
            f"{report.unchanged} unchanged."
        )
        for line, action, summary in report.preview:
            self.stdout.write(f"  line {line}: {action} {summary}")
        for error in report.errors:
            self.stderr.write(f"line {error.line}: {error.message}")
        if report.errors_truncated:
            self.stderr.write("… more errors not shown.")
        if report.errors:
            raise CommandError(f"{len(report.errors)} row(s) with errors; nothing was written.")
        if report.committed:
            self.stdout.write(self.style.SUCCESS("Committed."))
        else:
            self.stdout.write("Dry run: nothing was written (pass --commit to write).")
