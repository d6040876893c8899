"""Chart geometry, computed here and drawn as SVG by the templates: the pages need no
script, print as they show, and each chart sits above the table it is drawn from."""

from __future__ import annotations

import math
from dataclasses import dataclass

BAR_WIDTH = 560
BAR_LABEL = 220
BAR_HEIGHT = 22
INDEX_MAX = 250


@dataclass
class Bar:
    label: str
    y: int
    x: float
    width: float
    value: float
    text: str
    worse: bool


def index_bars(items: list[tuple[str, float, bool]]) -> dict:
    """Horizontal bars of indices around France = 100: (label, index, higher is worse)."""
    span = BAR_WIDTH - BAR_LABEL - 50
    centre = BAR_LABEL + span * 100 / INDEX_MAX

    def x_of(value: float) -> float:
        return BAR_LABEL + span * min(max(value, 0), INDEX_MAX) / INDEX_MAX

    bars = []
    for position, (label, value, higher_worse) in enumerate(items):
        end = x_of(value)
        bars.append(
            Bar(label=label, y=10 + position * BAR_HEIGHT, x=min(centre, end), width=abs(end - centre), value=value,
                text=f"{value:.0f}", worse=(value > 100) == higher_worse and abs(value - 100) >= 1)
        )
    return {"bars": bars, "centre": centre, "width": BAR_WIDTH, "height": 20 + len(items) * BAR_HEIGHT, "label_x": BAR_LABEL - 6}


def radar(items: list[tuple[str, float]], size: int = 360) -> dict | None:
    """Domain scores (0–100) on as many axes as there are domains, with the level's median
    (50) as a reference ring."""
    if len(items) < 3:
        return None
    centre, radius = size / 2, size / 2 - 70
    axes, points = [], []
    for position, (label, score) in enumerate(items):
        angle = -math.pi / 2 + 2 * math.pi * position / len(items)
        cos, sin = math.cos(angle), math.sin(angle)
        axes.append({
            "x": centre + radius * cos, "y": centre + radius * sin,
            "label_x": centre + (radius + 12) * cos, "label_y": centre + (radius + 12) * sin + 4,
            "anchor": "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end"), "label": label,
        })
        points.append(f"{centre + radius * score / 100 * cos:.1f},{centre + radius * score / 100 * sin:.1f}")
    ring = " ".join(
        f"{centre + radius * 0.5 * math.cos(-math.pi / 2 + 2 * math.pi * i / len(items)):.1f},"
        f"{centre + radius * 0.5 * math.sin(-math.pi / 2 + 2 * math.pi * i / len(items)):.1f}"
        for i in range(len(items))
    )
    return {"size": size, "centre": centre, "axes": axes, "polygon": " ".join(points), "ring": ring}


def sparkline(series: list[tuple[int, float | None]], width: int = 160, height: int = 36) -> dict | None:
    known = [(year, value) for year, value in series if value is not None]
    if len(known) < 2:
        return None
    years = [year for year, _ in known]
    values = [value for _, value in known]
    low, high = min(values), max(values)
    spread = (high - low) or 1
    first, last = years[0], years[-1]
    points = " ".join(
        f"{2 + (width - 4) * (year - first) / ((last - first) or 1):.1f},{height - 3 - (height - 6) * (value - low) / spread:.1f}"
        for year, value in known
    )
    return {"width": width, "height": height, "points": points, "first": first, "last": last}
