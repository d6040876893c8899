"""Values up the hierarchy, by each indicator's rule, stored so pages never compute them.

From the indicator's base level (communes for most, départements for the age and
unemployment series) to every territory that contains it: EPCI, département, région and
project territories, through the stored containment links (one ``GROUP BY`` per
indicator), and to France (métropolitaine, and entière) in ``NationalValue``, whose
coverage is over every current territory of the base level in the zone (those without a
row included, as a territory's coverage is over its whole population).

* ``sum``: the sum of the known values; coverage = population of the territories with a
  known value ÷ population of the territory.
* ``weighted_mean``: Σ(value × population) ÷ Σ(population) over the known values, with the
  same coverage.
* ``ratio``: ``scale × numerator ÷ denominator``, each already summed, at every level; its
  coverage is the smaller of the two. At the base level a ratio reads only the territory's
  own two source values: it is written with them, by ``store.write_source_values``
  (``observatory/ratios.py``); ``aggregate()`` computes the levels above.
* ``published``: the producer publishes every level itself; nothing is computed.

Speed (``bench/observatory.py``): each ancestor's row is read once per group, not once per
value; France is summed from the départements' values just computed (a hundred rows a
year, not 35,000 communes: every commune is in exactly one département); and all the
ratios are written by one statement, in (territory, year) order, so that their rows walk
the indexes that lead with the territory once, not once per ratio.
"""

from __future__ import annotations

from typing import Callable

from django.db import connection, transaction
from django.db.models import Min, Sum

from observatory.models import Aggregation, Indicator, NationalValue, Run, Scope, Value
from observatory.ratios import by_depth
from territories.models import Level, Territory, TerritoryLink

V = Value._meta.db_table
N = NationalValue._meta.db_table
T = Territory._meta.db_table
L = TerritoryLink._meta.db_table
I = Indicator._meta.db_table

AGGREGATES = {
    Aggregation.SUM: "SUM(v.value)",
    Aggregation.WEIGHTED_MEAN: (
        "SUM(v.value * d.population) / NULLIF(SUM(CASE WHEN v.value IS NOT NULL THEN d.population END), 0)"
    ),
}
# The parameter: the population of every current territory of the base level in the zone.
NATIONAL_COVERAGE = "SUM(CASE WHEN v.value IS NOT NULL THEN d.population ELSE 0 END) * 1.0 / NULLIF(%s, 0)"


def ordered(indicators: list[Indicator]) -> list[Indicator]:
    """Counts and means before the ratios that read them."""
    return sorted(indicators, key=lambda indicator: indicator.aggregation == Aggregation.RATIO)


def aggregate(indicators: list[Indicator] | None = None, progress: Callable[[Indicator], None] | None = None) -> int:
    """Recompute every computed value of ``indicators`` (all by default); returns the
    number of values written. One transaction: pages see the old figures or the new ones."""
    chosen = ordered(list(indicators if indicators is not None else Indicator.objects.all()))
    rules = dict(Indicator.objects.values_list("pk", "aggregation"))
    # The ratios of counts and means are computed together, after them, in one statement
    # (``ratios_sql``); a ratio of ratios after that, alone.
    together = [
        i for i in chosen
        if i.aggregation == Aggregation.RATIO and Aggregation.RATIO not in (rules.get(i.numerator_id), rules.get(i.denominator_id))
    ]
    written, totals = 0, {}
    with transaction.atomic():
        for indicator in chosen:
            if indicator.aggregation != Aggregation.RATIO:
                written += aggregate_indicator(indicator, totals)
                if progress:
                    progress(indicator)
        written += aggregate_ratios(together)
        for indicator in chosen:
            if indicator in together and progress:
                progress(indicator)
        # Ratios of ratios, each after the ratios it reads.
        for indicator in by_depth(i for i in chosen if i.aggregation == Aggregation.RATIO and i not in together):
            written += aggregate_indicator(indicator)
            if progress:
                progress(indicator)
        Run.objects.create(kind=Run.Kind.AGGREGATE, values_written=written)
    return written


