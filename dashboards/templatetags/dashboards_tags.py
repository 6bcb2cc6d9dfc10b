"""Formatting for the dashboards (no queries)."""

from django import template

from customers.models.needs import NeedStatus
from dashboards.charts import sparkline as _sparkline

register = template.Library()


@register.filter
def sparkline(values: list) -> str:
    """The SVG `points` of a staff member's score trend (dashboards.charts.sparkline)."""
    return _sparkline(values)


@register.filter
def need_status(value: str) -> str:
    """A need's status in words ("active" → "Active" / 有效); "" stays ""."""
    return dict(NeedStatus.choices).get(value, value) if value else ""
