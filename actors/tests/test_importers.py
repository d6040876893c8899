"""RNA and SIRENE importers: territory filter, placement, idempotence, the file refused
whole, bad rows refused or skipped on demand, streaming."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.importers import common
from actors.importers.common import CsvFile, ImportRefused, commune_of_code, street_address, website
from actors.importers.rna import COLUMNS as RNA_COLUMNS
from actors.importers.rna import import_rna
from actors.importers.sirene import COLUMNS as SIRENE_COLUMNS
from actors.importers.sirene import import_sirene
from actors.indexing import INDEX
from actors.models import Kind, Organization, Precision, Size, Source
from territories.centres import import_commune_centres
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
RNA_FILE = DATA / "rna_waldec_94.csv"
SIRENE_FILE = DATA / "sirene_etablissements_94.csv"
VAL_DE_MARNE_ASSOCIATIONS = {"W941012345", "W941013579", "W941035791", "W941046802"}


@pytest.fixture
def places(sample_territories):
    """The sample territories, with a centre for each commune."""
    import_commune_centres()


def run(command: str, path, **options) -> str:
    out = io.StringIO()
    options.setdefault("territoire", "departement/94")
    call_command(command, str(path), no_progress=True, stdout=out, **options)
    return out.getvalue()


def count_line(output: str, label: str) -> int:
    line = next(line for line in output.splitlines() if line.strip().startswith(label))
    return int(line.split()[-1])


def commune(code: str) -> Territory:
    return Territory.objects.get(level=Level.COMMUNE, code=code)


class LazyLines:
    """A binary file that hands out its lines one at a time and counts them."""

    def __init__(self, path: Path):
        self.lines = path.read_bytes().splitlines(keepends=True)
        self.name = path.name
        self.served = 0

    def seek(self, position: int) -> None:
        assert position == 0
        self.served = 0

    def __iter__(self):
        while self.served < len(self.lines):
            self.served += 1
            yield self.lines[self.served - 1]


# --------------------------------------------------------------------------------------
# RNA
# --------------------------------------------------------------------------------------


def test_the_fixtures_keep_the_published_column_layout():
    assert RNA_FILE.read_text(encoding="utf-8").splitlines()[0].split(";") == list(RNA_COLUMNS)
    assert SIRENE_FILE.read_text(encoding="utf-8").splitlines()[0].split(",") == list(SIRENE_COLUMNS)


def test_rna_import_keeps_the_associations_of_the_territory_only(places):
    output = run("import_rna", RNA_FILE)
    assert set(Organization.objects.values_list("rna", flat=True)) == VAL_DE_MARNE_ASSOCIATIONS
    assert set(Organization.objects.values_list("kind", "source").distinct()) == {(Kind.ASSOCIATION, Source.RNA)}
    assert count_line(output, "lignes lues") == 7
    assert count_line(output, "organisations créées") == 4
    assert count_line(output, "associations dissoutes") == 1
    assert count_line(output, "hors du territoire") == 2
    assert count_line(output, "lignes invalides") == 0
    counted = ("organisations créées", "organisations mises à jour", "organisations inchangées",
               "associations dissoutes", "hors du territoire", "lignes invalides")
    assert sum(count_line(output, label) for label in counted) == count_line(output, "lignes lues")


def test_rna_associations_sit_at_their_commune_centre(places):
    run("import_rna", RNA_FILE)
    charenton = commune("94018")
    for rna in ("W941012345", "W941013579"):
        association = Organization.objects.get(rna=rna)
        assert association.commune == charenton
        assert (association.latitude, association.longitude) == (charenton.latitude, charenton.longitude)
        assert association.location_precision == Precision.COMMUNE
        assert association.departement.code == "94" and association.region.code == "11"


def test_rna_fields_are_mapped(places):
    run("import_rna", RNA_FILE)
    jardins = Organization.objects.get(rna="W941012345")
    assert jardins.name == "Association des jardins partagés du Bras-du-Chapitre (fictive)"
    assert jardins.description.startswith("cultiver ensemble des parcelles potagères")
    assert jardins.address == "12 bis rue des Jardiniers"
    assert jardins.postal_code == "94220"
    assert jardins.website == "https://www.jardins-bras-du-chapitre.example.org"
    assert jardins.slug == "association-des-jardins-partages-du-bras-du-chapitre-fictive-w941012345"
    assert Organization.objects.get(rna="W941013579").address == "4 quai des Carrières, Maison des associations"
    assert Organization.objects.get(rna="W941035791").address == "30 avenue du Maréchal Leclerc, BP 12"
    assert Organization.objects.get(rna="W941046802").website == ""  # « pas de site pour le moment »
    # Kept in step with the full-text index.
    assert jardins.pk in INDEX.matching_ids(INDEX.terms("jardins partagés Charenton"))


def test_a_second_rna_import_changes_nothing(places):
    run("import_rna", RNA_FILE)
    before = list(Organization.objects.order_by("pk").values())
    output = run("import_rna", RNA_FILE)
    assert count_line(output, "organisations créées") == 0
    assert count_line(output, "organisations mises à jour") == 0
    assert count_line(output, "organisations inchangées") == 4
    assert list(Organization.objects.order_by("pk").values()) == before


def test_a_changed_row_updates_its_organisation_only(places, tmp_path):
    run("import_rna", RNA_FILE)
    slug = Organization.objects.get(rna="W941013579").slug
    changed = tmp_path / "rna.csv"
    changed.write_bytes(RNA_FILE.read_bytes().replace(b"Amicale des joueurs", b"Club des joueurs"))
    output = run("import_rna", changed)
    assert count_line(output, "organisations mises à jour") == 1
    assert count_line(output, "organisations inchangées") == 3
    club = Organization.objects.get(rna="W941013579")
    assert club.name.startswith("Club des joueurs d'échecs")
    assert club.slug == slug  # addresses of the pages stay
    assert club.pk in INDEX.matching_ids(INDEX.terms("club échecs"))


def test_a_bad_row_in_the_middle_refuses_the_whole_file(places):
    with pytest.raises(CommandError) as refused:
        run("import_rna", DATA / "rna_ligne_invalide.csv")
    message = str(refused.value)
    assert "aucune donnée modifiée" in message
    assert "rna_ligne_invalide.csv, ligne 5, colonne « id » : Numéro RNA « W94103579 »" in message
    assert "--ignorer-lignes-invalides" in message
    assert Organization.objects.count() == 0


def test_invalid_rows_can_be_skipped_and_reported(places):
    output = run("import_rna", DATA / "rna_ligne_invalide.csv", ignorer_lignes_invalides=True)
    assert set(Organization.objects.values_list("rna", flat=True)) == VAL_DE_MARNE_ASSOCIATIONS - {"W941035791"}
    assert count_line(output, "lignes invalides") == 1
    assert "ligne 5, colonne « id »" in output


def test_a_file_without_a_required_column_is_refused(places):
    with pytest.raises(CommandError, match=r"rna_colonne_manquante\.csv, ligne 1 : colonne\(s\) manquante\(s\) : « adrs_codeinsee »"):
        run("import_rna", DATA / "rna_colonne_manquante.csv", ignorer_lignes_invalides=True)
    assert Organization.objects.count() == 0


def test_a_latin_1_file_is_refused_in_utf_8_and_read_when_told(places):
    latin = DATA / "rna_waldec_94_latin1.csv"
    with pytest.raises(CommandError) as refused:
        run("import_rna", latin)
    # « partagés » on the first row, in the « titre » column.
    assert "rna_waldec_94_latin1.csv, ligne 2, colonne « titre » : octet 0xe9 illisible en utf-8" in str(refused.value)
    assert Organization.objects.count() == 0
    run("import_rna", latin, encodage="latin-1")
    assert Organization.objects.get(rna="W941012345").name.startswith("Association des jardins partagés")


def test_a_file_with_the_wrong_separator_is_refused(places, tmp_path):
    commas = tmp_path / "rna_virgules.csv"
    commas.write_text(RNA_FILE.read_text(encoding="utf-8").replace(";", ","), encoding="utf-8")
    with pytest.raises(CommandError, match="séparateur attendu est « ; » ; le fichier semble séparé par « , »"):
        run("import_rna", commas)
    assert Organization.objects.count() == 0


@pytest.mark.parametrize("territory, expected", [
    ("commune/94018", {"W941012345", "W941013579"}),
    ("epci/200054781", VAL_DE_MARNE_ASSOCIATIONS),  # Métropole du Grand Paris
    ("region/11", VAL_DE_MARNE_ASSOCIATIONS),
    ("departement/45", {"W452001122"}),
])
def test_the_territory_filter(places, territory, expected):
    run("import_rna", RNA_FILE, territoire=territory)
    assert set(Organization.objects.values_list("rna", flat=True)) == expected


@pytest.mark.parametrize("territory, message", [
    ("departement/99", "introuvable"),
    ("94", "niveau/code"),
    ("canton/9401", "niveau « canton » inconnu"),
])
def test_an_unknown_territory_is_refused(places, territory, message):
    with pytest.raises(CommandError, match=message):
        run("import_rna", RNA_FILE, territoire=territory)


def test_a_missing_file_is_refused(places, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run("import_rna", tmp_path / "absent.csv")


# --------------------------------------------------------------------------------------
# Streaming and batches
# --------------------------------------------------------------------------------------


def test_the_reader_is_a_generator_that_reads_as_it_goes():
    lazy = LazyLines(RNA_FILE)
    rows = CsvFile(lazy, delimiter=";", required=["id"]).rows()
    assert lazy.served == 0  # nothing read before the first row is asked for
    first = next(rows)
    assert first["id"] == "W941012345" and first.line == 2
    assert lazy.served == 2  # the header and that row, no more
    next(rows)
    assert lazy.served == 3


def test_an_import_from_a_file_object_read_lazily(places):
    report = import_rna(LazyLines(RNA_FILE), "departement/94")
    assert (report.created, report.closed, report.outside) == (4, 1, 2)
    assert report.file_name == "rna_waldec_94.csv"


def test_batches_cost_a_fixed_number_of_queries_not_one_per_row(places, tmp_path, monkeypatch):
    def many(path: Path, count: int) -> Path:
        header, template = RNA_FILE.read_text(encoding="utf-8").splitlines()[:2]
        lines = [header] + [template.replace("W941012345", f"W94101{n:04d}").replace("(fictive)", f"n° {n} (fictive)")
                             for n in range(count)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    monkeypatch.setattr(common, "BATCH_SIZE", 50)
    with CaptureQueriesContext(connection) as small:
        import_rna(many(tmp_path / "a.csv", 50), "departement/94")
    with CaptureQueriesContext(connection) as large:
        import_rna(many(tmp_path / "b.csv", 200), "departement/94")
    assert Organization.objects.count() == 200
    # Three more batches, 150 more rows: about fifteen queries per batch (suggested domains
    # included), none per row.
    assert len(large.captured_queries) - len(small.captured_queries) <= 3 * 16


def test_a_register_key_repeated_in_a_batch_keeps_the_last_row(places, tmp_path):
    text = RNA_FILE.read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    repeated = tmp_path / "doublon.csv"
    repeated.write_text(f"{header}\n{first}\n{first.replace('(fictive)', '(fictive, bis)')}\n", encoding="utf-8")
    report = import_rna(repeated, "departement/94")
    assert (report.created, report.duplicates) == (1, 1)
    assert Organization.objects.get().name.endswith("(fictive, bis)")


# --------------------------------------------------------------------------------------
# SIRENE
# --------------------------------------------------------------------------------------


def test_sirene_import_places_an_establishment_at_its_lambert_93_point(places):
    output = run("import_sirene", SIRENE_FILE)
    atelier = Organization.objects.get(siret="91234567500017")
    assert atelier.location_precision == Precision.ADDRESS
    assert atelier.latitude == pytest.approx(48.82152, abs=1e-5)
    assert atelier.longitude == pytest.approx(2.41276, abs=1e-5)
    assert atelier.commune == commune("94018")
    assert (atelier.kind, atelier.source, atelier.siren) == (Kind.ENTREPRISE, Source.SIRENE, "912345675")
    assert atelier.name == "Atelier de vélos du quai (fictif)"
    assert atelier.address == "40 QUAI DES CARRIERES"
    assert atelier.size == Size.PME
    assert count_line(output, "organisations créées") == 4
    assert count_line(output, "hors du territoire") == 1


def test_closed_establishments_are_skipped_and_counted(places):
    output = run("import_sirene", SIRENE_FILE)
    assert count_line(output, "établissements fermés") == 1
    assert not Organization.objects.filter(siret="84567890300038").exists()


def test_sirene_names_sizes_and_the_commune_centre_without_coordinates(places):
    run("import_sirene", SIRENE_FILE)
    boulangerie = Organization.objects.get(siret="92345678400027")
    assert boulangerie.name == "Boulangerie des Canadiens (fictive)"  # the sign, without a usual name
    assert boulangerie.address == "5 BIS RUE DU VAL D'OSNE"
    assert boulangerie.size == Size.TPE
    saint_maurice = commune("94069")
    assert (boulangerie.latitude, boulangerie.longitude) == (saint_maurice.latitude, saint_maurice.longitude)
    assert boulangerie.location_precision == Precision.COMMUNE
    groupe = Organization.objects.get(siret="89012345800428")
    assert groupe.name == "Établissement 89012345800428"
    assert groupe.size == Size.ETI


def test_a_partially_diffusible_establishment_keeps_only_its_commune(places):
    run("import_sirene", SIRENE_FILE)
    hidden = Organization.objects.get(siret="93456789200013")
    assert (hidden.address, hidden.postal_code) == ("", "")
    assert hidden.commune == commune("94046")
    assert hidden.location_precision == Precision.COMMUNE
    assert hidden.name == "Établissement 93456789200013"
    assert hidden.size == ""  # band NN: unknown


def test_a_second_sirene_import_changes_nothing(places):
    run("import_sirene", SIRENE_FILE)
    before = list(Organization.objects.order_by("pk").values())
    output = run("import_sirene", SIRENE_FILE)
    assert count_line(output, "organisations inchangées") == 4
    assert count_line(output, "organisations créées") + count_line(output, "organisations mises à jour") == 0
    assert list(Organization.objects.order_by("pk").values()) == before


def test_an_establishment_that_loses_its_coordinates_goes_back_to_its_commune_centre(places, tmp_path):
    run("import_sirene", SIRENE_FILE)
    text = SIRENE_FILE.read_text(encoding="utf-8")
    atelier_line = next(line for line in text.splitlines() if line.startswith("912345675,"))
    fields = atelier_line.split(",")
    fields[SIRENE_COLUMNS.index("coordonneeLambertAbscisseEtablissement")] = ""
    fields[SIRENE_COLUMNS.index("coordonneeLambertOrdonneeEtablissement")] = ""
    changed = tmp_path / "sirene.csv"
    changed.write_text(text.replace(atelier_line, ",".join(fields)), encoding="utf-8")
    output = run("import_sirene", changed)
    assert count_line(output, "organisations mises à jour") == 1
    atelier = Organization.objects.get(siret="91234567500017")
    charenton = commune("94018")
    assert (atelier.latitude, atelier.location_precision) == (charenton.latitude, Precision.COMMUNE)


def test_a_bad_siret_check_digit_in_the_middle_refuses_the_file(places):
    with pytest.raises(CommandError) as refused:
        run("import_sirene", DATA / "sirene_siret_invalide.csv")
    message = str(refused.value)
    assert "sirene_siret_invalide.csv, ligne 3, colonne « siret » : SIRET « 92345678400028 » : " \
           "la clé de contrôle ne correspond pas" in message
    assert Organization.objects.count() == 0


def test_a_bad_siret_can_be_skipped(places):
    output = run("import_sirene", DATA / "sirene_siret_invalide.csv", ignorer_lignes_invalides=True)
    assert count_line(output, "lignes invalides") == 1
    assert count_line(output, "organisations créées") == 3
    assert not Organization.objects.filter(siren="923456784").exists()


def test_the_importer_api_raises_import_refused(places, tmp_path):
    semicolons = tmp_path / "sirene.csv"
    semicolons.write_text(SIRENE_FILE.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    with pytest.raises(ImportRefused, match="le séparateur attendu est « , »"):
        import_sirene(semicolons, "departement/94")
    assert Organization.objects.count() == 0


def test_problems_kept_are_capped_but_all_counted(places, tmp_path, monkeypatch):
    monkeypatch.setattr(common, "MAX_KEPT_PROBLEMS", 2)
    header, *rows = SIRENE_FILE.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "sirene.csv"
    broken.write_text("\n".join([header] + [r.replace(",O,", ",X,", 1) for r in rows]) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_sirene(broken, "departement/94")
    assert len(refused.value.problems) == 1 + 2 and refused.value.more == 3
    assert "… et 3 autre(s) problème(s)" in str(refused.value)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def test_arrondissements_stand_for_their_commune():
    assert commune_of_code("75112") == "75056"
    assert commune_of_code("69383") == "69123"
    assert commune_of_code("13208") == "13055"
    assert commune_of_code("94018") == "94018"
    assert commune_of_code("0") == ""


def test_addresses_and_websites():
    assert street_address(number="3", repetition="T", street_type="CHE", street="du Moulin", extra=["", "Bât. A"]) \
        == "3 ter chemin du Moulin, Bât. A"
    assert website("asso.example.org") == "https://asso.example.org"
    assert website("http://asso.example.org/page") == "http://asso.example.org/page"
    assert website("non communiqué") == ""
    assert website("") == ""


def test_an_obsolete_commune_code_counts_for_its_successor(places):
    Territory.objects.create(level=Level.COMMUNE, code="94999", name="Ancienne commune (essai)", is_obsolete=True,
                             successor=commune("94018"))
    path = DATA / "rna_waldec_94.csv"
    text = path.read_text(encoding="utf-8").replace(";94069;94410;", ";94999;94220;")
    report = import_rna(io.BytesIO(text.encode("utf-8")), "departement/94")
    assert report.created == 4
    assert Organization.objects.get(rna="W941035791").commune == commune("94018")