def aggregate_ratios(ratios: list[Indicator]) -> int:
    """Several ratios at once: their values at every level in one ``INSERT … SELECT``, whose
    rows come out in (territory, year) order. Inserted one indicator at a time, each ratio's
    rows (one per commune and year) would walk the whole of the two indexes that lead with
    the territory, once per ratio; together, once."""
    if not ratios:
        return 0
    ids = [indicator.pk for indicator in ratios]
    for indicator in ratios:
        delete_aggregated(indicator)
    NationalValue.objects.filter(indicator_id__in=ids).delete()
    with connection.cursor() as cursor:
        cursor.execute(ratios_sql(len(ids)), ids)
        written = cursor.rowcount
        for indicator in ratios:
            cursor.execute(national_ratio_sql(), [indicator.pk, indicator.scale, indicator.numerator_id, indicator.denominator_id])
    return written


def delete_aggregated(indicator: Indicator) -> None:
    """The values ``aggregate()`` writes: the indicator's values at every level but its base
    level, found through the slice index (indicator, year, level) by its years and those
    levels, without stepping over the base level's entries (350,000 an indicator at full
    size)."""
    others = [level for level in Level.values if level != indicator.base_level]
    Value.objects.filter(indicator=indicator, year__in=stored_years(indicator), level__in=others).delete()


def stored_years(indicator: Indicator) -> list[int]:
    """The years the indicator has values for: one index seek a year (the next year after
    the last one found), not a walk over its values."""
    years: list[int] = []
    values = Value.objects.filter(indicator=indicator)
    while (year := values.filter(year__gt=years[-1] if years else -1).aggregate(Min("year"))["year__min"]) is not None:
        years.append(year)
    return years


def aggregate_indicator(indicator: Indicator, totals: dict | None = None) -> int:
    if indicator.aggregation == Aggregation.PUBLISHED:
        return 0  # every level is a source value
    delete_aggregated(indicator)
    NationalValue.objects.filter(indicator=indicator).delete()
    with connection.cursor() as cursor:
        if indicator.aggregation in AGGREGATES:
            cursor.execute(up_the_hierarchy_sql(indicator.aggregation), [indicator.pk, indicator.base_level])
            written = cursor.rowcount
            from_departements = indicator.base_level == Level.COMMUNE
            for scope, metro_only in ((Scope.METRO, True), (Scope.FRANCE, False)):
                sql = (national_from_departements_sql if from_departements else national_sql)(indicator.aggregation, metro_only)
                total = population_total(indicator.base_level, metro_only, totals)
                if from_departements:
                    cursor.execute(sql, [scope, total, Level.DEPARTEMENT, indicator.pk])
                else:
                    cursor.execute(sql, [scope, total, indicator.pk, indicator.base_level])
            return written
        if indicator.aggregation == Aggregation.RATIO:
            cursor.execute(ratio_sql("AND v.level <> %s"), ratio_params(indicator, indicator.base_level))
            written = cursor.rowcount
            cursor.execute(national_ratio_sql(), [indicator.pk, indicator.scale, indicator.numerator_id, indicator.denominator_id])
            return written
    return 0


# A computed value's rank among the territories of its level that year (1 + how many are
# higher: ties share a rank) and how many have a value; as ``store.with_ranks`` does for the
# source values. Blanks and project territories are not ranked.
UNRANKED = f"x.value IS NULL OR x.level = '{Level.PROJECT.value}'"
# The count over the same window as the rank, so that one sort serves both.
WHOLE_PARTITION = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"


def ranked_insert(select: str, in_order: str = "") -> str:
    """``INSERT`` of the computed values a ``SELECT`` gives (indicator_id, territory_id, level,
    year, value, coverage), each with its rank and count. Every statement writes all the
    computed values of its indicators, so each window holds a whole level and year. The
    rows come out of the window in (indicator, year, level, value) order, unless
    ``in_order`` names another."""
    order = f"ORDER BY {in_order}" if in_order else ""
    return f"""
        INSERT INTO {V} (indicator_id, territory_id, level, year, value, coverage, is_computed, level_rank, level_count)
        SELECT x.indicator_id, x.territory_id, x.level, x.year, x.value, x.coverage, TRUE,
               CASE WHEN {UNRANKED} THEN NULL ELSE RANK() OVER ranked END,
               CASE WHEN {UNRANKED} THEN NULL ELSE COUNT(x.value) OVER (ranked {WHOLE_PARTITION}) END
        FROM ({select}) x
        WINDOW ranked AS (PARTITION BY x.indicator_id, x.year, x.level ORDER BY x.value DESC NULLS LAST)
        {order}
    """


# Populations of different vintages can put a territory a hair above 100 %: 1 then.
CLIPPED_COVERAGE = (
    "CASE WHEN COALESCE(a.population, 0) = 0 THEN NULL WHEN g.known >= a.population THEN 1.0 "
    "ELSE g.known * 1.0 / a.population END"
)


