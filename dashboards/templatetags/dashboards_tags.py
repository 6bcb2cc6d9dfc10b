"""Formatting for the dashboards (no queries)."""

from django import template

from dashboards.charts import sparkline as _sparkline

register = template.Library()


@register.filter
def sparkline(values: list) -> str:
    """The SVG `points` of a staff member's score trend (dashboards.charts.sparkline)."""
    return _sparkline(values)
