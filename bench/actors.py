"""Benchmarks of the actors: SIRENE import, map of a région, network of a département.

Run from the project root:  .venv/bin/python bench/actors.py   (or `make bench-actors`)
                            .venv/bin/python bench/actors.py --organisations 50000 --partnerships 100000

Everything happens in a scratch SQLite database in a temporary directory, removed at the
end; the project's own ``var/`` database is never touched. The official territories and
the communes' centres are imported, then:

1. three synthetic SIRENE StockEtablissement files of growing size are imported with
   ``import_register(SireneRegister(), …)``, each in its own child process (``spawn``) on
   its own copy of the same database, beside a bare ``executemany`` of the same rows; the
   children report their peak memory;
2. the organisations are brought to 500,000 and 1,000,000 partnerships are written with
   ``bulk_create`` (bench code, not the application);
3. ``GET /api/map`` is measured for each metropolitan région beside the bare ``GROUP BY``
   behind it, and ``network_of()`` / ``GET /api/territories/departement/<code>/network``
   for 20 départements, cold (the first read after a write: computed and stored) and warm
   (the stored figures), beside the bare query that fetches the partner rows; then the
   largest région, EPCI and commune and a project territory, cold and warm.

See bench/README.md. Timings are reported, never asserted: the script always exits 0 when
it ran.
"""

from __future__ import annotations

import argparse
import csv
import gc
import math
import os
import platform
import queue
import random
import resource
import sqlite3
import sys
import tempfile
import time
from bisect import bisect
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

try:
    import common
except ModuleNotFoundError:  # a spawned child: its sys.path is the parent's, without bench/
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import common
from common import Table, migrated_scratch_database, p50, p95, print_plans, progress, ratio, timed, verdict

SEED = 20240613
N_ORGANISATIONS = 500_000
N_PARTNERSHIPS = 1_000_000
IMPORT_SHARES = (0.1, 0.3, 1.0)  # the SIRENE files, as shares of --organisations
N_MAP = 20  # timed requests per map view: 40 per région
N_MAP_WARMUP = 2
N_MAP_DIAGNOSTIC = 3  # rounds without and with the covering index
MAP_INDEX_COLUMNS = "(region_id, latitude, longitude)"
N_NETWORK = 4  # timed rounds per département, each cold (after a write) then warm
N_NETWORK_DEPARTEMENTS = (10, 10)  # the most organisations, and others drawn at random
N_NETWORK_LEVELS = 3  # rounds for the largest région, EPCI, commune and a project territory
NETWORK_P95_GOAL_MS = 200.0
MAP_BUDGET_S = 150.0  # the timed map requests stop after this long (the table says how many ran)
NETWORK_BUDGET_S = 150.0
VIEWPORT = (1024, 640)  # pixels of the map pane the requests are computed for
FIT_PADDING = 20  # map.js: fitBounds(…, {padding: [20, 20]})
CLOSER = 2  # zoom levels closer than the whole région, for the second view
FRANCE = (-5.2, 41.3, 9.6, 51.1)  # map.js: the first view without a territory

MAP_P95_GOAL_MS = 100.0
PROFILED_ROWS = 20_000  # the import profiled with cProfile (on its own copy of the database)
MEMORY_FLAT_GOAL = 1.25  # peak RSS of the largest import ÷ the smallest

# --------------------------------------------------------------------------------------
# Places: the metropolitan communes, their centre, département and région
# --------------------------------------------------------------------------------------


@dataclass
class Commune:
    pk: int
    code: str
    name: str
    postal: str
    latitude: float
    longitude: float
    population: int
    departement_id: int
    region_id: int


class Places:
    """The current metropolitan communes with a centre, drawn by population (fixed seed)."""

    def __init__(self):
        from territories.models import Level, Territory, TerritoryLink

        up: dict[int, dict[str, int]] = defaultdict(dict)
        links = TerritoryLink.objects.filter(descendant_level=Level.COMMUNE,
                                             ancestor__level__in=(Level.DEPARTEMENT, Level.REGION))
        for descendant, ancestor, level in links.values_list("descendant_id", "ancestor_id", "ancestor__level"):
            up[descendant][level] = ancestor
        rows = (Territory.objects.current().filter(level=Level.COMMUNE, zone="metro", latitude__isnull=False)
                .order_by("code").values_list("pk", "code", "name", "postal_codes", "latitude", "longitude", "population"))
        self.communes = [
            Commune(pk, code, name, (postal or [""])[0], lat, lon, population or 0, up[pk]["departement"], up[pk]["region"])
            for pk, code, name, postal, lat, lon, population in rows
        ]
        self.cum = list(_accumulate(c.population for c in self.communes))
        self.departements = {pk: (code, name) for pk, code, name in
                             Territory.objects.filter(level=Level.DEPARTEMENT).values_list("pk", "code", "name")}
        self.regions = {pk: (code, name) for pk, code, name in
                        Territory.objects.filter(level=Level.REGION, zone="metro").values_list("pk", "code", "name")}

    def draw(self, rng: random.Random) -> Commune:
        return self.communes[bisect(self.cum, rng.random() * self.cum[-1])]


def _accumulate(values):
    total = 0
    for v in values:
        total += v
        yield total


# --------------------------------------------------------------------------------------
# 1. Synthetic SIRENE StockEtablissement files
# --------------------------------------------------------------------------------------


def luhn_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass the Luhn check (SIREN, SIRET)."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # doubled once the check digit is appended on the right
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str(-total % 10)


# Municipal arrondissements: SIRENE gives them, not the commune (the importer maps them back).
ARRONDISSEMENTS = {"75056": [(f"751{n:02d}", f"750{n:02d}", f"PARIS {n:02d}") for n in range(1, 21)],
                   "69123": [(f"6938{n}", f"6900{n}", f"LYON {n}E ARRONDISSEMENT") for n in range(1, 10)],
                   "13055": [(f"132{n:02d}", f"130{n:02d}", f"MARSEILLE {n}E ARRONDISSEMENT") for n in range(1, 17)]}
STREET_TYPES = ("RUE",) * 8 + ("AV",) * 3 + ("BD", "CHE", "PL", "RTE", "ALL", "IMP", "QUAI", "ZA")
STREETS = ("DE LA REPUBLIQUE", "JEAN JAURES", "DU GENERAL DE GAULLE", "VICTOR HUGO", "DE LA GARE", "PASTEUR",
           "DES LILAS", "DU MOULIN", "DE L'EGLISE", "GAMBETTA", "DE LA MAIRIE", "DES ECOLES", "DU 8 MAI 1945",
           "LOUIS PASTEUR", "DE PARIS", "DES TILLEULS", "DU STADE", "JULES FERRY", "DE VERDUN", "DES ACACIAS",
           "DU CHATEAU", "SAINT-MARTIN", "DE LA LIBERATION", "ARISTIDE BRIAND", "DU COMMERCE", "DES VIGNES")
TRADES = ("BOULANGERIE", "BOUCHERIE", "GARAGE", "CABINET", "PHARMACIE", "RESTAURANT", "SALON DE COIFFURE", "BOULANGERIE-PATISSERIE",
          "AGENCE", "ATELIER", "TRANSPORTS", "MENUISERIE", "PLOMBERIE", "ELECTRICITE", "EPICERIE", "CAFE", "HOTEL", "LIBRAIRIE",
          "BATIMENT", "CONSEIL", "INFORMATIQUE", "FERME", "SCI", "SARL", "SAS")
