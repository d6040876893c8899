"""The observatory's pages as a user opens them, on the real INSEE files loaded onto the
sample territories."""

import csv
import io

import pytest

from observatory.models import Indicator, NationalValue, Value
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(observatory_data):
    return observatory_data


def test_orleans_portrait_reads_its_real_median_income_and_poverty_rate_with_their_source(client, loaded):
    page = client.get("/territoires/commune/45234/portrait/").content.decode()
    assert "Portrait de territoire : Orléans" in page
    assert "21\xa0370" in page or "21 370" in page  # MED21, Filosofi 2021
    assert "22,0" in page  # TP6021
    assert "116\xa0238" in page or "116 238" in page  # P18_POP
    methodology = client.get("/observatoire/indicateurs/taux_pauvrete/").content.decode()
    assert "Filosofi" in methodology and "Licence Ouverte" in methodology


def test_values_are_those_of_the_files_and_blanks_stay_blank(loaded):
    orleans = Territory.objects.get(level=Level.COMMUNE, code="45234")
    median = Value.objects.get(territory=orleans, indicator__code="niveau_vie_median", year=2021)
    assert median.value == 21370 and not median.is_computed
    # Arboys en Bugey's poverty rate is under statistical secrecy ("s"): a blank, not 0,
    # and its département's figure says it covers less than all of the population.
    secret = Value.objects.get(territory__code="01015", territory__level=Level.COMMUNE, indicator__code="taux_pauvrete", year=2021)
    assert secret.value is None
    ain = Value.objects.get(territory__code="01", territory__level=Level.DEPARTEMENT, indicator__code="taux_pauvrete", year=2021)
    assert ain.value is None and ain.coverage == 0
    loiret = Territory.objects.get(level=Level.DEPARTEMENT, code="45")
    aged = Value.objects.get(territory=loiret, indicator__code="part_75_plus", year=2023)
    assert aged.value == pytest.approx(100 * 69526 / 686615)
    unemployment = NationalValue.objects.get(indicator__code="taux_chomage_localise", scope="metro", year=2023)
    assert unemployment.value == pytest.approx(7.1, abs=0.05)


def test_region_portrait_compares_with_france_and_labels_demo_figures(client, loaded):
    page = client.get("/territoires/region/75/portrait/").content.decode()
    assert "Nouvelle-Aquitaine" in page
    assert "Données de démonstration" in page and "démonstration</span>" in page
    assert "France métro." in page and "Score par domaine" in page


def test_csv_exports_say_which_figures_are_demo(client, loaded):
    response = client.get("/territoires/region/75/portrait/indicateurs.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    nature = header.index("nature")
    assert {row[nature] for row in body} == {"donnée réelle", "données de démonstration"}
    demo_rows = [row for row in body if row[nature] == "données de démonstration"]
    assert all(row[header.index("source")].startswith("Données de démonstration") for row in demo_rows)
    assert client.get("/territoires/region/75/portrait/inconnu.csv").status_code == 404


def test_pdf_report(client, loaded):
    response = client.get("/territoires/departement/45/portrait.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_compare_two_regions_with_a_permalink(client, loaded):
    page = client.get("/observatoire/comparer/?t=region/75,region/24").content.decode()
    assert "Nouvelle-Aquitaine" in page and "Centre-Val de Loire" in page
    assert "t=region/75&amp;t=region/24" in page
    bad = client.get("/observatoire/comparer/?t=region/75&t=region/zz").content.decode()
    assert "« region/zz » ne désigne aucun territoire." in bad


def test_chosen_peers_replace_the_suggestion_and_bad_codes_are_named(client, loaded):
    page = client.get("/territoires/departement/45/portrait/?pairs=departement/64,departement/33,departement/xx").content.decode()
    assert "Votre sélection" in page
    assert "departement/xx" in page and "ne désignent aucun territoire du même niveau" in page


def test_a_project_territory_gets_its_portrait_and_a_private_one_stays_private(client, loaded, member, other_member):
    from territories.projects import save_project

    communes = list(Territory.objects.filter(level=Level.COMMUNE, code__in=["45234", "45232"]))
    project = save_project(owner=member, name="Orléans et Olivet", description="", is_private=True, commune_ids=[c.pk for c in communes])
    client.force_login(member)
    page = client.get(f"/territoires/project/{project.code}/portrait/").content.decode()
    population = Value.objects.get(territory=project, indicator__code="population", year=2018)
    parts = Value.objects.filter(territory__in=communes, indicator__code="population", year=2018)
    assert population.value == pytest.approx(sum(v.value for v in parts))
    assert "Orléans et Olivet" in page
    client.force_login(other_member)
    for suffix in ("portrait/", "portrait/indicateurs.csv", "portrait.pdf"):
        assert client.get(f"/territoires/project/{project.code}/{suffix}").status_code == 404


def test_catalogue_lists_every_indicator_and_says_which_are_demo(client, loaded):
    page = client.get("/observatoire/indicateurs/").content.decode()
    for indicator in Indicator.objects.all():
        assert indicator.get_absolute_url() in page
    assert Indicator.objects.filter(is_demo=True).count() == 10
