"""Values up the hierarchy, by each indicator's rule, stored so pages never compute them.

From the indicator's base level (communes for most, départements for the age and
unemployment series) to every territory that contains it: EPCI, département, région and
project territories, through the stored containment links (one ``GROUP BY`` per
indicator), and to France (métropolitaine, and entière) in ``NationalValue``.

* ``sum``: the sum of the known values; coverage = population of the territories with a
  known value ÷ population of the territory.
* ``weighted_mean``: Σ(value × population) ÷ Σ(population) over the known values, with the
  same coverage.
* ``ratio``: ``scale × numerator ÷ denominator``, each already summed, at every level
  (the base level too); its coverage is the smaller of the two.
* ``published``: the producer publishes every level itself; nothing is computed.
"""

from __future__ import annotations

from typing import Callable

from django.db import connection, transaction

from observatory.models import Aggregation, Indicator, NationalValue, Run, Scope, Value
from territories.models import Territory, TerritoryLink

V = Value._meta.db_table
N = NationalValue._meta.db_table
T = Territory._meta.db_table
L = TerritoryLink._meta.db_table

COVERAGE = (
    "CASE WHEN COALESCE(a.population, 0) = 0 THEN NULL ELSE "
    "SUM(CASE WHEN v.value IS NOT NULL THEN d.population ELSE 0 END) * 1.0 / a.population END"
)
AGGREGATES = {
    Aggregation.SUM: "SUM(v.value)",
    Aggregation.WEIGHTED_MEAN: (
        "SUM(v.value * d.population) / NULLIF(SUM(CASE WHEN v.value IS NOT NULL THEN d.population END), 0)"
    ),
}
NATIONAL_COVERAGE = (
    "SUM(CASE WHEN v.value IS NOT NULL THEN d.population ELSE 0 END) * 1.0 / NULLIF(SUM(d.population), 0)"
)


def ordered(indicators: list[Indicator]) -> list[Indicator]:
    """Counts and means before the ratios that read them."""
    return sorted(indicators, key=lambda indicator: indicator.aggregation == Aggregation.RATIO)


def aggregate(indicators: list[Indicator] | None = None, progress: Callable[[Indicator], None] | None = None) -> int:
    """Recompute every computed value of ``indicators`` (all by default); returns the
    number of values written. One transaction: pages see the old figures or the new ones."""
    chosen = ordered(list(indicators if indicators is not None else Indicator.objects.all()))
    written = 0
    with transaction.atomic():
        for indicator in chosen:
            written += aggregate_indicator(indicator)
            if progress:
                progress(indicator)
        Run.objects.create(kind=Run.Kind.AGGREGATE, values_written=written)
    return written


def aggregate_indicator(indicator: Indicator) -> int:
    Value.objects.filter(indicator=indicator, is_computed=True).delete()
    if indicator.aggregation != Aggregation.PUBLISHED:
        NationalValue.objects.filter(indicator=indicator).delete()
    with connection.cursor() as cursor:
        if indicator.aggregation in AGGREGATES:
            cursor.execute(up_the_hierarchy_sql(indicator.aggregation), [indicator.pk, indicator.base_level])
            written = cursor.rowcount
            # Populations of different vintages can put a territory a hair above 100 %.
            cursor.execute(f"UPDATE {V} SET coverage = 1 WHERE indicator_id = %s AND coverage > 1", [indicator.pk])
            for scope, zone_filter in ((Scope.METRO, "AND d.zone = 'metro'"), (Scope.FRANCE, "")):
                cursor.execute(national_sql(indicator.aggregation, zone_filter), [scope, indicator.pk, indicator.base_level])
            return written
        if indicator.aggregation == Aggregation.RATIO:
            params = [indicator.pk, indicator.scale, indicator.numerator_id, indicator.denominator_id]
            cursor.execute(ratio_sql(), params)
            written = cursor.rowcount
            cursor.execute(national_ratio_sql(), params)
            return written
    return 0


def up_the_hierarchy_sql(rule: str) -> str:
    return f"""
        INSERT INTO {V} (indicator_id, territory_id, level, year, value, coverage, is_computed)
        SELECT v.indicator_id, l.ancestor_id, a.level, v.year, {AGGREGATES[rule]}, {COVERAGE}, TRUE
        FROM {V} v
        JOIN {L} l ON l.descendant_id = v.territory_id
        JOIN {T} a ON a.id = l.ancestor_id
        JOIN {T} d ON d.id = v.territory_id
        WHERE v.indicator_id = %s AND v.level = %s AND v.is_computed = FALSE AND a.is_obsolete = FALSE
        GROUP BY v.indicator_id, l.ancestor_id, a.level, a.population, v.year
    """


def national_sql(rule: str, zone_filter: str) -> str:
    return f"""
        INSERT INTO {N} (scope, indicator_id, year, value, coverage)
        SELECT %s, v.indicator_id, v.year, {AGGREGATES[rule]}, {NATIONAL_COVERAGE}
        FROM {V} v JOIN {T} d ON d.id = v.territory_id
        WHERE v.indicator_id = %s AND v.level = %s AND v.is_computed = FALSE {zone_filter}
        GROUP BY v.indicator_id, v.year
    """


SMALLER_COVERAGE = (
    "CASE WHEN n.coverage IS NULL THEN d.coverage WHEN d.coverage IS NULL THEN n.coverage "
    "WHEN n.coverage < d.coverage THEN n.coverage ELSE d.coverage END"
)
RATIO_VALUE = "CASE WHEN d.value = 0 THEN NULL ELSE %s * n.value / d.value END"


def ratio_sql() -> str:
    return f"""
        INSERT INTO {V} (indicator_id, territory_id, level, year, value, coverage, is_computed)
        SELECT %s, n.territory_id, n.level, n.year, {RATIO_VALUE}, {SMALLER_COVERAGE}, TRUE
        FROM {V} n JOIN {V} d ON d.territory_id = n.territory_id AND d.year = n.year
        WHERE n.indicator_id = %s AND d.indicator_id = %s
    """


def national_ratio_sql() -> str:
    return f"""
        INSERT INTO {N} (indicator_id, scope, year, value, coverage)
        SELECT %s, n.scope, n.year, {RATIO_VALUE}, {SMALLER_COVERAGE}
        FROM {N} n JOIN {N} d ON d.scope = n.scope AND d.year = n.year
        WHERE n.indicator_id = %s AND d.indicator_id = %s
    """


def aggregate_territory(territory: Territory) -> int:
    """The computed values of one territory alone (a project territory drawn after the last
    full aggregation, or redrawn), without touching the others."""
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        Value.objects.filter(territory=territory, is_computed=True).delete()
        for indicator in ordered(list(Indicator.objects.all())):
            if indicator.aggregation in AGGREGATES:
                sql = up_the_hierarchy_sql(indicator.aggregation).replace(
                    "AND a.is_obsolete = FALSE", "AND a.is_obsolete = FALSE AND l.ancestor_id = %s"
                )
                cursor.execute(sql, [indicator.pk, indicator.base_level, territory.pk])
                written += cursor.rowcount
            elif indicator.aggregation == Aggregation.RATIO:
                sql = ratio_sql() + " AND n.territory_id = %s"
                cursor.execute(sql, [indicator.pk, indicator.scale, indicator.numerator_id, indicator.denominator_id, territory.pk])
                written += cursor.rowcount
    return written
