"""Writing source values: the one path used by the reference loader and by the user
import, so both combine, resolve and replace values the same way.

Values are written for whole (indicator, year, level) slices: the source values already
stored for a slice are replaced by the new ones, and the ratios that read a slice are
computed again at its level and year and written with it (``observatory/ratios.py``); the
levels above are left to the aggregation. As a slice is written whole, each value's rank
within its level and year is computed here and written with it (``Value.level_rank``).
Everything happens in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable

from django.db import connection

from observatory.communes import current_commune_codes
from observatory.models import Aggregation, Indicator, NationalValue, Value
from observatory.ratios import ratio_rows
from observatory.sources import NATIONAL, SourceValue
from territories.models import Level, Territory

INSERT_BATCH = 5000


@dataclass
class WriteReport:
    written: int = 0
    national: int = 0
    ratios: int = 0  # the ratios at the base level, written with the slices they read
    # (level, code) of the rows that name no current territory, with how many rows each.
    unknown: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    slices: set[tuple[int, int, str]] = field(default_factory=set)


def combine(pieces: list[tuple[float | None, float | None]], rule: str) -> float | None:
    """Several producer rows that fall into one current commune (a commune nouvelle): counts
    add up; rates are averaged with each row's weight. Unpublished pieces are left out; when
    nothing is published, the result stays unpublished."""
    known = [(value, weight) for value, weight in pieces if value is not None]
    if not known:
        return None
    if len(known) == 1:
        return known[0][0]
    if rule in {Aggregation.SUM, Aggregation.RATIO}:
        return sum(value for value, _ in known)
    weighted = [(value, weight) for value, weight in known if weight]
    if not weighted:
        return sum(value for value, _ in known) / len(known)
    return sum(value * weight for value, weight in weighted) / sum(weight for _, weight in weighted)


def territory_ids(level: str) -> dict[str, int]:
    return dict(Territory.objects.current().filter(level=level).values_list("code", "id"))


def write_source_values(rows: Iterable[SourceValue], indicators: dict[str, Indicator]) -> WriteReport:
    report = WriteReport()
    communes = current_commune_codes()
    # (indicator, level, code, year) → its one (value, weight), or the list of them when
    # several rows fall into one current commune. The loops below are the hot path of a
    # million-value import: no per-row allocation beyond the key and the piece.
    grouped: dict[tuple[str, str, str, int], tuple | list] = {}
    setdefault = grouped.setdefault
    commune = Level.COMMUNE.value
    for indicator_code, level, code, year, value, weight in rows:
        if level == commune:
            code = communes.get(code, code)
            if code is None:  # a municipal arrondissement: its commune is in the file too
                continue
        piece = (value, weight)
        found = setdefault((indicator_code, level, code, year), piece)
        if found is not piece:
            if found.__class__ is list:
                found.append(piece)
            else:
                grouped[(indicator_code, level, code, year)] = [found, piece]

    ids = {level: territory_ids(level) for level in {key[1] for key in grouped} if level != NATIONAL}
    rules = {code: (indicator.pk, indicator.aggregation) for code, indicator in indicators.items()}
    values: list[tuple] = []
    append = values.append
    national: list[NationalValue] = []
    slices = report.slices
    for (code_indicator, level, code, year), pieces in grouped.items():
        pk, rule = rules[code_indicator]
        value = pieces[0] if pieces.__class__ is tuple else combine(pieces, rule)
        if level == NATIONAL:
            national.append(NationalValue(indicator=indicators[code_indicator], scope=code, year=year, value=value))
            continue
        territory_id = ids[level].get(code)
        if territory_id is None:
            report.unknown[(level, code)] += 1
            continue
        slices.add((pk, year, level))
        append((pk, territory_id, level, year, value, False))
    del grouped

    report.written = len(values)
    ratios, ratio_slices = ratio_rows(values, report.slices)
    report.ratios = len(ratios)
    delete_slices(report.slices, computed=False)
    delete_slices(ratio_slices, computed=True)
    values.extend(ratios)
    del ratios
    insert_values(with_ranks(values))
    for item in national:
        NationalValue.objects.update_or_create(
            indicator=item.indicator, scope=item.scope, year=item.year, defaults={"value": item.value, "coverage": None}
        )
    report.national = len(national)
    return report


def delete_slices(slices: set[tuple[int, int, str]], computed: bool) -> None:
    """The stored values of each slice (indicator, year, level): the source values, or the
    computed ones (the ratios at the base level)."""
    by_indicator_level: dict[tuple[int, str], list[int]] = defaultdict(list)
    for indicator_id, year, level in slices:
        by_indicator_level[(indicator_id, level)].append(year)
    for (indicator_id, level), years in by_indicator_level.items():
        Value.objects.filter(indicator_id=indicator_id, level=level, year__in=years, is_computed=computed).delete()


def with_ranks(rows: list[tuple]) -> list[tuple]:
    """Each row (indicator_id, territory_id, level, year, value, is_computed) followed by its
    rank among the known values of its slice (1 + how many are higher: ties share a rank)
    and the number of known values; a blank has neither. Rows keep their order."""
    by_slice: dict[tuple, list[float]] = defaultdict(list)
    for indicator_id, _territory, level, year, value, _computed in rows:
        if value is not None:
            by_slice[(indicator_id, year, level)].append(value)
    ranks: dict[tuple, tuple[dict[float, int], int]] = {}
    for key, known in by_slice.items():
        known.sort(reverse=True)
        first: dict[float, int] = {}
        for position, value in enumerate(known, 1):
            first.setdefault(value, position)
        ranks[key] = (first, len(known))
    ranked = []
    append = ranked.append
    for row in rows:
        value = row[4]
        if value is None:
            append(row + (None, None))
        else:
            first, count = ranks[(row[0], row[3], row[2])]
            append(row + (first[value], count))
    return ranked


def insert_values(rows: list[tuple]) -> None:
    """Plain multi-row inserts: the ORM's per-object work is most of the cost at a million
    rows. Each row is (indicator_id, territory_id, level, year, value, is_computed,
    level_rank, level_count)."""
    table = connection.ops.quote_name(Value._meta.db_table)
    sql = (f"INSERT INTO {table} (indicator_id, territory_id, level, year, value, is_computed, level_rank, level_count) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)")
    with connection.cursor() as cursor, larger_cache(cursor):
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


# SQLite's page cache while values are inserted, in KiB (the connection's own is 20 MB).
# Each row goes into the unique index (territory, indicator, year) at its territory's place,
# so a slice of 35,000 communes touches pages all over it; a ratio's rows, inserted after
# their count's, touch the same pages again. With 20 MB those pages have been written out
# in between; with 200 MB they are still there (bench/observatory.py: the inserts of the
# quick run 57 s → 47 s). The cache only grows as far as pages are touched, and SQLite frees
# them when the transaction ends (the C allocator keeps the memory for the process's reuse).
WRITE_CACHE_KIB = 200_000


@contextmanager
def larger_cache(cursor):
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    kept = int(cursor.fetchone()[0])
    cursor.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size={kept}")