def up_the_hierarchy_sql(rule: str, one_ancestor: bool = False) -> str:
    """Each ancestor's value and the population its known values cover, grouped first; the
    ancestor's own row (level, population, obsolete) is read once per group, not per value.
    With ``one_ancestor``, a third parameter restricts it to that ancestor."""
    # One ancestor: its links first (SQLite keeps the order of a CROSS JOIN), then each
    # commune's row through the unique index, not every value of the indicator.
    values_and_links = (
        f"{L} l CROSS JOIN {V} v" if one_ancestor else f"{V} v JOIN {L} l ON l.descendant_id = v.territory_id"
    )
    only = "AND l.descendant_id = v.territory_id AND l.ancestor_id = %s" if one_ancestor else ""
    return ranked_insert(f"""
        SELECT g.indicator_id, g.ancestor_id AS territory_id, a.level, g.year, g.value, {CLIPPED_COVERAGE} AS coverage
        FROM (
            SELECT v.indicator_id, l.ancestor_id, v.year, {AGGREGATES[rule]} AS value,
                   SUM(CASE WHEN v.value IS NOT NULL THEN d.population ELSE 0 END) AS known
            FROM {values_and_links}
            JOIN {T} d ON d.id = v.territory_id
            WHERE v.indicator_id = %s AND v.level = %s AND v.is_computed = FALSE {only}
            GROUP BY v.indicator_id, l.ancestor_id, v.year
        ) g
        JOIN {T} a ON a.id = g.ancestor_id
        WHERE a.is_obsolete = FALSE
    """)


def population_total(level: str, metro_only: bool, totals: dict | None = None) -> int | None:
    """Population of every current territory of ``level`` in the zone: what France's coverage
    divides by (memoised in ``totals`` for one aggregation)."""
    key = (level, metro_only)
    if totals is None or key not in totals:
        territories = Territory.objects.current().filter(level=level)
        if metro_only:
            territories = territories.filter(zone="metro")
        total = territories.aggregate(total=Sum("population"))["total"]
        if totals is None:
            return total
        totals[key] = total
    return totals[key]


def national_sql(rule: str, metro_only: bool) -> str:
    """France's value from the base level's values; its coverage divides by the population of
    every current territory of the base level in the zone (``population_total``), not only of
    those that have a row. Parameters: scope, that population, indicator, base level."""
    zone = "AND d.zone = 'metro'" if metro_only else ""
    return f"""
        INSERT INTO {N} (scope, indicator_id, year, value, coverage)
        SELECT %s, v.indicator_id, v.year, {AGGREGATES[rule]}, {NATIONAL_COVERAGE}
        FROM {V} v JOIN {T} d ON d.id = v.territory_id
        WHERE v.indicator_id = %s AND v.level = %s AND v.is_computed = FALSE {zone}
        GROUP BY v.indicator_id, v.year
    """


# A département's known population: its coverage × its population (its communes with a
# known value). Département populations are the sums of their communes, so the coverage is
# never clipped there and the product is exact.
KNOWN = "v.coverage * d.population"
FROM_DEPARTEMENTS = {
    Aggregation.SUM: "SUM(v.value)",
    Aggregation.WEIGHTED_MEAN: f"SUM(v.value * {KNOWN}) / NULLIF(SUM(CASE WHEN v.value IS NOT NULL THEN {KNOWN} END), 0)",
}


def national_from_departements_sql(rule: str, metro_only: bool) -> str:
    """France's value from the départements' computed values (about a hundred rows a year)
    instead of the 35,000 communes': every commune lies in exactly one département, so the
    sums and the population-weighted means are the same. Parameters: scope, the population
    of the base level in the zone (``population_total``), the level read (département),
    indicator."""
    zone = "AND d.zone = 'metro'" if metro_only else ""
    # The départements first (SQLite keeps the order of a CROSS JOIN), then each one's rows
    # through the unique index: not every row of the indicator to find theirs.
    return f"""
        INSERT INTO {N} (scope, indicator_id, year, value, coverage)
        SELECT %s, v.indicator_id, v.year, {FROM_DEPARTEMENTS[rule]},
               SUM(CASE WHEN v.value IS NOT NULL THEN {KNOWN} ELSE 0 END) * 1.0 / NULLIF(%s, 0)
        FROM {T} d
        CROSS JOIN {V} v
        WHERE d.level = %s AND d.is_obsolete = FALSE {zone}
          AND v.territory_id = d.id AND v.indicator_id = %s AND v.is_computed = TRUE
        GROUP BY v.indicator_id, v.year
    """


