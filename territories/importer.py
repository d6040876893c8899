"""Import of the official territories from ``@etalab/decoupage-administratif``.

Contract
========

* **Source.** The ``data/`` folder of the pinned npm package: ``regions.json``,
  ``departements.json``, ``epci.json`` and ``communes.json``. Only *communes actuelles*
  are imported (delegated and associated communes and municipal arrondissements are not
  territories of their own here).
* **Validation first.** Every file is read and every entry checked (required fields, types,
  references between files) before anything is written. Any problem raises
  ``SourceError`` listing each one with its file, entry number and field; the database is
  then untouched.
* **One transaction.** The whole difference is applied inside one transaction: either
  everything lands, or nothing does.
* **Idempotent.** The import computes the difference between the source and the database
  and writes only that difference. Running it twice in a row changes nothing the second
  time. When the source files are byte-identical to the last successful run, the
  computation is skipped unless ``force`` is set.
* **Never deletes.** An official territory that is no longer in the source is flagged
  obsolete (with the date, and its successor when a current commune lists its code among
  its former codes); its official containment links are removed, and project territories
  that contained it now contain its successor. A territory that reappears is current again.
* **Links rebuilt.** Containment links between official territories (commune → EPCI,
  commune → département → région, EPCI → each of its départements and régions) are
  recomputed from the source on every run, so a commune that changes EPCI leaves the old one.
* **Populations.** Communes and EPCI take the municipal population of the source;
  départements and régions the sum of their current communes.
* **Report.** The result counts what was created, changed and made obsolete per level,
  and the links added and removed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from territories.models import ImportRun, Level, OFFICIAL_LEVELS, PostalCode, Territory, TerritoryLink
from territories.normalize import searchable

SOURCE_FILES = {
    Level.REGION: "regions.json",
    Level.DEPARTEMENT: "departements.json",
    Level.EPCI: "epci.json",
    Level.COMMUNE: "communes.json",
}
MAX_REPORTED_ERRORS = 50
BATCH = 2000
Key = tuple[str, str]  # (level, code)


class SourceError(Exception):
    """The source files are missing or malformed; nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_REPORTED_ERRORS]
        more = len(problems) - len(shown)
        text = "\n".join(f"- {p}" for p in shown)
        if more > 0:
            text += f"\n- … et {more} autre(s) problème(s)"
        super().__init__(f"Import annulé, aucune donnée modifiée. {len(problems)} problème(s) :\n{text}")


@dataclass
class Wanted:
    """One official territory as the source describes it."""

    level: str
    code: str
    name: str
    population: int | None = None
    postal_codes: list[str] = field(default_factory=list)
    zone: str = ""
    former_codes: list[str] = field(default_factory=list)


@dataclass
class Report:
    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    obsoleted: Counter = field(default_factory=Counter)
    links_added: int = 0
    links_removed: int = 0
    projects_updated: int = 0
    skipped: bool = False
    version: str = ""

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"Territoires déjà à jour (découpage administratif {self.version}) : rien à faire."]
        lines = [f"Découpage administratif {self.version} :"]
        for level in OFFICIAL_LEVELS:
            lines.append(
                f"  {Level(level).label:<12} créés {self.created[level]:>6}, modifiés {self.changed[level]:>6}, "
                f"devenus obsolètes {self.obsoleted[level]:>5}"
            )
        lines.append(f"  Liens d'appartenance : {self.links_added} ajoutés, {self.links_removed} retirés")
        if self.projects_updated:
            lines.append(f"  Territoires de projet mis à jour : {self.projects_updated}")
        return lines


# --------------------------------------------------------------------------------------
# Reading and validating the source
# --------------------------------------------------------------------------------------


class _Checker:
    def __init__(self):
        self.problems: list[str] = []

    def entry(self, filename: str, index: int, entry, required: dict[str, type], optional: dict[str, type]) -> bool:
        where = f"{filename}, entrée n° {index + 1}"
        if not isinstance(entry, dict):
            self.problems.append(f"{where} : objet JSON attendu, trouvé {type(entry).__name__}")
            return False
        code = entry.get("code")
        if isinstance(code, str):
            where += f" (code {code})"
        ok = True
        for name, kind in required.items():
            value = entry.get(name)
            if value is None or value == "":
                self.problems.append(f"{where} : champ « {name} » manquant")
                ok = False
            elif not isinstance(value, kind) or isinstance(value, bool):
                self.problems.append(f"{where} : champ « {name} » de type {type(value).__name__}, {kind.__name__} attendu")
                ok = False
        for name, kind in optional.items():
            value = entry.get(name)
            if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
                self.problems.append(f"{where} : champ « {name} » de type {type(value).__name__}, {kind.__name__} attendu")
                ok = False
        return ok


