"""One normalisation per kind of field, used by every entry path and by search.

Forms (clean_<field>), services (before comparing and saving, so an unchanged save writes
nothing), importers (CSV and the admin) and the search box all call these functions, so the
same written form of a phone number, a name or an ID number is stored once and found again
however it is typed. Pure functions: no database, no Django models (this module is in `crm`,
the base every app may import).

Rules (each has a test in tests/crm/test_identifiers.py):
- Every value first goes through Unicode NFKC, which turns what Chinese input methods type
  in full width (１３８, （, －, ＋, ｘ) into the ASCII forms.
- `single_line`: line breaks and tabs become one space, runs of spaces one space, stripped.
  (An address imported with a line break would otherwise change when its single-line form
  field is saved.)
- `phone`: mainland mobile numbers with their separators (space - . ( ) /) removed and the
  country prefix (+86, 0086, (+86), 86 before 11 digits) dropped: `13521971213`. A value that
  is not a mainland mobile number is returned compacted, for the validator to reject.
- `person_name`: NFKC, single line; the separators of transliterated compound names
  (· • ・ ‧ ∙ ⋅ ･ ●, and a full stop between two Chinese characters) become the standard
  middle dot U+00B7; a space between two Chinese characters is dropped (邵 倩华 → 邵倩华);
  Latin names keep their single spaces.
- `name_key`: what name search compares: the name lower-cased without spaces or separators
  (买买提·艾力, 买买提•艾力 and 买买提艾力 share the key 买买提艾力).
- `national_id`, `customer_number`: NFKC, separators removed, upper case.
"""

from __future__ import annotations

import re
import unicodedata

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Characters people put between the groups of a phone number.
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/\[\]]")
_COUNTRY_PREFIXES = ("+86", "0086", "86")
# Separators of compound (transliterated) names, after NFKC.
NAME_SEPARATORS = "·•・‧∙⋅･●"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NAME_SEPARATOR_RE = re.compile(rf"\s*[{NAME_SEPARATORS}]\s*|(?<=[{_CJK}])\s*\.\s*(?=[{_CJK}])")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_NAME_KEY_DROP = re.compile(rf"[\s{NAME_SEPARATORS}.]")
_WHITESPACE = re.compile(r"\s+")
_ID_SEPARATORS = re.compile(r"[\s\-]")


def nfkc(value: str | None) -> str:
    """`value` in Unicode NFKC (full-width digits and punctuation → ASCII); None → ""."""
    return unicodedata.normalize("NFKC", value or "")


def single_line(value: str | None) -> str:
    """One line of text: line breaks/tabs → a space, spaces collapsed, stripped (NFKC)."""
    return _WHITESPACE.sub(" ", nfkc(value)).strip()


def phone(value: str | None) -> str:
    """A mainland mobile number as 11 digits (`13521971213`), however it was written.

    `+86 135 2197 1213`, `0086 135 2197 1213`, `(+86) 135-2197-1213`, `135.2197.1213` and
    full-width `１３５２１９７１２１３` all give `13521971213`. Anything else is returned without
    separators (so `mobile_validator` rejects it with its message); "" stays "".
    """
    compact = _PHONE_SEPARATORS.sub("", nfkc(value))
    for prefix in _COUNTRY_PREFIXES:
        rest = compact[len(prefix) :]
        if compact.startswith(prefix) and MOBILE_RE.match(rest):
            return rest
    return compact


def person_name(value: str | None) -> str:
    """A person's name as stored: NFKC, one line, one compound-name separator (·)."""
    name = single_line(value)
    name = _NAME_SEPARATOR_RE.sub("·", name)
    return _SPACE_BETWEEN_CJK.sub("", name)


def name_key(value: str | None) -> str:
    """The search key of a name or a name query: lower case, no spaces or separators."""
    return _NAME_KEY_DROP.sub("", nfkc(value).lower())


def national_id(value: str | None) -> str:
    """An ID number as stored: NFKC, no spaces or dashes, upper case (the X check char)."""
    return _ID_SEPARATORS.sub("", nfkc(value)).upper()


def customer_number(value: str | None) -> str:
    """A core-banking CIF number as stored: NFKC, no spaces or dashes, upper case."""
    return _ID_SEPARATORS.sub("", nfkc(value)).upper()


def email(value: str | None) -> str:
    """An e-mail address: NFKC, stripped, the domain lower-cased (the local part is kept)."""
    address = nfkc(value).strip()
    local, at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}" if at else address
