"""Compute ahead the stored networks of the territories (actors.network), for instance
after an import: the first visitors then read them instead of computing them."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from actors.network import compute, current_token, store, stored_figures
from territories.models import Level, Territory

LEVELS = (Level.REGION, Level.DEPARTEMENT, Level.EPCI, Level.COMMUNE, Level.PROJECT)


class Command(BaseCommand):
    help = (
        "Calcule et garde les chiffres et le graphe du réseau des territoires (par défaut les régions, les "
        "départements et les EPCI) dont les chiffres gardés ne sont plus à jour. Une écriture ultérieure "
        "(organisation, partenariat, partenaire) les rend de nouveau à recalculer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--niveaux", default="region,departement,epci",
                            help="Niveaux, séparés par des virgules, parmi : " + ", ".join(LEVELS))
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression")

    def handle(self, *args, niveaux, no_progress, **options):
        levels = [level.strip() for level in niveaux.split(",") if level.strip()]
        unknown = [level for level in levels if level not in LEVELS]
        if unknown:
            raise CommandError(f"Niveau inconnu : {', '.join(unknown)} (choisir parmi : {', '.join(LEVELS)}).")
        territories = Territory.objects.filter(level__in=levels, is_obsolete=False).order_by("level", "code")
        computed = kept = 0
        started = time.perf_counter()
        for territory in tqdm(territories, disable=no_progress, unit=" territoires", file=self.stderr):
            if stored_figures(territory) is not None:
                kept += 1
                continue
            token = current_token()
            computed += store(territory, token, compute(territory))
        self.stdout.write(f"Réseaux calculés : {computed} ; déjà à jour : {kept} "
                          f"({time.perf_counter() - started:.1f} s).")
