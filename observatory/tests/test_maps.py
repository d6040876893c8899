"""The observatory's maps: the data endpoint (contours, values, quantile classes, blanks,
EPCI points, messages), the "Carte" section of a portrait without JavaScript, the France
map page, and the copied contours."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from observatory import maps
from observatory.aggregation import aggregate
from observatory.loading import write_catalogue
from observatory.models import Indicator, Run
from observatory.sources import SourceValue
from observatory.store import write_source_values
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db

DATA = "/observatoire/carte/donnees.geojson"

# Poverty rates of the Loiret's communes in the sample; Pithiviers under statistical secrecy.
POVERTY = {"45234": 22.0, "45232": 8.0, "45147": 18.0, "45284": 12.0, "45302": 10.0, "45252": None}
# Centres of Orléans Métropole's communes (latitude, longitude).
CENTRES = {"45234": (47.90, 1.90), "45232": (47.86, 1.90), "45147": (47.93, 1.91), "45284": (47.91, 1.97), "45302": (47.95, 1.86)}


@pytest.fixture
def figures(sample_territories):
    """The catalogue, a real-looking rate per commune of the Loiret (one blank) aggregated up,
    and a demo indicator per département."""
    indicators = write_catalogue()
    for code, (latitude, longitude) in CENTRES.items():
        Territory.objects.filter(level=Level.COMMUNE, code=code).update(latitude=latitude, longitude=longitude)
    rows = [SourceValue("taux_pauvrete", Level.COMMUNE, code, 2021, value) for code, value in POVERTY.items()]
    rows += [SourceValue("demo_sante", Level.DEPARTEMENT, code, 2020, value)
             for code, value in {"33": 12.5, "64": 30.0, "45": 20.0, "01": 15.0, "94": 25.0, "971": 18.0}.items()]
    write_source_values(rows, indicators)
    aggregate([indicators["taux_pauvrete"], indicators["demo_sante"]])
    return indicators


def geojson(client, query: str, status: int = 200) -> dict:
    response = client.get(f"{DATA}?{query}")
    assert response.status_code == status, response.content.decode()[:500]
    return json.loads(response.content)


def by_code(collection: dict) -> dict[str, dict]:
    return {feature["properties"]["code"]: feature for feature in collection["features"]}


# --- Classes ------------------------------------------------------------------------------


def test_quantile_breaks_make_five_classes_of_equal_size():
    values = [float(v) for v in range(1, 11)]
    breaks = maps.quantile_breaks(values)
    assert len(breaks) == 5 and breaks[-1] == 10
    classes = [maps.class_of(v, breaks) for v in values]
    assert classes == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert maps.class_of(None, breaks) is None


def test_equal_values_never_straddle_two_classes_and_few_values_give_fewer_classes():
    breaks = maps.quantile_breaks([5.0, 5.0, 5.0, 5.0, 9.0])
    assert breaks == [5.0, pytest.approx(5.8), 9.0]  # three bounds were 5.0: one class
    assert maps.class_of(5.0, breaks) == 1 and maps.class_of(9.0, breaks) == 3
    assert maps.quantile_breaks([7.0]) == [7.0]
    assert maps.quantile_breaks([]) == []
    # Colours spread over the whole ramp when there are fewer classes.
    assert [maps.palette_index(k, 3) for k in (1, 2, 3)] == [1, 3, 5]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_fast_number_formatter_writes_what_the_pages_write(language):
    from django.utils import translation

    from observatory.templatetags.observatory import figure

    with translation.override(language):
        for decimals in (0, 1, 2):
            formatted = maps.number_formatter(decimals)
            for value in (0, 0.05, -0.04, 7.25, 12.345, 999.95, 1234.5, -1234.56, 1234567.891, 35961.9):
                assert formatted(value) == figure(value, decimals), (value, decimals)


# --- The endpoint -----------------------------------------------------------------------------


def test_communes_of_a_departement_carry_contour_value_name_class_and_blanks_stay_blank(client, figures):
    data = geojson(client, "territoire=departement/45&niveau=commune&indicateur=taux_pauvrete")
    assert data["type"] == "FeatureCollection" and data["year"] == 2021 and data["shape"] == "polygon"
    features = by_code(data)
    assert set(features) == set(POVERTY)
    orleans = features["45234"]
    assert orleans["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert orleans["properties"]["name"] == "Orléans" and orleans["properties"]["value"] == 22.0
    assert orleans["properties"]["value_text"] == "22,0"
    assert orleans["properties"]["url"] == "/territoires/commune/45234/portrait/"
    # Five known values, five classes of one; the highest value is in the top class.
    assert [c["count"] for c in data["classes"]] == [1, 1, 1, 1, 1]
    assert orleans["properties"]["class"] == 5 and features["45232"]["properties"]["class"] == 1
    assert data["breaks"][-1] == 22.0
    # The blank: no value, no class, "non publié", never a zero.
    pithiviers = features["45252"]["properties"]
    assert pithiviers["value"] is None and pithiviers["class"] is None and pithiviers["colour"] is None
    assert pithiviers["value_text"] == "non publié" and pithiviers["class_label"] == "non publié"
    assert data["blank"] == {"count": 1, "label": "non publié"}
    assert min(c["low"] for c in data["classes"]) == 8.0  # the blank did not pull the classes to 0
    assert data["features"][0]["properties"]["name"] <= data["features"][-1]["properties"]["name"]
    assert "Filosofi" in data["source"] and "ADMIN EXPRESS" in data["source"]
    assert data["is_demo"] is False and data["demo_label"] == ""


def test_regions_and_departements_of_france_have_contours(client, figures):
    regions = geojson(client, "niveau=region&indicateur=taux_pauvrete")
    assert set(by_code(regions)) == {"01", "11", "24", "75", "84"}
    assert all(feature["geometry"] for feature in regions["features"])
    assert regions["parent"]["level"] == "france"
    departements = geojson(client, "niveau=departement&indicateur=demo_sante")
    assert set(by_code(departements)) == {"01", "33", "45", "64", "94", "971"}
    assert by_code(departements)["33"]["properties"]["value"] == 12.5
    assert departements["is_demo"] is True and departements["demo_label"] == "données de démonstration"
    assert departements["source"].startswith("Données de démonstration")


def test_without_parameters_france_s_regions_with_a_default_rate(client, figures):
    data = geojson(client, "")
    assert data["level"] == "region" and data["indicator"]["code"] == "taux_pauvrete"


def test_epci_are_points_at_the_mean_of_their_communes_centres(client, figures):
    data = geojson(client, "territoire=departement/45&niveau=epci&indicateur=taux_pauvrete")
    assert data["shape"] == "point"
    metropole = by_code(data)["244500468"]
    assert metropole["geometry"]["type"] == "Point"
    longitude, latitude = metropole["geometry"]["coordinates"]
    assert latitude == pytest.approx(sum(c[0] for c in CENTRES.values()) / 5)
    assert longitude == pytest.approx(sum(c[1] for c in CENTRES.values()) / 5)
    assert metropole["properties"]["value"] is not None
    # Pithiviers has no centre here: its EPCI has no point (it stays in the table) and says so.
    pithiverais = by_code(data)["200066280"]
    assert pithiverais["geometry"] is None and data["without_shape"] == ["CC du Pithiverais"]


def test_communes_of_a_region_are_shown_one_departement_at_a_time(client, figures):
    data = geojson(client, "territoire=region/24&niveau=commune&departement=45&indicateur=taux_pauvrete")
    assert data["departement"]["code"] == "45" and len(data["features"]) == 6
    # Without a département: the most populous one of the région.
    assert geojson(client, "territoire=region/24&niveau=commune&indicateur=taux_pauvrete")["departement"]["code"] == "45"
    error = geojson(client, "territoire=region/24&niveau=commune&departement=33&indicateur=taux_pauvrete", 400)
    assert error["errors"] == [{"field": "departement", "message": error["errors"][0]["message"]}]
    assert "n'est pas dans Centre-Val de Loire" in error["errors"][0]["message"]


@pytest.mark.parametrize("query, field, words", [
    ("indicateur=inconnu", "indicateur", "Indicateur inconnu : « inconnu »"),
    ("niveau=canton", "niveau", "Niveau « canton » impossible ici"),
    ("territoire=departement/45&niveau=region", "niveau", "une carte de Loiret montre ses EPCI, communes"),
    ("territoire=commune/45234", "niveau", "Orléans ne contient pas de territoires à cartographier"),
    ("niveau=commune&departement=45&indicateur=demo_sante", "indicateur", "publié au niveau département et au-dessus"),
    ("niveau=region&indicateur=taux_pauvrete&annee=1999", "annee", "années disponibles 2021"),
    ("territoire=45", "territoire", "attendu niveau/code"),
])
def test_what_cannot_be_mapped_is_a_400_that_says_why(client, figures, query, field, words):
    data = geojson(client, query, 400)
    assert [error["field"] for error in data["errors"]] == [field]
    assert words in data["errors"][0]["message"]
    assert words in data["detail"]


def test_a_private_project_territory_is_a_404_for_everyone_but_its_owner(client, figures, member, other_member):
    from territories.projects import save_project

    communes = Territory.objects.filter(level=Level.COMMUNE, code__in=["45234", "45232", "33314"])
    project = save_project(owner=member, name="Projet privé", description="", is_private=True,
                           commune_ids=[c.pk for c in communes])
    query = f"territoire=project/{project.code}&niveau=commune&indicateur=taux_pauvrete"
    assert client.get(f"{DATA}?{query}").status_code == 404
    assert client.get(f"/territoires/project/{project.code}/portrait/?niveau=commune").status_code == 404
    client.force_login(other_member)
    response = client.get(f"{DATA}?{query}")
    assert response.status_code == 404 and "Projet privé" not in response.content.decode()
    client.force_login(member)
    data = geojson(client, query)
    # Its communes span two départements: one at a time, the one with most people first.
    assert data["departement"]["code"] == "45" and set(by_code(data)) == {"45234", "45232"}
    assert set(by_code(geojson(client, query + "&departement=33"))) == {"33314"}
    assert client.get(f"{DATA}?territoire=project/inconnu").status_code == 404


def test_contours_are_parsed_once_per_file_and_arrondissements_left_out():
    maps.contours.cache_clear()
    paris = maps.contours("communes/communes-1000m-75.geojson")
    assert list(paris) == ["75056"]  # the 20 arrondissements are not drawn over Paris
    assert maps.contours("communes/communes-1000m-75.geojson") is paris
    assert maps.contours.cache_info().hits == 1
    assert len(maps.contours("departements-1000m.geojson")) == 101
    assert maps.contours("communes/communes-1000m-975.geojson") == {}  # a COM: no file
    assert maps.departement_of_commune("97105") == "971" and maps.departement_of_commune("2A004") == "2A"


def test_the_copied_contours_are_those_of_the_readme():
    readme = (maps.CONTOURS_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"\| `([^`]+)` \| (\d+) \| (\d+) \| `([0-9a-f]{64})` \|", readme)
    assert len(rows) == 103
    for name, _, size, digest in rows:
        data = (maps.CONTOURS_DIR / name).read_bytes()
        assert len(data) == int(size) and hashlib.sha256(data).hexdigest() == digest, name


# --- Pages ---------------------------------------------------------------------------------


def test_a_portrait_has_a_map_section_whose_table_works_without_javascript(client, figures):
    page = client.get("/territoires/departement/45/portrait/?niveau=commune&indicateur=taux_pauvrete").content.decode()
    assert 'id="carte"' in page and "<h2 id=\"carte-title\">Carte</h2>" in page
    assert 'data-url="/observatoire/carte/donnees.geojson?territoire=departement%2F45&amp;niveau=commune' in page
    assert "observatory/choropleth.js" in page and "vendor/leaflet/leaflet.js" in page
    table = page[page.index('<table class="data-table choropleth-table">'):]
    table = table[: table.index("</table>")]
    assert "Taux de pauvreté (%) en 2021 : communes — Loiret" in table
    assert "Orléans" in table and "22,0" in table and "classe 5 sur 5" in table
    assert re.search(r"Pithiviers</a></th>\s*<td>45252</td>\s*<td>non publié</td>", table)
    assert "choropleth-blank" in table
    # The form keeps the chosen peers, and shows the choices made.
    page = client.get("/territoires/departement/45/portrait/?pairs=departement/33").content.decode()
    assert '<input type="hidden" name="pairs" value="departement/33">' in page
    assert '<option value="epci" selected>' in page  # the first level inside a département


def test_a_portrait_map_of_demo_figures_says_so_and_a_wrong_choice_is_explained(client, figures):
    page = client.get("/territoires/region/75/portrait/?niveau=departement&indicateur=demo_sante").content.decode()
    assert "données de démonstration" in page[page.index('id="carte"'):]
    assert "Santé (démo) (%) en 2020 : départements — Nouvelle-Aquitaine — données de démonstration" in page
    page = client.get("/territoires/region/75/portrait/?niveau=commune&departement=45").content.decode()
    assert "Le département « 45 » n&#x27;est pas dans Nouvelle-Aquitaine" in page
    assert "data-choropleth-map" not in page
    # A commune contains nothing to map: no section.
    assert 'id="carte"' not in client.get("/territoires/commune/45234/portrait/").content.decode()


def test_the_france_map_page(client, figures):
    page = client.get("/observatoire/carte/").content.decode()
    assert "Cartes de l'observatoire" in page and 'data-choropleth-map' in page
    assert '<option value="region" selected>Régions</option>' in page
    page = client.get("/observatoire/carte/?niveau=commune&departement=45&indicateur=taux_pauvrete").content.decode()
    assert "communes — Loiret" in page and "Pithiviers" in page


def test_the_map_page_and_the_endpoint_answer_with_an_empty_catalogue(client, sample_territories):
    Indicator.objects.all().delete()
    Run.objects.create(kind=Run.Kind.LOAD)
    page = client.get("/observatoire/carte/")
    assert page.status_code == 200 and "Aucun indicateur n&#x27;est chargé" in page.content.decode()
    assert client.get(DATA).status_code == 400
