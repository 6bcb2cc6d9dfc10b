"""A small server-side SVG line chart of balances (no JavaScript, nothing inline to allow)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, PAD_X, PAD_Y = 600, 180, 8, 12
SERIES = [
    ("deposits", "chart-deposits"),
    ("investments", "chart-investments"),
    ("loans", "chart-loans"),
]


@dataclass(frozen=True)
class Series:
    key: str
    css: str
    points: str  # an SVG polyline `points` attribute
    last: Decimal


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    top: Decimal  # the value at the top of the chart
    first_label: str
    last_label: str


def balance_chart(snapshots: list) -> Chart | None:
    """Polylines of deposits, investments and loans over the snapshots (oldest first)."""
    if not snapshots:
        return None
    top = max(max(getattr(s, key) for s in snapshots) for key, _css in SERIES) or Decimal(1)
    n = len(snapshots)
    step = (WIDTH - 2 * PAD_X) / max(n - 1, 1)
    series = []
    for key, css in SERIES:
        coords = []
        for i, snap in enumerate(snapshots):
            x = PAD_X + i * step
            y = HEIGHT - PAD_Y - float(getattr(snap, key) / top) * (HEIGHT - 2 * PAD_Y)
            coords.append(f"{x:.1f},{y:.1f}")
        series.append(Series(key, css, " ".join(coords), getattr(snapshots[-1], key)))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        series=series,
        top=top,
        first_label=f"{snapshots[0].as_of:%Y-%m}",
        last_label=f"{snapshots[-1].as_of:%Y-%m}",
    )
