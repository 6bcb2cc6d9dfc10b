"""Formatting filters shared by every app's templates."""

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_minutes(value: timedelta) -> int:
    """A duration as whole minutes, rounded up (a wait of 14m01s reads as 15)."""
    return math.ceil(value.total_seconds() / 60)
