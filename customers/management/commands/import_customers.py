"""python manage.py import_customers FILE [--commit] [--user U] [--branch CODE]"""

from django.core.management.base import CommandError

from accounts.models import Branch
from customers.importing import import_customers

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Upsert customers from a core-banking CSV (dry run unless --commit)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--branch", help="Refuse rows of any other branch (branch code).")

    def handle(self, *args, file: str, commit: bool, user: str | None, branch: str | None, **kw):
        scope = None
        if branch:
            scope = Branch.objects.filter(code=branch).first()
            if scope is None:
                raise CommandError(f"No branch {branch!r}.")
        self.run(file, import_customers, actor=self.actor(user), commit=commit, branch=scope)
