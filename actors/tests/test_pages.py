"""Organisations, claims, partnerships, catalysts and the network, as people use them."""

import json

import pytest
from django.urls import reverse

from actors.models import (
    Catalyst, Claim, ClaimStatus, Kind, Membership, Organization, Partnership, PartnershipMember, PartnershipStatus,
)
from actors.network import network_of
from taxonomy.models import Domain
from territories.centres import import_commune_centres
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db


def mecenat():
    from taxonomy.models import PartnershipType

    return PartnershipType.objects.get(code="mecenat")


def commune(code):
    return Territory.objects.get(level=Level.COMMUNE, code=code)


@pytest.fixture
def places(sample_territories):
    import_commune_centres()


@pytest.fixture
def association(places):
    return Organization.objects.create(slug="jardins", name="Les jardins partagés (fictive)", kind=Kind.ASSOCIATION,
                                       rna="W941001234", commune=commune("94018"))


@pytest.fixture
def company(places):
    return Organization.objects.create(slug="boulangerie", name="Boulangerie du Pont (fictive)", kind=Kind.ENTREPRISE,
                                       siret="44306184100047", commune=commune("94069"))


def test_an_organisation_without_coordinates_sits_at_its_commune_centre_and_knows_its_departement(association):
    charenton = commune("94018")
    assert (association.latitude, association.longitude) == (charenton.latitude, charenton.longitude)
    assert association.location_precision == "commune"
    assert association.departement.code == "94" and association.region.code == "11"
    assert association.siren == ""  # an association without SIRET has no SIREN either


def test_the_organisation_page_says_where_it_is_placed(client, association):
    page = client.get(association.get_absolute_url()).content.decode()
    assert "Les jardins partagés (fictive)" in page
    assert "placée au centre de sa commune" in page
    assert "W941001234" in page


def test_the_directory_finds_by_word_and_filters_by_territory(client, association, company):
    assert "Les jardins partagés" in client.get(reverse("actors:directory"), {"q": "jardins"}).content.decode()
    page = client.get(reverse("actors:directory"), {"territoire": "commune/94069"}).content.decode()
    assert "Boulangerie du Pont" in page and "Les jardins partagés" not in page
    bad = client.get(reverse("actors:directory"), {"territoire": "region/99"}).content.decode()
    assert "Territoire « region/99 » introuvable." in bad


