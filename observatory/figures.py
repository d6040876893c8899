"""What a portrait shows for one territory: each indicator's value, its index against France
métropolitaine (= 100) and against the parent territory, its rank and decile among the
territories of the same level, its evolution, and a fragility score per domain.

Method of the domain score (shown on the methodology page):

1. For each indicator of the domain that has a direction, take the territory's latest value
   and its rank among the territories of its level that have a value that year
   (rank 1 = highest value).
2. Turn the rank into a position from 0 to 100 oriented so that 100 is the most fragile:
   ``100 × (n − rank) ÷ (n − 1)`` when a higher value is worse, ``100 × (rank − 1) ÷ (n − 1)``
   when a higher value is better.
3. The domain score is the mean of these positions. A domain is a *fragilité prioritaire*
   when its score is 66.7 or more: the territory sits in the most fragile third of its level.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

from observatory.cache import cached
from observatory.models import Direction, Indicator, NationalValue, Scope, Value
from territories.models import Level, Territory

PRIORITY_THRESHOLD = 200 / 3


@dataclass
class Figure:
    indicator: Indicator
    year: int
    value: float | None
    coverage: float | None = None
    is_computed: bool = False
    national: float | None = None
    parent_value: float | None = None
    rank: int | None = None
    count: int | None = None
    series: list[tuple[int, float | None]] = field(default_factory=list)

    @property
    def index_france(self) -> float | None:
        return index(self.value, self.national)

    @property
    def index_parent(self) -> float | None:
        return index(self.value, self.parent_value)

    @property
    def decile(self) -> int | None:
        """1 = the tenth with the highest values."""
        if self.rank is None or not self.count:
            return None
        return min(10, 1 + (self.rank - 1) * 10 // self.count)

    @property
    def fragility(self) -> float | None:
        if self.rank is None or not self.count or self.count < 2 or not self.indicator.is_scored:
            return None
        position = (self.rank - 1) / (self.count - 1)
        if self.indicator.direction == Direction.HIGHER_WORSE:
            return 100 * (1 - position)
        return 100 * position


def index(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return 100 * value / reference


@dataclass
class DomainScore:
    domain: object
    score: float
    figures: list[Figure]
    is_demo: bool

    @property
    def is_priority(self) -> bool:
        return self.score >= PRIORITY_THRESHOLD


@cached("indicators")
def all_indicators() -> dict[int, Indicator]:
    return {indicator.pk: indicator for indicator in Indicator.objects.select_related("domain")}


@cached("national")
def national_values() -> dict[tuple[int, str, int], float | None]:
    return {(i, scope, year): value for i, scope, year, value in NationalValue.objects.values_list("indicator_id", "scope", "year", "value")}


def parent_of(territory: Territory) -> Territory | None:
    """The territory a portrait compares with besides France: a commune's or an EPCI's
    département, a département's région."""
    wanted = {Level.COMMUNE: Level.DEPARTEMENT, Level.EPCI: Level.DEPARTEMENT, Level.DEPARTEMENT: Level.REGION}.get(territory.level)
    if not wanted:
        return None
    return Territory.objects.containing(territory).current().filter(level=wanted).order_by("-population").first()


def territory_figures(territory: Territory, parent: Territory | None = None, year: int | None = None) -> list[Figure]:
    """One figure per indicator the territory has a value for (its latest year, or ``year``
    when given: then only the indicators that have a row that year, blank or not), in
    catalogue order, with its series over the years."""
    indicators = all_indicators()
    national = national_values()
    series: dict[int, list[tuple]] = defaultdict(list)
    for indicator_id, *point in (
        Value.objects.filter(territory=territory).order_by("year").values_list(
            "indicator_id", "year", "value", "coverage", "is_computed", "level_rank", "level_count"
        )
    ):
        series[indicator_id].append(tuple(point))
    parent_values: dict[tuple[int, int], float | None] = {}
    if parent is not None:
        parent_values = {(i, y): v for i, y, v in Value.objects.filter(territory=parent).values_list("indicator_id", "year", "value")}

    figures = []
    for indicator_id, points in series.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            continue
        if year is None:
            known = [point for point in points if point[1] is not None]
            chosen = (known or points)[-1]
        else:
            chosen = next((point for point in points if point[0] == year), None)
            if chosen is None:
                continue
        when, value, coverage, computed, rank, count = chosen
        figure = Figure(
            indicator=indicator, year=when, value=value, coverage=coverage, is_computed=computed,
            national=national.get((indicator_id, Scope.METRO, when)),
            parent_value=parent_values.get((indicator_id, when)),
            series=[(point[0], point[1]) for point in points],
        )
        if not indicator.is_component:  # stored empty for blanks and project territories
            figure.rank, figure.count = rank, count
        figures.append(figure)
    figures.sort(key=lambda figure: figure.indicator.position)
    return figures


def domain_scores(figures: list[Figure]) -> list[DomainScore]:
    by_domain: dict[int, list[Figure]] = defaultdict(list)
    for figure in figures:
        if figure.fragility is not None:
            by_domain[figure.indicator.domain_id].append(figure)
    scores = [
        DomainScore(
            domain=items[0].indicator.domain,
            score=mean(figure.fragility for figure in items),
            figures=items,
            is_demo=all(figure.indicator.is_demo for figure in items),
        )
        for items in by_domain.values()
    ]
    return sorted(scores, key=lambda score: -score.score)
