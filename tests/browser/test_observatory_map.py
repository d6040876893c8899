"""A visitor reads the map of a portrait: the choropleth and its legend, a territory's
tooltip under the pointer and on keyboard focus, the form that redraws the map, the table
and the URL, demo figures said to be so, and the same page without JavaScript."""

import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from observatory import cache
from observatory.aggregation import aggregate
from observatory.loading import write_catalogue
from observatory.sources import SourceValue
from observatory.store import write_source_values
from taxonomy.terms import load_terms
from territories.models import Level, Territory

from .helpers import assert_accessible, assert_no_browser_errors, heading
from .test_map import without_tiles

pytestmark = pytest.mark.browser

# Poverty rates of the Loiret's communes; Pithiviers under statistical secrecy (a blank).
POVERTY = {"45234": 22.0, "45232": 8.0, "45147": 18.0, "45284": 12.0, "45302": 10.0, "45252": None}
CENTRES = {"45234": (47.90, 1.90), "45232": (47.86, 1.90), "45147": (47.93, 1.91), "45284": (47.91, 1.97), "45302": (47.95, 1.86)}
PORTRAIT = "/territoires/departement/45/portrait/?niveau=commune&indicateur=taux_pauvrete"


@pytest.fixture
def observatory_figures(territories):
    load_terms(apps)  # a transactional test before this one may have flushed them
    cache.clear()
    indicators = write_catalogue()
    for code, (latitude, longitude) in CENTRES.items():
        Territory.objects.filter(level=Level.COMMUNE, code=code).update(latitude=latitude, longitude=longitude)
    rows = [SourceValue("taux_pauvrete", Level.COMMUNE, code, 2021, value) for code, value in POVERTY.items()]
    rows += [SourceValue("demo_sante", Level.DEPARTEMENT, code, 2020, value)
             for code, value in {"33": 12.5, "64": 30.0, "45": 20.0}.items()]
    write_source_values(rows, indicators)
    aggregate([indicators["taux_pauvrete"], indicators["demo_sante"]])
    cache.clear()
    yield
    cache.clear()


def choropleth(page):
    return page.locator("[data-choropleth-map]")


def features(page):
    return page.locator(".choropleth-feature")


def legend(page):
    return page.locator("[data-choropleth-legend]")


def table_rows(page):
    return page.locator(".choropleth-table tbody tr")


def tooltip(page):
    return page.locator(".leaflet-tooltip")


def tab_to_the_map_s_territories(page):
    """From the form's button, Tab until a territory of the map has the focus."""
    page.get_by_role("button", name="Afficher la carte").focus()
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('choropleth-feature')"):
            return
    pytest.fail("Aucun territoire de la carte n'a reçu le focus au clavier.")


