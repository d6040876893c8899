import pytest

from practices.importer import clean_rows, save_rows
from practices.models import Status

pytestmark = pytest.mark.django_db


def test_the_search_page_works_without_javascript(client, fiches):
    html = client.get("/pratiques/", {"q": "seniors"}).content.decode()
    assert "1 pratique" in html and "Des seniors et des tablettes" in html
    assert "<mark>seniors</mark>" in html
    assert 'href="/pratiques/?q=seniors&amp;domaine=numerique"' in html


def test_htmx_gets_only_the_results(client, fiches):
    response = client.get("/pratiques/?q=seniors", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert body.startswith('<div id="results"') and "<h1>" not in body


def test_bad_filters_get_a_clear_message(client, fiches):
    html = client.get("/pratiques/", {"territoire": "region/99"}).content.decode()
    assert "Territoire « region/99 » introuvable." in html


def test_the_fiche_page_shows_every_field_its_territory_and_similar_practices(client, fiches):
    html = client.get("/pratiques/silver/").content.decode()
    assert "<h1>Des seniors et des tablettes</h1>" in html
    assert 'href="/territoires/commune/94018/"' in html
    assert "Genèse" in html and "Non renseignée." in html
    assert "Pratiques similaires" not in html  # nothing shares its domains, type or category
    labo = client.get("/pratiques/labo/").content.decode()
    assert "Pratiques similaires" in labo and 'href="/pratiques/insertion/"' in labo  # both in "Emploi"


def test_an_unpublished_fiche_is_a_404_except_for_its_contributor_and_editors(client, fiches, member, other_member, editor):
    save_rows(clean_rows([{"slug": "brouillon", "title": "Brouillon", "summary": "En cours"}]), status=Status.SUBMITTED, author=member)
    assert client.get("/pratiques/brouillon/").status_code == 404
    assert client.get("/api/practices/brouillon").status_code == 404
    client.force_login(other_member)
    assert client.get("/pratiques/brouillon/").status_code == 404
    client.force_login(member)
    assert client.get("/pratiques/brouillon/").status_code == 200
    client.force_login(editor)
    assert client.get("/pratiques/brouillon/").status_code == 200


def test_api_search_returns_count_results_and_facets(client, fiches):
    body = client.get("/api/practices", {"q": "numérique", "territory": "region/11"}).json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert hit["id"] == "silver" and hit["year"] == 2014 and hit["score"] > 0
    assert hit["territory"] == {"level": "commune", "code": "94018", "name": "Charenton-le-Pont"}
    assert {"value": "numerique", "label": "Numérique", "count": 1, "selected": False} in body["facets"]["domain"]
    assert set(body["facets"]) == {"domain", "type", "category", "status", "territory", "year"}


def test_api_rejects_bad_parameters_with_field_names(client, fiches):
    response = client.get("/api/practices", {"territory": "region/99", "page": "x"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"territory", "page"}


def test_api_detail_gives_the_whole_fiche(client, fiches):
    body = client.get("/api/practices/silver").json()
    assert body["domains"] == [{"code": "vieillissement", "label": "Vieillissement"}, {"code": "numerique", "label": "Numérique"}]
    assert body["category"] == "co_innovation" and body["territory"]["code"] == "94018"
    assert client.get("/api/practices/inconnue").status_code == 404