SURNAMES = ("MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
            "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
            "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "LEFEVRE", "FAURE", "ANDRE")
NAF = ("47.11F", "56.10A", "62.01Z", "68.20B", "43.21A", "86.21Z", "96.02A", "10.71C", "45.20A", "70.22Z", "49.41A",
       "81.21Z", "85.59A", "94.99Z", "01.11Z", "41.20A", "74.90B", "55.10Z", "47.73Z", "88.10A")
# INSEE headcount bands, roughly as frequent as among open establishments ("NN": none that year).
BANDS = ("NN",) * 30 + ("",) * 25 + ("00",) * 10 + ("01",) * 12 + ("02",) * 8 + ("03",) * 6 + ("11",) * 4 + (
    "12", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")
SHARE_CLOSED = 0.10  # etatAdministratifEtablissement = F (skipped by the importer)
SHARE_PARTIAL = 0.04  # statutDiffusionEtablissement = P: address written [ND]
SHARE_WITH_POINT = 0.70  # Lambert-93 coordinates given (among the diffusible ones)
SHARE_SECONDARY = 0.20  # another establishment of a recent SIREN


class SireneWriter:
    """Rows of the StockEtablissement layout (``COLUMNS``): valid SIREN and SIRET, real
    commune codes of metropolitan France drawn by population, Lambert-93 points near the
    commune's centre for most rows, a few closed or partially diffusible establishments."""

    def __init__(self, places: Places, rng: random.Random):
        from actors.importers.lambert import wgs84_to_lambert93
        from actors.importers.sirene import COLUMNS

        self.places, self.rng, self.columns = places, rng, COLUMNS
        self.index = {name: i for i, name in enumerate(COLUMNS)}
        self.lambert = {}  # commune pk → its centre in Lambert-93
        self.to_lambert = wgs84_to_lambert93
        self.sirens = 0
        self.recent: deque[list] = deque(maxlen=2000)  # [siren, establishments so far]

    def _siren(self) -> tuple[str, int]:
        rng = self.rng
        if self.recent and rng.random() < SHARE_SECONDARY:
            entry = rng.choice(self.recent)
            entry[1] += 1
            return entry[0], entry[1]
        while True:
            # k ↦ 10^7 + 7,368,787·k mod 9·10^7 is one-to-one: every SIREN is new.
            payload = f"{10_000_000 + (self.sirens * 7_368_787) % 90_000_000}"
            self.sirens += 1
            siren = payload + luhn_digit(payload)
            if siren != "356000000":  # La Poste's SIRET follow another rule
                break
        self.recent.append([siren, 1])
        return siren, 1

    def row(self) -> list[str]:
        rng, ix = self.rng, self.index
        fields = [""] * len(self.columns)
        commune = self.places.draw(rng)
        code, postal, town = commune.code, commune.postal, _upper_ascii(commune.name)
        if code in ARRONDISSEMENTS:
            code, postal, town = rng.choice(ARRONDISSEMENTS[code])
        siren, number = self._siren()
        nic4 = f"{number:04d}"
        nic = nic4 + luhn_digit(siren + nic4)
        created = date(1970, 1, 1) + timedelta(days=rng.randrange(20_000))
        band = rng.choice(BANDS)
        fields[ix["siren"]], fields[ix["nic"]], fields[ix["siret"]] = siren, nic, siren + nic
        fields[ix["dateCreationEtablissement"]] = fields[ix["dateDebut"]] = created.isoformat()
        fields[ix["trancheEffectifsEtablissement"]] = band
        fields[ix["anneeEffectifsEtablissement"]] = "2023" if band not in ("", "NN") else ""
        fields[ix["dateDernierTraitementEtablissement"]] = "2025-11-03T09:12:45"
        fields[ix["etablissementSiege"]] = "true" if number == 1 else "false"
        fields[ix["nombrePeriodesEtablissement"]] = str(rng.randint(1, 4))
        fields[ix["libelleCommuneEtablissement"]] = town
        fields[ix["codeCommuneEtablissement"]] = code
        fields[ix["etatAdministratifEtablissement"]] = "F" if rng.random() < SHARE_CLOSED else "A"
        fields[ix["activitePrincipaleEtablissement"]] = naf = rng.choice(NAF)
        fields[ix["nomenclatureActivitePrincipaleEtablissement"]] = "NAFRev2"
        fields[ix["activitePrincipaleNAF25Etablissement"]] = naf[:4] + "0Y"
        fields[ix["caractereEmployeurEtablissement"]] = "N" if band in ("", "NN", "00") else "O"
        draw = rng.random()
        if draw < 0.45:
            fields[ix["denominationUsuelleEtablissement"]] = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)}"
        elif draw < 0.75:
            fields[ix["enseigne1Etablissement"]] = f"{rng.choice(TRADES)} {rng.choice(STREETS).split()[-1]}"
        if rng.random() < SHARE_PARTIAL:  # the owner asked that the address not be published
            fields[ix["statutDiffusionEtablissement"]] = "P"
            for name in ("numeroVoieEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
                         "codePostalEtablissement", "identifiantAdresseEtablissement",
                         "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement"):
                fields[ix[name]] = "[ND]"
            return fields
        fields[ix["statutDiffusionEtablissement"]] = "O"
        number_in_street = rng.randint(1, 180)
        fields[ix["numeroVoieEtablissement"]] = str(number_in_street)
        if rng.random() < 0.05:
            fields[ix["indiceRepetitionEtablissement"]] = "B"
        if rng.random() < 0.10:
            fields[ix["complementAdresseEtablissement"]] = f"BATIMENT {rng.choice('ABCD')}"
        fields[ix["typeVoieEtablissement"]] = rng.choice(STREET_TYPES)
        fields[ix["libelleVoieEtablissement"]] = street = rng.choice(STREETS)
        fields[ix["codePostalEtablissement"]] = postal
        if rng.random() < SHARE_WITH_POINT:
            centre = self.lambert.get(commune.pk)
            if centre is None:
                centre = self.lambert[commune.pk] = self.to_lambert(commune.latitude, commune.longitude)
            fields[ix["coordonneeLambertAbscisseEtablissement"]] = f"{centre[0] + rng.gauss(0, 1200):.1f}"
            fields[ix["coordonneeLambertOrdonneeEtablissement"]] = f"{centre[1] + rng.gauss(0, 1200):.1f}"
            fields[ix["identifiantAdresseEtablissement"]] = f"{code}_{abs(hash(street)) % 10_000:04d}_{number_in_street:05d}"
        return fields


def _upper_ascii(name: str) -> str:
    from search.text import strip_accents

    return strip_accents(name).upper().replace("’", "'")


def write_sirene_files(places: Places, sizes: list[int], directory: Path, rng: random.Random) -> list[Path]:
    """One file per size; the smaller files are the first rows of the larger ones."""
    writer = SireneWriter(places, rng)
    paths = [directory / f"StockEtablissement_bench_{n}.csv" for n in sizes]
    handles = [path.open("w", encoding="utf-8", newline="") for path in paths]
    outs = [csv.writer(h, lineterminator="\n") for h in handles]
    for out in outs:
        out.writerow(writer.columns)
    for i in range(max(sizes)):
        fields = writer.row()
        for out, n in zip(outs, sizes):
            if i < n:
                out.writerow(fields)
        if (i + 1) % 100_000 == 0:
            progress(f"SIRENE files: {i + 1:,} / {max(sizes):,} rows written")
    for handle in handles:
        handle.close()
    return paths


# --------------------------------------------------------------------------------------
# 2. The import, in child processes
# --------------------------------------------------------------------------------------

IMPORT_SQL_GROUPS = (  # (label, marker in the SQL), first match wins
    ("bulk_create organisations", 'INSERT INTO "actors_organization"'),
    ("full-text index (delete + insert)", "search_organizations"),
    ("look-up of the batch's SIRET", '"actors_organization"."siret" IN'),
    ("slugs already taken", '"actors_organization"."slug" IN'),
    ("ancestors_of / centres_of / commune names", '"territories_'),
    ("suggested domains (links, domains_inferred)", '"actors_organization_domains"'),
    ("suggested domains (links, domains_inferred)", '"domains_inferred" ='),
    ("suggested domains (links, domains_inferred)", '"taxonomy_domain"'),
)


class QueryTimer:
    """A ``connection.execute_wrapper`` adding each statement's time to its group's total."""

    def __init__(self, groups):
        self.groups = groups
        self.totals: Counter = Counter()
        self.counts: Counter = Counter()
        self.first: dict[str, tuple] = {}  # label → (sql, params) of its first SELECT

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            label = next((label for label, marker in self.groups if marker in sql), "other")
            self.totals[label] += time.perf_counter() - start
            self.counts[label] += 1
            if not many and label not in self.first and sql.lstrip().upper().startswith("SELECT"):
                self.first[label] = (sql, params)


def memory_mb() -> tuple[float, float]:
    """(resident now, peak resident) of this process, in MB.

    Linux's VmRSS and VmHWM (/proc/self/status). Not getrusage's ru_maxrss: Linux carries
    it over fork and exec, so a child started by a 250 MB parent reports at least 250 MB
    whatever it does. Elsewhere, ru_maxrss for both."""
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 * 1024)
        return peak, peak


# What the profile of an import is cut into: (label, end of the file's path, function name).
PROFILED = (
    ("pass 1: RegisterImport._check", "actors/importers/common.py", "_check"),
    ("  SireneRegister.problems (identifiers, codes, coordinates)", "actors/importers/sirene.py", "problems"),
    ("pass 2: RegisterImport._write", "actors/importers/common.py", "_write"),
    ("  SireneRegister.values + point (Lambert-93 → WGS84)", "actors/importers/sirene.py", "values"),
    ("  SireneRegister.values + point (Lambert-93 → WGS84)", "actors/importers/sirene.py", "point"),
    ("  RegisterImport._save (each batch of 2,000)", "actors/importers/common.py", "_save"),
    ("    Organization(…) objects (Model.__init__)", "django/db/models/base.py", "__init__"),
    ("    _locate / place()", "actors/importers/common.py", "_locate"),
    ("    _give_slugs (slugify, slugs taken)", "actors/importers/common.py", "_give_slugs"),
    ("    ancestors_of + centres_of", "actors/models.py", "ancestors_of"),
    ("    ancestors_of + centres_of", "actors/models.py", "centres_of"),
    ("    Organization.objects.bulk_create", "django/db/models/query.py", "bulk_create"),
    ("    actors.indexing.reindex (analyze() + FTS5 rows)", "actors/indexing.py", "reindex"),
    ("      search.text.analyze", "search/text.py", "analyze"),
    ("    _suggest_domains", "actors/importers/common.py", "_suggest_domains"),
    ("both passes: CsvFile.rows (csv.reader, decoding)", "actors/importers/common.py", "rows"),
)


