"""Give each commune its point for maps. The contract is in ``territories/centres.py``."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from territories.centres import CENTRES_DIR, CentresError, import_commune_centres


class Command(BaseCommand):
    help = "Place chaque commune sur la carte (centroïdes des contours communaux 2022, IGN / Etalab)."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=CENTRES_DIR, help="Dossier des fichiers CSV")
        parser.add_argument("--no-progress", action="store_true", help="Ne pas afficher la barre de progression")

    def handle(self, *args, source=CENTRES_DIR, no_progress=False, **options):
        bar = tqdm(desc="Centres des communes", unit=" communes", file=sys.stderr, disable=no_progress or None, leave=False)
        try:
            report = import_commune_centres(Path(source), progress=bar.update)
        except CentresError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        for line in report.lines():
            self.stdout.write(line)
