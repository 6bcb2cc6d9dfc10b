"""A chart for a dashboard: what a view hands to `{% chart %}` (crm/templatetags/crm_tags.py).

The tag renders templates/crm/chart.html: a <figure> whose canvas static/js/charts.js draws with
the vendored Apache ECharts, the data passed with `json_script` (the CSP allows no inline
script), and the same numbers as a table, folded under "Show the numbers", which is what
screen readers read and what is printed.

    chart = Chart(
        id="new-customers",
        kind="line",
        title=_("New customers per month"),
        labels=["2026-09", "2026-10", "2026-11"],
        series=[Series(name=_("Pudong"), values=[12, 15, None],
                       links=["/customers/?month=2026-09", "/customers/?month=2026-10", ""])],
    )

A page that shows charts loads css/charts.css in `extra_head` and includes
crm/chart_scripts.html in `extra_body`.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Kind = Literal["line", "bar", "stacked_bar", "funnel"]
KINDS = ("line", "bar", "stacked_bar", "funnel")
Number = int | float | Decimal

# The id becomes an HTML id and part of another; keep it to what needs no escaping anywhere.
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")


def _number(value: Number | None) -> int | float | None:
    """A value JSON can carry: Decimal as float, NaN and infinity as no value."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"chart values are numbers or None, not {value!r}")
    if isinstance(value, int):
        return value
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Series:
    """One named line, bar colour or funnel: a value per label of its chart, in label order.

    values: numbers (int, float or Decimal) in the chart's unit; None where there is no value.
    links: optional, a drill-down per label: a path on this site ("/customers/?segment=vip"),
    or "" where that value has none. The table links the value; a click on the point follows it.
    """

    name: str
    values: Sequence[Number | None]
    links: Sequence[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        if self.links is not None:
            object.__setattr__(self, "links", tuple(link or "" for link in self.links))
            if len(self.links) != len(self.values):
                raise ValueError(f"series {self.name!s}: one link per value (or none at all)")
            for link in self.links:
                # A path on this site only: no javascript: or other-site URLs in a drill-down.
                if link and not (link.startswith("/") and not link.startswith("//")):
                    raise ValueError(f"series {self.name!s}: a link is a path, not {link!r}")


@dataclass(frozen=True)
class Chart:
    """A chart and its numbers.

    id: lower-case letters, digits and hyphens, unique on the page ("new-customers").
    kind: "line" (a trend), "bar", "stacked_bar" (parts of a total per label) or "funnel"
    (stages in order; only the first series is drawn, the table shows all).
    labels: the x-axis categories (months, segments, funnel stages), as text.
    series: each with one value per label.
    unit: shown after the values and on the value axis ("%", "万元"); "" for plain counts.
    y_max: the top of the value axis (100 for percentages); None lets the chart choose.
    """

    id: str
    kind: Kind
    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    unit: str = ""
    y_max: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(self.labels))
        object.__setattr__(self, "series", tuple(self.series))
        if not ID_RE.match(self.id):
            raise ValueError(f"chart id {self.id!r}: lower-case letters, digits and hyphens")
        if self.kind not in KINDS:
            raise ValueError(f"chart kind {self.kind!r}: one of {', '.join(KINDS)}")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(f"series {series.name!s}: one value per label")

    @property
    def data_id(self) -> str:
        """The id of the json_script element holding `as_data()`."""
        return f"{self.id}-data"

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to draw: no labels, no series, or no value at all."""
        return all(value is None for series in self.series for value in series.values)

    def rows(self) -> list[tuple[str, list[tuple[Number | None, str]]]]:
        """The table: per label, (value, link or "") for each series in order."""
        return [
            (
                label,
                [(s.values[i], s.links[i] if s.links else "") for s in self.series],
            )
            for i, label in enumerate(self.labels)
        ]

    def as_data(self) -> dict:
        """What static/js/charts.js reads, JSON-safe (lazy strings as str, Decimal as float).

        {"kind": str, "title": str, "unit": str, "yMax": float | None, "labels": [str],
         "series": [{"name": str, "values": [number | None], "links": [str] | None}]}
        """
        return {
            "kind": self.kind,
            "title": str(self.title),
            "unit": str(self.unit),
            "yMax": _number(self.y_max),
            "labels": [str(label) for label in self.labels],
            "series": [
                {
                    "name": str(s.name),
                    "values": [_number(v) for v in s.values],
                    "links": list(s.links) if s.links is not None else None,
                }
                for s in self.series
            ],
        }
