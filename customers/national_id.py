"""The 18-digit resident identity number of the People's Republic of China (GB 11643-1999)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PATTERN = re.compile(r"^\d{17}[\dX]$")

FORMAT_ERROR = _("The national ID number must be 17 digits followed by a digit or X.")
CHECKSUM_ERROR = _(
    "The national ID number's check digit is wrong; please check for a typing error."
)
BIRTH_DATE_ERROR = _("The national ID number does not contain a valid birth date.")


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def problems(number: str) -> list[StrOrPromise]:
    """Why `number` is not a valid ID number (an empty list when it is)."""
    if not PATTERN.match(number):
        return [FORMAT_ERROR]
    errors: list[StrOrPromise] = []
    if birth_date(number) is None:
        errors.append(BIRTH_DATE_ERROR)
    if check_char(number[:17]) != number[17]:
        errors.append(CHECKSUM_ERROR)
    return errors


def normalise(number: str) -> str:
    return number.strip().replace(" ", "").upper()


def mask_phone(phone: str) -> str:
    """A mobile number with the middle four digits hidden, as banks print it: 138****5678."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask(number: str) -> str:
    """Show the region prefix and the last four characters only: 110***********1234."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
