"""A visitor explores the map of the actors: markers and clusters beside the list of the
same results, a filter that updates both and the URL, the code to embed the map, the
embedded map inside another site's page, and the page without JavaScript."""

import html
import re
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.apps import apps
from playwright.sync_api import expect

from actors import map as actors_map
from actors.models import Kind, Organization
from taxonomy.terms import load_terms
from territories.centres import import_commune_centres
from territories.models import Level, Territory

from .helpers import assert_accessible, assert_no_browser_errors, heading

pytestmark = pytest.mark.browser


def transparent_pixel() -> bytes:
    """A 1×1 PNG, fully transparent (RGBA 0, 0, 0, 0)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1×1, 8 bits, RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b"")


# The tests never reach the internet: every OpenStreetMap tile is this empty pixel.
EMPTY_TILE = transparent_pixel()


def without_tiles(page):
    page.route("https://tile.openstreetmap.org/**",
               lambda route: route.fulfill(status=200, content_type="image/png", body=EMPTY_TILE))
    return page


@pytest.fixture
def actors_on_map(territories):
    load_terms(apps)  # a transactional test before this one may have flushed them
    import_commune_centres()
    commune = {code: Territory.objects.get(level=Level.COMMUNE, code=code) for code in ("94018", "94069", "45234")}
    Organization.objects.create(slug="aidants", name="Association des aidants (fictive)", kind=Kind.ASSOCIATION,
                                commune=commune["94018"])
    Organization.objects.create(slug="mairie", name="Mairie de Charenton (fictive)", kind=Kind.COLLECTIVITE,
                                commune=commune["94018"], latitude=48.8219, longitude=2.4110)
    Organization.objects.create(slug="pont", name="Pont numérique (fictive)", kind=Kind.ENTREPRISE,
                                commune=commune["94069"], latitude=48.8185, longitude=2.4345)
    Organization.objects.create(slug="loire", name="Fondation Loire solidaire", kind=Kind.FONDATION,
                                commune=commune["45234"], is_demo=True)


def results_title(page):
    return page.locator("#map-results-title")


def markers(page):
    return page.locator("#actors-map .leaflet-marker-icon")


def test_a_visitor_sees_the_map_and_the_list_then_filters_by_kind(page, live_server, actors_on_map):
    without_tiles(page)
    page.goto(live_server.url + "/carte/")
    expect(heading(page)).to_have_text("Carte des acteurs")
    expect(page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Carte")).to_have_attribute(
        "aria-current", "page")
    expect(results_title(page)).to_have_text("4 résultats")
    expect(page.locator(".map-item h3")).to_have_text([
        "Association des aidants (fictive)", "Fondation Loire solidaire donnée de démonstration",
        "Mairie de Charenton (fictive)", "Pont numérique (fictive)",
    ])
    # Few matches: points, those close together grouped in the browser.
    expect(page.locator("#actors-map")).to_have_attribute("data-mode", "points")
    expect(markers(page).first).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    assert_accessible(page)

    page.get_by_label("Nature de l'acteur").select_option("entreprise")
    expect(results_title(page)).to_have_text("1 résultat")
    expect(page).to_have_url(live_server.url + "/carte/?nature=entreprise")
    expect(page.locator(".map-item h3")).to_have_text(["Pont numérique (fictive)"])
    expect(page.locator("#map-status")).to_have_text("1 résultat")
    expect(page.locator("#embed-code")).to_have_value(re.compile(r"/carte/integrer/\?nature=entreprise"))
    expect(markers(page)).to_have_count(1)
    expect(page.locator("#actors-map")).to_have_attribute("data-total", "1")

    markers(page).first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Pont numérique (fictive)")
    expect(popup).to_contain_text("Point placé à l'adresse, Saint-Maurice.")
    expect(page.get_by_role("button", name="Fermer")).to_be_visible()
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_many_matches_are_clusters_drawn_from_the_server(page, live_server, actors_on_map, monkeypatch):
    monkeypatch.setattr(actors_map, "FEW_POINTS", 0)  # the live server runs in this process
    without_tiles(page)
    page.goto(live_server.url + "/carte/")
    expect(results_title(page)).to_have_text("4 résultats")
    expect(page.locator("#actors-map")).to_have_attribute("data-mode", "clusters")
    # At the zoom of the whole country, Orléans and Charenton share a cell.
    cluster = page.get_by_role("button", name="Regroupement de 4 organisations : zoomer dessus")
    expect(cluster).to_contain_text("4")
    assert_accessible(page)
    cluster.focus()
    page.keyboard.press("Enter")  # zooms on the cell; the server answers for the new view
    expect(page.get_by_role("button", name="Regroupement de 3 organisations : zoomer dessus")).to_be_visible()
    # A cell holding one match is that point.
    expect(page.get_by_role("button", name="Organisation : Fondation Loire solidaire (point placé au centre de la commune)")
           ).to_be_visible()
    expect(page.locator("#map-message")).to_have_text("4 résultats dans la zone affichée.")
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_the_territory_filter_uses_the_autocomplete_and_moves_the_map(page, live_server, actors_on_map):
    without_tiles(page)
    page.goto(live_server.url + "/carte/")
    expect(results_title(page)).to_have_text("4 résultats")
    territory = page.get_by_role("combobox", name="Territoire")
    territory.press_sequentially("orleans")
    page.get_by_role("option", name="Orléans Commune").first.click()
    expect(territory).to_have_value("commune/45234")
    expect(results_title(page)).to_have_text("1 résultat")
    expect(page).to_have_url(live_server.url + "/carte/?territoire=commune%2F45234")
    expect(page.locator(".map-item .meta")).to_have_text(
        "Orléans · point placé au centre de la commune (adresse non localisée)")
    expect(markers(page)).to_have_count(1)
    markers(page).first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Point placé au centre de la commune (Orléans)")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("donnée de démonstration")
    assert_accessible(page)
    assert_no_browser_errors(page)


@pytest.fixture
def partner_site():
    """Another site (another origin: its own port on 127.0.0.1), whose page at
    ``/?cadre=<url>`` puts that URL in an <iframe>."""

    class PartnerPage(BaseHTTPRequestHandler):
        def do_GET(self):
            framed = html.escape(parse_qs(urlparse(self.path).query).get("cadre", [""])[0])
            body = (f'<!DOCTYPE html><html lang="fr"><head><title>Partenaire</title><link rel="icon" href="data:,"></head>'
                    f'<body><main><h1>Nos partenaires</h1><iframe src="{framed}" title="Carte des acteurs (Catalyseur)" '
                    f'width="800" height="520"></iframe></main></body></html>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), PartnerPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield lambda framed_url: f"http://127.0.0.1:{server.server_port}/?{urlencode({'cadre': framed_url})}"
    server.shutdown()
    server.server_close()


def test_the_embedded_map_shows_inside_another_site(page, new_page, live_server, actors_on_map, partner_site):
    without_tiles(page)
    page.goto(partner_site(live_server.url + "/carte/integrer/?nature=fondation"))
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Carte des acteurs")
    expect(frame.locator("#actors-map .leaflet-marker-icon")).to_have_count(1)
    expect(frame.get_by_role("link", name=re.compile("Ouvrir sur Catalyseur"))).to_have_attribute(
        "href", "/carte/?nature=fondation")
    assert_no_browser_errors(page)

    alone = without_tiles(new_page())
    alone.goto(live_server.url + "/carte/integrer/?nature=fondation")
    expect(alone.locator("#actors-map .leaflet-marker-icon")).to_have_count(1)
    alone.get_by_text("Liste des résultats").click()
    expect(alone.locator(".map-item h3")).to_have_text(["Fondation Loire solidaire donnée de démonstration"])
    assert_accessible(alone)
    assert_no_browser_errors(alone)


def test_the_full_page_refuses_to_be_framed_by_another_site(page, live_server, actors_on_map, partner_site):
    page.goto(partner_site(live_server.url + "/carte/"))
    expect(page.get_by_role("heading", name="Nos partenaires")).to_be_visible()
    # Chromium replaces a frame it refuses to show (X-Frame-Options, frame-ancestors) by its error page.
    framed = page.frames[1]
    for _attempt in range(50):
        if framed.url.startswith("chrome-error://"):
            break
        page.wait_for_timeout(100)
    assert framed.url.startswith("chrome-error://"), framed.url


def test_without_javascript_the_page_lists_the_organisations_and_filters(page_without_js, live_server, actors_on_map):
    page = page_without_js
    page.goto(live_server.url + "/carte/")
    expect(results_title(page)).to_have_text("4 résultats")
    expect(page.get_by_text("La carte a besoin de JavaScript. La liste présente les mêmes résultats.")).to_be_visible()
    aidants = page.locator(".map-item").filter(has_text="Association des aidants (fictive)")
    expect(aidants.locator(".meta")).to_have_text(
        "Charenton-le-Pont · point placé au centre de la commune (adresse non localisée)")
    expect(page.locator(".map-item").filter(has_text="Fondation Loire solidaire")).to_contain_text("donnée de démonstration")
    assert_accessible(page)

    page.get_by_label("Territoire").fill("Saint-Maurice")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"/carte/\?.*territoire=Saint-Maurice"))
    expect(results_title(page)).to_have_text("1 résultat")
    expect(page.locator(".map-item h3")).to_have_text(["Pont numérique (fictive)"])
    assert_accessible(page)
    assert_no_browser_errors(page)
