"""Importers of the registers the field uses into ``actors.Organization``: the
Répertoire national des associations (``rna``) and the SIRENE establishments
(``sirene``). Their shared contract is written at the top of ``common.py``."""

from actors.importers.common import ImportRefused, ImportReport
from actors.importers.rna import import_rna
from actors.importers.sirene import import_sirene

__all__ = ["ImportRefused", "ImportReport", "import_rna", "import_sirene"]
