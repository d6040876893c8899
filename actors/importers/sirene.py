"""Import of the SIRENE establishments file (INSEE « StockEtablissement », CSV, UTF-8).

The file: one line per establishment, ``,``-separated, with a header row; ``COLUMNS`` is
the published order of the current editions (Lambert-93 coordinates since 2023, the
NAF 2025 activity code since December 2025). Older editions without the coordinate
columns are read too: their establishments are placed at their commune's centre.

Mapping: kind entreprise, ``siret`` and ``siren`` checked with ``actors.identifiers``
(the SIRET must start with the SIREN), name ← ``denominationUsuelleEtablissement``, else
``enseigne1Etablissement``, else « Établissement <SIRET> », address ← the street parts,
commune ← ``codeCommuneEtablissement``, size ← an approximation from the establishment's
headcount band (``SIZE_OF_HEADCOUNT_BAND``).

* A closed establishment (``etatAdministratifEtablissement`` = F) is skipped and counted.
* A partially diffusible establishment (``statutDiffusionEtablissement`` = P: its owner
  asked that its address not be published) keeps nothing of its address but its commune,
  and is placed at the commune's centre. SIRENE writes « [ND] » in the fields it does not
  publish: they are read as empty.
* When the Lambert-93 coordinates are given, they are converted to latitude and longitude
  (``actors.importers.lambert``) and stored with precision « adresse ». In the overseas
  départements SIRENE gives coordinates in local projections, not Lambert-93: they are
  not used there.
"""

from __future__ import annotations

from actors.identifiers import siren_problem, siret_problem
from actors.importers.common import (
    ImportReport,
    Register,
    Row,
    SourceFile,
    import_register,
    postal_code,
    street_address,
)
from actors.importers.lambert import in_metropolitan_range, lambert93_to_wgs84
from actors.models import Kind, Size, Source
from actors.themes import domains_from_naf

COLUMNS = (
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement", "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement", "etablissementSiege", "nombrePeriodesEtablissement",
    "complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement",
    "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement", "codeCommuneEtablissement",
    "codeCedexEtablissement", "libelleCedexEtablissement", "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement", "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement", "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement", "typeVoie2Etablissement", "libelleVoie2Etablissement", "codePostal2Etablissement",
    "libelleCommune2Etablissement", "libelleCommuneEtranger2Etablissement", "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement", "codeCedex2Etablissement", "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement", "dateDebut", "etatAdministratifEtablissement",
    "enseigne1Etablissement", "enseigne2Etablissement", "enseigne3Etablissement", "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement", "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
)
EASTING, NORTHING = "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement"

# Headcount band of the establishment (INSEE codes) → company size. An approximation:
# the legal categories (décret n° 2008-1354) count the employees of the whole company,
# with its turnover and balance sheet; one establishment of a large group can be small.
# TPE < 10 employees, PME < 250, ETI < 5 000, GE beyond. "NN" (no employee that year)
# and an empty band leave the size unknown.
SIZE_OF_HEADCOUNT_BAND = {
    "00": Size.TPE, "01": Size.TPE, "02": Size.TPE, "03": Size.TPE,  # 0, 1-2, 3-5, 6-9
    "11": Size.PME, "12": Size.PME, "21": Size.PME, "22": Size.PME, "31": Size.PME,  # 10-19 … 200-249
    "32": Size.ETI, "41": Size.ETI, "42": Size.ETI, "51": Size.ETI,  # 250-499 … 2 000-4 999
    "52": Size.GE, "53": Size.GE,  # 5 000-9 999, 10 000 and more
}
UNKNOWN_BANDS = {"", "NN"}
OPEN, CLOSED = "A", "F"
DIFFUSIBLE, PARTIALLY_DIFFUSIBLE = "O", "P"


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


