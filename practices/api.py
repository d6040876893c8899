"""JSON API of the case-study base: search with facets, and the whole fiche."""

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from catalyseur.schemas import ErrorOut, Term, TerritoryRef
from practices import policy
from practices.models import CaseStudy
from practices.search import PracticeSearchForm, run_search

router = Router(tags=["Pratiques innovantes"])

# API parameter → search form field (the form is the one definition of the filters).
PARAMS = {"q": "q", "domain": "domaine", "type": "type", "category": "categorie", "status": "statut",
          "year": "annee", "territory": "territoire", "sort": "tri", "page": "page"}


class PracticeHit(Schema):
    id: str
    title: str
    summary: str
    territory: TerritoryRef | None
    year: int | None
    score: float | None
    url: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class PracticeSearchOut(Schema):
    count: int
    page: int
    pages: int
    results: list[PracticeHit]
    facets: dict[str, list[FacetValueOut]]


class Figure(Schema):
    label: str = ""
    value: str = ""


class PracticeOut(Schema):
    id: str
    title: str
    summary: str
    objet: str
    territory: TerritoryRef | None
    places: list[str]
    carrier_status: str
    carrier: str
    genese: str
    objectif: str
    activites_partenariats: str
    resultats: str
    figures: list[Figure]
    prochaines_etapes: str
    year_started: int | None
    website: str
    organisations: list[str]
    domains: list[Term]
    partnership_types: list[Term]
    category: str
    metiers: list[Term]
    source: dict
    status: str
    url: str


def _territory(case):
    t = case.territory
    return {"level": t.level, "code": t.code, "name": t.name} if t else None


@router.get(
    "/practices", response={200: PracticeSearchOut, 422: dict}, url_name="practices",
    summary="Rechercher des pratiques innovantes (plein texte en français, facettes)",
    openapi_extra={"parameters": [
        {"in": "query", "name": api, "required": False, "schema": {"type": "string"},
         "description": f"filtre « {form} » (répétable pour les facettes)"} for api, form in PARAMS.items()
    ]},
)
def search(request):
    data = QueryDict(mutable=True)
    for api_name, form_name in PARAMS.items():
        for value in request.GET.getlist(api_name):
            data.appendlist(form_name, value)
    form = PracticeSearchForm(data)
    form.user = request.user
    if not form.is_valid():
        reverse_names = {v: k for k, v in PARAMS.items()}
        errors = [{"field": reverse_names.get(name, name), "message": " ".join(msgs)} for name, msgs in form.errors.items()]
        return Status(422, {"detail": "Paramètres invalides.", "errors": errors})
    params = {name: data.getlist(name) for name in data}
    outcome = run_search(form, params, request.user)
    return {
        "count": outcome.count, "page": outcome.page, "pages": outcome.pages,
        "results": [
            {"id": r.case.slug, "title": r.case.title, "summary": r.case.summary, "territory": _territory(r.case),
             "year": r.case.year_started, "score": r.score, "url": r.case.get_absolute_url()}
            for r in outcome.results
        ],
        "facets": {
            {v: k for k, v in PARAMS.items()}[f.name]: [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected} for v in f.values
            ]
            for f in outcome.facets
        },
    }


@router.get("/practices/{slug}", response={200: PracticeOut, 404: ErrorOut}, url_name="practice", summary="Une fiche complète")
def detail(request, slug: str):
    case = get_object_or_404(CaseStudy.objects.select_related("territory"), slug=slug)
    if not policy.can_view(request.user, case):
        raise Http404
    return {
        **{name: getattr(case, name) for name in (
            "title", "summary", "objet", "places", "carrier_status", "carrier", "genese", "objectif",
            "activites_partenariats", "resultats", "figures", "prochaines_etapes", "year_started", "website",
            "organisations", "category", "status")},
        "id": case.slug,
        "territory": _territory(case),
        "domains": list(case.domains.values("code", "label")),
        "partnership_types": list(case.partnership_types.values("code", "label")),
        "metiers": list(case.metiers.values("code", "label")),
        "source": {"document": case.source_document, "title": case.source_title, "documented_by": case.documented_by,
                   "year": case.documented_year, "where": case.source_where},
        "url": case.get_absolute_url(),
    }
