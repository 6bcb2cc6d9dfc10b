"""One way to read an id or a number from a request (issue 8 item 4).

`"²".isdigit()` and `"①".isdigit()` are True, `int("²")` raises, and `int("１２")` is 12:
checks written with `str.isdigit()` let such values through to a 500, or quietly read
full-width digits as ids. Everything here accepts ASCII digits only and answers a bad value
the same way every time: an id named in the URL that cannot be one is a 404 (like an id outside
the user's scope), a page number or cursor that cannot be one is the first page.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, QueryDict

_ASCII_INT = re.compile(r"[0-9]{1,18}")  # below 2**63: every bigint id fits
MAX_ID = 2**63 - 1


def parse_id(raw: object) -> int | None:
    """A positive database id from text of ASCII digits, else None (never raises)."""
    if not isinstance(raw, str) or not _ASCII_INT.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def parse_int(raw: object, *, minimum: int, maximum: int) -> int | None:
    """An integer of ASCII digits (optionally signed) within [minimum, maximum], else None."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-") if text[:1] in "+-" else text
    if not _ASCII_INT.fullmatch(digits):
        return None
    value = sign * int(digits)
    return value if minimum <= value <= maximum else None


def id_param(data: QueryDict | HttpRequest, name: str) -> int | None:
    """The id named `name` in a query string or form: None when absent or blank, Http404 when
    given but not an id (a malformed id is treated like one outside the user's scope)."""
    params = data.GET if isinstance(data, HttpRequest) else data
    raw = params.get(name, "")
    if raw == "":
        return None
    value = parse_id(raw)
    if value is None:
        raise Http404(f"{name}: not an id")
    return value


def page_param(request: HttpRequest, name: str = "page", *, maximum: int = 10_000) -> int:
    """A 1-based page number; anything else (absent, ², -3, 10**30) is page 1."""
    return parse_int(request.GET.get(name, ""), minimum=1, maximum=maximum) or 1
