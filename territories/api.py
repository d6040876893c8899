"""JSON API of the territories: search and detail, by official code."""

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from catalyseur.schemas import ErrorOut
from territories import policy
from territories.models import Level
from territories.search import MAX_LIMIT, search_territories
from territories.views import children_counts

router = Router(tags=["Territoires"])


class TerritoryOut(Schema):
    level: Level
    code: str
    name: str
    population: int | None


class ParentOut(Schema):
    level: Level
    code: str
    name: str


class TerritoryDetailOut(TerritoryOut):
    parents: list[ParentOut]
    children_count: int = Field(description="Territoires du niveau immédiatement inférieur qu'il contient")
    children_counts: dict[str, int] = Field(description="Nombre de territoires contenus, par niveau")
    is_obsolete: bool
    postal_codes: list[str]
    url: str


class SearchParams(Schema):
    q: str = Field(..., min_length=1, max_length=100, description="Nom, code officiel ou code postal")
    level: list[Level] | None = Field(None, description="Restreindre à ces niveaux (répétable)")
    limit: int = Field(10, ge=1, le=MAX_LIMIT)


@router.get("/territories", response=list[TerritoryOut], summary="Rechercher un territoire", url_name="search")
def search(request, params: Query[SearchParams]):
    """Meilleures correspondances d'abord : nom exact, puis noms commençant par le texte, puis
    le reste ; à rang égal, la plus grande population d'abord. Insensible aux accents et à la casse."""
    return search_territories(params.q, user=request.user, levels=params.level, limit=params.limit)


@router.get(
    "/territories/{level}/{code}",
    response={200: TerritoryDetailOut, 404: ErrorOut},
    summary="Un territoire, ses parents et le nombre de territoires qu'il contient",
    url_name="territory",
)
def detail(request, level: Level, code: str):
    territory = get_object_or_404(policy.visible_territories(request.user), level=level, code=code)
    counts = children_counts(territory)
    return {
        "level": territory.level,
        "code": territory.code,
        "name": territory.name,
        "population": territory.population,
        "parents": territory.parents(),
        "children_count": next(iter(counts.values()), 0),
        "children_counts": counts,
        "is_obsolete": territory.is_obsolete,
        "postal_codes": territory.postal_codes,
        "url": territory.get_absolute_url(),
    }
