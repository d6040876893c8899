"""Pages of the actors: the directory of organisations and each one's page, claims,
partnerships (proposal, confirmation), catalysts and a person's own profile, and the
network of a territory. The map is in ``map_views``."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from actors import policy
from actors.forms import (
    CatalystForm, ClaimDecisionForm, ClaimForm, ConfirmForm, OrganizationForm, PartnershipForm, RegisterImportForm,
    find_organization,
)
from actors.importers.common import ImportRefused, import_register
from actors.importers.rna import RnaRegister
from actors.importers.sirene import SireneRegister
from actors.indexing import INDEX
from actors.models import Catalyst, Claim, ClaimStatus, Kind, Organization, Partnership, PartnershipMember
from actors.network import circle_layout, network_of
from actors.places import located_in
from actors.workflow import (
    catalyst_data, claim, confirm_partnership, decide_claim, delete_catalyst, propose_partnership, save_catalyst,
    save_organization,
)
from catalyseur.concurrency import Conflict, EditConflict, differences, rebind
from catalyseur.uploads import serve_image
from taxonomy.models import Domain, Metier, PartnershipType
from territories.models import at_or_inside
from territories.policy import get_visible_territory, visible_territories

PER_PAGE = 30


def _territory_param(request):
    value = request.GET.get("territoire", "").strip()
    if not value:
        return None, ""
    level, _, code = value.partition("/")
    territory = visible_territories(request.user).filter(level=level, code=code).first()
    if territory is None:
        return None, f"Territoire « {value} » introuvable."
    return territory, ""


@require_safe
def directory(request):
    """Every organisation, searchable by name and filtered by kind, domain and territory."""
    organizations = Organization.objects.select_related("commune")
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("nature", "")
    domain = request.GET.get("domaine", "")
    territory, problem = _territory_param(request)
    if q:
        terms = INDEX.terms(q)
        organizations = organizations.filter(pk__in=INDEX.matching(terms)) if terms else organizations.none()
    if kind in Kind.values:
        organizations = organizations.filter(kind=kind)
    if domain:
        organizations = organizations.filter(domains__code=domain)
    if territory is not None:
        organizations = organizations.filter(located_in(territory))
    page = Paginator(organizations.order_by("name", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "actors/directory.html", {
        "page": page, "q": q, "kind": kind, "domain": domain, "territory": territory, "problem": problem,
        "kinds": Kind.choices, "domains": Domain.objects.all(), "query_string": query.urlencode(),
        "territory_value": request.GET.get("territoire", ""), "can_decide_claims": policy.can_decide_claims(request.user),
    })


@require_safe
def organization(request, slug):
    org = get_object_or_404(Organization.objects.select_related("commune", "departement", "region"), slug=slug)
    memberships = PartnershipMember.objects.filter(organization=org).select_related("partnership__type")
    partnerships = [m.partnership for m in memberships if policy.can_view_partnership(request.user, m.partnership)]
    user = request.user
    return render(request, "actors/organization.html", {
        "org": org, "partnerships": partnerships,
        "catalysts": [c for c in org.catalysts.all()],
        "can_edit": policy.can_edit_organization(user, org), "can_claim": policy.can_claim(user, org),
        "claim_pending": user.is_authenticated and Claim.objects.filter(user=user, organization=org,
                                                                       status=ClaimStatus.PENDING).exists(),
        "can_propose": policy.can_propose_partnership(user),
        "claim_form": ClaimForm(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request, slug=None):
    org = get_object_or_404(Organization, slug=slug) if slug else None
    if org is not None and not policy.can_edit_organization(request.user, org):
        raise Http404("Organisation introuvable")
    if org is None and not policy.can_create_organization(request.user):
        raise Http404
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_organization(form, request.user, creating=org is None)
        except EditConflict as conflict:
            current = conflict.current
            context = {"form": rebind(form, current), "org": current, "conflict": Conflict(
                url=current.get_absolute_url(), differences=differences(form, current), saved_at=current.updated_at,
                file_dropped=form.cleaned_data.get("logo") is not None)}
            return render(request, "actors/organization_form.html", context, status=409)
        messages.success(request, "Organisation enregistrée.")
        return redirect(saved)
    return render(request, "actors/organization_form.html", {"form": form, "org": org}, status=400 if form.errors else 200)


@require_safe
def organization_logo(request, slug):
    """The logo, as the image type it was checked and re-encoded as; nothing else is ever served inline."""
    org = get_object_or_404(Organization.objects.only("slug", "logo", "logo_format"), slug=slug)
    if not org.logo:
        raise Http404("Pas de logo")
    return serve_image(org.logo, org.logo_format, filename=f"logo-{org.slug}")


@login_required
@require_POST
def organization_claim(request, slug):
    org = get_object_or_404(Organization, slug=slug)
    if not policy.can_claim(request.user, org):
        messages.error(request, "Vous gérez déjà cette organisation, ou votre demande est en attente.")
        return redirect(org)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return render(request, "actors/organization.html", {"org": org, "claim_form": form, "can_claim": True,
                                                            "partnerships": [], "catalysts": []}, status=400)
    claim(request.user, org, form.cleaned_data["message"])
    messages.success(request, "Demande envoyée : un·e éditeur·rice va la vérifier.")
    return redirect(org)


@login_required
@require_http_methods(["GET", "POST"])
def claims(request):
    if not policy.can_decide_claims(request.user):
        raise Http404
    if request.method == "POST":
        form = ClaimDecisionForm(request.POST)
        claim_id = request.POST.get("claim", "")
        if form.is_valid() and claim_id.isdigit():
            decided = decide_claim(int(claim_id), request.user, accept=form.cleaned_data["decision"] == "accepter",
                                   note=form.cleaned_data["note"])
            if decided is None:
                messages.error(request, "Cette demande a déjà été traitée.")
            else:
                messages.success(request, f"Demande de {decided.user} pour « {decided.organization} » : {decided.get_status_display().lower()}.")
            return redirect("actors:claims")
        messages.error(request, "Choisissez « Accepter » ou « Refuser ».")
    pending = Claim.objects.filter(status=ClaimStatus.PENDING).select_related("user", "organization").order_by("created_at")
    return render(request, "actors/claims.html", {"pending": pending, "form": ClaimDecisionForm()})


@login_required
@require_http_methods(["GET", "POST"])
def partnership_propose(request):
    if not policy.can_propose_partnership(request.user):
        raise Http404
    mine = policy.organizations_of(request.user)
    if not mine.exists():
        messages.info(request, "Pour proposer un partenariat, gérez d'abord une organisation : demandez-le depuis sa page, ou créez-la.")
        return redirect("actors:directory")
    initial = {}
    with_org = find_organization(request.GET.get("avec", "")) if request.GET.get("avec") else None
    if with_org is not None:
        initial["partners"] = with_org.slug
    form = PartnershipForm(request.POST or None, organizations=mine, initial=initial)
    if request.method == "POST" and form.is_valid():
        partnership = propose_partnership(form, request.user)
        messages.success(request, "Partenariat proposé : il devient actif quand chaque partenaire l'a confirmé.")
        return redirect(partnership)
    return render(request, "actors/partnership_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def partnership(request, pk):
    item = get_object_or_404(Partnership.objects.select_related("type", "territory", "case_study"), pk=pk)
    if not policy.can_view_partnership(request.user, item):
        raise Http404("Partenariat introuvable")
    members = list(item.members.select_related("organization").prefetch_related("objectives"))
    confirmable = [m for m in members if m.confirmed_at is None and policy.can_confirm(request.user, item, m.organization)]
    forms_by_org = {m.organization_id: ConfirmForm(prefix=f"partenaire-{m.organization_id}") for m in confirmable}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/compte/connexion/?next={request.path}")
        member = next((m for m in confirmable if str(m.organization_id) == request.POST.get("organization")), None)
        if member is None:
            messages.error(request, "Vous ne pouvez pas confirmer pour cette organisation.")
        else:
            form = ConfirmForm(request.POST, prefix=f"partenaire-{member.organization_id}")
            forms_by_org[member.organization_id] = form
            if form.is_valid():
                confirm_partnership(item.pk, member.organization, request.user, form.cleaned_data["objectives"])
                messages.success(request, f"Partenariat confirmé pour « {member.organization} ».")
                return redirect(item)
    return render(request, "actors/partnership.html", {
        "partnership": item, "members": members,
        "confirm_forms": [(m, forms_by_org[m.organization_id]) for m in confirmable],
    })


REGISTERS = {"rna": RnaRegister, "sirene": SireneRegister}


@login_required
@require_http_methods(["GET", "POST"])
def register_import(request):
    """Editors import a register file (RNA or SIRENE) for a territory; nothing is written
    when the file or any row is wrong, unless they choose to set invalid rows aside."""
    if not policy.can_import_registers(request.user):
        raise Http404
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    report, refused = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        territory = data["territory"]
        try:
            report = import_register(REGISTERS[data["register"]](), data["file"], f"{territory.level}/{territory.code}",
                                     ignore_invalid_rows=data["ignore_invalid_rows"], encoding=data["encoding"])
        except ImportRefused as error:
            refused = error
    status = 400 if form.errors or refused else 200
    return render(request, "actors/import.html", {"form": form, "report": report, "refused": refused}, status=status)


@require_safe
def catalysts(request):
    items = Catalyst.objects.select_related("structure", "territory").prefetch_related("metier_rows__metier")
    metier = request.GET.get("metier", "")
    territory, problem = _territory_param(request)
    if metier:
        items = items.filter(metier_rows__metier__code=metier)
    if territory is not None:
        items = items.filter(at_or_inside(territory))
    page = Paginator(items.order_by("name", "pk").distinct(), PER_PAGE).get_page(request.GET.get("page"))
    mine = Catalyst.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    return render(request, "actors/catalysts.html", {
        "page": page, "metiers": Metier.objects.all(), "metier": metier, "territory": territory, "problem": problem,
        "territory_value": request.GET.get("territoire", ""), "mine": mine,
    })


@require_safe
def catalyst(request, slug):
    item = get_object_or_404(Catalyst.objects.select_related("structure", "territory"), slug=slug)
    return render(request, "actors/catalyst.html", {
        "catalyst": item, "rows": item.metier_rows.select_related("metier"),
        "show_contact": policy.can_view_catalyst_contact(request.user, item),
        "can_edit": policy.can_edit_catalyst(request.user, item),
    })


@login_required
@require_http_methods(["GET", "POST"])
def my_catalyst(request):
    """A person's own catalyst profile: create it, change it, consent or not."""
    item = Catalyst.objects.filter(user=request.user).first()
    form = CatalystForm(request.POST or None, instance=item,
                        initial=None if item else {"name": request.user.display_name or "", "email": request.user.email})
    if request.method == "POST" and form.is_valid():
        saved = save_catalyst(form, request.user)
        messages.success(request, "Profil enregistré.")
        return redirect(saved)
    return render(request, "actors/catalyst_form.html", {"form": form, "catalyst": item}, status=400 if form.errors else 200)


@login_required
@require_safe
def my_catalyst_export(request):
    item = Catalyst.objects.filter(user=request.user).first()
    if item is None:
        raise Http404("Aucun profil de catalyseur")
    response = HttpResponse(json.dumps(catalyst_data(item), ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mon-profil-catalyseur.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_catalyst_delete(request):
    item = Catalyst.objects.filter(user=request.user).first()
    if item is None:
        raise Http404("Aucun profil de catalyseur")
    if request.method == "POST":
        delete_catalyst(item)
        messages.success(request, "Votre profil de catalyseur et ses données ont été supprimés.")
        return redirect("actors:catalysts")
    return render(request, "actors/catalyst_delete.html", {"catalyst": item})


@require_safe
def network(request, level, code):
    territory = get_visible_territory(request.user, level, code)
    network = network_of(territory, request.user)
    return render(request, "actors/network.html", {
        "territory": territory, "network": network, "graph": circle_layout(network),
        "kinds": Kind.choices, "types": PartnershipType.objects.all(),
    })
