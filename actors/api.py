"""JSON API of the actors: organisations (list, GeoJSON, whole record), catalysts and the
map's clusters and points. Filters are checked by the map's form (``actors.map``), so
the page and the API accept and refuse the same values."""

from __future__ import annotations

import json
from enum import Enum

from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from catalyseur.schemas import ErrorOut, ErrorsOut, Term, TerritoryRef
from actors import policy
from actors.indexing import INDEX
from actors.map import (
    API_NAMES, LAYER_CODES, MAX_PAGE, MAX_ZOOM, PAGE_SIZE, MapFilterForm, catalyst_sort_key, catalysts, map_features,
    organizations,
)
from actors.map_grid import BBox, BBoxError
from actors.models import Kind, Organization, Precision, Profile
from territories.models import LEVEL_RANK

router = Router(tags=["Acteurs"])

GEOJSON = "application/geo+json; charset=utf-8"
# What the schema says of a GeoJSON answer (RFC 7946 FeatureCollection; the properties vary).
GEOJSON_CONTENT = {"application/geo+json": {"schema": {
    "type": "object", "required": ["type", "features"],
    "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {
        "type": "object", "required": ["type", "properties", "geometry"],
        "properties": {"type": {"const": "Feature"}, "properties": {"type": "object"}, "geometry": {"anyOf": [
            {"type": "null"},
            {"type": "object", "required": ["type", "coordinates"], "properties": {
                "type": {"const": "Point"}, "coordinates": {"type": "array", "items": {"type": "number"},
                                                            "minItems": 2, "maxItems": 2}}},
        ]}}}}},
}}}
TERRITORY_HELP = "niveau/code : region/11, departement/94, epci/200054781, commune/94018 ou project/<code>"


class Format(str, Enum):
    JSON = "json"
    GEOJSON = "geojson"


class CommuneRef(Schema):
    code: str
    name: str


# --- Checking the filters ----------------------------------------------------------------


def _filters(request, values: dict):
    """The map form's filters, or the French error to answer (422, or 404 for a territory
    that does not exist)."""
    data = QueryDict(mutable=True)
    form_names = {api: page for page, api in API_NAMES.items()}
    for api_name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            if one not in (None, ""):
                data.appendlist(form_names[api_name], str(getattr(one, "value", one)))
    form = MapFilterForm(data, user=request.user, territory_by_name=False)
    if form.is_valid():
        return form.filters(), None
    if list(form.errors) == ["territoire"] and form.territory_is_unknown():
        return None, Status(404, {"detail": form.errors["territoire"][0]})
    errors = [{"field": API_NAMES.get(name, name), "message": " ".join(messages)} for name, messages in form.errors.items()]
    return None, Status(422, {"detail": "Paramètres invalides.", "errors": errors})


def _invalid(field: str, message: str) -> Status:
    return Status(422, {"detail": "Paramètres invalides.", "errors": [{"field": field, "message": message}]})


def _geojson(collection: dict) -> HttpResponse:
    return HttpResponse(json.dumps(collection, ensure_ascii=False), content_type=GEOJSON)


# --- Organisations ---------------------------------------------------------------------------


class OrganizationHit(Schema):
    id: str = Field(description="Identifiant stable (slug)")
    name: str
    kind: str
    kind_label: str
    size: str
    commune: CommuneRef | None
    latitude: float | None
    longitude: float | None
    location_precision: str = Field(description="« adresse » : à l'adresse ; « commune » : au centre de la commune")
    is_demo: bool
    url: str


class OrganizationPage(Schema):
    count: int
    page: int
    pages: int
    results: list[OrganizationHit]


class OrganizationParams(Schema):
    q: str = Field("", max_length=200, description="Mots du nom, de la description ou de l'adresse")
    kind: Kind | None = Field(None, description="Nature de l'organisation")
    territory: str = Field("", max_length=100, description=TERRITORY_HELP)
    domain: str = Field("", max_length=40, description="Code d'un domaine de fragilité")
    type: str = Field("", max_length=40, description="Code d'un type de partenariat : les organisations qui en ont un de ce type")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    format: Format = Field(Format.JSON, description=f"« geojson » : la même page en FeatureCollection ({PAGE_SIZE} entités au plus)")


def organization_hit(org: Organization) -> dict:
    return {
        "id": org.slug, "name": org.name, "kind": org.kind, "kind_label": org.get_kind_display(), "size": org.size,
        "commune": {"code": org.commune.code, "name": org.commune.name} if org.commune else None,
        "latitude": org.latitude, "longitude": org.longitude, "location_precision": org.location_precision,
        "is_demo": org.is_demo, "url": org.get_absolute_url(),
    }


def _feature(hit: dict) -> dict:
    properties = {k: v for k, v in hit.items() if k not in ("latitude", "longitude")}
    properties["location_precision_label"] = Precision(hit["location_precision"]).label if hit["location_precision"] else ""
    located = hit["latitude"] is not None
    return {"type": "Feature", "id": hit["id"], "properties": properties,
            "geometry": {"type": "Point", "coordinates": [hit["longitude"], hit["latitude"]]} if located else None}


