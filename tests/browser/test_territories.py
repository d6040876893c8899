"""A visitor finds a territory and moves between the territories that contain each other."""

import re

import pytest
from playwright.sync_api import expect

from territories.models import Territory

from .helpers import assert_accessible, assert_no_browser_errors, heading, population_of, population_text

pytestmark = pytest.mark.browser


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page, live_server, territories):
    page.goto(live_server.url + "/")
    expect(heading(page)).to_have_text("Co-construire avec son territoire")
    assert_accessible(page)

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_text("Aller au contenu")
    expect(skip_link).to_be_visible()  # shown when focused, for sighted keyboard users
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
    assert_no_browser_errors(page)


def test_a_visitor_finds_orleans_with_the_keyboard_and_climbs_to_its_region_then_its_epci(page, live_server, territories):
    orleans = Territory.objects.get(level="commune", code="45234")
    page.goto(live_server.url + "/")
    assert_accessible(page)

    search = page.get_by_role("combobox", name="Rechercher un territoire")
    search.press_sequentially("orleans")
    suggestions = page.get_by_role("listbox", name="Suggestions de territoires")
    expect(suggestions).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    first = suggestions.get_by_role("option").first
    expect(first).to_contain_text("Orléans")
    expect(first).to_contain_text("Commune · 45234")
    assert_accessible(page)  # with the suggestions open

    search.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    search.press("Enter")

    expect(page).to_have_url(live_server.url + "/territoires/commune/45234/")
    expect(heading(page)).to_have_text("Orléans")
    expect(population_of(page)).to_have_text(population_text(orleans.population))
    assert_accessible(page)

    containing = page.get_by_role("region", name="Territoires qui le contiennent")
    containing.get_by_role("link", name="Loiret", exact=True).click()
    expect(page).to_have_url(live_server.url + "/territoires/departement/45/")
    expect(heading(page)).to_have_text("Loiret")
    assert_accessible(page)

    page.get_by_role("region", name="Territoires qui le contiennent").get_by_role("link", name="Centre-Val de Loire").click()
    expect(page).to_have_url(live_server.url + "/territoires/region/24/")
    expect(heading(page)).to_have_text("Centre-Val de Loire")
    assert_accessible(page)

    contained = page.get_by_role("region", name="Territoires qu'il contient")
    tabs = contained.get_by_role("listitem").get_by_role("link", name=re.compile(r"^(Départements|EPCI|Communes) \("))
    expect(tabs).to_have_count(3)
    expect(tabs.nth(0)).to_contain_text("Départements")
    expect(tabs.nth(1)).to_contain_text("EPCI")
    expect(tabs.nth(2)).to_contain_text("Communes")
    expect(tabs.nth(0)).to_have_attribute("aria-current", "true")

    tabs.nth(1).click()
    expect(page).to_have_url(re.compile(r"/territoires/region/24/\?niveau=epci"))
    contained = page.get_by_role("region", name="Territoires qu'il contient")
    expect(contained.get_by_role("link", name=re.compile(r"^EPCI \("))).to_have_attribute("aria-current", "true")
    expect(contained.get_by_role("heading", level=3)).to_have_text("EPCI")
    assert_accessible(page)

    contained.get_by_role("link", name="Orléans Métropole").click()
    expect(page).to_have_url(live_server.url + "/territoires/epci/244500468/")
    expect(heading(page)).to_have_text("Orléans Métropole")
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_without_javascript_the_search_form_lists_orleans_and_the_pages_still_work(page_without_js, live_server, territories):
    page = page_without_js
    page.goto(live_server.url + "/")
    assert_accessible(page)

    search = page.get_by_role("searchbox", name="Rechercher un territoire")
    expect(search).not_to_have_attribute("role", "combobox")  # no enhancement without JavaScript
    search.fill("orleans")
    page.get_by_role("search").get_by_role("button", name="Rechercher").click()

    expect(page).to_have_url(live_server.url + "/territoires/?q=orleans")
    expect(page.get_by_role("searchbox", name="Rechercher un territoire")).to_have_value("orleans")
    results = page.get_by_role("region", name=re.compile(r"résultats? pour « orleans »"))
    expect(results.get_by_role("listitem").first).to_contain_text("Orléans")
    expect(results.get_by_role("link").first).to_have_text("Orléans")
    expect(results).to_contain_text("Orléans Métropole")
    assert_accessible(page)

    results.get_by_role("link", name="Orléans", exact=True).click()
    expect(page).to_have_url(live_server.url + "/territoires/commune/45234/")
    expect(heading(page)).to_have_text("Orléans")
    assert_accessible(page)

    page.get_by_role("region", name="Territoires qui le contiennent").get_by_role("link", name="Loiret").click()
    expect(heading(page)).to_have_text("Loiret")
    page.get_by_role("region", name="Territoires qu'il contient").get_by_role("link", name=re.compile(r"^Communes \(")).click()
    expect(page).to_have_url(re.compile(r"/territoires/departement/45/\?niveau=commune"))
    expect(page.get_by_role("region", name="Territoires qu'il contient").get_by_role("link", name="Orléans")).to_be_visible()
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_an_unknown_territory_shows_a_french_not_found_page(page, live_server, territories):
    url = live_server.url + "/territoires/commune/99999/"

    response = page.goto(url)

    assert response.status == 404
    expect(heading(page)).to_have_text("Page introuvable")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_title(re.compile("^Page introuvable"))
    expect(page.get_by_role("link", name="Retour à l'accueil")).to_be_visible()
    expect(page.get_by_role("combobox", name="Rechercher un territoire")).to_be_visible()
    assert_accessible(page)
    assert_no_browser_errors(page, expected_http_errors=(url,))


def test_the_communes_of_a_departement_are_paged_in_place_page_after_page(page, live_server, territories, settings):
    settings.TERRITORY_CHILDREN_PER_PAGE = 2  # Loiret's 6 sample communes: 3 pages
    page.goto(live_server.url + "/territoires/departement/45/?niveau=commune")
    expect(page.get_by_text("Page 1 sur 3")).to_be_visible()
    assert_accessible(page)
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

    for number in (2, 3):
        page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Suivants →").click()
        expect(page.get_by_text(f"Page {number} sur 3")).to_be_visible()
        expect(page).to_have_url(re.compile(rf"\?niveau=commune&page={number}$"))
        # The list is replaced, not the page nested into itself.
        expect(heading(page)).to_have_count(1)
        expect(page.locator("main")).to_have_count(1)
        expect(page.locator("#children")).to_have_count(1)
        assert page.evaluate("() => window.sameDocument") is True
        assert_accessible(page)

    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="← Précédents").click()
    expect(page.get_by_text("Page 2 sur 3")).to_be_visible()
    expect(heading(page)).to_have_count(1)
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_without_javascript_the_pages_of_communes_are_plain_links(page_without_js, live_server, territories, settings):
    settings.TERRITORY_CHILDREN_PER_PAGE = 2
    page = page_without_js
    page.goto(live_server.url + "/territoires/departement/45/?niveau=commune")
    expect(page.get_by_text("Page 1 sur 3")).to_be_visible()
    assert_accessible(page)

    for number in (2, 3):
        page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Suivants →").click()
        expect(page).to_have_url(re.compile(rf"\?niveau=commune&page={number}$"))
        expect(page.get_by_text(f"Page {number} sur 3")).to_be_visible()
        expect(heading(page)).to_have_text("Loiret")
        assert_accessible(page)
    assert_no_browser_errors(page)
