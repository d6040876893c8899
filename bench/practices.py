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

SEED = 20240612
N_FICHES = 100_000
N_SEARCH = 1000
N_WARMUP = 100
PAGE_SIZE = 20  # practices.search.PAGE_SIZE: the bare query fetches as many hits

INDEX_GOAL_S = None  # no goal was set for the index build: the figure is reported only
API_P95_GOAL_MS = 50.0
OVERHEAD_GOAL = 3.0

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
    return f"{seconds * 1000:.2f} ms"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b > 0 else "n/a"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# 1. Synthetic fiches
# --------------------------------------------------------------------------------------

# Content words of the field, in three tiers. Accented forms and plurals are kept as
# they are written: the index stems and strips them ("partenariats" → "partenariat").
# Tier "common": half of the content words of a text, so each is in most fiches.
COMMON_WORDS = """
partenariat partenariats association associations entreprise entreprises territoire territoires
projet projets acteurs collectivité collectivités habitants action actions accompagnement jeunes
emploi insertion coopération solidarité local locale locaux sociale social sociaux public publics
bénévoles structure structures réseau réseaux partenaires développement
""".split()
# Tier "mid": the other half of the content words, each in a few percent to a third of the fiches.
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
# Tier "rare": half a percent of the content words, so each is in well under 1 % of fiches.
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

        def tier(words, share):
            zipf = [1 / (rank + 2) for rank in range(len(words))]
            total = sum(zipf)
            pool.extend(words)
            weights.extend(share * w / total for w in zipf)

        tier(FUNCTION_WORDS, 0.35)
        tier(COMMON_WORDS, 0.65 * 0.50)
        tier(MID_WORDS, 0.65 * 0.495)
        tier(RARE_WORDS, 0.65 * 0.005)
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
