"""Choropleth maps: the territories of one level inside a parent (France, a région, a
département, an EPCI or a project territory) coloured by an indicator for one year.

What a map can show (``LEVELS_INSIDE``):

* France: its régions, its départements, or the communes of one département;
* a région: its départements, its EPCI, or the communes of one of its départements;
* a département: its EPCI or its communes;
* an EPCI: its communes; a project territory: its communes (one département at a time).

Contours are Etalab's 1000 m simplification of IGN's ADMIN EXPRESS COG 2022
(``observatory/data/contours-etalab-1000m-2022/``, with its README), used as they are.
Each file is parsed once per process and each geometry kept as JSON text, so an answer is
the geometries pasted beside a few properties. EPCI have no contour: they are points at the
mean of the centres of their communes (``Territory.latitude`` / ``longitude``).

Classes: five quantile classes (``quantile_breaks``) over the shown territories that have a
value; equal values never straddle two classes, so there can be fewer than five. A blank
(no value published, statistical secrecy) has no class: "non publié", drawn hatched, never
read as zero.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db.models import Avg, OuterRef, Subquery
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.formats import get_format

from observatory.cache import cached
from observatory.figures import all_indicators
from observatory.models import Indicator, Value
from territories.models import LEVEL_RANK, Level, Territory, TerritoryLink

CONTOURS_DIR = Path(settings.BASE_DIR) / "observatory" / "data" / "contours-etalab-1000m-2022"
CONTOURS_SOURCE = "Contours : IGN – ADMIN EXPRESS COG 2022, simplifiés à 1 000 m par Etalab (Licence Ouverte 2.0)"
CLASSES = 5
BLANK_LABEL = "non publié"
DEMO_LABEL = "données de démonstration"
FRANCE = None  # the parent of a map of France
FRANCE_LABEL = "France"
FRANCE_ZONES = ("metro", "drom")  # the COM have neither contours nor figures

LEVELS_INSIDE: dict[str | None, tuple[str, ...]] = {
    FRANCE: (Level.REGION, Level.DEPARTEMENT, Level.COMMUNE),
    Level.REGION: (Level.DEPARTEMENT, Level.EPCI, Level.COMMUNE),
    Level.DEPARTEMENT: (Level.EPCI, Level.COMMUNE),
    Level.EPCI: (Level.COMMUNE,),
    Level.PROJECT: (Level.COMMUNE,),
    Level.COMMUNE: (),
}
LEVEL_LABELS = {
    Level.REGION: "Régions",
    Level.DEPARTEMENT: "Départements",
    Level.EPCI: "EPCI (au centre de leurs communes)",
    Level.COMMUNE: "Communes",
}
# Parents whose communes are shown one département at a time.
BY_DEPARTEMENT = (FRANCE, Level.REGION, Level.PROJECT)
# Preferred indicators when none is chosen: rates, not counts (a choropleth of counts
# mostly maps the size of the territories).
DEFAULT_INDICATORS = {
    Level.COMMUNE: ("taux_chomage_rp", "densite"),
    Level.EPCI: ("taux_pauvrete", "taux_chomage_rp", "densite"),
}
DEFAULT_INDICATORS_ABOVE = ("taux_pauvrete", "taux_chomage_rp", "densite")


# --- Contours --------------------------------------------------------------------------


def departement_of_commune(code: str) -> str:
    """The département of a commune's INSEE code: 3 characters overseas (97x), else 2 (2A, 2B…)."""
    return code[:3] if code.startswith("97") else code[:2]


def contour_file(level: str, code: str) -> str | None:
    if level == Level.REGION:
        return "regions-1000m.geojson"
    if level == Level.DEPARTEMENT:
        return "departements-1000m.geojson"
    if level == Level.COMMUNE:
        return f"communes/communes-1000m-{departement_of_commune(code)}.geojson"
    return None