def import_child(var_dir: str, path: str, territory: str, results, profile: bool = False) -> None:
    """In a new interpreter: Django on ``var_dir``'s database, one import, then the bare
    floors; with ``profile``, the import under cProfile instead (its cumulative times)."""
    common.scratch_environment(var_dir)
    import django

    django.setup()
    from django.db import connection, transaction

    from actors.importers.common import import_register
    from actors.importers.sirene import COLUMNS, SireneRegister

    connection.ensure_connection()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        report = import_register(SireneRegister(), path, territory)
        profiler.disable()
        total = time.perf_counter() - start
        cumulative: Counter = Counter()
        for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in pstats.Stats(profiler).stats.items():
            for label, suffix, function in PROFILED:
                if name == function and file.replace(os.sep, "/").endswith(suffix):
                    cumulative[label] += ct
        connection.close()
        results.put({"read": report.read, "seconds": total, "cumulative": dict(cumulative)})
        return
    gc.collect()
    before_mb, _peak = memory_mb()
    marks: dict[str, float] = {}
    done = [0]

    def on_progress(step: str, count: int) -> None:
        if step not in marks:
            marks[step] = time.perf_counter()
        done[0] += 1
        if done[0] % 250_000 == 0:
            print(f"… import of {Path(path).name}: {step}, {done[0]:,} row visits", file=sys.stderr, flush=True)

    timer = QueryTimer(IMPORT_SQL_GROUPS)
    start = time.perf_counter()
    with connection.execute_wrapper(timer):
        report = import_register(SireneRegister(), path, territory, progress=on_progress)
    end = time.perf_counter()
    _now, peak_mb = memory_mb()
    caches = {}
    from search import text

    for name in ("index_term", "stem"):  # lru_caches of the text analysis, if any
        info = getattr(getattr(text, name, None), "cache_info", None)
        if info is not None:
            caches[name] = (info().currsize, info().maxsize)
    plans = {}
    with connection.cursor() as cursor:
        for label, (sql, params) in timer.first.items():
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plans[label] = " | ".join(row[3] for row in cursor.fetchall())

    # The floors: csv.reader alone over the file, then csv.reader streamed into one
    # executemany into a plain table of as many TEXT columns, one transaction.
    with open(path, encoding="utf-8", newline="") as handle:
        start_csv = time.perf_counter()
        rows = deque(csv.reader(handle), maxlen=0)
        csv_s = time.perf_counter() - start_csv
    del rows
    raw = connection.connection
    raw.execute(f"CREATE TABLE bench_bare_sirene ({', '.join(f'c{i} TEXT' for i in range(len(COLUMNS)))})")
    insert = f"INSERT INTO bench_bare_sirene VALUES ({', '.join('?' * len(COLUMNS))})"
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        gc.collect()
        start_bare = time.perf_counter()
        with transaction.atomic():
            raw.executemany(insert, reader)
        bare_s = time.perf_counter() - start_bare
    raw.execute("DROP TABLE bench_bare_sirene")
    connection.close()
    check, write = marks.get("Vérification des lignes", start), marks.get("Import", end)
    results.put({
        "read": report.read, "created": report.created, "updated": report.updated, "closed": report.closed,
        "outside": report.outside, "invalid": report.invalid, "seconds": end - start, "scope_s": check - start,
        "pass1_s": write - check, "pass2_s": end - write, "sql": dict(timer.totals), "statements": dict(timer.counts),
        "before_mb": before_mb, "peak_mb": peak_mb, "csv_s": csv_s, "bare_s": bare_s, "columns": len(COLUMNS),
        "caches": caches, "plans": plans,
    })


def run_child(ctx, var_dir: str, path: Path, territory: str, profile: bool = False) -> dict:
    results = ctx.Queue()
    child = ctx.Process(target=import_child, args=(var_dir, str(path), territory, results, profile))
    child.start()
    while True:
        try:
            result = results.get(timeout=5)
            break
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError(f"the import child for {path.name} stopped (exit code {child.exitcode})")
    child.join()
    return result


def copy_database(source: Path, target_dir: Path) -> None:
    """A copy of the scratch database (sqlite3 backup API: safe in WAL mode)."""
    target_dir.mkdir()
    src, dst = sqlite3.connect(source), sqlite3.connect(target_dir / source.name)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def create_scope() -> str:
    """A project territory holding every current metropolitan commune: one scope for rows
    drawn over all of metropolitan France (a région would leave most rows outside)."""
    from django.db import transaction

    from territories.models import Level, Territory, TerritoryLink

    with transaction.atomic():
        scope = Territory.objects.create(level=Level.PROJECT, code="bench-france-metropolitaine",
                                         name="France métropolitaine (bench)")
        communes = Territory.objects.current().filter(level=Level.COMMUNE, zone="metro").values_list("pk", flat=True)
        TerritoryLink.objects.bulk_create(
            [TerritoryLink(descendant_id=pk, ancestor=scope, descendant_level=Level.COMMUNE) for pk in communes],
            batch_size=5000,
        )
    return f"{scope.level}/{scope.code}"


def bench_import(table: Table, places: Places, sizes: list[int], var_dir: str, rng: random.Random) -> dict:
    import multiprocessing

    from django.conf import settings
    from django.db import connection

    work = Path(var_dir) / "sirene"
    work.mkdir()
    profiled_rows = min(PROFILED_ROWS, sizes[0])
    file_sizes = sorted(set(sizes) | {profiled_rows})
    progress(f"SIRENE files of {', '.join(f'{n:,}' for n in file_sizes)} rows (seed {SEED})")
    gc.collect()
    write_s, written = timed(write_sirene_files, places, file_sizes, work, rng)
    path_of = dict(zip(file_sizes, written))
    paths = [path_of[n] for n in sizes]
    territory = create_scope()

    # Each import starts from the same state: territories and centres, no organisation.
    # The smallest runs on the main scratch database (its organisations stay for the map
    # and network measures), the others on copies made before it, deleted after them.
    database = Path(settings.DATABASES["default"]["NAME"])
    connection.close()
    dirs = {n: var_dir if i == 0 else str(work / f"db-{n}") for i, n in enumerate(sizes)}
    profile_dir = str(work / "db-profile")
    for directory in [dirs[n] for n in sizes[1:]] + [profile_dir]:
        copy_database(database, Path(directory))

    def remove(directory: str) -> None:
        for file in Path(directory).iterdir():
            file.unlink()
        Path(directory).rmdir()

    ctx = multiprocessing.get_context("spawn")
    results = {}
    progress(f"import of {profiled_rows:,} SIRENE rows under cProfile, in a child process, on a copy")
    profiled = run_child(ctx, profile_dir, path_of[profiled_rows], territory, profile=True)
    remove(profile_dir)
    for n, path in zip(sizes, paths):
        progress(f"import of {n:,} SIRENE rows in a child process (import_register, then the bare floors)")
        results[n] = run_child(ctx, dirs[n], path, territory)
        if dirs[n] != var_dir:
            remove(dirs[n])
        results[n]["file_mb"] = path.stat().st_size / 1e6

    table.section(f"SIRENE import — import_register(SireneRegister(), file, '{territory}'), one child process per file")
    table.add(f"write the {len(file_sizes)} CSV files ({max(sizes):,} rows; bench code, not the application)", 1, "",
              f"{write_s:.1f} s")
    for n in sizes:
        r = results[n]
        rate = r["read"] / r["seconds"]
        bare_rate = r["read"] / r["bare_s"]
        table.add(f"{n:,} rows ({r['file_mb']:.0f} MB): whole import, two passes", 1, "", f"{r['seconds']:.1f} s",
                  "", f"{rate:,.0f} rows/s")
        table.add(f"  created {r['created']:,}, closed (skipped) {r['closed']:,}, outside {r['outside']:,}, "
                  f"invalid {r['invalid']:,}")
        table.add("  scope (the territory's communes, one query)", 1, "", f"{r['scope_s']:.2f} s")
        table.add("  pass 1: read and check every row", 1, "", f"{r['pass1_s']:.1f} s", "", f"{r['read'] / r['pass1_s']:,.0f} rows/s")
        table.add("  pass 2: read again, build and write (one transaction)", 1, "", f"{r['pass2_s']:.1f} s", "",
                  f"{r['read'] / r['pass2_s']:,.0f} rows/s")
        sql = r["sql"]
        for label in dict.fromkeys([label for label, _marker in IMPORT_SQL_GROUPS] + ["other"]):
            if label in sql:
                table.add(f"    SQL: {label}", r["statements"][label], "", f"{sql[label]:.1f} s")
        table.add("    Python of pass 2 (pass 2 − its SQL)", 1, "", f"{r['pass2_s'] - sum(sql.values()):.1f} s")
        table.add("  csv.reader alone, one pass over the file", 1, "", f"{r['csv_s']:.1f} s", "",
                  f"{r['read'] / r['csv_s']:,.0f} rows/s")
        table.add(f"  bare: csv.reader → one executemany, {r['columns']} TEXT columns, one transaction",
                  1, "", f"{r['bare_s']:.1f} s", "", f"{bare_rate:,.0f} rows/s")
        table.add("  import ÷ bare, in time", "", "", "", "", ratio(r["seconds"], r["bare_s"]))

    table.section(f"SIRENE import — where its time goes: cProfile of the {profiled_rows:,}-row import, cumulative time "
                  "(the profiler slows Python down: read the shares)")
    total = profiled["seconds"]
    table.add(f"the whole import under the profiler ({profiled['read'] / total:,.0f} rows/s)", 1, "", f"{total:.1f} s", "",
              "100 %")
    for label in dict.fromkeys(label for label, _suffix, _function in PROFILED):
        if label in profiled["cumulative"]:
            seconds = profiled["cumulative"][label]
            table.add(label, 1, "", f"{seconds:.1f} s", "", f"{100 * seconds / total:.0f} %")

    small, large = results[sizes[0]], results[sizes[-1]]
    table.section("SIRENE import — memory of each child (resident once Django is set up → peak resident of the import)")
    for n in sizes:
        r = results[n]
        table.add(f"{n:,} rows: before the import → peak", 1, f"{r['before_mb']:.0f} MB", f"{r['peak_mb']:.0f} MB",
                  "", f"+{r['peak_mb'] - r['before_mb']:.0f} MB")
    flat = large["peak_mb"] / small["peak_mb"]
    table.add(f"peak of {sizes[-1]:,} rows ÷ peak of {sizes[0]:,} rows ({sizes[-1] / sizes[0]:g}× the rows)", "", "", "",
              f"< {MEMORY_FLAT_GOAL:g}×", f"{flat:.2f}×", verdict(flat < MEMORY_FLAT_GOAL))
    grow_small = max(small["peak_mb"] - small["before_mb"], 1.0)
    table.add("  growth during the import, largest ÷ smallest", "", "", "", "",
              f"{(large['peak_mb'] - large['before_mb']) / grow_small:.2f}×")
    for name in ("index_term", "stem"):
        if name in large["caches"]:
            table.add(f"  entries of search.text.{name}'s lru_cache after each import (max {large['caches'][name][1]:,})", "",
                      "", "", "", " / ".join(f"{results[n]['caches'][name][0]:,}" for n in sizes))
    table.add(f"import rate of {sizes[-1]:,} rows ÷ rate of {sizes[0]:,} rows", "", "", "", "",
              f"{(large['read'] / large['seconds']) / (small['read'] / small['seconds']):.2f}×")
    plans = [(f"import ({sizes[-1]:,} rows): {label}", plan) for label, plan in large["plans"].items()]
    return {"territory": territory, "imported": small["created"], "results": results, "plans": plans}


