"""A point for each commune, for maps: the centroids of the 2022 commune contours (IGN
ADMIN EXPRESS COG via Etalab), in ``territories/data/communes-centroides-2022/`` with
their README.

The contract, as for the territories import: the whole file is read and checked before
anything is written (a bad row is reported with its line and column, and nothing
changes), one transaction, idempotent (only the points that changed are written).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.db import transaction

from territories.models import Level, Territory

CENTRES_DIR = Path(settings.BASE_DIR) / "territories" / "data" / "communes-centroides-2022"
CENTRES_FILE = "centroides_communes_cog2022.csv"
CORRESPONDENCES_FILE = "correspondances_codes_cog2022_cog2026.csv"
COLUMNS = ("code_insee", "latitude", "longitude")


class CentresError(Exception):
    """The files cannot be used: every problem found, with file, line and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class CentresReport:
    placed: int = 0
    approximate: int = 0
    changed: int = 0
    without_point: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"{self.placed} communes placées (dont {self.approximate} approximativement), {self.changed} modifiées."]
        if self.without_point:
            lines.append(f"{len(self.without_point)} communes sans point (COM notamment) : {', '.join(self.without_point[:10])}"
                         + (" …" if len(self.without_point) > 10 else ""))
        return lines


def _read(path: Path, required: tuple[str, ...], problems: list[str]) -> list[tuple[int, dict]]:
    if not path.exists():
        problems.append(f"{path.name} : fichier introuvable ({path}).")
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path.name}, ligne 1 : colonne(s) manquante(s) : {', '.join(missing)}.")
            return []
        return [(line, row) for line, row in enumerate(reader, start=2)]


def read_points(directory: Path = CENTRES_DIR) -> dict[str, tuple[float, float]]:
    """code INSEE (2022) → (latitude, longitude), every row checked."""
    problems: list[str] = []
    points = {}
    for line, row in _read(directory / CENTRES_FILE, COLUMNS, problems):
        code = (row["code_insee"] or "").strip()
        try:
            latitude, longitude = float(row["latitude"]), float(row["longitude"])
        except (TypeError, ValueError):
            column = "latitude" if not _is_number(row["latitude"]) else "longitude"
            problems.append(f"{CENTRES_FILE}, ligne {line}, colonne « {column} » : nombre attendu, lu « {row[column]} ».")
            continue
        if not code:
            problems.append(f"{CENTRES_FILE}, ligne {line}, colonne « code_insee » : vide.")
        elif not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            problems.append(f"{CENTRES_FILE}, ligne {line} : coordonnées hors limites ({latitude}, {longitude}).")
        elif code in points:
            problems.append(f"{CENTRES_FILE}, ligne {line}, colonne « code_insee » : code {code} en double.")
        else:
            points[code] = (latitude, longitude)
    if problems:
        raise CentresError(problems)
    return points


def read_correspondences(directory: Path = CENTRES_DIR) -> dict[str, tuple[str, bool]]:
    """Current code → (2022 code whose point to use, whether that point is only approximate)."""
    problems: list[str] = []
    out = {}
    for line, row in _read(directory / CORRESPONDENCES_FILE, ("code_actuel", "code_2022", "relation"), problems):
        relation = row["relation"]
        if relation in ("changement_de_code", "partie_de"):
            out[row["code_actuel"]] = (row["code_2022"], relation == "partie_de")
        elif relation != "territoire_reduit":
            problems.append(f"{CORRESPONDENCES_FILE}, ligne {line}, colonne « relation » : valeur inconnue « {relation} ».")
    if problems:
        raise CentresError(problems)
    return out


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def import_commune_centres(directory: Path = CENTRES_DIR, *, progress: Callable[[int], None] | None = None) -> CentresReport:
    points = read_points(directory)
    correspondences = read_correspondences(directory)
    report = CentresReport()
    changed = []
    communes = Territory.objects.filter(level=Level.COMMUNE).only("pk", "code", "latitude", "longitude", "centre_is_approximate")
    with transaction.atomic():
        for commune in communes.iterator(chunk_size=5000):
            approximate = False
            point = points.get(commune.code)
            if point is None and commune.code in correspondences:
                code_2022, approximate = correspondences[commune.code]
                point = points.get(code_2022)
            if point is None:
                report.without_point.append(commune.code)
                new = (None, None, False)
            else:
                report.placed += 1
                report.approximate += approximate
                new = (point[0], point[1], approximate)
            if (commune.latitude, commune.longitude, commune.centre_is_approximate) != new:
                commune.latitude, commune.longitude, commune.centre_is_approximate = new
                changed.append(commune)
            if progress:
                progress(1)
        Territory.objects.bulk_update(changed, ["latitude", "longitude", "centre_is_approximate"], batch_size=2000)
    report.changed = len(changed)
    return report
