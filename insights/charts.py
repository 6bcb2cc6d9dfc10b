"""The score trend as a small server-side SVG line (no JavaScript, nothing inline to allow)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD_X, PAD_Y = 600, 160, 10, 12


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the period's last day
    value: str


@dataclass(frozen=True)
class ScoreChart:
    width: int
    height: int
    points: list[Point]
    polyline: str  # an SVG polyline `points` attribute
    gridlines: list[tuple[float, int]]  # (y, value) for 0, 50, 100


def _y(value: float) -> float:
    return HEIGHT - PAD_Y - value / 100 * (HEIGHT - 2 * PAD_Y)


def score_chart(snapshots: list) -> ScoreChart | None:
    """The composite of each snapshot (oldest first) on a 0–100 scale; snapshots without a
    composite (insufficient data) are gaps, not zeros. None if there is nothing to draw."""
    scored = [(i, s) for i, s in enumerate(snapshots) if s.composite is not None]
    if not scored:
        return None
    step = (WIDTH - 2 * PAD_X) / max(len(snapshots) - 1, 1)
    points = [
        Point(
            x=round(PAD_X + i * step, 1),
            y=round(_y(float(s.composite)), 1),
            label=f"{s.period_end:%Y-%m-%d}",
            value=str(s.composite),
        )
        for i, s in scored
    ]
    return ScoreChart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        gridlines=[(round(_y(v), 1), v) for v in (0, 50, 100)],
    )
