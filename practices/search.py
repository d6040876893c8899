"""Searching the fiches: the one definition of the filters, used by the page, the htmx
fragment and the API alike.

Facets follow datasette's protocol: each value comes with its label, count, ``selected``
flag and a ready ``toggle_url`` (the query string with that value switched). Several
values of one facet combine with OR; facets combine with AND; a facet's counts are
computed with every other filter applied (so the alternatives stay visible).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, F, Q

from practices import policy
from practices.indexing import INDEX
from practices.models import CarrierStatus, CaseStudy, Category
from practices.richtext import plain
from search.text import highlight, query_terms
from taxonomy.models import Domain, PartnershipType
from territories.models import CONTAINED_LEVELS, Level, Territory
from territories.policy import visible_filter

PAGE_SIZE = 20
MAX_PAGE = 500


class PracticeSearchForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    domaine = forms.MultipleChoiceField(label="Domaine", required=False, choices=())
    type = forms.MultipleChoiceField(label="Type de partenariat", required=False, choices=())
    categorie = forms.MultipleChoiceField(label="Catégorie", required=False, choices=Category.choices)
    statut = forms.MultipleChoiceField(label="Statut du porteur", required=False, choices=CarrierStatus.choices)
    annee = forms.TypedMultipleChoiceField(label="Année", required=False, coerce=int, choices=())
    territoire = forms.RegexField(label="Territoire", required=False, regex=r"^(region|departement|epci|commune|project)/[0-9A-Za-z-]{1,80}$",
                                  error_messages={"invalid": "Territoire attendu sous la forme niveau/code, par exemple region/11."})
    tri = forms.ChoiceField(label="Trier par", required=False, choices=[("pertinence", "pertinence"), ("date", "date")])
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domaine"].choices = list(Domain.objects.values_list("code", "label"))
        self.fields["type"].choices = list(PartnershipType.objects.values_list("code", "label"))
        years = CaseStudy.objects.exclude(year_started=None).values_list("year_started", flat=True).distinct()
        self.fields["annee"].choices = [(y, y) for y in years]

    def clean_territoire(self):
        value = self.cleaned_data.get("territoire")
        if not value:
            return None
        level, code = value.split("/", 1)
        territory = Territory.objects.filter(level=level, code=code).filter(visible_filter(self.user)).first()
        if territory is None:
            raise forms.ValidationError(f"Territoire « {value} » introuvable.")
        return territory

    user = None


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)


@dataclass
class Result:
    case: CaseStudy
    score: float | None
    snippet: str


@dataclass
class SearchOutcome:
    count: int
    results: list[Result]
    facets: list[Facet]
    page: int
    pages: int
    terms: list[str]
    sort: str
    prev_url: str = ""
    next_url: str = ""
    sort_urls: dict = field(default_factory=dict)


def _url(params: dict) -> str:
    pairs = [(k, v) for k, values in params.items() for v in values if v not in ("", None)]
    return "?" + urlencode(pairs) if pairs else "?"


def _toggle(params: dict, name: str, value: str, single: bool = False) -> str:
    current = list(params.get(name, []))
    if value in current:
        current.remove(value)
    elif single:
        current = [value]
    else:
        current.append(value)
    new = {k: v for k, v in params.items() if k != "page"}
    new[name] = current
    return _url(new)


def base_queryset(user):
    return policy.searchable_case_studies(user)


def _filters(data: dict) -> dict:
    return {
        "domaine": Q(domains__code__in=data["domaine"]) if data.get("domaine") else None,
        "type": Q(partnership_types__code__in=data["type"]) if data.get("type") else None,
        "categorie": Q(category__in=data["categorie"]) if data.get("categorie") else None,
        "statut": Q(carrier_status__in=data["statut"]) if data.get("statut") else None,
        "annee": Q(year_started__in=data["annee"]) if data.get("annee") else None,
        "territoire": _inside(data["territoire"]) if data.get("territoire") else None,
    }


def _filtering(form: PracticeSearchForm, user):
    """The terms of the query, and a function giving the filtered fiches (optionally
    without one facet's own filter, for that facet's counts)."""
    data = form.cleaned_data
    terms = INDEX.terms(data.get("q") or "")
    filters = _filters(data)
    base = base_queryset(user)
    if terms:
        base = base.filter(pk__in=INDEX.matching(terms))

    def filtered(*, without: str | None = None):
        qs = base
        for name, condition in filters.items():
            if condition is not None and name != without:
                # Through a subquery, so a many-to-many filter never duplicates rows.
                qs = qs.filter(pk__in=CaseStudy.objects.filter(condition).values("pk"))
        return qs

    return terms, filtered


def result_queryset(form: PracticeSearchForm, user=None):
    """Every fiche the search selects (for exports), newest first."""
    _terms, filtered = _filtering(form, user)
    return filtered().order_by(F("published_at").desc(nulls_last=True), "-pk")


def run_search(form: PracticeSearchForm, params: dict, user=None) -> SearchOutcome:
    data = form.cleaned_data
    terms, filtered = _filtering(form, user)

    results_qs = filtered()
    count = results_qs.count()
    sort = data.get("tri") or ("pertinence" if terms else "date")
    if not terms:
        sort = "date"
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(data.get("page") or 1, pages)
    offset = (page - 1) * PAGE_SIZE
    if sort == "pertinence":
        hits = INDEX.ranked(terms, results_qs, limit=PAGE_SIZE, offset=offset)
        by_id = CaseStudy.objects.select_related("territory").in_bulk([h.id for h in hits])
        rows = [(by_id[h.id], h.score) for h in hits if h.id in by_id]
    else:
        page_qs = results_qs.select_related("territory").order_by(F("published_at").desc(nulls_last=True), "-pk")
        rows = [(case, None) for case in page_qs[offset : offset + PAGE_SIZE]]
    shown_terms = query_terms(data.get("q") or "")  # our stems, whatever the backend
    results = [Result(case, score, _snippet(case, shown_terms)) for case, score in rows]
    facets = _facets(filtered, data, params)
    outcome = SearchOutcome(count, results, facets, page, pages, terms, sort)
    if page > 1:
        outcome.prev_url = _url({**params, "page": [str(page - 1)]})
    if page < pages:
        outcome.next_url = _url({**params, "page": [str(page + 1)]})
    outcome.sort_urls = {name: _url({**params, "tri": [name]}) for name in ("pertinence", "date")}
    return outcome


def _inside(territory: Territory) -> Q:
    """Fiches located in the territory or anywhere inside it."""
    return Q(territory=territory) | Q(territory__in=Territory.objects.filter(ancestor_links__ancestor=territory).values("pk"))


def _snippet(case: CaseStudy, terms: list[str]) -> str:
    if terms:
        for text in (case.summary, case.resultats, case.objet, case.activites_partenariats, case.genese, case.objectif):
            excerpt = highlight(plain(text), terms)
            if "<mark>" in excerpt:
                return excerpt
    return highlight(case.summary, terms)


def _facets(filtered, data: dict, params: dict) -> list[Facet]:
    facets = []

    def counted(name, label, rows, labels, single=False):
        selected = {str(v) for v in (data.get(name) or [])}
        facet = Facet(name, label)
        for value, n in rows:
            key = str(value)
            facet.values.append(FacetValue(key, labels.get(value, key), n, key in selected, _toggle(params, name, key, single)))
        for key in selected - {v.value for v in facet.values}:
            facet.values.append(FacetValue(key, labels.get(key, key), 0, True, _toggle(params, name, key, single)))
        facets.append(facet)

    def m2m(name, label, relation, model):
        rows = (filtered(without=name).filter(**{f"{relation}__isnull": False}).values_list(f"{relation}__code")
                .annotate(n=Count("pk", distinct=True)).order_by("-n", f"{relation}__position"))
        counted(name, label, rows, dict(model.objects.values_list("code", "label")))

    def column(name, label, column_name, labels, order="-n"):
        present = Q(**{f"{column_name}__isnull": True}) if order == "-year_started" else Q(**{column_name: ""})
        rows = (filtered(without=name).exclude(present)
                .values_list(column_name).annotate(n=Count("pk")).order_by(order))
        counted(name, label, rows, labels)

    m2m("domaine", "Domaine", "domains", Domain)
    m2m("type", "Type de partenariat", "partnership_types", PartnershipType)
    column("categorie", "Catégorie d'expérimentation", "category", dict(Category.choices))
    column("statut", "Statut du porteur", "carrier_status", dict(CarrierStatus.choices))
    facets.append(_territory_facet(filtered, data, params))
    column("annee", "Année de lancement", "year_started", {}, order="-year_started")
    return facets


def _territory_facet(filtered, data: dict, params: dict) -> Facet:
    """Régions at first; once a territory is chosen, the territories just below it."""
    chosen: Territory | None = data.get("territoire")
    facet = Facet("territoire", "Territoire")
    if chosen is None:
        level = Level.REGION
    else:
        below = CONTAINED_LEVELS[Level(chosen.level)]
        level = Level.DEPARTEMENT if chosen.level == Level.REGION else (below[-1] if below else None)
    qs = filtered()
    counts: dict[int, int] = {}
    if level:
        via_ancestor = (qs.filter(territory__ancestor_links__ancestor__level=level)
                        .values_list("territory__ancestor_links__ancestor").annotate(n=Count("pk", distinct=True)))
        itself = qs.filter(territory__level=level).values_list("territory").annotate(n=Count("pk"))
        for territory_id, n in list(via_ancestor) + list(itself):
            counts[territory_id] = counts.get(territory_id, 0) + n
    territories = Territory.objects.in_bulk(list(counts))
    if chosen is not None:
        # Only the counted territories need checking, not every territory inside the chosen one.
        inside = set(Territory.objects.filter(pk__in=list(counts), ancestor_links__ancestor=chosen).values_list("pk", flat=True))
        counts = {pk: n for pk, n in counts.items() if pk in inside}
        key = f"{chosen.level}/{chosen.code}"
        facet.values.append(FacetValue(key, chosen.name, qs.count(), True, _toggle(params, "territoire", key, single=True)))
    for pk, n in sorted(counts.items(), key=lambda item: (-item[1], territories[item[0]].name)):
        t = territories[pk]
        key = f"{t.level}/{t.code}"
        facet.values.append(FacetValue(key, t.name, n, False, _toggle(params, "territoire", key, single=True)))
    return facet