@lru_cache(maxsize=None)
def contours(name: str) -> dict[str, str]:
    """code → geometry as compact JSON text, for one file (parsed once per process). The
    communes files also hold the 45 arrondissements of Paris, Lyon and Marseille (their
    ``commune`` property names their city): left out, the cities are drawn whole."""
    path = CONTOURS_DIR / name
    if not path.is_file():
        return {}  # a département without a file (the COM)
    with path.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    shapes = {}
    for feature in collection["features"]:
        properties = feature["properties"]
        if properties.get("commune") or not feature.get("geometry"):
            continue
        shapes[properties["code"]] = json.dumps(feature["geometry"], separators=(",", ":"))
    return shapes


def geometry_of(level: str, code: str) -> str | None:
    name = contour_file(level, code)
    return contours(name).get(code) if name else None


def epci_centres(ids: list[int]) -> dict[int, tuple[float, float]]:
    """EPCI id → (latitude, longitude): the plain mean of the centres of its current communes."""
    rows = (
        TerritoryLink.objects.filter(
            ancestor_id__in=ids, descendant_level=Level.COMMUNE,
            descendant__is_obsolete=False, descendant__latitude__isnull=False,
        )
        .values("ancestor_id")
        .annotate(latitude=Avg("descendant__latitude"), longitude=Avg("descendant__longitude"))
    )
    return {row["ancestor_id"]: (row["latitude"], row["longitude"]) for row in rows}


# --- Classes ----------------------------------------------------------------------------


def quantile_breaks(values: list[float], classes: int = CLASSES) -> list[float]:
    """The upper bound of each quantile class (the last one is the maximum), by linear
    interpolation between the sorted values. Equal bounds merge: with many ties or few
    values there are fewer classes, never a class that splits equal values."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return []
    bounds = []
    for k in range(1, classes + 1):
        position = k * (n - 1) / classes
        low = int(position)
        high = min(low + 1, n - 1)
        bounds.append(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
    bounds[-1] = ordered[-1]
    return sorted(set(bounds))


def class_of(value: float | None, breaks: list[float]) -> int | None:
    """1 for the lowest class; None for a blank."""
    if value is None or not breaks:
        return None
    return min(bisect_left(breaks, value), len(breaks) - 1) + 1


def number_formatter(decimals: int):
    """``observatory.templatetags.observatory.figure`` for many values: the separators of the
    active language read once (Django's number_format costs ~50 µs a value, 30 ms for the
    communes of the Nord)."""
    decimal_separator, thousand_separator = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")

    def formatted(value: float) -> str:
        text = f"{round(float(value), decimals):,.{decimals}f}"
        return text.replace(",", "\0").replace(".", decimal_separator).replace("\0", thousand_separator)

    return formatted


def palette_index(klass: int, count: int) -> int:
    """The colour (1 to 5, light to dark) of class ``klass`` among ``count`` classes:
    spread over the whole ramp when there are fewer than five."""
    if count <= 1:
        return 3
    return 1 + round((klass - 1) * (CLASSES - 1) / (count - 1))


# --- The request: parent, level, indicator, year -------------------------------------------


class MapError(Exception):
    """Parameters that name nothing mappable: every problem, by field."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(message for messages in errors.values() for message in messages))


def parent_key(parent: Territory | None) -> str | None:
    return None if parent is None else parent.level


def levels_inside(parent: Territory | None) -> tuple[str, ...]:
    return LEVELS_INSIDE.get(parent_key(parent), ())


def inside(rows, ancestor: Territory, level: str):
    """``rows`` inside ``ancestor``, through the link's (ancestor, descendant level) index:
    the same join as ``TerritoryQuerySet.inside`` but an index search, not a scan of every
    link of the ancestor (13 ms → 0.4 ms for the départements of a région)."""
    return rows.filter(ancestor_links__ancestor=ancestor, ancestor_links__descendant_level=level)


