"""Benchmarks of the fiches (pratiques innovantes): index build, search API with facets.

Run from the project root:  .venv/bin/python bench/practices.py   (or `make bench-practices`)
                            .venv/bin/python bench/practices.py --fiches 20000   (a quicker run)

Everything happens in a scratch SQLite database in a temporary directory, removed at the
end; the project's own ``var/`` database is never touched. The official territories are
imported, then 100,000 synthetic published fiches with French text are written straight
into the tables (bulk inserts, not the validating importer) and the full-text index is
built with ``practices.indexing.reindex_all()``. The search API is then measured beside
the bare FTS5 query for the same words, and ``run_search`` is cut into its SQL statements
(count, page, each facet) so the bottleneck is visible. See bench/README.md.

Timings are reported, never asserted: the script always exits 0 when it ran.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

SEED = 20240612
N_FICHES = 100_000
N_SEARCH = 1000
N_WARMUP = 100
PAGE_SIZE = 20  # practices.search.PAGE_SIZE: the bare query fetches as many hits

API_P95_GOAL_MS = 50.0
OVERHEAD_GOAL = 3.0

# Time budgets, so that the whole run stays near 10 minutes however slow the code under
# test is. A part that runs out of budget stops early and its rows say how far it got (n).
INDEX_AUTOCOMMIT_BUDGET_S = 60.0  # reindex_all() as called bare: stopped after this long
WARMUP_BUDGET_S = 20.0
SEARCH_BUDGET_S = 240.0  # the timed requests (API, then run_search, then the bare queries)
REPLAY_BUDGET_S = 60.0  # the statements of those requests replayed one by one
# A request (or a replayed statement) still running after this long is interrupted by an
# SQLite progress handler and counted as a timeout ("timeout" in the table: above it).
DEADLINE_S = 5.0

ROOT = Path(__file__).resolve().parent.parent


def _configure_environment(var_dir: str) -> None:
    """Scratch SQLite in ``var_dir``, DEBUG off, whatever the caller's shell exports."""
    os.environ["CATALYSEUR_VAR_DIR"] = var_dir
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "catalyseur.settings"
    # These would point the bench at another database or change the request path
    # (HTTPS redirects): the figures must come from the scratch SQLite, plain HTTP.
    for name in ("DATABASE_URL", "CATALYSEUR_PRODUCTION", "CONN_MAX_AGE"):
        os.environ.pop(name, None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Python puts this script's folder first on sys.path, where this very file would
    # shadow the ``practices`` app: replace it with the project root.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------------------
# Small helpers (the same as bench/territories.py)
# --------------------------------------------------------------------------------------


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


class Table:
    """Rows of (label, n, p50, p95, goal, ratio, verdict), printed aligned at the end."""

    HEADER = ("measure", "n", "p50", "p95", "goal", "ratio", "")

    def __init__(self):
        self.rows: list[tuple] = []

    def section(self, title: str) -> None:
        self.rows.append(("§", title))

    def add(self, label, n="", p50_="", p95_="", goal="", ratio="", verdict=""):
        self.rows.append((label, str(n), p50_, p95_, goal, ratio, verdict))

    def add_samples(self, label, samples, goal="", ratio="", verdict=""):
        self.add(label, len(samples), ms(p50(samples)), ms(p95(samples)), goal, ratio, verdict)

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


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if math.isfinite(seconds) else f"> {DEADLINE_S:g} s"


def ratio(a: float, b: float) -> str:
    if not (b > 0 and math.isfinite(b)):
        return "n/a"
    if not math.isfinite(a):  # a timed out: at least the deadline
        return f"> {DEADLINE_S / b:.0f}×"
    return f"{a / b:.1f}×"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# 1. Synthetic fiches
# --------------------------------------------------------------------------------------

# Content words of the field, in tiers of frequency. Accented forms and plurals are kept
# as they are written: the index stems and strips them ("partenariats" → "partenariat").
# Drawn with Zipf-like weights, a text of ~250 words is 40 % function words, 22 % generic
# words, 26 % "common" words (each in ~35-90 % of the fiches), 12 % "mid" words (each in
# ~2-30 %) and 0.2 % "rare" words (each in ~0.2-0.5 %): bench/README.md gives the measured
# document frequencies.
COMMON_WORDS = """
partenariat partenariats association associations entreprise entreprises territoire territoires
projet projets acteurs collectivité collectivités habitants action actions accompagnement jeunes
emploi insertion coopération solidarité local locale locaux sociale social sociaux public publics
bénévoles structure structures réseau réseaux partenaires développement
""".split()
MID_WORDS = """
numérique numériques seniors handicap handicapés mobilité santé mécénat formation formations
éducation logement logements environnement vieillissement isolement pauvreté précarité
énergétique cohésion inclusion innovation innovations sociétale sociétales expérimentation
expérimentations dispositif dispositifs financement financements fondation fondations mairie
département région commune communes quartier quartiers rural rurale ruraux rurales urbain
urbaine urbains citoyens citoyennes salariés salariée bénéficiaires familles enfants personnes
âgées aidants accueil atelier ateliers chantier chantiers tiers-lieu lieux services service
mutualisation compétences ressources bénévolat engagement gouvernance diagnostic évaluation
impact résultats étapes démarche dialogue concertation animation médiation orientation
alimentation circuits courts agriculture agricole énergie transition écologique déchets
recyclage réemploi transport transports covoiturage accessibilité culture culturelle sport
sportive loisirs prévention sensibilisation qualification apprentissage alternance stage stages
stagiaires demandeurs chômeurs chômage retour durable durables économie économique économiques
circulaire responsabilité RSE sociétal mécènes dons subvention subventions appel projets
collectif collectifs coordination pilotage convention conventions charte comité comités
plateforme plateformes outil outils tablettes ordinateurs internet fracture illectronisme
inclusion numérique médiateurs conseillers travailleurs sociaux éducateurs enseignants école
écoles collège collèges lycée lycées université universités étudiants recherche laboratoire
entrepreneuriat créateurs création emplois métiers filière filières industrie industriel
artisans commerçants commerce commerces proximité centre-bourg villages montagne littoral
périurbain métropole agglomération intercommunalité élus maire conseil départemental régional
État préfecture agence caisse mutuelle banque bailleurs sociaux hébergement habitat rénovation
isolation chauffage factures eau électricité accompagnés suivi parcours repérage
""".split()
RARE_WORDS = """
ressourcerie recyclerie conciergerie fablab épicerie microcrédit tutorat parrainage mentorat
colocation intergénérationnelle potagers maraîchage apiculture vélos autopartage téléconsultation
illettrisme décrochage alphabétisation domotique télémédecine cantine boulangerie menuiserie
couture laverie garage bibliothèque ludothèque crèche halte-garderie escalade théâtre chorale
photographie radio podcast hackathon biodiversité compostage méthanisation photovoltaïque
éolien hydrogène batellerie viticulture fromagerie pêche insulaire transfrontalier saisonniers
réfugiés migrants détenus prison addictions autisme dyslexie surdité malvoyants aveugles
tricot jardinage lombricompostage cyclistes trottinettes pédibus orthophonie kinésithérapie
sophrologie""".split()
# Each word once, in its first tier.
MID_WORDS = [w for w in dict.fromkeys(MID_WORDS) if w not in COMMON_WORDS]
RARE_WORDS = [w for w in dict.fromkeys(RARE_WORDS) if w not in COMMON_WORDS and w not in MID_WORDS]
# Generic words of any report, never drawn for the queries.
GENERIC_WORDS = """
permet permettre mettre place mise œuvre nouveau nouvelle nouveaux nouvelles ensemble favoriser
développer renforcer créer proposer proposé année années temps besoin besoins objectif objectifs
travail groupe groupes ans premier première premiers deux trois plusieurs nombreux nombreuses
ensemble lien liens rencontre rencontres échange échanges idée idées question questions niveau
cadre rôle moyens moyen mois semaine jour jours ville villes pays national nationale France
pratique pratiques travailler accompagner soutenir soutien aide aides participer participation
mobiliser mobilisation partager partage construire construction réaliser réalisé mené menée
""".split()
GENERIC_WORDS = [w for w in dict.fromkeys(GENERIC_WORDS) if w not in COMMON_WORDS and w not in MID_WORDS]
# Function words: mostly stopwords (dropped by the index), some not ("afin", "grâce").
FUNCTION_WORDS = """
de la le les des et pour avec en du au aux dans sur par une un à leur leurs entre afin ainsi
plus auprès chaque tous grâce qui que ce cette ces son sa ses nous ils elles sont est été
""".split()
CONNECTORS = "de des pour et avec en du au dans à".split()
ORG_KINDS = ("Association", "Fondation", "Entreprise", "Mairie de", "Communauté de communes de", "Collectif",
             "Régie de quartier de", "Centre social de", "Mission locale de", "Coopérative")
FIGURE_LABELS = ("bénéficiaires", "bénévoles mobilisés", "emplois créés", "partenaires", "ateliers", "familles accompagnées")
# Where the territories of the fiches are: mostly communes (weighted by population).
TERRITORY_MIX = (("commune", 0.80), ("departement", 0.08), ("epci", 0.05), ("region", 0.05), (None, 0.02))
BODY_FIELDS = (  # share of the body's words written in each text field of the fiche
    ("objet", 0.15), ("genese", 0.20), ("objectif", 0.15), ("activites_partenariats", 0.25), ("resultats", 0.15),
    ("prochaines_etapes", 0.10),
)


class Writer:
    """Sentences of French words of the field, drawn with Zipf-like weights (fixed seed)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        pool, weights = [], []

        def tier(words, share, flatness):
            zipf = [1 / (rank + flatness) for rank in range(len(words))]
            total = sum(zipf)
            pool.extend(words)
            weights.extend(share * w / total for w in zipf)

        tier(FUNCTION_WORDS, 0.40, 2)
        tier(GENERIC_WORDS, 0.22, 20)
        tier(COMMON_WORDS, 0.26, 10)
        tier(MID_WORDS, 0.118, 17)
        tier(RARE_WORDS, 0.002, 50)
        self.pool = pool
        self.cum = list(_accumulate(weights))
        content = COMMON_WORDS + MID_WORDS
        self.content = content
        self.content_cum = list(_accumulate([1 / (rank + 5) for rank in range(len(content))]))

    def text(self, n_words: int, html: bool = False) -> str:
        rng = self.rng
        tokens = rng.choices(self.pool, cum_weights=self.cum, k=n_words)
        sentences, i = [], 0
        while i < len(tokens):
            length = rng.randint(8, 20)
            chunk = tokens[i : i + length]
            i += length
            sentence = " ".join(chunk)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        if html:
            middle = max(1, len(sentences) // 2)
            return "<p>" + " ".join(sentences[:middle]) + "</p><p>" + " ".join(sentences[middle:]) + "</p>"
        return " ".join(sentences)

    def title(self) -> str:
        rng = self.rng
        words = rng.choices(self.content, cum_weights=self.content_cum, k=rng.randint(3, 5))
        if rng.random() < 0.2:
            words[-1] = rng.choice(RARE_WORDS)
        out = [words[0]]
        for word in words[1:]:
            out.append(rng.choice(CONNECTORS))
            out.append(word)
        out = out[: rng.randint(4, 8)]
        if out[-1] in CONNECTORS:
            out.pop()
        title = " ".join(out)
        return title[0].upper() + title[1:]


def _accumulate(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def generate_fiches(n: int, rng: random.Random) -> dict:
    """Write ``n`` published fiches and their taxonomy links with bulk inserts; return timings."""
    from django.db import transaction
    from django.utils.text import slugify

    from practices.models import CarrierStatus, CaseStudy, Category, Status
    from taxonomy.models import Domain, PartnershipType
    from territories.models import Territory

    writer = Writer(rng)
    by_level = defaultdict(list)
    for pk, level, name, population in Territory.objects.current().official().values_list("pk", "level", "name", "population"):
        by_level[level].append((pk, name, population or 0))
    communes = by_level["commune"]
    commune_cum = list(_accumulate([math.sqrt(pop) + 1 for _pk, _name, pop in communes]))
    levels = [level for level, _w in TERRITORY_MIX]
    level_weights = [w for _level, w in TERRITORY_MIX]

    domain_ids = list(Domain.objects.order_by("position").values_list("pk", flat=True))
    domain_weights = [1 / (rank + 3) for rank in range(len(domain_ids))]
    type_ids = list(PartnershipType.objects.order_by("position").values_list("pk", flat=True))
    categories = [c for c, _label in Category.choices]
    carrier_statuses = [c for c, _label in CarrierStatus.choices]
    DomainLink = CaseStudy.domains.through
    TypeLink = CaseStudy.partnership_types.through
    start_date = datetime(2015, 1, 1, tzinfo=timezone.utc)
    span_s = int((datetime(2025, 6, 1, tzinfo=timezone.utc) - start_date).total_seconds())

    batch = 5000
    timings = {"generate": 0.0, "insert": 0.0, "words": 0}
    for first in range(0, n, batch):
        t0 = time.perf_counter()
        cases, domains, types = [], [], []
        for i in range(first, min(n, first + batch)):
            level = rng.choices(levels, level_weights)[0]
            if level == "commune":
                territory_id, place, _pop = rng.choices(communes, cum_weights=commune_cum)[0]
            elif level is None:
                territory_id, place = None, ""
            else:
                territory_id, place, _pop = rng.choice(by_level[level])
            title = writer.title()
            n_body = rng.randint(150, 300)
            body = {}
            for name, share in BODY_FIELDS:
                body[name] = writer.text(max(8, round(n_body * share)), html=rng.random() < 0.5)
            summary = writer.text(rng.randint(25, 35))
            timings["words"] += len(title.split()) + len(summary.split()) + n_body
            kind = rng.choice(ORG_KINDS)
            carrier = f"{kind} {rng.choice(MID_WORDS).capitalize()} {place}".strip()
            cases.append(CaseStudy(
                slug=f"{slugify(title)[:100]}-{i + 1}",
                title=title,
                summary=summary,
                territory_id=territory_id,
                places=[place] if place else [],
                carrier_status=rng.choice(carrier_statuses) if rng.random() < 0.9 else "",
                carrier=carrier,
                figures=[{"label": rng.choice(FIGURE_LABELS), "value": str(rng.randint(5, 2000))}
                         for _ in range(rng.randint(0, 2))],
                year_started=rng.randint(1995, 2024),
                organisations=[f"{rng.choice(ORG_KINDS)} {rng.choice(COMMON_WORDS + MID_WORDS)}" for _ in range(rng.randint(1, 4))],
                category=rng.choice(categories) if rng.random() < 0.85 else "",
                status=Status.PUBLISHED,
                published_at=start_date + timedelta(seconds=rng.randrange(span_s)),
                **body,
            ))
            domains.append(set(rng.choices(domain_ids, domain_weights, k=rng.randint(1, 3))))
            types.append(set(rng.sample(type_ids, rng.randint(0, 2))))
        t1 = time.perf_counter()
        with transaction.atomic():
            CaseStudy.objects.bulk_create(cases)
            DomainLink.objects.bulk_create(
                [DomainLink(casestudy_id=case.pk, domain_id=d) for case, ids in zip(cases, domains) for d in ids], batch_size=5000
            )
            TypeLink.objects.bulk_create(
                [TypeLink(casestudy_id=case.pk, partnershiptype_id=t) for case, ids in zip(cases, types) for t in ids], batch_size=5000
            )
        t2 = time.perf_counter()
        timings["generate"] += t1 - t0
        timings["insert"] += t2 - t1
        done = first + len(cases)
        if done % 10_000 == 0 or done == n:
            progress(f"fiches: {done:,} / {n:,} written ({timings['generate']:.0f} s generating, {timings['insert']:.0f} s inserting)")
    return timings


# --------------------------------------------------------------------------------------
# 2. Full-text index
# --------------------------------------------------------------------------------------


class OutOfBudget(Exception):
    pass


def bench_index(table: Table, n_fiches: int, write_timings: dict) -> None:
    from django.db import connection, transaction

    from practices.indexing import INDEX, document_of, reindex_all
    from practices.models import CaseStudy
    from search.text import analyze

    fts = INDEX.backend.table

    def count_rows() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {fts}")
            return cursor.fetchone()[0]

    def empty_index() -> None:
        """A new, empty FTS5 table, so that each build starts from the same state."""
        with connection.schema_editor() as editor:
            INDEX.drop(editor)
            INDEX.create(editor)

    # 1. reindex_all() called bare, as a management command or a shell would: Django's
    # autocommit, so each DELETE and INSERT of INDEX.replace() commits on its own.
    progress(f"index: reindex_all() in autocommit, stopped after {INDEX_AUTOCOMMIT_BUDGET_S:.0f} s")
    chunks: list[tuple[int, float]] = []  # (rows, seconds) of each batch of reindex_all
    state = {"last": 0.0, "start": 0.0}

    def tick(rows: int) -> None:
        now = time.perf_counter()
        chunks.append((rows, now - state["last"]))
        state["last"] = now
        if now - state["start"] > INDEX_AUTOCOMMIT_BUDGET_S:
            raise OutOfBudget

    gc.collect()
    state["start"] = state["last"] = time.perf_counter()
    try:
        reindex_all(progress=tick)
        finished = True
    except OutOfBudget:
        finished = False
    autocommit_s = time.perf_counter() - state["start"]
    autocommit_rows = sum(rows for rows, _s in chunks)

    def rate(selected) -> str:
        return f"{sum(r for r, _s in selected) / sum(s for _r, s in selected):,.0f} rows/s"

    # 2. The same function in one transaction: the index the searches below use.
    empty_index()
    progress(f"index: reindex_all() inside transaction.atomic(), {n_fiches:,} fiches")
    gc.collect()
    with transaction.atomic():
        atomic_s, indexed = timed(reindex_all)
    in_index = count_rows()

    # 3. What the build is made of, on a sample: the Python side (the fiche's text through
    # search_body() and analyze()), then the floor for writing the analysed rows: one
    # executemany into a new FTS5 table of the same definition, in one transaction.
    sample_n = min(10_000, n_fiches)
    progress(f"index: the same work cut in two, on {sample_n:,} fiches")
    sample = list(CaseStudy.objects.published().prefetch_related("domains", "partnership_types").order_by("pk")[:sample_n])
    gc.collect()
    start = time.perf_counter()
    rows = []
    for case in sample:
        d = document_of(case)
        rows.append((d.id, " ".join(analyze(d.title)), " ".join(analyze(d.summary)), " ".join(analyze(d.body))))
    analyse_s = time.perf_counter() - start
    raw = connection.connection
    raw.execute("CREATE VIRTUAL TABLE bench_bare_fts USING fts5(title, summary, body, tokenize = 'unicode61 remove_diacritics 2')")
    gc.collect()
    start = time.perf_counter()
    with transaction.atomic():
        raw.executemany("INSERT INTO bench_bare_fts (rowid, title, summary, body) VALUES (?, ?, ?, ?)", rows)
    insert_s = time.perf_counter() - start
    raw.execute("DROP TABLE bench_bare_fts")
    scale = n_fiches / sample_n

    table.section(f"Fiches — {n_fiches:,} synthetic published fiches, ~{write_timings['words'] / n_fiches:.0f} words each")
    table.add("generate the fiches in Python (bench code, not the application)", 1, "", f"{write_timings['generate']:.1f} s")
    table.add("bulk_create fiches + domain and type links", 1, "", f"{write_timings['insert']:.1f} s")
    table.section("Full-text index — practices.indexing.reindex_all() (ratio column: rows per second)")
    if finished:
        table.add(f"reindex_all() in autocommit, all {autocommit_rows:,} fiches", 1, "", f"{autocommit_s:.1f} s",
                  "", rate(chunks))
    else:
        table.add(f"reindex_all() in autocommit: STOPPED after {autocommit_rows:,} of {n_fiches:,}", 1, "",
                  f"{autocommit_s:.1f} s", "", rate(chunks))
    per = max(1, 10_000 // max(1, chunks[0][0])) if chunks else 1
    if len(chunks) >= 2 * per:
        table.add(f"  first {sum(r for r, _s in chunks[:per]):,} rows", "", "", "", "", rate(chunks[:per]))
        table.add(f"  last {sum(r for r, _s in chunks[-per:]):,} rows (up to row {autocommit_rows:,})", "", "", "", "",
                  rate(chunks[-per:]))
    table.add(f"reindex_all() inside transaction.atomic(), {indexed:,} fiches", 1, "", f"{atomic_s:.1f} s",
              "", f"{indexed / atomic_s:,.0f} rows/s")
    table.add(f"  rows in {fts} afterwards", in_index)
    table.add(f"  search_body() + analyze(), {sample_n:,} fiches, × {scale:g}", 1, "", f"{analyse_s * scale:.1f} s",
              "", f"{sample_n / analyse_s:,.0f} rows/s")
    table.add(f"  bare FTS5 executemany, one transaction, {sample_n:,} rows, × {scale:g}", 1, "", f"{insert_s * scale:.1f} s",
              "", f"{sample_n / insert_s:,.0f} rows/s")
    table.add("  atomic reindex_all() ÷ (analysis + bare insert), in time", "", "", "", "",
              ratio(atomic_s, (analyse_s + insert_s) * scale))


# --------------------------------------------------------------------------------------
# 3. Search API with facets, beside the bare FTS5 query
# --------------------------------------------------------------------------------------


def _unaccent(word: str) -> str:
    from search.text import strip_accents

    return strip_accents(word)


def build_requests(rng: random.Random, n: int) -> list[tuple[str, dict]]:
    """(kind, API query parameters) for ``n`` searches of the mix described in the README."""
    from practices.models import CarrierStatus, Category
    from taxonomy.models import Domain, PartnershipType
    from territories.models import Territory

    domains = list(Domain.objects.values_list("code", flat=True))
    types = list(PartnershipType.objects.values_list("code", flat=True))
    places = {
        level: list(Territory.objects.current().filter(level=level).values_list("code", flat=True))
        for level in ("region", "departement")
    }
    tiers = (("common", COMMON_WORDS, 0.35), ("mid", MID_WORDS, 0.45), ("rare", RARE_WORDS, 0.20))
    requests = []
    for _ in range(n):
        params: dict[str, list[str]] = {}
        if rng.random() < 0.10:
            kind = "no query (browse)"
        else:
            drawn = rng.choices(tiers, [w for _name, _words, w in tiers], k=rng.choice((1, 1, 2, 2, 3)))
            words = [rng.choice(tier_words) for _name, tier_words, _w in drawn]
            if rng.random() < 0.2:  # typed without accents
                words = [_unaccent(w) for w in words]
            params["q"] = [" ".join(words)]
            rarest = next(name for name in ("rare", "mid", "common") if any(t[0] == name for t in drawn))
            kind = f"{len(words)} word{'s' if len(words) > 1 else ''}, rarest {rarest}"
        if rng.random() < 0.30:
            params["domain"] = rng.sample(domains, 2 if rng.random() < 0.1 else 1)
        if rng.random() < 0.20:
            level = rng.choice(("region", "departement"))
            params["territory"] = [f"{level}/{rng.choice(places[level])}"]
        if rng.random() < 0.10:  # another facet value ticked
            name, values = rng.choice((("type", types), ("category", [c for c, _ in Category.choices]),
                                       ("status", [c for c, _ in CarrierStatus.choices]),
                                       ("year", [str(y) for y in range(1995, 2025)])))
            params[name] = [rng.choice(values)]
        if params.get("q") and rng.random() < 0.05:
            params["sort"] = ["date"]
        if rng.random() < 0.05:
            params["page"] = [str(rng.randint(2, 5))]
        requests.append((kind, params))
    return requests


# Which part of run_search (or of the form validation before it) a SQL statement is,
# recognised by its text. Checked in order; the first marker found wins.
PARTS = (
    ("form: year choices, DISTINCT year_started", ('SELECT DISTINCT "practices_casestudy"."year_started"',)),
    ("form: territory look-up", ('FROM "territories_territory" WHERE ("territories_territory"."code" =',)),
    ("taxonomy labels (form choices, facet labels)", ('SELECT "taxonomy_domain"."code" AS "code", "taxonomy_domain"."label"',
                                                      'SELECT "taxonomy_partnershiptype"."code" AS "code", "taxonomy_partnershiptype"."label"')),
    ("count", ('SELECT COUNT(*) AS "__count"',)),
    ("ranked page, bm25()", ("bm25(",)),
    ("date-sorted page", ('ORDER BY "practices_casestudy"."published_at" DESC',)),
    ("fiches of the page, in_bulk", ('FROM "practices_casestudy" LEFT OUTER JOIN "territories_territory"',)),
    ("facet domain", ('AS "domains__code", COUNT(',)),
    ("facet type", ('AS "partnership_types__code", COUNT(',)),
    ("facet category", ('"practices_casestudy"."category" AS "category", COUNT(',)),
    ("facet statut", ('"practices_casestudy"."carrier_status" AS "carrier_status", COUNT(',)),
    ("facet year", ('"practices_casestudy"."year_started" AS "year_started", COUNT(',)),
    # Counts by région (or below the chosen territory): via the links, then the fiches
    # placed on such a territory itself; the territories' names; what lies inside.
    ("facet territory", ('AS "territory__ancestor_links__ancestor", COUNT(', '"practices_casestudy"."territory_id" AS "territory", COUNT(',
                         'FROM "territories_territory" WHERE "territories_territory"."id" IN (',
                         'SELECT "territories_territory"."id" AS "pk" FROM "territories_territory" INNER JOIN "territories_territorylink"')),
)
PART_NAMES = [name for name, _markers in PARTS] + ["other"]


def part_of(sql: str, seen: set) -> str:
    name = next((name for name, markers in PARTS if any(m in sql for m in markers)), "other")
    if name == "count" and "count" in seen:
        name = "facet territory"  # the chosen territory's own count, the same statement again
    seen.add(name)
    return name


class Capture:
    """A connection.execute_wrapper keeping every statement run (sql, params), untimed."""

    def __init__(self):
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)


class Deadline:
    """An SQLite progress handler interrupting the running statement once ``at`` is past
    (the statement then raises OperationalError "interrupted")."""

    def __init__(self):
        self.at = math.inf

    def arm(self) -> None:
        self.at = time.perf_counter() + DEADLINE_S

    def __call__(self) -> int:
        return 1 if time.perf_counter() > self.at else 0

    def install(self) -> None:
        from django.db import connection
        from django.db.backends.signals import connection_created

        def on_connect(sender, connection, **kwargs):
            connection.connection.set_progress_handler(self, 10_000)

        # The test client's requests may reopen the connection (CONN_MAX_AGE): every new
        # connection gets the handler too.
        connection_created.connect(on_connect, weak=False)
        connection.ensure_connection()
        on_connect(None, connection)


def interrupted(error: Exception) -> bool:
    return "interrupted" in str(error)


def bench_search(table: Table, rng: random.Random) -> dict:
    from django.contrib.auth.models import AnonymousUser
    from django.db import OperationalError, connection
    from django.http import QueryDict
    from django.test import Client

    from practices.api import PARAMS
    from practices.indexing import INDEX
    from practices.search import PracticeSearchForm, run_search
    from search.backends import WEIGHTS, SQLiteBackend

    requests = build_requests(rng, N_SEARCH + N_WARMUP)
    warmup, requests = requests[:N_WARMUP], requests[N_WARMUP:]
    client = Client()
    anonymous = AnonymousUser()
    deadline = Deadline()
    deadline.install()
    fts = INDEX.backend.table
    bare_sql = (f"SELECT rowid, bm25({fts}, {', '.join(str(w) for w in WEIGHTS)}) AS rank FROM {fts} "
                f"WHERE {fts} MATCH ? ORDER BY rank LIMIT {PAGE_SIZE}")
    count_sql = f"SELECT count(*) FROM {fts} WHERE {fts} MATCH ?"

    def api(params):
        response = client.get("/api/practices", params)
        return response.status_code

    def direct(params):
        """What the endpoint does, without django-ninja, middleware or JSON: form, then run_search."""
        data = QueryDict(mutable=True)
        for api_name, form_name in PARAMS.items():
            for value in params.get(api_name, ()):
                data.appendlist(form_name, value)
        form = PracticeSearchForm(data)
        form.user = anonymous
        form.is_valid()
        return run_search(form, {name: data.getlist(name) for name in data}, anonymous)

    def match_of(params) -> str | None:
        terms = INDEX.terms(params.get("q", [""])[0])
        return SQLiteBackend._match(terms) if terms else None

    def raw():
        connection.ensure_connection()
        return connection.connection  # the sqlite3 connection, same PRAGMAs, reopened if need be

    def bare(match):
        return raw().execute(bare_sql, (match,)).fetchall()

    def bare_count(match):
        return raw().execute(count_sql, (match,)).fetchone()

    def within_deadline(fn, *args):
        """(seconds, result), or (inf, None) when the deadline interrupted it."""
        deadline.arm()
        try:
            return timed(fn, *args)
        except OperationalError as error:
            if not interrupted(error):
                raise
            return math.inf, None
        finally:
            deadline.at = math.inf

    progress(f"search: warm-up ({N_WARMUP} requests or {WARMUP_BUDGET_S:.0f} s)")
    stop = time.perf_counter() + WARMUP_BUDGET_S
    for _kind, params in warmup:
        if time.perf_counter() > stop:
            break
        within_deadline(api, params)
        if match_of(params):
            within_deadline(bare, match_of(params)), within_deadline(bare_count, match_of(params))

    progress(f"search: {N_SEARCH} requests or {SEARCH_BUDGET_S:.0f} s × (API, form + run_search, bare FTS5 queries)")
    t_api, t_direct, t_bare, t_count, t_api_text, by_kind, measured = [], [], [], [], [], defaultdict(list), []
    hits, captured, errors = [], [], 0
    stop = time.perf_counter() + SEARCH_BUDGET_S
    gc.collect()
    # The measures of one request run back to back, so drift affects them alike.
    for kind, params in requests:
        if time.perf_counter() > stop:
            break
        measured.append((kind, params))
        capture = Capture()  # the statements of the API request, replayed below
        with connection.execute_wrapper(capture):
            elapsed, status = within_deadline(api, params)
        captured.append((params, capture.statements))
        errors += status not in (200, None)
        t_api.append(elapsed)
        by_kind[kind].append(elapsed)
        # After a timeout, run_search would time out again: counted so, not run.
        direct_s, outcome = within_deadline(direct, params) if math.isfinite(elapsed) else (math.inf, None)
        t_direct.append(direct_s)
        match = match_of(params)
        if match:
            t_api_text.append(elapsed)
            t_bare.append(within_deadline(bare, match)[0])
            counted = within_deadline(bare_count, match)
            t_count.append(counted[0])
            if counted[1] is not None:
                hits.append(counted[1][0])

    progress(f"search: replaying the SQL of those {len(measured)} requests, statement by statement "
             f"(or {REPLAY_BUDGET_S:.0f} s)")
    parts = replay(zip(captured, t_api), within_deadline)

    n_timeouts = sum(1 for t in t_api if not math.isfinite(t))
    title = f"{len(measured)} of {N_SEARCH} requests in the {SEARCH_BUDGET_S:.0f} s budget" if len(measured) < N_SEARCH else f"{N_SEARCH} requests"
    table.section(f"Search — GET /api/practices ({title}, seed {SEED}, {PAGE_SIZE} per page, with facets)")
    api_p95 = p95(t_api)
    table.add_samples("API via django.test.Client, all requests", t_api, f"p95 < {API_P95_GOAL_MS:.0f} ms", "",
                      verdict(api_p95 * 1000 < API_P95_GOAL_MS))
    for kind in sorted(by_kind, key=lambda k: (k[0] != "n", k)):
        table.add_samples(f"  of which {kind}", by_kind[kind])
    with_domain = [t for t, (_k, p) in zip(t_api, measured) if "domain" in p]
    with_territory = [t for t, (_k, p) in zip(t_api, measured) if "territory" in p]
    if with_domain:
        table.add_samples("  with a domain filter", with_domain)
    if with_territory:
        table.add_samples("  with a territory filter", with_territory)
    if n_timeouts:
        table.add(f"  requests interrupted after {DEADLINE_S:g} s (timeouts)", n_timeouts)
    table.add_samples("form + run_search() direct", t_direct, "", ratio(api_p95, p95(t_direct)))
    if t_bare:
        table.add_samples("API, requests with words in q", t_api_text)
        overhead = p95(t_api_text) / p95(t_bare)
        table.add_samples(f"bare FTS5: bm25 top {PAGE_SIZE}, same MATCH", t_bare, f"API/this < {OVERHEAD_GOAL:.0f}×",
                          ratio(p95(t_api_text), p95(t_bare)), verdict(overhead < OVERHEAD_GOAL))
        table.add_samples("bare FTS5: count(*), same MATCH", t_count, "", ratio(p95(t_api_text), p95(t_count)))
    if hits:
        table.add("  fiches matched by the words (p50 / p95 in those columns)", len(hits), f"{p50(hits):,}", f"{p95(hits):,}")
    if errors:
        table.add(f"  !! {errors} API responses were not 200")

    table.section(f"run_search() cut into its SQL statements: {parts['requests']} requests replayed, "
                  "each statement alone (n = requests running it)")
    for name in PART_NAMES:
        samples = parts["by_part"].get(name)
        if samples:
            table.add_samples(f"SQL: {name}", samples)
    table.add_samples("SQL: all statements of the request", parts["sql_total"])
    table.add_samples("API request − its SQL (ORM, Python, snippets, ninja, JSON)", parts["python"])
    return parts


def replay(captured, within_deadline) -> dict:
    """Each captured statement run again alone on the same connection (execute + fetchall).
    Statement times of one request are summed by part of run_search."""
    from django.db import connection

    def run(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    by_part, sql_total, python, slowest = defaultdict(list), [], [], {}
    stop = time.perf_counter() + REPLAY_BUDGET_S
    requests = 0
    gc.collect()
    for (params, statements), api_s in captured:
        if time.perf_counter() > stop:
            break
        requests += 1
        per_part, seen = defaultdict(float), set()
        for sql, sql_params in statements:
            elapsed = within_deadline(run, sql, sql_params)[0]
            name = part_of(sql, seen)
            per_part[name] += elapsed
            if elapsed > slowest.get(name, (-1,))[0]:
                slowest[name] = (elapsed, sql, sql_params, params)
        for name, seconds in per_part.items():
            by_part[name].append(seconds)
        total = sum(per_part.values())
        sql_total.append(total)
        python.append(max(0.0, api_s - total) if math.isfinite(api_s) and math.isfinite(total) else math.inf)
    return {"by_part": by_part, "sql_total": sql_total, "python": python, "slowest": slowest, "requests": requests}


# --------------------------------------------------------------------------------------
# 4. Query plan of the slowest facet
# --------------------------------------------------------------------------------------


def explain(sql: str, params) -> list[str]:
    """EXPLAIN QUERY PLAN as an indented tree."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        rows = cursor.fetchall()
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def slowest_plans(parts: dict) -> list[tuple[str, tuple]]:
    """The slowest statement of the slowest facet (by p95) and, if it is another part, of
    the slowest part of all."""
    def slowest_of(names):
        return max(names, key=lambda n: (p95(parts["by_part"][n]), parts["slowest"][n][0]))

    measured = [name for name in PART_NAMES if parts["by_part"].get(name)]
    facet = slowest_of([name for name in measured if name.startswith("facet ")])
    plans = [(f"Slowest facet by p95, {facet}: its slowest statement", parts["slowest"][facet])]
    worst = slowest_of(measured)
    if worst != facet:
        plans.append((f"Slowest part of all by p95, {worst}: its slowest statement", parts["slowest"][worst]))
    return plans


# --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fiches", type=int, default=N_FICHES, help=f"synthetic fiches to write (default {N_FICHES:,})")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="catalyseur-bench-") as var_dir:
        _configure_environment(var_dir)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from territories.importer import import_territories

        assert not settings.DEBUG, "DEBUG must be off for a benchmark"
        assert connection.vendor == "sqlite" and str(settings.DATABASES["default"]["NAME"]).startswith(var_dir)

        progress(f"scratch database in {var_dir}: migrate")
        call_command("migrate", verbosity=0)
        progress("import of the official territories (~10-20 s)")
        territories_s, report = timed(import_territories, settings.DECOUPAGE_DATA_DIR, force=True)

        table = Table()
        progress(f"writing {args.fiches:,} synthetic fiches")
        write_timings = generate_fiches(args.fiches, random.Random(SEED))
        bench_index(table, args.fiches, write_timings)
        parts = bench_search(table, random.Random(SEED + 1))
        plans = slowest_plans(parts)
        db_mb = Path(settings.DATABASES["default"]["NAME"]).stat().st_size / 1e6
        connection.close()

        print()
        print(
            f"Catalyseur practices bench — Python {platform.python_version()}, Django {django.get_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPU, {platform.machine()}"
        )
        print(
            f"Scratch SQLite ({db_mb:,.0f} MB): découpage {report.version} imported in {territories_s:.1f} s, "
            f"{args.fiches:,} published fiches. Times: time.perf_counter, nearest-rank percentiles."
        )
        print()
        table.print()
        print()
        print("ratio = p95 ÷ p95, same run: form + run_search() row, API ÷ it (django-ninja, middleware, JSON); bare")
        print("FTS5 rows, API p95 over the requests with words ÷ the bare p95 (goal < 3×). Index rows: rows per second.")
        print(f"'> {DEADLINE_S:g} s': more than 5 % of the requests (or statements) were interrupted at the deadline.")
        for title, (seconds, sql, params, request) in plans:
            print()
            print(f"{title}: {ms(seconds)} alone, for GET /api/practices?{urlencode([(k, v) for k, vs in request.items() for v in vs])}")
            print(f"  {sql.replace('%s', '?')}")
            print(f"  params: {[str(p) if isinstance(p, str) else p for p in params]}")
            print("  EXPLAIN QUERY PLAN ('SCAN <table>' without an index: every row read):")
            for line in explain(sql, params):
                print(f"    {line}")
        print()
        print(f"Total bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