# --------------------------------------------------------------------------------------
# 3. Scale data: organisations, catalysts and partnerships with bulk_create
# --------------------------------------------------------------------------------------

KIND_MIX = (("association", 0.45), ("entreprise", 0.28), ("collectivite", 0.08), ("institution", 0.05),
            ("accompagnateur", 0.06), ("fondation", 0.04), ("academique", 0.04))
KIND_NAMES = {"association": ("Association", "Amicale", "Collectif", "Comité des fêtes de"),
              "entreprise": ("SARL", "SAS", "Coopérative", "Atelier", "Groupe"),
              "collectivite": ("Mairie de", "Communauté de communes de", "Syndicat intercommunal de"),
              "institution": ("Caisse d'allocations familiales de", "Mission locale de", "Pôle emploi de"),
              "accompagnateur": ("Incubateur", "France Active", "Boutique de gestion de", "Tiers-lieu"),
              "fondation": ("Fondation", "Fonds de dotation"),
              "academique": ("Université de", "Laboratoire", "IUT de", "École")}
WORDS = ("solidaire", "des quartiers", "du littoral", "de la vallée", "Horizon", "Les Tilleuls", "Entraide", "Avenir",
         "Cap Emploi", "Sport pour tous", "Les Jardins", "Le Relais", "Familles rurales", "Lien social", "Energie",
         "Numérique", "Culture et loisirs", "Initiatives", "Les Ateliers", "La Passerelle", "Trait d'union", "Vivre ensemble")
TYPE_WEIGHTS = (0.4, 0.3, 0.2, 0.1)  # the 4 partnership types, by position
PARTNER_MIX = (0.85, 0.10)  # same département, same région (else anywhere)


def bulk_organisations(places: Places, n_total: int, rng: random.Random) -> tuple[int, float]:
    """Bring the organisations to ``n_total``: synthetic ones of every kind at their
    commune's centre, commune / département / région set. Returns (created, seconds)."""
    from django.db import transaction
    from django.utils.text import slugify

    from actors.models import Organization, Precision, Size, Source

    existing = Organization.objects.count()
    wanted = max(0, n_total - existing)
    kinds, kind_weights = zip(*KIND_MIX)
    sizes = [s for s, _label in Size.choices]
    commune_slug: dict[int, str] = {}
    start = time.perf_counter()
    batch, rna = 10_000, 0
    for first in range(0, wanted, batch):
        organisations = []
        for i in range(first, min(wanted, first + batch)):
            commune = places.draw(rng)
            kind = rng.choices(kinds, kind_weights)[0]
            prefix = rng.choice(KIND_NAMES[kind])
            if prefix.endswith(" de"):
                name = f"{prefix} {commune.name}" if rng.random() < 0.5 else f"{prefix} {commune.name} {rng.choice(WORDS)}"
            else:
                name = f"{prefix} {rng.choice(WORDS)} {commune.name}"
            if commune.pk not in commune_slug:
                commune_slug[commune.pk] = slugify(commune.name)
            org = Organization(
                slug=f"{kind}-{commune_slug[commune.pk]}-{i + 1}"[-140:], name=name, kind=kind,
                size=rng.choice(sizes) if kind == "entreprise" and rng.random() < 0.7 else "",
                postal_code=commune.postal, commune_id=commune.pk, departement_id=commune.departement_id,
                region_id=commune.region_id, latitude=commune.latitude, longitude=commune.longitude,
                location_precision=Precision.COMMUNE, source=Source.MANUAL,
            )
            if kind == "association" and rng.random() < 0.6:
                rna += 1
                dep = places.departements[commune.departement_id][0]
                org.rna = f"W{dep[:2]}{'1' if len(dep) == 2 else dep[2]}{rna:06d}"
                org.source = Source.RNA
            organisations.append(org)
        with transaction.atomic():
            Organization.objects.bulk_create(organisations)
        done = first + len(organisations)
        if done % 50_000 == 0 or done == wanted:
            progress(f"organisations: {existing + done:,} / {n_total:,} ({time.perf_counter() - start:.0f} s)")
    return wanted, time.perf_counter() - start


def bulk_catalysts(n: int, rng: random.Random) -> float:
    """A few catalysts (the map's second layer): most hosted by an organisation."""
    from django.db import transaction

    from actors.models import Catalyst, Organization, Profile

    start = time.perf_counter()
    org_ids = list(Organization.objects.values_list("pk", "commune_id"))
    profiles = [p for p, _label in Profile.choices]
    catalysts = []
    for i in range(n):
        pk, commune_id = rng.choice(org_ids)
        hosted = rng.random() < 0.8
        catalysts.append(Catalyst(slug=f"catalyseur-{i + 1}", name=f"Catalyseur {i + 1}", profile=rng.choice(profiles),
                                  is_person=rng.random() < 0.8, consent_public=rng.random() < 0.5,
                                  structure_id=pk if hosted else None, territory_id=None if hosted else commune_id))
    with transaction.atomic():
        Catalyst.objects.bulk_create(catalysts, batch_size=2000)
    return time.perf_counter() - start