def departement_choices(parent: Territory | None) -> list[Territory]:
    """The départements a communes map of ``parent`` can show, most populous first."""
    key = parent_key(parent)
    if key not in BY_DEPARTEMENT:
        return []
    rows = Territory.objects.current().filter(level=Level.DEPARTEMENT)
    if parent is None:
        rows = rows.filter(zone__in=FRANCE_ZONES)
    elif parent.level == Level.REGION:
        rows = inside(rows, parent, Level.DEPARTEMENT)
    else:  # a project: the départements of its communes
        communes = inside(Territory.objects.all(), parent, Level.COMMUNE).values("id")
        rows = rows.filter(descendant_links__descendant__in=communes).distinct()
    return sorted(rows.only("id", "code", "name", "population"), key=lambda t: (-(t.population or 0), t.code))


def map_indicators() -> list[Indicator]:
    """The indicators a map can show (not the counts that only serve to compute a rate)."""
    return sorted((i for i in all_indicators().values() if not i.is_component), key=lambda i: i.position)


def years_at(indicator: Indicator, level: str) -> list[int]:
    """The years with at least one published value of ``indicator`` at ``level``."""
    @cached(f"map-years:{indicator.pk}:{level}")
    def compute():
        rows = Value.objects.filter(indicator=indicator, level=level, value__isnull=False).values_list("year", flat=True)
        return sorted(set(rows.distinct()))

    return compute()


def default_indicator(level: str) -> Indicator | None:
    by_code = {indicator.code: indicator for indicator in map_indicators()}
    for code in DEFAULT_INDICATORS.get(level, DEFAULT_INDICATORS_ABOVE):
        if code in by_code and years_at(by_code[code], level):
            return by_code[code]
    return next((indicator for indicator in by_code.values() if years_at(indicator, level)), None)


def level_words(level: str) -> str:
    return {Level.REGION: "régions", Level.DEPARTEMENT: "départements", Level.EPCI: "EPCI", Level.COMMUNE: "communes"}[level]


