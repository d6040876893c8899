"""The actors' API: organisations (list, GeoJSON, detail), catalysts and their consent,
the map's clusters and points, and the French errors."""

import json

import pytest

from actors import map as actors_map
from actors.indexing import reindex
from actors.models import Organization
from actors.tests.test_map import _fresh_cache, assert_valid_geojson, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "Paramètres invalides."
    return {e["field"]: e["message"] for e in body["errors"]}


# --- Organisations -----------------------------------------------------------------------------


def test_organisations_are_listed_by_name_with_their_place(client, world):
    body = client.get("/api/organizations", {"territory": "departement/94"}).json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    assert [r["id"] for r in body["results"]] == ["aidants", "mairie-charenton", "pont-numerique"]
    aidants = body["results"][0]
    assert aidants == {
        "id": "aidants", "name": "Association des aidants", "kind": "association", "kind_label": "Association", "size": "",
        "commune": {"code": "94018", "name": "Charenton-le-Pont"}, "latitude": aidants["latitude"],
        "longitude": aidants["longitude"], "location_precision": "commune", "is_demo": False,
        "url": "/acteurs/organisations/aidants/",
    }
    assert aidants["latitude"] is not None


@pytest.mark.parametrize("params, expected", [
    ({"kind": "entreprise"}, ["pont-numerique"]),
    ({"domain": "emploi"}, ["fondation-loire"]),
    ({"type": "mecenat"}, ["aidants", "pont-numerique"]),
    ({"territory": "commune/94018"}, ["aidants", "mairie-charenton"]),
    ({"territory": "epci/244500468"}, ["fondation-loire"]),
    ({"territory": "region/11", "kind": "collectivite"}, ["mairie-charenton"]),
])
def test_organisations_filters(client, world, params, expected):
    assert [r["id"] for r in client.get("/api/organizations", params).json()["results"]] == expected


def test_organisations_full_text_search(client, world):
    reindex(Organization.objects.all())
    body = client.get("/api/organizations", {"q": "fondations solidaires"}).json()
    assert [r["id"] for r in body["results"]] == ["fondation-loire"]
    assert errors_of(client.get("/api/organizations", {"q": "les de"})) == {
        "q": "aucun mot à chercher (mots trop courants ou signes seuls)"}


def test_organisations_are_paginated(client, world, monkeypatch):
    monkeypatch.setattr(actors_map, "PAGE_SIZE", 2)
    monkeypatch.setattr("actors.api.PAGE_SIZE", 2)
    second = client.get("/api/organizations", {"page": 2}).json()
    assert (second["count"], second["page"], second["pages"]) == (4, 2, 2)
    assert [r["id"] for r in second["results"]] == ["mairie-charenton", "pont-numerique"]


def test_organisations_as_geojson(client, world):
    response = client.get("/api/organizations", {"territory": "commune/94069", "format": "geojson"})
    assert response["Content-Type"].startswith("application/geo+json")
    collection = json.loads(response.content)
    assert_valid_geojson(collection)
    [feature] = collection["features"]
    assert feature["id"] == "pont-numerique"
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.4345, 48.8185]}
    assert feature["properties"]["location_precision_label"] == "à l'adresse"
    assert "latitude" not in feature["properties"]
    assert collection["count"] == 1


def test_one_organisation_whole(client, world):
    body = client.get("/api/organizations/pont-numerique").json()
    assert body["siren"] == "443061841" and body["siret"] == "44306184100047"
    assert body["size"] == {"code": "pme", "label": "PME"}
    assert body["address"] == "12 rue du Val d'Osne" and body["postal_code"] == "94410"
    assert body["departement"] == {"level": "departement", "code": "94", "name": "Val-de-Marne"}
    assert body["region"]["code"] == "11"
    assert body["source"] == {"code": "saisie", "label": "Saisie sur la plateforme"}
    [partnership] = body["partnerships"]
    assert partnership["title"] == "Tablettes pour les aidants" and partnership["type"]["code"] == "mecenat"
    assert partnership["partners"] == [{"id": "aidants", "name": "Association des aidants"},
                                       {"id": "pont-numerique", "name": "Pont numérique"}]
    fondation = client.get("/api/organizations/fondation-loire").json()
    assert fondation["is_demo"] is True and fondation["website"] == "https://fondation.example.org"
    assert [t["code"] for t in fondation["action_territories"]] == ["45", "45234"]
    assert fondation["domains"] == [{"code": "emploi", "label": "Emploi"}] and fondation["domains_inferred"] is False
    assert fondation["partnerships"] == []  # a mere proposal is not public
    aidants = client.get("/api/organizations/aidants").json()
    assert aidants["catalysts"] == [{"id": "camille", "name": "Catalyseur·rice (association) — Association des aidants",
                                     "url": "/acteurs/catalyseurs/camille/"}]


def test_an_unknown_organisation_is_a_json_404(client, world):
    response = client.get("/api/organizations/inconnue")
    assert response.status_code == 404 and response.json() == {"detail": "Ressource introuvable."}


# --- Catalysts and consent -------------------------------------------------------------------------


