"""Compare 2 to 4 territories of any levels side by side: every indicator they have, the
latest year each has, with France as the reference column."""

from __future__ import annotations

from dataclasses import dataclass

from observatory.figures import Figure, territory_figures
from territories.models import Territory
from territories.policy import visible_territories

MIN_COMPARED, MAX_COMPARED = 2, 4


@dataclass
class ComparedRow:
    indicator: object
    cells: list[Figure | None]

    @property
    def national(self):
        return next((cell.national for cell in self.cells if cell is not None and cell.national is not None), None)


def named_territories(values: list[str], territories) -> list[tuple[str, Territory | None]]:
    """``level/code`` items from URL parameters (repeated, or separated by commas), each with
    the territory of ``territories`` it names, or None."""
    named = []
    for raw in values:
        for item in filter(None, (part.strip() for part in raw.split(","))):
            level, _, code = item.partition("/")
            named.append((item, territories.filter(level=level, code=code).first()))
    return named


def parse_compared(user, values: list[str]) -> tuple[list[Territory], list[str]]:
    found, errors = [], []
    for item, match in named_territories(values, visible_territories(user).current()):
        if match is None:
            errors.append(f"« {item} » ne désigne aucun territoire.")
        elif match not in found:
            found.append(match)
    if len(found) > MAX_COMPARED:
        errors.append(f"On compare au plus {MAX_COMPARED} territoires : les suivants sont ignorés.")
        found = found[:MAX_COMPARED]
    return found, errors


def compare_territories(territories: list[Territory]) -> list[ComparedRow]:
    per_territory = [
        {figure.indicator.pk: figure for figure in territory_figures(territory)} for territory in territories
    ]
    indicators = {}
    for figures in per_territory:
        for figure in figures.values():
            if not figure.indicator.is_component:
                indicators[figure.indicator.pk] = figure.indicator
    ordered = sorted(indicators.values(), key=lambda indicator: indicator.position)
    return [ComparedRow(indicator, [figures.get(indicator.pk) for figures in per_territory]) for indicator in ordered]
