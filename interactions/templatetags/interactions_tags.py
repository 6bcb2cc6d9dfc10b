"""Formatting helpers for interactions' templates."""

from django import template

from interactions.customer_page import customer_page_url

register = template.Library()


@register.filter
def customer_url(customer_id: int) -> str:
    """The customer page of `customer_id` (customers:detail)."""
    return customer_page_url(customer_id)
