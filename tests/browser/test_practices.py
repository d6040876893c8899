"""A visitor searches the case-study base, narrows it with facets, and opens a fiche."""

import pytest
from playwright.sync_api import expect

from django.apps import apps

from practices.importer import clean_rows, save_rows
from practices.tests.sample_fiches import FICHES
from taxonomy.terms import load_terms

from .helpers import assert_accessible, assert_no_browser_errors, heading

pytestmark = pytest.mark.browser


@pytest.fixture
def practices(territories):
    # A transactional test before this one may have flushed the rows of the data migrations.
    load_terms(apps)
    save_rows(clean_rows(FICHES))


def test_a_visitor_searches_practices_narrows_by_facet_in_place_and_opens_a_fiche(page, live_server, practices):
    page.goto(live_server.url + "/pratiques/")
    expect(heading(page)).to_have_text("Pratiques innovantes")
    assert_accessible(page)
    expect(page.locator("#results-count")).to_have_text("3 pratiques")

    page.get_by_label("Rechercher dans les pratiques").fill("partenariats")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#results-count")).to_have_text("2 pratiques")
    expect(page).to_have_url(live_server.url + "/pratiques/?q=partenariats")
    expect(page.locator(".practice-card h3").first).to_have_text("Un laboratoire régional")
    expect(page.locator(".snippet mark").first).to_have_text("partenariats")
    assert_accessible(page)

    # The facet narrows the results in place (htmx) and the URL says so.
    page.locator(".facets").get_by_role("link", name="Insertion des jeunes (1)").click()
    expect(page.locator("#results-count")).to_have_text("1 pratique")
    expect(page).to_have_url(live_server.url + "/pratiques/?q=partenariats&domaine=insertion_jeunes")
    assert page.locator("h1").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Chantier d'insertion").click()
    expect(heading(page)).to_have_text("Chantier d'insertion")
    expect(page.get_by_role("link", name="Orléans")).to_be_visible()
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_without_javascript_the_territory_facet_drills_down_by_containment(page_without_js, live_server, practices):
    page = page_without_js
    page.goto(live_server.url + "/pratiques/")
    page.locator(".facets").get_by_role("link", name="Île-de-France (1)").click()
    expect(page).to_have_url(live_server.url + "/pratiques/?territoire=region%2F11")
    expect(page.locator("#results-count")).to_have_text("1 pratique")
    page.locator(".facets").get_by_role("link", name="Val-de-Marne (1)").click()
    expect(page.locator(".practice-card h3")).to_have_text("Des seniors et des tablettes")
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_a_member_contributes_a_fiche_an_editor_publishes_it_and_anyone_finds_it(new_page, live_server, practices, django_user_model):
    from .helpers import log_in

    django_user_model.objects.create_user(email="contrib@example.org", password="un mot de passe solide")
    django_user_model.objects.create_user(email="relecture@example.org", password="un mot de passe solide", role="editor")

    page = new_page()
    log_in(page, live_server.url, "contrib@example.org", "un mot de passe solide")
    page.goto(live_server.url + "/pratiques/contribuer/")
    assert_accessible(page)
    page.get_by_label("Titre (obligatoire)").fill("Jardin partagé des Blossières")
    page.get_by_label("Résumé (obligatoire)").fill("Un jardin cultivé par des habitants et une entreprise voisine.")
    territory = page.get_by_role("combobox", name="Territoire")
    territory.press_sequentially("orleans")
    page.get_by_role("option", name="Orléans Commune").first.click()
    expect(territory).to_have_value("commune/45234")
    page.get_by_label("Résultats", exact=True).fill("Quarante familles récoltent des légumes chaque semaine.")
    page.get_by_label("Environnement").check()
    page.get_by_role("button", name="Prévisualiser").click()
    expect(page.get_by_role("heading", name="Prévisualisation")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Soumettre à relecture").click()
    expect(page.locator("td .status-submitted")).to_have_text("Soumise à relecture")
    assert_no_browser_errors(page)

    editor = new_page()
    log_in(editor, live_server.url, "relecture@example.org", "un mot de passe solide")
    editor.goto(live_server.url + "/pratiques/moderation/")
    editor.get_by_role("link", name="Jardin partagé des Blossières").click()
    assert_accessible(editor)
    editor.get_by_label("Publier").check()
    editor.get_by_role("button", name="Valider la décision").click()
    expect(editor.get_by_text("Aucune fiche n'attend de relecture.")).to_be_visible()
    assert_no_browser_errors(editor)

    visitor = new_page()
    visitor.goto(live_server.url + "/pratiques/?q=légume")
    expect(visitor.locator(".practice-card h3")).to_have_text("Jardin partagé des Blossières")
    expect(visitor.locator(".snippet mark")).to_have_text("légumes")
    assert_no_browser_errors(visitor)
