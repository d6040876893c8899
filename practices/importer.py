"""Bringing fiches in: validate every row, report each problem with its line and field,
and write nothing at all when anything is wrong.

A row is a dict with the fields of ``CaseStudy`` (taxonomy as lists of codes, the
territory as ``{"level", "code"}`` or ``"level/code"``). Used by the loader of the
pioneer fiches and by the CSV/JSON import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from practices.indexing import reindex
from practices.richtext import sanitize
from practices.models import CarrierStatus, CaseStudy, CaseStudyRevision, Category, Status
from taxonomy.models import Domain, Metier, PartnershipType
from territories.models import Level, Territory

RICH_FIELDS = ("objet", "genese", "objectif", "activites_partenariats", "resultats", "prochaines_etapes")
TEXT_FIELDS = ("summary", "objet", "carrier", "genese", "objectif", "activites_partenariats", "resultats", "prochaines_etapes", "website")
LIST_FIELDS = ("places", "organisations")
TAXONOMIES = {"domains": Domain, "partnership_types": PartnershipType, "metiers": Metier}


class ImportRejected(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problème(s), rien n'a été importé :\n" + "\n".join(f"- {p}" for p in problems[:100]))


@dataclass
class CleanRow:
    slug: str
    values: dict
    terms: dict[str, list] = field(default_factory=dict)


def _territory(value, where, problems) -> Territory | None:
    if value in (None, "", {}):
        return None
    if isinstance(value, str) and "/" in value:
        level, _, code = value.partition("/")
    elif isinstance(value, dict):
        level, code = value.get("level"), value.get("code")
    else:
        problems.append(f"{where}, champ « territory » : attendu niveau/code (ex. commune/94018), reçu « {value} »")
        return None
    if level not in Level.values:
        problems.append(f"{where}, champ « territory » : niveau « {level} » inconnu (region, departement, epci, commune, project)")
        return None
    territory = Territory.objects.filter(level=level, code=str(code).strip()).first()
    if territory is None:
        problems.append(f"{where}, champ « territory » : territoire {level}/{code} introuvable")
    return territory


def clean_rows(rows: list[dict], *, label=lambda i: f"ligne {i + 1}") -> list[CleanRow]:
    """Check every row; raise ImportRejected listing all problems, or return the clean rows."""
    problems: list[str] = []
    known = {name: dict(model.objects.values_list("code", "pk")) for name, model in TAXONOMIES.items()}
    cleaned, seen = [], {}
    for i, row in enumerate(rows):
        where = label(i)
        if not isinstance(row, dict):
            problems.append(f"{where} : objet attendu")
            continue
        title = str(row.get("title") or "").strip()
        if not title:
            problems.append(f"{where}, champ « title » : le titre est obligatoire")
        elif len(title) > 200:
            problems.append(f"{where}, champ « title » : 200 caractères au plus ({len(title)})")
        slug = str(row.get("slug") or slugify(title))[:120]
        if slug in seen:
            problems.append(f"{where}, champ « slug » : « {slug} » déjà utilisé par la {seen[slug]}")
        seen[slug] = where
        values = {"title": title}
        for name in TEXT_FIELDS:
            value = row.get(name) or ""
            if not isinstance(value, str):
                problems.append(f"{where}, champ « {name} » : texte attendu")
            values[name] = sanitize(str(value)) if name in RICH_FIELDS else str(value).strip()
        if not values["summary"]:
            problems.append(f"{where}, champ « summary » : le résumé est obligatoire")
        for name in LIST_FIELDS:
            value = row.get(name) or []
            if isinstance(value, str):
                value = [v.strip() for v in value.split("|") if v.strip()]
            values[name] = [str(v) for v in value]
        figures = row.get("figures") or []
        if not isinstance(figures, list) or not all(isinstance(f, dict) for f in figures):
            problems.append(f"{where}, champ « figures » : liste de {{label, value}} attendue")
            figures = []
        values["figures"] = figures
        status = row.get("carrier_status") or ""
        if status and status not in CarrierStatus.values:
            problems.append(f"{where}, champ « carrier_status » : valeur « {status} » inconnue ({', '.join(CarrierStatus.values)})")
        values["carrier_status"] = status
        category = row.get("category") or ""
        if category and category not in Category.values:
            problems.append(f"{where}, champ « category » : valeur « {category} » inconnue ({', '.join(Category.values)})")
        values["category"] = category
        year = row.get("year_started")
        if year not in (None, ""):
            try:
                year = int(year)
                if not 1800 <= year <= timezone.now().year + 1:
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(f"{where}, champ « year_started » : année invalide « {row.get('year_started')} »")
                year = None
        values["year_started"] = year or None
        values["territory"] = _territory(row.get("territory"), where, problems)
        source = row.get("source") or {}
        documented_year = source.get("year") or None
        if documented_year is not None:
            try:
                documented_year = int(documented_year)
            except (TypeError, ValueError):
                problems.append(f"{where}, champ « documented_year » : année invalide « {documented_year} »")
                documented_year = None
        values.update(
            source_document=str(source.get("document") or ""), documented_by=str(source.get("documented_by") or ""),
            documented_year=documented_year, source_where=str(source.get("where") or ""),
            source_title=str(source.get("title") or ""),
        )
        terms = {}
        for name in TAXONOMIES:
            codes = row.get(name) or []
            if isinstance(codes, str):
                codes = [c.strip() for c in codes.split("|") if c.strip()]
            unknown = [c for c in codes if c not in known[name]]
            if unknown:
                problems.append(f"{where}, champ « {name} » : valeur(s) inconnue(s) {', '.join(map(str, unknown))}")
            terms[name] = [known[name][c] for c in codes if c in known[name]]
        cleaned.append(CleanRow(slug, values, terms))
    if problems:
        raise ImportRejected(problems)
    return cleaned


@transaction.atomic
def save_rows(rows: list[CleanRow], *, status=Status.PUBLISHED, author=None, note="") -> tuple[int, int]:
    """Create or update each fiche by its slug, in one transaction; returns (created, updated)."""
    created = updated = 0
    saved = []
    now = timezone.now()
    for row in rows:
        case = CaseStudy.objects.filter(slug=row.slug).first()
        before = snapshot(case) if case else None
        if case is None:
            case = CaseStudy(slug=row.slug, contributor=author)
        for name, value in row.values.items():
            setattr(case, name, value)
        case.status = status
        if status == Status.PUBLISHED and not case.published_at:
            case.published_at = now
        case.save()
        for name, ids in row.terms.items():
            getattr(case, name).set(ids)
        after = snapshot(case)
        if after == before:
            continue  # nothing changed: no revision, no reindexing
        created, updated = (created + 1, updated) if before is None else (created, updated + 1)
        CaseStudyRevision.objects.create(case_study=case, author=author, status=status, note=note, snapshot=after)
        saved.append(case)
    reindex(saved)
    return created, updated


def snapshot(case: CaseStudy) -> dict:
    data = {f.name: getattr(case, f.attname) for f in CaseStudy._meta.concrete_fields if f.name not in ("created_at", "updated_at", "published_at")}
    data["territory"] = f"{case.territory.level}/{case.territory.code}" if case.territory_id else None
    for name in TAXONOMIES:
        data[name] = sorted(getattr(case, name).values_list("code", flat=True))
    return data
