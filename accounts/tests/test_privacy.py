"""Personal data (RGPD): the privacy page, a person's export of all their data, and the
deletion of their account (personal data gone, contributions kept without their name)."""

import json
import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import privacy
from accounts.models import FailedSignIn, User
from actors.models import (
    Catalyst, CatalystMetier, Claim, ClaimStatus, Kind, Membership, Organization, Partnership, PartnershipMember,
    PartnershipStatus,
)
from practices.importer import clean_rows, save_rows, snapshot
from practices.models import CaseStudy, CaseStudyRevision, Status
from taxonomy.models import Metier, Objective, PartnershipType
from territories.models import Level, Territory, TerritoryLink
from territories.projects import save_project

pytestmark = pytest.mark.django_db
PASSWORD = "un mot de passe solide"
EXPORT = reverse("accounts:my_data_export")
DELETE = reverse("accounts:delete_account")


def commune(code):
    return Territory.objects.get(level=Level.COMMUNE, code=code)


@pytest.fixture
def world(sample_territories, member, other_member, editor):
    """``member`` with something in every table that points at an account, and the same
    kinds of things belonging to someone else, which must stay untouched."""
    charenton, saint_maurice = commune("94018"), commune("94069")
    mine = Organization.objects.create(slug="asso", name="Association du membre", kind=Kind.ASSOCIATION, commune=charenton)
    theirs = Organization.objects.create(slug="entreprise", name="Entreprise voisine", kind=Kind.ENTREPRISE,
                                         commune=charenton)
    # Catalyst profile, with a métier.
    catalyst = Catalyst.objects.create(slug="camille", name="Camille Membre", user=member, profile="association",
                                       email="camille@example.org", phone="01 02 03 04 05", job_title="Animatrice",
                                       territory=charenton, structure=mine)
    CatalystMetier.objects.create(catalyst=catalyst, metier=Metier.objects.get(code="dialogue_territorial"),
                                  activities=[])
    # Membership, a pending claim and a refused one; a claim of someone else the member decided.
    Membership.objects.create(user=member, organization=mine)
    Claim.objects.create(user=member, organization=theirs, message="Je travaille chez eux, Camille")
    Claim.objects.create(user=member, organization=mine, message="Ancienne demande", status=ClaimStatus.REJECTED,
                         decided_by=editor, decided_at=timezone.now())
    decided = Claim.objects.create(user=other_member, organization=theirs, message="Demande de l'autre",
                                   status=ClaimStatus.APPROVED, decided_by=member, decided_at=timezone.now(),
                                   decision_note="Vu avec la présidente")
    # Fiches: one published and one submitted by the member (named as "documentée par", as the
    # contribution form does), and one of someone else the member reviewed.
    rows = [{"slug": "jardin", "title": "Jardin partagé", "summary": "Un jardin", "territory": "commune/94018",
             "domains": ["numerique"]},
            {"slug": "brouillon", "title": "Fiche en relecture", "summary": "Pas encore publiée",
             "territory": "commune/94018"}]
    save_rows(clean_rows(rows[:1]), status=Status.PUBLISHED, author=member, note="Publiée")
    save_rows(clean_rows(rows[1:]), status=Status.SUBMITTED, author=member, note="Soumise à relecture")
    for case in CaseStudy.objects.filter(contributor=member):
        case.documented_by = "Membre"
        case.save()
        CaseStudyRevision.objects.create(case_study=case, author=member, status=case.status, note="Signée",
                                         snapshot=snapshot(case))
    save_rows(clean_rows([{"slug": "autre", "title": "Fiche de l'autre", "summary": "Par l'autre",
                           "territory": "commune/94069"}]), status=Status.PUBLISHED, author=other_member)
    other_case = CaseStudy.objects.get(slug="autre")
    CaseStudyRevision.objects.create(case_study=other_case, author=member, status=Status.PUBLISHED,
                                     note="Relue par le membre", snapshot=snapshot(other_case))
    # A partnership the member proposed (and confirmed for their organisation), and one of
    # someone else the member confirmed.
    mecenat = PartnershipType.objects.get(code="mecenat")
    proposed = Partnership.objects.create(title="Mécénat de compétences", type=mecenat, proposed_by=member,
                                          status=PartnershipStatus.PROPOSED)
    own = PartnershipMember.objects.create(partnership=proposed, organization=mine, confirmed_by=member,
                                           confirmed_at=timezone.now())
    own.objectives.set([Objective.objects.first()])
    PartnershipMember.objects.create(partnership=proposed, organization=theirs)
    other = Partnership.objects.create(title="Partenariat de l'autre", type=mecenat, proposed_by=other_member,
                                       status=PartnershipStatus.ACTIVE)
    PartnershipMember.objects.create(partnership=other, organization=theirs, confirmed_by=other_member,
                                     confirmed_at=timezone.now())
    PartnershipMember.objects.create(partnership=other, organization=mine, confirmed_by=member,
                                     confirmed_at=timezone.now())
    # Project territories: one private, one public (a partnership of someone else uses it).
    private = save_project(owner=member, name="Mon quartier privé", description="Pour moi", is_private=True,
                           commune_ids=[charenton.pk])
    public = save_project(owner=member, name="Boucle publique", description="Partagée", is_private=False,
                          commune_ids=[charenton.pk, saint_maurice.pk])
    other.territory = public
    other.save()
    theirs_project = save_project(owner=other_member, name="Projet de l'autre", description="", is_private=True,
                                  commune_ids=[saint_maurice.pk])
    # Failed sign-ins, an entry of the admin site's log.
    FailedSignIn.objects.create(email="membre@example.org", ip="192.0.2.1")
    FailedSignIn.objects.create(email="autre@example.org", ip="192.0.2.2")
    LogEntry.objects.create(user=member, content_type=ContentType.objects.get_for_model(Organization),
                            object_id=str(mine.pk), object_repr=mine.name, action_flag=ADDITION)
    return {"catalyst": catalyst, "mine": mine, "theirs": theirs, "decided": decided, "proposed": proposed,
            "other": other, "private": private, "public": public, "theirs_project": theirs_project}


