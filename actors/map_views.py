"""The map of the actors: the page (filters, map, the list of the same results, the code
to embed it), the list alone (what the page's script swaps in when the filters change)
and the embeddable version, which other sites may put in an <iframe>.

The query string is the whole state (shareable URLs). Everything works without
JavaScript: the form submits, the list is rendered here; the map is an enhancement."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from csp.decorators import csp_replace

from actors.map import LAYER_CODES, MapFilterForm, result_page, territory_bounds

EMBED_HEIGHT = 520


def _state(request, *, list_base: str) -> dict:
    data = request.GET.copy()
    if not data.getlist("afficher"):
        data.setlist("afficher", list(LAYER_CODES))  # nothing chosen: every layer (boxes shown ticked)
    form = MapFilterForm(data, user=request.user)
    filters = results = bounds = None
    if form.is_valid():
        filters = form.filters()
        results = result_page(filters, form.cleaned_data.get("page") or 1, request.user)
        bounds = territory_bounds(filters.territory)
    return {
        "form": form, "filters": filters, "results": results, "list_base": list_base,
        "query": filters.query_string() if filters else request.GET.urlencode(),
        "bounds": ",".join(f"{v:.5f}" for v in bounds) if bounds else "",
        "nav_current": "map",
    }


def embed_code(src: str) -> str:
    return (f'<iframe src="{escape(src)}" title="Carte des acteurs (Catalyseur)" width="100%" '
            f'height="{EMBED_HEIGHT}" loading="lazy"></iframe>')


@require_safe
def index(request):
    context = _state(request, list_base=reverse("map:index"))
    embed_base = request.build_absolute_uri(reverse("map:embed"))
    context["embed_base"] = embed_base
    context["embed_code"] = embed_code(embed_base + (f"?{context['query']}" if context["query"] else ""))
    return render(request, "actors/map.html", context)


@require_safe
def results(request):
    """The list alone: the page's script puts it in place when the filters change."""
    return render(request, "actors/map_results.html", _state(request, list_base=reverse("map:index")))


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request):
    """The map with minimal chrome, for an <iframe> on any site (hence no X-Frame-Options
    and a CSP that lets any page frame it)."""
    context = _state(request, list_base=reverse("map:embed"))
    context["embedded"] = True
    context["full_url"] = reverse("map:index") + (f"?{context['query']}" if context["query"] else "")
    return render(request, "actors/map_embed.html", context)
