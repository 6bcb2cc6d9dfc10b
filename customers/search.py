"""Customer search on stock PostgreSQL, without pg_trgm.

Names are found through `Customer.search_bigrams`: every character of the (lower-cased) name
and every pair of neighbouring characters, kept in a text[] column with a GIN index. A query
of one character looks for that character, a longer query for all its bigrams (`@>`), and a
final `LIKE '%q%'` recheck removes bigrams that occur in the name but not next to each other.
This finds partial Chinese names (王, 建国) as well as Latin ones.

Numbers go to btree indexes: customer number, mobile phone, the whole national ID, and its
last four characters (the `id_last4` column).
"""

from __future__ import annotations

import itertools
import re

from django.db.models import Q

ID_TAIL_LENGTH = 4
_NUMBERISH = re.compile(r"^[0-9Xx+\- ]+$")


def name_grams(name: str) -> list[str]:
    """The characters and neighbouring-character pairs of `name`, sorted, without spaces."""
    chars = [c for c in name.lower() if not c.isspace()]
    grams = set(chars)
    grams.update(a + b for a, b in itertools.pairwise(chars))
    return sorted(grams)


def query_grams(query: str) -> list[str]:
    """The grams a name must contain to match `query` (all of them)."""
    chars = [c for c in query.lower() if not c.isspace()]
    if len(chars) == 1:
        return chars
    return sorted({a + b for a, b in itertools.pairwise(chars)})


def id_last4(national_id: str) -> str:
    return national_id[-ID_TAIL_LENGTH:].upper()


def is_name_search(query: str) -> bool:
    query = query.strip()
    return bool(query) and not _NUMBERISH.match(query)


def search_filter(query: str) -> Q:
    """The WHERE clause for a search box entry; every branch of it is served by an index."""
    query = query.strip()
    if not query:
        return Q()
    if _NUMBERISH.match(query):
        compact = re.sub(r"[ +\-]", "", query).upper()
        if compact.startswith("86") and len(compact) == 13:  # +86 mobile numbers
            compact = compact[2:]
        found = Q(customer_number=compact) | Q(phone=compact)
        if len(compact) == ID_TAIL_LENGTH:
            found |= Q(id_last4=compact)
        if len(compact) == 18:
            found |= Q(national_id=compact)
        return found
    found = Q(search_bigrams__contains=query_grams(query))
    if len(query) > 2 or any(c.isspace() for c in query):
        # Containing every bigram of a longer query does not make it a substring (国建 vs
        # 建国…国): recheck. One or two characters need no recheck, and a second condition
        # would only make the planner underestimate the matches.
        found &= Q(name__icontains=query)
    return found
