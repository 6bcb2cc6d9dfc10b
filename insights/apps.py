from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights: alerts and scores")

    def ready(self) -> None:
        # Plug into the customer page (panel, timeline) and into customers' change feed (an
        # immediate alert run after a relevant write); no other app imports this one.
        from insights import customer_page, listeners  # noqa: F401