SMALLER_COVERAGE = (
    "CASE WHEN n.coverage IS NULL THEN d.coverage WHEN d.coverage IS NULL THEN n.coverage "
    "WHEN n.coverage < d.coverage THEN n.coverage ELSE d.coverage END"
)
RATIO_VALUE = "CASE WHEN d.value = 0 THEN NULL ELSE %s * n.value / d.value END"


def ratio_sql(restriction: str) -> str:
    """The ratio wherever both counts have a row among those ``restriction`` (an SQL condition
    on ``v``) keeps. The two counts are read in one pass and paired by a ``GROUP BY``
    (territory, year): a lookup of the denominator per row would wander through the whole
    unique index. Parameters: see ``ratio_params``."""
    part = "CASE WHEN v.indicator_id = %s THEN v.{} END"
    return ranked_insert(f"""
        SELECT %s AS indicator_id, r.territory_id, r.level, r.year,
               CASE WHEN r.d = 0 THEN NULL ELSE %s * r.n / r.d END AS value,
               CASE WHEN r.nc IS NULL THEN r.dc WHEN r.dc IS NULL THEN r.nc WHEN r.nc < r.dc THEN r.nc ELSE r.dc END AS coverage
        FROM (
            SELECT v.territory_id, MAX(v.level) AS level, v.year,
                   SUM({part.format("value")}) AS n, SUM({part.format("value")}) AS d,
                   MIN({part.format("coverage")}) AS nc, MIN({part.format("coverage")}) AS dc,
                   COUNT({part.format("id")}) AS has_n, COUNT({part.format("id")}) AS has_d
            FROM {V} v
            WHERE v.indicator_id IN (%s, %s) {restriction}
            GROUP BY v.territory_id, v.year
        ) r
        WHERE r.has_n > 0 AND r.has_d > 0
    """)


def ratios_sql(count: int) -> str:
    """``ratio_sql`` above the base level for ``count`` ratio indicators (their ids are the
    parameters)."""
    part = "CASE WHEN v.indicator_id = q.{} THEN v.{} END"
    return ranked_insert(f"""
        SELECT r.ratio_id AS indicator_id, r.territory_id, r.level, r.year,
               CASE WHEN r.d = 0 THEN NULL ELSE r.scale * r.n / r.d END AS value,
               CASE WHEN r.nc IS NULL THEN r.dc WHEN r.dc IS NULL THEN r.nc WHEN r.nc < r.dc THEN r.nc ELSE r.dc END AS coverage
        FROM (
            SELECT q.id AS ratio_id, MAX(q.scale) AS scale, v.territory_id, MAX(v.level) AS level, v.year,
                   SUM({part.format("numerator_id", "value")}) AS n, SUM({part.format("denominator_id", "value")}) AS d,
                   MIN({part.format("numerator_id", "coverage")}) AS nc, MIN({part.format("denominator_id", "coverage")}) AS dc,
                   COUNT({part.format("numerator_id", "id")}) AS has_n, COUNT({part.format("denominator_id", "id")}) AS has_d
            FROM {I} q
            JOIN {V} v ON v.indicator_id IN (q.numerator_id, q.denominator_id) AND v.level <> q.base_level
            WHERE q.id IN ({", ".join(["%s"] * count)})
            GROUP BY v.territory_id, v.year, q.id
        ) r
        WHERE r.has_n > 0 AND r.has_d > 0
    """, in_order="x.territory_id, x.year")


def ratio_params(indicator: Indicator, *restriction) -> list:
    """``ratio_sql``'s parameters, then those of its ``restriction``."""
    num, den = indicator.numerator_id, indicator.denominator_id
    return [indicator.pk, indicator.scale, num, den, num, den, num, den, num, den, *restriction]


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
                sql = up_the_hierarchy_sql(indicator.aggregation, one_ancestor=True)
                cursor.execute(sql, [indicator.pk, indicator.base_level, territory.pk])
                written += cursor.rowcount
            elif indicator.aggregation == Aggregation.RATIO:
                cursor.execute(ratio_sql("AND v.territory_id = %s"), ratio_params(indicator, territory.pk))
                written += cursor.rowcount
    return written
