"""Benchmarks of the territories: import, search API, territory page.

Run from the project root:  .venv/bin/python bench/territories.py   (or `make bench`)

Everything happens in a scratch SQLite database in a temporary directory, removed at the
end; the project's own ``var/`` database is never touched. Each web figure is printed
beside the bare database work behind it, measured in the same run on the same inputs, so
the ratio says how much the framework layers (routing, middleware, validation,
serialisation, templates) add. See bench/README.md for what each row means.

Timings are reported, never asserted: the script always exits 0 when it ran.
"""

from __future__ import annotations

import gc
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from common import Table, migrated_scratch_database, ms, p50, p95, print_plans, progress, ratio, timed, verdict

SEED = 20240611
N_SEARCH = 1000
N_PAGES = 1000
N_WARMUP = 150
N_FRESH_CONNECTION = 300
N_COMMUNES_TAB = 200
SEARCH_LIMIT = 10  # the API's default page size

IMPORT_GOAL_S = 60.0
API_P95_GOAL_MS = 20.0
OVERHEAD_GOAL = 3.0

# --------------------------------------------------------------------------------------
# 1. Import
# --------------------------------------------------------------------------------------


def bench_import(table: Table) -> dict:
    from django.conf import settings
    from django.db import connection, transaction

    from territories.importer import SOURCE_FILES, import_territories
    from territories.models import PostalCode, Territory, TerritoryLink

    data_dir = Path(settings.DECOUPAGE_DATA_DIR)
    for filename in SOURCE_FILES.values():  # warm the OS page cache: time the import, not the disk
        (data_dir / filename).read_bytes()

    progress("full import of the official territories (one run, ~10-20 s)")
    gc.collect()
    import_s, report = timed(import_territories, data_dir, force=True)

    territories = list(Territory.objects.values_list("level", "code", "name"))
    links = list(TerritoryLink.objects.values_list("descendant_id", "ancestor_id", "descendant_level"))
    postal = list(PostalCode.objects.values_list("territory_id", "code"))

    connection.ensure_connection()
    raw = connection.connection  # the sqlite3 connection, same PRAGMAs as the import

    def bare_insert(tables: list[tuple[str, str, list]]) -> float:
        gc.collect()
        start = time.perf_counter()
        with transaction.atomic():
            for name, columns, rows in tables:
                raw.execute(f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, {columns})")
                placeholders = ",".join("?" * len(rows[0]))
                raw.executemany(f"INSERT INTO {name} ({columns}) VALUES ({placeholders})", rows)
        elapsed = time.perf_counter() - start
        for name, _columns, _rows in tables:
            raw.execute(f"DROP TABLE {name}")
        return elapsed

    bare_territories_s = bare_insert([("bench_bare_territory", "level, code, name", territories)])
    bare_all_s = bare_insert(
        [
            ("bench_bare_territory", "level, code, name", territories),
            ("bench_bare_link", "descendant_id, ancestor_id, descendant_level", links),
            ("bench_bare_postal", "territory_id, code", postal),
        ]
    )
    all_rows = len(territories) + len(links) + len(postal)

    table.section(f"Import — découpage administratif {report.version}")
    table.add(
        f"import_territories(force=True), {len(territories):,} territories",
        1, "", f"{import_s:.2f} s", f"< {IMPORT_GOAL_S:.0f} s", "", verdict(import_s < IMPORT_GOAL_S),
    )
    table.add(f"  bare executemany, {len(territories):,} (level, code, name) rows", 1, "", f"{bare_territories_s:.3f} s",
              "", ratio(import_s, bare_territories_s))
    table.add(f"  bare executemany, all {all_rows:,} rows the import writes", 1, "", f"{bare_all_s:.3f} s",
              "", ratio(import_s, bare_all_s))
    return {"territories": len(territories), "links": len(links), "postal": len(postal)}


# --------------------------------------------------------------------------------------
# 2. Search
# --------------------------------------------------------------------------------------

# The statement the ORM emits for the "names starting with the text" group (the visible
# filter included), minus the ``NOT id IN (…)`` of the rows an exact match already found.
PREFIX_SQL = """
SELECT "id", "level", "code", "name", "search_name", "population", "postal_codes", "zone",
       "is_obsolete", "obsolete_since", "successor_id", "owner_id", "description",
       "is_private", "is_demo", "created_at", "updated_at"
FROM "territories_territory"
WHERE (NOT ("level" = 'project') OR NOT "is_private") AND NOT "is_obsolete"
  AND "search_name" > ? AND "search_name" < ?
ORDER BY "population" DESC NULLS LAST, "name" ASC, "level" ASC
LIMIT ?
"""