def test_a_person_without_consent_shows_neither_name_nor_contact(client, world):
    body = client.get("/api/catalysts").json()
    by_id = {r["id"]: r for r in body["results"]}
    camille = by_id["camille"]
    assert camille["name"] == "Catalyseur·rice (association) — Association des aidants"
    assert camille["contact"] is None and camille["job_title"] is None and camille["description"] is None
    assert "Camille" not in json.dumps(body) and "camille@example.org" not in json.dumps(body)
    assert camille["metiers"] == [{"code": "dialogue_territorial", "label": "Dialogue territorial",
                                   "activities": ["Temps de rencontres / interconnaissance"]}]
    dominique = by_id["dominique"]
    assert dominique["name"] == "Dominique Leroy"
    assert dominique["contact"] == {"email": "dominique@example.org", "phone": ""}


def test_a_person_sees_their_own_data(client, world, member):
    world["camille"].user = member
    world["camille"].save()
    client.force_login(member)
    camille = next(r for r in client.get("/api/catalysts").json()["results"] if r["id"] == "camille")
    assert camille["name"] == "Camille Martin" and camille["contact"]["email"] == "camille@example.org"


def test_catalysts_filters(client, world):
    assert [r["id"] for r in client.get("/api/catalysts", {"metier": "accompagnements"}).json()["results"]] == ["dominique"]
    assert [r["id"] for r in client.get("/api/catalysts", {"territory": "departement/94"}).json()["results"]] == ["camille"]
    assert [r["id"] for r in client.get("/api/catalysts", {"kind": "collectivite"}).json()["results"]] == ["dominique"]


def test_anonymous_catalysts_are_not_sorted_by_their_hidden_name(client, world):
    # "Camille" sorts before "Dominique"; the anonymous public name ("Catalyseur·rice…") too, but
    # by what it shows: both orders agree here, so check the key itself.
    from actors.map import catalyst_sort_key
    from actors.models import Catalyst

    keys = dict(Catalyst.objects.annotate(k=catalyst_sort_key()).values_list("slug", "k"))
    assert keys == {"camille": "Catalyseur·rice", "dominique": "Dominique Leroy"}


# --- The map ------------------------------------------------------------------------------------------


def test_the_map_answers_geojson_clusters_at_low_zoom(client, world, monkeypatch):
    monkeypatch.setattr(actors_map, "FEW_POINTS", 0)
    response = client.get("/api/map", {"bbox": "-5.2,41.3,9.6,51.1", "zoom": 7})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")
    collection = json.loads(response.content)
    assert_valid_geojson(collection)
    assert collection["mode"] == "clusters" and collection["total"] == 8
    assert sorted(f["properties"]["count"] for f in collection["features"]) == [3, 5]


def test_the_map_answers_points_at_high_zoom_with_filters(client, world):
    collection = client.get("/api/map", {"bbox": "2.38,48.80,2.47,48.84", "zoom": 16, "kind": "association",
                                         "layer": ["organisations", "catalyseurs"]}).json()
    assert collection["mode"] == "points"
    assert {f["id"] for f in collection["features"]} == {"organisations:aidants", "catalyseurs:camille"}
    for feature in collection["features"]:
        assert feature["properties"]["precision"] == "commune"


def test_the_map_without_a_bbox_covers_everything(client, world):
    collection = client.get("/api/map", {"metier": "accompagnements"}).json()
    assert [f["id"] for f in collection["features"]] == ["catalyseurs:dominique"]
    assert "bbox" not in collection


@pytest.mark.parametrize("params, field, message", [
    ({"bbox": "1,2,3"}, "bbox", "quatre nombres attendus : ouest,sud,est,nord (longitudes et latitudes en degrés)"),
    ({"bbox": "2,48,1,49"}, "bbox", "l'ouest doit précéder l'est et le sud le nord"),
    ({"bbox": "0,-100,1,49"}, "bbox", "longitudes entre -180 et 180, latitudes entre -90 et 90"),
    ({"zoom": "haut"}, "zoom", "nombre entier attendu"),
    ({"zoom": 25}, "zoom", "doit être inférieur ou égal à 19"),
    ({"kind": "club"}, "kind", None),
    ({"layer": "arbres"}, "layer", "Couche inconnue : « arbres »."),
    ({"domain": "astrologie"}, "domain", "Domaine inconnu : « astrologie »."),
    ({"metier": "magicien"}, "metier", "Métier inconnu : « magicien »."),
    ({"type": "troc"}, "type", "Type de partenariat inconnu : « troc »."),
    ({"territory": "Orléans"}, "territory",
     "Indiquez le territoire sous la forme niveau/code, par exemple region/11 ou commune/94018."),
])
def test_bad_map_parameters_are_named_in_french(client, world, params, field, message):
    errors = errors_of(client.get("/api/map", params))
    assert list(errors) == [field]
    if message:
        assert errors[field] == message
    else:
        assert errors[field].startswith("valeur non reconnue ; valeurs possibles")


def test_an_unknown_territory_is_a_json_404_in_french(client, world):
    for url in ("/api/map", "/api/organizations", "/api/catalysts"):
        response = client.get(url, {"territory": "region/99"})
        assert response.status_code == 404
        assert response.json() == {"detail": "Territoire « region/99 » introuvable."}


def test_bad_list_parameters(client, world):
    assert errors_of(client.get("/api/organizations", {"page": 0})) == {"page": "doit être supérieur ou égal à 1"}
    assert errors_of(client.get("/api/organizations", {"format": "kml"}))["format"].startswith("valeur non reconnue")
    assert errors_of(client.get("/api/catalysts", {"metier": "x"})) == {"metier": "Métier inconnu : « x »."}


def test_the_operations_are_documented(client, world):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/organizations", "/api/organizations/{slug}", "/api/catalysts", "/api/map"):
        assert path in schema["paths"]
