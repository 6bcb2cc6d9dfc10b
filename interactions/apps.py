from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = _("Interactions and tasks")

    def ready(self) -> None:
        # Plug into the customer page (panel) and its timeline (providers); `customers`
        # does not import this app.
        from interactions import customer_page  # noqa: F401
