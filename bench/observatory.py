"""Benchmarks of the observatory: import of indicator values, aggregation up to France,
portrait page, PDF report.

Run from the project root:  .venv/bin/python bench/observatory.py   (or `make bench-observatory`)
                            .venv/bin/python bench/observatory.py --indicators 10 --years 10   (quick mode)

Everything happens in a scratch SQLite database in a temporary directory, removed at the
end; the project's own ``var/`` database is never touched. The official territories are
imported, project territories drawn, then a synthetic catalogue of ``--indicators``
source indicators (counts, rates, the peers' three figures) gets a value for every current
commune and each of ``--years`` years (100 × 10 × ~34,900 ≈ 35 million values by default):

1. import through ``observatory.store.write_source_values`` (one transaction per
   indicator, as an import does), beside a bare ``executemany`` of the same rows;
2. ``observatory.aggregation.aggregate()`` (every computed value up to France), beside a
   bare ``INSERT … SELECT … GROUP BY`` over the same links;
3. the portrait page through the Django test client for 500 territories of all levels,
   with the observatory's memo (``observatory/cache.py``) cleared before each request
   (cold) and filled (warm);
4. the PDF report of a région.

See bench/README.md. Timings are reported, never asserted: the script always exits 0 when
it ran.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import Table, migrated_scratch_database, ms, p50, p95, print_plans, progress, ratio, timed, verdict

SEED = 20261124
N_INDICATORS = 100
N_YEARS = 10
LAST_YEAR = 2023
N_PORTRAITS = 500
N_COLD_PER_LEVEL = 4
N_PDF = 3
N_PROJECTS = 20
N_NEW_PROJECTS = 5
SECRET_SHARE = 0.03  # rates and incomes left blank (statistical secrecy)

AGGREGATION_GOAL = 2.0  # aggregate() ÷ bare GROUP BY
PORTRAIT_P95_GOAL_MS = 150.0
PDF_GOAL_S = 3.0

LEVELS = ("region", "departement", "epci", "commune", "project")


# --------------------------------------------------------------------------------------
# Statement timing
# --------------------------------------------------------------------------------------


class QueryTimer:
    """A ``connection.execute_wrapper`` adding each statement's time to its group's total."""

    def __init__(self, groups):
        self.groups = groups
        self.totals: Counter = Counter()
        self.counts: Counter = Counter()
        self.first: dict[str, tuple] = {}

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            label = next((label for label, test in self.groups if test(sql)), "other")
            self.totals[label] += time.perf_counter() - start
            self.counts[label] += 1
            if not many and label not in self.first:
                self.first[label] = (sql, params)


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(row[-1] for row in cursor.fetchall())


# --------------------------------------------------------------------------------------
# 1. The synthetic catalogue and its values
# --------------------------------------------------------------------------------------


def make_catalogue(n: int) -> tuple[list, list]:
    """``n`` source indicators (the profile's four and the peers' income first, then counts
    and rates by fives: a numerator and a denominator read by a ratio, two rates, one count)
    and the ratios computed from them. Returns (source indicators, ratio indicators)."""
    from observatory.models import Indicator
    from taxonomy.models import Domain

    domains = list(Domain.objects.order_by("position"))
    poverty = next(d for d in domains if d.code == "pauvrete_precarite")
    common = {"producer": "Bench", "source": "Valeurs synthétiques du bench", "definition": "—", "vintage": "bench"}
    position = iter(range(1, 10 * n))

    def make(code, **fields):
        return Indicator.objects.create(code=code, name=code.replace("_", " "), position=next(position), **common, **fields)

    sources = [
        make("population", aggregation="sum", unit="habitants", decimals=0),
        make("superficie", aggregation="sum", unit="km²"),
        make("etablissements", aggregation="sum", unit="établissements", decimals=0),
        make("niveau_vie_median", aggregation="weighted_mean", domain=poverty, direction="higher_better", unit="€"),
    ][:n]
    ratios = []
    if n >= 2:
        ratios.append(make("densite", aggregation="ratio", numerator=sources[0], denominator=sources[1], scale=1))
    i = 0
    while len(sources) < n:
        domain = domains[i % len(domains)]
        kind = ("num", "den", "rate", "rate", "count")[i % 5]
        if kind in ("num", "den"):
            sources.append(make(f"compte_{i}", aggregation="sum", domain=domain, is_component=True, decimals=0))
            if kind == "den":
                numerator, denominator = sources[-2], sources[-1]
                ratios.append(make(f"taux_{i}", aggregation="ratio", domain=domain, numerator=numerator,
                                   denominator=denominator, scale=100, unit="%",
                                   direction=("higher_worse", "higher_better")[i % 2]))
        elif kind == "rate":
            sources.append(make(f"part_{i}", aggregation="weighted_mean", domain=domain, unit="%",
                                direction=("higher_worse", "higher_better")[(i // 5) % 2]))
        else:
            sources.append(make(f"effectif_{i}", aggregation="sum", domain=domain, decimals=0))
        i += 1
    return sources, ratios


def generate(indicator, communes: list[tuple[int, str, int]], years: list[int], rng: random.Random):
    """(SourceValue rows, the same rows as the tuples a bare insert writes)."""
    from observatory.sources import SourceValue

    code = indicator.code
    rows, tuples = [], []
    for territory_id, insee, population in communes:
        population = population or 50
        if code == "population":
            base = float(population)
        elif code == "superficie":
            base = round(rng.uniform(1, 100), 2)
        elif code == "niveau_vie_median":
            base = rng.uniform(15000, 30000)
        elif indicator.aggregation == "weighted_mean":
            base = rng.uniform(2, 40)
        else:
            base = population * rng.uniform(0.02, 0.4)
        secret = indicator.aggregation == "weighted_mean" and rng.random() < SECRET_SHARE
        for k, year in enumerate(years):
            value = None if secret else round(base * (1 + 0.01 * (k - len(years) / 2) * (code != "superficie")), 2)
            rows.append(SourceValue(code, "commune", insee, year, value))
            tuples.append((indicator.pk, territory_id, "commune", year, value, False))
    return rows, tuples


def draw_projects(rng: random.Random, n: int) -> list:
    """``n`` project territories: 5 to 60 communes of one département each."""
    from django.contrib.auth import get_user_model

    from territories.models import Level, Territory, TerritoryLink
    from territories.projects import save_project

    owner = get_user_model().objects.create_user(email="bench@example.org", password="bench-observatoire-2026")
    departements = list(Territory.objects.current().filter(level=Level.DEPARTEMENT, zone="metro"))
    projects = []
    for k in range(n):
        departement = rng.choice(departements)
        communes = list(TerritoryLink.objects.filter(ancestor=departement, descendant_level=Level.COMMUNE,
                                                     descendant__is_obsolete=False).values_list("descendant_id", flat=True))
        chosen = rng.sample(communes, min(len(communes), rng.randint(5, 60)))
        projects.append(save_project(owner=owner, name=f"Projet bench {k + 1}", description="", is_private=False,
                                     commune_ids=chosen))
    return projects


def bench_import(table: Table, sources: list, years: list[int], rng: random.Random) -> dict:
    from django.db import connection, transaction

    from observatory import store
    from observatory.models import Run
    from territories.models import Level, Territory

    communes = list(Territory.objects.current().filter(level=Level.COMMUNE).order_by("code")
                    .values_list("id", "code", "population"))
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("CREATE TABLE bench_bare_value (id INTEGER PRIMARY KEY, indicator_id, territory_id, level, year, value, "
                "is_computed)")
    bare_sql = ("INSERT INTO bench_bare_value (indicator_id, territory_id, level, year, value, is_computed) "
                "VALUES (?, ?, ?, ?, ?, ?)")

    # The SQL side of the import: insert_values (the executemany into the indexed table), the
    # deletion of the slices it replaces, and the ratios at the base level written with them.
    timings = Counter()
    timed_functions = {"insert": "insert_values", "delete": "delete_slices", "ratios": "ratio_rows"}
    originals = {key: getattr(store, name) for key, name in timed_functions.items()}

    def clocked(key):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return originals[key](*args, **kwargs)
            finally:
                timings[key] += time.perf_counter() - start
        return wrapper

    for key, name in timed_functions.items():
        setattr(store, name, clocked(key))
    by_code = {indicator.code: indicator for indicator in sources}
    total_rows, ratio_values, import_s, bare_s, generate_s = 0, 0, 0.0, 0.0, 0.0
    per_tenth: list[tuple[int, float]] = []  # (rows, seconds) of each tenth of the indicators
    chunk_rows, chunk_s = 0, 0.0
    try:
        for k, indicator in enumerate(sources, start=1):
            started = time.perf_counter()
            rows, tuples = generate(indicator, communes, years, rng)
            generate_s += time.perf_counter() - started
            gc.collect()
            started = time.perf_counter()
            with transaction.atomic():
                report = store.write_source_values(rows, by_code)
            elapsed = time.perf_counter() - started
            import_s += elapsed
            assert report.written == len(tuples), (report.written, len(tuples))
            total_rows += report.written
            ratio_values += report.ratios
            chunk_rows, chunk_s = chunk_rows + report.written, chunk_s + elapsed
            del rows
            gc.collect()
            started = time.perf_counter()
            with transaction.atomic():
                raw.executemany(bare_sql, tuples)
            bare_s += time.perf_counter() - started
            del tuples
            if k % max(1, len(sources) // 10) == 0 or k == len(sources):
                per_tenth.append((chunk_rows, chunk_s))
                progress(f"import: {k}/{len(sources)} indicators, {total_rows:,} values, "
                         f"{chunk_rows / chunk_s:,.0f} values/s lately")
                chunk_rows, chunk_s = 0, 0.0
    finally:
        for key, name in timed_functions.items():
            setattr(store, name, originals[key])
    Run.objects.create(kind=Run.Kind.IMPORT, source="bench", values_written=total_rows)
    raw.execute("DROP TABLE bench_bare_value")

    table.section(f"Import — {len(sources)} indicators × {len(years)} years × {len(communes):,} communes "
                  f"through store.write_source_values, one transaction per indicator")
    table.add(f"generate the SourceValue rows (bench code)", 1, "", f"{generate_s:.1f} s")
    table.add(f"write_source_values, {total_rows:,} values", 1, "", f"{import_s:.1f} s", "",
              f"{total_rows / import_s:,.0f} rows/s")
    table.add(f"  of which insert_values (executemany into the indexed table), with {ratio_values:,} ratio values", 1, "",
              f"{timings['insert']:.1f} s", "", f"{timings['insert'] / import_s:.0%}")
    table.add("  of which delete_slices (nothing to replace here)", 1, "", f"{timings['delete']:.2f} s")
    table.add(f"  of which ratio_rows: the ratios at the base level, paired in Python", 1, "",
              f"{timings['ratios']:.1f} s", "", f"{timings['ratios'] / import_s:.0%}")
    python_s = import_s - timings["insert"] - timings["delete"] - timings["ratios"]
    table.add("  of which Python: grouping, combining, resolving codes", 1, "", f"{python_s:.1f} s", "",
              f"{python_s / import_s:.0%}")
    table.add("bare: the same tuples, one executemany per indicator into a table without index", 1, "",
              f"{bare_s:.1f} s", "", f"{total_rows / bare_s:,.0f} rows/s")
    table.add("write_source_values ÷ bare executemany", "", "", "", "", ratio(import_s, bare_s))
    first, last = per_tenth[0], per_tenth[-1]
    table.add("rate of the last tenth ÷ rate of the first (the indexes grow)", "", "", "", "",
              f"{(last[0] / last[1]) / (first[0] / first[1]):.2f}×")
    return {"rows": total_rows, "import_s": import_s, "bare_s": bare_s, "communes": len(communes),
            "rate_last": last[0] / last[1], "ratios_s": timings["ratios"]}


# --------------------------------------------------------------------------------------
# 2. Aggregation
# --------------------------------------------------------------------------------------

AGGREGATION_GROUPS = (
    ("DELETE the values above the base level", lambda sql: sql.lstrip().startswith("DELETE")
     and "observatory_value" in sql),
    ("DELETE its national values", lambda sql: sql.lstrip().startswith("DELETE") and "nationalvalue" in sql),
    ("INSERT … GROUP BY up the hierarchy", lambda sql: "l.ancestor_id" in sql),
    ("UPDATE coverage > 1", lambda sql: sql.lstrip().startswith("UPDATE")),
    ("INSERT national values (sum, mean)", lambda sql: "INTO" in sql and "nationalvalue" in sql and "d.scope" not in sql),
    ("INSERT ratios at every level (all at once)", lambda sql: "INTO" in sql and "observatory_value" in sql
     and "r.has_n" in sql),
    ("SELECT population totals", lambda sql: 'SUM("territories_territory"."population")' in sql),
    ("INSERT national ratio", lambda sql: "INTO" in sql and "nationalvalue" in sql and "d.scope" in sql),
)

BARE_AGGREGATE_SQL = """
    INSERT INTO bench_bare_aggregate (indicator_id, territory_id, year, value)
    SELECT v.indicator_id, l.ancestor_id, v.year, SUM(v.value)
    FROM observatory_value v JOIN territories_territorylink l ON l.descendant_id = v.territory_id
    WHERE v.indicator_id = ? AND v.level = 'commune' AND v.is_computed = 0
    GROUP BY v.indicator_id, l.ancestor_id, v.year
