"""Benchmark of the observatory's value import: a million values from a long CSV.

Run from the project root:  .venv/bin/python bench/observatory_import.py
                            .venv/bin/python bench/observatory_import.py --values 200000 --xlsx-values 0

Everything happens in a scratch SQLite database in a temporary directory, removed at the
end; the project's own ``var/`` database is never touched. The official territories and
the indicator catalogue are loaded, then:

1. a long-format CSV (``indicateur;niveau;code;annee;valeur``, decimal commas for the
   rates, 1 % of values under statistical secrecy ``s``) of ``--values`` values is written:
   every current commune (real codes, read from the database) × a few commune-level
   indicators × years, in that order, cut at ``--values``;
2. ``import_values()`` imports it into the empty observatory (check, write, aggregation of
   the indicators and of the ratios that read them, all in one transaction), then a second
   time (each slice is then replaced: the previous values are deleted first);
3. a bare ``executemany`` of the same rows, territory ids already resolved, into a new
   table without indexes, in one transaction: the floor for writing them. The ratio is
   import time ÷ this time;
4. optionally an XLSX of ``--xlsx-values`` values (openpyxl, read-only mode) is imported
   the same way, for its rate.

Timings are reported, never asserted: the script always exits 0 when it ran.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import common
from common import Table, migrated_scratch_database, progress, ratio, verdict

SEED = 20240613
N_VALUES = 1_000_000
N_XLSX_VALUES = 100_000
GOAL_S = 60.0
# (indicator, kind of figure): counts are integers, rates have a decimal comma.
INDICATORS = [
    ("population", "count"), ("logements", "count"), ("logements_vacants", "count"), ("etablissements", "count"),
    ("niveau_vie_median", "rate"), ("taux_pauvrete", "rate"),
]
YEARS = range(2018, 2024)


def generate_rows(communes: list[str], n: int, rng: random.Random):
    count = 0
    for indicator, kind in INDICATORS:
        for year in YEARS:
            for code in communes:
                if count == n:
                    return
                count += 1
                if rng.random() < 0.01:
                    text = "s"
                elif kind == "count":
                    text = str(rng.randint(0, 50_000))
                else:
                    text = f"{rng.uniform(5, 40):.1f}".replace(".", ",")
                yield indicator, "commune", code, year, text


def write_csv(path: Path, rows) -> int:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("indicateur;niveau;code;annee;valeur\n")
        handle.writelines(f"{i};{level};{code};{year};{text}\n" for i, level, code, year, text in rows)
    return path.stat().st_size


def write_xlsx(path: Path, rows) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("valeurs")
    sheet.append(["indicateur", "niveau", "code", "annee", "valeur"])
    for indicator, level, code, year, text in rows:
        sheet.append([indicator, level, code, year, None if text == "s" else float(text.replace(",", "."))])
    workbook.save(path)


def bare_executemany(db_path: str, rows: list[tuple]) -> float:
    """The same rows, ids resolved, into a table without indexes, one transaction."""
    connection = sqlite3.connect(db_path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("DROP TABLE IF EXISTS bench_bare_values")
    connection.execute("CREATE TABLE bench_bare_values (indicator_id INTEGER, territory_id INTEGER, level TEXT, "
                       "year INTEGER, value REAL, is_computed BOOL)")
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO bench_bare_values VALUES (?, ?, ?, ?, ?, 0)", rows)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.execute("DROP TABLE bench_bare_values")
    connection.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--values", type=int, default=N_VALUES, help=f"values in the CSV (default {N_VALUES:,})")
    parser.add_argument("--xlsx-values", type=int, default=N_XLSX_VALUES,
                        help=f"values in the XLSX (default {N_XLSX_VALUES:,}; 0: no XLSX)")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="catalyseur-bench-") as var_dir:
        migrated_scratch_database(var_dir)
        import django
        from django.conf import settings
        from django.db import connection

        from observatory.importing import ImportRefused, import_values
        from observatory.loading import write_catalogue
        from observatory.models import Value
        from territories.importer import import_territories
        from territories.models import Level, Territory

        progress("import of the official territories (~10-20 s)")
        territories_s, _ = common.timed(import_territories, settings.DECOUPAGE_DATA_DIR, force=True)
        indicators = write_catalogue()
        ids = dict(Territory.objects.current().filter(level=Level.COMMUNE).values_list("code", "id"))
        communes = sorted(ids)
        rng = random.Random(SEED)
        rows = list(generate_rows(communes, args.values, rng))
        if len(rows) < args.values:
            progress(f"only {len(rows):,} values: {len(communes):,} communes × {len(INDICATORS)} indicators × {len(YEARS)} years")
        csv_path = Path(var_dir) / "valeurs.csv"
        size = write_csv(csv_path, rows)
        progress(f"CSV of {len(rows):,} values ({size / 1e6:.0f} MB): first import")
        first = import_values(csv_path)
        progress("second import of the same file (replaces each slice)")
        second = import_values(csv_path)
        stored = Value.objects.filter(is_computed=False).count()
        computed = Value.objects.filter(is_computed=True).count()

        progress("bare executemany of the same rows")
        resolved = [(indicators[i].pk, ids[code], level, year, None if text == "s" else float(text.replace(",", ".")))
                    for i, level, code, year, text in rows]
        db_path = str(settings.DATABASES["default"]["NAME"])
        connection.close()
        bare_s = bare_executemany(db_path, resolved)

        xlsx = None
        if args.xlsx_values:
            xlsx_rows = rows[: args.xlsx_values]
            xlsx_path = Path(var_dir) / "valeurs.xlsx"
            progress(f"XLSX of {len(xlsx_rows):,} values: write, then import")
            write_xlsx(xlsx_path, xlsx_rows)
            try:
                xlsx = import_values(xlsx_path)
            except ImportRefused as refused:
                print("\n".join(refused.lines()[:10]), file=sys.stderr)
                raise

        table = Table()
        table.section(f"Import of a long CSV ({len(rows):,} values, {size / 1e6:.0f} MB) — goal: 1 million values under {GOAL_S:.0f} s")
        for label, report in (("first import (empty observatory)", first), ("second import (replaces the slices)", second)):
            table.add(f"import_values(): {label}", 1, "", f"{report.seconds:.1f} s", f"< {GOAL_S:.0f} s",
                      f"{report.values / report.seconds:,.0f} values/s", verdict(report.seconds < GOAL_S * len(rows) / N_VALUES))
            table.add("  of which read and check every cell", 1, "", f"{report.stages['check']:.1f} s")
            table.add("  of which write (store.write_source_values)", 1, "", f"{report.stages['write']:.1f} s")
            table.add(f"  of which aggregation of {len(report.reaggregated)} indicators ({report.computed:,} values)", 1, "",
                      f"{report.stages['aggregate']:.1f} s")
        table.add(f"bare executemany, {len(resolved):,} rows, no index", 1, "", f"{bare_s:.1f} s", "",
                  ratio(first.seconds, bare_s) + " (first import ÷ bare)")
        table.add("  write stage alone ÷ bare", 1, "", "", "", ratio(first.stages["write"], bare_s))
        if xlsx is not None:
            table.section(f"Import of an XLSX ({xlsx.values:,} values)")
            table.add("import_values(), XLSX", 1, "", f"{xlsx.seconds:.1f} s", "",
                      f"{xlsx.values / xlsx.seconds:,.0f} values/s")
            table.add("  of which read and check every cell", 1, "", f"{xlsx.stages['check']:.1f} s", "",
                      f"{xlsx.values / xlsx.stages['check']:,.0f} values/s")

        print()
        print(f"Catalyseur observatory import bench — Python {platform.python_version()}, Django {django.get_version()}, "
              f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPU, {platform.machine()}")
        print(f"Scratch SQLite: territories imported in {territories_s:.1f} s; {len(communes):,} communes × "
              f"{len(INDICATORS)} indicators × {len(YEARS)} years, cut at {len(rows):,} values; after the imports "
              f"{stored:,} source values and {computed:,} computed values. Times: time.perf_counter.")
        print()
        table.print()
        print()
        print(f"Total bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
