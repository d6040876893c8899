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

from array import array
from bisect import bisect_right
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from statistics import mean
from threading import Lock

from django.db import connection

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


# Rankings kept per process (each an array of 8-byte floats: ~280 kB for the communes of
# one indicator and year): the least recently used goes first.
MAX_RANKINGS = 400
_rankings_lock = Lock()


@cached("rankings")
def rankings() -> OrderedDict:
    """The sorted values of each (level, indicator, year) asked for since the data last
    changed, filled as portraits ask: a rank is then a binary search, where a SQL count
    would step through every higher value of the index (35,000 communes)."""
    return OrderedDict()


def ranking(tables: OrderedDict, level: str, indicator_id: int, year: int) -> array:
    key = (level, indicator_id, year)
    with _rankings_lock:
        found = tables.get(key)
        if found is not None:
            tables.move_to_end(key)
            return found
    with connection.cursor() as cursor:  # the rank index, in order, read alone
        cursor.execute(
            f"SELECT value FROM {Value._meta.db_table} WHERE indicator_id = %s AND year = %s AND level = %s "
            "AND value IS NOT NULL ORDER BY value",
            [indicator_id, year, level],
        )
        found = array("d", [row[0] for row in cursor.fetchall()])
    with _rankings_lock:
        tables[key] = found
        while len(tables) > MAX_RANKINGS:
            tables.popitem(last=False)
    return found


def rank_of(tables: OrderedDict, level: str, indicator_id: int, year: int, value: float) -> tuple[int, int]:
    """(rank, count): 1 + the territories of ``level`` with a higher value that year, and how
    many have a value."""
    values = ranking(tables, level, indicator_id, year)
    return 1 + len(values) - bisect_right(values, value), len(values)


def parent_of(territory: Territory) -> Territory | None:
    """The territory a portrait compares with besides France: a commune's or an EPCI's
    département, a département's région."""
    wanted = {Level.COMMUNE: Level.DEPARTEMENT, Level.EPCI: Level.DEPARTEMENT, Level.DEPARTEMENT: Level.REGION}.get(territory.level)
    if not wanted:
        return None
    return Territory.objects.containing(territory).current().filter(level=wanted).order_by("-population").first()


def territory_figures(
    territory: Territory, parent: Territory | None = None, with_ranks: bool = True, year: int | None = None
) -> list[Figure]:
    """One figure per indicator the territory has a value for (its latest year, or ``year``
    when given: then only the indicators that have a row that year, blank or not), in
    catalogue order, with its series over the years."""
    indicators = all_indicators()
    national = national_values()
    series: dict[int, list[tuple]] = defaultdict(list)
    for indicator_id, *point in (
        Value.objects.filter(territory=territory).order_by("year").values_list("indicator_id", "year", "value", "coverage", "is_computed")
    ):
        series[indicator_id].append(tuple(point))
    parent_values: dict[tuple[int, int], float | None] = {}
    if parent is not None:
        parent_values = {(i, y): v for i, y, v in Value.objects.filter(territory=parent).values_list("indicator_id", "year", "value")}
    tables = rankings() if with_ranks and territory.level != Level.PROJECT else None

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
        when, value, coverage, computed = chosen
        figure = Figure(
            indicator=indicator, year=when, value=value, coverage=coverage, is_computed=computed,
            national=national.get((indicator_id, Scope.METRO, when)),
            parent_value=parent_values.get((indicator_id, when)),
            series=[(point[0], point[1]) for point in points],
        )
        if value is not None and tables is not None and not indicator.is_component:
            figure.rank, figure.count = rank_of(tables, territory.level, indicator_id, when, value)
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
