import pytest

from territories.projects import save_project
from territories.models import Territory

pytestmark = pytest.mark.django_db


def test_search_returns_level_code_name_population_best_first(client, sample_territories):
    response = client.get("/api/territories", {"q": "pau"})
    assert response.status_code == 200
    body = response.json()
    assert body[0] == {"level": "commune", "code": "64445", "name": "Pau", "population": 80441}
    assert set(body[1]) == {"level", "code", "name", "population"}


def test_search_can_be_restricted_to_levels(client, sample_territories):
    body = client.get("/api/territories?q=orleans&level=epci").json()
    assert [row["level"] for row in body] == ["epci"]


def test_search_rejects_bad_parameters_in_french(client, sample_territories):
    response = client.get("/api/territories", {"q": "pau", "limit": "beaucoup"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "limit", "message": "nombre entier attendu"}]
    missing = client.get("/api/territories").json()
    assert missing["errors"][0] == {"field": "q", "message": "paramètre obligatoire manquant"}
    too_big = client.get("/api/territories", {"q": "pau", "limit": 500}).json()
    assert too_big["errors"][0]["message"] == "doit être inférieur ou égal à 50"


def test_detail_gives_parents_and_children_count(client, sample_territories):
    body = client.get("/api/territories/commune/45234").json()
    assert body["name"] == "Orléans" and body["population"] == 116357
    assert body["parents"] == [
        {"level": "region", "code": "24", "name": "Centre-Val de Loire"},
        {"level": "departement", "code": "45", "name": "Loiret"},
        {"level": "epci", "code": "244500468", "name": "Orléans Métropole"},
    ]
    assert body["children_count"] == 0
    region = client.get("/api/territories/region/24").json()
    assert region["children_count"] == 1  # the Loiret
    assert region["children_counts"] == {"departement": 1, "epci": 2, "commune": 6}


def test_unknown_territory_is_a_json_404(client, sample_territories):
    response = client.get("/api/territories/commune/99999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ressource introuvable."}
    bad_level = client.get("/api/territories/canton/45")
    assert bad_level.status_code == 422


def test_a_private_project_is_a_404_for_others(client, sample_territories, member, other_member):
    pau = Territory.objects.get(level="commune", code="64445")
    project = save_project(owner=member, name="Projet privé", description="", is_private=True, commune_ids=[pau.pk])
    url = f"/api/territories/project/{project.code}"
    assert client.get(url).status_code == 404
    client.force_login(other_member)
    assert client.get(url).status_code == 404
    client.force_login(member)
    body = client.get(url).json()
    assert body["population"] == 80441 and body["children_counts"] == {"commune": 1}


def test_the_openapi_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/territories" in schema["paths"]
    assert "/api/territories/{level}/{code}" in schema["paths"]
    docs = client.get("/api/docs")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
