"""Territoires comparables: for a territory, the territories of the same level that most
resemble it.

Method (shown on the methodology page): each territory of the level is described by three
figures — the logarithm of its population, the logarithm of its density and its median
standard of living (latest year) — each standardised over the level (mean 0, standard
deviation 1). The peers are the ``PEER_COUNT`` territories nearest in that space (Euclidean
distance), among those of the same zone (metropolitan France, or overseas). A project
territory is compared with EPCI. The user can replace the group; the page then shows theirs.

A peer figure (median and spread) shows only when at least 75 % of the peers have a value.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from heapq import heappush, heapreplace
from statistics import median
from typing import Iterable

from observatory.cache import cached
from observatory.models import Indicator, Value
from territories.models import Level, Territory, TerritoryLink

PEER_COUNT = 5
MAX_PEERS = 12
PEER_COVERAGE_RULE = 0.75
FEATURES = ("population", "densite", "niveau_vie_median")
FILL_BATCH = 5000  # territory ids per query (SQLite takes at most 32,766 parameters)


@dataclass(frozen=True)
class Candidate:
    territory_id: int
    zone: str
    point: tuple[float, float, float]


def latest_values(level: str, code: str, current: Iterable[int]) -> dict[int, float]:
    """Each territory's latest known value of the level (``current``: the ids of the level's
    current territories, the ones looked for in earlier years): the level's latest year first (one
    slice, read on the slice index), then earlier years only for the territories blank or
    absent that year, through the unique index. Not every year of every territory: 350,000
    rows for the communes over ten years."""
    indicator_id = Indicator.objects.filter(code=code).values_list("pk", flat=True).first()
    rows = Value.objects.filter(indicator_id=indicator_id, level=level, value__isnull=False)
    latest = rows.order_by("-year").values_list("year", flat=True).first()
    if latest is None:
        return {}
    found = dict(rows.filter(year=latest).values_list("territory_id", "value"))
    missing = [pk for pk in current if pk not in found]
    for start in range(0, len(missing), FILL_BATCH):
        earlier = rows.filter(year__lt=latest, territory_id__in=missing[start : start + FILL_BATCH])
        found.update(earlier.order_by("territory_id", "year").values_list("territory_id", "value"))  # the last year wins
    return found


@dataclass
class Space:
    """The standardised points of a level, and the centre and spread used to standardise.
    The pool is sorted on the first coordinate (``xs``), for ``nearest``."""

    pool: list[Candidate]
    centres: tuple[float, ...]
    spreads: tuple[float, ...]
    xs: list[float] = field(default_factory=list)
    by_id: dict[int, Candidate] = field(default_factory=dict)

    def standardise(self, point: tuple[float, ...]) -> tuple[float, ...]:
        return tuple((x - c) / s for x, c, s in zip(point, self.centres, self.spreads))

    def index(self) -> None:
        self.pool.sort(key=lambda c: c.point[0])
        self.xs = [c.point[0] for c in self.pool]
        self.by_id = {c.territory_id: c for c in self.pool}

    def nearest(self, mine: Candidate, count: int) -> list[Candidate]:
        """The ``count`` candidates nearest to ``mine`` (of its zone when it has one), nearest
        first, ties by id. Exact, without measuring the whole pool: a walk outwards from
        ``mine`` along the first coordinate, which stops once that coordinate alone puts the
        next candidate farther than the ``count``-th nearest found."""
        xs, pool, x = self.xs, self.pool, mine.point[0]
        above = bisect_left(xs, x)
        below = above - 1
        best: list[tuple[float, int, Candidate]] = []  # a heap whose top is the farthest kept
        while count and (below >= 0 or above < len(pool)):
            if above >= len(pool) or (below >= 0 and x - xs[below] <= xs[above] - x):
                candidate, gap = pool[below], x - xs[below]
                below -= 1
            else:
                candidate, gap = pool[above], xs[above] - x
                above += 1
            if len(best) == count and gap > -best[0][0]:
                break
            if candidate.territory_id == mine.territory_id or (mine.zone and candidate.zone != mine.zone):
                continue
            item = (-math.dist(candidate.point, mine.point), -candidate.territory_id, candidate)
            if len(best) < count:
                heappush(best, item)
            elif item[:2] > best[0][:2]:
                heapreplace(best, item)
        return [candidate for _, _, candidate in sorted(best, key=lambda item: item[:2], reverse=True)]


def raw_point(population: float, density: float, income: float) -> tuple[float, float, float] | None:
    if population <= 0 or density <= 0:
        return None
    return (math.log(population), math.log(density), income)


def space(level: str) -> Space | None:
    @cached(f"peers:{level}")
    def compute():
        zones = zones_of(level)  # every current territory of the level
        population, density, income = (latest_values(level, code, zones) for code in FEATURES)
        raw = []
        for territory_id in population.keys() & density.keys() & income.keys():
            point = raw_point(population[territory_id], density[territory_id], income[territory_id])
            if point:
                raw.append((territory_id, point))
        if len(raw) < 2:
            return None
        columns = list(zip(*(point for _, point in raw)))
        centres = tuple(math.fsum(column) / len(column) for column in columns)
        # Population standard deviation in floats (statistics.pstdev computes exactly, with
        # fractions: 15 ms a column for the 35,000 communes, against 5).
        spreads = tuple(
            math.sqrt(math.fsum((x - centre) ** 2 for x in column) / len(column)) or 1.0
            for column, centre in zip(columns, centres)
        )
        result = Space([], centres, spreads)
        result.pool.extend(Candidate(i, zones.get(i) or "", result.standardise(point)) for i, point in raw)
        result.index()
        return result

    return compute()


def zones_of(level: str) -> dict[int, str]:
    """Each territory's zone; an EPCI (the source gives it none) takes its communes' zone
    when they share one."""
    zones = dict(Territory.objects.current().filter(level=level).values_list("id", "zone"))
    if level != Level.COMMUNE and not all(zones.values()):
        found: dict[int, set[str]] = defaultdict(set)
        links = TerritoryLink.objects.filter(ancestor__level=level, descendant_level=Level.COMMUNE)
        for ancestor_id, zone in links.values_list("ancestor_id", "descendant__zone"):
            found[ancestor_id].add(zone)
        for territory_id, zone in zones.items():
            if not zone and len(found[territory_id]) == 1:
                zones[territory_id] = next(iter(found[territory_id]))
    return zones


def comparison_level(territory: Territory) -> str:
    return Level.EPCI if territory.level == Level.PROJECT else territory.level


def suggested_peers(territory: Territory, count: int = PEER_COUNT) -> list[Territory]:
    level_space = space(comparison_level(territory))
    if level_space is None:
        return []
    mine = level_space.by_id.get(territory.pk)
    if mine is None:
        mine = own_point(territory, level_space)
    if mine is None:
        return []
    nearest = level_space.nearest(mine, count)
    by_id = Territory.objects.in_bulk([c.territory_id for c in nearest])
    return [by_id[c.territory_id] for c in nearest if c.territory_id in by_id]


def own_point(territory: Territory, level_space: Space) -> Candidate | None:
    """A territory outside the level's space (a project territory): its own figures,
    standardised like the level it is compared with."""
    values = dict(
        Value.objects.filter(territory=territory, indicator__code__in=FEATURES, value__isnull=False)
        .order_by("year").values_list("indicator__code", "value")
    )
    if len(values) < len(FEATURES):
        return None
    point = raw_point(*(values[code] for code in FEATURES))
    if not point:
        return None
    # Its zone is its communes' when they share one (a project drawn in metropolitan France
    # is compared with metropolitan EPCI only).
    zones = set(Territory.objects.inside(territory).filter(level=Level.COMMUNE).values_list("zone", flat=True))
    return Candidate(territory.pk, zones.pop() if len(zones) == 1 else "", level_space.standardise(point))


@dataclass
class PeerFigure:
    median: float | None
    low: float | None
    high: float | None
    with_data: int
    peers: int

    @property
    def shown(self) -> bool:
        return self.median is not None


def peer_figures(peers: list[Territory], keys: list[tuple[int, int]]) -> dict[tuple[int, int], PeerFigure]:
    """Median and range (min–max) of the peers for each (indicator, year), under the
    coverage rule."""
    if not peers:
        return {}
    values: dict[tuple[int, int], list[float]] = {key: [] for key in keys}
    rows = Value.objects.filter(
        territory__in=peers, indicator_id__in={key[0] for key in keys}, year__in={key[1] for key in keys}, value__isnull=False
    ).values_list("indicator_id", "year", "value")
    for indicator_id, year, value in rows:
        if (indicator_id, year) in values:
            values[(indicator_id, year)].append(value)
    result = {}
    for key, found in values.items():
        enough = len(found) >= PEER_COVERAGE_RULE * len(peers)
        result[key] = PeerFigure(
            median=median(found) if enough and found else None,
            low=min(found) if enough and found else None,
            high=max(found) if enough and found else None,
            with_data=len(found),
            peers=len(peers),
        )
    return result
