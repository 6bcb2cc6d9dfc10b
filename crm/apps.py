from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _register_loaders(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        from crm import dbloaders

        dbloaders.register(connection.connection)


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Stored dates Python cannot represent are read, not raised (crm.dbloaders).
        connection_created.connect(_register_loaders, dispatch_uid="crm.dbloaders")
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from crm.middleware import session_end_mark, session_start_stamp

        user_logged_in.connect(session_start_stamp, dispatch_uid="crm.session_start")
        user_logged_out.connect(session_end_mark, dispatch_uid="crm.session_end")
