"""A person's own data (RGPD): everything the platform keeps about an account, in one
JSON document, and the deletion of the account.

Deleting an account, in one transaction:

* the account itself, its catalyst profile (name, contact details, consent, métiers), its
  memberships of organisations, its claims (pending or decided), its failed sign-ins and
  its **private** project territories are deleted;
* what the person contributed to the common good stays, anonymised: fiches keep existing
  without a contributor (and "documentée par" no longer names them), the history entries
  they wrote lose their author, partnerships they proposed or confirmed lose the "by",
  claims they decided as an editor lose the decider, their **public** project territories
  stay without an owner (others may use them, fiches and partnerships may point at them).

``RELATIONS`` lists every foreign key to the user model and what deletion does with it;
``accounts/tests/test_privacy.py`` fails when a new one appears that is not listed.
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import FailedSignIn, User
from accounts.policy import role_of
from actors.models import Catalyst, Claim, Membership, Partnership, PartnershipMember
from actors.workflow import catalyst_data, delete_catalyst
from practices.exchange import export_rows
from practices.indexing import reindex
from practices.models import CaseStudy, CaseStudyRevision
from territories.models import Level, Territory

FORMAT = "catalyseur-mes-donnees"
FORMAT_VERSION = 1
# What a fiche says instead of the name of a contributor who deleted their account.
DELETED_CONTRIBUTOR = "Contributeur·rice supprimé·e"

# (app_label.Model, field): what deleting an account does to the rows pointing at it.
RELATIONS = {
    ("actors.Catalyst", "user"): "supprimé (profil et données personnelles)",
    ("actors.Membership", "user"): "supprimé",
    ("actors.Claim", "user"): "supprimé",
    ("actors.Claim", "decided_by"): "anonymisé",
    ("actors.Partnership", "proposed_by"): "anonymisé",
    ("actors.PartnershipMember", "confirmed_by"): "anonymisé",
    ("practices.CaseStudy", "contributor"): "anonymisé",
    ("practices.CaseStudyRevision", "author"): "anonymisé",
    ("territories.Territory", "owner"): "privé : supprimé ; public : anonymisé",
    ("admin.LogEntry", "user"): "supprimé (journal de l'administration)",
}


def _iso(value):
    return value.isoformat() if value else None


def _territory_ref(territory):
    return f"{territory.level}/{territory.code}" if territory is not None else None


# --- Export -------------------------------------------------------------------------------


def user_data(user: User) -> dict:
    """Everything the platform keeps about ``user``, for their own download."""
    catalyst = Catalyst.objects.filter(user=user).select_related("structure", "territory").first()
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exporte_le": timezone.now().isoformat(),
        "compte": {
            "adresse_email": user.email,
            "nom_affiche": user.display_name,
            "role": role_of(user),
            "compte_de_demonstration": user.is_demo,
            "inscrit_le": _iso(user.date_joined),
            "derniere_connexion": _iso(user.last_login),
        },
        "profil_catalyseur": catalyst_data(catalyst) if catalyst is not None else None,
        "organisations": [
            {"organisation": m.organization.name, "identifiant": m.organization.slug, "role": m.get_role_display(),
             "depuis": _iso(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("organization").order_by("created_at", "pk")
        ],
        "demandes_de_gestion": [
            {"organisation": c.organization.name, "identifiant": c.organization.slug, "message": c.message,
             "statut": c.get_status_display(), "demandee_le": _iso(c.created_at), "decidee_le": _iso(c.decided_at),
             "note_de_decision": c.decision_note}
            for c in Claim.objects.filter(user=user).select_related("organization").order_by("created_at", "pk")
        ],
        "demandes_decidees": [
            {"organisation": c.organization.name, "statut": c.get_status_display(), "decidee_le": _iso(c.decided_at),
             "note_de_decision": c.decision_note}
            for c in Claim.objects.filter(decided_by=user).select_related("organization").order_by("decided_at", "pk")
        ],
        "fiches_contribuees": _fiches(user),
        "historique_des_fiches": [
            {"fiche": r.case_study.slug, "titre": r.case_study.title, "statut": r.get_status_display(), "note": r.note,
             "le": _iso(r.created_at)}
            for r in CaseStudyRevision.objects.filter(author=user).select_related("case_study").order_by("created_at", "pk")
        ],
        "partenariats_proposes": [
            {"id": p.pk, "intitule": p.title, "type": p.type.label, "statut": p.get_status_display(),
             "organisations": [o.name for o in p.organizations.all()], "territoire": _territory_ref(p.territory),
             "debut": _iso(p.start_date), "fin": _iso(p.end_date), "description": p.description,
             "propose_le": _iso(p.created_at)}
            for p in Partnership.objects.filter(proposed_by=user).select_related("type", "territory")
            .prefetch_related("organizations").order_by("created_at", "pk")
        ],
        "partenariats_confirmes": [
            {"partenariat": m.partnership_id, "intitule": m.partnership.title, "pour": m.organization.name,
             "objectifs": [o.label for o in m.objectives.all()], "confirme_le": _iso(m.confirmed_at)}
            for m in PartnershipMember.objects.filter(confirmed_by=user).select_related("partnership", "organization")
            .prefetch_related("objectives").order_by("confirmed_at", "pk")
        ],
        "territoires_de_projet": [
            {"code": t.code, "nom": t.name, "description": t.description, "prive": t.is_private,
             "population": t.population, "cree_le": _iso(t.created_at), "modifie_le": _iso(t.updated_at),
             "communes": [{"code": c.code, "nom": c.name} for c in t.communes().order_by("code")]}
            for t in Territory.objects.filter(level=Level.PROJECT, owner=user).order_by("name", "pk")
        ],
        "echecs_de_connexion_recents": [
            _iso(at) for at in FailedSignIn.objects.filter(email=user.email.strip().lower()).order_by("at")
            .values_list("at", flat=True)
        ],
    }


def _fiches(user: User) -> list[dict]:
    """The fiches ``user`` contributed, each as the fiche export writes it, with its status."""
    cases = CaseStudy.objects.filter(contributor=user).order_by("created_at", "pk")
    states = {c.slug: c for c in cases.only("slug", "status", "created_at", "updated_at")}
    fiches = []
    for row in export_rows(cases):
        case = states[row["slug"]]
        fiches.append({"statut": case.get_status_display(), "code_statut": case.status, "creee_le": _iso(case.created_at),
                       "modifiee_le": _iso(case.updated_at), **row})
    return fiches


# --- Deletion -------------------------------------------------------------------------------


def _names_of(user: User) -> set[str]:
    return {value.strip().casefold() for value in (user.display_name, user.email) if value and value.strip()}


def _anonymise_fiches(user: User) -> None:
    names = _names_of(user)
    mine = list(CaseStudy.objects.filter(Q(contributor=user) | Q(documented_by__iexact=user.email)))
    for case in mine:
        if case.documented_by.strip().casefold() in names:
            case.documented_by = DELETED_CONTRIBUTOR
        if case.contributor_id == user.pk:
            case.contributor = None
        case.save(update_fields=["contributor", "documented_by"])
    # The saved states of those fiches named the person too.
    revisions = CaseStudyRevision.objects.filter(Q(case_study__in=[c.pk for c in mine]) | Q(snapshot__contributor=user.pk))
    for revision in revisions:
        snapshot = dict(revision.snapshot or {})
        if snapshot.get("contributor") == user.pk:
            snapshot["contributor"] = None
        if str(snapshot.get("documented_by") or "").strip().casefold() in names:
            snapshot["documented_by"] = DELETED_CONTRIBUTOR
        if snapshot != revision.snapshot:
            revision.snapshot = snapshot
            revision.save(update_fields=["snapshot"])
    CaseStudyRevision.objects.filter(author=user).update(author=None)


def _delete_private_projects(user: User) -> None:
    """Delete the person's private project territories. Nothing should point at a private
    territory (forms never offer one), but one made private after being chosen may still
    be: such references are emptied rather than published."""
    private = list(Territory.objects.filter(level=Level.PROJECT, owner=user, is_private=True).values_list("pk", flat=True))
    if not private:
        return
    for relation in Territory._meta.related_objects:
        if relation.many_to_many or relation.on_delete is not models.PROTECT:
            continue  # links, postal codes and many-to-many rows go with the territory
        rows = relation.related_model.objects.filter(**{f"{relation.field.name}__in": private})
        if relation.related_model is CaseStudy:
            touched = list(rows)
            rows.update(**{relation.field.name: None})
            reindex(CaseStudy.objects.filter(pk__in=[c.pk for c in touched]))
        else:
            rows.update(**{relation.field.name: None})
    Territory.objects.filter(pk__in=private).delete()


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete ``user`` and their personal data; keep their contributions, anonymised."""
    user = User.objects.select_for_update().get(pk=user.pk)
    catalyst = Catalyst.objects.filter(user=user).first()
    if catalyst is not None:
        delete_catalyst(catalyst)
    Membership.objects.filter(user=user).delete()
    Claim.objects.filter(user=user).delete()
    Claim.objects.filter(decided_by=user).update(decided_by=None)
    Partnership.objects.filter(proposed_by=user).update(proposed_by=None)
    PartnershipMember.objects.filter(confirmed_by=user).update(confirmed_by=None)
    _anonymise_fiches(user)
    _delete_private_projects(user)
    Territory.objects.filter(owner=user).update(owner=None)
    FailedSignIn.objects.filter(email=user.email.strip().lower()).delete()
    user.delete()
