"""python manage.py import_holdings FILE [--commit] [--user U]: holdings from core banking
for files too large for the upload page (same checks, dry run by default)."""

from crm.csvimport import CsvImportCommand
from customers.models import Customer
from products.importing import HoldingImporter


class Command(CsvImportCommand):
    help = "Import holdings from a core-banking CSV (dry run unless --commit)."

    def importer(self, actor, **options):
        scope = Customer.objects.visible_to(actor) if actor is not None else None
        return HoldingImporter(actor=actor, customers=scope)
