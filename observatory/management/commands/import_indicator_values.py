from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from observatory.importing import ImportRefused, import_values


class TqdmProgress:
    """One tqdm bar per stage of the import (reading, writing, aggregation), on stderr."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def start(self, label: str, total: int | None, unit: str) -> None:
        self.finish()
        scale = unit == "o"
        self.bar = tqdm(total=total, desc=label, unit="o" if scale else unit, unit_scale=scale, unit_divisor=1024 if scale else 1000,
                        disable=not self.enabled, mininterval=0.5)

    def advance(self, amount: int) -> None:
        if self.bar is not None and amount:
            self.bar.update(amount)

    def finish(self) -> None:
        if self.bar is not None:
            if self.bar.total and self.bar.n < self.bar.total:
                self.bar.update(self.bar.total - self.bar.n)
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = (
        "Importe des valeurs d'indicateurs depuis un fichier CSV (UTF-8, séparé par « ; » ou « , ») ou XLSX, "
        "en format long (indicateur, niveau, code, annee, valeur) ou large (une colonne par indicateur ou par année). "
        "Tout le fichier est vérifié avant d'écrire : au moindre problème, rien n'est importé. Les tranches "
        "(indicateur, année, niveau) présentes dans le fichier remplacent les valeurs déjà chargées, puis les "
        "indicateurs touchés sont ré-agrégés."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier CSV ou XLSX (reconnu par son contenu).")
        parser.add_argument("--format", choices=["long", "wide"], default=None,
                            help="Format du fichier ; par défaut, déduit de l'en-tête.")
        parser.add_argument("--sans-progression", action="store_true", help="N'affiche pas la barre de progression.")

    def handle(self, *args, **options):
        progress = TqdmProgress(enabled=not options["sans_progression"])
        try:
            report = import_values(options["file"], layout=options["format"], progress=progress)
        except ImportRefused as refused:
            progress.finish()
            for line in refused.lines()[1:]:
                self.stderr.write(line)
            raise CommandError(str(refused)) from None
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {options['file']}") from None
        for line in report.summary():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Import terminé."))
