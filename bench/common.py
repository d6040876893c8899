"""What every bench script shares: a scratch environment, percentiles, the results table.

A bench script imports this module first (``import common``: Python puts the script's
folder, ``bench/``, first on ``sys.path``), then calls ``scratch_environment()`` before
``django.setup()``.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scratch_environment(var_dir: str) -> None:
    """Scratch SQLite in ``var_dir``, DEBUG off, whatever the caller's shell exports."""
    os.environ["CATALYSEUR_VAR_DIR"] = var_dir
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "catalyseur.settings"
    # These would point the bench at another database or change the request path
    # (HTTPS redirects): the figures must come from the scratch SQLite, plain HTTP.
    for name in ("DATABASE_URL", "CATALYSEUR_PRODUCTION", "CONN_MAX_AGE"):
        os.environ.pop(name, None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The scripts of bench/ are named after the apps they measure (practices.py,
    # territories.py) and would shadow them: the project root replaces bench/ on sys.path.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(ROOT))


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def p50(samples):
    return percentile(samples, 50)


def p95(samples):
    return percentile(samples, 95)


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b > 0 else "n/a"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def progress(message: str) -> None:
    """Progress goes to stderr; the results go to stdout."""
    print(f"… {message}", file=sys.stderr, flush=True)


class Table:
    """Rows of (label, n, p50, p95, goal, ratio, verdict), printed aligned at the end."""

    HEADER = ("measure", "n", "p50", "p95", "goal", "ratio", "")

    def __init__(self):
        self.rows: list[tuple] = []

    def section(self, title: str) -> None:
        self.rows.append(("§", title))

    def add(self, label, n="", p50_="", p95_="", goal="", ratio_="", verdict_=""):
        self.rows.append((label, str(n), p50_, p95_, goal, ratio_, verdict_))

    def add_samples(self, label, samples, goal="", ratio_="", verdict_=""):
        self.add(label, len(samples), ms(p50(samples)), ms(p95(samples)), goal, ratio_, verdict_)

    def print(self) -> None:
        body = [r for r in self.rows if r[0] != "§"]
        widths = [max(len(self.HEADER[i]), *(len(r[i]) for r in body)) for i in range(len(self.HEADER))]
        right = {1, 2, 3, 5}

        def line(cells):
            out = []
            for i, cell in enumerate(cells):
                out.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
            return "  ".join(out).rstrip()

        total = sum(widths) + 2 * (len(widths) - 1)
        print(line(self.HEADER))
        print("-" * total)
        for row in self.rows:
            if row[0] == "§":
                print(f"[{row[1]}]")
            else:
                print(line(row))


def migrated_scratch_database(var_dir: str) -> None:
    """Django set up on a new, migrated SQLite file in ``var_dir``, DEBUG off."""
    scratch_environment(var_dir)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    assert not settings.DEBUG, "DEBUG must be off for a benchmark"
    assert connection.vendor == "sqlite" and str(settings.DATABASES["default"]["NAME"]).startswith(var_dir)
    progress(f"scratch database in {var_dir}: migrate")
    call_command("migrate", verbosity=0)


def print_plans(plans: list[tuple[str, str]]) -> None:
    """The EXPLAIN QUERY PLAN lines gathered by a bench, one per measured statement."""
    print("Query plans (EXPLAIN QUERY PLAN; 'SCAN <table>' without an index = full table scan)")
    width = max(len(label) for label, _ in plans)
    for label, plan in plans:
        print(f"  {label.ljust(width)}  {plan}")
