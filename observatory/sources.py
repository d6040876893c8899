"""Readers of the reference files under ``observatory/data/``: each yields the values it
holds as ``SourceValue`` rows, with the producer's codes unchanged. Blanks and the
producer's secret marks (``s``, ``nd``) become ``None``: a figure that was not published,
never a zero.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Iterator, NamedTuple

DATA_DIR = Path(__file__).resolve().parent / "data"
COMPARATEUR_FILE = DATA_DIR / "insee-comparateur-territoires-rp2018" / "base_cc_comparateur.csv"
FILOSOFI_FILE = DATA_DIR / "insee-filosofi-2021-communes" / "cc_filosofi_2021_COM.csv"
ESTIMATIONS_FILE = DATA_DIR / "insee-estimations-population-departements-age" / "estimations_population_departements_sexe_age_1975_2023.csv"
CHOMAGE_FILE = DATA_DIR / "insee-taux-chomage-localises" / "taux_chomage_localises_trimestriels_1982_2024T3.csv"

NATIONAL = "national"  # level of a France-wide value; its code is a Scope ("metro", "france")


class SourceValue(NamedTuple):
    """A named tuple: a million of them are built by an import (a frozen dataclass costs
    four times as much to create)."""

    indicator: str
    level: str
    code: str
    year: int
    value: float | None
    # How much this row weighs when several rows fall into one current commune (its
    # population or its number of people in tax households).
    weight: float | None = None


def number(text: str) -> float | None:
    """A producer's cell as a number; blanks and secret marks are None."""
    text = text.strip()
    if not text or text in {"s", "nd", "(O)", "NA"}:
        return None
    return float(text.replace(",", "."))


# Comparateur column → (indicator, years it stands for).
COMPARATEUR_COLUMNS = {
    "P13_POP": ("population", (2013,)),
    "P18_POP": ("population", (2018,)),
    "SUPERF": ("superficie", (2013, 2018)),
    "NAIS1318": ("naissances", (2018,)),
    "DECE1318": ("deces", (2018,)),
    "P18_LOG": ("logements", (2018,)),
    "P18_LOGVAC": ("logements_vacants", (2018,)),
    "P18_RSECOCC": ("residences_secondaires", (2018,)),
    "MED19": ("niveau_vie_median", (2019,)),
    "TP6019": ("taux_pauvrete", (2019,)),
    "PIMP19": ("part_menages_imposes", (2019,)),
    "P13_EMPLT": ("emplois", (2013,)),
    "P18_EMPLT": ("emplois", (2018,)),
    "P18_ACT1564": ("actifs_15_64", (2018,)),
    "P18_CHOM1564": ("chomeurs_15_64", (2018,)),
    "ETTOT18": ("etablissements", (2018,)),
}
FILOSOFI_COLUMNS = {
    "MED21": "niveau_vie_median",
    "TP6021": "taux_pauvrete",
    "PIMP21": "part_menages_imposes",
}


def comparateur(path: Path = COMPARATEUR_FILE) -> Iterator[SourceValue]:
    with path.open(newline="", encoding="ascii") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            code = row["CODGEO"]
            weight = number(row["P18_POP"])
            for column, (indicator, years) in COMPARATEUR_COLUMNS.items():
                value = number(row[column])
                for year in years:
                    yield SourceValue(indicator, "commune", code, year, value, weight)


def filosofi(path: Path = FILOSOFI_FILE) -> Iterator[SourceValue]:
    with path.open(newline="", encoding="ascii") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            weight = number(row["NBPERSMENFISC21"])
            for column, indicator in FILOSOFI_COLUMNS.items():
                yield SourceValue(indicator, "commune", row["CODGEO"], 2021, number(row[column]), weight)


AGES_75_PLUS = ("pop_75_79", "pop_80_84", "pop_85_89", "pop_90p")


def estimations(path: Path = ESTIMATIONS_FILE) -> Iterator[SourceValue]:
    """Départements only: régions and France are sums of départements (the aggregation)."""
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["code_departement"]
            if row["sexe"] != "ensemble" or code in {"METRO", "DOM", "FRANCE"}:
                continue
            year = int(row["annee"])
            aged = [number(row[column]) for column in AGES_75_PLUS]
            yield SourceValue("population_estimee", "departement", code, year, number(row["pop_total"]))
            yield SourceValue(
                "population_75_plus", "departement", code, year, None if None in aged else sum(aged)
            )


CHOMAGE_LEVELS = {"departement": "departement", "region": "region", "france_metropolitaine": NATIONAL, "france_hors_mayotte": NATIONAL}
CHOMAGE_SCOPES = {"france_metropolitaine": "metro", "france_hors_mayotte": "france"}
LAST_COMPLETE_YEAR = 2023


def chomage_localise(path: Path = CHOMAGE_FILE) -> Iterator[SourceValue]:
    """Yearly means of the quarterly rates, for the years with all four quarters."""
    quarters: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            level = CHOMAGE_LEVELS[row["niveau"]]
            code = CHOMAGE_SCOPES.get(row["niveau"], row["code"])
            year = int(row["trimestre"][:4])
            rate = number(row["taux_chomage_cvs"])
            if rate is not None and year <= LAST_COMPLETE_YEAR:
                quarters[(level, code, year)].append(rate)
    for (level, code, year), rates in quarters.items():
        if len(rates) == 4:
            yield SourceValue("taux_chomage_localise", level, code, year, round(sum(rates) / 4, 3))


def reference_values() -> Iterator[SourceValue]:
    yield from comparateur()
    yield from filosofi()
    yield from estimations()
    yield from chomage_localise()