def _load_json_list(path: Path, checker: _Checker) -> list:
    if not path.exists():
        checker.problems.append(f"{path.name} : fichier introuvable ({path})")
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        checker.problems.append(f"{path.name} : encodage invalide, UTF-8 attendu ({exc.reason} à l'octet {exc.start})")
        return []
    except json.JSONDecodeError as exc:
        checker.problems.append(f"{path.name} : JSON invalide ligne {exc.lineno}, colonne {exc.colno} ({exc.msg})")
        return []
    if not isinstance(data, list):
        checker.problems.append(f"{path.name} : une liste JSON est attendue au premier niveau")
        return []
    if not data:
        checker.problems.append(f"{path.name} : fichier vide (aucune entrée)")
    return data


def source_version(data_dir: Path) -> str:
    package = data_dir.parent / "package.json"
    try:
        return str(json.loads(package.read_text(encoding="utf-8")).get("version", "inconnue"))
    except (OSError, ValueError):
        return "inconnue"


def source_digest(data_dir: Path) -> str:
    digest = hashlib.sha256()
    for filename in SOURCE_FILES.values():
        path = data_dir / filename
        digest.update(filename.encode())
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Source:
    territories: dict[Key, Wanted]
    links: set[tuple[Key, Key]]  # (descendant, ancestor)


def read_source(data_dir: Path) -> Source:
    """Read and validate the four files; raise SourceError listing every problem."""
    checker = _Checker()
    raw = {level: _load_json_list(data_dir / name, checker) for level, name in SOURCE_FILES.items()}
    if checker.problems:
        raise SourceError(checker.problems)

    wanted: dict[Key, Wanted] = {}
    links: set[tuple[Key, Key]] = set()

    def add(item: Wanted, filename: str, index: int):
        key = (item.level, item.code)
        if key in wanted:
            checker.problems.append(f"{filename}, entrée n° {index + 1} : code {item.code} en double")
        wanted[key] = item

    for i, entry in enumerate(raw[Level.REGION]):
        if checker.entry("regions.json", i, entry, {"code": str, "nom": str}, {"zone": str}):
            add(Wanted(Level.REGION, entry["code"], entry["nom"], zone=entry.get("zone", "")), "regions.json", i)

    for i, entry in enumerate(raw[Level.DEPARTEMENT]):
        if not checker.entry("departements.json", i, entry, {"code": str, "nom": str, "region": str}, {"zone": str}):
            continue
        if (Level.REGION, entry["region"]) not in wanted:
            checker.problems.append(
                f"departements.json, entrée n° {i + 1} (code {entry['code']}) : région « {entry['region']} » inconnue"
            )
            continue
        add(Wanted(Level.DEPARTEMENT, entry["code"], entry["nom"], zone=entry.get("zone", "")), "departements.json", i)
        links.add(((Level.DEPARTEMENT, entry["code"]), (Level.REGION, entry["region"])))

    commune_parents: dict[str, tuple[str, str]] = {}
    for i, entry in enumerate(raw[Level.COMMUNE]):
        if not checker.entry(
            "communes.json",
            i,
            entry,
            {"code": str, "nom": str, "type": str},
            {"departement": str, "region": str, "population": int, "codesPostaux": list, "anciensCodes": list, "zone": str},
        ):
            continue
        if entry["type"] != "commune-actuelle":
            continue
        where = f"communes.json, entrée n° {i + 1} (code {entry['code']})"
        dep, reg = entry.get("departement"), entry.get("region")
        if not dep or (Level.DEPARTEMENT, dep) not in wanted:
            checker.problems.append(f"{where} : département « {dep} » inconnu")
            continue
        if not reg or (Level.REGION, reg) not in wanted:
            checker.problems.append(f"{where} : région « {reg} » inconnue")
            continue
        postal = entry.get("codesPostaux") or []
        if not all(isinstance(p, str) for p in postal):
            checker.problems.append(f"{where} : « codesPostaux » doit être une liste de textes")
            continue
        population = entry.get("population")
        if population is not None and population < 0:
            checker.problems.append(f"{where} : population négative ({population})")
            continue
        item = Wanted(
            Level.COMMUNE,
            entry["code"],
            entry["nom"],
            population=population,
            postal_codes=sorted(set(postal)),
            zone=entry.get("zone", ""),
            former_codes=[c for c in entry.get("anciensCodes") or [] if isinstance(c, str)],
        )
        add(item, "communes.json", i)
        commune_parents[entry["code"]] = (dep, reg)
        key = (Level.COMMUNE, entry["code"])
        links.add((key, (Level.DEPARTEMENT, dep)))
        links.add((key, (Level.REGION, reg)))

    for i, entry in enumerate(raw[Level.EPCI]):
        if not checker.entry("epci.json", i, entry, {"code": str, "nom": str, "membres": list}, {"populationMunicipale": int}):
            continue
        where = f"epci.json, entrée n° {i + 1} (code {entry['code']})"
        epci_key = (Level.EPCI, entry["code"])
        add(Wanted(Level.EPCI, entry["code"], entry["nom"], population=entry.get("populationMunicipale")), "epci.json", i)
        for j, member in enumerate(entry["membres"]):
            code = member.get("code") if isinstance(member, dict) else None
            if not isinstance(code, str) or code not in commune_parents:
                checker.problems.append(f"{where}, membre n° {j + 1} : commune « {code} » inconnue")
                continue
            dep, reg = commune_parents[code]
            links.add(((Level.COMMUNE, code), epci_key))
            links.add((epci_key, (Level.DEPARTEMENT, dep)))
            links.add((epci_key, (Level.REGION, reg)))

    if checker.problems:
        raise SourceError(checker.problems)

    # Départements and régions: sum of the current communes they contain.
    totals: dict[Key, int] = defaultdict(int)
    for (descendant, ancestor) in links:
        if descendant[0] == Level.COMMUNE and ancestor[0] in (Level.DEPARTEMENT, Level.REGION):
            totals[ancestor] += wanted[descendant].population or 0
    for key, item in wanted.items():
        if item.level in (Level.DEPARTEMENT, Level.REGION):
            item.population = totals.get(key, 0)
    return Source(wanted, links)


