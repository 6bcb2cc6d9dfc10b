"""Pagination for lists that can hold hundreds of thousands of rows."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows (one `COUNT(*)` over `LIMIT cap + 1`).

    Counting every open alert of a million customers costs more than showing a page of them;
    past the cap the page says "more than <cap>" (`capped`) and the filters narrow it down.
    Pages past the cap are not offered.
    """

    def __init__(self, object_list, per_page, *, cap: int = 10_000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap
