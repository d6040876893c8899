from django.core.management.base import BaseCommand

from observatory.loading import load_reference


class Command(BaseCommand):
    help = (
        "Charge le catalogue d'indicateurs et les données de référence (INSEE, dans observatory/data/), "
        "génère les données de démonstration des domaines sans donnée réelle, puis agrège jusqu'à la France."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sans-progression", action="store_true", help="N'affiche pas la barre de progression.")

    def handle(self, *args, **options):
        report = load_reference(progress=not options["sans_progression"], out=self.stdout)
        self.stdout.write(self.style.SUCCESS(report))
