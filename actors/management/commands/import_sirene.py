"""Import the establishments of a SIRENE « StockEtablissement » file. Contract: actors/importers/common.py."""

from actors.importers.common import RegisterImportCommand
from actors.importers.sirene import SireneRegister


class Command(RegisterImportCommand):
    help = (
        "Importe les établissements ouverts d'un fichier SIRENE « StockEtablissement » (CSV UTF-8 séparé par des "
        "virgules) situés dans un territoire. Fichier vérifié en entier avant toute écriture, une seule "
        "transaction, idempotent."
    )
    register_class = SireneRegister
