"""Pages of the case-study base: search with facets, and the fiche."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from catalyseur.concurrency import Conflict, EditConflict, differences, rebind
from practices import policy
from practices.exchange import FileRejected, csv_lines, export_rows, json_chunks, read_upload
from practices.forms import CaseStudyForm, ImportForm, ReviewForm
from practices.importer import ImportRejected, clean_rows, save_rows
from practices.models import CaseStudy, Status
from practices.search import PracticeSearchForm, result_queryset, run_search
from practices.similar import similar_to
from practices.workflow import review, save_contribution

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
    return render(request, "practices/detail.html", {
        "case": case, "parents": parents, "similar": similar,
        "can_edit": policy.can_edit(request.user, case), "can_review": policy.can_review(request.user),
    })


# --- Contribution and review ----------------------------------------------------------


def _editable(request, slug) -> CaseStudy:
    case = CaseStudy.objects.filter(slug=slug).first()
    if case is None or not policy.can_view(request.user, case) or not policy.can_edit(request.user, case):
        raise Http404("Fiche introuvable")
    return case


@login_required
@require_http_methods(["GET", "POST"])
def contribute(request, slug=None):
    """Write or edit a fiche: preview it, save it as a draft, or submit it for review."""
    case = _editable(request, slug) if slug else None
    if case is None and not policy.can_contribute(request.user):
        raise Http404
    form = CaseStudyForm(request.POST or None, instance=case)
    preview = None
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "preview")
        if action == "preview":
            preview = form.instance
            preview.preview_terms = {
                "domains": form.cleaned_data["domains"], "partnership_types": form.cleaned_data["partnership_types"],
                "metiers": form.cleaned_data["metiers"],
            }
        else:
            try:
                saved = save_contribution(form, request.user, submit=action == "submit")
            except EditConflict as conflict:
                return _conflict(request, form, conflict.current)
            if saved.status == Status.SUBMITTED:
                messages.success(request, "Merci ! Votre fiche est soumise à relecture : un·e éditeur·rice va la relire.")
            else:
                messages.success(request, "Fiche enregistrée.")
            return redirect("practices:mine" if saved.status != Status.PUBLISHED else saved.get_absolute_url())
    return render(request, "practices/contribute.html", {"form": form, "case": case, "preview": preview})


def _who(author, user) -> str:
    if author is None:
        return ""
    if author.pk == user.pk:
        return "vous-même, dans une autre fenêtre"
    return author.display_name or "une autre personne"  # never someone else's e-mail address


def _conflict(request, form, current: CaseStudy):
    """Someone saved the fiche since this form was loaded: show the form again with the
    person's text, what differs in the saved version and who saved it; nothing was written."""
    last = current.revisions.select_related("author").first()
    author = getattr(last, "author", None)
    conflict = Conflict(
        url=current.get_absolute_url() if policy.can_view(request.user, current) else "",
        differences=differences(form, current),
        saved_by=_who(author, request.user),
        saved_at=current.updated_at,
    )
    return render(request, "practices/contribute.html", {"form": rebind(form, current), "case": current,
                                                         "conflict": conflict}, status=409)


@login_required
@require_safe
def mine(request):
    cases = CaseStudy.objects.filter(contributor=request.user).prefetch_related("revisions").order_by("-updated_at")
    rows = [(case, case.revisions.all()[:1][0] if case.revisions.all() else None) for case in cases]
    return render(request, "practices/mine.html", {"rows": rows})


@login_required
@require_safe
def moderation(request):
    if not policy.can_review(request.user):
        raise Http404
    waiting = CaseStudy.objects.filter(status=Status.SUBMITTED).select_related("contributor").order_by("updated_at")
    return render(request, "practices/moderation.html", {"waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def review_case(request, slug):
    if not policy.can_review(request.user):
        raise Http404
    case = get_object_or_404(CaseStudy.objects.select_related("territory", "contributor"), slug=slug)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review(case, request.user, form.cleaned_data["decision"], form.cleaned_data["note"])
        except ValueError as error:
            messages.error(request, str(error))
            return redirect("practices:review", slug=case.slug)
        messages.success(request, f"« {case.title} » : {dict(ReviewForm.DECISIONS)[form.cleaned_data['decision']].lower()}, c'est fait.")
        return redirect("practices:moderation")
    return render(request, "practices/review.html", {"case": case, "form": form, "revisions": case.revisions.select_related("author")[:20]})


# --- Export and import ------------------------------------------------------------------


@require_safe
def export(request, fmt):
    """The published base, or the current search's result set, as CSV or JSON."""
    form = PracticeSearchForm(request.GET)
    form.user = request.user
    if not form.is_valid():
        return HttpResponseBadRequest("Filtres invalides : " + "; ".join(f"{k} : {' '.join(v)}" for k, v in form.errors.items()),
                                      content_type="text/plain; charset=utf-8")
    rows = export_rows(result_queryset(form, request.user))
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        meta = {"source": "Catalyseur, pratiques innovantes", "exported": stamp, "filters": search_params(request)}
        response = StreamingHttpResponse(json_chunks(rows, meta), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pratiques-{stamp}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request):
    if not policy.can_review(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows, label = read_upload(upload.name, upload.read())
            created, updated = save_rows(clean_rows(rows, label=label), status=form.cleaned_data["status"],
                                         author=request.user, note=f"Import de {upload.name}")
        except FileRejected as error:
            problems = [str(error)]
        except ImportRejected as error:
            problems = error.problems
        else:
            messages.success(request, f"Import réussi : {created} fiche(s) créée(s), {updated} mise(s) à jour.")
            return redirect("practices:index")
    return render(request, "practices/import.html", {"form": form, "problems": problems})