def build_search_texts(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """(kind, text): 70 % typed prefixes (3-6 characters), 15 % full names, 15 % postal codes."""
    from territories.models import Level, Territory

    rows = list(Territory.objects.current().official().values_list("level", "name", "postal_codes"))
    communes_with_postal = [r for r in rows if r[0] == Level.COMMUNE and r[2]]
    texts = []
    for _ in range(n):
        draw = rng.random()
        if draw < 0.70:
            name = rng.choice(rows)[1]
            texts.append(("prefix", name[: rng.randint(3, 6)]))
        elif draw < 0.85:
            texts.append(("full name", rng.choice(rows)[1]))
        else:
            texts.append(("postal code", rng.choice(rng.choice(communes_with_postal)[2])))
    return texts


SEARCH_GROUPS = (  # (label, marker in the SQL), in the order search_territories runs them
    ("official code, code__iexact", '"code" LIKE'),
    ("postal code range", '"territories_postalcode"'),
    ("exact name", '"search_name" = '),
    ("name prefix, index range", '"search_name" > '),
    ("name contains, LIKE '%…%'", '"search_name" LIKE'),
)


class QueryTimer:
    """A connection.execute_wrapper timing each statement by search group.

    It times cursor.execute(): for these ORDER BY … LIMIT statements SQLite reads and sorts
    every candidate row before returning the first one, so that is where the work is.
    """

    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            label = next((label for label, marker in SEARCH_GROUPS if marker in sql), "other")
            self.times[label].append(time.perf_counter() - start)


def bench_search(table: Table, rng: random.Random) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection, connections
    from django.test import Client

    from territories.normalize import searchable
    from territories.search import search_territories

    texts = build_search_texts(rng, N_SEARCH + N_WARMUP)
    warmup, texts = texts[:N_WARMUP], texts[N_WARMUP:]
    client = Client()
    anonymous = AnonymousUser()  # what request.user is for the API calls
    connection.ensure_connection()
    raw = connection.connection.cursor()

    def api(text):
        response = client.get("/api/territories", {"q": text})
        return response.status_code

    def direct(text):
        return search_territories(text, user=anonymous, limit=SEARCH_LIMIT)

    def bare_prefix(text):
        wanted = searchable(text)
        return raw.execute(PREFIX_SQL, (wanted, wanted + "~", SEARCH_LIMIT)).fetchall()

    progress(f"search: warm-up ({N_WARMUP} texts)")
    for _kind, text in warmup:
        api(text), direct(text), bare_prefix(text)

    progress(f"search: {N_SEARCH} texts × (API, search_territories, bare prefix SQL)")
    t_api, t_direct, t_bare, by_kind, errors = [], [], [], defaultdict(list), 0
    gc.collect()
    # The three measures of one text run back to back, so drift affects them alike.
    for kind, text in texts:
        elapsed, status = timed(api, text)
        errors += status != 200
        t_api.append(elapsed)
        by_kind[kind].append(elapsed)
        t_direct.append(timed(direct, text)[0])
        t_bare.append(timed(bare_prefix, text)[0])

    # Separate pass (the wrapper costs a little): which SQL statements the texts run.
    progress(f"search: {N_SEARCH} texts again, timing each SQL statement")
    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        for _kind, text in texts:
            direct(text)

    # The test client keeps the database connection open between requests; a real server
    # with CONN_MAX_AGE=0 (the SQLite default here) opens one, with its PRAGMAs, per request.
    progress(f"search: {N_FRESH_CONNECTION} API calls on a new database connection each")
    t_fresh = []
    for _kind, text in texts[:N_FRESH_CONNECTION]:
        connections.close_all()
        t_fresh.append(timed(api, text)[0])
    t_same = t_api[:N_FRESH_CONNECTION]

    table.section(f"Search — GET /api/territories?q=… ({N_SEARCH} texts, seed {SEED}, limit {SEARCH_LIMIT})")
    api_p95 = p95(t_api)
    table.add("API via django.test.Client", len(t_api), ms(p50(t_api)), ms(api_p95),
              f"p95 < {API_P95_GOAL_MS:.0f} ms", "", verdict(api_p95 * 1000 < API_P95_GOAL_MS))
    for kind in ("prefix", "full name", "postal code"):
        samples = by_kind[kind]
        table.add(f"  of which {kind}", len(samples), ms(p50(samples)), ms(p95(samples)))
    overhead = api_p95 / p95(t_direct)
    table.add("search_territories() direct", len(t_direct), ms(p50(t_direct)), ms(p95(t_direct)),
              f"API/this < {OVERHEAD_GOAL:.0f}×", f"{overhead:.1f}×", verdict(overhead < OVERHEAD_GOAL))
    for label, _marker in SEARCH_GROUPS:
        samples = timer.times.get(label)
        if samples:
            table.add(f"  SQL: {label}", len(samples), ms(p50(samples)), ms(p95(samples)))
    table.add("bare SQL, prefix range query only", len(t_bare), ms(p50(t_bare)), ms(p95(t_bare)),
              "", ratio(api_p95, p95(t_bare)))
    table.add("API, new DB connection per request", len(t_fresh), ms(p50(t_fresh)), ms(p95(t_fresh)),
              "", ratio(p95(t_fresh), p95(t_same)))
    if errors:
        table.add(f"  !! {errors} API responses were not 200")


# --------------------------------------------------------------------------------------
# 3. Territory page
# --------------------------------------------------------------------------------------

PAGE_MIX = (("region", 0.05), ("departement", 0.10), ("epci", 0.20), ("commune", 0.65))


def build_pages(rng: random.Random, n: int) -> list[tuple[str, str]]:
    from territories.models import Territory

    by_level = defaultdict(list)
    for level, code in Territory.objects.current().official().values_list("level", "code"):
        by_level[level].append(code)
    levels = [level for level, _w in PAGE_MIX]
    weights = [w for _level, w in PAGE_MIX]
    return [(level, rng.choice(by_level[level])) for level in rng.choices(levels, weights, k=n)]


def page_queries(level: str, code: str, user, shown_level: str | None = None) -> dict[str, float]:
    """The ORM work of views.detail, timed call by call (no template, no middleware)."""
    from django.conf import settings

    from territories import policy
    from territories.models import CONTAINED_LEVELS, Level, Territory
    from territories.policy import get_visible_territory
    from territories.views import children_counts

    times = {}
    times["fetch"], territory = timed(get_visible_territory, user, level, code)
    times["parents()"], _ = timed(territory.parents)
    if CONTAINED_LEVELS[Level(territory.level)]:
        times["children_counts()"], counts = timed(children_counts, territory)
    else:  # a commune: children_counts returns {} without a query
        times["children_counts()"], counts = None, {}
    if shown_level not in counts:
        shown_level = next((lvl for lvl, n in counts.items() if n), next(iter(counts), None))
    children = []
    if shown_level:
        qs = (
            Territory.objects.filter(ancestor_links__ancestor=territory, level=shown_level, is_obsolete=False)
            .order_by("search_name", "code")
            .only("level", "code", "name", "population")
        )
        times["children, page 1"], children = timed(lambda: list(qs[: settings.TERRITORY_CHILDREN_PER_PAGE]))
    else:
        times["children, page 1"] = None
    if territory.level == Level.COMMUNE:
        qs = Territory.objects.containing(territory).filter(level=Level.PROJECT).filter(policy.visible_filter(user))
        times["containing projects"], _ = timed(lambda: list(qs.order_by("name")))
    else:
        times["containing projects"] = None
    times["total"] = sum(t for t in times.values() if t is not None)
    return times


def bench_pages(table: Table, rng: random.Random) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from territories.models import Territory

    pages = build_pages(rng, N_PAGES + N_WARMUP)
    warmup, pages = pages[:N_WARMUP], pages[N_WARMUP:]
    client = Client()
    anonymous = AnonymousUser()

    def get_page(level, code, query=""):
        return client.get(f"/territoires/{level}/{code}/{query}").status_code

    progress(f"territory page: warm-up ({N_WARMUP} pages)")
    for level, code in warmup:
        get_page(level, code), page_queries(level, code, anonymous)

    progress(f"territory page: {N_PAGES} pages × (HTTP, bare ORM queries)")
    t_http, bare, http_by_level, bare_by_level, errors = [], defaultdict(list), defaultdict(list), defaultdict(list), 0
    gc.collect()
    for level, code in pages:
        elapsed, status = timed(get_page, level, code)
        errors += status != 200
        t_http.append(elapsed)
        http_by_level[level].append(elapsed)
        for part, seconds in page_queries(level, code, anonymous).items():
            if seconds is not None:  # None: the view does not run this query for that level
                bare[part].append(seconds)
        bare_by_level[level].append(bare["total"][-1])

    # The communes tab of a département (the link the page offers under "Communes").
    departements = [code for level, code in pages if level == "departement"] or list(
        Territory.objects.filter(level="departement").values_list("code", flat=True)
    )
    progress(f"territory page: {N_COMMUNES_TAB} départements, tab ?niveau=commune")
    tab_http, tab_bare = [], []
    for i in range(N_COMMUNES_TAB):
        code = departements[i % len(departements)]
        elapsed, status = timed(get_page, "departement", code, "?niveau=commune")
        errors += status != 200
        tab_http.append(elapsed)
        tab_bare.append(page_queries("departement", code, anonymous, "commune")["total"])

    table.section(f"Territory page — GET /territoires/<level>/<code>/ ({N_PAGES} pages, seed {SEED})")
    table.add("page via django.test.Client", len(t_http), ms(p50(t_http)), ms(p95(t_http)),
              "", ratio(p95(t_http), p95(bare["total"])))
    for level, _w in PAGE_MIX:
        h, b = http_by_level[level], bare_by_level[level]
        table.add(f"  of which {level}", len(h), ms(p50(h)), ms(p95(h)), "", ratio(p95(h), p95(b)))
    table.add("bare ORM queries of the view, total", len(bare["total"]), ms(p50(bare["total"])), ms(p95(bare["total"])))
    for level, _w in PAGE_MIX:
        b = bare_by_level[level]
        table.add(f"  of which {level}", len(b), ms(p50(b)), ms(p95(b)))
    for part in ("fetch", "parents()", "children_counts()", "children, page 1", "containing projects"):
        table.add(f"  query: {part}", len(bare[part]), ms(p50(bare[part])), ms(p95(bare[part])))
    table.add("département, tab ?niveau=commune", len(tab_http), ms(p50(tab_http)), ms(p95(tab_http)),
              "", ratio(p95(tab_http), p95(tab_bare)))
    table.add("  bare ORM queries of that page", len(tab_bare), ms(p50(tab_bare)), ms(p95(tab_bare)))
    if errors:
        table.add(f"  !! {errors} page responses were not 200")


# --------------------------------------------------------------------------------------
# 4. Query plans
# --------------------------------------------------------------------------------------


def query_plans() -> list[tuple[str, str]]:
    """EXPLAIN QUERY PLAN of the statements behind the figures above."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from django.db.models import Count, Q

    from territories.models import Level, Territory
    from territories.policy import visible_filter
    from territories.search import search_territories
    from territories.views import children_counts

    def explain(sql: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return " | ".join(row[3] for row in cursor.fetchall())

    plans = []
    for text in ("Paris", "75001"):
        with CaptureQueriesContext(connection) as captured:
            search_territories(text, user=AnonymousUser(), limit=SEARCH_LIMIT)
        for query in captured.captured_queries:
            sql = query["sql"]
            group = next((label for label, marker in SEARCH_GROUPS if marker in sql), "other")
            plans.append((f"search {text!r}: {group}", explain(sql)))

    def most_communes(level):
        return (
            Territory.objects.filter(level=level)
            .annotate(n=Count("descendant_links", filter=Q(descendant_links__descendant_level="commune")))
            .order_by("-n")
            .first()
        )

    biggest = (most_communes("region"), most_communes("epci"))
    for ancestor in biggest:
        with CaptureQueriesContext(connection) as captured:
            children_counts(ancestor)
            list(
                Territory.objects.filter(ancestor_links__ancestor=ancestor, level="commune", is_obsolete=False)
                .order_by("search_name", "code")
                .only("level", "code", "name", "population")[:50]
            )
        counts_sql, children_sql = (q["sql"] for q in captured.captured_queries)
        plans.append((f"children_counts({ancestor.level} {ancestor.code})", explain(counts_sql)))
        plans.append((f"communes of {ancestor.level} {ancestor.code} ({ancestor.n}), page 1", explain(children_sql)))

    commune = Territory.objects.get(level="commune", code="69123")
    with CaptureQueriesContext(connection) as captured:
        commune.parents()
        list(Territory.objects.containing(commune).filter(level=Level.PROJECT).filter(visible_filter(None)).order_by("name"))
    parents_sql, projects_sql = (q["sql"] for q in captured.captured_queries)
    plans.append(("parents() of commune 69123", explain(parents_sql)))
    plans.append(("containing projects of commune 69123", explain(projects_sql)))
    return plans


# --------------------------------------------------------------------------------------


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="catalyseur-bench-") as var_dir:
        migrated_scratch_database(var_dir)
        import django
        from django.db import connection

        table = Table()
        counts = bench_import(table)
        bench_search(table, random.Random(SEED))
        bench_pages(table, random.Random(SEED + 1))
        plans = query_plans()
        connection.close()

        print()
        print(
            f"Catalyseur territories bench — Python {platform.python_version()}, Django {django.get_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPU, {platform.machine()}"
        )
        print(
            f"Scratch SQLite: {counts['territories']:,} territories, {counts['links']:,} links, "
            f"{counts['postal']:,} postal codes. Times: time.perf_counter, nearest-rank percentiles."
        )
        print()
        table.print()
        print()
        print("ratio = p95 ÷ p95, same run: import ÷ bare insert; API p95 ÷ the row's p95 (search_territories:")
        print("goal < 3×); fresh-connection p95 ÷ the same texts on a kept connection; page p95 ÷ its bare queries' p95.")
        print()
        print_plans(plans)
        print()
        print(f"Total bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