def test_a_visitor_reads_the_map_of_a_portrait_with_the_pointer_and_the_keyboard(page, live_server, observatory_figures):
    without_tiles(page)
    page.goto(live_server.url + PORTRAIT)
    expect(heading(page)).to_have_text("Portrait de territoire : Loiret")
    expect(page.get_by_role("heading", name="Carte", exact=True)).to_be_visible()
    expect(choropleth(page)).to_have_attribute("data-state", "ready")
    expect(features(page)).to_have_count(6)  # every commune of the Loiret has a contour
    expect(legend(page)).to_contain_text("Taux de pauvreté (%) en 2021 : communes — Loiret")
    expect(legend(page).locator("li")).to_have_count(6)  # five quantile classes and "non publié"
    expect(legend(page).locator("li").first).to_have_text("de 8,0 à 9,6 % (1)")
    expect(legend(page).locator("li").last).to_have_text("non publié (1)")
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("ADMIN EXPRESS")
    # The blank is hatched (a pattern), not the colour of a value.
    blank = page.locator('.choropleth-feature[data-code="45252"]')
    expect(blank).to_have_attribute("fill", "url(#choropleth-hatch)")
    expect(page.locator("#choropleth-hatch")).to_have_count(1)
    expect(page.locator('.choropleth-feature[data-code="45234"]')).to_have_attribute("fill", "#253494")
    assert_accessible(page)

    # Under the pointer.
    page.locator('.choropleth-feature[data-code="45234"]').hover()
    expect(tooltip(page)).to_contain_text("Orléans")
    expect(tooltip(page)).to_contain_text("22,0 %")
    page.mouse.move(5, 5)

    # With the keyboard: one Tab stop, then the arrows, in alphabetical order.
    tab_to_the_map_s_territories(page)
    focused = page.locator(".choropleth-feature:focus")
    expect(focused).to_have_attribute("aria-label", "Fleury-les-Aubrais : 18,0 % ; classe 4 sur 5 (plus de 14,4 à 18,8)")
    expect(tooltip(page)).to_be_visible()
    expect(tooltip(page)).to_contain_text("Fleury-les-Aubrais")
    expect(tooltip(page)).to_contain_text("classe 4 sur 5")
    page.keyboard.press("ArrowRight")
    expect(focused).to_have_attribute("data-code", "45232")
    expect(tooltip(page)).to_contain_text("Olivet")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(focused).to_have_attribute("data-code", "45252")
    expect(tooltip(page)).to_contain_text("Pithiviers")
    expect(tooltip(page)).to_contain_text("non publié")
    expect(focused).to_have_attribute("aria-label", "Pithiviers : non publié")
    page.keyboard.press("End")
    expect(tooltip(page)).to_contain_text("Saran")
    page.keyboard.press("Home")
    expect(tooltip(page)).to_contain_text("Fleury-les-Aubrais")
    # Only one territory is in the Tab order at a time.
    expect(page.locator('.choropleth-feature[tabindex="0"]')).to_have_count(1)
    assert_accessible(page)

    # The data table below the map.
    expect(table_rows(page)).to_have_count(6)
    expect(table_rows(page).filter(has_text="Pithiviers")).to_contain_text("non publié")
    expect(table_rows(page).filter(has_text="Orléans")).to_contain_text("classe 5 sur 5")

    # Another level: the EPCI, drawn as points; the table and the URL follow.
    page.get_by_label("Territoires à colorer").select_option("epci")
    expect(page.locator("[data-choropleth-status]")).to_contain_text("EPCI")
    expect(page).to_have_url(re.compile(r"niveau=epci"))
    expect(page.locator(".choropleth-table caption")).to_contain_text("EPCI — Loiret")
    expect(features(page)).to_have_count(1)  # Orléans Métropole; the Pithiverais has no centre here
    expect(table_rows(page)).to_have_count(2)
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_a_map_of_demo_figures_says_so_and_a_choice_without_figures_is_explained(page, live_server, observatory_figures):
    without_tiles(page)
    page.goto(live_server.url + "/territoires/region/75/portrait/?niveau=departement&indicateur=demo_sante")
    expect(choropleth(page)).to_have_attribute("data-state", "ready")
    expect(legend(page)).to_contain_text("données de démonstration")
    expect(page.locator(".choropleth-table caption")).to_contain_text("données de démonstration")
    tab_to_the_map_s_territories(page)
    expect(tooltip(page)).to_contain_text("données de démonstration")
    assert_accessible(page)

    page.get_by_label("Territoires à colorer").select_option("commune")
    expect(page.get_by_label("Département (carte des communes)")).to_be_visible()
    status = page.locator("[data-choropleth-status]")
    expect(status).to_contain_text("n'a pas de valeur pour les communes")
    expect(choropleth(page)).to_have_attribute("data-state", "error")
    expect(features(page)).to_have_count(0)
    assert_accessible(page)
    assert_no_browser_errors(page, expected_http_errors=tuple(
        live_server.url + f"/observatoire/carte/donnees.geojson?indicateur=demo_sante&niveau=commune&departement={code}"
        "&territoire=region%2F75" for code in ("33", "64")
    ))


def test_the_france_map_page(page, live_server, observatory_figures):
    without_tiles(page)
    page.goto(live_server.url + "/observatoire/carte/?indicateur=taux_pauvrete")
    expect(heading(page)).to_have_text("Cartes de l'observatoire")
    expect(choropleth(page)).to_have_attribute("data-state", "ready")
    expect(features(page)).to_have_count(5)  # the sample's régions, overseas too
    page.get_by_label("Territoires à colorer").select_option("commune")
    page.get_by_label("Département (carte des communes)").select_option("45")
    expect(page.locator(".choropleth-table caption")).to_contain_text("communes — Loiret")
    expect(features(page)).to_have_count(6)
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_without_javascript_the_table_gives_name_value_and_class(page_without_js, live_server, observatory_figures):
    page = page_without_js
    page.goto(live_server.url + PORTRAIT)
    expect(page.get_by_text("La carte a besoin de JavaScript. Le tableau ci-dessous donne les mêmes valeurs et leurs classes.")
           ).to_be_visible()
    expect(page.locator("[data-choropleth-keys]")).to_be_hidden()
    expect(table_rows(page)).to_have_count(6)
    orleans = table_rows(page).filter(has_text="Orléans")
    expect(orleans.locator("td")).to_have_text(["45234", "22,0", "classe 5 sur 5 (plus de 18,8 à 22,0)"])
    expect(table_rows(page).filter(has_text="Pithiviers").locator("td")).to_have_text(["45252", "non publié", "non publié"])
    expect(legend(page).locator("li")).to_have_count(6)
    assert_accessible(page)

    page.get_by_label("Territoires à colorer").select_option("epci")
    page.get_by_role("button", name="Afficher la carte").click()
    expect(page).to_have_url(re.compile(r"niveau=epci.*#carte$"))
    expect(page.locator(".choropleth-table caption")).to_contain_text("EPCI — Loiret")
    expect(table_rows(page)).to_have_count(2)
    assert_accessible(page)
    assert_no_browser_errors(page)
