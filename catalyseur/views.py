from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_safe

from territories.models import Level, Territory


@require_safe
def home(request):
    counts = dict(
        Territory.objects.current()
        .exclude(level=Level.PROJECT)
        .values_list("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    stats = [(counts.get(level, 0), label) for level, label in (
        (Level.REGION, "régions"), (Level.DEPARTEMENT, "départements"), (Level.EPCI, "EPCI"), (Level.COMMUNE, "communes"),
    )]
    return render(request, "home.html", {"stats": stats})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