class MapForm(forms.Form):
    """The choices of a map, as the page's form and the data endpoint read them. Every
    message says what was wrong and what would do."""

    indicateur = forms.ChoiceField(label="Indicateur", required=False)
    niveau = forms.ChoiceField(label="Territoires à colorer", required=False)
    departement = forms.ChoiceField(label="Département (carte des communes)", required=False)
    # Not in the page's form (the years depend on the indicator): the latest year by default,
    # or the endpoint's ``annee``.
    annee = forms.IntegerField(label="Année", required=False)

    def __init__(self, data=None, *, parent: Territory | None, prefix_id: str = "carte"):
        super().__init__(data, auto_id=f"{prefix_id}-%s")
        self.parent = parent
        self.indicators = {indicator.code: indicator for indicator in map_indicators()}
        groups: dict[str, list[tuple[str, str]]] = {}
        for indicator in self.indicators.values():
            group = indicator.domain.label if indicator.domain_id else "Profil du territoire"
            groups.setdefault(group, []).append((indicator.code, indicator.short_name or indicator.name))
        self.fields["indicateur"].choices = list(groups.items())
        self.levels = levels_inside(parent)
        self.fields["niveau"].choices = [(level, LEVEL_LABELS[level]) for level in self.levels]
        self.departements = departement_choices(parent)
        if self.departements:
            self.fields["departement"].choices = [(d.code, f"{d.name} ({d.code})") for d in self.departements]
            self.fields["departement"].help_text = "Les communes se montrent un département à la fois."
        else:
            del self.fields["departement"]

    @property
    def chooses_departement(self) -> bool:
        return "departement" in self.fields

    # Messages written here rather than Django's generic "Sélectionnez un choix valide".
    def full_clean(self):
        self._errors = ErrorDict()
        self.cleaned_data = {}
        data = self.data
        errors: dict[str, list[str]] = {}
        where = self.parent.name if self.parent is not None else FRANCE_LABEL

        level = (data.get("niveau") or "").strip() or (self.levels[0] if self.levels else "")
        if not self.levels:
            errors["niveau"] = [f"{where} ne contient pas de territoires à cartographier."]
        elif level not in self.levels:
            allowed = ", ".join(level_words(item) for item in self.levels)
            errors["niveau"] = [f"Niveau « {level} » impossible ici : une carte de {where} montre ses {allowed}."]

        departement = None
        if self.chooses_departement and level == Level.COMMUNE and "niveau" not in errors:
            code = (data.get("departement") or "").strip()
            by_code = {d.code: d for d in self.departements}
            if not code:
                departement = self.departements[0]
            elif code in by_code:
                departement = by_code[code]
            else:
                errors["departement"] = [
                    f"Le département « {code} » n'est pas dans {where} : choisissez parmi "
                    + ", ".join(sorted(by_code)) + "."
                ]

        indicator = None
        code = (data.get("indicateur") or "").strip()
        if not self.indicators:
            errors["indicateur"] = ["Aucun indicateur n'est chargé (manage.py load_observatory)."]
        elif code:
            indicator = self.indicators.get(code)
            if indicator is None:
                errors["indicateur"] = [f"Indicateur inconnu : « {code} ». La liste est sur la page Méthodologie des indicateurs."]
        elif "niveau" not in errors:
            indicator = default_indicator(level)
            if indicator is None:
                errors["indicateur"] = [f"Aucun indicateur n'a de valeur pour les {level_words(level)}."]

        year = None
        if indicator is not None and "niveau" not in errors:
            years = years_at(indicator, level)
            raw = (data.get("annee") or "").strip()
            name = indicator.short_name or indicator.name
            if not years:
                finest = indicator.get_base_level_display().lower()
                reason = (f" : il est publié au niveau {finest} et au-dessus"
                          if LEVEL_RANK[level] > LEVEL_RANK[indicator.base_level] else "")
                errors["indicateur"] = [f"« {name} » n'a pas de valeur pour les {level_words(level)}{reason}. "
                                        "Choisissez un autre indicateur ou un autre niveau."]
            elif not raw:
                year = years[-1]
            elif not raw.isdigit() or int(raw) not in years:
                errors["annee"] = [f"Pas de valeur de « {name} » pour l'année « {raw} » : années disponibles "
                                   + ", ".join(map(str, years)) + "."]
            else:
                year = int(raw)

        for name, messages in errors.items():
            self._errors[name] = self.error_class(messages)
        if not errors:
            self.cleaned_data = {"niveau": level, "indicateur": indicator, "departement": departement, "annee": year}
        # What the form shows: the choices made, defaults included, even when another is wrong.
        self.data = {
            "niveau": level, "indicateur": indicator.code if indicator else code,
            "departement": departement.code if departement else (data.get("departement") or ""),
            "annee": data.get("annee") or "",
        }

    def request(self) -> "MapRequest":
        if self.errors:
            raise MapError({name: list(messages) for name, messages in self.errors.items()})
        data = self.cleaned_data
        return MapRequest(self.parent, data["niveau"], data["indicateur"], data["annee"], data["departement"])


@dataclass
class MapRequest:
    parent: Territory | None
    level: str
    indicator: Indicator
    year: int
    departement: Territory | None = None

    def query(self) -> str:
        """The data endpoint's query string for this map."""
        params = {}
        if self.parent is not None:
            params["territoire"] = f"{self.parent.level}/{self.parent.code}"
        params.update(niveau=self.level, indicateur=self.indicator.code, annee=self.year)
        if self.departement is not None:
            params["departement"] = self.departement.code
        return urlencode(params)


# --- The map ---------------------------------------------------------------------------


@dataclass
class MapClass:
    number: int
    low: float
    high: float
    count: int
    colour: int
    label: str


class Place(NamedTuple):
    """A shown territory: the few fields a map reads (no model instances, for speed)."""

    pk: int
    level: str
    code: str
    name: str
    zone: str


@dataclass
class MapItem:
    territory: Place
    url: str
    value: float | None
    coverage: float | None
    klass: int | None
    colour: int | None
    value_text: str
    class_label: str
    geometry: str | None  # JSON text

    @property
    def is_blank(self) -> bool:
        return self.value is None


