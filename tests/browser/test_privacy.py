"""A member reads what the site keeps about them, downloads all their data, then deletes
their account: the fiche they contributed stays, without their name."""

import json

import pytest
from django.apps import apps
from playwright.sync_api import expect

from practices.importer import clean_rows, save_rows
from practices.models import CaseStudy
from taxonomy.terms import load_terms
from territories.models import Level, Territory
from territories.projects import save_project

from .helpers import assert_accessible, assert_no_browser_errors, heading, log_in

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe solide"


@pytest.fixture
def member_with_data(territories, django_user_model):
    load_terms(apps)  # a transactional test before this one may have flushed them
    user = django_user_model.objects.create_user(email="dominique@example.org", password=PASSWORD,
                                                 display_name="Dominique")
    charenton = Territory.objects.get(level=Level.COMMUNE, code="94018")
    save_project(owner=user, name="Mon bassin de vie", description="", is_private=True, commune_ids=[charenton.pk])
    save_rows(clean_rows([{"slug": "ressourcerie", "title": "Ressourcerie de quartier", "summary": "Réemploi et insertion",
                           "territory": "commune/94018", "domains": ["numerique"]}]), author=user)
    CaseStudy.objects.filter(slug="ressourcerie").update(documented_by="Dominique")
    return user


def test_a_member_reads_the_privacy_page_downloads_their_data_and_deletes_their_account(page, live_server,
                                                                                       member_with_data):
    log_in(page, live_server.url, "dominique@example.org", PASSWORD)

    page.get_by_role("contentinfo").get_by_role("link", name="Données personnelles et confidentialité").click()
    expect(page).to_have_url(live_server.url + "/confidentialite/")
    expect(heading(page)).to_have_text("Données personnelles et confidentialité")
    assert_accessible(page)

    page.get_by_role("navigation", name="Mon compte").get_by_role("link", name="Dominique").click()
    expect(page.get_by_role("heading", name="Mes données")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger toutes mes données (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("mes-donnees-catalyseur-")
    data = json.loads(open(download.path(), encoding="utf-8").read())
    assert data["compte"]["adresse_email"] == "dominique@example.org"
    assert [f["slug"] for f in data["fiches_contribuees"]] == ["ressourcerie"]
    assert [t["nom"] for t in data["territoires_de_projet"]] == ["Mon bassin de vie"]

    page.get_by_role("link", name="Supprimer mon compte").click()
    expect(heading(page)).to_have_text("Supprimer mon compte")
    assert_accessible(page)
    password = page.get_by_label("Votre mot de passe (obligatoire)")
    password.fill("pas le bon")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_text("Mot de passe incorrect : votre compte n'a pas été supprimé.")).to_be_visible()
    expect(password).to_have_attribute("aria-describedby", "id_password_helptext id_password_errors")
    assert_accessible(page)

    password.fill(PASSWORD)
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(".messages")).to_contain_text("Votre compte et vos données personnelles ont été supprimés.")
    expect(page.get_by_role("navigation", name="Mon compte").get_by_role("link", name="Se connecter")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + "/pratiques/ressourcerie/")
    expect(page.get_by_text("Documentée par Contributeur·rice supprimé·e")).to_be_visible()
    assert not Territory.objects.filter(name="Mon bassin de vie").exists()
    assert_no_browser_errors(page, expected_http_errors=(live_server.url + "/compte/supprimer/",))
