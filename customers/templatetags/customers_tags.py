"""Formatting of the customer database's values in templates (no queries)."""

from django import template

from customers.models import NeedChange, need_change_words, need_status_label, need_text

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


@register.filter(name="need_text")
def need_text_filter(text: str) -> str:
    """`{{ change.reason|need_text }}`: a need's evidence or a change's reason in the reader's
    language where the system wrote it (need_text)."""
    return need_text(text)
