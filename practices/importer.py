"""Bringing fiches in: validate every row, report each problem with its line and field,
and write nothing at all when anything is wrong.

A row is a dict with the fields of ``CaseStudy`` (taxonomy as lists of codes, the
territory as ``{"level", "code"}`` or ``"level/code"``). Used by the loader of the
pioneer fiches and by the CSV/JSON import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
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


def _year(value, where, name, problems) -> int | None:
    """An integer year between 1800 and next year, or None (and a problem) when it is not one."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError
        year = int(value)
        if not 1800 <= year <= timezone.now().year + 1:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        problems.append(f"{where}, champ « {name} » : année invalide « {str(value)[:50]} »")
        return None
    return year


def _text_list(value, where, name, problems) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split("|") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        problems.append(f"{where}, champ « {name} » : liste de textes attendue")
        return []
    return [str(v) for v in value]


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _too_long(values: dict, where, problems) -> None:
    """The database's limits, checked here so that PostgreSQL never refuses a row halfway."""
    for name, value in values.items():
        limit = getattr(CaseStudy._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            problems.append(f"{where}, champ « {name} » : {limit} caractères au plus ({len(value)})")


_WEBSITE = URLValidator(schemes=["http", "https"])
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # what the fiche's address accepts (<slug:slug>)


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
        for name, value in row.items():
            if _has_nul(value):
                problems.append(f"{where}, champ « {name} » : caractère nul (\\0) interdit")
        title = row.get("title") or ""
        if not isinstance(title, str):
            problems.append(f"{where}, champ « title » : texte attendu")
            title = ""
        title = title.strip()
        if not title:
            problems.append(f"{where}, champ « title » : le titre est obligatoire")
        elif len(title) > 200:
            problems.append(f"{where}, champ « title » : 200 caractères au plus ({len(title)})")
        slug = row.get("slug") or slugify(title)[:120]
        if not isinstance(slug, str) or (slug and not _SLUG.fullmatch(slug)) or len(slug) > 120:
            problems.append(f"{where}, champ « slug » : « {str(slug)[:130]} » : 120 caractères au plus, lettres "
                            "sans accents, chiffres et tirets")
        elif not slug and title:
            problems.append(f"{where}, champ « slug » : impossible de le tirer du titre, indiquez-le "
                            "(minuscules sans accents, chiffres et tirets)")
        if not isinstance(slug, str):
            slug = ""
        elif slug and slug in seen:
            problems.append(f"{where}, champ « slug » : « {slug} » déjà utilisé par la {seen[slug]}")
        if slug:
            seen[slug] = where
        values = {"title": title}
        for name in TEXT_FIELDS:
            value = row.get(name) or ""
            if not isinstance(value, str):
                problems.append(f"{where}, champ « {name} » : texte attendu")
                value = ""
            values[name] = sanitize(value) if name in RICH_FIELDS else value.strip()
        if not values["summary"]:
            problems.append(f"{where}, champ « summary » : le résumé est obligatoire")
        if values["website"]:
            try:
                _WEBSITE(values["website"])
            except ValidationError:
                problems.append(f"{where}, champ « website » : adresse web invalide (https://…)")
        for name in LIST_FIELDS:
            values[name] = _text_list(row.get(name) or [], where, name, problems)
        figures = row.get("figures") or []
        if not isinstance(figures, list) or not all(
            isinstance(f, dict) and all(isinstance(f.get(k, ""), (str, int, float)) for k in ("label", "value"))
            for f in figures
        ):
            problems.append(f"{where}, champ « figures » : liste de {{label, value}} attendue")
            figures = []
        values["figures"] = [{"value": str(f.get("value", "")), "label": str(f.get("label", ""))} for f in figures]
        status = row.get("carrier_status") or ""
        if status and status not in CarrierStatus.values:
            problems.append(f"{where}, champ « carrier_status » : valeur « {status} » inconnue ({', '.join(CarrierStatus.values)})")
        values["carrier_status"] = status
        category = row.get("category") or ""
        if category and category not in Category.values:
            problems.append(f"{where}, champ « category » : valeur « {category} » inconnue ({', '.join(Category.values)})")
        values["category"] = category
        values["year_started"] = _year(row.get("year_started"), where, "year_started", problems)
        values["territory"] = _territory(row.get("territory"), where, problems)
        source = row.get("source") or {}
        if not isinstance(source, dict):
            problems.append(f"{where}, champ « source » : objet {{document, documented_by, year, where}} attendu")
            source = {}
        values["documented_year"] = _year(source.get("year"), where, "documented_year", problems)
        for name, key in (("source_document", "document"), ("documented_by", "documented_by"),
                          ("source_where", "where"), ("source_title", "title")):
            value = source.get(key) or ""
            if not isinstance(value, (str, int)):
                problems.append(f"{where}, champ « {name} » : texte attendu")
                value = ""
            values[name] = str(value)
        _too_long(values, where, problems)
        terms = {}
        for name in TAXONOMIES:
            codes = _text_list(row.get(name) or [], where, name, problems)
            unknown = [c for c in codes if c not in known[name]]
            if unknown:
                problems.append(f"{where}, champ « {name} » : valeur(s) inconnue(s) {', '.join(unknown)}")
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
        else:
            case.version = F("version") + 1  # an edit form open on this fiche is now out of date
        for name, value in row.values.items():
            setattr(case, name, value)
        case.status = status
        if status == Status.PUBLISHED and not case.published_at:
            case.published_at = now
        case.save()
        if before is not None:
            case.refresh_from_db(fields=["version"])
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
    data = {f.name: getattr(case, f.attname) for f in CaseStudy._meta.concrete_fields if f.name not in ("created_at", "updated_at", "published_at", "version")}
    data["territory"] = f"{case.territory.level}/{case.territory.code}" if case.territory_id else None
    for name in TAXONOMIES:
        data[name] = sorted(getattr(case, name).values_list("code", flat=True))
    return data
