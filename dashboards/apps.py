from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The role-based home pages and the figures behind them: the top of the app graph, so it
    may read every other app and none reads it."""

    name = "dashboards"
    verbose_name = _("Dashboards")
