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
from dataclasses import dataclass
from statistics import median, pstdev

from observatory.cache import cached
from observatory.models import Value
from territories.models import Level, Territory

PEER_COUNT = 5
MAX_PEERS = 12
PEER_COVERAGE_RULE = 0.75
FEATURES = ("population", "densite", "niveau_vie_median")


@dataclass(frozen=True)
class Candidate:
    territory_id: int
    zone: str
    point: tuple[float, float, float]


def latest_values(level: str, code: str) -> dict[int, float]:
    rows = (
        Value.objects.filter(level=level, indicator__code=code, value__isnull=False)
        .order_by("territory_id", "year")
        .values_list("territory_id", "value")
    )
    return dict(rows)  # the last year wins


@dataclass(frozen=True)
class Space:
    """The standardised points of a level, and the centre and spread used to standardise."""

    pool: list[Candidate]
    centres: tuple[float, ...]
    spreads: tuple[float, ...]

    def standardise(self, point: tuple[float, ...]) -> tuple[float, ...]:
        return tuple((x - c) / s for x, c, s in zip(point, self.centres, self.spreads))


def raw_point(population: float, density: float, income: float) -> tuple[float, float, float] | None:
    if population <= 0 or density <= 0:
        return None
    return (math.log(population), math.log(density), income)


def space(level: str) -> Space | None:
    @cached(f"peers:{level}")
    def compute():
        population, density, income = (latest_values(level, code) for code in FEATURES)
        zones = dict(Territory.objects.current().filter(level=level).values_list("id", "zone"))
        raw = []
        for territory_id in population.keys() & density.keys() & income.keys():
            point = raw_point(population[territory_id], density[territory_id], income[territory_id])
            if point:
                raw.append((territory_id, point))
        if len(raw) < 2:
            return None
        columns = list(zip(*(point for _, point in raw)))
        centres = tuple(sum(column) / len(column) for column in columns)
        spreads = tuple(pstdev(column) or 1.0 for column in columns)
        result = Space([], centres, spreads)
        result.pool.extend(Candidate(i, zones.get(i) or "", result.standardise(point)) for i, point in raw)
        return result

    return compute()


def comparison_level(territory: Territory) -> str:
    return Level.EPCI if territory.level == Level.PROJECT else territory.level


def suggested_peers(territory: Territory, count: int = PEER_COUNT) -> list[Territory]:
    level_space = space(comparison_level(territory))
    if level_space is None:
        return []
    mine = next((c for c in level_space.pool if c.territory_id == territory.pk), None)
    if mine is None:
        mine = own_point(territory, level_space)
    if mine is None:
        return []
    others = [c for c in level_space.pool if c.territory_id != territory.pk and (not mine.zone or c.zone == mine.zone)]
    nearest = sorted(others, key=lambda c: math.dist(c.point, mine.point))[:count]
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
    return Candidate(territory.pk, "", level_space.standardise(point)) if point else None


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
