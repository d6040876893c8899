"""The map of the actors: clusters and points, each filter, the list beside the map, the
page, its embeddable version and their security headers."""

import math

import pytest
from django.core.cache import cache
from django.utils import timezone

from actors import map as actors_map
from actors import map_grid
from actors.map import MapFilterForm, map_features, result_page, territory_bounds
from actors.map_grid import COMMUNE_CENTRES, BBox, BBoxError, Grid
from actors.models import Catalyst, CatalystMetier, Kind, Organization, Partnership, PartnershipMember, PartnershipStatus
from taxonomy.models import Domain, Metier, PartnershipType
from territories.centres import import_commune_centres
from territories.models import Level, Territory
from territories.projects import save_project

pytestmark = pytest.mark.django_db

FRANCE = BBox(-5.2, 41.3, 9.6, 51.1)
AROUND_CHARENTON = BBox(2.38, 48.80, 2.47, 48.84)


def commune(code):
    return Territory.objects.get(level=Level.COMMUNE, code=code)


def term(model, code):
    return model.objects.get(code=code)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Wide views and the communes' centres are kept: each test starts without what
    another one computed."""
    cache.clear()
    COMMUNE_CENTRES.loaded_at = -math.inf
    yield
    cache.clear()
    COMMUNE_CENTRES.loaded_at = -math.inf


@pytest.fixture
def world(fiches):
    """Organisations in Charenton-le-Pont, Saint-Maurice and Orléans, two catalysts (one
    without consent), partnerships (one only proposed) and the three sample fiches
    (Charenton, the région Centre-Val de Loire as a whole, Orléans)."""
    import_commune_centres()
    charenton, saint_maurice, orleans = commune("94018"), commune("94069"), commune("45234")
    aidants = Organization.objects.create(slug="aidants", name="Association des aidants", kind=Kind.ASSOCIATION,
                                          commune=charenton)
    aidants.domains.set([term(Domain, "numerique"), term(Domain, "vieillissement")])
    pont = Organization.objects.create(slug="pont-numerique", name="Pont numérique", kind=Kind.ENTREPRISE, size="pme",
                                       siret="44306184100047", commune=saint_maurice, address="12 rue du Val d'Osne",
                                       postal_code="94410", latitude=48.8185, longitude=2.4345)
    mairie = Organization.objects.create(slug="mairie-charenton", name="Mairie de Charenton", kind=Kind.COLLECTIVITE,
                                         commune=charenton, latitude=48.8219, longitude=2.4110)
    fondation = Organization.objects.create(slug="fondation-loire", name="Fondation Loire solidaire", kind=Kind.FONDATION,
                                            commune=orleans, is_demo=True, website="https://fondation.example.org",
                                            description="Une fondation de démonstration.")
    fondation.domains.set([term(Domain, "emploi")])
    fondation.action_territories.set([orleans, Territory.objects.get(level=Level.DEPARTEMENT, code="45")])

    active = Partnership.objects.create(title="Tablettes pour les aidants", type=term(PartnershipType, "mecenat"),
                                        status=PartnershipStatus.ACTIVE)
    for org in (pont, aidants):
        PartnershipMember.objects.create(partnership=active, organization=org, confirmed_at=timezone.now())
    proposed = Partnership.objects.create(title="Offre commune", type=term(PartnershipType, "cooperation_economique"))
    for org in (fondation, mairie):
        PartnershipMember.objects.create(partnership=proposed, organization=org)

    hidden = Catalyst.objects.create(slug="camille", name="Camille Martin", is_person=True, structure=aidants,
                                     profile="association", email="camille@example.org", phone="01 02 03 04 05",
                                     job_title="Coordinatrice", description="Camille anime le réseau.")
    CatalystMetier.objects.create(catalyst=hidden, metier=term(Metier, "dialogue_territorial"), activities=["rencontres"])
    public = Catalyst.objects.create(slug="dominique", name="Dominique Leroy", is_person=True, territory=orleans,
                                     profile="collectivite", email="dominique@example.org", consent_public=True,
                                     consent_at=timezone.now())
    CatalystMetier.objects.create(catalyst=public, metier=term(Metier, "accompagnements"))
    return {"aidants": aidants, "pont": pont, "mairie": mairie, "fondation": fondation, "camille": hidden,
            "dominique": public, "active": active, "proposed": proposed}


def filters_of(user=None, **params):
    form = MapFilterForm(params, user=user)
    assert form.is_valid(), form.errors
    return form.filters()


def points(collection) -> set[str]:
    return {f["id"] for f in collection["features"] if not f["properties"].get("cluster")}


def clusters(collection) -> list[dict]:
    return [f for f in collection["features"] if f["properties"].get("cluster")]


def assert_valid_geojson(collection):
    """RFC 7946: a FeatureCollection of Features with Point geometries in [lon, lat] order."""
    assert collection["type"] == "FeatureCollection"
    assert isinstance(collection["features"], list)
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        if geometry is not None:
            assert geometry["type"] == "Point"
            lon, lat = geometry["coordinates"]
            assert -180 <= lon <= 180 and -90 <= lat <= 90
        if "bbox" in feature:
            west, south, east, north = feature["bbox"]
            assert west <= east and south <= north
        if "id" in feature:
            assert isinstance(feature["id"], (str, int))
    if "bbox" in collection:
        assert len(collection["bbox"]) == 4


# --- Clusters and points ---------------------------------------------------------------------


def test_few_matches_are_single_points_even_at_low_zoom(world):
    collection = map_features(filters_of(), bbox=FRANCE, zoom=5)
    assert_valid_geojson(collection)
    assert collection["mode"] == "points" and collection["total"] == 8
    assert points(collection) == {
        "organisations:aidants", "organisations:pont-numerique", "organisations:mairie-charenton",
        "organisations:fondation-loire", "catalyseurs:camille", "catalyseurs:dominique", "pratiques:silver",
        "pratiques:insertion",
    }  # the fiche about a whole région has no point


def test_at_low_zoom_the_database_groups_matches_by_grid_cell(world, monkeypatch):
    monkeypatch.setattr(actors_map, "FEW_POINTS", 0)
    collection = map_features(filters_of(), bbox=FRANCE, zoom=7)
    assert_valid_geojson(collection)
    assert collection["mode"] == "clusters" and not points(collection)
    by_count = {c["properties"]["count"]: c for c in clusters(collection)}
    assert set(by_count) == {5, 3}
    assert by_count[5]["properties"]["counts"] == {"organisations": 3, "catalyseurs": 1, "pratiques": 1}
    # The mean position of the cell's matches; its bbox is the cell, which holds them.
    loire = by_count[3]
    orleans = commune("45234")
    assert loire["geometry"]["coordinates"] == [round(orleans.longitude, 6), round(orleans.latitude, 6)]
    west, south, east, north = loire["bbox"]
    assert west <= orleans.longitude <= east and south <= orleans.latitude <= north
    assert east - west == pytest.approx(Grid.for_view(7, FRANCE).lon_size, abs=1e-5)


def test_at_high_zoom_clusters_know_their_extent_and_their_commune(world, monkeypatch):
    monkeypatch.setattr(actors_map, "FEW_POINTS", 0)
    monkeypatch.setattr(actors_map, "MAX_POINTS", 0)
    collection = map_features(filters_of(), bbox=AROUND_CHARENTON, zoom=16)
    centre = next(c for c in clusters(collection) if c["properties"]["count"] == 3)  # aidants, camille, silver
    charenton = commune("94018")
    point = [round(charenton.longitude, 6), round(charenton.latitude, 6)]
    assert centre["bbox"] == point * 2  # all at the commune's centre
    assert centre["properties"]["commune"] == {"code": "94018", "name": "Charenton-le-Pont", "territory": "commune/94018"}


def test_at_high_zoom_matches_are_points_with_their_precision(world, monkeypatch):
    monkeypatch.setattr(actors_map, "FEW_POINTS", 0)
    collection = map_features(filters_of(), bbox=AROUND_CHARENTON, zoom=15)
    assert collection["mode"] == "points"
    assert points(collection) == {"organisations:aidants", "organisations:pont-numerique", "organisations:mairie-charenton",
                                  "catalyseurs:camille", "pratiques:silver"}
    by_id = {f["id"]: f for f in collection["features"]}
    aidants = by_id["organisations:aidants"]["properties"]
    assert aidants["precision"] == "commune" and aidants["precision_label"] == "au centre de la commune"
    assert aidants["commune"] == {"code": "94018", "name": "Charenton-le-Pont"}
    assert aidants["url"] == "/acteurs/organisations/aidants/"
    pont = by_id["organisations:pont-numerique"]
    assert pont["properties"]["precision"] == "adresse"
    assert pont["geometry"]["coordinates"] == [2.4345, 48.8185]
    # A catalyst without consent is never named on the map.
    assert by_id["catalyseurs:camille"]["properties"]["name"].startswith("Catalyseur·rice (association)")
    assert "Camille" not in str(collection)


def test_a_cell_holding_one_match_is_that_point(world, monkeypatch):
    monkeypatch.setattr(actors_map, "FEW_POINTS", 0)
    collection = map_features(filters_of(nature="fondation"), bbox=FRANCE, zoom=7)
    assert collection["mode"] == "clusters"
    assert points(collection) == {"organisations:fondation-loire"} and not clusters(collection)
    assert collection["features"][0]["properties"]["is_demo"] is True


def test_clusters_are_counted_in_sql_whatever_the_number_of_matches(world, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(actors_map, "FEW_POINTS", 0)
    filters = filters_of()
    # One GROUP BY per layer, the communes of the one-commune clusters, the single points.
    with django_assert_max_num_queries(8):
        map_features(filters, bbox=FRANCE, zoom=7)


def test_a_small_view_reads_only_the_communes_it_holds(world, monkeypatch):
    monkeypatch.setattr(map_grid, "MAX_POPULATION_SHARE", 1.0)  # always through the commune index
    communes, share = COMMUNE_CENTRES.near(AROUND_CHARENTON, 0)
    codes = set(Territory.objects.filter(pk__in=communes).values_list("code", flat=True))
    assert codes == {"94018", "94069", "94046"} and 0 < share < 1  # Charenton, Saint-Maurice, Maisons-Alfort
    narrowed = map_grid.narrowed_to_communes(Organization.objects.all(), AROUND_CHARENTON)
    assert set(narrowed.values_list("slug", flat=True)) == {"aidants", "pont-numerique", "mairie-charenton"}
    found = points(map_features(filters_of(), bbox=AROUND_CHARENTON, zoom=15))
    assert "organisations:pont-numerique" in found and "organisations:fondation-loire" not in found


def test_a_wide_view_is_computed_once_until_an_organisation_changes(world, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(map_grid, "MAX_POPULATION_SHARE", 0.0)  # always the scan, kept in the cache
    monkeypatch.setattr(actors_map, "FEW_POINTS", 0)
    everything = filters_of()
    first = map_features(everything, bbox=FRANCE, zoom=7)
    with django_assert_max_num_queries(3):  # the two index tokens, the communes of the clusters
        assert map_features(everything, bbox=FRANCE, zoom=7) == first
    Organization.objects.create(slug="nouvelle", name="Nouvelle venue", kind=Kind.ASSOCIATION, commune=commune("45234"))
    assert map_features(filters_of(), bbox=FRANCE, zoom=7)["total"] == first["total"] + 1


def test_the_grid_follows_the_zoom_and_snaps_the_view_to_whole_cells():
    coarse, fine = Grid.for_view(5, FRANCE), Grid.for_view(12, FRANCE)
    assert coarse.lon_size == pytest.approx(2.8125) and fine.lon_size == pytest.approx(2.8125 / 128)
    assert coarse.lat_size < coarse.lon_size  # Mercator: a degree of latitude is taller on screen
    snapped = coarse.snap(FRANCE)
    assert snapped.west <= FRANCE.west and snapped.east >= FRANCE.east and snapped.north >= FRANCE.north
    column = (snapped.west + 180) / coarse.lon_size
    assert math.isclose(column, round(column), abs_tol=1e-9)


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "10,40,5,50", "0,95,1,96", "nan,1,2,3", ""])
def test_a_bad_bbox_is_refused_in_french(text):
    with pytest.raises(BBoxError):
        BBox.parse(text)


# --- Each filter ----------------------------------------------------------------------------


@pytest.mark.parametrize("params, expected", [
    ({"nature": "association"}, {"organisations:aidants", "catalyseurs:camille", "pratiques:silver"}),
    ({"nature": "fondation"}, {"organisations:fondation-loire"}),
    ({"metier": "dialogue_territorial"}, {"organisations:aidants", "catalyseurs:camille"}),
    ({"metier": "accompagnements"}, {"catalyseurs:dominique"}),
    ({"domaine": "numerique"}, {"organisations:aidants", "catalyseurs:camille", "pratiques:silver"}),
    ({"domaine": "emploi"}, {"organisations:fondation-loire", "pratiques:insertion"}),
    ({"type": "mecenat"}, {"organisations:aidants", "organisations:pont-numerique", "catalyseurs:camille"}),
    ({"type": "cooperation_economique"}, set()),  # only proposed: not public yet
    ({"territoire": "region/24"}, {"organisations:fondation-loire", "catalyseurs:dominique", "pratiques:insertion"}),
    ({"territoire": "departement/94"}, {"organisations:aidants", "organisations:pont-numerique",
                                        "organisations:mairie-charenton", "catalyseurs:camille", "pratiques:silver"}),
    ({"territoire": "epci/244500468"}, {"organisations:fondation-loire", "catalyseurs:dominique", "pratiques:insertion"}),
    ({"territoire": "commune/94069"}, {"organisations:pont-numerique"}),
    ({"territoire": "Saint-Maurice"}, {"organisations:pont-numerique"}),  # by name, for visitors without JavaScript
    ({"afficher": ["catalyseurs", "pratiques"]}, {"catalyseurs:camille", "catalyseurs:dominique", "pratiques:silver",
                                                  "pratiques:insertion"}),
    ({"nature": "association", "territoire": "region/24"}, set()),
])
def test_each_filter_selects_on_every_layer(world, params, expected):
    assert points(map_features(filters_of(**params), bbox=FRANCE, zoom=6)) == expected


def test_a_project_territory_selects_by_its_communes(world, member):
    project = save_project(owner=member, name="Bords de Marne", description="", is_private=False,
                           commune_ids=[commune("94018").pk])
    found = points(map_features(filters_of(territoire=f"project/{project.code}"), zoom=6))
    assert found == {"organisations:aidants", "organisations:mairie-charenton", "catalyseurs:camille", "pratiques:silver"}


def test_a_private_project_exists_only_for_its_owner(world, member, other_member):
    project = save_project(owner=member, name="Projet privé", description="", is_private=True,
                           commune_ids=[commune("94018").pk])
    assert MapFilterForm({"territoire": f"project/{project.code}"}, user=member).is_valid()
    stranger = MapFilterForm({"territoire": f"project/{project.code}"}, user=other_member)
    assert not stranger.is_valid() and stranger.territory_is_unknown()


def test_bad_filters_are_named_in_french(world):
    form = MapFilterForm({"nature": "club", "domaine": "astrologie", "territoire": "region/99", "page": "0"})
    assert not form.is_valid()
    assert form.errors["nature"] == ["Nature inconnue : « club »."]
    assert form.errors["domaine"] == ["Domaine inconnu : « astrologie »."]
    assert form.errors["territoire"] == ["Territoire « region/99 » introuvable."]
    assert form.errors["page"] == ["La première page est la page 1."]


def test_territory_bounds_cover_its_communes(world):
    assert territory_bounds(commune("45234"))[0] == territory_bounds(commune("45234"))[2]
    west, south, east, north = territory_bounds(Territory.objects.get(level=Level.DEPARTEMENT, code="94"))
    assert west < east and south < north
    assert territory_bounds(None) is None


# --- The list beside the map ------------------------------------------------------------------


def test_the_list_holds_the_same_results_by_name_with_or_without_a_point(world):
    page = result_page(filters_of(nature="association"))
    assert page.count == 4 and page.counts == {"organisations": 1, "catalyseurs": 1, "pratiques": 2}
    names = [item.name for item in page.items]
    assert names == sorted(names)
    labo = next(item for item in page.items if item.key == "labo")
    assert labo.precision == "" and labo.place == "Centre-Val de Loire"  # no point: a whole région
    aidants = next(item for item in page.items if item.key == "aidants")
    assert aidants.at_commune_centre and aidants.place == "Charenton-le-Pont"


def test_the_list_is_paginated_with_shareable_links(world, monkeypatch):
    monkeypatch.setattr(actors_map, "PAGE_SIZE", 3)
    first = result_page(filters_of(territoire="departement/94"), 1)
    assert (first.count, first.pages, len(first.items)) == (5, 2, 3)
    assert first.next_query == "territoire=departement%2F94&page=2" and first.prev_query == ""
    second = result_page(filters_of(territoire="departement/94"), 2)
    assert len(second.items) == 2 and second.prev_query == "territoire=departement%2F94"
    assert not {i.key for i in first.items} & {i.key for i in second.items}


# --- The pages ----------------------------------------------------------------------------------


def test_the_page_lists_results_without_javascript(client, world):
    response = client.get("/carte/", {"territoire": "departement/94"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 résultats" in html
    assert "Association des aidants" in html and "Fondation Loire" not in html
    assert "point placé au centre de la commune" in html
    assert "Catalyseur·rice (association) — Association des aidants" in html and "Camille" not in html
    assert 'data-query="territoire=departement/94"' in html or 'data-query="territoire=departement%2F94"' in html
    assert 'aria-current="page">Carte<' in html
    assert "Intégrer cette carte" in html and "/carte/integrer/?territoire=departement%2F94" in html
    assert "<script>" not in html and "style=" not in html


def test_demo_organisations_are_labelled(client, world):
    html = client.get("/carte/", {"nature": "fondation"}).content.decode()
    assert "Fondation Loire solidaire" in html and "donnée de démonstration" in html


def test_the_page_reports_bad_filters_in_french(client, world):
    html = client.get("/carte/", {"territoire": "region/99"}).content.decode()
    assert "Territoire « region/99 » introuvable." in html


def test_the_list_fragment_carries_the_canonical_filters_and_bounds(client, world):
    response = client.get("/carte/liste/", {"territoire": "Orléans"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="map-results"')
    assert 'data-query="territoire=commune%2F45234"' in html
    orleans = commune("45234")
    assert f'data-bounds="{orleans.longitude:.5f},{orleans.latitude:.5f}' in html


def test_the_map_page_allows_the_tile_host_and_no_framing(client, world):
    response = client.get("/carte/")
    csp = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_the_embed_may_be_framed_by_any_site(client, world):
    response = client.get("/carte/integrer/", {"nature": "association"})
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert 'data-embedded="true"' in html and 'target="_blank"' in html
    assert 'href="/carte/?nature=association"' in html
