from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _role_groups_refresh(sender, **kwargs) -> None:
    """After every `migrate`: the head-office group gets the permissions of models added since
    (accounts.services.HEAD_OFFICE_APPS), once, when the last app has migrated."""
    from django.apps import apps

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from django.contrib.auth.models import Group

    from accounts.services import HEAD_OFFICE_GROUP, role_groups_sync

    if Group.objects.filter(name=HEAD_OFFICE_GROUP).exists():
        role_groups_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisation and staff")

    def ready(self) -> None:
        post_migrate.connect(_role_groups_refresh, dispatch_uid="accounts.role_groups_refresh")
