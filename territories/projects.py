"""Territoires de projet: a named set of communes drawn by a user.

A project territory is a ``Territory`` of level ``project`` whose code is a stable slug;
its communes are ``TerritoryLink`` rows (commune → project), so it is found by the same
"inside" and "containing" look-ups as any official territory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from territories.models import Level, Territory, TerritoryLink

MAX_COMMUNES = 10_000
# Levels a user may pick to add their communes at once.
PICKABLE_LEVELS = (Level.COMMUNE, Level.EPCI, Level.DEPARTEMENT, Level.REGION)
_TOKEN = re.compile(r"^(?:(?P<level>[a-z]+)\s*[:/]\s*)?(?P<code>[0-9A-Za-z]{2,9})$")


class MemberError(ValueError):
    """One or more chosen territories could not be understood; each message says which."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ; ".join(problems))


@dataclass(frozen=True)
class Pick:
    level: str
    code: str


def parse_picks(values: list[str]) -> list[Pick]:
    """Read the territories a user chose, as ``level:code`` tokens (a bare code is a commune).

    Tokens may be separated by commas, semicolons, spaces or new lines.
    """
    problems, picks = [], []
    tokens = [t for value in values for t in re.split(r"[\s,;]+", value or "") if t]
    for position, token in enumerate(tokens, start=1):
        match = _TOKEN.match(token)
        level = (match.group("level") or Level.COMMUNE) if match else None
        if not match or level not in PICKABLE_LEVELS:
            problems.append(
                f"« {token} » (n° {position}) : attendu un code INSEE de commune, ou niveau:code "
                "(epci:SIREN, departement:45, region:24)"
            )
            continue
        picks.append(Pick(level, match.group("code").upper() if level != Level.EPCI else match.group("code")))
    if problems:
        raise MemberError(problems)
    return list(dict.fromkeys(picks))


def resolve_communes(picks: list[Pick]) -> list[int]:
    """The ids of the current communes the picks stand for; unknown picks are reported."""
    problems, commune_ids = [], set()
    for pick in picks:
        territory = Territory.objects.current().filter(level=pick.level, code=pick.code).first()
        if territory is None:
            problems.append(f"{Level(pick.level).label} « {pick.code} » : introuvable parmi les territoires officiels actuels")
            continue
        if pick.level == Level.COMMUNE:
            commune_ids.add(territory.pk)
        else:
            commune_ids.update(
                Territory.objects.inside(territory).current().filter(level=Level.COMMUNE).values_list("pk", flat=True)
            )
    if problems:
        raise MemberError(problems)
    if not commune_ids:
        raise MemberError(["Choisissez au moins une commune, un EPCI ou un département."])
    if len(commune_ids) > MAX_COMMUNES:
        raise MemberError([f"{len(commune_ids)} communes choisies : un territoire de projet en compte au plus {MAX_COMMUNES}."])
    return sorted(commune_ids)


def unique_slug(name: str) -> str:
    base = slugify(name)[:60].strip("-") or "territoire"
    slug = base
    while Territory.objects.filter(level=Level.PROJECT, code=slug).exists():
        slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


def refresh_population(project: Territory) -> None:
    total = Territory.objects.inside(project).filter(level=Level.COMMUNE, is_obsolete=False).aggregate(s=Sum("population"))["s"]
    project.population = total or 0
    project.save(update_fields=["population", "updated_at"])


@transaction.atomic
def save_project(*, owner, name: str, description: str, is_private: bool, commune_ids: list[int], project: Territory | None = None, is_demo: bool = False) -> Territory:
    """Create or update a project territory with exactly these communes."""
    if project is None:
        project = Territory(level=Level.PROJECT, code=unique_slug(name), owner=owner, is_demo=is_demo)
    project.name, project.description, project.is_private = name, description, is_private
    project.save()
    current = set(TerritoryLink.objects.filter(ancestor=project).values_list("descendant_id", flat=True))
    wanted = set(commune_ids)
    TerritoryLink.objects.filter(ancestor=project, descendant_id__in=current - wanted).delete()
    TerritoryLink.objects.bulk_create(
        [TerritoryLink(descendant_id=pk, ancestor=project, descendant_level=Level.COMMUNE) for pk in sorted(wanted - current)]
    )
    refresh_population(project)
    return project
