"""Import the associations of an RNA file (« rna_waldec »). Contract: actors/importers/common.py."""

from actors.importers.common import RegisterImportCommand
from actors.importers.rna import RnaRegister


class Command(RegisterImportCommand):
    help = (
        "Importe les associations d'un fichier du Répertoire national des associations (export « rna_waldec », "
        "séparé par « ; ») situées dans un territoire. Fichier vérifié en entier avant toute écriture, "
        "une seule transaction, idempotent."
    )
    register_class = RnaRegister

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--encodage", default="utf-8",
                            help="Encodage du fichier (utf-8 par défaut ; latin-1 pour les fichiers départementaux "
                                 "de l'archive du ministère)")
