"""A member draws a project territory: signs up, picks communes (or whole EPCI and
départements) and reads the population of the whole."""

import re

import pytest
from playwright.sync_api import Page, expect

from territories.models import Territory
from territories.normalize import searchable

from .helpers import assert_accessible, assert_no_browser_errors, heading, log_in, population_of, population_text

pytestmark = pytest.mark.browser

PICKER_LABEL = "Ajouter une commune, un EPCI, un département ou une région"


def communes_inside(level: str, code: str) -> list[Territory]:
    return list(
        Territory.objects.filter(
            level="commune", is_obsolete=False, ancestor_links__ancestor__level=level, ancestor_links__ancestor__code=code
        )
    )


def suggestions(page: Page):
    return page.get_by_role("listbox", name="Suggestions de territoires")


def chosen(page: Page):
    return page.get_by_role("list", name="Territoires choisis")


def test_a_new_member_signs_up_and_draws_a_project_territory_of_three_communes(page, live_server, territories, django_user_model):
    communes = {code: Territory.objects.get(level="commune", code=code) for code in ("94018", "94069", "94046")}
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Mon compte").get_by_role("link", name="Créer un compte").click()

    expect(page).to_have_url(live_server.url + "/compte/inscription/")
    expect(heading(page)).to_have_text("Créer un compte")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail (obligatoire)", exact=True).fill("camille@example.org")
    page.get_by_label("Nom affiché (facultatif)", exact=True).fill("Camille")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill("bords de marne 2025")
    page.get_by_label("Confirmation du mot de passe (obligatoire)", exact=True).fill("bords de marne 2025")
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page).to_have_url(live_server.url + "/compte/")
    expect(page.get_by_role("status")).to_contain_text("Bienvenue ! Votre compte est créé.")
    expect(page.get_by_role("navigation", name="Mon compte").get_by_role("link", name="Camille")).to_be_visible()
    assert_accessible(page)
    camille = django_user_model.objects.get(email="camille@example.org")

    page.get_by_role("main").get_by_role("link", name="Créer un territoire de projet").click()
    expect(page).to_have_url(live_server.url + "/territoires/projet/nouveau/")
    expect(heading(page)).to_have_text("Nouveau territoire de projet")
    expect(chosen(page)).to_be_attached()
    expect(page.get_by_text("Aucun territoire choisi pour l'instant.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Nom du territoire de projet (obligatoire)", exact=True).fill("Confluence Marne-Seine")
    picker = page.get_by_role("combobox", name=PICKER_LABEL)

    # Charenton-le-Pont, with the arrow keys.
    picker.press_sequentially("charenton")
    expect(suggestions(page).get_by_role("option").first).to_contain_text("Charenton-le-Pont")
    assert_accessible(page)
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(chosen(page).get_by_role("button", name="Retirer Charenton-le-Pont (Commune, 94018)")).to_be_visible()
    expect(picker).to_have_value("")
    expect(picker).to_be_focused()
    expect(suggestions(page)).to_be_hidden()

    # Saint-Maurice, with the mouse.
    picker.press_sequentially("saint-maurice")
    suggestions(page).get_by_role("option", name=re.compile(r"^Saint-Maurice")).click()
    expect(chosen(page).get_by_role("button", name="Retirer Saint-Maurice (Commune, 94069)")).to_be_visible()

    # Maisons-Alfort: Enter takes the first suggestion.
    picker.press_sequentially("maisons-alfort")
    expect(suggestions(page).get_by_role("option").first).to_contain_text("Maisons-Alfort")
    picker.press("Enter")
    expect(chosen(page).get_by_role("button", name="Retirer Maisons-Alfort (Commune, 94046)")).to_be_visible()

    expect(chosen(page).get_by_role("listitem")).to_have_count(3)
    expect(page.get_by_text("Aucun territoire choisi pour l'instant.")).to_be_hidden()
    assert_accessible(page)
    page.get_by_role("button", name="Créer le territoire de projet").click()

    expect(page).to_have_url(re.compile(r"/territoires/project/[a-z0-9-]+/$"))
    expect(heading(page)).to_have_text("Confluence Marne-Seine")
    total = sum(commune.population for commune in communes.values())
    expect(population_of(page)).to_have_text(population_text(total))
    expect(page.get_by_role("status")).to_contain_text("Territoire de projet « Confluence Marne-Seine » créé")
    contained = page.get_by_role("region", name="Territoires qu'il contient")
    expect(contained.get_by_role("link", name=re.compile(r"^Communes \("))).to_contain_text("(3)")
    expect(contained.locator("#children").get_by_role("link")).to_have_text(["Charenton-le-Pont", "Maisons-Alfort", "Saint-Maurice"])
    assert_accessible(page)

    project = Territory.objects.get(level="project", name="Confluence Marne-Seine")
    assert project.owner == camille
    assert page.url == live_server.url + project.get_absolute_url()
    assert {commune.code for commune in project.communes()} == set(communes)
    assert project.population == total
    assert_no_browser_errors(page)


def test_a_member_adds_a_whole_departement_and_a_whole_epci_with_the_picker(page, live_server, territories, member):
    loiret_communes = communes_inside("departement", "45")
    pau_communes = communes_inside("epci", "200067254")
    assert loiret_communes and pau_communes
    expected = {commune.code: commune for commune in loiret_communes + pau_communes}
    log_in(page, live_server.url, member.email, "un mot de passe solide")
    page.goto(live_server.url + "/territoires/projet/nouveau/")
    assert_accessible(page)

    page.get_by_label("Nom du territoire de projet (obligatoire)", exact=True).fill("Loiret et Pau")
    picker = page.get_by_role("combobox", name=PICKER_LABEL)
    picker.press_sequentially("loiret")
    suggestions(page).get_by_role("option", name=re.compile(r"^Loiret")).filter(has_text="Département · 45").click()
    expect(chosen(page).get_by_role("button", name="Retirer Loiret (Département)")).to_be_visible()

    picker.press_sequentially("pau")
    suggestions(page).get_by_role("option").filter(has_text="CA Pau Béarn Pyrénées").click()
    expect(chosen(page).get_by_role("button", name="Retirer CA Pau Béarn Pyrénées (EPCI)")).to_be_visible()

    # A département added by mistake, then taken back.
    picker.press_sequentially("val-de-marne")
    suggestions(page).get_by_role("option").filter(has_text="Département · 94").click()
    remove_val_de_marne = chosen(page).get_by_role("button", name="Retirer Val-de-Marne (Département)")
    expect(remove_val_de_marne).to_be_visible()
    remove_val_de_marne.click()
    expect(remove_val_de_marne).to_have_count(0)
    expect(picker).to_be_focused()
    expect(chosen(page).get_by_role("listitem")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("button", name="Créer le territoire de projet").click()

    expect(heading(page)).to_have_text("Loiret et Pau")
    expect(population_of(page)).to_have_text(population_text(sum(c.population for c in expected.values())))
    contained = page.get_by_role("region", name="Territoires qu'il contient")
    expect(contained.get_by_role("link", name=re.compile(r"^Communes \("))).to_contain_text(f"({len(expected)})")
    in_page_order = sorted(expected.values(), key=lambda commune: (searchable(commune.name), commune.code))
    expect(contained.locator("#children").get_by_role("link")).to_have_text([c.name for c in in_page_order])
    assert_accessible(page)
    project = Territory.objects.get(level="project", name="Loiret et Pau")
    assert {c.code for c in project.communes()} == set(expected)
    assert_no_browser_errors(page)


def test_pressing_enter_before_the_suggestions_arrive_does_not_submit_the_project_form(page, live_server, territories, member):
    log_in(page, live_server.url, member.email, "un mot de passe solide")
    page.goto(live_server.url + "/territoires/projet/nouveau/")
    assert_accessible(page)
    page.get_by_label("Nom du territoire de projet (obligatoire)", exact=True).fill("Trop rapide")
    picker = page.get_by_role("combobox", name=PICKER_LABEL)
    picker.press_sequentially("charenton")
    expect(suggestions(page).get_by_role("option").first).to_contain_text("Charenton-le-Pont")
    picker.press("Enter")
    expect(chosen(page).get_by_role("listitem")).to_have_count(1)

    # A quick typist: Enter right after the last letter, before the suggestions are shown.
    picker.press_sequentially("saint-maurice")
    picker.press("Enter")

    saint_maurice_offered_or_chosen = suggestions(page).get_by_role("option", name=re.compile(r"^Saint-Maurice")).or_(
        chosen(page).get_by_role("button", name="Retirer Saint-Maurice (Commune, 94069)")
    )
    expect(
        saint_maurice_offered_or_chosen, "Entrée dans le sélecteur a envoyé le formulaire au lieu d'attendre les suggestions"
    ).to_be_visible()
    expect(page).to_have_url(live_server.url + "/territoires/projet/nouveau/")
    assert not Territory.objects.filter(level="project").exists()
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_without_javascript_an_unknown_commune_code_is_named_in_a_french_error_and_nothing_is_created(
    page_without_js, live_server, territories, member
):
    page = page_without_js
    log_in(page, live_server.url, member.email, "un mot de passe solide")
    page.goto(live_server.url + "/territoires/projet/nouveau/")
    expect(heading(page)).to_have_text("Nouveau territoire de projet")
    expect(page.get_by_role("combobox", name=PICKER_LABEL)).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Nom du territoire de projet (obligatoire)", exact=True).fill("Orléans et une erreur")
    members = page.get_by_role("textbox", name="Communes, EPCI ou départements")
    members.fill("45234\n12345")
    page.get_by_role("button", name="Créer le territoire de projet").click()

    expect(page).to_have_url(live_server.url + "/territoires/projet/nouveau/")
    expect(page.locator(".field-errors")).to_have_text("Commune « 12345 » : introuvable parmi les territoires officiels actuels")
    expect(members).to_have_value("45234\n12345")
    expect(members).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nom du territoire de projet (obligatoire)", exact=True)).to_have_value("Orléans et une erreur")
    assert_accessible(page)
    assert not Territory.objects.filter(level="project").exists()
    assert_no_browser_errors(page)
