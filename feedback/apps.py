from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback and complaints")

    def ready(self) -> None:
        # Plug into the customer page (panels, timeline); `customers` does not import this app.
        from feedback import customer_page  # noqa: F401
