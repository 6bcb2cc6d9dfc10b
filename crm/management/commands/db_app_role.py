"""python manage.py db_app_role ROLE [--password-env VAR] [--print]: the app's least-privilege
PostgreSQL role (crm.dbroles). Run it as the tables' owner after `migrate`."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from crm.dbroles import app_role_statements


class Command(BaseCommand):
    help = "Create or refresh the application's non-superuser database role and its grants."

    def add_arguments(self, parser):
        parser.add_argument("role", help="login role the app connects as, e.g. crm_app")
        parser.add_argument(
            "--password-env",
            default="",
            help="name of an environment variable holding the role's password",
        )
        parser.add_argument("--print", action="store_true", help="print the SQL, change nothing")

    def handle(self, *args, role, password_env, print, **options):
        password = os.environ.get(password_env, "") if password_env else ""
        if password_env and not password:
            raise CommandError(f"{password_env} is empty")
        statements = app_role_statements(
            role=role, database=connection.settings_dict["NAME"], password=password or None
        )
        with connection.cursor() as cursor:
            raw = cursor.connection
            if print:
                for statement in statements:
                    text = statement.as_string(raw)
                    if password:
                        text = text.replace(password, "********")
                    self.stdout.write(text + ";")
                return
            with transaction.atomic():
                for statement in statements:
                    cursor.execute(statement)
        self.stdout.write(f"role {role}: grants applied")
