"""Importing indicator values from CSV and XLSX (``observatory/importing.py``): the three
layouts, every kind of problem named by line and column, nothing written when anything is
wrong, the re-aggregation, the page (editors only) and the command."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from observatory.importing import ImportRefused, dependents, import_values
from observatory.loading import write_catalogue
from observatory.models import NationalValue, Run, Value
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db

LOIRET = ("45147", "45232", "45234", "45252", "45284", "45302")  # the sample's communes of the Loiret


@pytest.fixture
def catalogue(sample_territories):
    return write_catalogue()


def csv_file(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def value(indicator: str, level: str, code: str, year: int) -> Value:
    return Value.objects.get(indicator__code=indicator, territory__level=level, territory__code=code, year=year)


def refused(text: str, **kwargs) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        import_values(csv_file(text), name="essai.csv", **kwargs)
    return caught.value


def long_population(year: int = 2022, start: int = 1000) -> str:
    lines = ["indicator,level,code,year,value"]
    lines += [f"population,commune,{code},{year},{start + i}" for i, code in enumerate(LOIRET)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# The three layouts, CSV and XLSX
# ---------------------------------------------------------------------------------------


def test_long_csv_with_semicolons_bom_french_headers_and_decimal_commas(catalogue):
    text = (
        "indicateur;niveau;code;année;valeur\n"
        "population;commune;45234;2022;116 238,0\n"
        "population;commune;45232;2022;23507\n"
        "population;Commune;45147;2022;s\n"  # secret: a blank, never a zero
        "superficie;commune;45234;2022;27,48\n"
        "superficie;commune;45232;2022;23,36\n"
    )
    report = import_values(io.BytesIO(("\ufeff" + text).encode("utf-8")), name="insee-2022.csv")
    assert value("population", Level.COMMUNE, "45234", 2022).value == 116238
    assert value("superficie", Level.COMMUNE, "45234", 2022).value == pytest.approx(27.48)
    secret = value("population", Level.COMMUNE, "45147", 2022)
    assert secret.value is None and not secret.is_computed
    assert (report.lines, report.values, report.unpublished, report.written) == (5, 5, 1, 5)
    assert report.indicators == ["population", "superficie"]
    # The ratios that read population or superficie are computed again, from the new counts.
    assert {"densite", "etablissements_pour_1000", "taux_natalite", "taux_mortalite"} <= set(report.reaggregated)
    assert value("densite", Level.COMMUNE, "45234", 2022).value == pytest.approx(116238 / 27.48)
    run = Run.objects.latest()
    assert run.kind == Run.Kind.IMPORT and run.source == "insee-2022.csv" and run.values_written == 5


def test_commune_values_are_aggregated_up_to_the_departement_region_and_france(catalogue):
    import_values(csv_file(long_population(2022)), name="population.csv")
    loiret = value("population", Level.DEPARTEMENT, "45", 2022)
    assert loiret.is_computed and loiret.value == sum(range(1000, 1006))
    assert value("population", Level.REGION, "24", 2022).value == sum(range(1000, 1006))
    assert value("population", Level.EPCI, "244500468", 2022).value == 1000 + 1001 + 1002 + 1004 + 1005  # without Pithiviers
    assert NationalValue.objects.get(indicator__code="population", scope="metro", year=2022).value == sum(range(1000, 1006))
    # A second import of the same slice replaces it, and the aggregates follow.
    import_values(csv_file(long_population(2022, start=2000)), name="population-corrigee.csv")
    assert value("population", Level.DEPARTEMENT, "45", 2022).value == sum(range(2000, 2006))


def test_wide_file_with_one_column_per_indicator(catalogue):
    text = (
        "niveau,code,annee,nom,logements,logements_vacants\n"
        "commune,45234,2021,Orléans,70000,7000.5\n"
        "commune,45232,2021,Olivet,11000,nd\n"
    )
    report = import_values(csv_file(text), name="logements.csv")
    assert report.layout == "wide_indicator" and report.values == 4 and report.unpublished == 1
    assert value("logements_vacants", Level.COMMUNE, "45234", 2021).value == 7000.5
    assert value("logements_vacants", Level.COMMUNE, "45232", 2021).value is None
    assert value("taux_vacance", Level.COMMUNE, "45234", 2021).value == pytest.approx(100 * 7000.5 / 70000)
    assert value("logements", Level.DEPARTEMENT, "45", 2021).value == 81000
    assert "taux_vacance" in report.reaggregated


def test_wide_file_with_one_column_per_year(catalogue):
    text = "indicateur;niveau;code;2019;2020;2021\n" + "".join(
        f"etablissements;commune;{code};{i};{i + 1};{i + 2}\n" for i, code in enumerate(LOIRET)
    )
    report = import_values(csv_file(text), name="etablissements.csv")
    assert report.layout == "wide_year" and report.values == 18 and report.written == 18
    assert value("etablissements", Level.COMMUNE, "45232", 2020).value == 2
    assert value("etablissements", Level.DEPARTEMENT, "45", 2021).value == sum(i + 2 for i in range(6))


def test_xlsx_first_sheet_with_numbers_as_cells_and_a_lost_leading_zero(catalogue, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Indicateur", "Niveau", "Code", "Année", "Valeur"])
    sheet.append(["population", "commune", 1015, 2022, 712])  # 01015, typed as a number: the zero is gone
    sheet.append(["population", "commune", "45234", 2022.0, 116238.5])
    sheet.append(["population", "commune", "45232", 2022, None])  # an empty cell: not published
    sheet.append([None, None, None, None, None])  # a blank row at the end
    workbook.create_sheet("Notes").append(["ignored"])
    path = tmp_path / "valeurs.xlsx"
    workbook.save(path)
    report = import_values(path)
    assert report.file_name == "valeurs.xlsx" and report.lines == 3 and report.unpublished == 1
    assert value("population", Level.COMMUNE, "01015", 2022).value == 712
    assert value("population", Level.COMMUNE, "45234", 2022).value == 116238.5
    assert value("population", Level.COMMUNE, "45232", 2022).value is None


def test_xlsx_errors_name_the_row_and_column(catalogue, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["niveau", "code", "annee", "population"])
    sheet.append(["commune", "45234", 2022, 10])
    sheet.append(["commune", "45232", 2022, "beaucoup"])
    path = tmp_path / "erreur.xlsx"
    workbook.save(path)
    with pytest.raises(ImportRefused) as caught:
        import_values(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (3, "population") and "non numérique" in problem.message


def test_a_former_commune_counts_for_its_commune_nouvelle_and_arrondissements_are_left_out(catalogue):
    text = (
        "indicator,level,code,year,value\n"
        "population,commune,01015,2022,500\n"
        "population,commune,01340,2022,210\n"  # Arboys en Bugey's former commune
        "population,commune,75101,2022,16000\n"  # Paris 1er: the file holds Paris too
    )
    report = import_values(csv_file(text), name="fusion.csv")
    assert value("population", Level.COMMUNE, "01015", 2022).value == 710
    assert report.arrondissements == 1 and report.written == 1


def test_published_indicators_take_their_base_level_and_above(catalogue):
    text = "indicator,level,code,year,value\ntaux_chomage_localise,region,24,2023,6.9\ntaux_chomage_localise,departement,45,2023,7.1\n"
    import_values(csv_file(text), name="chomage.csv")
    assert value("taux_chomage_localise", Level.REGION, "24", 2023).value == 6.9
    assert not value("taux_chomage_localise", Level.REGION, "24", 2023).is_computed


def test_ratios_that_read_an_imported_indicator_are_re_aggregated_too(catalogue):
    names = {indicator.code for indicator in dependents({"chomeurs_15_64"}, catalogue)}
    assert names == {"chomeurs_15_64", "taux_chomage_rp"}
    names = {indicator.code for indicator in dependents({"population"}, catalogue)}
    assert names == {"population", "densite", "etablissements_pour_1000", "taux_natalite", "taux_mortalite"}


# ---------------------------------------------------------------------------------------
# Every kind of problem, with its line and column
# ---------------------------------------------------------------------------------------

GOOD = "population,commune,45234,2022,1\n"
PROBLEMS = [
    ("unknown indicator", "habitants,commune,45232,2022,1", "indicator", "indicateur inconnu « habitants »"),
    ("ratio", "densite,commune,45232,2022,1", "indicator", "importez le numérateur et le dénominateur"),
    ("demo", "demo_sante,departement,45,2022,1", "indicator", "démonstration"),
    ("unknown level", "population,canton,45232,2022,1", "level", "niveau inconnu « canton »"),
    ("unknown commune", "population,commune,45999,2022,1", "code", "code inconnu « 45999 »"),
    ("unknown département", "population,departement,99,2022,1", "code", "code inconnu « 99 »"),
    ("above the base level", "population,departement,45,2022,1", "level", "importez les valeurs des communes"),
    ("below the base level", "population_estimee,commune,45232,2022,1", "level", "ne seraient jamais agrégées"),
    ("not a number", "population,commune,45232,2022,12 habitants", "value", "valeur non numérique « 12 habitants »"),
    ("not finite", "population,commune,45232,2022,nan", "value", "valeur non numérique"),
    ("two decimal marks", "population,commune,45232,2022,\"1.234,5\"", "value", "valeur non numérique"),
    ("duplicate", "population,commune,45234,2022,2", "value", "doublon : population, commune 45234, 2022 figure déjà ligne 2"),
    ("year too old", "population,commune,45232,1850,1", "year", "année hors limites « 1850 »"),
    ("year too far", "population,commune,45232,2999,1", "year", "année hors limites « 2999 »"),
    ("year not a year", "population,commune,45232,deux mille,1", "year", "année non valide"),
    ("short line", "population,commune,45232", "year", "ligne incomplète : 3 cellule(s) au lieu de 5"),
    ("unquoted decimal comma", "population,commune,45232,2022,1,5", "n° 6", "une virgule décimale"),
]


@pytest.mark.parametrize("kind, line, column, message", PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_each_problem_is_named_with_its_line_and_column(catalogue, kind, line, column, message):
    error = refused("indicator,level,code,year,value\n" + GOOD + line + "\n")
    assert error.count == 1, [str(p) for p in error.problems]
    [problem] = error.problems
    assert (problem.line, problem.column) == (3, column)
    assert message in problem.message
    assert Value.objects.count() == 0 and not Run.objects.exists()


def test_header_problems_refuse_the_file_at_line_one(catalogue):
    error = refused("niveau;code;annee;population;habitants;densite\ncommune;45234;2022;1;2;3\n")
    assert [(p.line, p.column) for p in error.problems] == [(1, "habitants"), (1, "densite")]
    error = refused("indicateur;niveau;code;2020;1850\npopulation;commune;45234;1;2\n")
    assert [(p.line, p.column) for p in error.problems] == [(1, "1850")]
    error = refused("territoire;chiffre\n45234;1\n")
    assert error.problems[0].line == 1 and "en-tête non reconnu" in error.problems[0].message
    error = refused(long_population(), layout="wide")
    assert "en-tête non reconnu" in error.problems[0].message


def test_files_that_are_not_csv_text_or_xlsx_are_refused_by_content(catalogue):
    def refusal(data: io.BytesIO, name: str) -> str:
        with pytest.raises(ImportRefused) as caught:
            import_values(data, name=name)
        [problem] = caught.value.problems
        return problem.message

    png = io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "ni un fichier texte CSV ni un classeur XLSX" in refusal(png, "image.csv")
    assert "pas un classeur XLSX" in refusal(zip_bytes({"readme.txt": b"hello"}), "archive.xlsx")
    latin = csv_file("indicateur;niveau;code;année;valeur\n", "latin-1")
    assert "UTF-8" in refusal(latin, "latin.csv")
    # Far into the file (past the first bytes checked at once): the line is named.
    years = "".join(f"population,commune,{code},{year},1\n" for year in range(1950, 2020) for code in LOIRET)
    late = csv_file("indicator,level,code,year,value\n" + years + "population,commune,45234,2023,\u00e9\n", "latin-1")
    with pytest.raises(ImportRefused) as caught:
        import_values(late, name="latin-plus-loin.csv")
    [problem] = caught.value.problems
    assert problem.line == 2 + 70 * 6 and "UTF-8" in problem.message
    assert refusal(io.BytesIO(b""), "vide.csv") == "le fichier est vide."
    assert not Value.objects.exists()


def zip_bytes(members: dict[str, bytes]) -> io.BytesIO:
    import zipfile

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    data.seek(0)
    return data


def test_problems_are_listed_up_to_a_hundred_and_all_counted(catalogue):
    lines = "".join(f"population,commune,45232,{1800 + i % 50},1\n" for i in range(250))
    error = refused("indicator,level,code,year,value\n" + lines)
    assert error.count == 250 and len(error.problems) == 100 and error.more == 150
    assert error.lines()[-1] == "- … et 150 autres problèmes"


def test_a_broken_line_in_the_middle_is_named_and_nothing_changes(catalogue):
    import_values(csv_file(long_population(2021)), name="avant.csv")
    before = Value.objects.count()
    runs = Run.objects.count()
    lines = [f"population,commune,{code},2021,{5000 + i}" for i, code in enumerate(LOIRET)]
    lines[3] = "population,commune,45252,2021,8 856 habitants"  # line 5 of the file
    lines += [f"superficie,commune,{code},2021,10" for code in LOIRET]
    error = refused("indicator,level,code,year,value\n" + "\n".join(lines) + "\n")
    assert [(p.line, p.column) for p in error.problems] == [(5, "value")]
    assert Value.objects.count() == before and Run.objects.count() == runs
    assert value("population", Level.COMMUNE, "45232", 2021).value == 1001  # the old figure, untouched
    assert value("population", Level.DEPARTEMENT, "45", 2021).value == sum(range(1000, 1006))
    assert not Value.objects.filter(indicator__code="superficie").exists()


def test_a_slice_in_the_file_replaces_the_whole_slice(catalogue):
    import_values(csv_file(long_population(2022)), name="toutes.csv")
    import_values(csv_file("indicator,level,code,year,value\npopulation,commune,45234,2022,7\n"), name="une.csv")
    kept = Value.objects.filter(indicator__code="population", level=Level.COMMUNE, year=2022)
    assert list(kept.values_list("territory__code", "value")) == [("45234", 7)]
    assert value("population", Level.DEPARTEMENT, "45", 2022).value == 7


# ---------------------------------------------------------------------------------------
# The page: editors only
# ---------------------------------------------------------------------------------------

URL = "/observatoire/importer/"


def upload(content: bytes, name: str = "valeurs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_page_is_for_editors_only(client, catalogue, member, editor):
    response = client.get(URL)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    assert client.post(URL, {"file": upload(long_population().encode())}).status_code == 302
    client.force_login(member)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload(long_population().encode())}).status_code == 403
    assert not Value.objects.exists()
    assert "observatoire/importer" not in client.get("/observatoire/indicateurs/").content.decode()
    client.force_login(editor)
    assert client.get(URL).status_code == 200
    assert 'href="/observatoire/importer/"' in client.get("/observatoire/indicateurs/").content.decode()


def test_an_editor_imports_a_file_and_reads_the_counts(client, catalogue, editor):
    client.force_login(editor)
    response = client.post(URL, {"file": upload(long_population().encode(), "population-2022.csv")})
    page = response.content.decode()
    assert response.status_code == 200 and "Import terminé" in page
    assert "population-2022.csv" in page and "Valeurs écrites" in page and "densite" in page
    assert value("population", Level.DEPARTEMENT, "45", 2022).value == sum(range(1000, 1006))


def test_an_editor_sees_each_problem_in_a_table_and_nothing_is_written(client, catalogue, editor):
    client.force_login(editor)
    text = long_population().replace("population,commune,45252,2022,1003", "population,commune,45252,2022,mille")
    response = client.post(URL, {"file": upload(text.encode())})
    page = response.content.decode()
    assert response.status_code == 400 and "Import annulé, aucune donnée modifiée" in page
    assert "<td>5</td><td>value</td><td>valeur non numérique « mille »" in page
    assert not Value.objects.exists()


def test_the_page_checks_the_content_and_the_size_of_the_file(client, catalogue, editor, monkeypatch):
    client.force_login(editor)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    response = client.post(URL, {"file": upload(png, "valeurs.csv")})
    assert response.status_code == 400 and "ni un fichier texte CSV ni un classeur XLSX" in response.content.decode()
    response = client.post(URL, {"file": upload(zip_bytes({"a.txt": b"x"}).read(), "valeurs.xlsx")})
    assert response.status_code == 400 and "pas un classeur XLSX" in response.content.decode()
    monkeypatch.setattr("observatory.import_views.MAX_UPLOAD_BYTES", 100)
    response = client.post(URL, {"file": upload(long_population().encode())})
    assert response.status_code == 400 and "Fichier trop lourd" in response.content.decode()
    assert not Value.objects.exists()


def test_an_editor_imports_an_xlsx_upload(client, catalogue, editor, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # the upload goes to a temporary file, as a large one would
    workbook = openpyxl.Workbook()
    workbook.active.append(["indicateur", "niveau", "code", 2022])
    for i, code in enumerate(LOIRET):
        workbook.active.append(["population", "commune", code, 100 + i])
    data = io.BytesIO()
    workbook.save(data)
    client.force_login(editor)
    response = client.post(URL, {"file": upload(data.getvalue(), "tableau.xlsx"), "layout": "wide"})
    assert response.status_code == 200, response.content.decode()
    assert value("population", Level.DEPARTEMENT, "45", 2022).value == sum(range(100, 106))


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_report(catalogue, tmp_path):
    path = tmp_path / "population.csv"
    path.write_text(long_population(2020), encoding="utf-8")
    out = io.StringIO()
    call_command("import_indicator_values", str(path), "--format", "long", "--sans-progression", stdout=out)
    text = out.getvalue()
    assert "Import de « population.csv » (format long" in text and "6 valeur(s) écrite(s)" in text
    assert "Import terminé." in text
    assert Territory.objects.get(level=Level.DEPARTEMENT, code="45").indicator_values.get(
        indicator__code="population", year=2020).value == sum(range(1000, 1006))


def test_the_command_exits_with_an_error_and_writes_nothing(catalogue, tmp_path):
    path = tmp_path / "casse.csv"
    path.write_text(long_population().replace(",45284,", ",45999,"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Import annulé, aucune donnée modifiée : 1 problème") as caught:
        call_command("import_indicator_values", str(path), "--sans-progression", stderr=err)
    assert caught.value.returncode == 1
    assert "ligne 6, colonne « code » : code inconnu « 45999 »" in err.getvalue()
    assert not Value.objects.exists() and not Run.objects.exists()
