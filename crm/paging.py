"""Pagination for lists that can hold hundreds of thousands of rows."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Lists count up to here ("more than 10,000"): an exact COUNT(*) over a million rows on every
# page costs more than the page itself and tells a person nothing more.
COUNT_CAP = 10_000


def bounded_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """COUNT(*) of `qs` that stops at cap+1 rows (so "more than `cap`" costs no more); the
    ordering is dropped, the count does not need it."""
    return qs.order_by()[: cap + 1].count()


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows (bounded_count: one `COUNT(*)` over
    `LIMIT cap + 1`).

    Counting every open alert of a million customers costs more than showing a page of them;
    past the cap the page says "more than <cap>" (`capped`) and the filters narrow it down.
    Pages past the cap are not offered.
    """

    def __init__(self, object_list: QuerySet, per_page, *, cap: int = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.queryset = object_list
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        return bounded_count(self.queryset, self.cap)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap
