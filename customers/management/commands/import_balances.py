"""python manage.py import_balances FILE [--commit] [--user U]"""

from crm.csvimport import CsvImportCommand
from customers.importing import BalanceImporter


class Command(CsvImportCommand):
    help = "Upsert balance snapshots from a core-banking CSV (dry run unless --commit)."

    def importer(self, actor, **options) -> BalanceImporter:
        return BalanceImporter(actor=actor)
