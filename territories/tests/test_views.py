import pytest
from django.urls import reverse

from territories.models import Level, Territory, TerritoryLink
from territories.projects import save_project

pytestmark = pytest.mark.django_db


def test_the_territory_page_shows_name_level_population_parents_and_children(client, sample_territories):
    html = client.get("/territoires/departement/45/").content.decode()
    assert "<h1>Loiret</h1>" in html
    assert "Centre-Val de Loire" in html and 'href="/territoires/region/24/"' in html
    assert "EPCI <span class=\"count\">(2)</span>" in html
    assert 'href="/territoires/epci/244500468/"' in html  # the first tab lists the EPCI


def test_children_are_paginated_and_htmx_gets_only_the_list(client, sample_territories, settings):
    settings.TERRITORY_CHILDREN_PER_PAGE = 2
    page2 = client.get("/territoires/region/24/?niveau=commune&page=2")
    html = page2.content.decode()
    assert "Page 2 sur 3" in html and "<h1>" in html
    fragment = client.get("/territoires/region/24/?niveau=commune&page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="children")
    body = fragment.content.decode()
    assert body.startswith('<div id="children">') and "<h1>" not in body and "Page 2 sur 3" in body


def test_an_unknown_level_in_the_query_falls_back_to_the_first_tab(client, sample_territories):
    assert client.get("/territoires/region/24/?niveau=canton&page=abc").status_code == 200


def test_an_unknown_territory_gets_a_french_404_page(client, sample_territories):
    response = client.get("/territoires/commune/99999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and '<html lang="fr">' in html
    assert client.get("/territoires/canton/12/").status_code == 404


def test_an_obsolete_commune_says_so_and_links_its_successor(client, sample_territories):
    saran = Territory.objects.get(level="commune", code="45302")
    orleans = Territory.objects.get(level="commune", code="45234")
    Territory.objects.filter(pk=saran.pk).update(is_obsolete=True, successor=orleans)
    html = client.get("/territoires/commune/45302/").content.decode()
    assert "n&#x27;existe plus" in html or "n'existe plus" in html
    assert 'href="/territoires/commune/45234/"' in html


def test_the_search_page_lists_results_without_javascript(client, sample_territories):
    html = client.get("/territoires/", {"q": "orleans"}).content.decode()
    assert "résultats pour « orleans »" in html
    assert html.index("/territoires/commune/45234/") < html.index("/territoires/epci/244500468/")


def test_creating_a_project_needs_an_account(client, sample_territories):
    response = client.get(reverse("territories:project-create"))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_a_member_creates_a_project_of_three_communes_and_sees_its_population(client, sample_territories, member):
    client.force_login(member)
    response = client.post(
        reverse("territories:project-create"),
        {"name": "Boucle de la Marne", "description": "Trois communes", "membres": ["commune:94018", "commune:94069", "94046"]},
    )
    project = Territory.objects.get(level=Level.PROJECT)
    assert response.status_code == 302 and response["Location"] == "/territoires/project/boucle-de-la-marne/"
    expected = sum(Territory.objects.filter(level="commune", code__in=["94018", "94069", "94046"]).values_list("population", flat=True))
    assert project.population == expected and project.owner == member
    html = client.get(response["Location"]).content.decode()
    shown = f"{expected:,}".replace(",", "\xa0")  # French grouping: a non-breaking space
    assert f"{shown} habitants</dd>" in html
    assert f"créé : {shown} habitants." in html
    assert "Charenton-le-Pont" in html


def test_a_project_can_take_a_whole_epci(client, sample_territories, member):
    client.force_login(member)
    client.post(reverse("territories:project-create"), {"name": "Métropole", "membres": "epci:244500468"})
    assert Territory.objects.get(level=Level.PROJECT).communes().count() == 5


def test_bad_input_is_explained_and_creates_nothing(client, sample_territories, member):
    client.force_login(member)
    response = client.post(reverse("territories:project-create"), {"name": "", "membres": "12345\ncanton:3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "« canton:3 » (n° 2)" in html
    assert "Ce champ est obligatoire." in html
    assert not Territory.objects.filter(level=Level.PROJECT).exists()
    response = client.post(reverse("territories:project-create"), {"name": "X", "membres": "12345"})
    assert "Commune « 12345 » : introuvable" in response.content.decode()
    assert not Territory.objects.filter(level=Level.PROJECT).exists()


def test_only_the_owner_edits_or_deletes_a_project(client, sample_territories, member, other_member):
    pau = Territory.objects.get(level="commune", code="64445")
    project = save_project(owner=member, name="Béarn", description="", is_private=False, commune_ids=[pau.pk])
    client.force_login(other_member)
    assert client.get(f"/territoires/project/{project.code}/").status_code == 200
    assert client.get(f"/territoires/project/{project.code}/modifier/").status_code == 404
    assert client.post(f"/territoires/project/{project.code}/supprimer/").status_code == 404
    client.force_login(member)
    response = client.post(f"/territoires/project/{project.code}/modifier/", {"name": "Béarn élargi", "membres": "64445 64335"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "Béarn élargi" and project.communes().count() == 2
    assert client.post(f"/territoires/project/{project.code}/supprimer/").status_code == 302
    assert not Territory.objects.filter(pk=project.pk).exists()
    assert not TerritoryLink.objects.filter(ancestor_id=project.pk).exists()


def test_a_private_project_is_invisible_to_others(client, sample_territories, member, other_member):
    pau = Territory.objects.get(level="commune", code="64445")
    project = save_project(owner=member, name="Confidentiel", description="", is_private=True, commune_ids=[pau.pk])
    url = f"/territoires/project/{project.code}/"
    assert client.get(url).status_code == 404
    assert "Confidentiel" not in client.get("/territoires/commune/64445/").content.decode()
    client.force_login(other_member)
    assert client.get(url).status_code == 404
    assert "Confidentiel" not in client.get("/territoires/", {"q": "confidentiel"}).content.decode()
    client.force_login(member)
    assert client.get(url).status_code == 200
    assert "Confidentiel" in client.get("/territoires/commune/64445/").content.decode()


def test_each_error_is_tied_to_its_field_for_screen_readers(client, sample_territories, member):
    client.force_login(member)
    html = client.post(reverse("territories:project-create"), {"name": "", "membres": "12345"}).content.decode()
    assert 'aria-describedby="id_name_errors"' in html
    assert 'aria-describedby="id_membres_helptext id_membres_errors"' in html
    assert 'id="id_name_errors"' in html and 'id="id_membres_errors"' in html
