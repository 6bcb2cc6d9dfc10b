"""The words of relative durations ("3 months ago"), so our catalogue can translate them.

Django's `timesince`/`timeuntil` use these exact messages; declaring them here puts them in
locale/zh_Hans (makemessages only sees our code), and the project's catalogue takes
precedence over Django's. Django's Chinese "%(num)d 月" reads as a calendar month ("6 月" is
June); a length of time is "6 个月".
"""

from django.utils.translation import ngettext_lazy

TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}