# --------------------------------------------------------------------------------------
# Applying the difference
# --------------------------------------------------------------------------------------


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Progress = Callable[[str, int], None]


def _no_progress(step: str, count: int) -> None:
    return None


def import_territories(data_dir: Path, *, force: bool = False, dry_run: bool = False, progress: Progress = _no_progress) -> Report:
    """Bring the official territories in line with ``data_dir``. See the module contract."""
    data_dir = Path(data_dir)
    report = Report(version=source_version(data_dir))
    digest = source_digest(data_dir)
    last = ImportRun.objects.order_by("-finished_at", "-pk").first()
    if not force and not dry_run and last and last.source_digest == digest:
        report.skipped = True
        return report

    progress("Lecture et vérification des fichiers", 1)
    source = read_source(data_dir)

    with transaction.atomic():
        _apply(source, report, progress)
        if dry_run:
            transaction.set_rollback(True)
        else:
            ImportRun.objects.create(
                source=str(data_dir),
                source_version=report.version,
                source_digest=digest,
                created=sum(report.created.values()),
                changed=sum(report.changed.values()),
                obsoleted=sum(report.obsoleted.values()),
                links_added=report.links_added,
                links_removed=report.links_removed,
            )
    if not dry_run:
        _refresh_planner_statistics()
    return report


