from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback and complaints")

    def ready(self) -> None:
        # Plug into the customer page (panels, timeline) and the interaction page (actions);
        # neither `customers` nor `interactions` imports this app.
        from feedback import customer_page, interaction_page  # noqa: F401
