"""Import of the Répertoire national des associations (RNA), « rna_waldec » export.

The file: one line per association, ``;``-separated, with a header row; the columns
(``COLUMNS``, in the published order) are those of the monthly export on data.gouv.fr.
Files converted by data.gouv.fr are in UTF-8; the per-département files of the
ministry's archive have long been in Latin-1: import them with ``encoding="latin-1"``
(``--encodage latin-1``).

Mapping: kind association, ``rna`` ← ``id``, name ← ``titre``, description ← ``objet``,
address ← the ``adrs_*`` parts (the seat's address, not the management address
``adrg_*``), commune ← ``adrs_codeinsee``, website ← ``siteweb`` when it is a valid web
address. An association is dissolved when ``position`` is not « A » (active) or when
``date_disso`` holds a real date (the register writes 0001-01-01 for "none"): it is
skipped and counted. The RNA gives no coordinates: associations are placed at their
commune's centre.
"""

from __future__ import annotations

from actors.identifiers import rna_problem
from actors.importers.common import (
    ImportReport,
    Register,
    Row,
    SourceFile,
    import_register,
    iso_date_problem,
    postal_code,
    street_address,
    website,
)
from actors.models import Kind, Source
from actors.themes import domains_from_text

COLUMNS = (
    "id", "id_ex", "siret", "rup_mi", "gestion", "date_creat", "date_decla", "date_publi", "date_disso", "nature",
    "groupement", "titre", "titre_court", "objet", "objet_social1", "objet_social2", "adrs_complement",
    "adrs_numvoie", "adrs_repetition", "adrs_typevoie", "adrs_libvoie", "adrs_distrib", "adrs_codeinsee",
    "adrs_codepostal", "adrs_libcommune", "adrg_declarant", "adrg_complemid", "adrg_complemgeo", "adrg_libvoie",
    "adrg_distrib", "adrg_codepostal", "adrg_achemine", "adrg_pays", "dir_civilite", "siteweb", "publiweb",
    "observation", "position", "maj_time",
)
NO_DATE = {"", "0001-01-01", "0000-00-00"}
ACTIVE = {"A", ""}


class RnaRegister(Register):
    label = "RNA"
    source = Source.RNA
    kind = Kind.ASSOCIATION
    delimiter = ";"
    required_columns = (
        "id", "titre", "objet", "date_disso", "adrs_complement", "adrs_numvoie", "adrs_repetition", "adrs_typevoie",
        "adrs_libvoie", "adrs_distrib", "adrs_codeinsee", "adrs_codepostal", "siteweb", "position",
    )
    commune_column = "adrs_codeinsee"
    key_field = "rna"
    key_column = "id"
    closed_label = "associations dissoutes (ignorées)"
    owned_fields = ("rna", "name", "description", "address", "postal_code", "website")

    def key(self, row: Row) -> str:
        return row["id"].upper()

    def problems(self, row: Row) -> list[tuple[str | None, str]]:
        problems = []
        number = row["id"].upper()
        if not number:
            problems.append(("id", "numéro RNA manquant."))
        elif message := rna_problem(number):
            problems.append(("id", message))
        if not row["titre"]:
            problems.append(("titre", "nom de l'association manquant."))
        dissolved_on = row["date_disso"]
        if dissolved_on not in NO_DATE and (message := iso_date_problem(dissolved_on)):
            problems.append(("date_disso", message))
        return problems

    def is_closed(self, row: Row) -> bool:
        return row["position"].upper() not in ACTIVE or row["date_disso"] not in NO_DATE

    def values(self, row: Row) -> dict:
        distribution = [part.strip() for part in row["adrs_distrib"].split("_")]
        return {
            "rna": row["id"].upper(),
            "name": row["titre"][:300],
            "description": row["objet"],
            "address": street_address(
                number=row["adrs_numvoie"], repetition=row["adrs_repetition"], street_type=row["adrs_typevoie"],
                street=row["adrs_libvoie"], extra=[row["adrs_complement"], *distribution],
            ),
            "postal_code": postal_code(row["adrs_codepostal"]),
            "website": website(row["siteweb"]),
        }


    def domains(self, row: Row) -> list[str]:
        return domains_from_text(row["titre"], row["objet"])


def import_rna(source: SourceFile, territory: str, **options) -> ImportReport:
    """Import the associations of an RNA file located in ``territory`` (« departement/94 »).
    Options: ``ignore_invalid_rows``, ``encoding``, ``progress``. See actors.importers.common."""
    return import_register(RnaRegister(), source, territory, **options)