def _refresh_planner_statistics() -> None:
    """Give the query planner fresh statistics, so it picks the link indexes by itself."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            for table in ("territories_territory", "territories_territorylink", "territories_postalcode"):
                cursor.execute(f"ANALYZE {table}")


def _apply(source: Source, report: Report, progress: Progress) -> None:
    today = timezone.localdate()
    existing: dict[Key, Territory] = {
        (t.level, t.code): t for t in Territory.objects.official().only(
            "id", "level", "code", "name", "population", "postal_codes", "zone", "is_obsolete", "successor_id"
        )
    }

    # 1. Territories: create the new ones, update the changed ones.
    to_create, to_update = [], []
    for key, item in source.territories.items():
        current = existing.get(key)
        if current is None:
            to_create.append(
                Territory(
                    level=item.level,
                    code=item.code,
                    name=item.name,
                    search_name=searchable(item.name),
                    population=item.population,
                    postal_codes=item.postal_codes,
                    zone=item.zone,
                )
            )
            report.created[item.level] += 1
            continue
        if (
            current.name != item.name
            or current.population != item.population
            or list(current.postal_codes or []) != item.postal_codes
            or current.zone != item.zone
            or current.is_obsolete
        ):
            current.name, current.search_name = item.name, searchable(item.name)
            current.population, current.postal_codes, current.zone = item.population, item.postal_codes, item.zone
            current.is_obsolete, current.obsolete_since, current.successor_id = False, None, None
            to_update.append(current)
            report.changed[item.level] += 1
    for batch in _chunks(to_create):
        Territory.objects.bulk_create(batch)
        progress("Création des territoires", len(batch))
    update_fields = ["name", "search_name", "population", "postal_codes", "zone", "is_obsolete", "obsolete_since", "successor_id"]
    for batch in _chunks(to_update):
        Territory.objects.bulk_update(batch, update_fields)
        progress("Mise à jour des territoires", len(batch))

    ids: dict[Key, int] = dict(
        ((level, code), pk) for level, code, pk in Territory.objects.official().values_list("level", "code", "id")
    )

    # 2. Territories gone from the source: obsolete, pointing to their successor if known.
    successor_of: dict[str, int] = {}
    for key, item in source.territories.items():
        for former in item.former_codes:
            successor_of[former] = ids[key]
    gone = [t for key, t in existing.items() if key not in source.territories and not t.is_obsolete]
    for territory in gone:
        territory.is_obsolete = True
        territory.obsolete_since = today
        territory.successor_id = successor_of.get(territory.code) if territory.level == Level.COMMUNE else None
        report.obsoleted[territory.level] += 1
    for batch in _chunks(gone):
        Territory.objects.bulk_update(batch, ["is_obsolete", "obsolete_since", "successor_id"])
        progress("Territoires devenus obsolètes", len(batch))

    # 3. Official containment links: add the missing ones, remove the stale ones.
    wanted_links = {(ids[d], ids[a]): d[0] for d, a in source.links}
    official_links = TerritoryLink.objects.exclude(ancestor__level=Level.PROJECT)
    current_links = {(d, a): pk for pk, d, a in official_links.values_list("pk", "descendant_id", "ancestor_id")}
    stale = [pk for pair, pk in current_links.items() if pair not in wanted_links]
    for batch in _chunks(stale, 500):
        TerritoryLink.objects.filter(pk__in=batch).delete()
        progress("Liens retirés", len(batch))
    report.links_removed = len(stale)
    missing = [
        TerritoryLink(descendant_id=d, ancestor_id=a, descendant_level=level)
        for (d, a), level in wanted_links.items()
        if (d, a) not in current_links
    ]
    for batch in _chunks(missing):
        TerritoryLink.objects.bulk_create(batch)
        progress("Liens ajoutés", len(batch))
    report.links_added = len(missing)

    # 4. Postal codes of the communes: rebuild the rows of what was created or changed.
    _sync_postal_codes(source, ids, {(t.level, t.code) for t in to_update} | {(t.level, t.code) for t in gone}, bool(to_create))
    progress("Codes postaux", 1)

    # 5. Project territories that contained a commune now obsolete follow its successor.
    report.projects_updated = _move_projects_to_successors([t for t in gone if t.successor_id])


def _sync_postal_codes(source: Source, ids: dict[Key, int], touched: set[Key], created_any: bool) -> None:
    if not touched and not created_any:
        return
    communes = {key: item for key, item in source.territories.items() if key[0] == Level.COMMUNE}
    with_rows = set(PostalCode.objects.values_list("territory_id", flat=True).distinct())
    stale_ids = [ids[key] for key in touched if key[0] == Level.COMMUNE]
    for batch in _chunks(stale_ids, 500):
        PostalCode.objects.filter(territory_id__in=batch).delete()
    rows = [
        PostalCode(territory_id=ids[key], code=code)
        for key, item in communes.items()
        if ids[key] not in with_rows or key in touched
        for code in item.postal_codes
    ]
    for batch in _chunks(rows):
        PostalCode.objects.bulk_create(batch)


def _move_projects_to_successors(obsolete_communes: list[Territory]) -> int:
    from territories.projects import refresh_population

    successor = {t.pk: t.successor_id for t in obsolete_communes}
    if not successor:
        return 0
    project_links = TerritoryLink.objects.filter(descendant_id__in=successor, ancestor__level=Level.PROJECT)
    touched = set()
    for link in project_links:
        TerritoryLink.objects.get_or_create(
            descendant_id=successor[link.descendant_id], ancestor_id=link.ancestor_id,
            defaults={"descendant_level": Level.COMMUNE},
        )
        touched.add(link.ancestor_id)
        link.delete()
    for project in Territory.objects.filter(pk__in=touched):
        refresh_population(project)
    return len(touched)
