"""Small charts drawn server-side as inline SVG (no JavaScript). Every label goes through
Jinja's escaping: these functions return data for the template, never markup."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PALETTE = ("#1f6feb", "#d4680f", "#2da44e", "#8250df", "#bf3989", "#57606a")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float  # share of the widest bar, 0-100
    text: str


def bars(values: list[tuple[str, Decimal | None, str]]) -> list[Bar]:
    """Horizontal bars for (label, value, shown text); an unknown value draws no bar."""
    top = max((float(v) for _, v, _ in values if v is not None), default=0.0)
    return [
        Bar(label, float(v or 0), (float(v) / top * 100) if (v is not None and top) else 0.0, text)
        for label, v, text in values
    ]


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: str  # SVG polyline points
    total: int


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    series: list[Series]
    peak: int
    days: list[str]


def per_day(
    counts: dict[str, list[int]], days: list[str], *, width: int = 640, height: int = 180
) -> LineChart:
    """One polyline per source over the days; the y axis runs from 0 to the peak count."""
    peak = max((max(c) for c in counts.values() if c), default=0)
    step = width / max(len(days) - 1, 1)
    series = []
    for i, (name, values) in enumerate(sorted(counts.items())):
        points = " ".join(
            f"{x * step:.1f},{height - (v / peak * (height - 10) if peak else 0):.1f}"
            for x, v in enumerate(values)
        )
        series.append(Series(name, PALETTE[i % len(PALETTE)], points, sum(values)))
    return LineChart(width, height, series, peak, days)