def signed_in(client, user):
    client.force_login(user)
    return client


# --- The page --------------------------------------------------------------------------------


def test_the_privacy_page_is_public_and_says_what_is_kept_and_for_how_long(client):
    response = client.get("/confidentialite/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>Données personnelles et confidentialité</h1>" in text
    for words in ("15 minutes", "14 jours", "consentement", "intérêt légitime", "Sauvegardes", "Journaux du serveur",
                  "Contributeur·rice supprimé·e", "tile.openstreetmap.org"):
        assert words in text, words


def test_the_footer_and_the_sign_up_form_link_to_the_privacy_page(client):
    assert 'href="/confidentialite/"' in client.get("/").content.decode()
    signup = client.get(reverse("accounts:signup")).content.decode()
    assert signup.count('href="/confidentialite/"') == 2  # in the form's introduction and in the footer


def test_the_account_page_offers_the_export_and_the_deletion(client, member):
    text = signed_in(client, member).get(reverse("accounts:profile")).content.decode()
    assert "Mes données" in text
    assert f'href="{EXPORT}"' in text and f'href="{DELETE}"' in text


# --- Export ----------------------------------------------------------------------------------


def test_a_visitor_is_sent_to_sign_in_for_the_export_and_the_deletion(client, member):
    for response in (client.get(EXPORT), client.get(DELETE), client.post(DELETE, {"password": PASSWORD})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert User.objects.filter(pk=member.pk).exists()


def test_the_export_holds_everything_kept_about_the_person_and_nothing_of_anyone_else(client, member, world):
    response = signed_in(client, member).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-catalyseur-')
    data = json.loads(response.content)

    assert data["format"] == "catalyseur-mes-donnees"
    assert data["compte"]["adresse_email"] == "membre@example.org"
    assert data["compte"]["nom_affiche"] == "Membre"
    assert data["compte"]["role"] == "member"
    profile = data["profil_catalyseur"]
    assert profile["nom"] == "Camille Membre" and profile["telephone"] == "01 02 03 04 05"
    assert [m["metier"] for m in profile["metiers"]] == [Metier.objects.get(code="dialogue_territorial").label]
    assert [m["organisation"] for m in data["organisations"]] == ["Association du membre"]
    assert {c["message"]: c["statut"] for c in data["demandes_de_gestion"]} == {
        "Je travaille chez eux, Camille": "En attente", "Ancienne demande": "Refusée"}
    assert [c["note_de_decision"] for c in data["demandes_decidees"]] == ["Vu avec la présidente"]
    fiches = {f["slug"]: f for f in data["fiches_contribuees"]}
    assert set(fiches) == {"jardin", "brouillon"}
    assert fiches["jardin"]["statut"] == "Publiée" and fiches["brouillon"]["code_statut"] == Status.SUBMITTED
    assert fiches["jardin"]["summary"] == "Un jardin" and fiches["jardin"]["domains"] == ["numerique"]
    history = [(h["fiche"], h["note"]) for h in data["historique_des_fiches"]]
    assert ("autre", "Relue par le membre") in history and ("brouillon", "Soumise à relecture") in history
    assert all(h["fiche"] in ("jardin", "brouillon", "autre") for h in data["historique_des_fiches"])
    proposed = data["partenariats_proposes"]
    assert [p["intitule"] for p in proposed] == ["Mécénat de compétences"]
    assert proposed[0]["organisations"] == ["Association du membre", "Entreprise voisine"]
    assert sorted(c["intitule"] for c in data["partenariats_confirmes"]) == ["Mécénat de compétences",
                                                                            "Partenariat de l'autre"]
    projects = {p["nom"]: p for p in data["territoires_de_projet"]}
    assert set(projects) == {"Mon quartier privé", "Boucle publique"}
    assert projects["Mon quartier privé"]["prive"] is True
    assert [c["code"] for c in projects["Boucle publique"]["communes"]] == ["94018", "94069"]
    assert len(data["echecs_de_connexion_recents"]) == 1

    text = response.content.decode()
    for theirs in ("autre@example.org", "Projet de l'autre", "Demande de l'autre", "192.0.2"):
        assert theirs not in text


def test_someone_without_anything_exports_an_account_and_empty_lists(client, other_member):
    data = json.loads(signed_in(client, other_member).get(EXPORT).content)
    assert data["compte"]["adresse_email"] == "autre@example.org"
    assert data["profil_catalyseur"] is None
    assert data["fiches_contribuees"] == [] and data["territoires_de_projet"] == []


# --- Deletion --------------------------------------------------------------------------------


def every_relation_to_the_user_model():
    return {(f"{f.related_model._meta.app_label}.{f.related_model.__name__}", f.field.name)
            for f in User._meta.get_fields(include_hidden=True)
            if f.is_relation and f.auto_created and not f.concrete and not f.many_to_many
            and not f.related_model._meta.auto_created}  # the tables of many-to-many fields go with the user


def test_every_relation_to_accounts_is_handled_by_the_deletion():
    """A new foreign key to the user model must be given a fate in accounts/privacy.py."""
    assert every_relation_to_the_user_model() == set(privacy.RELATIONS)


def test_deleting_the_account_removes_personal_data_and_keeps_contributions_anonymised(client, member, other_member,
                                                                                      editor, world):
    signed_in(client, member)
    page = client.get(DELETE)
    assert page.status_code == 200
    assert "Mon quartier privé" not in page.content.decode()  # counts only, no need to repeat the names
    response = client.post(DELETE, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == (reverse("home"), 302)
    assert "Votre compte et vos données personnelles ont été supprimés." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302  # signed out

    assert not User.objects.filter(pk=member.pk).exists()
    assert User.objects.filter(pk__in=[other_member.pk, editor.pk]).count() == 2
    # Deleted: the catalyst profile and its métiers, memberships, claims, failed sign-ins, the admin log.
    assert not Catalyst.objects.filter(pk=world["catalyst"].pk).exists()
    assert not CatalystMetier.objects.filter(catalyst_id=world["catalyst"].pk).exists()
    assert not Membership.objects.exists()
    assert list(Claim.objects.values_list("message", flat=True)) == ["Demande de l'autre"]
    assert not FailedSignIn.objects.filter(email="membre@example.org").exists()
    assert FailedSignIn.objects.filter(email="autre@example.org").exists()
    assert not LogEntry.objects.exists()
    # Kept, anonymised: the claim they decided, the partnerships, the fiches and their history.
    world["decided"].refresh_from_db()
    assert world["decided"].decided_by is None and world["decided"].decision_note == "Vu avec la présidente"
    proposed = Partnership.objects.get(pk=world["proposed"].pk)
    assert proposed.proposed_by is None and proposed.members.count() == 2
    assert not PartnershipMember.objects.filter(confirmed_by__isnull=False).exclude(
        confirmed_by=other_member).exists()
    assert PartnershipMember.objects.filter(partnership=proposed, confirmed_at__isnull=False).count() == 1
    assert Partnership.objects.get(pk=world["other"].pk).proposed_by == other_member
    for slug in ("jardin", "brouillon"):
        case = CaseStudy.objects.get(slug=slug)
        assert case.contributor is None and case.documented_by == privacy.DELETED_CONTRIBUTOR
        assert not case.revisions.filter(author__isnull=False).exists()
        for revision in case.revisions.all():
            assert revision.snapshot["contributor"] is None
            assert revision.snapshot["documented_by"] in ("", privacy.DELETED_CONTRIBUTOR)
    other_case = CaseStudy.objects.get(slug="autre")
    assert other_case.contributor == other_member
    assert set(other_case.revisions.values_list("author", flat=True)) == {other_member.pk, None}
    # Project territories: the private one is gone with its communes' links, the public one stays.
    assert not Territory.objects.filter(pk=world["private"].pk).exists()
    assert not TerritoryLink.objects.filter(ancestor_id=world["private"].pk).exists()
    public = Territory.objects.get(pk=world["public"].pk)
    assert public.owner is None and public.communes().count() == 2
    assert Partnership.objects.get(pk=world["other"].pk).territory == public
    assert Territory.objects.get(pk=world["theirs_project"].pk).owner == other_member
    # Nothing left anywhere names the person.
    assert not rows_mentioning("membre@example.org") and not rows_mentioning("Camille Membre")


def rows_mentioning(text: str) -> list[str]:
    found = []
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        for row in model.objects.values_list(*fields) if fields else []:
            if text.lower() in json.dumps(row, ensure_ascii=False, default=str).lower():
                found.append(f"{model.__name__}: {row}")
    return found


def test_the_fiche_page_says_the_contributor_was_deleted(client, member, world):
    signed_in(client, member).post(DELETE, {"password": PASSWORD})
    text = client.get(reverse("practices:detail", kwargs={"slug": "jardin"})).content.decode()
    assert "Documentée par Contributeur·rice supprimé·e" in text
    assert "Documentée par Membre" not in text and "membre@example.org" not in text


def test_a_wrong_password_changes_nothing_and_says_so(client, member, world):
    signed_in(client, member)
    before = {model: model.objects.count() for model in (Catalyst, Membership, Claim, CaseStudy, Territory)}
    response = client.post(DELETE, {"password": "pas le bon"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Mot de passe incorrect : votre compte n&#x27;a pas été supprimé." in text
    assert 'aria-describedby="id_password_helptext id_password_errors"' in text
    assert User.objects.filter(pk=member.pk).exists()
    assert {model: model.objects.count() for model in before} == before
    assert CaseStudy.objects.get(slug="jardin").contributor == member
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in


def test_wrong_passwords_are_throttled_like_sign_ins(client, member):
    from accounts import throttle

    signed_in(client, member)
    for _ in range(throttle.MAX_PER_EMAIL):
        client.post(DELETE, {"password": "pas le bon"})
    response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 400
    assert "Trop de tentatives" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_the_deletion_needs_the_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 403
    assert User.objects.filter(pk=member.pk).exists()


def test_the_last_administrator_cannot_delete_their_account(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="admin@example.org", password=PASSWORD)
    signed_in(client, admin)
    refused = client.post(DELETE, {"password": PASSWORD})
    assert refused.status_code == 403
    assert "seul·e administrateur·rice" in refused.content.decode()
    assert User.objects.filter(pk=admin.pk).exists()
    django_user_model.objects.create_user(email="admin2@example.org", password=PASSWORD, role="admin")
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=admin.pk).exists()


def test_a_private_project_still_named_by_a_fiche_is_deleted_and_the_fiche_kept(member, sample_territories):
    project = save_project(owner=member, name="Devenu privé", description="", is_private=False,
                           commune_ids=[commune("94018").pk])
    save_rows(clean_rows([{"slug": "f", "title": "Fiche", "summary": "Sur un projet", "territory": f"project/{project.code}"}]),
              author=member)
    Territory.objects.filter(pk=project.pk).update(is_private=True)  # made private after being chosen
    privacy.delete_account(member)
    assert not Territory.objects.filter(pk=project.pk).exists()
    case = CaseStudy.objects.get(slug="f")
    assert case.territory is None and case.contributor is None



def test_an_account_without_a_display_name_never_shows_its_address_on_public_pages(db, client, sample_territories):
    """Found in review: a contributor without a display name had their e-mail address
    written as « documentée par » on the public fiche, and shown as a project's author."""
    user = User.objects.create_user(email="discrete@example.org", password="un mot de passe solide")
    assert "discrete@example.org" not in str(user) and str(user) == f"Membre n° {user.pk}"
    territory = Territory.objects.get(level=Level.COMMUNE, code="45234")
    project = save_project(owner=user, name="Projet discret", description="", is_private=False, commune_ids=[territory.pk])
    page = client.get(project.get_absolute_url()).content.decode()
    assert "discrete@example.org" not in page and f"Membre n° {user.pk}" in page
