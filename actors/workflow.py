"""The actors' write paths, each in one transaction: saving an organisation, claims and
their decision, proposing and confirming a partnership, a catalyst's own profile."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from actors.models import (
    Catalyst, CatalystMetier, Claim, ClaimStatus, Membership, MembershipRole, Organization, Partnership,
    PartnershipMember, PartnershipStatus,
)
from catalyseur.concurrency import claim_version
from taxonomy.models import Metier
from territories.models import Level, TerritoryLink


def unique_slug(model, text: str, *, exclude_pk=None) -> str:
    base = slugify(text)[:100] or "fiche"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_organization(form, user, *, creating: bool) -> Organization:
    """Save the form's organisation, in one transaction. Editing claims the version the form
    was loaded from (``EditConflict`` if someone saved since: nothing is written). A new logo
    (already checked and re-encoded by the form) is stored under a random name; the file it
    replaces is deleted once the transaction is committed, the new one if it is rolled back."""
    new_logo = form.cleaned_data.get("logo")
    stored = None
    try:
        with transaction.atomic():
            organization = form.save(commit=False)
            if creating:
                organization.slug = unique_slug(Organization, organization.name)
            else:
                organization.version = claim_version(Organization, organization.pk, form.loaded_version)
            if "domains" in form.changed_data:
                organization.domains_inferred = False  # a member's choice replaces the register's suggestion
            previous = organization.logo.name if organization.logo else ""
            if new_logo is not None:
                organization.logo.save(new_logo.random_name(), ContentFile(new_logo.data), save=False)
                stored = organization.logo.name
                organization.logo_format = new_logo.format
            elif form.cleaned_data.get("remove_logo"):
                organization.logo, organization.logo_format = "", ""
            organization.save()
            form.save_m2m()
            if creating and user is not None:
                Membership.objects.get_or_create(user=user, organization=organization,
                                                 defaults={"role": MembershipRole.MANAGER})
            if previous and previous != (organization.logo.name or ""):
                storage = organization.logo.storage
                transaction.on_commit(lambda: storage.delete(previous))
    except BaseException:
        if stored:
            Organization._meta.get_field("logo").storage.delete(stored)
        raise
    return organization


@transaction.atomic
def claim(user, organization: Organization, message: str) -> Claim:
    return Claim.objects.create(user=user, organization=organization, message=message)


@transaction.atomic
def decide_claim(claim_id: int, editor, *, accept: bool, note: str = "") -> Claim | None:
    """Accept or refuse a pending claim; None when it was decided meanwhile."""
    claim = Claim.objects.select_for_update().filter(pk=claim_id, status=ClaimStatus.PENDING).first()
    if claim is None:
        return None
    claim.status = ClaimStatus.APPROVED if accept else ClaimStatus.REJECTED
    claim.decided_by, claim.decided_at, claim.decision_note = editor, timezone.now(), note
    claim.save()
    if accept:
        Membership.objects.get_or_create(user=claim.user, organization=claim.organization,
                                         defaults={"role": MembershipRole.MANAGER})
    return claim


def locate_partnership(partnership: Partnership) -> None:
    """Its département and région: from its territory, else from its first partner."""
    territory = partnership.territory
    departement = region = None
    if territory is not None:
        if territory.level == Level.REGION:
            region = territory.pk
        elif territory.level == Level.DEPARTEMENT:
            departement = territory.pk
            region = _ancestor(territory.pk, Level.REGION)
        else:
            departement = _ancestor(territory.pk, Level.DEPARTEMENT)
            region = _ancestor(territory.pk, Level.REGION)
    else:
        first = partnership.organizations.order_by("partnership_rows__pk").first()
        if first is not None:
            departement, region = first.departement_id, first.region_id
    partnership.departement_id, partnership.region_id = departement, region


def _ancestor(territory_id: int, level: str) -> int | None:
    return (TerritoryLink.objects.filter(descendant_id=territory_id, ancestor__level=level)
            .values_list("ancestor_id", flat=True).first())


@transaction.atomic
def propose_partnership(form, user) -> Partnership:
    partnership = form.save(commit=False)
    partnership.proposed_by = user
    partnership.status = PartnershipStatus.PROPOSED
    partnership.save()
    form.save_m2m()
    mine = form.cleaned_data["my_organization"]
    own = PartnershipMember.objects.create(partnership=partnership, organization=mine, confirmed_at=timezone.now(),
                                           confirmed_by=user)
    own.objectives.set(form.cleaned_data["my_objectives"])
    for organization in form.cleaned_data["partners"]:
        PartnershipMember.objects.create(partnership=partnership, organization=organization)
    locate_partnership(partnership)
    partnership.save(update_fields=["departement", "region"])
    return partnership


@transaction.atomic
def confirm_partnership(partnership_id: int, organization: Organization, user, objectives) -> Partnership:
    """One partner confirms; the partnership becomes active when every partner has."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership_id)
    member = PartnershipMember.objects.get(partnership=partnership, organization=organization)
    member.confirmed_at, member.confirmed_by = timezone.now(), user
    member.save(update_fields=["confirmed_at", "confirmed_by"])
    member.objectives.set(objectives)
    if partnership.status == PartnershipStatus.PROPOSED and not partnership.members.filter(confirmed_at=None).exists():
        partnership.status = PartnershipStatus.ACTIVE
        partnership.save(update_fields=["status", "updated_at"])
    return partnership


@transaction.atomic
def save_catalyst(form, user) -> Catalyst:
    catalyst = form.save(commit=False)
    if not catalyst.pk:
        catalyst.user = user
        catalyst.slug = unique_slug(Catalyst, catalyst.name)
    catalyst.structure = form.cleaned_data.get("structure_reference")
    if catalyst.consent_public and catalyst.consent_at is None:
        catalyst.consent_at = timezone.now()
    elif not catalyst.consent_public:
        catalyst.consent_at = None
    catalyst.save()
    wanted = form.cleaned_data["metiers_with_activities"]
    catalyst.metier_rows.exclude(metier__code__in=list(wanted)).delete()
    metiers = {m.code: m for m in Metier.objects.filter(code__in=list(wanted))}
    for code, activities in wanted.items():
        CatalystMetier.objects.update_or_create(catalyst=catalyst, metier=metiers[code], defaults={"activities": activities})
    return catalyst


def catalyst_data(catalyst: Catalyst) -> dict:
    """Everything the platform keeps about a catalyst, for the person's own export."""
    return {
        "identifiant": catalyst.slug,
        "personne": catalyst.is_person,
        "nom": catalyst.name,
        "fonction": catalyst.job_title,
        "structure": catalyst.structure.name if catalyst.structure_id else None,
        "profil": catalyst.get_profile_display(),
        "territoire": f"{catalyst.territory.level}/{catalyst.territory.code}" if catalyst.territory_id else None,
        "presentation": catalyst.description,
        "courriel": catalyst.email,
        "telephone": catalyst.phone,
        "accord_publication": catalyst.consent_public,
        "accord_donne_le": catalyst.consent_at.isoformat() if catalyst.consent_at else None,
        "metiers": [{"metier": row.metier.label, "activites": row.activity_labels()}
                    for row in catalyst.metier_rows.select_related("metier")],
        "cree_le": catalyst.created_at.isoformat(),
        "modifie_le": catalyst.updated_at.isoformat(),
    }


@transaction.atomic
def delete_catalyst(catalyst: Catalyst) -> None:
    catalyst.delete()
