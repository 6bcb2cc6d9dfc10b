from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Wealth-management products")

    def ready(self) -> None:
        # Plug into the customer page (panels) and its timeline (providers); `customers`
        # does not import this app.
        from products import customer_page  # noqa: F401
