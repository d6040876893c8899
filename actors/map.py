"""The map of the actors: organisations, catalysts and published case studies that match
the filters, as clusters or as single points, and the list of the same results.

Three layers share the filters. Each filter applies to each layer by its closest
meaning: the *nature* is an organisation's kind, a catalyst's profile and a case study's
carrier status; the *métier* is a catalyst's, a case study's, and an organisation's
through the catalysts it hosts; *domain* and *partnership type* are an organisation's
and a case study's, and a catalyst's through its structure. A territory keeps what lies
inside it.

Where things are: an organisation at its address or its commune's centre
(``location_precision``); a catalyst at its structure's point, else at its commune;
a case study at its commune's centre (those located at a larger territory have no point).

Clustering is done by the database on a grid whose cells have the same size on screen
at every zoom (``actors.map_grid``): one ``GROUP BY`` per layer gives the count and the
mean position of each cell. Rows never come to Python one by one unless they are few
(single points). The région and département filters read the ``(region, kind)`` and
``(departement, kind)`` indexes; EPCI, commune and project territories the communes
they contain (``TerritoryLink``) through the commune index.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.db.models import Case, F, Max, Min, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse

from actors import policy
from actors.indexing import INDEX
from actors.map_grid import BBox, Cell, Grid, cached_cells, cells_of, covers, in_bbox, narrowed_to_communes
from actors.models import Catalyst, CatalystMetier, Kind, Organization, PartnershipMember, Precision, Profile
from actors.places import communes_inside, located_in, organizations_in
from practices.models import CarrierStatus, CaseStudy
from practices.policy import searchable_case_studies
from taxonomy.models import Domain, Metier, PartnershipType
from territories.models import Level, Territory, at_or_inside
from territories.policy import visible_filter
from territories.search import search_territories

ORGANIZATIONS, CATALYSTS, PRACTICES = "organisations", "catalyseurs", "pratiques"
LAYERS = [(ORGANIZATIONS, "Organisations"), (CATALYSTS, "Catalyseurs territoriaux"), (PRACTICES, "Pratiques innovantes")]
LAYER_CODES = tuple(code for code, _label in LAYERS)
LAYER_SINGULAR = {ORGANIZATIONS: "Organisation", CATALYSTS: "Catalyseur territorial", PRACTICES: "Pratique innovante"}

MAX_ZOOM = 19  # OpenStreetMap's tiles stop there
POINTS_ZOOM = 13  # from this zoom on, single points (if not more than MAX_POINTS)
FEW_POINTS = 300  # at any zoom, so few matches are shown one by one
MAX_POINTS = 2000  # never more single points in one answer
PAGE_SIZE = 20
MAX_PAGE = 500

# Page parameter → API parameter (the page speaks French, the API English).
API_NAMES = {"nature": "kind", "metier": "metier", "domaine": "domain", "type": "type", "territoire": "territory",
             "afficher": "layer", "page": "page"}


# --- Filters ---------------------------------------------------------------------------


class TerritoryFilterField(forms.CharField):
    """A territory as niveau/code (``region/11``, ``commune/94018``). With ``by_name``,
    also a name, an official code or a postal code, resolved to the best match of the
    territory search (for visitors without the autocomplete). Private project territories
    exist only for their owner (``user``)."""

    default_error_messages = {
        "format": "Indiquez le territoire sous la forme niveau/code, par exemple region/11 ou commune/94018.",
        "unknown": "Territoire « %(value)s » introuvable.",
        "too_long": "Territoire trop long : %(max)d caractères au plus.",
    }
    max_chars = 100

    def __init__(self, *, by_name: bool = False, **kwargs):
        self.by_name = by_name
        self.user = None
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": str(self.max_chars)}

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if len(text) > self.max_chars:
            raise forms.ValidationError(self.error_messages["too_long"], code="too_long", params={"max": self.max_chars})
        if "\x00" in text:  # PostgreSQL refuses a NUL in a query
            raise forms.ValidationError(self.error_messages["format"], code="format")
        level, slash, code = text.partition("/")
        if slash and level in Level.values and code:
            territory = Territory.objects.filter(visible_filter(self.user), level=level, code=code.strip()).first()
        elif self.by_name:
            found = search_territories(text, user=self.user, limit=1)
            territory = found[0] if found else None
        else:
            raise forms.ValidationError(self.error_messages["format"], code="format")
        if territory is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"value": text})
        return territory


class TermChoiceField(forms.ChoiceField):
    """One term of the shared taxonomy, by its code; cleaned to the term itself."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(required=False, **kwargs)

    def load_choices(self, empty_label: str):
        self.terms = {term.code: term for term in self.model.objects.all()}
        self.choices = [("", empty_label)] + [(code, term.label) for code, term in self.terms.items()]

    def clean(self, value):
        code = super().clean(value)
        return self.terms.get(code) if code else None


