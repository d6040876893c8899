"""Pages of the territories: search, territory page, project territories."""

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe, require_http_methods, require_POST

from territories import policy
from territories.forms import ProjectForm, SearchForm
from territories.models import CONTAINED_LEVELS, LEVEL_PLURAL, Level, Territory, TerritoryLink
from territories.projects import save_project
from territories.search import search_territories


def children_counts(territory: Territory) -> dict[str, int]:
    """How many current territories of each lower level this one contains, largest level first."""
    levels = CONTAINED_LEVELS[Level(territory.level)]
    if not levels:
        return {}
    rows = (
        TerritoryLink.objects.filter(ancestor=territory, descendant_level__in=levels, descendant__is_obsolete=False)
        .values("descendant_level")
        .annotate(n=Count("pk"))
    )
    found = {row["descendant_level"]: row["n"] for row in rows}
    return {str(level): found.get(level, 0) for level in levels}


@require_safe
def index(request):
    form = SearchForm(request.GET or None)
    results = []
    if form.is_valid():
        results = search_territories(form.cleaned_data["q"], user=request.user, levels=form.cleaned_data["levels"], limit=50)
    my_projects = []
    if request.user.is_authenticated:
        my_projects = Territory.objects.filter(level=Level.PROJECT, owner=request.user).order_by("name")
    return render(
        request,
        "territories/index.html",
        {"form": form, "results": results, "searched": form.is_bound and form.is_valid(), "my_projects": my_projects},
    )


@require_safe
def detail(request, level, code):
    territory = policy.get_visible_territory(request.user, level, code)
    counts = children_counts(territory)
    shown_level = request.GET.get("niveau")
    if shown_level not in counts:
        shown_level = next((lvl for lvl, n in counts.items() if n), next(iter(counts), None))
    page = None
    if shown_level:
        children = (
            # The level is given on the link too, so the (ancestor, descendant_level) index drives the query.
            Territory.objects.filter(
                ancestor_links__ancestor=territory, ancestor_links__descendant_level=shown_level, is_obsolete=False
            )
            .order_by("search_name", "code")
            .only("level", "code", "name", "population")
        )
        paginator = Paginator(children, settings.TERRITORY_CHILDREN_PER_PAGE)
        paginator.count = counts[shown_level]  # already counted above: no second COUNT(*)
        page = paginator.get_page(request.GET.get("page"))
    tabs = [(lvl, LEVEL_PLURAL[Level(lvl)], n) for lvl, n in counts.items()]
    context = {
        "territory": territory,
        "parents": territory.parents(),
        "tabs": tabs,
        "shown_level": shown_level,
        "shown_label": LEVEL_PLURAL[Level(shown_level)] if shown_level else "",
        "page": page,
        "can_edit": policy.can_edit(request.user, territory),
        "containing_projects": Territory.objects.filter(
            pk__in=TerritoryLink.objects.filter(descendant=territory).values("ancestor_id"), level=Level.PROJECT
        ).filter(policy.visible_filter(request.user)).order_by("name")
        if territory.level == Level.COMMUNE
        else [],
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "children":
        return render(request, "territories/_children.html", context)
    return render(request, "territories/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    if not policy.can_create_project(request.user):
        raise Http404
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = save_project(owner=request.user, commune_ids=form.cleaned_data["commune_ids"], **form.project_fields())
        messages.success(request, f"Territoire de projet « {project.name} » créé : {intcomma(project.population)} habitants.")
        return redirect(project)
    return render(request, "territories/project_form.html", {"form": form, "project": None})


def _owned_project(request, code) -> Territory:
    project = policy.get_visible_territory(request.user, Level.PROJECT, code)
    if not policy.can_edit(request.user, project):
        raise Http404("Territoire introuvable")
    return project


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, code):
    project = _owned_project(request, code)
    if request.method == "POST":
        form = ProjectForm(request.POST)
        if form.is_valid():
            save_project(owner=project.owner, project=project, commune_ids=form.cleaned_data["commune_ids"], **form.project_fields())
            messages.success(request, "Territoire de projet enregistré.")
            return redirect(project)
    else:
        form = ProjectForm.for_project(project)
    return render(request, "territories/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_delete(request, code):
    project = _owned_project(request, code)
    with transaction.atomic():
        name = project.name
        project.delete()
    messages.success(request, f"Territoire de projet « {name} » supprimé.")
    return redirect("territories:index")