def bulk_partnerships(n: int, rng: random.Random) -> dict:
    """``n`` active partnerships of 2 or 3 partners, mostly within one département;
    département and région copied from the first partner, as ``locate_partnership`` does
    for a partnership without a territory of its own (or with one holding that partner)."""
    from django.db import transaction

    from actors.models import Organization, Partnership, PartnershipMember, PartnershipStatus
    from taxonomy.models import PartnershipType

    orgs = list(Organization.objects.values_list("pk", "departement_id", "region_id", "commune_id"))
    by_dep: dict[int, list] = defaultdict(list)
    by_region: dict[int, list] = defaultdict(list)
    for org in orgs:
        by_dep[org[1]].append(org)
        by_region[org[2]].append(org)
    types = list(PartnershipType.objects.order_by("position").values_list("pk", "label"))
    type_cum = list(_accumulate(TYPE_WEIGHTS[: len(types)]))
    epoch = date(2015, 1, 1)
    timings = {"generate": 0.0, "partnerships": 0.0, "members": 0.0, "members_n": 0}
    batch = 20_000
    started = time.perf_counter()
    for first in range(0, n, batch):
        t0 = time.perf_counter()
        partnerships, partners = [], []
        for i in range(first, min(n, first + batch)):
            lead = rng.choice(orgs)
            draw = rng.random()
            pool = by_dep[lead[1]] if draw < PARTNER_MIX[0] else by_region[lead[2]] if draw < sum(PARTNER_MIX) else orgs
            members = {lead[0]}
            want = 2 if rng.random() < 0.7 else 3
            for _ in range(10):
                if len(members) >= want:
                    break
                members.add(rng.choice(pool)[0])
            type_id, type_label = types[bisect(type_cum, rng.random() * type_cum[-1])]
            start_date = epoch + timedelta(days=rng.randrange(3650))
            where = rng.random()
            territory = None if where < 0.6 else lead[1] if where < 0.85 else lead[3]
            partnerships.append(Partnership(
                title=f"{type_label} n° {i + 1}", type_id=type_id, territory_id=territory,
                departement_id=lead[1], region_id=lead[2], start_date=start_date, status=PartnershipStatus.ACTIVE,
            ))
            partners.append((lead[0], *(m for m in members if m != lead[0])))
        t1 = time.perf_counter()
        with transaction.atomic():
            Partnership.objects.bulk_create(partnerships)
            t2 = time.perf_counter()
            confirmed = datetime(2025, 1, 1, tzinfo=timezone.utc)
            rows = [PartnershipMember(partnership_id=p.pk, organization_id=org_id, confirmed_at=confirmed)
                    for p, ids in zip(partnerships, partners) for org_id in ids]
            PartnershipMember.objects.bulk_create(rows)
        t3 = time.perf_counter()
        timings["generate"] += t1 - t0
        timings["partnerships"] += t2 - t1
        timings["members"] += t3 - t2
        timings["members_n"] += len(rows)
        done = first + len(partnerships)
        if done % 100_000 == 0 or done == n:
            progress(f"partnerships: {done:,} / {n:,} ({time.perf_counter() - started:.0f} s)")
    return timings


# --------------------------------------------------------------------------------------
# 4. The map: GET /api/map for each metropolitan région
# --------------------------------------------------------------------------------------


def _mercator(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2**zoom
    s = math.sin(math.radians(max(-85.0, min(85.0, lat))))
    return (lon + 180) / 360 * scale, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale


def _unmercator(x: float, y: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2**zoom
    lon = x / scale * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))
    return lon, lat


def fit_zoom(west: float, south: float, east: float, north: float) -> int:
    """The zoom Leaflet's fitBounds picks for these bounds in the viewport (whole zooms)."""
    width, height = VIEWPORT[0] - 2 * FIT_PADDING, VIEWPORT[1] - 2 * FIT_PADDING
    for zoom in range(18, 0, -1):
        x1, y1 = _mercator(west, north, zoom)
        x2, y2 = _mercator(east, south, zoom)
        if x2 - x1 <= width and y2 - y1 <= height:
            return zoom
    return 1


def view_bbox(lon: float, lat: float, zoom: int) -> str:
    """The bbox the page sends for a viewport centred on (lon, lat): ouest,sud,est,nord."""
    x, y = _mercator(lon, lat, zoom)
    west, north = _unmercator(x - VIEWPORT[0] / 2, y - VIEWPORT[1] / 2, zoom)
    east, south = _unmercator(x + VIEWPORT[0] / 2, y + VIEWPORT[1] / 2, zoom)
    return ",".join(f"{v:.5f}" for v in (west, south, east, north))


@dataclass
class View:
    label: str
    region: str  # région code, "" for the whole of France
    zoom: int
    bbox: str
    kind: str  # "whole", "closer", "france cold", "france cached"

    def params(self) -> dict:
        params = {"zoom": self.zoom, "bbox": self.bbox}
        if self.region:
            params["territory"] = f"region/{self.region}"
        return params


def map_views(places: Places) -> tuple[list[View], dict[str, list[float]]]:
    """Two views per metropolitan région (the whole région as the page fits it, then
    ``CLOSER`` zooms closer on its largest city), and the page's first view of France."""
    from actors.map import territory_bounds
    from territories.models import Territory

    views, bounds = [], {}
    biggest: dict[int, Commune] = {}
    for c in places.communes:
        if c.region_id not in biggest or c.population > biggest[c.region_id].population:
            biggest[c.region_id] = c
    for region in Territory.objects.filter(pk__in=list(places.regions)).order_by("code"):
        west, south, east, north = bounds[region.code] = territory_bounds(region)
        zoom = fit_zoom(west, south, east, north)
        views.append(View(f"{region.code} {region.name}, whole région", region.code, zoom,
                          view_bbox((west + east) / 2, (south + north) / 2, zoom), "whole"))
        city = biggest[region.pk]
        views.append(View(f"{region.code} {region.name}, closer on {city.name}", region.code, zoom + CLOSER,
                          view_bbox(city.longitude, city.latitude, zoom + CLOSER), "closer"))
    zoom = fit_zoom(*FRANCE)
    france = view_bbox((FRANCE[0] + FRANCE[2]) / 2, (FRANCE[1] + FRANCE[3]) / 2, zoom)
    views.append(View("France, no territory (first view): cache cleared before each", "", zoom, france, "france cold"))
    views.append(View("France, no territory (first view): the same again, cached", "", zoom, france, "france cached"))
    return views, bounds


# The organisations' GROUP BY of actors/map_grid.py (cells_of, below POINTS_ZOOM): one
# integer cell number per row, count, mean position, lowest id. The bbox test is left out,
# as the application leaves it out, when the snapped view holds the whole territory.
BARE_MAP_SQL = """
SELECT CAST((latitude + 90.0) / ? AS INTEGER) * ? + CAST((longitude + 180.0) / ? AS INTEGER) AS cell,
       COUNT(*), AVG(latitude), AVG(longitude), MIN(id)
FROM actors_organization
WHERE {where}latitude IS NOT NULL AND longitude IS NOT NULL
GROUP BY cell
"""

MAP_SQL_GROUPS = (  # (label, test on the SQL), first match wins
    ("organisations: GROUP BY grid cells", lambda s: 'FROM "actors_organization" WHERE' in s and "GROUP BY" in s),
    ("catalysts: GROUP BY grid cells", lambda s: 'FROM "actors_catalyst"' in s and "GROUP BY" in s),
    ("fiches: GROUP BY grid cells", lambda s: 'FROM "practices_casestudy"' in s and "GROUP BY" in s),
    ("single points (cells of one, or few matches)", lambda s: s.startswith(('SELECT "actors_', 'SELECT "practices_'))),
    ("taxonomy of the filter form", lambda s: '"taxonomy_' in s),
    ("territory bounds (does the view hold it all?)", lambda s: 'MIN("territories_territory"."longitude")' in s),
    ("territory of the filter, communes of the clusters", lambda s: '"territories_territory"' in s),
    ("full-text index tokens (cache key)", lambda s: '"search_indexversion"' in s),
)


class Recorder:
    """A ``connection.execute_wrapper`` keeping each statement and its parameters."""

    def __init__(self):
        self.statements: list[tuple[str, object, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params, many))
        return execute(sql, params, many, context)

    def take(self) -> list:
        out, self.statements = self.statements, []
        return out


def replay(statements: list, groups) -> Counter:
    """Each recorded SELECT run again and fetched whole, timed by label. (Timing the
    statements where they ran would miss the rows the ORM fetches later, in chunks.)"""
    from django.db import connection

    split: Counter = Counter()
    with connection.cursor() as cursor:
        for sql, params, many in statements:
            if many or not sql.lstrip().upper().startswith("SELECT"):
                continue
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            split[next((label for label, test in groups if test(sql)), "other")] += time.perf_counter() - start
    return split


class MapBench:
    def __init__(self, places: Places):
        from django.db import connection
        from django.test import Client

        from actors.map import BBox, Grid

        self.views, self.bounds = map_views(places)
        self.regional = [v for v in self.views if v.region]
        self.region_pk = {code: pk for pk, (code, _name) in places.regions.items()}
        self.client = Client()
        connection.ensure_connection()
        self.raw = connection.connection
        self.statements = {}
        for view in self.views:
            bbox = BBox.parse(view.bbox)
            grid = Grid.for_view(view.zoom, bbox)
            snapped = grid.snap(bbox)
            columns = math.ceil(360 / grid.lon_size) + 1
            where, params = "", [grid.lat_size, columns, grid.lon_size]
            holds_all = False
            if view.region:
                where, params = "region_id = ? AND ", params + [self.region_pk[view.region]]
                west, south, east, north = self.bounds[view.region]
                holds_all = snapped.west <= west and snapped.south <= south and snapped.east >= east and snapped.north >= north
            if not holds_all:
                where += "latitude >= ? AND latitude <= ? AND longitude >= ? AND longitude <= ? AND "
                params += [snapped.south, snapped.north, snapped.west, snapped.east]
            self.statements[id(view)] = (BARE_MAP_SQL.format(where=where), params)

    def api(self, view: View):
        from django.core.cache import cache

        if view.kind == "france cold":
            cache.clear()  # outside the timing
        start = time.perf_counter()
        response = self.client.get("/api/map", view.params())
        return time.perf_counter() - start, response

    def bare(self, view: View) -> float:
        sql, params = self.statements[id(view)]
        start = time.perf_counter()
        self.raw.execute(sql, params).fetchall()
        return time.perf_counter() - start

    def measure(self, views: list[View], rounds: int, budget_s: float, *, with_bare=lambda view: True):
        """API and bare timings, the views interleaved round after round (drift affects them alike)."""
        t_api: dict[int, list] = defaultdict(list)
        t_bare: dict[int, list] = defaultdict(list)
        errors, done = 0, 0
        stop = time.perf_counter() + budget_s
        gc.collect()
        for _ in range(rounds):
            if time.perf_counter() > stop:
                break
            done += 1
            for view in views:
                elapsed, response = self.api(view)
                errors += response.status_code != 200
                t_api[id(view)].append(elapsed)
                if with_bare(view):
                    t_bare[id(view)].append(self.bare(view))
        return t_api, t_bare, errors, done


