"""JSON API of the observatory: the indicator catalogue and each indicator's methodology,
a territory's figures (values, indices, ranks, deciles, peer medians, domain scores), its
territoires comparables and its whole portrait.

Everything comes from the functions the pages use (``observatory.figures``,
``observatory.peers``, ``observatory.portrait``): the API and the portrait page always say
the same numbers. A territory follows its own visibility (``observatory.policy``): a
private project territory is a 404 for everyone but its owner.

Errors: an unknown level, a bad ``year`` or ``pairs`` that name no comparable territory are
a 400 (``{"detail", "errors": [{"field", "message"}]}``, in French); a territory that does
not exist, or that the user may not see, is a 404.
"""

from __future__ import annotations

import re

from django.db import connection
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Path, Router, Schema, Status

from catalyseur.schemas import ErrorOut, ErrorsOut, Term, TerritoryRef
from observatory.cache import cached
from observatory.figures import PRIORITY_THRESHOLD, DomainScore, Figure, domain_scores, parent_of, territory_figures
from observatory.models import Aggregation, Direction, Indicator, NationalValue, Scope, Value
from observatory.peers import (
    FEATURES, MAX_PEERS, PEER_COUNT, PEER_COVERAGE_RULE, PeerFigure, comparison_level, own_point, peer_figures, space,
    suggested_peers,
)
from observatory.policy import get_portrait_territory
from observatory.portrait import build_portrait, ensure_project_values, parse_peers
from territories.models import LEVEL_PLURAL, Level, Territory

router = Router(tags=["Observatoire"])

LEVELS = [level.value for level in Level]
MIN_YEAR, MAX_YEAR = 1900, 2100
INVALID = "Paramètres invalides."

