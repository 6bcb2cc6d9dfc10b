"""Formatting for the feedback pages (no queries)."""

import datetime as dt

from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A span as "3 d 4 h", "5 h 10 min" or "25 min" (absolute value; callers say overdue)."""
    if value is None:
        return "—"
    seconds = abs(int(value.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return gettext("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return ngettext("%(m)d min", "%(m)d min", minutes) % {"m": minutes}


@register.filter
def is_negative(value: dt.timedelta | None) -> bool:
    return value is not None and value < dt.timedelta(0)