def bench_map(table: Table, places: Places) -> tuple[list[tuple[str, str]], MapBench]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bench = MapBench(places)
    views, regional = bench.views, bench.regional
    progress(f"map: {len(views)} views, warm-up ({N_MAP_WARMUP} requests each)")
    info = {}
    for view in views:
        for _ in range(N_MAP_WARMUP):
            _elapsed, response = bench.api(view)
            bench.bare(view)
        data = response.json() if response.status_code == 200 else {}
        info[id(view)] = (len(response.content), data.get("mode", "?"), len(data.get("features", ())), data.get("total", 0))

    progress(f"map: {N_MAP} rounds over the {len(views)} views × (API, bare GROUP BY), budget {MAP_BUDGET_S:.0f} s")
    t_api, t_bare, errors, rounds = bench.measure(views, N_MAP, MAP_BUDGET_S, with_bare=lambda v: v.kind != "france cached")
    cold = next(v for v in views if v.kind == "france cold")
    for view in views:
        if view.kind == "france cached":
            t_bare[id(view)] = t_bare[id(cold)]  # the same statement

    # Separate pass: where each request's time goes (its statements recorded, then replayed).
    progress("map: 3 more requests per régional view, their SQL statements replayed and timed")
    recorder = Recorder()
    labels = [label for label, _test in MAP_SQL_GROUPS] + ["other"]
    by_label: dict[str, dict[str, list]] = {kind: defaultdict(list) for kind in ("whole", "closer")}
    python_rest: dict[str, list] = defaultdict(list)
    for view in regional:
        for _ in range(3):
            with connection.execute_wrapper(recorder):
                elapsed, _response = bench.api(view)
            split = replay(recorder.take(), MAP_SQL_GROUPS)
            for label in labels:
                by_label[view.kind][label].append(split.get(label, 0.0))
            python_rest[view.kind].append(max(0.0, elapsed - sum(split.values())))

    all_api = [t for v in regional for t in t_api[id(v)]]
    all_bare = [t for v in regional for t in t_bare[id(v)]]
    title = f"{rounds} rounds" + (f" of {N_MAP} (budget {MAP_BUDGET_S:.0f} s)" if rounds < N_MAP else "")
    table.section(f"Map — GET /api/map?territory=region/<code>&zoom=<z>&bbox=… ({title}; viewport {VIEWPORT[0]}×{VIEWPORT[1]} px)")
    api_p95 = p95(all_api)
    table.add_samples(f"API via django.test.Client, {len(regional) // 2} régions × 2 views", all_api,
                      f"p95 < {MAP_P95_GOAL_MS:.0f} ms", ratio(api_p95, p95(all_bare)), verdict(api_p95 * 1000 < MAP_P95_GOAL_MS))
    for kind, name in (("whole", "whole région"), ("closer", f"closer view (zoom + {CLOSER}, on the largest city)")):
        a = [t for v in regional if v.kind == kind for t in t_api[id(v)]]
        b = [t for v in regional if v.kind == kind for t in t_bare[id(v)]]
        table.add_samples(f"  of which {name}", a, "", ratio(p95(a), p95(b)))
    table.add_samples("bare SQL: the organisations' GROUP BY into the same cells", all_bare)
    missed = []
    for code in dict.fromkeys(v.region for v in regional):
        samples = [t for v in regional if v.region == code for t in t_api[id(v)]]
        if p95(samples) * 1000 >= MAP_P95_GOAL_MS:
            missed.append(code)
    table.add(f"régions whose p95 (both views) misses {MAP_P95_GOAL_MS:.0f} ms: {', '.join(missed) or 'none'}", len(missed))
    table.section("Map — per view (ratio: API p95 ÷ bare p95; then the bare p50 / p95 and the answer: size, mode, features, matches)")
    for view in views:
        a, b = t_api[id(view)], t_bare[id(view)]
        size, mode, features, total = info[id(view)]
        goal = f"p95 < {MAP_P95_GOAL_MS:.0f} ms" if view.region else ""
        table.add_samples(f"{view.label}, zoom {view.zoom}", a, goal, ratio(p95(a), p95(b)),
                          verdict(p95(a) * 1000 < MAP_P95_GOAL_MS) if view.region else "")
        table.add(f"  bare {p50(b) * 1000:.1f} / {p95(b) * 1000:.1f} ms; {size / 1000:.0f} kB, {mode}, {features} features, "
                  f"{total:,} matches")
    for kind, name in (("whole", "whole région"), ("closer", "closer view")):
        table.section(f"Map — where the time of a request goes, {name} (3 requests per région; SQL replayed with fetchall)")
        for label in labels:
            samples = by_label[kind][label]
            if any(samples):
                table.add_samples(f"SQL: {label}", samples)
        table.add_samples("the rest: framework, form, Python of map_features, JSON", python_rest[kind])
    if errors:
        table.add(f"  !! {errors} API responses were not 200")

    # The plans of the statements of the région with the most matches, both views, and of France.
    largest = max((v for v in regional if v.kind == "whole"), key=lambda v: info[id(v)][3])
    plans = []
    for view in [v for v in regional if v.region == largest.region] + [cold]:
        with CaptureQueriesContext(connection) as captured:
            bench.api(view)
        for query in captured.captured_queries:
            sql = query["sql"]
            label = next((label for label, test in MAP_SQL_GROUPS if test(sql)), "other")
            if label.endswith("grid cells") or label.startswith(("single points", "territory bounds")):
                plans.append((f"map, {view.label}: {label}", explain(sql)))
        sql, params = bench.statements[id(view)]
        plans.append((f"map, {view.label}: bare GROUP BY", explain_raw(sql, params)))
    return plans, bench


def map_index_diagnostic(table: Table, bench: MapBench) -> list[tuple[str, str]]:
    """After every measure: the régional views again, with and then without an index that
    covers the map's GROUP BY (created in the scratch database only, then dropped)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Only worth it while the GROUP BY reads the table row by row.
    whole = [v for v in bench.regional if v.kind == "whole"]
    largest = max(whole, key=lambda v: p50([bench.bare(v) for _ in range(3)]))
    with CaptureQueriesContext(connection) as captured:
        bench.api(largest)
    current = next((explain(q["sql"]) for q in captured.captured_queries if MAP_SQL_GROUPS[0][1](q["sql"])), "")
    if "COVERING INDEX" in current:
        table.section("Map — diagnostic")
        table.add("no index experiment: the organisations' GROUP BY already reads a covering index (see the plans)")
        return []

    rounds = N_MAP_DIAGNOSTIC
    progress(f"map, diagnostic: {rounds} rounds without, then with, a covering index {MAP_INDEX_COLUMNS}")
    before_api, before_bare, _errors, _done = bench.measure(bench.regional, rounds, MAP_BUDGET_S)
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(f"CREATE INDEX bench_map_covering ON actors_organization {MAP_INDEX_COLUMNS}")
        create_s = time.perf_counter() - start
    for view in bench.regional:
        for _ in range(N_MAP_WARMUP):
            bench.api(view)
    after_api, after_bare, _errors, _done = bench.measure(bench.regional, rounds, MAP_BUDGET_S)
    plans = []
    with CaptureQueriesContext(connection) as captured:
        bench.api(largest)
    for query in captured.captured_queries:
        if MAP_SQL_GROUPS[0][1](query["sql"]):
            plans.append((f"map, {largest.label}: organisations' GROUP BY, with the covering index", explain(query["sql"])))
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX bench_map_covering")

    def flat(store, kind=None):
        return [t for v in bench.regional if kind in (None, v.kind) for t in store[id(v)]]

    table.section(f"Map — diagnostic: CREATE INDEX … ON actors_organization {MAP_INDEX_COLUMNS} (scratch database only; "
                  f"{rounds} rounds each, same views)")
    table.add("create the index", 1, "", f"{create_s:.1f} s")
    for name, kind in (("all régional views", None), ("  whole région", "whole"), ("  closer view", "closer")):
        a_before, a_after = flat(before_api, kind), flat(after_api, kind)
        b_before, b_after = flat(before_bare, kind), flat(after_bare, kind)
        goal = f"p95 < {MAP_P95_GOAL_MS:.0f} ms" if kind is None else ""
        table.add_samples(f"{name}: API without the index", a_before, goal, "",
                          verdict(p95(a_before) * 1000 < MAP_P95_GOAL_MS) if kind is None else "")
        table.add_samples(f"{name}: API with it", a_after, goal, ratio(p95(a_before), p95(a_after)),
                          verdict(p95(a_after) * 1000 < MAP_P95_GOAL_MS) if kind is None else "")
        table.add_samples(f"{name}: bare GROUP BY without → with", b_before, "", ratio(p95(b_before), p95(b_after)))
        table.add_samples(f"{name}: bare GROUP BY with the index", b_after)
    return plans


def explain_raw(sql: str, params: list) -> str:
    from django.db import connection

    return " | ".join(row[3] for row in connection.connection.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " | ".join(row[3] for row in cursor.fetchall())


# --------------------------------------------------------------------------------------
# 5. The network of a territory: cold (first read after a write) and warm (stored)
# --------------------------------------------------------------------------------------

BARE_NETWORK_SQL = """
SELECT m.partnership_id, p.type_id, m.organization_id
FROM actors_partnershipmember m JOIN actors_partnership p ON p.id = m.partnership_id
WHERE p.departement_id = ? AND p.status = 'actif'
"""

NETWORK_SQL_GROUPS = (  # (label, test on the SQL), first match wins
    ("stored figures (current token compared in SQL)", lambda s: '"actors_networkfigures"' in s),
    ("network token (read before computing)", lambda s: '"search_indexversion"' in s),
    ("partner rows (partnership, type, organisation)",
     lambda s: s.startswith("SELECT p.id, p.type_id, m.organization_id") or s.startswith("WITH located")),
    ("organisations located inside, with their kind", lambda s: s.startswith("SELECT o.id, o.kind FROM")),
    ("kinds of the partners located elsewhere", lambda s: s.startswith("SELECT id, kind FROM")),
    ("first isolated organisations by name", lambda s: s.startswith("SELECT id, slug, name") and "ORDER BY name" in s),
    ("organisations drawn and listed (by id)", lambda s: s.startswith("SELECT id, slug, name")),
    ("edges: partner rows of the organisations drawn", lambda s: s.startswith("SELECT partnership_id, organization_id")),
    ("partnership types (labels)", lambda s: '"taxonomy_partnershiptype"' in s),
    ("territory (API only)", lambda s: '"territories_territory"' in s),
)
STORE_LABEL = "store the figures (INSERT … ON CONFLICT, its execution)"


class TimingRecorder(Recorder):
    """A ``Recorder`` that also times each statement's execution (for the writes, which are not replayed)."""

    def __init__(self):
        super().__init__()
        self.writes = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return super().__call__(execute, sql, params, many, context)
        finally:
            if not sql.lstrip().upper().startswith("SELECT"):
                self.writes += time.perf_counter() - start