def test_a_member_claims_an_organisation_an_editor_accepts_and_the_member_edits_it(client, member, editor, association):
    client.force_login(member)
    assert client.get(reverse("actors:organization_edit", args=[association.slug])).status_code == 404
    empty = client.post(reverse("actors:organization_claim", args=[association.slug]), {"message": ""})
    assert empty.status_code == 400 and not Claim.objects.exists()
    client.post(reverse("actors:organization_claim", args=[association.slug]), {"message": "Je suis la présidente."})
    claim = Claim.objects.get()
    assert claim.status == ClaimStatus.PENDING
    # A member cannot decide; an editor can.
    assert client.get(reverse("actors:claims")).status_code == 404
    client.force_login(editor)
    client.post(reverse("actors:claims"), {"claim": claim.pk, "decision": "accepter"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert Membership.objects.filter(user=member, organization=association).exists()

    client.force_login(member)
    form = client.get(reverse("actors:organization_edit", args=[association.slug]))
    assert form.status_code == 200
    data = {"name": "Les jardins partagés du Bras-du-Chapitre (fictive)", "kind": "association", "rna": "W941001234",
            "commune": "94018", "description": "Des jardins en bord de Marne.", "version": association.version}
    response = client.post(reverse("actors:organization_edit", args=[association.slug]), data)
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.name.startswith("Les jardins partagés du Bras")


def test_a_bad_identifier_is_refused_with_the_reason_and_nothing_changes(client, member, association):
    Membership.objects.create(user=member, organization=association)
    client.force_login(member)
    response = client.post(reverse("actors:organization_edit", args=[association.slug]),
                           {"name": "Autre nom", "kind": "association", "rna": "W94100", "siret": "44306184100048"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "« W » suivi de 9 caractères" in page and "la clé de contrôle ne correspond pas" in page
    association.refresh_from_db()
    assert association.name == "Les jardins partagés (fictive)"


def test_a_partnership_is_proposed_then_confirmed_and_enters_the_network(client, member, other_member, association, company):
    Membership.objects.create(user=member, organization=association)
    Membership.objects.create(user=other_member, organization=company)
    client.force_login(member)
    form = client.get(reverse("actors:partnership_propose"), {"avec": company.slug}).content.decode()
    assert company.slug in form
    unknown = client.post(reverse("actors:partnership_propose"), {
        "my_organization": association.pk, "partners": "W000000000", "title": "Pain solidaire", "type": mecenat().pk})
    assert unknown.status_code == 400 and "Ligne 1 : aucune organisation « W000000000 »." in unknown.content.decode()
    response = client.post(reverse("actors:partnership_propose"), {
        "my_organization": association.pk, "partners": "443 061 841 00047", "title": "Pain solidaire",
        "type": mecenat().pk, "my_objectives": [], "territory": "commune/94018"})
    assert response.status_code == 302
    partnership = Partnership.objects.get()
    assert partnership.status == PartnershipStatus.PROPOSED
    assert partnership.departement.code == "94"
    departement = Territory.objects.get(level=Level.DEPARTEMENT, code="94")
    assert network_of(departement).partnerships == 0  # a proposal is not in the network
    # Not visible to a visitor while proposed.
    client.logout()
    assert client.get(partnership.get_absolute_url()).status_code == 404

    client.force_login(other_member)
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Confirmer pour « Boulangerie du Pont (fictive) »" in page
    client.post(partnership.get_absolute_url(), {"organization": company.pk})
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ACTIVE

    network = network_of(departement)
    assert network.partnerships == 1
    assert ("mecenat", "Mécénat", 1) in network.by_type
    assert network.by_pair == [("Association – Entreprise", 1)]
    assert {n["id"] for n in network.nodes} == {"jardins", "boulangerie"}
    page = client.get(reverse("actors:network", args=["departement", "94"])).content.decode()
    assert "Association – Entreprise" in page and "<svg" in page


def test_only_a_partner_confirms_for_its_organisation(client, member, other_member, association, company):
    partnership = Partnership.objects.create(title="Essai", type=mecenat(), status=PartnershipStatus.PROPOSED,
                                             proposed_by=member)
    PartnershipMember.objects.create(partnership=partnership, organization=association)
    PartnershipMember.objects.create(partnership=partnership, organization=company)
    Membership.objects.create(user=member, organization=association)
    client.force_login(member)
    client.post(partnership.get_absolute_url(), {"organization": company.pk})
    assert PartnershipMember.objects.get(organization=company).confirmed_at is None


def test_isolated_organisations_are_counted(places, association, company):
    network = network_of(Territory.objects.get(level=Level.DEPARTEMENT, code="94"))
    assert network.isolated_count == 2 and network.organizations_inside == 2


def test_a_catalyst_without_consent_shows_no_name_and_can_export_and_delete_their_data(client, member, places):
    client.force_login(member)
    response = client.post(reverse("actors:my_catalyst"), {
        "is_person": "on", "name": "Camille Martin", "profile": "collectivite", "territory": "departement/94",
        "activity_codes": ["dialogue_territorial:mise_en_relation"], "email": "camille@example.org"})
    assert response.status_code == 302
    catalyst = Catalyst.objects.get()
    assert [r.metier.code for r in catalyst.metier_rows.all()] == ["dialogue_territorial"]
    client.logout()
    page = client.get(catalyst.get_absolute_url()).content.decode()
    assert "Camille Martin" not in page and "camille@example.org" not in page
    assert "n'a pas souhaité publier" in page
    assert "Camille Martin" not in client.get(reverse("actors:catalysts")).content.decode()

    client.force_login(member)
    data = json.loads(client.get(reverse("actors:my_catalyst_export")).content)
    assert data["nom"] == "Camille Martin" and data["courriel"] == "camille@example.org"
    assert data["metiers"] == [{"metier": "Dialogue territorial", "activites": ["Mise en relations"]}]
    client.post(reverse("actors:my_catalyst_delete"))
    assert not Catalyst.objects.exists()


def test_a_catalyst_with_consent_shows_name_and_contact(client, member, places):
    client.force_login(member)
    client.post(reverse("actors:my_catalyst"), {
        "is_person": "on", "name": "Camille Martin", "profile": "association", "metier_codes": ["gestion_lieu"],
        "email": "camille@example.org", "consent_public": "on"})
    client.logout()
    catalyst = Catalyst.objects.get()
    assert catalyst.consent_at is not None
    page = client.get(catalyst.get_absolute_url()).content.decode()
    assert "Camille Martin" in page and "camille@example.org" in page


def test_a_catalyst_must_choose_a_metier(client, member, places):
    client.force_login(member)
    response = client.post(reverse("actors:my_catalyst"), {"is_person": "on", "name": "X", "profile": "association"})
    assert response.status_code == 400
    assert "Choisissez au moins un métier" in response.content.decode()
    assert not Catalyst.objects.exists()


def test_the_network_api_gives_nodes_edges_and_figures(client, places, association, company):
    partnership = Partnership.objects.create(title="Pain solidaire", type=mecenat(), status=PartnershipStatus.ACTIVE)
    PartnershipMember.objects.create(partnership=partnership, organization=association)
    PartnershipMember.objects.create(partnership=partnership, organization=company)
    from actors.workflow import locate_partnership

    locate_partnership(partnership)
    partnership.save()
    data = client.get("/api/territories/departement/94/network").json()
    assert data["partnerships"] == 1 and data["isolated"] == 0
    assert data["edges"] == [{"source": "jardins", "target": "boulangerie", "type": "mecenat", "partnership": partnership.pk}]
    assert client.get("/api/territories/departement/99/network").json() == {"detail": "Ressource introuvable."}


DATA = __import__("pathlib").Path(__file__).parent / "data"


def test_an_editor_imports_an_rna_file_for_the_val_de_marne_from_the_browser_form(client, editor, member, places):
    client.force_login(member)
    assert client.get(reverse("actors:import")).status_code == 404
    client.force_login(editor)
    with open(DATA / "rna_waldec_94.csv", "rb") as upload:
        response = client.post(reverse("actors:import"), {"register": "rna", "file": upload,
                                                          "territory": "departement/94", "encoding": "utf-8"})
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "Import terminé" in page
    assert Organization.objects.filter(kind=Kind.ASSOCIATION, departement__code="94").exists()


def test_a_bad_row_in_an_uploaded_file_imports_nothing_and_says_where(client, editor, places):
    client.force_login(editor)
    with open(DATA / "rna_ligne_invalide.csv", "rb") as upload:
        response = client.post(reverse("actors:import"), {"register": "rna", "file": upload,
                                                          "territory": "departement/94", "encoding": "utf-8"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Import annulé, aucune donnée modifiée." in page and "ligne" in page and "colonne" in page
    assert not Organization.objects.exists()


def test_a_binary_file_is_refused_before_reading(client, editor, places, tmp_path):
    client.force_login(editor)
    fake = tmp_path / "image.csv"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with open(fake, "rb") as upload:
        response = client.post(reverse("actors:import"), {"register": "sirene", "file": upload,
                                                          "territory": "departement/94", "encoding": "utf-8"})
    assert response.status_code == 400
    assert "pas un fichier texte CSV" in response.content.decode()


def test_territories_of_action_are_typed_one_per_line_and_checked(client, member, association):
    Membership.objects.create(user=member, organization=association)
    client.force_login(member)
    url = reverse("actors:organization_edit", args=[association.slug])
    bad = client.post(url, {"name": association.name, "kind": "association", "action_territories": "departement/94\nregion/99",
                            "version": association.version})
    assert bad.status_code == 400 and "Ligne 2 : Territoire « region/99 » introuvable." in bad.content.decode()
    client.post(url, {"name": association.name, "kind": "association", "action_territories": "departement/94\n94069",
                      "version": association.version})
    assert {t.code for t in association.action_territories.all()} == {"94", "94069"}
    assert "Val-de-Marne" in client.get(association.get_absolute_url()).content.decode()


def test_a_partnership_may_name_the_published_fiche_it_illustrates(client, member, association, company, fiches):
    Membership.objects.create(user=member, organization=association)
    client.force_login(member)
    data = {"my_organization": association.pk, "partners": company.slug, "title": "Tablettes", "type": mecenat().pk}
    missing = client.post(reverse("actors:partnership_propose"), {**data, "case_study": "inconnue"})
    assert "Aucune pratique innovante publiée « inconnue »." in missing.content.decode()
    client.post(reverse("actors:partnership_propose"), {**data, "case_study": "/pratiques/silver/"})
    assert Partnership.objects.get().case_study.slug == "silver"


def test_an_rna_import_suggests_domains_that_a_member_then_replaces(client, member, places):
    from actors.importers.rna import import_rna

    import_rna(DATA / "rna_waldec_94.csv", "departement/94")
    jardins = Organization.objects.get(rna="W941012345")
    assert jardins.domains_inferred
    assert {d.code for d in jardins.domains.all()} == {"environnement", "cohesion_sociale"}
    echecs = Organization.objects.get(rna="W941013579")
    assert not echecs.domains.exists()  # « tous les âges » is not about ageing
    assert "déduits du registre, à vérifier" in client.get(jardins.get_absolute_url()).content.decode()

    Membership.objects.create(user=member, organization=jardins)
    client.force_login(member)
    client.post(reverse("actors:organization_edit", args=[jardins.slug]),
                {"name": jardins.name, "kind": "association", "rna": jardins.rna, "commune": "94018", "domains": [
                    Domain.objects.get(code="insertion_jeunes").pk], "version": jardins.version})
    import_rna(DATA / "rna_waldec_94.csv", "departement/94")
    jardins.refresh_from_db()
    assert not jardins.domains_inferred
    assert [d.code for d in jardins.domains.all()] == ["insertion_jeunes"]
