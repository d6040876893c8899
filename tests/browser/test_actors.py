"""A member claims an association, an editor accepts, the member proposes a partnership with
a company, the company confirms it, and it shows in the network of the département."""

import pytest
from django.apps import apps
from playwright.sync_api import expect

from actors.models import Kind, Organization
from taxonomy.terms import load_terms
from territories.centres import import_commune_centres
from territories.models import Level, Territory

from .helpers import assert_accessible, assert_no_browser_errors, heading, log_in

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe solide"


@pytest.fixture
def organizations(territories):
    load_terms(apps)  # a transactional test before this one may have flushed them
    import_commune_centres()
    charenton = Territory.objects.get(level=Level.COMMUNE, code="94018")
    saint_maurice = Territory.objects.get(level=Level.COMMUNE, code="94069")
    Organization.objects.create(slug="jardins", name="Jardins du Bras-du-Chapitre (fictive)", kind=Kind.ASSOCIATION,
                                rna="W941001234", commune=charenton)
    Organization.objects.create(slug="boulangerie", name="Boulangerie du Pont (fictive)", kind=Kind.ENTREPRISE,
                                siret="44306184100047", commune=saint_maurice)


def test_claim_partnership_confirmation_and_network(new_page, live_server, organizations, django_user_model):
    django_user_model.objects.create_user(email="presidente@example.org", password=PASSWORD)
    django_user_model.objects.create_user(email="boulanger@example.org", password=PASSWORD)
    django_user_model.objects.create_user(email="edition@example.org", password=PASSWORD, role="editor")

    member = new_page()
    log_in(member, live_server.url, "presidente@example.org", PASSWORD)
    member.goto(live_server.url + "/acteurs/?q=jardins")
    member.get_by_role("link", name="Jardins du Bras-du-Chapitre (fictive)").click()
    expect(heading(member)).to_have_text("Jardins du Bras-du-Chapitre (fictive)")
    expect(member.get_by_text("placée au centre de sa commune")).to_be_visible()
    assert_accessible(member)
    member.get_by_label("Votre lien avec l'organisation").fill("Je suis la présidente de l'association.")
    member.get_by_role("button", name="Demander à gérer cette organisation").click()
    expect(member.get_by_text("Demande envoyée")).to_be_visible()

    boulanger = new_page()
    log_in(boulanger, live_server.url, "boulanger@example.org", PASSWORD)
    boulanger.goto(live_server.url + "/acteurs/organisations/boulangerie/")
    boulanger.get_by_label("Votre lien avec l'organisation").fill("Je suis le gérant.")
    boulanger.get_by_role("button", name="Demander à gérer cette organisation").click()

    editor = new_page()
    log_in(editor, live_server.url, "edition@example.org", PASSWORD)
    editor.goto(live_server.url + "/acteurs/demandes/")
    assert_accessible(editor)
    for name in ("Jardins du Bras-du-Chapitre (fictive)", "Boulangerie du Pont (fictive)"):
        section = editor.locator("section.panel").filter(has=editor.get_by_role("link", name=name))
        section.get_by_label("Accepter").check()
        section.get_by_role("button", name="Enregistrer la décision").click()
        expect(editor.get_by_text("acceptée")).to_be_visible()
    expect(editor.get_by_text("Aucune demande en attente.")).to_be_visible()
    assert_no_browser_errors(editor)

    member.goto(live_server.url + "/acteurs/organisations/boulangerie/")
    member.get_by_role("link", name="Proposer un partenariat avec cette organisation").click()
    assert_accessible(member)
    member.get_by_label("Intitulé (obligatoire)").fill("Pain solidaire")
    member.get_by_label("Mécénat").check()
    member.get_by_label("Ressources humaines").check()
    member.get_by_role("button", name="Proposer").click()
    expect(heading(member)).to_have_text("Pain solidaire")
    expect(member.get_by_text("Proposé, en attente de confirmation")).to_be_visible()
    assert_accessible(member)
    assert_no_browser_errors(member)
    partnership_url = member.url

    # Not in the network until the company confirms.
    visitor = new_page()
    visitor.goto(live_server.url + "/acteurs/reseau/departement/94/")
    expect(visitor.get_by_text("Aucun partenariat actif n'est encore déclaré sur ce territoire.")).to_be_visible()

    boulanger.goto(partnership_url)
    boulanger.get_by_label("Économique").check()
    boulanger.get_by_role("button", name="Confirmer ce partenariat").click()
    expect(boulanger.get_by_text("Statut : Actif")).to_be_visible()
    assert_no_browser_errors(boulanger)

    visitor.goto(live_server.url + "/acteurs/reseau/departement/94/")
    expect(heading(visitor)).to_have_text("Le réseau des partenariats : Val-de-Marne")
    expect(visitor.get_by_role("row", name="Association – Entreprise 1")).to_be_visible()
    expect(visitor.locator("svg.network-svg circle")).to_have_count(2)
    assert_accessible(visitor)
    assert_no_browser_errors(visitor)
