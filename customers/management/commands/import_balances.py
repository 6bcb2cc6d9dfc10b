"""python manage.py import_balances FILE [--commit] [--user U]"""

from customers.importing import import_balances

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Upsert balance snapshots from a core-banking CSV (dry run unless --commit)."

    def handle(self, *args, file: str, commit: bool, user: str | None, **kw):
        self.run(file, import_balances, actor=self.actor(user), commit=commit)