@dataclass
class ChoroplethMap:
    request: MapRequest
    items: list[MapItem]
    classes: list[MapClass]
    breaks: list[float]
    blanks: int
    shape: str  # "polygon" or "point"
    without_shape: list[str] = field(default_factory=list)  # names of those not drawn

    @property
    def indicator(self) -> Indicator:
        return self.request.indicator

    @property
    def is_demo(self) -> bool:
        return self.request.indicator.is_demo

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def place(self) -> str:
        parent = self.request.parent
        if self.request.departement is not None:
            name = self.request.departement.name
            return name if parent is None else f"{name}, {parent.name}"
        return parent.name if parent is not None else FRANCE_LABEL

    @property
    def title(self) -> str:
        name = self.indicator.short_name or self.indicator.name
        unit = f" ({self.unit})" if self.unit else ""
        return f"{name}{unit} en {self.request.year} : {level_words(self.request.level)} — {self.place}"

    @property
    def source(self) -> str:
        indicator = self.indicator
        if indicator.is_demo:
            return f"Données de démonstration : valeurs générées, elles ne décrivent aucun territoire réel. {CONTOURS_SOURCE}."
        vintage = f" ({indicator.vintage})" if indicator.vintage else ""
        return f"Source : {indicator.source}{vintage}. {CONTOURS_SOURCE}."

    def properties(self, item: MapItem) -> dict:
        t = item.territory
        return {
            "code": t.code, "name": t.name, "level": t.level, "zone": t.zone,
            "value": item.value, "value_text": item.value_text, "coverage": item.coverage,
            "class": item.klass, "colour": item.colour, "class_label": item.class_label,
            "url": item.url,
        }

    def metadata(self) -> dict:
        indicator = self.indicator
        parent = self.request.parent
        return {
            "title": self.title,
            "indicator": {
                "code": indicator.code, "name": indicator.name, "short_name": indicator.short_name or indicator.name,
                "unit": indicator.unit, "decimals": indicator.decimals, "is_demo": indicator.is_demo,
                "url": indicator.get_absolute_url(),
            },
            "year": self.request.year,
            "level": self.request.level,
            "level_label": LEVEL_LABELS[self.request.level],
            "parent": ({"level": parent.level, "code": parent.code, "name": parent.name} if parent is not None
                       else {"level": "france", "code": "", "name": FRANCE_LABEL}),
            "departement": ({"code": self.request.departement.code, "name": self.request.departement.name}
                            if self.request.departement is not None else None),
            "shape": self.shape,
            "classes": [
                {"class": c.number, "low": c.low, "high": c.high, "count": c.count, "colour": c.colour, "label": c.label}
                for c in self.classes
            ],
            "breaks": self.breaks,
            "blank": {"count": self.blanks, "label": BLANK_LABEL},
            "count": len(self.items),
            "without_shape": self.without_shape,
            "is_demo": self.is_demo,
            "demo_label": DEMO_LABEL if self.is_demo else "",
            "source": self.source,
        }

    def geojson(self) -> str:
        """The FeatureCollection, written by hand around the geometries' JSON text."""
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        parts = []
        for item in self.items:
            parts.append('{"type":"Feature","id":' + dumps(item.territory.code) + ',"geometry":' + (item.geometry or "null")
                         + ',"properties":' + dumps(self.properties(item)) + "}")
        head = dumps({"type": "FeatureCollection", **self.metadata()})
        return head[:-1] + ',"features":[' + ",".join(parts) + "]}"


