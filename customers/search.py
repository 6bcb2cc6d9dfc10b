"""Customer search on stock PostgreSQL, without pg_trgm.

Names are found through `Customer.search_bigrams`: every character of the name's search key
(`crm.identifiers.name_key`: lower case, without spaces or the separators of compound names)
and every pair of neighbouring characters, kept in a text[] column with a GIN index. A query
of one character looks for that character, a longer query for all its bigrams (`@>`), and a
final recheck — the key of the name computed in SQL on the few candidate rows, `LIKE
'%key%'` — removes bigrams that occur in the name but not next to each other. This finds
partial Chinese names (王, 建国), names typed with a space (邵 倩华) or another separator
(买买提•艾力, 买买提艾力 for 买买提·艾力), and Latin names.

Numbers go to btree indexes: customer number, mobile phone, the whole national ID, and its
last four characters (the `id_last4` column). A query is first put through NFKC (full-width
digits) and a phone-like query through `crm.identifiers.phone`, the function that also
normalises the stored numbers: `0086 135 2197 1213`, `(+86) 135-2197-1213` and
`135.2197.1213` all find 13521971213.
"""

from __future__ import annotations

import itertools
import re

from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Contains

from crm import identifiers
from customers import national_id as nid

ID_TAIL_LENGTH = 4
_NUMBERISH = re.compile(r"^[0-9Xx+\-\s.()/\[\]]+$")
# SQL twin of identifiers.name_key for the recheck (stored names are already NFKC).
NAME_KEY_SQL_PATTERN = rf"[\s{identifiers.NAME_SEPARATORS}.]"


def name_grams(name: str) -> list[str]:
    """The characters and neighbouring-character pairs of the name's search key, sorted."""
    chars = list(identifiers.name_key(name))
    grams = set(chars)
    grams.update(a + b for a, b in itertools.pairwise(chars))
    return sorted(grams)


def query_grams(query: str) -> list[str]:
    """The grams a name must contain to match `query` (all of them)."""
    chars = list(identifiers.name_key(query))
    if len(chars) == 1:
        return chars
    return sorted({a + b for a, b in itertools.pairwise(chars)})


def _name_key_sql() -> Func:
    return Func(
        Lower(F("name")),
        Value(NAME_KEY_SQL_PATTERN),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def id_last4(national_id: str) -> str:
    return national_id[-ID_TAIL_LENGTH:].upper()


def is_name_search(query: str) -> bool:
    query = identifiers.single_line(query)
    return bool(query) and not _NUMBERISH.match(query)


def search_filter(query: str) -> Q:
    """The WHERE clause for a search box entry; every branch of it is served by an index."""
    query = identifiers.single_line(query)
    if not query:
        return Q()
    if _NUMBERISH.match(query):
        number = identifiers.customer_number(re.sub(r"[+.()/\[\]]", "", query))
        found = Q(customer_number=number) | Q(phone=identifiers.phone(query))
        if len(number) == ID_TAIL_LENGTH:
            found |= Q(id_last4=number)
        if len(number) == 18:
            found |= Q(national_id=number)
        return found
    key = identifiers.name_key(query)
    if not key:  # only separators
        return Q(pk__in=[])
    found = Q(search_bigrams__contains=query_grams(query))
    if len(key) > 2:
        # Containing every bigram of a longer query does not make it a substring (国建 vs
        # 建国…国): recheck on the name's key. One or two characters need no recheck, and a
        # second condition would only make the planner underestimate the matches.
        found &= Q(Contains(_name_key_sql(), key))
    return found


def query_for_log(query: str) -> str:
    """A search entry as the access log keeps and shows it (an export's filters): a whole
    mobile or national ID number masked as every page shows it, since reading the log is no
    logged reveal; anything else as typed. Masking a mask changes nothing."""
    if not _NUMBERISH.match(identifiers.single_line(query)):
        return query
    mobile = identifiers.phone(query)
    if identifiers.MOBILE_RE.match(mobile):
        return nid.mask_phone(mobile)
    number = identifiers.national_id(query)
    if nid.PATTERN.match(number):
        return nid.mask(number)
    return query
