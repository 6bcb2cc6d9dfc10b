"""python manage.py import_customers FILE [--commit] [--user U] [--branch CODE]"""

from django.core.management.base import CommandError

from accounts.models import Branch
from crm.csvimport import CsvImportCommand
from customers.importing import CustomerImporter


class Command(CsvImportCommand):
    help = "Upsert customers from a core-banking CSV (dry run unless --commit)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--branch", help="Refuse rows of any other branch (branch code).")

    def importer(self, actor, *, branch: str | None = None, **options) -> CustomerImporter:
        scope = None
        if branch:
            scope = Branch.objects.filter(code=branch).first()
            if scope is None:
                raise CommandError(f"No branch {branch!r}.")
        return CustomerImporter(actor=actor, branch=scope)