def shown_territories(request: MapRequest) -> list[tuple[Place, float | None, float | None]]:
    """The territories of the map, by name, each with its value and coverage: one query
    (a correlated look-up on the value's unique index, faster than a long ``IN`` list)."""
    rows = Territory.objects.current().filter(level=request.level)
    if request.departement is not None:
        rows = inside(rows, request.departement, request.level)
        if request.parent is not None and request.parent.level == Level.PROJECT:
            rows = rows.filter(id__in=inside(Territory.objects.all(), request.parent, request.level).values("id"))
    elif request.parent is None:
        rows = rows.filter(zone__in=FRANCE_ZONES)
    else:
        rows = inside(rows, request.parent, request.level)
    values = Value.objects.filter(territory=OuterRef("pk"), indicator=request.indicator, year=request.year)
    rows = rows.annotate(
        map_value=Subquery(values.values("value")[:1]), map_coverage=Subquery(values.values("coverage")[:1])
    ).order_by("search_name", "code")
    return [
        (Place(pk, level, code, name, zone), value, coverage)
        for pk, level, code, name, zone, value, coverage in rows.values_list(
            "id", "level", "code", "name", "zone", "map_value", "map_coverage"
        )
    ]


def build_map(request: MapRequest) -> ChoroplethMap:
    rows = shown_territories(request)
    known = [value for _, value, _ in rows if value is not None]
    breaks = quantile_breaks(known)
    formatted = number_formatter(request.indicator.decimals)
    counts = [0] * len(breaks)
    for value in known:
        counts[class_of(value, breaks) - 1] += 1
    classes = []
    for number, high in enumerate(breaks, start=1):
        low = min(known) if number == 1 else breaks[number - 2]
        low_text, high_text = formatted(low), formatted(high)
        if low_text == high_text:
            words = high_text
        else:
            words = f"de {low_text} à {high_text}" if number == 1 else f"plus de {low_text} à {high_text}"
        classes.append(MapClass(number, low, high, counts[number - 1], palette_index(number, len(breaks)), words))

    # One reverse() for all: "/territoires/<level>/<code>/portrait/" with the code pasted in.
    url_pattern = reverse("observatory:portrait", kwargs={"level": request.level, "code": "__code__"})
    shape = "point" if request.level == Level.EPCI else "polygon"
    centres = epci_centres([territory.pk for territory, _, _ in rows]) if shape == "point" else {}
    items, without_shape = [], []
    for territory, value, coverage in rows:
        klass = class_of(value, breaks)
        if shape == "point":
            centre = centres.get(territory.pk)
            geometry = (f'{{"type":"Point","coordinates":[{round(centre[1], 5)},{round(centre[0], 5)}]}}'
                        if centre else None)
        else:
            geometry = geometry_of(territory.level, territory.code)
        if geometry is None:
            without_shape.append(territory.name)
        items.append(MapItem(
            territory=territory, url=url_pattern.replace("__code__", territory.code), value=value, coverage=coverage, klass=klass,
            colour=classes[klass - 1].colour if klass else None,
            value_text=BLANK_LABEL if value is None else formatted(value),
            class_label=f"classe {klass} sur {len(classes)} ({classes[klass - 1].label})" if klass else BLANK_LABEL,
            geometry=geometry,
        ))
    blanks = sum(1 for item in items if item.value is None)
    return ChoroplethMap(request, items, classes, breaks, blanks, shape, without_shape)


@dataclass
class Choropleth:
    """What the page's "Carte" section shows: the form, and the map or what was wrong."""

    form: MapForm
    map: ChoroplethMap | None
    data_url: str
    kept: list[tuple[str, str]]  # the page's own parameters the form keeps (the portrait's peers)

    @property
    def territory_param(self) -> str:
        """The parent as the data endpoint's ``territoire`` (empty for France)."""
        parent = self.form.parent
        return "" if parent is None else f"{parent.level}/{parent.code}"


def choropleth_for(request, parent: Territory | None, keep: tuple[str, ...] = ()) -> Choropleth | None:
    """The "Carte" section of a page about ``parent`` (None: France), from the query string;
    None when nothing lies inside ``parent`` (a commune)."""
    if not levels_inside(parent):
        return None
    form = MapForm(request.GET, parent=parent)
    result = None
    data_url = ""
    if form.is_valid():
        wanted = form.request()
        result = build_map(wanted)
        data_url = reverse("observatory:map_data") + "?" + wanted.query()
    kept = [(name, value) for name in keep for value in request.GET.getlist(name)]
    return Choropleth(form=form, map=result, data_url=data_url, kept=kept)
