"""The observatory's maps: the page of France's maps and the data endpoint every map reads
(the portrait's "Carte" section too). The page works without JavaScript: the form submits
and the data table shows name, value and class; observatory/static/observatory/choropleth.js
draws the map from the endpoint."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from observatory.maps import MapError, MapForm, build_map, choropleth_for
from observatory.policy import get_portrait_territory


def territory_param(request, value: str):
    """``territoire=<niveau>/<code>`` (absent, empty or ``france``: France). A territory the
    visitor may not see is a 404, as on its page."""
    value = (value or "").strip()
    if value in ("", "france"):
        return None
    level, slash, code = value.partition("/")
    if not slash or not level or not code:
        raise MapError({"territoire": [f"« {value} » : attendu niveau/code, par exemple region/75 ou departement/59."]})
    return get_portrait_territory(request.user, level, code)


def bad_request(error: MapError) -> JsonResponse:
    return JsonResponse(
        {"detail": f"Carte impossible : {error}",
         "errors": [{"field": name, "message": message} for name, messages in error.errors.items() for message in messages]},
        status=400, json_dumps_params={"ensure_ascii": False},
    )


@require_safe
def map_data(request):
    """GeoJSON of a map: ``territoire`` (parent, France by default), ``niveau``,
    ``indicateur``, ``annee`` (latest by default), ``departement`` (communes of France, of a
    région or of a project territory). Every feature carries its name, code, value (null when
    not published), quantile class and the URL of its portrait; the collection carries the
    classes, the number of blanks, the source and whether the figures are demo figures."""
    try:
        parent = territory_param(request, request.GET.get("territoire", ""))
        form = MapForm(request.GET, parent=parent)
        result = build_map(form.request())
    except MapError as error:
        return bad_request(error)
    except Http404:
        # Unknown, or a private project territory of someone else: the same answer.
        return JsonResponse({"detail": "Territoire introuvable."}, status=404, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(result.geojson(), content_type="application/geo+json; charset=utf-8")


@require_safe
def map_page(request):
    """France's maps: régions, départements, or the communes of one département."""
    choropleth = choropleth_for(request, None)
    return render(request, "observatory/map.html", {"choropleth": choropleth})
