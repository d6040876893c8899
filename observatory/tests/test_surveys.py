"""The Observatoire des partenariats' survey results (observatory/surveys_data.py): the
figures loaded are those of the source documents, loading is idempotent, and the portrait
of a région shows them beside France's, in its page, CSV and PDF, as does the survey page."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from observatory.models import RegionalFact, Survey, SurveyAnswer, SurveyQuestion
from observatory.portrait import build_portrait
from observatory.surveys import load_surveys
from observatory.surveys_data import REGIONAL_FACTS, SURVEYS
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db

SEEDS = Path("/work/shared/seeds")


@pytest.fixture
def regions(sample_territories):
    """The sample holds Nouvelle-Aquitaine (75) but not Occitanie (76): add it."""
    Territory.objects.get_or_create(level=Level.REGION, code="76", defaults={"name": "Occitanie", "zone": "metro"})
    return {code: Territory.objects.get(level=Level.REGION, code=code) for code in ("75", "76", "11")}


@pytest.fixture
def loaded(regions):
    report = load_surveys()
    assert not report.skipped
    return report


def share(key: str, label: str, question: str | None = None) -> SurveyAnswer:
    answers = SurveyAnswer.objects.filter(question__survey__key=key, label=label)
    if question:
        answers = answers.filter(question__code=question)
    return answers.get()


def test_loaded_figures_are_those_of_the_seeds(loaded):
    # Companies' practices in 2015, seed 004 (table at lines 385-390; France also at 245-248).
    france = "entreprises-pratiques-2015-france"
    assert [(a.label, a.share) for a in SurveyAnswer.objects.filter(question__survey__key=france).order_by("position")] == [
        ("Pratiques responsables", 45), ("Mécénat", 30), ("Coopération économique", 25), ("Innovation sociétale", 16),
    ]
    assert not SurveyAnswer.objects.filter(question__survey__key=france, is_uncertain=True).exists()
    na = "entreprises-pratiques-2015-nouvelle-aquitaine"
    assert share(na, "Pratiques responsables").share == 61 and share(na, "Pratiques responsables").is_uncertain
    assert share(na, "Mécénat").share == 28 and not share(na, "Mécénat").is_uncertain  # in both tables
    assert share(na, "Coopération économique").share == 24 and not share(na, "Coopération économique").is_uncertain
    assert share(na, "Innovation sociétale").share == 26 and share(na, "Innovation sociétale").is_uncertain
    occ = "entreprises-pratiques-2015-occitanie"
    assert [share(occ, label).share for label in ("Pratiques responsables", "Mécénat", "Coopération économique", "Innovation sociétale")] == [24, 37, 57, 37]
    assert not share(occ, "Innovation sociétale").is_uncertain and share(occ, "Coopération économique").is_uncertain
    # Nothing of the garbled table's regional columns (lines 245-248: 30/28/24/24 and 25/24/26/37) but what both agree on.
    assert share(na, "Pratiques responsables").share != 30
    surveys = {s.key: s for s in Survey.objects.select_related("territory")}
    assert surveys[na].territory.code == "75" and surveys[occ].territory.code == "76" and surveys[france].is_national
    assert surveys[france].year == 2015 and surveys[france].base_n is None  # the N = 107 of the slides is not the table's
    assert "brouillé" in surveys[na].notes and surveys[na].source_file == "004_733c11854835ad12.txt"

    # Mayors, seed 000 line 38 (Q4, base: ensemble des maires, no N, no year).
    mayors = "maires-dynamique-co-construction-france"
    assert [a.share for a in SurveyAnswer.objects.filter(question__survey__key=mayors).order_by("position")] == [76, 46]
    assert surveys[mayors].population == "maires" and surveys[mayors].year is None and surveys[mayors].base_label == "Ensemble des maires"
    assert SurveyQuestion.objects.get(survey__key=mayors).text.startswith("Q4 - Votre territoire est-il porteur")
    # Associations and companies with partnerships: seed 000 line 17, seed 004 line 209, seed 002 line 101.
    assert share("associations-employeuses-partenariats-france", "Ont des partenariats").share == 53
    assert share("entreprises-taux-partenariats-france", "Ont des partenariats").share == 37
    assert share("onp-2013-associations-france", "Ont engagé une démarche de partenariat").share == 46
    assert [share("onp-2013-entreprises-france", label).share for label in ("Grandes entreprises", "PME")] == [60, 36]
    assert surveys["onp-2013-entreprises-france"].year == 2013
    # PHARE 2015 (seed 003 line 3): citizens, company heads, association leaders.
    assert [share(f"phare-2015-{who}-france", "Le pensent").share for who in ("citoyens", "entreprises", "associations")] == [69, 81, 86]
    assert "OpinionWay" in surveys["phare-2015-citoyens-france"].producer

    # Regional profiles, seed 004.
    facts = {fact.key: fact for fact in RegionalFact.objects.select_related("territory")}
    assert facts["na-superficie"].value == 84036 and facts["na-superficie"].territory.code == "75"
    assert facts["na-communes"].value == 4314 and facts["na-entreprises"].value == 539249 and facts["na-entreprises"].year == 2019
    assert facts["na-pib"].value == 164 and facts["na-pib"].year == 2015
    assert facts["occ-superficie"].value == 72724 and facts["occ-entreprises"].value == 584319
    assert facts["occ-dird"].value == 3.7 and facts["occ-dird"].comparison == "France métropolitaine : 2,3 % (2016)"
    assert facts["occ-population"].display == "5,9 M hab" and facts["occ-population"].territory.code == "76"
    assert facts["na-synthese-fragilites"].kind == "constat"
    assert loaded.surveys == len(SURVEYS) and loaded.facts == len(REGIONAL_FACTS)


@pytest.mark.skipif(not (SEEDS / "004_733c11854835ad12.txt").exists(), reason="documents sources absents")
def test_the_data_file_reads_the_coherent_table_of_seed_004():
    """The figures in surveys_data.py are the ones printed in seed 004's table (lines
    385-390), row by row, and the other table is the garbled one (a symmetric block)."""
    lines = (SEEDS / "004_733c11854835ad12.txt").read_text(encoding="utf-8").splitlines()
    assert lines[384].strip() == "Pratiques des entreprises en 2015"
    rows = [[int(cell.rstrip("%")) for cell in line.split("\t") if cell.strip()] for line in lines[387:390]]
    by_key = {entry["key"]: entry for entry in SURVEYS}
    for row, key in zip(rows, ("france", "nouvelle-aquitaine", "occitanie")):
        answers = by_key[f"entreprises-pratiques-2015-{key}"]["questions"][0]["answers"]
        assert [answer["share"] for answer in answers] == row
    garbled = [[int(cell.rstrip("%")) for cell in line.split("\t")[1:]] for line in lines[244:247]]
    assert all(garbled[i][j] == garbled[j][i] for i in range(3) for j in range(3))  # symmetric: not a real cross-table
    assert [line.split("\t")[1] for line in lines[244:248]] == ["45%", "30%", "25%", "16%"]  # its France column = row 1
    seed_000 = (SEEDS / "000_52d11ce732393435.txt").read_text(encoding="utf-8").splitlines()
    assert "76% des maires" in seed_000[37] and "dont 46%" in seed_000[37]
    assert seed_000[16].startswith("53% des associations employeuses")


def snapshot():
    return (
        list(Survey.objects.order_by("pk").values()),
        list(SurveyQuestion.objects.order_by("pk").values()),
        list(SurveyAnswer.objects.order_by("pk").values()),
        list(RegionalFact.objects.order_by("pk").values()),
    )


def test_loading_twice_changes_nothing_and_repairs_what_drifted(loaded, regions):
    before = snapshot()
    load_surveys()
    assert snapshot() == before
    # A hand edit of a loaded figure is put back; a survey entered by hand is kept; one
    # that a previous version of the data file had is removed.
    SurveyAnswer.objects.filter(question__survey__key="maires-dynamique-co-construction-france", position=1).update(share=99)
    manual = Survey.objects.create(key="saisie-manuelle", title="Saisie", population="citoyens", producer="x",
                                   is_national=True, source_title="x", source_file="x", source_section="x")
    Survey.objects.create(key="ancienne-version", title="Ancienne", population="citoyens", producer="x",
                          is_national=True, source_title="x", source_file="x", source_section="x", from_reference=True)
    load_surveys()
    assert share("maires-dynamique-co-construction-france", "Oui, le territoire a initié une dynamique de co-construction").share == 76
    assert Survey.objects.filter(pk=manual.pk).exists() and not Survey.objects.filter(key="ancienne-version").exists()
    manual.delete()
    assert snapshot() == before


def test_a_region_missing_from_the_database_is_skipped_not_invented(sample_territories):
    report = load_surveys()  # no Occitanie in the sample territories
    assert "entreprises-pratiques-2015-occitanie" in report.skipped
    assert not Survey.objects.filter(key__contains="occitanie").exists()
    assert Survey.objects.filter(key="entreprises-pratiques-2015-nouvelle-aquitaine").exists()


def test_region_portrait_shows_the_2015_company_practices_beside_france(client, loaded):
    response = client.get("/territoires/region/75/portrait/")
    assert response.status_code == 200
    page = response.content.decode()
    section = page[page.index('id="dynamique-partenariale"'):]
    section = section[:section.index("</section>")]
    assert "Dynamique partenariale" in section and "Pratiques partenariales des entreprises en 2015" in section
    # The chart: a bar for Nouvelle-Aquitaine and one for France for each practice, drawn by the server.
    chart = section[section.index("<svg"):section.index("</svg>")]
    assert "Nouvelle-Aquitaine : 61\xa0% *" in chart and "France : 45\xa0%" in chart
    assert "Nouvelle-Aquitaine : 28\xa0%" in chart and "France : 30\xa0%" in chart
    assert chart.count("<rect") == 2 + 2 * 4  # legend swatches, then 2 bars × 4 practices
    assert " style=" not in section and "<script" not in section
    for value in re.findall(r'\b(?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"', chart.split(">", 1)[1]):
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), f"coordonnée SVG illisible : {value!r}"
    # The table behind it, with base, year, source, and the uncertain figures flagged.
    assert "61 %" in section and "45 %" in section and "à confirmer" in section
    assert "004_733c11854835ad12.txt" in section and "non publiée" in section
    assert "76 %" in section and "53 %" in section  # France-level surveys on every portrait
    # The région's profile from the Observatoire's report.
    assert "84 036 km²" in section and "moins marqués que la moyenne nationale" in section
    assert "Occitanie" not in section.split("<h3>Profil")[0].replace("l'Occitanie", "")


def test_other_portraits_show_france_and_not_another_regions_figures(client, loaded):
    idf = client.get("/territoires/region/11/portrait/").content.decode()
    assert "ne publient pas de résultat d'enquête propre à Île-de-France" in idf
    assert "45 %" in idf and "61 %" not in idf and "84 036" not in idf
    orleans = client.get("/territoires/commune/45234/portrait/").content.decode()
    assert "Dynamique partenariale" in orleans and "76 %" in orleans and "61 %" not in orleans


def test_portrait_csv_section_enquetes(client, loaded):
    response = client.get("/territoires/region/75/portrait/enquetes.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    col = {name: header.index(name) for name in header}
    na = [row for row in body if row[col["territoire de l'enquête"]] == "Nouvelle-Aquitaine"]
    assert [(row[col["réponse"]], row[col["part (%)"]], row[col["lecture à confirmer"]]) for row in na] == [
        ("Pratiques responsables", "61", "oui"), ("Mécénat", "28", "non"),
        ("Coopération économique", "24", "non"), ("Innovation sociétale", "26", "oui"),
    ]
    france = {(row[col["enquête"]], row[col["réponse"]]): row for row in body if row[col["territoire de l'enquête"]] == "France"}
    assert france[("Pratiques partenariales des entreprises en 2015", "Pratiques responsables")][col["part (%)"]] == "45"
    assert france[("Pratiques partenariales des entreprises en 2015", "Pratiques responsables")][col["année"]] == "2015"
    assert all(row[col["fichier source"]].endswith(".txt") and row[col["section du document"]] for row in body)
    assert not any(row[col["territoire de l'enquête"]] == "Occitanie" for row in body)


def test_pdf_template_has_the_survey_table(rf, loaded, regions):
    portrait = build_portrait(regions["75"])
    html = render_to_string("observatory/portrait_print.html", {"portrait": portrait, "territory": regions["75"], "threshold": 66.7},
                            request=rf.get("/"))
    assert "Dynamique partenariale" in html and "Pratiques partenariales des entreprises en 2015" in html
    assert "61 %" in html and "45 %" in html and "à confirmer" in html and "004_733c11854835ad12.txt" in html


def test_survey_page_lists_every_survey_with_its_results_and_source(client, loaded):
    response = client.get("/observatoire/enquetes/")
    assert response.status_code == 200
    page = response.content.decode()
    for survey in Survey.objects.all():
        assert f'id="{survey.key}"' in page and survey.source_file in page
    assert page.index(">France</h2>") < page.index(">Nouvelle-Aquitaine</h2>") < page.index(">Occitanie</h2>")
    assert "57 %" in page and "76 %" in page and "69 %" in page and "584 319" in page
    assert "/territoires/region/76/portrait/#dynamique-partenariale" in page
    assert " style=" not in page.split("<main", 1)[-1]


def test_survey_page_without_data(client, db):
    page = client.get("/observatoire/enquetes/").content.decode()
    assert "Aucune enquête n'est chargée" in page


def test_load_observatory_loads_them_and_the_region_portrait_has_everything(client, regions, observatory_data):
    """``load_reference`` (``manage.py load_observatory``, run by ``make run``) loads the
    surveys with the INSEE figures: the portrait of Nouvelle-Aquitaine shows both."""
    assert Survey.objects.filter(from_reference=True).count() == len(SURVEYS)
    assert RegionalFact.objects.count() == len(REGIONAL_FACTS)
    page = client.get("/territoires/region/75/portrait/").content.decode()
    assert "France métro." in page and "Dynamique partenariale" in page
    assert page.index("Dynamique partenariale") < page.index("Nouvelle-Aquitaine : 61\xa0% *") < page.index("France : 45\xa0%")