def bench_network(table: Table, places: Places, rng: random.Random) -> list[tuple[str, str]]:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from actors import network_figures
    from actors.models import Organization
    from actors.network import network_of, touch
    from territories.models import Territory

    counts = dict(Organization.objects.values_list("departement_id").annotate(n=Count("pk")).values_list("departement_id", "n"))
    metro_deps = {c.departement_id for c in places.communes}
    metro = [pk for pk in counts if pk in metro_deps]
    ordered = sorted(metro, key=lambda pk: (-counts[pk], pk))
    top_n, other_n = N_NETWORK_DEPARTEMENTS
    top = ordered[:top_n]
    others = rng.sample(ordered[top_n:], min(other_n, len(ordered) - top_n))
    chosen = top + others
    departements = Territory.objects.in_bulk(chosen)
    client = Client()
    connection.ensure_connection()
    raw = connection.connection

    def api(pk):
        code = places.departements[pk][0]
        response = client.get(f"/api/territories/departement/{code}/network")
        return response.status_code, len(response.content)

    def page(pk):
        code = places.departements[pk][0]
        response = client.get(f"/acteurs/reseau/departement/{code}/")
        return response.status_code, len(response.content)

    def direct(pk):
        return network_of(departements[pk])

    def bare(pk):
        return raw.execute(BARE_NETWORK_SQL, (pk,)).fetchall()

    progress(f"network: {len(chosen)} départements, warm-up (one API call each)")
    sizes, facts = {}, {}
    touch()
    for pk in chosen:
        _status, sizes[pk] = api(pk)
        bare(pk)
    progress(f"network: {N_NETWORK} rounds × {len(chosen)} départements × (write, API cold, API warm, page warm, "
             f"write, network_of cold, network_of warm, bare SQL), budget {NETWORK_BUDGET_S:.0f} s")
    names = ("api cold", "api warm", "page warm", "direct cold", "direct warm", "bare")
    t: dict[str, dict[int, list]] = {name: defaultdict(list) for name in names}
    errors, rounds = 0, 0
    stop = time.perf_counter() + NETWORK_BUDGET_S
    gc.collect()
    for _ in range(N_NETWORK):
        if time.perf_counter() > stop:
            break
        rounds += 1
        for pk in chosen:
            touch()  # a write: every stored network is out of date (outside the timing)
            elapsed, (status, _size) = timed(api, pk)
            errors += status != 200
            t["api cold"][pk].append(elapsed)
            elapsed, (status, _size) = timed(api, pk)
            errors += status != 200
            t["api warm"][pk].append(elapsed)
            elapsed, (status, _size) = timed(page, pk)
            errors += status != 200
            t["page warm"][pk].append(elapsed)
            touch()
            elapsed, network = timed(direct, pk)
            t["direct cold"][pk].append(elapsed)
            elapsed, network = timed(direct, pk)
            t["direct warm"][pk].append(elapsed)
            facts[pk] = (network.partnerships, network.organizations_inside, len(network.nodes), len(network.edges),
                         network.nodes_not_drawn, network.edges_not_drawn)
            elapsed, _rows = timed(bare, pk)
            t["bare"][pk].append(elapsed)

    progress("network: one more cold call per département, its SQL statements replayed and timed")
    recorder = TimingRecorder()
    labels = [label for label, _test in NETWORK_SQL_GROUPS] + ["other", STORE_LABEL]
    by_label: dict[str, list] = defaultdict(list)
    python_rest = []
    for pk in chosen:
        touch()
        recorder.writes = 0.0
        with connection.execute_wrapper(recorder):
            elapsed, _ = timed(direct, pk)
        split = replay(recorder.take(), NETWORK_SQL_GROUPS)
        split[STORE_LABEL] = recorder.writes
        for label in labels:
            by_label[label].append(split.get(label, 0.0))
        python_rest.append(max(0.0, elapsed - sum(split.values())))

    def samples(name, pks):
        return [x for pk in pks for x in t[name][pk]]

    title = f"{rounds} rounds" + (f" of {N_NETWORK} (budget {NETWORK_BUDGET_S:.0f} s)" if rounds < N_NETWORK else "")
    table.section(f"Network — GET /api/territories/departement/<code>/network, the page and network_of() ({title}); "
                  f"cold = first read after a write, warm = the stored figures")
    goal = f"< {NETWORK_P95_GOAL_MS:.0f} ms"
    for label, name, with_goal in (("API via django.test.Client, cold", "api cold", True),
                                   ("API via django.test.Client, warm", "api warm", True),
                                   ("page /acteurs/reseau/… (HTML, SVG), warm", "page warm", True),
                                   ("network_of(département) direct, cold", "direct cold", False),
                                   ("network_of(département) direct, warm", "direct warm", False)):
        s = samples(name, chosen)
        table.add_samples(f"{label}, {len(chosen)} départements", s, goal if with_goal else "",
                          ratio(p95(s), p95(samples("bare", chosen))),
                          verdict(p95(s) * 1000 < NETWORK_P95_GOAL_MS) if with_goal else "")
        for sub_name, pks in ((f"the {len(top)} with the most organisations", top), (f"{len(others)} others", others)):
            sub = samples(name, pks)
            table.add_samples(f"  of which {sub_name}", sub, "", ratio(p95(sub), p95(samples("bare", pks))))
    table.add_samples("bare SQL: the partner rows (JOIN on the partnership's département)", samples("bare", chosen))
    table.section("Network — per département (ratio: API cold p95 ÷ bare p95; partnerships, organisations inside, "
                  "graph drawn and not drawn, JSON)")
    for pk in sorted(chosen, key=lambda pk: -counts[pk]):
        code, name = places.departements[pk]
        cold, warm, b = t["api cold"][pk], t["api warm"][pk], t["bare"][pk]
        partnerships, inside, nodes, edges, nodes_hidden, edges_hidden = facts[pk]
        table.add_samples(f"{code} {name}: API cold", cold, "", ratio(p95(cold), p95(b)))
        table.add(f"  warm p50 / p95 {p50(warm) * 1000:.1f} / {p95(warm) * 1000:.1f} ms; "
                  f"bare {p50(b) * 1000:.1f} / {p95(b) * 1000:.1f} ms")
        table.add(f"  {partnerships:,} partnerships, {inside:,} organisations inside; graph {nodes} nodes, {edges} edges "
                  f"({nodes_hidden:,} organisations and {edges_hidden:,} links not drawn), {sizes[pk] / 1000:.0f} kB")
    table.section("Network — where a cold network_of()'s time goes (one call per département; its SELECTs replayed "
                  "with fetchall)")
    for label in labels:
        if any(by_label[label]):
            table.add_samples(f"SQL: {label}", by_label[label])
    table.add_samples("the rest: Python of the computation (counting, pairs, graph) and of network_of", python_rest)
    if errors:
        table.add(f"  !! {errors} API or page responses were not 200")

    plans = []
    largest = Territory.objects.get(pk=top[0])
    for label, sql, params in network_figures.statements(largest):
        plans.append((f"network of département {largest.code}: {label}", explain_raw(*_qmarks(sql, params))))
    plans.append((f"bare partner rows, département {largest.code}", explain_raw(BARE_NETWORK_SQL, [largest.pk])))
    plans += bench_network_levels(table, places, counts, client)
    return plans


