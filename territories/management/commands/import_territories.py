"""Import the official territories. The contract is in ``territories/importer.py``."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from territories.importer import SourceError, import_territories


class Command(BaseCommand):
    help = (
        "Importe régions, départements, EPCI et communes depuis @etalab/decoupage-administratif "
        "(idempotent, en une transaction ; un fichier manquant ou corrompu ne modifie rien)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=None, help="Dossier data/ du paquet (par défaut : node_modules)")
        parser.add_argument("--force", action="store_true", help="Recalculer même si la source n'a pas changé")
        parser.add_argument("--dry-run", action="store_true", help="Calculer et afficher les changements sans rien écrire")
        parser.add_argument("--no-progress", action="store_true", help="Ne pas afficher la barre de progression")

    def handle(self, *args, source=None, force=False, dry_run=False, no_progress=False, **options):
        data_dir = source or settings.DECOUPAGE_DATA_DIR
        bar = tqdm(desc="Territoires", unit=" lignes", file=sys.stderr, disable=no_progress or None, leave=False)

        def progress(step: str, count: int) -> None:
            bar.set_description(step)
            bar.update(count)

        try:
            report = import_territories(Path(data_dir), force=force, dry_run=dry_run, progress=progress)
        except SourceError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : aucune donnée n'a été écrite."))
