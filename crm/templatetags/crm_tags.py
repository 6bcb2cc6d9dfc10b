"""Formatting filters and tags shared by every app's templates."""

import math
from datetime import timedelta

from django import template

from crm.charts import Chart
from crm.names import person_name as _person_name

register = template.Library()


@register.filter
def duration_minutes(value: timedelta) -> int:
    """A duration as whole minutes, rounded up (a wait of 14m01s reads as 15)."""
    return math.ceil(value.total_seconds() / 60)


@register.filter
def person_name(user) -> str:
    """`{{ case.assignee|person_name }}`: how a member of staff is named (crm.names); "" for
    nobody, so `|default:"—"` still applies."""
    return _person_name(user)


@register.inclusion_tag("crm/chart.html")
def chart(chart: Chart) -> dict:
    """`{% chart chart %}`: the canvas, the data for js/charts.js and the numbers as a table."""
    return {"chart": chart, "data": chart.as_data(), "rows": chart.rows()}