class SireneRegister(Register):
    label = "SIRENE"
    source = Source.SIRENE
    kind = Kind.ENTREPRISE
    delimiter = ","
    required_columns = (
        "siren", "siret", "statutDiffusionEtablissement", "trancheEffectifsEtablissement",
        "complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
        "typeVoieEtablissement", "libelleVoieEtablissement", "codePostalEtablissement", "codeCommuneEtablissement",
        "etatAdministratifEtablissement", "enseigne1Etablissement", "denominationUsuelleEtablissement",
    )
    commune_column = "codeCommuneEtablissement"
    key_field = "siret"
    key_column = "siret"
    closed_label = "établissements fermés (ignorés)"
    owned_fields = ("siret", "siren", "name", "size", "address", "postal_code")
    provides_coordinates = True

    def problems(self, row: Row) -> list[tuple[str | None, str]]:
        problems = []
        siren, siret = row["siren"], row["siret"]
        if message := siren_problem(siren):
            problems.append(("siren", message))
        if message := siret_problem(siret):
            problems.append(("siret", message))
        elif not siret.startswith(siren):
            problems.append(("siret", f"SIRET « {siret} » : il doit commencer par le SIREN « {siren} »."))
        state = row["etatAdministratifEtablissement"]
        if state not in (OPEN, CLOSED):
            problems.append(("etatAdministratifEtablissement", f"« {state} » : A (actif) ou F (fermé) attendu."))
        diffusion = row["statutDiffusionEtablissement"]
        if diffusion not in (DIFFUSIBLE, PARTIALLY_DIFFUSIBLE):
            problems.append(("statutDiffusionEtablissement",
                             f"« {diffusion} » : O (diffusible) ou P (partiellement diffusible) attendu."))
        band = row["trancheEffectifsEtablissement"]
        if band not in UNKNOWN_BANDS and band not in SIZE_OF_HEADCOUNT_BAND:
            problems.append(("trancheEffectifsEtablissement", f"tranche d'effectif « {band} » inconnue."))
        easting, northing = row[EASTING], row[NORTHING]
        for column, value in ((EASTING, easting), (NORTHING, northing)):
            if value and _number(value) is None:
                problems.append((column, f"« {value} » : nombre attendu (mètres, Lambert-93)."))
        if bool(easting) != bool(northing):
            column = NORTHING if easting else EASTING
            problems.append((column, "coordonnée manquante : les deux coordonnées Lambert-93 vont ensemble."))
        return problems

    def is_closed(self, row: Row) -> bool:
        return row["etatAdministratifEtablissement"] == CLOSED

    def _address_published(self, row: Row) -> bool:
        return row["statutDiffusionEtablissement"] == DIFFUSIBLE

    def values(self, row: Row) -> dict:
        siret = row["siret"]
        published = self._address_published(row)
        address = street_address(
            number=row["numeroVoieEtablissement"], repetition=row["indiceRepetitionEtablissement"],
            street_type=row["typeVoieEtablissement"], street=row["libelleVoieEtablissement"],
            extra=[row["complementAdresseEtablissement"]],
        ) if published else ""
        name = row["denominationUsuelleEtablissement"] or row["enseigne1Etablissement"] or f"Établissement {siret}"
        return {
            "siret": siret,
            "siren": row["siren"],
            "name": name[:300],
            "size": SIZE_OF_HEADCOUNT_BAND.get(row["trancheEffectifsEtablissement"], ""),
            "address": address,
            "postal_code": postal_code(row["codePostalEtablissement"]) if published else "",
        }

    def domains(self, row: Row) -> list[str]:
        return domains_from_naf(row["activitePrincipaleEtablissement"])

    def point(self, row: Row) -> tuple[float, float] | None:
        if not self._address_published(row) or row[self.commune_column][:2] in ("97", "98"):
            return None
        easting, northing = _number(row[EASTING] or "x"), _number(row[NORTHING] or "x")
        if easting is None or northing is None or not in_metropolitan_range(easting, northing):
            return None
        latitude, longitude = lambert93_to_wgs84(easting, northing)
        return round(latitude, 7), round(longitude, 7)


def import_sirene(source: SourceFile, territory: str, **options) -> ImportReport:
    """Import the open establishments of a SIRENE file located in ``territory``.
    Options: ``ignore_invalid_rows``, ``encoding``, ``progress``. See actors.importers.common."""
    return import_register(SireneRegister(), source, territory, **options)
