"""Searching the fiches: the one definition of the filters, used by the page, the htmx
fragment and the API alike.

Facets follow datasette's protocol: each value comes with its label, count, ``selected``
flag and a ready ``toggle_url`` (the query string with that value switched). Several
values of one facet combine with OR; facets combine with AND; a facet's counts are
computed with every other filter applied (so the alternatives stay visible). Counts and
date-ordered pages come from the in-memory facet snapshot (``practices.facet_index``);
exports and pages by relevance use the same filters as SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.db.models import F, Q

from practices import facet_index, policy
from practices.indexing import INDEX
from practices.models import CarrierStatus, CaseStudy, Category
from practices.richtext import plain
from search.text import highlight, query_terms
from taxonomy.models import Domain, PartnershipType
from territories.models import CONTAINED_LEVELS, Level, Territory, at_or_inside
from territories.policy import visible_filter

PAGE_SIZE = 20
FIRST_YEAR = 1800
MAX_PAGE = 500


class YearsField(forms.Field):
    """The years ticked in the facet: any year a fiche may have (the importer's range)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        years = []
        for raw in values:
            try:
                year = int(raw)
            except (TypeError, ValueError):
                raise forms.ValidationError(f"Année invalide : « {raw} ».") from None
            if not FIRST_YEAR <= year <= timezone.now().year + 1:
                raise forms.ValidationError(f"Année hors limites : « {raw} ».")
            years.append(year)
        return years


class PracticeSearchForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    domaine = forms.MultipleChoiceField(label="Domaine", required=False, choices=())
    type = forms.MultipleChoiceField(label="Type de partenariat", required=False, choices=())
    categorie = forms.MultipleChoiceField(label="Catégorie", required=False, choices=Category.choices)
    statut = forms.MultipleChoiceField(label="Statut du porteur", required=False, choices=CarrierStatus.choices)
    annee = YearsField(label="Année", required=False)
    territoire = forms.RegexField(label="Territoire", required=False, regex=r"^(region|departement|epci|commune|project)/[0-9A-Za-z-]{1,80}$",
                                  error_messages={"invalid": "Territoire attendu sous la forme niveau/code, par exemple region/11."})
    tri = forms.ChoiceField(label="Trier par", required=False, choices=[("pertinence", "pertinence"), ("date", "date")])
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domaine"].choices = list(Domain.objects.values_list("code", "label"))
        self.fields["type"].choices = list(PartnershipType.objects.values_list("code", "label"))

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


def _filtered_queryset(data: dict, user, terms: list[str]):
    """The fiches the search selects, as one SQL query (for exports and ranked pages)."""
    qs = base_queryset(user)
    if terms:
        qs = qs.filter(pk__in=INDEX.matching(terms))
    for condition in _filters(data).values():
        if condition is not None:
            # Through a subquery, so a many-to-many filter never duplicates rows.
            qs = qs.filter(pk__in=CaseStudy.objects.filter(condition).values("pk"))
    return qs


def result_queryset(form: PracticeSearchForm, user=None):
    """Every fiche the search selects (for exports), newest first."""
    data = form.cleaned_data
    qs = _filtered_queryset(data, user, INDEX.terms(data.get("q") or ""))
    return qs.order_by(F("published_at").desc(nulls_last=True), "-pk")


def _selections(snapshot: facet_index.Snapshot, data: dict) -> dict[str, int]:
    """The presence map of each facet that filters the search."""
    selections = {name: snapshot.of_values(name, data[name])
                  for name in ("domaine", "type", "categorie", "statut", "annee") if data.get(name)}
    if data.get("territoire"):
        selections["territoire"] = snapshot.inside(data["territoire"])
    return selections


def _narrowed(found: int, selections: dict[str, int], *, without: str | None = None) -> int:
    for name, selection in selections.items():
        if name != without:
            found &= selection
    return found


def run_search(form: PracticeSearchForm, params: dict, user=None) -> SearchOutcome:
    """Count, page and facets of a search. The matches of the words come from the
    full-text index; counts, facets and date-ordered pages from the facet snapshot; a
    page by relevance from the index again, within the filters."""
    data = form.cleaned_data
    terms = INDEX.terms(data.get("q") or "")
    sort = "pertinence" if terms and data.get("tri") != "date" else "date"
    snapshot = facet_index.current()
    matched = snapshot.matches(terms) if terms else snapshot.everything
    selections = _selections(snapshot, data)
    found = _narrowed(matched, selections)
    count = found.bit_count()

    pages = max(1, -(-count // PAGE_SIZE))
    page = min(data.get("page") or 1, pages)
    offset = (page - 1) * PAGE_SIZE
    if sort == "pertinence":
        hits = _ranked_page(terms, snapshot, matched, found, offset)
    else:
        numbers = facet_index.positions_in(found, snapshot.size, skip=offset, limit=PAGE_SIZE)
        hits = [(snapshot.pks[n], None) for n in numbers]
    # By primary key alone (with the status in the query, SQLite would walk the status index).
    by_id = CaseStudy.objects.select_related("territory").in_bulk([pk for pk, _score in hits])
    by_id = {pk: case for pk, case in by_id.items() if policy.is_searchable(case)}
    shown_terms = query_terms(data.get("q") or "")  # our stems, whatever the backend
    results = [Result(by_id[pk], score, _snippet(by_id[pk], shown_terms)) for pk, score in hits if pk in by_id]
    labels = {name: dict(form.fields[name].choices) for name in ("domaine", "type")}
    facets = _facets(snapshot, matched, selections, data, params, labels)
    outcome = SearchOutcome(count, results, facets, page, pages, terms, sort)
    if page > 1:
        outcome.prev_url = _url({**params, "page": [str(page - 1)]})
    if page < pages:
        outcome.next_url = _url({**params, "page": [str(page + 1)]})
    outcome.sort_urls = {name: _url({**params, "tri": [name]}) for name in ("pertinence", "date")}
    return outcome


def _ranked_page(terms, snapshot: facet_index.Snapshot, matched: int, found: int, offset: int) -> list[tuple[int, float]]:
    """One page of the fiches found, by relevance. The index ranks every match; the
    filters are applied to its best ones, asking for enough of them that the page is
    usually full at the first try (from the share of the matches the filters keep)."""
    found_count, matched_count = found.bit_count(), matched.bit_count()
    if not found_count:
        return []
    wanted = offset + PAGE_SIZE
    limit = wanted if found == matched else int(wanted * matched_count / found_count * 1.5) + PAGE_SIZE
    limit = max(limit, 5 * PAGE_SIZE)  # kept with the snapshot: the next pages come for free
    while True:
        ranking = snapshot.ranking(terms, limit)
        hits = snapshot.first_found(ranking, found, skip=offset, limit=PAGE_SIZE)
        if len(hits) == PAGE_SIZE or len(ranking) < limit:
            return hits
        limit *= 4


def _inside(territory: Territory) -> Q:
    """Fiches located in the territory or anywhere inside it."""
    return at_or_inside(territory)


def _snippet(case: CaseStudy, terms: list[str]) -> str:
    if terms:
        for text in (case.summary, case.resultats, case.objet, case.activites_partenariats, case.genese, case.objectif):
            excerpt = highlight(plain(text), terms)
            if "<mark>" in excerpt:
                return excerpt
    return highlight(case.summary, terms)


def _facets(snapshot: facet_index.Snapshot, matched: int, selections: dict, data: dict, params: dict,
            labels: dict[str, dict]) -> list[Facet]:
    """Each facet's counts with every other filter applied, so its alternatives stay visible."""
    facets = []

    def counted(name, label, names, order):
        rows = snapshot.count_by_value(name, _narrowed(matched, selections, without=name))
        selected = {str(v) for v in (data.get(name) or [])}
        facet = Facet(name, label)
        for value, n in sorted(rows, key=order):
            facet.values.append(FacetValue(value, names.get(value, value), n, value in selected, _toggle(params, name, value)))
        for key in selected - {v.value for v in facet.values}:
            facet.values.append(FacetValue(key, names.get(key, key), 0, True, _toggle(params, name, key)))
        facets.append(facet)

    def by_count_then(order: list[str]):
        rank = {code: i for i, code in enumerate(order)}
        return lambda row: (-row[1], rank.get(row[0], len(rank)), row[0])

    counted("domaine", "Domaine", labels["domaine"], by_count_then(snapshot.domain_order))
    counted("type", "Type de partenariat", labels["type"], by_count_then(snapshot.type_order))
    counted("categorie", "Catégorie d'expérimentation", dict(Category.choices), by_count_then(Category.values))
    counted("statut", "Statut du porteur", dict(CarrierStatus.choices), by_count_then(CarrierStatus.values))
    facets.append(_territory_facet(snapshot, _narrowed(matched, selections), data, params))
    counted("annee", "Année de lancement", {}, lambda row: -int(row[0]))
    return facets


def _territory_facet(snapshot: facet_index.Snapshot, found: int, data: dict, params: dict) -> Facet:
    """Régions at first; once a territory is chosen, the territories just below it."""
    chosen: Territory | None = data.get("territoire")
    facet = Facet("territoire", "Territoire")
    if chosen is None:
        counts = snapshot.count_within(Level.REGION, found)
    elif chosen.level == Level.REGION:
        counts = snapshot.count_within(Level.DEPARTEMENT, found)
    elif CONTAINED_LEVELS[Level(chosen.level)]:
        # Below a département, an EPCI or a project: the communes, where the fiches found are few.
        counts = snapshot.count_located_at(Level.COMMUNE, found)
    else:
        counts = {}
    territories = Territory.objects.in_bulk(list(counts))
    if chosen is not None:
        key = f"{chosen.level}/{chosen.code}"
        facet.values.append(FacetValue(key, chosen.name, found.bit_count(), True, _toggle(params, "territoire", key, single=True)))
    for pk, n in sorted(counts.items(), key=lambda item: (-item[1], territories[item[0]].name)):
        t = territories[pk]
        key = f"{t.level}/{t.code}"
        facet.values.append(FacetValue(key, t.name, n, False, _toggle(params, "territoire", key, single=True)))
    return facet
