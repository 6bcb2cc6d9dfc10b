"""Where the customer page lives: customers:detail, or its contract path until it exists."""

from django.urls import NoReverseMatch, reverse


def customer_page_url(customer_id: int) -> str:
    try:
        return reverse("customers:detail", args=[customer_id])
    except NoReverseMatch:
        return f"/customers/{customer_id}/"
