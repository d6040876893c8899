"""Pages of the case-study base: search with facets, and the fiche."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from practices import policy
from practices.models import CaseStudy
from practices.search import PracticeSearchForm, run_search
from practices.similar import similar_to

FILTER_NAMES = ("q", "domaine", "type", "categorie", "statut", "annee", "territoire", "tri")


def search_params(request) -> dict:
    """The query string as the whole state of the search (shareable URL)."""
    return {name: request.GET.getlist(name) for name in FILTER_NAMES if request.GET.getlist(name)}


@require_safe
def index(request):
    form = PracticeSearchForm(request.GET)
    form.user = request.user
    outcome = None
    params = search_params(request)
    if form.is_valid():
        outcome = run_search(form, params, request.user)
    context = {"form": form, "outcome": outcome, "params": params, "query": request.GET.get("q", "")}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        return render(request, "practices/_results.html", context)
    return render(request, "practices/index.html", context)


@require_safe
def detail(request, slug):
    case = CaseStudy.objects.select_related("territory", "contributor").filter(slug=slug).first()
    if case is None or not policy.can_view(request.user, case):
        raise Http404("Fiche introuvable")
    parents = case.territory.parents() if case.territory_id else []
    similar = similar_to(case, policy.searchable_case_studies(request.user))
    return render(request, "practices/detail.html", {"case": case, "parents": parents, "similar": similar})