@router.get(
    "/organizations", response={200: OrganizationPage, 404: ErrorOut, 422: ErrorsOut}, url_name="organizations",
    summary="Lister les organisations (filtres, pagination, GeoJSON)",
    openapi_extra={"responses": {200: {"content": GEOJSON_CONTENT}}},  # with format=geojson
)
def organization_list(request, params: Query[OrganizationParams]):
    """Par nom, {PAGE_SIZE} par page. Avec `format=geojson`, la même page en FeatureCollection
    (`application/geo+json`) ; une organisation sans localisation y a une géométrie nulle."""
    filters, error = _filters(request, {"kind": params.kind, "territory": params.territory, "domain": params.domain,
                                        "type": params.type})
    if error:
        return error
    terms = INDEX.terms(params.q) if params.q.strip() else []
    if params.q.strip() and not terms:
        return _invalid("q", "aucun mot à chercher (mots trop courants ou signes seuls)")
    qs = organizations(filters, terms=terms)
    count = qs.count()
    pages = max(1, -(-count // PAGE_SIZE))
    offset = (params.page - 1) * PAGE_SIZE
    rows = qs.select_related("commune").order_by("name", "pk")[offset:offset + PAGE_SIZE]
    hits = [organization_hit(org) for org in rows]
    if params.format == Format.GEOJSON:
        return _geojson({"type": "FeatureCollection", "features": [_feature(h) for h in hits],
                         "count": count, "page": params.page, "pages": pages})
    return {"count": count, "page": params.page, "pages": pages, "results": hits}


class Partner(Schema):
    id: str
    name: str


class PartnershipSummary(Schema):
    id: int
    title: str
    type: Term
    status: Term
    partners: list[Partner]
    url: str


class CatalystRef(Schema):
    id: str
    name: str
    url: str


class OrganizationOut(Schema):
    id: str
    name: str
    kind: Term
    size: Term | None
    siren: str
    siret: str
    rna: str
    address: str
    postal_code: str
    commune: CommuneRef | None
    departement: TerritoryRef | None
    region: TerritoryRef | None
    latitude: float | None
    longitude: float | None
    location_precision: str
    location_precision_label: str
    action_territories: list[TerritoryRef]
    domains: list[Term]
    domains_inferred: bool = Field(description="Domaines suggérés d'après le registre (objet, code d'activité), à vérifier")
    website: str
    description: str
    source: Term
    is_demo: bool
    partnerships: list[PartnershipSummary]
    catalysts: list[CatalystRef]
    url: str


def _territory(t) -> dict | None:
    return {"level": t.level, "code": t.code, "name": t.name} if t else None


@router.get("/organizations/{slug}", response={200: OrganizationOut, 404: ErrorOut}, url_name="organization",
            summary="Une organisation complète")
def organization_detail(request, slug: str):
    org = get_object_or_404(Organization.objects.select_related("commune", "departement", "region"), slug=slug)
    rows = org.partnership_rows.select_related("partnership__type").order_by("-partnership__start_date", "partnership_id")
    partnerships = [row.partnership for row in rows if policy.can_view_partnership(request.user, row.partnership)]
    partners: dict[int, list[dict]] = {}
    members = (Organization.objects.filter(partnership_rows__partnership__in=[p.pk for p in partnerships])
               .values_list("partnership_rows__partnership_id", "slug", "name").order_by("name"))
    for partnership_id, partner_slug, name in members:
        partners.setdefault(partnership_id, []).append({"id": partner_slug, "name": name})
    return {
        "id": org.slug, "name": org.name, "kind": {"code": org.kind, "label": org.get_kind_display()},
        "size": {"code": org.size, "label": org.get_size_display()} if org.size else None,
        **{name: getattr(org, name) for name in ("siren", "siret", "rna", "address", "postal_code", "latitude", "longitude",
                                                 "location_precision", "website", "description", "is_demo",
                                                 "domains_inferred")},
        "location_precision_label": org.get_location_precision_display() if org.location_precision else "",
        "commune": {"code": org.commune.code, "name": org.commune.name} if org.commune else None,
        "departement": _territory(org.departement), "region": _territory(org.region),
        "action_territories": [_territory(t) for t in sorted(org.action_territories.all(),
                                                             key=lambda t: (LEVEL_RANK[t.level], t.name))],
        "domains": list(org.domains.values("code", "label")),
        "source": {"code": org.source, "label": org.get_source_display()},
        "partnerships": [
            {"id": p.pk, "title": p.title, "type": {"code": p.type.code, "label": p.type.label},
             "status": {"code": p.status, "label": p.get_status_display()}, "partners": partners.get(p.pk, []),
             "url": p.get_absolute_url()}
            for p in partnerships
        ],
        "catalysts": [{"id": c.slug, "name": policy.catalyst_name(request.user, c), "url": c.get_absolute_url()}
                      for c in org.catalysts.select_related("structure").order_by("pk")],
        "url": org.get_absolute_url(),
    }


# --- Catalysts -------------------------------------------------------------------------------


class Contact(Schema):
    email: str
    phone: str


class MetierOut(Schema):
    code: str
    label: str
    activities: list[str]


class CatalystHit(Schema):
    id: str
    name: str = Field(description="Le nom d'une personne seulement si elle a accepté qu'il soit publié")
    is_person: bool
    profile: Term
    job_title: str | None
    structure: CatalystRef | None
    territory: TerritoryRef | None
    metiers: list[MetierOut]
    description: str | None
    contact: Contact | None = Field(description="Seulement avec l'accord de la personne")
    is_demo: bool
    url: str


class CatalystPage(Schema):
    count: int
    page: int
    pages: int
    results: list[CatalystHit]


class CatalystParams(Schema):
    metier: str = Field("", max_length=40, description="Code d'un métier de catalyseur")
    territory: str = Field("", max_length=100, description=TERRITORY_HELP)
    kind: Profile | None = Field(None, description="Profil du catalyseur")
    page: int = Field(1, ge=1, le=MAX_PAGE)


def catalyst_hit(user, c) -> dict:
    personal = policy.can_view_catalyst_contact(user, c)
    structure = c.structure
    return {
        "id": c.slug, "name": policy.catalyst_name(user, c), "is_person": c.is_person,
        "profile": {"code": c.profile, "label": c.get_profile_display()},
        "job_title": c.job_title if personal else None,
        "structure": {"id": structure.slug, "name": structure.name, "url": structure.get_absolute_url()} if structure else None,
        "territory": _territory(c.territory),
        "metiers": [{"code": row.metier.code, "label": row.metier.label, "activities": row.activity_labels()}
                    for row in c.metier_rows.all()],
        "description": c.description if personal else None,
        "contact": {"email": c.email, "phone": c.phone} if personal else None,
        "is_demo": c.is_demo, "url": c.get_absolute_url(),
    }


@router.get("/catalysts", response={200: CatalystPage, 404: ErrorOut, 422: ErrorsOut}, url_name="catalysts",
            summary="Lister les catalyseurs territoriaux")
def catalyst_list(request, params: Query[CatalystParams]):
    """Le nom, la présentation, la fonction et les coordonnées d'une personne n'apparaissent
    qu'avec son accord ; sinon, un nom public anonyme (profil et structure)."""
    filters, error = _filters(request, {"metier": params.metier, "territory": params.territory, "kind": params.kind})
    if error:
        return error
    qs = catalysts(filters)
    count = qs.count()
    pages = max(1, -(-count // PAGE_SIZE))
    offset = (params.page - 1) * PAGE_SIZE
    rows = (qs.select_related("structure", "territory").prefetch_related("metier_rows__metier")
            .annotate(sort_key=catalyst_sort_key()).order_by("sort_key", "pk")[offset:offset + PAGE_SIZE])
    return {"count": count, "page": params.page, "pages": pages, "results": [catalyst_hit(request.user, c) for c in rows]}


# --- The map ---------------------------------------------------------------------------------


class MapParams(Schema):
    kind: Kind | None = Field(None, description="Nature : d'une organisation, profil d'un catalyseur, statut du porteur d'une pratique")
    metier: str = Field("", max_length=40, description="Code d'un métier de catalyseur")
    domain: str = Field("", max_length=40, description="Code d'un domaine de fragilité")
    type: str = Field("", max_length=40, description="Code d'un type de partenariat")
    territory: str = Field("", max_length=100, description=TERRITORY_HELP)
    layer: list[str] | None = Field(None, description=f"Couches à montrer (répétable), parmi {', '.join(LAYER_CODES)} ; toutes par défaut")
    bbox: str = Field("", max_length=200, description="Zone vue : ouest,sud,est,nord en degrés (WGS 84)")
    zoom: int = Field(6, ge=0, le=MAX_ZOOM, description="Niveau de zoom de la carte (taille des cellules de regroupement)")


@router.get(
    "/map", response={404: ErrorOut, 422: ErrorsOut}, url_name="map",
    summary="Carte des acteurs : regroupements et points (GeoJSON)",
    openapi_extra={"responses": {200: {"description": "OK", "content": GEOJSON_CONTENT}}},
)
def actors_map(request, params: Query[MapParams]):
    """Une FeatureCollection (`application/geo+json`). Un regroupement a `properties.cluster`,
    `count`, `counts` par couche et son emprise (`bbox`) ; un point a `layer`, `id`, `name`,
    `precision` (« adresse » ou « commune » : placé au centre de la commune), `is_demo` et `url`.
    Les points seuls viennent quand ils sont peu nombreux ou à fort zoom."""
    filters, error = _filters(request, {"kind": params.kind, "metier": params.metier, "domain": params.domain,
                                        "type": params.type, "territory": params.territory, "layer": params.layer or []})
    if error:
        return error
    try:
        bbox = BBox.parse(params.bbox) if params.bbox.strip() else None
    except BBoxError as problem:
        return _invalid("bbox", str(problem))
    return _geojson(map_features(filters, bbox=bbox, zoom=params.zoom, user=request.user))

