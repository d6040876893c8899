"""Demo figures for the domains that have no real data here (``is_demo`` indicators).

Values are drawn per département from a hash of (indicator, département, year), so every
run gives the same figures; régions and France follow by the aggregation. They describe no
real territory and every page, chart and export that shows them says so.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

from observatory.catalogue import DEMO_YEARS
from observatory.models import Indicator
from observatory.sources import SourceValue
from territories.models import Level, Territory


def draw(*parts: str) -> float:
    """A reproducible number in [0, 1)."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def demo_values() -> Iterator[SourceValue]:
    indicators = list(Indicator.objects.filter(is_demo=True).values_list("code", flat=True))
    departements = Territory.objects.current().filter(level=Level.DEPARTEMENT, zone__in=("metro", "drom")).values_list("code", flat=True)
    for code in departements:
        for indicator in indicators:
            base = 8 + 30 * draw(indicator, code)
            for year in DEMO_YEARS:
                drift = 6 * (draw(indicator, code, str(year)) - 0.5)
                yield SourceValue(indicator, Level.DEPARTEMENT, code, year, round(base + drift, 1))
