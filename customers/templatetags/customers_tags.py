"""Formatting of the customer database's values in templates (no queries)."""

from django import template

from customers.models import NeedChange, need_change_words, need_status_label

register = template.Library()


@register.filter
def need_status(value: str) -> str:
    """`{{ change.new_status|need_status }}`: a need status in words; "" stays "" (so
    `|default:"—"` applies)."""
    return need_status_label(value)


@register.filter
def need_change(change: NeedChange) -> str:
    """`{{ change|need_change }}`: what a need change changed, in words (need_change_words)."""
    return need_change_words(change)