"""


def bench_aggregation(table: Table, sources: list, ratios: list) -> tuple[dict, list]:
    from django.db import connection, transaction

    from observatory.aggregation import (
        aggregate, national_from_departements_sql, ratios_sql, up_the_hierarchy_sql,
    )
    progress(f"aggregation: aggregate() of {len(sources) + len(ratios)} indicators")
    timer = QueryTimer(AGGREGATION_GROUPS)
    done = [0]

    def step(_indicator):
        done[0] += 1
        if done[0] % max(1, (len(sources) + len(ratios)) // 10) == 0:
            progress(f"aggregation: {done[0]}/{len(sources) + len(ratios)}")

    gc.collect()
    with connection.execute_wrapper(timer):
        aggregate_s, written = timed(aggregate, progress=step)

    progress("aggregation: bare INSERT … SELECT … GROUP BY, one per source indicator")
    raw = connection.connection
    raw.execute("CREATE TABLE bench_bare_aggregate (indicator_id, territory_id, year, value)")
    gc.collect()
    started = time.perf_counter()
    with transaction.atomic():
        for indicator in sources:
            raw.execute(BARE_AGGREGATE_SQL, [indicator.pk])
    bare_s = time.perf_counter() - started
    bare_rows = raw.execute("SELECT COUNT(*) FROM bench_bare_aggregate").fetchone()[0]
    bare_plan = explain(BARE_AGGREGATE_SQL, [sources[0].pk])
    raw.execute("DROP TABLE bench_bare_aggregate")

    # Not the goal's floor, for the reading: the ratios' pairing, into a table without index.
    ratio_ids = [indicator.pk for indicator in ratios]
    bare_ratios_s = 0.0
    if ratio_ids:
        sql = ratios_sql(len(ratio_ids)).replace("%s", "?")
        raw.execute("CREATE TABLE bench_bare_ratio (indicator_id, territory_id, level, year, value, coverage, is_computed, "
                    "level_rank, level_count)")
        gc.collect()
        started = time.perf_counter()
        with transaction.atomic():
            raw.execute("INSERT INTO bench_bare_ratio " + sql[sql.index("SELECT"):], ratio_ids)
        bare_ratios_s = time.perf_counter() - started
        raw.execute("DROP TABLE bench_bare_ratio")

    table.section(f"Aggregation — aggregate(): every computed value of {len(sources)} source and {len(ratios)} ratio "
                  "indicators, up to France (one transaction)")
    table.add(f"aggregate(), {written:,} values written", 1, "", f"{aggregate_s:.1f} s",
              f"≤ {AGGREGATION_GOAL:.0f}× bare", ratio(aggregate_s, bare_s), verdict(aggregate_s <= AGGREGATION_GOAL * bare_s))
    for label, _test in AGGREGATION_GROUPS:
        if timer.counts[label]:
            table.add(f"  {label}", timer.counts[label], "", f"{timer.totals[label]:.1f} s", "",
                      f"{timer.totals[label] / aggregate_s:.0%}")
    rest = aggregate_s - sum(timer.totals.values())
    table.add("  the rest (ORM reads, Python)", "", "", f"{rest:.2f} s")
    table.add(f"bare: INSERT … SELECT SUM … GROUP BY over the same links, {bare_rows:,} rows", len(sources), "",
              f"{bare_s:.1f} s")
    up = timer.totals["INSERT … GROUP BY up the hierarchy"]
    table.add("  up the hierarchy ÷ bare", "", "", "", "", ratio(up, bare_s))
    if ratio_ids:
        table.add("for the reading: the ratios' SELECT into a table without index", 1, "", f"{bare_ratios_s:.1f} s", "",
                  ratio(timer.totals["INSERT ratios at every level (all at once)"], bare_ratios_s))

    # Plans of each statement kind, for the first indicator of each rule.
    by_rule = {}
    for indicator in sources + ratios:
        by_rule.setdefault(indicator.aggregation, indicator)
    plans = []
    for rule, indicator in by_rule.items():
        if rule in ("sum", "weighted_mean"):
            plans.append((f"aggregate, {rule}: up the hierarchy",
                          explain(up_the_hierarchy_sql(rule).replace("%s", "?"), [indicator.pk, indicator.base_level])))
            plans.append((f"aggregate, {rule}: national (metro), from the départements",
                          explain(national_from_departements_sql(rule, True).replace("%s", "?"),
                                  ["metro", 1, "departement", indicator.pk])))
        elif rule == "ratio":
            ids = [i.pk for i in ratios]
            plans.append(("aggregate, ratios (all at once)", explain(ratios_sql(len(ids)).replace("%s", "?"), ids)))
    plans.append(("aggregate: bare GROUP BY", bare_plan))
    return {"aggregate_s": aggregate_s, "bare_s": bare_s, "written": written}, plans


# --------------------------------------------------------------------------------------
# 3. Portrait page, 4. PDF
# --------------------------------------------------------------------------------------

PORTRAIT_GROUPS = (
    ("data version (cache.py)", lambda sql: "observatory_run" in sql and "ORDER BY" in sql and "LIMIT 1" in sql),
    ("level counts (cold)", lambda sql: "COUNT(" in sql and "GROUP BY" in sql and "observatory_value" in sql),
    ("the territory's values", lambda sql: "observatory_value" in sql and '"territory_id" =' in sql
     and "COUNT" not in sql),
    ("peers' space (cold)", lambda sql: "observatory_value" in sql and "observatory_indicator" in sql
     and "territory_id\" IN" not in sql and "COUNT" not in sql),
    ("peers' values", lambda sql: "observatory_value" in sql and "IN (" in sql),
    ("organisations, partnerships", lambda sql: "actors_" in sql),
    ("territories, links", lambda sql: "territories_" in sql),
)


def portrait_sample(rng: random.Random, n: int) -> list:
    """``n`` territories, as many of each level (drawn with replacement where the level has
    fewer)."""
    from territories.models import Territory

    chosen = []
    per_level = n // len(LEVELS)
    for k, level in enumerate(LEVELS):
        pool = list(Territory.objects.current().filter(level=level))
        want = per_level + (1 if k < n % len(LEVELS) else 0)
        chosen += rng.sample(pool, want) if len(pool) >= want else [rng.choice(pool) for _ in range(want)]
    rng.shuffle(chosen)
    return chosen


def bench_portraits(table: Table, rng: random.Random, n: int) -> tuple[dict, list]:
    from django.db import connection
    from django.test import Client

    from observatory import cache

    client = Client()
    territories = portrait_sample(rng, n)

    def get(territory) -> float:
        started = time.perf_counter()
        response = client.get(f"/territoires/{territory.level}/{territory.code}/portrait/")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (territory, response.status_code)
        return elapsed

    # Cold: the memo cleared before each request (the first visitor after a data change).
    progress(f"portrait: cold, {N_COLD_PER_LEVEL} per level")
    cold: dict[str, list[float]] = defaultdict(list)
    cold_timer = QueryTimer(PORTRAIT_GROUPS)
    for level in LEVELS:
        for territory in [t for t in territories if t.level == level][:N_COLD_PER_LEVEL]:
            cache.clear()
            with connection.execute_wrapper(cold_timer):
                cold[level].append(get(territory))
    # Warm: one untimed request per level fills the memo, then every territory once.
    for level in LEVELS:
        get(next(t for t in territories if t.level == level))
    progress(f"portrait: warm, {len(territories)} territories")
    warm: dict[str, list[float]] = defaultdict(list)
    warm_timer = QueryTimer(PORTRAIT_GROUPS)
    gc.collect()
    with connection.execute_wrapper(warm_timer):
        for k, territory in enumerate(territories, start=1):
            warm[territory.level].append(get(territory))
            if k % 100 == 0:
                progress(f"portrait: {k}/{len(territories)}")
    everything = [s for samples in warm.values() for s in samples]
    all_cold = [s for samples in cold.values() for s in samples]

    table.section(f"Portrait page — GET /territoires/<level>/<code>/portrait/ via django.test.Client, "
                  f"{len(territories)} territories ({n // len(LEVELS)} per level)")
    table.add_samples("warm (memo filled), all levels", everything, f"< {PORTRAIT_P95_GOAL_MS:.0f} ms", "",
                      verdict(p95(everything) * 1000 < PORTRAIT_P95_GOAL_MS))
    for level in LEVELS:
        table.add_samples(f"  {level}", warm[level])
    table.add_samples(f"cold (memo cleared before each request), {len(all_cold) // len(LEVELS)} per level", all_cold,
                      f"< {PORTRAIT_P95_GOAL_MS:.0f} ms", "", verdict(p95(all_cold) * 1000 < PORTRAIT_P95_GOAL_MS))
    for level in LEVELS:
        table.add_samples(f"  {level}", cold[level])
    for name, timer, total in (("warm", warm_timer, sum(everything)), ("cold", cold_timer, sum(all_cold))):
        requests = len(everything) if name == "warm" else len(all_cold)
        table.add(f"where a {name} request's time goes (mean per request)", "", "", "", "", "")
        for label, _test in PORTRAIT_GROUPS + (("other", None),):
            if timer.counts[label]:
                table.add(f"  SQL: {label}", timer.counts[label], "", ms(timer.totals[label] / requests), "",
                          f"{timer.totals[label] / total:.0%}")
        rest = total - sum(timer.totals.values())
        table.add("  the rest: Python, templates, charts", "", "", ms(rest / requests), "", f"{rest / total:.0%}")

    # A project territory drawn after the aggregation: its first portrait computes its values.
    from django.contrib.auth import get_user_model

    from territories.models import Level, Territory, TerritoryLink
    from territories.projects import save_project

    owner = get_user_model().objects.get(email="bench@example.org")
    departements = list(Territory.objects.current().filter(level=Level.DEPARTEMENT, zone="metro"))
    fresh = []
    for k in range(N_NEW_PROJECTS):
        communes = list(TerritoryLink.objects.filter(ancestor=rng.choice(departements), descendant_level=Level.COMMUNE,
                                                     descendant__is_obsolete=False).values_list("descendant_id", flat=True))
        project = save_project(owner=owner, name=f"Nouveau projet bench {k + 1}", description="", is_private=False,
                               commune_ids=rng.sample(communes, min(len(communes), 40)))
        fresh.append(get(project))
    table.add_samples(f"a project territory drawn after the aggregation (40 communes): its first portrait, "
                      "with aggregate_territory()", fresh, f"< {PORTRAIT_P95_GOAL_MS:.0f} ms", "",
                      verdict(p95(fresh) * 1000 < PORTRAIT_P95_GOAL_MS))

    plans = []
    for label, (sql, params) in warm_timer.first.items():
        if sql.lstrip().upper().startswith("SELECT"):
            plans.append((f"portrait: {label}", explain(sql, params)))
    for label, (sql, params) in cold_timer.first.items():
        if "cold" in label and sql.lstrip().upper().startswith("SELECT"):
            plans.append((f"portrait: {label}", explain(sql, params)))
    return {"warm_p95": p95(everything), "cold_p95": p95(all_cold)}, plans


def bench_pdf(table: Table) -> dict:
    from django.test import Client

    from territories.models import Level, Territory

    client = Client()
    region = Territory.objects.current().filter(level=Level.REGION).order_by("-population").first()
    url = f"/territoires/region/{region.code}/portrait.pdf"
    progress(f"PDF: {region.name}, 1 + {N_PDF} times")
    first_s, response = timed(client.get, url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    samples = []
    for _ in range(N_PDF):
        elapsed, response = timed(client.get, url)
        samples.append(elapsed)
    table.section(f"PDF report — GET {url} ({region.name}, {len(response.content) / 1000:.0f} kB)")
    table.add("first request (imports WeasyPrint)", 1, "", f"{first_s:.2f} s", f"< {PDF_GOAL_S:.0f} s", "",
              verdict(first_s < PDF_GOAL_S))
    table.add("next requests", len(samples), f"{p50(samples):.2f} s", f"{max(samples):.2f} s", f"< {PDF_GOAL_S:.0f} s",
              "", verdict(max(samples) < PDF_GOAL_S))
    return {"pdf_s": max(samples)}


# --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--indicators", type=int, default=N_INDICATORS,
                        help=f"source indicators, each with a value per commune and year (default {N_INDICATORS})")
    parser.add_argument("--years", type=int, default=N_YEARS, help=f"years (default {N_YEARS}, ending {LAST_YEAR})")
    parser.add_argument("--portraits", type=int, default=N_PORTRAITS, help=f"portrait requests (default {N_PORTRAITS})")
    parser.add_argument("--projects", type=int, default=N_PROJECTS, help=f"project territories (default {N_PROJECTS})")
    args = parser.parse_args()
    if args.indicators < 4:
        parser.error("--indicators: 4 at least (population, superficie, établissements, niveau de vie)")
    years = list(range(LAST_YEAR - args.years + 1, LAST_YEAR + 1))

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="catalyseur-bench-") as var_dir:
        migrated_scratch_database(var_dir)
        import django
        from django.conf import settings
        from django.db import connection

        from territories.importer import import_territories

        progress("import of the official territories (~10-20 s)")
        territories_s, report = timed(import_territories, settings.DECOUPAGE_DATA_DIR, force=True)
        rng = random.Random(SEED)
        progress(f"{args.projects} project territories")
        draw_projects(rng, args.projects)
        sources, ratios = make_catalogue(args.indicators)

        table = Table()
        imported = bench_import(table, sources, years, random.Random(SEED + 1))
        aggregated, plans = bench_aggregation(table, sources, ratios)
        portraits, portrait_plans = bench_portraits(table, random.Random(SEED + 2), args.portraits)
        plans += portrait_plans
        pdf = bench_pdf(table)
        db_mb = Path(settings.DATABASES["default"]["NAME"]).stat().st_size / 1e6
        connection.close()

        full = 100 * 10 * imported["communes"]
        print()
        print(f"Catalyseur observatory bench — Python {platform.python_version()}, Django {django.get_version()}, "
              f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPU, {platform.machine()}")
        print(f"Scratch SQLite ({db_mb:,.0f} MB): découpage {report.version} imported in {territories_s:.1f} s; "
              f"{args.projects} project territories; {len(sources)} source and {len(ratios)} ratio indicators, "
              f"{len(years)} years ({years[0]}-{years[-1]}), {imported['rows']:,} source values. "
              "Times: time.perf_counter, nearest-rank percentiles.")
        print()
        table.print()
        print()
        print("ratio: import rows ÷ time, and import time ÷ bare time; aggregation: aggregate() ÷ the bare GROUP BY;")
        print("the shares under a row are of that row's time.")
        print(f"The ratios at the base level are written with the import and counted there (paired in "
              f"{imported['ratios_s']:.1f} s, inserted with the source values). Import and aggregate() together: "
              f"{imported['import_s'] + aggregated['aggregate_s']:.1f} s.")
        if imported["rows"] < full:
            scale = full / imported["rows"]
            print()
            print(f"Quick mode: {imported['rows']:,} values, {1 / scale:.1%} of the full {full:,}. Linear extrapolation "
                  f"to the full size (×{scale:.1f}), a floor: the indexes grow and the rate falls with them —")
            print(f"  import ≈ {imported['rows'] * scale / imported['rate_last'] / 60:.0f} min at the last tenth's rate; "
                  f"aggregation ≈ {aggregated['aggregate_s'] * scale / 60:.0f} min "
                  f"(bare ≈ {aggregated['bare_s'] * scale / 60:.0f} min).")
        print()
        print_plans(plans)
        print()
        print(f"Total bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