def _qmarks(sql: str, params: list) -> tuple[str, list]:
    """Django's %s placeholders as sqlite3's."""
    return sql.replace("%s", "?"), list(params)


def bench_network_levels(table: Table, places: Places, counts: dict, client) -> list[tuple[str, str]]:
    """The same, cold and warm, for the other levels: the largest région, EPCI and commune,
    and a project territory made of the communes of the largest département (the same
    organisations, reached through the generic path of the small territories)."""
    from django.db import connection
    from django.db.models import Count

    from actors import network_figures
    from actors.models import Organization
    from actors.network import touch
    from territories.models import Level, Territory, TerritoryLink

    raw = connection.connection
    region_pk = Organization.objects.values("region_id").annotate(n=Count("pk")).order_by("-n")[0]["region_id"]
    commune_pk = Organization.objects.values("commune_id").annotate(n=Count("pk")).order_by("-n")[0]["commune_id"]
    by_commune = dict(Organization.objects.values_list("commune_id").annotate(n=Count("pk")))
    epci_size: Counter = Counter()
    for ancestor, descendant in TerritoryLink.objects.filter(ancestor__level=Level.EPCI).values_list("ancestor_id",
                                                                                                      "descendant_id"):
        epci_size[ancestor] += by_commune.get(descendant, 0)
    epci_pk = epci_size.most_common(1)[0][0]
    departement_pk = max(counts, key=lambda pk: counts[pk])
    project = Territory.objects.filter(level=Level.PROJECT, code="bench-reseau").first()
    if project is None:
        project = Territory.objects.create(level=Level.PROJECT, code="bench-reseau",
                                           name=f"Communes du {places.departements[departement_pk][0]} (bench)")
        communes = TerritoryLink.objects.filter(ancestor_id=departement_pk, descendant_level=Level.COMMUNE)
        TerritoryLink.objects.bulk_create([TerritoryLink(ancestor=project, descendant_id=pk, descendant_level=Level.COMMUNE)
                                           for pk in communes.values_list("descendant_id", flat=True)])
    territories = Territory.objects.in_bulk([region_pk, epci_pk, commune_pk, project.pk])
    chosen = [territories[pk] for pk in (region_pk, epci_pk, commune_pk, project.pk)]
    progress(f"network: other levels ({', '.join(t.name for t in chosen)}), {N_NETWORK_LEVELS} rounds, cold and warm")
    t_cold, t_warm, t_bare, facts = defaultdict(list), defaultdict(list), defaultdict(list), {}
    for territory in chosen:
        client.get(f"/api/territories/{territory.level}/{territory.code}/network")
    for _ in range(N_NETWORK_LEVELS):
        for territory in chosen:
            url = f"/api/territories/{territory.level}/{territory.code}/network"
            touch()
            elapsed, response = timed(client.get, url)
            t_cold[territory.pk].append(elapsed)
            elapsed, response = timed(client.get, url)
            t_warm[territory.pk].append(elapsed)
            data = response.json()
            facts[territory.pk] = (data["partnerships"], data["organizations_inside"], len(response.content))
            sql, params = _qmarks(*network_figures.partner_rows_sql(territory))
            elapsed, _rows = timed(lambda: raw.execute(sql, params).fetchall())
            t_bare[territory.pk].append(elapsed)
    table.section(f"Network — other levels, API cold and warm ({N_NETWORK_LEVELS} rounds; ratio: cold p95 ÷ bare p95; "
                  "bare = the partner rows statement alone)")
    plans = []
    for territory in chosen:
        cold, warm, b = t_cold[territory.pk], t_warm[territory.pk], t_bare[territory.pk]
        partnerships, inside, size = facts[territory.pk]
        label = {Level.PROJECT: "project"}.get(territory.level, territory.level)
        table.add_samples(f"{label} {territory.code} {territory.name}: cold", cold, "", ratio(p95(cold), p95(b)))
        table.add_samples("  warm", warm, f"< {NETWORK_P95_GOAL_MS:.0f} ms", "",
                          verdict(p95(warm) * 1000 < NETWORK_P95_GOAL_MS))
        table.add(f"  {partnerships:,} partnerships, {inside:,} organisations inside, {size / 1000:.0f} kB; "
                  f"bare {p50(b) * 1000:.1f} / {p95(b) * 1000:.1f} ms")
        if territory.level != Level.REGION:
            for what, sql, params in network_figures.statements(territory)[:2]:
                plans.append((f"network of {label} {territory.code}: {what}", explain_raw(*_qmarks(sql, params))))
    return plans


# --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=N_ORGANISATIONS,
                        help=f"organisations in the scratch database (default {N_ORGANISATIONS:,})")
    parser.add_argument("--partnerships", type=int, default=N_PARTNERSHIPS,
                        help=f"partnerships in the scratch database (default {N_PARTNERSHIPS:,})")
    parser.add_argument("--import-rows", type=str, default="",
                        help="sizes of the SIRENE files, e.g. 50000,150000,500000 (default: 10 %%, 30 %% and 100 %% "
                             "of --organisations)")
    parser.add_argument("--catalysts", type=int, default=None, help="catalysts (default: one per 500 organisations)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.import_rows.split(",")) if args.import_rows else \
        [max(1000, round(args.organisations * share)) for share in IMPORT_SHARES]
    n_catalysts = args.organisations // 500 if args.catalysts is None else args.catalysts

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="catalyseur-bench-") as var_dir:
        migrated_scratch_database(var_dir)
        import django
        from django.conf import settings
        from django.db import connection

        from territories.centres import import_commune_centres
        from territories.importer import import_territories

        progress("import of the official territories (~10-20 s)")
        territories_s, report = timed(import_territories, settings.DECOUPAGE_DATA_DIR, force=True)
        progress("import of the communes' centres (~15 s)")
        centres_s, _centres = timed(import_commune_centres)
        places = Places()

        table = Table()
        imported = bench_import(table, places, sizes, var_dir, random.Random(SEED))

        progress(f"organisations: bulk_create up to {args.organisations:,}")
        created, orgs_s = bulk_organisations(places, args.organisations, random.Random(SEED + 1))
        progress(f"catalysts: {n_catalysts:,}")
        catalysts_s = bulk_catalysts(n_catalysts, random.Random(SEED + 2))
        progress(f"partnerships: {args.partnerships:,} with 2 or 3 partners")
        timings = bulk_partnerships(args.partnerships, random.Random(SEED + 3))
        table.section(f"Scale data — bulk_create, bench code, not the application (seed {SEED})")
        table.add(f"organisations: {created:,} more beside the {imported['imported']:,} imported", 1, "", f"{orgs_s:.1f} s",
                  "", f"{created / orgs_s:,.0f} rows/s" if orgs_s else "")
        table.add(f"catalysts: {n_catalysts:,}", 1, "", f"{catalysts_s:.1f} s")
        table.add(f"partnerships: {args.partnerships:,}, generated in Python", 1, "", f"{timings['generate']:.1f} s")
        table.add("  bulk_create Partnership", 1, "", f"{timings['partnerships']:.1f} s", "",
                  f"{args.partnerships / timings['partnerships']:,.0f} rows/s")
        table.add(f"  bulk_create PartnershipMember ({timings['members_n']:,} rows)", 1, "", f"{timings['members']:.1f} s",
                  "", f"{timings['members_n'] / timings['members']:,.0f} rows/s")

        plans = imported["plans"]
        map_plans, map_bench = bench_map(table, places)
        plans += map_plans
        plans += bench_network(table, places, random.Random(SEED + 4))
        plans += map_index_diagnostic(table, map_bench)
        db_mb = Path(settings.DATABASES["default"]["NAME"]).stat().st_size / 1e6
        connection.close()

        print()
        print(f"Catalyseur actors bench — Python {platform.python_version()}, Django {django.get_version()}, "
              f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPU, {platform.machine()}")
        print(f"Scratch SQLite ({db_mb:,.0f} MB): découpage {report.version} imported in {territories_s:.1f} s, "
              f"communes' centres in {centres_s:.1f} s; {args.organisations:,} organisations, {n_catalysts:,} catalysts, "
              f"{args.partnerships:,} partnerships. Times: time.perf_counter, nearest-rank percentiles.")
        print()
        table.print()
        print()
        print("ratio: import rows ÷ time, and import time ÷ bare time; map and network: API p95 ÷ the bare SQL's p95 over")
        print("the same requests, same run. The bare SQL is the floor: the one statement that reads the rows the answer needs.")
        print()
        print_plans(plans)
        print()
        print(f"Total bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