class MapFilterForm(forms.Form):
    """The one definition of the map's filters, for the page, its list, the embed and the API."""

    nature = forms.ChoiceField(label="Nature de l'acteur", required=False, choices=[("", "Toutes")] + Kind.choices,
                               error_messages={"invalid_choice": "Nature inconnue : « %(value)s »."})
    metier = TermChoiceField(Metier, label="Métier de catalyseur", error_messages={"invalid_choice": "Métier inconnu : « %(value)s »."})
    domaine = TermChoiceField(Domain, label="Domaine", error_messages={"invalid_choice": "Domaine inconnu : « %(value)s »."})
    type = TermChoiceField(PartnershipType, label="Type de partenariat", error_messages={"invalid_choice": "Type de partenariat inconnu : « %(value)s »."})
    territoire = TerritoryFilterField(
        label="Territoire", required=False, by_name=True,
        help_text="Commune, EPCI, département, région ou territoire de projet : nom, code ou niveau/code (ex. departement/94).",
        widget=forms.TextInput(attrs={"data-autocomplete": "fill", "autocomplete": "off", "spellcheck": "false"}),
    )
    afficher = forms.MultipleChoiceField(label="Afficher", required=False, choices=LAYERS, widget=forms.CheckboxSelectMultiple,
                                         help_text="Aucune case cochée : les trois.",
                                         error_messages={"invalid_choice": "Couche inconnue : « %(value)s »."})
    page = forms.IntegerField(label="Page", required=False, min_value=1, max_value=MAX_PAGE,
                              error_messages={"invalid": "Numéro de page attendu.",
                                              "min_value": "La première page est la page 1.",
                                              "max_value": f"Au plus {MAX_PAGE} pages : affinez les filtres."})

    def __init__(self, data=None, *, user=None, territory_by_name: bool = True, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["metier"].load_choices("Tous")
        self.fields["domaine"].load_choices("Tous")
        self.fields["type"].load_choices("Tous")
        self.fields["territoire"].user = user
        self.fields["territoire"].by_name = territory_by_name
        self.fields["territoire"].widget.attrs["data-api"] = reverse("api:search")

    def territory_is_unknown(self) -> bool:
        return self.has_error("territoire", code="unknown")

    def filters(self) -> MapFilters:
        data = self.cleaned_data
        return MapFilters(kind=data.get("nature") or "", metier=data.get("metier"), domain=data.get("domaine"),
                          partnership_type=data.get("type"), territory=data.get("territoire"),
                          layers=tuple(code for code in LAYER_CODES if code in (data.get("afficher") or LAYER_CODES)))


@dataclass(frozen=True)
class MapFilters:
    kind: str = ""
    metier: Metier | None = None
    domain: Domain | None = None
    partnership_type: PartnershipType | None = None
    territory: Territory | None = None
    layers: tuple[str, ...] = LAYER_CODES

    def query_pairs(self) -> list[tuple[str, str]]:
        """The filters as the page's query string (canonical: territory as niveau/code)."""
        pairs = [("nature", self.kind)] if self.kind else []
        pairs += [(name, term.code) for name, term in (("metier", self.metier), ("domaine", self.domain),
                                                       ("type", self.partnership_type)) if term is not None]
        if self.territory is not None:
            pairs.append(("territoire", territory_key(self.territory)))
        if set(self.layers) != set(LAYER_CODES):
            pairs += [("afficher", code) for code in self.layers]
        return pairs

    def query_string(self) -> str:
        return urlencode(self.query_pairs())


def territory_key(territory: Territory) -> str:
    return f"{territory.level}/{territory.code}"


# --- What each layer selects -------------------------------------------------------------


def _partners_of_type(partnership_type: PartnershipType):
    partnerships = policy.public_partnerships().filter(type=partnership_type).values("pk")
    return PartnershipMember.objects.filter(partnership__in=partnerships).values("organization_id")


def _with_domain(domain: Domain):
    return Organization.domains.through.objects.filter(domain=domain).values("organization_id")


def organizations(filters: MapFilters, *, terms: list[str] | None = None):
    qs = organizations_in(filters.territory) if filters.territory is not None else Organization.objects.all()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.domain is not None:
        qs = qs.filter(pk__in=_with_domain(filters.domain))
    if filters.partnership_type is not None:
        qs = qs.filter(pk__in=_partners_of_type(filters.partnership_type))
    if filters.metier is not None:
        hosts = Catalyst.objects.filter(pk__in=_catalysts_with_metier(filters.metier), structure__isnull=False)
        qs = qs.filter(pk__in=hosts.values("structure_id"))
    if terms:
        qs = qs.filter(pk__in=INDEX.matching(terms))
    return qs


def _catalysts_with_metier(metier: Metier):
    return CatalystMetier.objects.filter(metier=metier).values("catalyst_id")


def catalysts(filters: MapFilters):
    qs = Catalyst.objects.all()
    if filters.kind:
        qs = qs.filter(profile=filters.kind) if filters.kind in Profile.values else qs.none()
    if filters.metier is not None:
        qs = qs.filter(pk__in=_catalysts_with_metier(filters.metier))
    if filters.domain is not None:
        qs = qs.filter(structure_id__in=_with_domain(filters.domain))
    if filters.partnership_type is not None:
        qs = qs.filter(structure_id__in=_partners_of_type(filters.partnership_type))
    if filters.territory is not None:
        t = filters.territory
        # Read on the structure's row: there are few catalysts, and many organisations in a région.
        qs = qs.filter(at_or_inside(t) | located_in(t, "structure__"))
    return qs


def case_studies(filters: MapFilters, user=None):
    qs = searchable_case_studies(user)
    if filters.kind:
        qs = qs.filter(carrier_status=filters.kind) if filters.kind in CarrierStatus.values else qs.none()
    for relation, term in (("metiers", filters.metier), ("domains", filters.domain),
                           ("partnership_types", filters.partnership_type)):
        if term is not None:
            qs = qs.filter(pk__in=CaseStudy.objects.filter(**{relation: term}).values("pk"))
    if filters.territory is not None:
        qs = qs.filter(at_or_inside(filters.territory))
    return qs


def _placed(layer: str, qs):
    """The layer's rows with a point: ``map_lat``, ``map_lon`` and the ``map_commune`` it lies in."""
    if layer == ORGANIZATIONS:
        qs = qs.annotate(map_lat=F("latitude"), map_lon=F("longitude"), map_commune=F("commune_id"))
    elif layer == CATALYSTS:
        at_structure = Q(structure__latitude__isnull=False)
        qs = qs.annotate(
            map_lat=Coalesce("structure__latitude", "territory__latitude"),
            map_lon=Coalesce("structure__longitude", "territory__longitude"),
            map_commune=Case(When(at_structure, then=F("structure__commune_id")), default=F("territory_id")),
        )
    else:
        qs = qs.annotate(map_lat=F("territory__latitude"), map_lon=F("territory__longitude"), map_commune=F("territory_id"))
    return qs.filter(map_lat__isnull=False, map_lon__isnull=False)


def layer_querysets(filters: MapFilters, user=None) -> dict[str, object]:
    builders = {ORGANIZATIONS: lambda: organizations(filters), CATALYSTS: lambda: catalysts(filters),
                PRACTICES: lambda: case_studies(filters, user)}
    return {layer: builders[layer]() for layer in filters.layers}


# --- Features ---------------------------------------------------------------------------------


def url_maker(name: str):
    """``slug → URL`` for one route, reversed once: reversing costs tens of microseconds a
    call, too much for two thousand points."""
    marker = "slug-0"
    before, _, after = reverse(name, kwargs={"slug": marker}).rpartition(marker)
    return lambda slug: f"{before}{slug}{after}"


def _point(layer: str, key: str, name: str, lat: float, lon: float, properties: dict) -> dict:
    return {
        "type": "Feature",
        "id": f"{layer}:{key}",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {"layer": layer, "layer_label": LAYER_SINGULAR[layer], "name": name, **properties},
    }


def _precision(code: str) -> dict:
    return {"precision": code, "precision_label": Precision(code).label if code in Precision.values else ""}


KIND_LABELS = dict(Kind.choices)


def organization_points(qs) -> list[dict]:
    url = url_maker("actors:organization")
    rows = qs.values_list("slug", "name", "kind", "map_lat", "map_lon", "location_precision", "is_demo",
                          "commune__code", "commune__name")
    return [
        _point(ORGANIZATIONS, slug, name, lat, lon, {
            "id": slug, "kind": kind, "kind_label": KIND_LABELS.get(kind, kind), **_precision(precision),
            "commune": {"code": commune_code, "name": commune_name} if commune_code else None,
            "is_demo": is_demo, "url": url(slug),
        })
        for slug, name, kind, lat, lon, precision, is_demo, commune_code, commune_name in rows
    ]


def catalyst_points(qs, user) -> list[dict]:
    url = url_maker("actors:catalyst")
    features = []
    for c in qs.select_related("structure__commune", "territory"):
        at_structure = c.structure is not None and c.structure.latitude is not None
        commune = c.structure.commune if at_structure else c.territory
        features.append(_point(CATALYSTS, c.slug, policy.catalyst_name(user, c), c.map_lat, c.map_lon, {
            "id": c.slug, "kind": c.profile, "kind_label": c.get_profile_display(),
            **_precision(c.structure.location_precision if at_structure else Precision.COMMUNE),
            "commune": {"code": commune.code, "name": commune.name} if commune else None,
            "is_demo": c.is_demo, "url": url(c.slug),
        }))
    return features


CARRIER_LABELS = dict(CarrierStatus.choices)


def practice_points(qs) -> list[dict]:
    url = url_maker("practices:detail")
    rows = qs.values_list("slug", "title", "carrier_status", "map_lat", "map_lon", "is_demo", "territory__code", "territory__name")
    return [
        _point(PRACTICES, slug, title, lat, lon, {
            "id": slug, "kind": carrier, "kind_label": CARRIER_LABELS.get(carrier, ""), **_precision(Precision.COMMUNE),
            "commune": {"code": code, "name": name}, "is_demo": is_demo, "url": url(slug),
        })
        for slug, title, carrier, lat, lon, is_demo, code, name in rows
    ]


def _points(layer: str, qs, user) -> list[dict]:
    if layer == ORGANIZATIONS:
        return organization_points(qs)
    if layer == CATALYSTS:
        return catalyst_points(qs, user)
    return practice_points(qs)


def _cluster(cell: Cell, communes: dict[int, Territory]) -> dict:
    lat, lon = cell.lat_sum / cell.count, cell.lon_sum / cell.count
    r = cell.rectangle
    box = cell.extent or [r.west, r.south, r.east, r.north]
    commune = communes.get(next(iter(cell.communes))) if cell.communes and len(cell.communes) == 1 else None
    return {
        "type": "Feature",
        "bbox": [round(v, 6) for v in box],
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {
            "cluster": True, "count": cell.count, "counts": {layer: cell.counts.get(layer, 0) for layer in LAYER_CODES},
            # All in one commune: the list of that commune says what the cluster holds.
            "commune": {"code": commune.code, "name": commune.name, "territory": territory_key(commune)} if commune else None,
        },
    }


def map_features(filters: MapFilters, *, bbox: BBox | None = None, zoom: int = 5, user=None) -> dict:
    """A GeoJSON FeatureCollection: clusters (``properties.cluster``) and single points.

    Single points when the matches in view are few (``FEW_POINTS``), or from
    ``POINTS_ZOOM`` on when they are not too many (``MAX_POINTS``); otherwise one
    cluster per non-empty grid cell (its ``bbox``: the cell, or at high zoom the extent
    of its points), a cell holding one match being shown as that point."""
    grid = Grid.for_view(zoom, bbox)
    view = grid.snap(bbox) if bbox else None
    where = view
    if view is not None and filters.territory is not None and covers(view, territory_bounds(filters.territory)):
        where = None  # the whole territory is in view: comparing every row with the bbox would only cost time
    querysets = {layer: in_bbox(_placed(layer, qs), where) for layer, qs in layer_querysets(filters, user).items()}
    detailed = zoom >= POINTS_ZOOM
    wide = filters.territory is None
    if wide and where is not None and ORGANIZATIONS in querysets:
        narrowed = narrowed_to_communes(querysets[ORGANIZATIONS], where)
        if narrowed is not None:
            querysets[ORGANIZATIONS], wide = narrowed, False
    if wide:
        view_key = (where.west, where.south, where.east, where.north) if where else None
        cells = cached_cells((filters.query_string(), grid, view_key, detailed),
                             lambda: cells_of(querysets, grid, detailed=detailed))
    else:
        cells = cells_of(querysets, grid, detailed=detailed)
    total = sum(cell.count for cell in cells.values())
    points_mode = total <= FEW_POINTS or (zoom >= POINTS_ZOOM and total <= MAX_POINTS)
    features: list[dict] = []
    if points_mode:
        for layer, qs in querysets.items():
            features += _points(layer, qs.order_by("pk"), user)
    else:
        singles: dict[str, list[int]] = {}
        clustered = [cell for cell in cells.values() if cell.single is None]
        for cell in cells.values():
            if cell.single is not None:
                singles.setdefault(cell.single[0], []).append(cell.single[1])
        for layer, pks in singles.items():
            features += _points(layer, querysets[layer].filter(pk__in=pks).order_by("pk"), user)
        commune_ids = {next(iter(c.communes)) for c in clustered if c.communes and len(c.communes) == 1} - {None}
        communes = Territory.objects.in_bulk(list(commune_ids)) if commune_ids else {}
        features += [_cluster(cell, communes) for cell in sorted(clustered, key=lambda c: -c.count)]
    collection = {"type": "FeatureCollection", "features": features, "total": total,
                  "mode": "points" if points_mode else "clusters", "zoom": zoom}
    if view is not None:
        collection["bbox"] = [view.west, view.south, view.east, view.north]
    return collection


def territory_bounds(territory: Territory | None) -> list[float] | None:
    """[ouest, sud, est, nord] of the territory's communes (for the map's first view)."""
    if territory is None:
        return None
    if territory.level == Level.COMMUNE:
        if territory.latitude is None:
            return None
        return [territory.longitude, territory.latitude, territory.longitude, territory.latitude]
    extent = Territory.objects.filter(pk__in=communes_inside(territory), latitude__isnull=False).aggregate(
        west=Min("longitude"), south=Min("latitude"), east=Max("longitude"), north=Max("latitude"))
    if extent["west"] is None:
        return None
    return [extent["west"], extent["south"], extent["east"], extent["north"]]


# --- The list beside the map ------------------------------------------------------------------


@dataclass
class Item:
    layer: str
    key: str
    name: str
    url: str
    kind_label: str
    place: str  # commune or territory name
    precision: str  # Precision code, or "" without a point
    is_demo: bool

    @property
    def layer_label(self) -> str:
        return LAYER_SINGULAR[self.layer]

    @property
    def at_commune_centre(self) -> bool:
        return self.precision == Precision.COMMUNE


@dataclass
class ResultPage:
    count: int
    page: int
    pages: int
    items: list[Item]
    counts: dict[str, int]
    prev_query: str = ""  # query strings of the neighbouring pages
    next_query: str = ""


def catalyst_sort_key():
    """Never sort by a name that is not shown: anonymous catalysts sort under their public name."""
    return Case(When(Q(is_person=False) | Q(consent_public=True), then=F("name")), default=Value("Catalyseur·rice"))


def _sort_keys(layer: str, qs):
    if layer == ORGANIZATIONS:
        key = F("name")
    elif layer == CATALYSTS:
        key = catalyst_sort_key()
    else:
        key = F("title")
    return qs.order_by().annotate(sort_key=key, layer=Value(layer)).values_list("sort_key", "layer", "pk")


def result_page(filters: MapFilters, page: int = 1, user=None) -> ResultPage:
    """One page of everything the filters select, by name, whether it has a point or not."""
    querysets = layer_querysets(filters, user)
    counts = {layer: qs.count() for layer, qs in querysets.items()}
    count = sum(counts.values())
    pages = max(1, -(-count // PAGE_SIZE))
    page = max(1, min(page, pages, MAX_PAGE))
    offset = (page - 1) * PAGE_SIZE
    keyed = [_sort_keys(layer, qs) for layer, qs in querysets.items() if counts[layer]]
    rows = []
    if keyed:
        union = keyed[0].union(*keyed[1:], all=True) if len(keyed) > 1 else keyed[0]
        rows = list(union.order_by("sort_key", "layer", "pk")[offset:offset + PAGE_SIZE])
    by_layer: dict[str, list[int]] = {}
    for _key, layer, pk in rows:
        by_layer.setdefault(layer, []).append(pk)
    loaded = {
        ORGANIZATIONS: lambda pks: Organization.objects.select_related("commune").in_bulk(pks),
        CATALYSTS: lambda pks: Catalyst.objects.select_related("structure__commune", "territory").in_bulk(pks),
        PRACTICES: lambda pks: CaseStudy.objects.select_related("territory").in_bulk(pks),
    }
    objects = {layer: loaded[layer](pks) for layer, pks in by_layer.items()}
    items = [_item(layer, objects[layer][pk], user) for _key, layer, pk in rows]
    result = ResultPage(count=count, page=page, pages=pages, items=items, counts=counts)
    if page > 1:
        result.prev_query = urlencode(filters.query_pairs() + ([("page", str(page - 1))] if page > 2 else []))
    if page < min(pages, MAX_PAGE):
        result.next_query = urlencode(filters.query_pairs() + [("page", str(page + 1))])
    return result


def _item(layer: str, obj, user) -> Item:
    if layer == ORGANIZATIONS:
        return Item(layer, obj.slug, obj.name, obj.get_absolute_url(), obj.get_kind_display(),
                    obj.commune.name if obj.commune else "", obj.location_precision if obj.latitude is not None else "",
                    obj.is_demo)
    if layer == CATALYSTS:
        structure = obj.structure if obj.structure and obj.structure.latitude is not None else None
        if structure is not None:
            place, precision = (structure.commune.name if structure.commune else ""), structure.location_precision
        else:
            place = obj.territory.name if obj.territory else ""
            precision = Precision.COMMUNE if obj.territory and obj.territory.latitude is not None else ""
        return Item(layer, obj.slug, policy.catalyst_name(user, obj), obj.get_absolute_url(), obj.get_profile_display(),
                    place, precision, obj.is_demo)
    territory = obj.territory
    return Item(layer, obj.slug, obj.title, obj.get_absolute_url(), obj.get_carrier_status_display(),
                territory.name if territory else "", Precision.COMMUNE if territory and territory.latitude is not None else "",
                obj.is_demo)
