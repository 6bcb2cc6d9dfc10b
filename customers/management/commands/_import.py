"""Shared driver of the import commands: dry run by default, --commit to write."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from customers.importing import ImportReport


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8 (a BOM is fine)")
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Write the changes (all or nothing). Without it: a dry run that only reports.",
        )
        parser.add_argument("--user", help="Username recorded as the author of the changes.")

    def actor(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None

    def run(self, path: str, func, **kwargs) -> None:
        try:
            with open(path, encoding="utf-8-sig", newline="") as lines:
                report: ImportReport = func(lines=lines, **kwargs)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
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
