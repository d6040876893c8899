"""Ratios at their base level, written with the values they read.

A commune's unemployment rate is the ratio of the commune's own two counts: it changes
when they change, and only then. So ``store.write_source_values`` writes it with them: for
every ratio that reads a slice (indicator, year, level) being written, at the ratio's base
level, that year's ratios are computed here, from the rows being written and, for a part
not among them, from the stored rows. An import of one year recomputes that year's rates,
not every year's. ``aggregation.aggregate()`` computes the levels above.

The value is the one ``aggregation.ratio_sql`` computes (``scale × numerator ÷
denominator``, blank when either part is blank or the denominator is zero), wherever both
parts have a row. Its coverage is blank, as the base level's values have none.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from observatory.models import Aggregation, Indicator, Value

V = Value._meta.db_table

# (indicator_id, territory_id, level, year, value, is_computed): the rows the store writes.
Row = tuple


def by_depth(ratios) -> list[Indicator]:
    """Ratios of counts first, then the ratios that read them, and so on."""
    by_pk = {ratio.pk: ratio for ratio in ratios}

    def depth(pk: int) -> int:
        ratio = by_pk.get(pk)
        return 0 if ratio is None else 1 + max(depth(ratio.numerator_id), depth(ratio.denominator_id))

    return sorted(by_pk.values(), key=lambda ratio: (depth(ratio.pk), ratio.pk))


def ratio_rows(rows: list[Row], slices: set[tuple[int, int, str]]) -> tuple[list[Row], set[tuple[int, int, str]]]:
    """The ratio rows that go with ``rows``, whose slices are ``slices`` (indicator, year,
    level), and the slices of those ratio rows (to be replaced whole)."""
    years_of: dict[tuple[int, str], set[int]] = defaultdict(set)
    for indicator_id, year, level in slices:
        years_of[(indicator_id, level)].add(year)
    ratios = Indicator.objects.filter(aggregation=Aggregation.RATIO).only(
        "pk", "numerator_id", "denominator_id", "scale", "base_level")
    chosen = []
    for ratio in by_depth(ratios):
        level = ratio.base_level
        years = years_of[(ratio.numerator_id, level)] | years_of[(ratio.denominator_id, level)]
        if years:
            chosen.append((ratio, level, sorted(years)))
            years_of[(ratio.pk, level)].update(years)  # a ratio reading this one follows it
    if not chosen:
        return [], set()

    # The parts' values (territory → value) by (indicator, level, year): the slices being
    # written, from ``rows`` (their stored rows are about to be replaced); the ratios
    # computed here, as they are; the other slices, from the database.
    written_here = {(indicator_id, level, year) for indicator_id, year, level in slices}
    computed_here = {(ratio.pk, level, year) for ratio, level, years in chosen for year in years}
    values: dict[tuple[int, str, int], dict[int, float | None]] = {}
    for ratio, level, years in chosen:
        for part in (ratio.numerator_id, ratio.denominator_id):
            for year in years:
                key = (part, level, year)
                if key in written_here:
                    values[key] = {}
                elif key not in computed_here and key not in values:
                    values[key] = stored(part, level, year)
    for indicator_id, territory_id, level, year, value, _computed in rows:
        found = values.get((indicator_id, level, year))
        if found is not None:
            found[territory_id] = value

    out: list[Row] = []
    append = out.append
    written: set[tuple[int, int, str]] = set()
    for ratio, level, years in chosen:
        scale = ratio.scale
        for year in years:
            numerators = values.get((ratio.numerator_id, level, year)) or {}
            denominators = values.get((ratio.denominator_id, level, year)) or {}
            mine = values[(ratio.pk, level, year)] = {}
            for territory_id, n in numerators.items():
                if territory_id not in denominators:
                    continue
                d = denominators[territory_id]
                value = None if n is None or d is None or d == 0 else scale * n / d
                mine[territory_id] = value
                append((ratio.pk, territory_id, level, year, value, True))
            written.add((ratio.pk, year, level))
    return out, written


def stored(indicator_id: int, level: str, year: int) -> dict[int, float | None]:
    """A stored slice's values by territory (through the slice index)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT territory_id, value FROM {V} WHERE indicator_id = %s AND year = %s AND level = %s",
                       [indicator_id, year, level])
        return dict(cursor.fetchall())