LEVEL_PARAM = Path(..., description="Niveau : " + ", ".join(LEVELS) + " ; un autre niveau est refusé (400)")
CODE_PARAM = Path(..., description="Code officiel (SIREN pour un EPCI), ou identifiant d'un territoire de projet")
YEAR_PARAMETER = {
    "in": "query", "name": "year", "required": False,
    "schema": {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
    "description": "Cette année au lieu de la dernière connue de chaque indicateur ; une année sans valeur donne une liste vide.",
}
PAIRS_PARAMETER = {
    "in": "query", "name": "pairs", "required": False, "style": "form", "explode": True,
    "schema": {"type": "array", "items": {"type": "string"}},
    "description": (
        "Territoires comparables choisis, « niveau/code » (répétable, ou séparés par des virgules ; "
        f"au plus {MAX_PEERS}, les suivants sont ignorés), du même niveau que le territoire "
        "(des EPCI pour un territoire de projet). Sans ce paramètre : les territoires comparables suggérés."
    ),
}


# --- Schemas -------------------------------------------------------------------------------


class IndicatorRef(Schema):
    code: str
    name: str


class IndicatorOut(Schema):
    code: str
    name: str
    short_name: str
    domain: Term | None = Field(description="Domaine de fragilité ; vide pour un indicateur de profil")
    unit: str
    decimals: int = Field(description="Décimales affichées par le site")
    direction: Direction = Field(description="higher_worse : plus haut = plus fragile ; higher_better : l'inverse ; neutral : profil")
    aggregation: Aggregation = Field(description="Règle de calcul au-dessus du niveau le plus fin")
    base_level: Level = Field(description="Niveau des valeurs lues dans la source")
    is_component: bool = Field(description="Compte qui sert au calcul d'un taux")
    is_demo: bool = Field(description="Données de démonstration, générées : elles ne décrivent aucun territoire réel")
    producer: str
    source: str
    vintage: str = Field(description="Millésime")
    years: list[int] = Field(description="Années pour lesquelles au moins un territoire a une ligne")
    url: str = Field(description="Page de méthodologie")


class NationalOut(Schema):
    scope: Scope = Field(description="metro : France métropolitaine ; france : France entière")
    year: int
    value: float | None
    coverage: float | None = Field(description="Part de la population couverte par les valeurs connues (0 à 1)")


class IndicatorDetailOut(IndicatorOut):
    definition: str
    formula: str
    limits: str
    licence: str
    source_url: str
    numerator: IndicatorRef | None = Field(description="Pour un rapport : le compte au numérateur")
    denominator: IndicatorRef | None = Field(description="Pour un rapport : le compte au dénominateur")
    scale: float = Field(description="Rapport = facteur × numérateur ÷ dénominateur")
    national: list[NationalOut]


class Point(Schema):
    year: int
    value: float | None


class FigureOut(Schema):
    code: str
    name: str
    domain: str | None = Field(description="Code du domaine ; vide pour un indicateur de profil")
    unit: str
    year: int
    value: float | None = Field(description="Vide : non publiée (secret statistique) ou inconnue, jamais zéro")
    coverage: float | None = Field(description="Valeur calculée : part de la population des territoires dont la valeur est connue")
    is_computed: bool
    is_component: bool
    national: float | None = Field(description="France métropolitaine, même année")
    index_france: float | None = Field(description="100 × valeur ÷ France métropolitaine ; vide pour un effectif (somme)")
    parent: TerritoryRef | None
    parent_value: float | None
    index_parent: float | None = Field(description="100 × valeur ÷ valeur du parent ; vide pour un effectif (somme)")
    rank: int | None = Field(description="Rang parmi les territoires du niveau qui ont une valeur (1 = la plus élevée)")
    count: int | None = Field(description="Nombre de territoires du niveau qui ont une valeur cette année")
    decile: int | None = Field(description="1 = le dixième aux valeurs les plus élevées")
    fragility: float | None = Field(description="Position orientée de 0 (le moins fragile) à 100 (le plus fragile du niveau)")
    peer_median: float | None = Field(description=f"Vide si moins de {round(100 * PEER_COVERAGE_RULE)} % des comparables ont une valeur")
    peer_low: float | None
    peer_high: float | None
    peer_with_data: int | None = Field(description="Comparables qui ont une valeur")
    peer_count: int | None = Field(description="Taille du groupe de comparables")
    is_demo: bool
    source: str
    vintage: str
    series: list[Point]
    url: str = Field(description="Méthodologie de l'indicateur")


class DomainScoreOut(Schema):
    domain: Term
    score: float = Field(description="Moyenne des positions orientées de ses indicateurs, 0 à 100")
    is_priority: bool = Field(description=f"Score ≥ {round(PRIORITY_THRESHOLD, 1)} : tiers le plus fragile du niveau")
    is_demo: bool
    indicators: list[str]


class TerritoryIndicatorsOut(Schema):
    territory: TerritoryRef
    parent: TerritoryRef | None
    year: int | None = Field(description="L'année demandée ; vide : la dernière année connue de chaque indicateur")
    peers: list[TerritoryRef] = Field(description="Les territoires comparables suggérés, dont on donne la médiane")
    indicators: list[FigureOut]
    scores: list[DomainScoreOut]


class PeerOut(TerritoryRef):
    population: float | None
    densite: float | None
    niveau_vie_median: float | None
    distance: float | None = Field(description="Distance au territoire dans l'espace centré-réduit (0 = identique)")


class PeerIndicatorOut(Schema):
    code: str
    name: str
    unit: str
    year: int
    value: float | None
    peer_median: float | None
    peer_low: float | None
    peer_high: float | None
    peer_with_data: int
    peer_count: int
    shown: bool = Field(description="Médiane publiée (règle de couverture respectée)")
    is_demo: bool


class PeersOut(Schema):
    territory: TerritoryRef
    level: Level = Field(description="Niveau des territoires comparables")
    chosen: bool = Field(description="Vrai : le groupe vient de « pairs »")
    method: str
    coverage_rule: float = Field(description="Part des comparables qui doivent avoir une valeur pour qu'une médiane s'affiche")
    peers: list[PeerOut]
    indicators: list[PeerIndicatorOut]


class ProfileOut(Schema):
    communes: int
    organisations: int | None = Field(description="Organisations présentes sur la plateforme")
    partnerships: int | None = Field(description="Partenariats recensés sur la plateforme")
    figures: list[FigureOut]


class PortraitOut(Schema):
    territory: TerritoryRef
    parent: TerritoryRef | None
    peers: list[TerritoryRef]
    peers_chosen: bool
    profile: ProfileOut
    priorities: list[DomainScoreOut]
    scores: list[DomainScoreOut]
    rows: list[FigureOut]
    has_demo: bool
    url: str
    pdf: str


# --- Helpers -------------------------------------------------------------------------------


def _invalid(field: str, message: str) -> Status:
    return Status(400, {"detail": INVALID, "errors": [{"field": field, "message": message}]})


def _check_level(level: str) -> Status | None:
    if level not in LEVELS:
        return _invalid("level", f"niveau inconnu ; niveaux possibles : {', '.join(LEVELS)}")
    return None


def _year(request) -> tuple[int | None, Status | None]:
    raw = request.GET.get("year")
    if raw is None:
        return None, None
    if not re.fullmatch(r"\s*-?\d{1,6}\s*", raw):
        return None, _invalid("year", "année attendue : un nombre entier, par exemple 2021")
    year = int(raw)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, _invalid("year", f"année hors limites : entre {MIN_YEAR} et {MAX_YEAR}")
    return year, None


def _pairs(request, territory: Territory) -> tuple[list[Territory] | None, Status | None]:
    raw = request.GET.getlist("pairs")
    if not raw:
        return None, None
    found, errors = parse_peers(raw, territory)
    if errors:
        wanted = comparison_level(territory)
        return None, _invalid(
            "pairs", f"ne désignent aucun territoire comparable (niveau attendu : {wanted}) : {', '.join(errors)}"
        )
    if not found:
        return None, _invalid("pairs", "aucun territoire donné")
    return found, None


def _ref(territory: Territory | None) -> dict | None:
    if territory is None:
        return None
    return {"level": territory.level, "code": territory.code, "name": territory.name}


def _term(domain) -> dict | None:
    return {"code": domain.code, "label": domain.label} if domain is not None else None


@cached("years")
def indicator_years() -> dict[int, list[int]]:
    """The years each indicator has rows for: a loose index scan (the next year after the
    last one, per indicator) on the (indicator, year, …) index, not a scan of every value."""
    values, indicators = Value._meta.db_table, Indicator._meta.db_table
    sql = f"""
        WITH RECURSIVE seen(indicator_id, year) AS (
            SELECT i.id, (SELECT MIN(v.year) FROM {values} v WHERE v.indicator_id = i.id) FROM {indicators} i
            UNION ALL
            SELECT s.indicator_id,
                   (SELECT MIN(v.year) FROM {values} v WHERE v.indicator_id = s.indicator_id AND v.year > s.year)
            FROM seen s WHERE s.year IS NOT NULL
        )
        SELECT indicator_id, year FROM seen WHERE year IS NOT NULL ORDER BY indicator_id, year
    """
    years: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for indicator_id, year in cursor.fetchall():
            years.setdefault(indicator_id, []).append(year)
    return years


def indicator_out(indicator: Indicator, years: list[int]) -> dict:
    return {
        "code": indicator.code, "name": indicator.name, "short_name": indicator.short_name,
        "domain": _term(indicator.domain), "unit": indicator.unit, "decimals": indicator.decimals,
        "direction": indicator.direction, "aggregation": indicator.aggregation, "base_level": indicator.base_level,
        "is_component": indicator.is_component, "is_demo": indicator.is_demo, "producer": indicator.producer,
        "source": indicator.source, "vintage": indicator.vintage, "years": years, "url": indicator.get_absolute_url(),
    }


def shows_index(indicator: Indicator) -> bool:
    """As on the page (``portrait.Row.shows_index``): a count against France's total says nothing."""
    return indicator.aggregation != Aggregation.SUM


def figure_out(figure: Figure, parent: Territory | None, peers: PeerFigure | None) -> dict:
    i = figure.indicator
    with_index = shows_index(i)
    return {
        "code": i.code, "name": i.name, "domain": i.domain.code if i.domain_id else None, "unit": i.unit,
        "year": figure.year, "value": figure.value, "coverage": figure.coverage, "is_computed": figure.is_computed,
        "is_component": i.is_component, "national": figure.national,
        "index_france": figure.index_france if with_index else None,
        "parent": _ref(parent), "parent_value": figure.parent_value,
        "index_parent": figure.index_parent if with_index else None,
        "rank": figure.rank, "count": figure.count, "decile": figure.decile, "fragility": figure.fragility,
        "peer_median": peers.median if peers else None, "peer_low": peers.low if peers else None,
        "peer_high": peers.high if peers else None, "peer_with_data": peers.with_data if peers else None,
        "peer_count": peers.peers if peers else None,
        "is_demo": i.is_demo, "source": i.source, "vintage": i.vintage,
        "series": [{"year": year, "value": value} for year, value in figure.series],
        "url": i.get_absolute_url(),
    }


def score_out(score: DomainScore) -> dict:
    return {
        "domain": _term(score.domain), "score": score.score, "is_priority": score.is_priority, "is_demo": score.is_demo,
        "indicators": [figure.indicator.code for figure in score.figures],
    }


def method_sentence(territory: Territory, chosen: bool) -> str:
    level = comparison_level(territory)
    plural = LEVEL_PLURAL[level].lower() if level != Level.EPCI else "EPCI"
    suggested = (
        f"Les {PEER_COUNT} {plural} les plus proches par la population et la densité (en logarithme) et le niveau "
        "de vie médian, chacun centré-réduit sur le niveau (distance euclidienne), dans la même zone "
        "(métropole ou outre-mer)."
    )
    if chosen:
        return (
            "Groupe choisi par l'utilisateur·rice ; la distance dit combien chacun ressemble au territoire selon "
            "la méthode des suggestions : " + suggested[0].lower() + suggested[1:]
        )
    return suggested


def peer_distances(territory: Territory, peers: list[Territory]) -> dict[int, float]:
    import math

    level_space = space(comparison_level(territory))
    if level_space is None:
        return {}
    points = {c.territory_id: c for c in level_space.pool if c.territory_id == territory.pk or c.territory_id in {p.pk for p in peers}}
    mine = points.get(territory.pk) or own_point(territory, level_space)
    if mine is None:
        return {}
    return {p.pk: math.dist(points[p.pk].point, mine.point) for p in peers if p.pk in points}


def peer_features(peers: list[Territory]) -> dict[int, dict[str, float]]:
    features: dict[int, dict[str, float]] = {}
    rows = (
        Value.objects.filter(territory__in=peers, indicator__code__in=FEATURES, value__isnull=False)
        .order_by("year").values_list("territory_id", "indicator__code", "value")
    )
    for territory_id, code, value in rows:  # the latest year wins
        features.setdefault(territory_id, {})[code] = value
    return features


# --- Catalogue -----------------------------------------------------------------------------


@router.get("/indicators", response=list[IndicatorOut], url_name="indicators", summary="Le catalogue des indicateurs")
def indicators(request):
    """Chaque indicateur : domaine, unité, sens, règle d'agrégation, source, millésime, années
    disponibles. Ceux marqués `is_demo` sont des données de démonstration."""
    years = indicator_years()
    return [indicator_out(i, years.get(i.pk, [])) for i in Indicator.objects.select_related("domain").order_by("position", "code")]


@router.get(
    "/indicators/{code}", response={200: IndicatorDetailOut, 404: ErrorOut}, url_name="indicator",
    summary="La méthodologie d'un indicateur",
)
def indicator(request, code: str):
    """Définition, formule, limites (secret statistique…), source et licence, numérateur et
    dénominateur d'un rapport, valeurs de la France métropolitaine et de la France entière."""
    item = get_object_or_404(Indicator.objects.select_related("domain", "numerator", "denominator"), code=code)
    national = NationalValue.objects.filter(indicator=item).order_by("scope", "year")
    return {
        **indicator_out(item, indicator_years().get(item.pk, [])),
        "definition": item.definition, "formula": item.formula, "limits": item.limits, "licence": item.licence,
        "source_url": item.source_url, "scale": item.scale,
        "numerator": {"code": item.numerator.code, "name": item.numerator.name} if item.numerator else None,
        "denominator": {"code": item.denominator.code, "name": item.denominator.name} if item.denominator else None,
        "national": [{"scope": n.scope, "year": n.year, "value": n.value, "coverage": n.coverage} for n in national],
    }


# --- A territory ---------------------------------------------------------------------------


@router.get(
    "/territories/{level}/{code}/indicators",
    response={200: TerritoryIndicatorsOut, 400: ErrorsOut, 404: ErrorOut},
    url_name="territory_indicators",
    summary="Les indicateurs d'un territoire : valeurs, indices, rangs, déciles, comparables, scores par domaine",
    openapi_extra={"parameters": [YEAR_PARAMETER]},
)
def territory_indicators(request, level: str = LEVEL_PARAM, code: str = CODE_PARAM):
    """Pour chaque indicateur, la dernière année connue (ou `year`) : valeur, part de la population
    couverte, France métropolitaine et indice (=100), valeur et indice du parent, rang et décile
    parmi les territoires du niveau, médiane et étendue des territoires comparables suggérés ;
    puis le score de chaque domaine et s'il est prioritaire."""
    error = _check_level(level)
    year, year_error = _year(request)
    if error or year_error:
        return error or year_error
    territory = get_portrait_territory(request.user, level, code)
    ensure_project_values(territory)
    parent = parent_of(territory)
    figures = territory_figures(territory, parent, year=year)
    peers = suggested_peers(territory)
    peer_values = peer_figures(peers, [(f.indicator.pk, f.year) for f in figures if not f.indicator.is_component])
    return {
        "territory": _ref(territory), "parent": _ref(parent), "year": year, "peers": [_ref(p) for p in peers],
        "indicators": [figure_out(f, parent, peer_values.get((f.indicator.pk, f.year))) for f in figures],
        "scores": [score_out(score) for score in domain_scores(figures)],
    }


@router.get(
    "/territories/{level}/{code}/peers",
    response={200: PeersOut, 400: ErrorsOut, 404: ErrorOut},
    url_name="territory_peers",
    summary="Les territoires comparables d'un territoire (suggérés, ou un groupe choisi)",
    openapi_extra={"parameters": [PAIRS_PARAMETER]},
)
def territory_peers(request, level: str = LEVEL_PARAM, code: str = CODE_PARAM):
    """Les territoires du même niveau qui lui ressemblent le plus, avec la méthode ; ou, avec
    `pairs`, le groupe choisi évalué : distance de chacun au territoire et, pour chaque
    indicateur de domaine, la médiane et l'étendue du groupe sous la règle de couverture."""
    error = _check_level(level)
    if error:
        return error
    territory = get_portrait_territory(request.user, level, code)
    chosen, pairs_error = _pairs(request, territory)
    if pairs_error:
        return pairs_error
    ensure_project_values(territory)
    peers = chosen or suggested_peers(territory)
    figures = [
        f for f in territory_figures(territory) if f.indicator.domain_id and not f.indicator.is_component
    ]
    stats = peer_figures(peers, [(f.indicator.pk, f.year) for f in figures])
    distances = peer_distances(territory, peers)
    features = peer_features(peers)
    rows = []
    for f in figures:
        p = stats.get((f.indicator.pk, f.year))
        rows.append({
            "code": f.indicator.code, "name": f.indicator.name, "unit": f.indicator.unit, "year": f.year, "value": f.value,
            "peer_median": p.median if p else None, "peer_low": p.low if p else None, "peer_high": p.high if p else None,
            "peer_with_data": p.with_data if p else 0, "peer_count": p.peers if p else 0,
            "shown": bool(p and p.shown), "is_demo": f.indicator.is_demo,
        })
    return {
        "territory": _ref(territory), "level": comparison_level(territory), "chosen": bool(chosen),
        "method": method_sentence(territory, bool(chosen)), "coverage_rule": PEER_COVERAGE_RULE,
        "peers": [
            {**_ref(p), **{name: features.get(p.pk, {}).get(name) for name in FEATURES}, "distance": distances.get(p.pk)}
            for p in peers
        ],
        "indicators": rows,
    }


@router.get(
    "/territories/{level}/{code}/portrait",
    response={200: PortraitOut, 400: ErrorsOut, 404: ErrorOut},
    url_name="territory_portrait",
    summary="Le portrait d'un territoire (le même que la page)",
    openapi_extra={"parameters": [PAIRS_PARAMETER]},
)
def territory_portrait(request, level: str = LEVEL_PARAM, code: str = CODE_PARAM):
    """Profil (indicateurs de profil, communes, organisations et partenariats de la plateforme),
    fragilités prioritaires, score de chaque domaine et, pour chaque indicateur de domaine,
    la ligne du tableau de la page (indices, rang, décile, comparables)."""
    error = _check_level(level)
    if error:
        return error
    territory = get_portrait_territory(request.user, level, code)
    chosen, pairs_error = _pairs(request, territory)
    if pairs_error:
        return pairs_error
    portrait = build_portrait(territory, chosen)
    return {
        "territory": _ref(territory), "parent": _ref(portrait.parent), "peers": [_ref(p) for p in portrait.peers],
        "peers_chosen": portrait.peers_chosen,
        "profile": {
            "communes": portrait.communes, "organisations": portrait.organisations, "partnerships": portrait.partnerships,
            "figures": [figure_out(f, portrait.parent, None) for f in portrait.profile],
        },
        "priorities": [score_out(score) for score in portrait.priorities],
        "scores": [score_out(score) for score in portrait.scores],
        "rows": [figure_out(row.figure, portrait.parent, row.peers) for row in portrait.rows],
        "has_demo": portrait.has_demo,
        "url": reverse("observatory:portrait", kwargs={"level": territory.level, "code": territory.code}),
        "pdf": reverse("observatory:portrait_pdf", kwargs={"level": territory.level, "code": territory.code}),
    }
