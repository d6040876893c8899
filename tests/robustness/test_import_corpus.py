"""Every file of the corpus of bad inputs (``corpus/``, written by ``corpus/make_corpus.py``)
through every importer: the fiche import page (CSV and JSON), ``manage.py load_practices``
(JSON), ``manage.py import_rna`` / ``import_sirene`` and the register upload page.

For each file: no exception escapes (the pages answer 200 or 400, never 500), the message
is in French and names the line (and the field or column when one is at fault), and the
database is left exactly as it was (every table's rows compared, full-text index
included). A few files are odd but valid (a BOM, CRLF line ends, a semicolon separator, a
header alone): they are accepted, and the test says what they bring.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from actors.importers import import_rna, import_sirene
from practices.importer import clean_rows, save_rows
from practices.models import CaseStudy
from practices.tests.sample_fiches import FICHES
from territories.centres import import_commune_centres

from .conftest import changed_tables, load_sample_territories, module_data, page_text

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parent / "corpus"
VALID_REGISTERS = Path(__file__).resolve().parents[2] / "actors" / "tests" / "data"


@dataclass(frozen=True)
class Refused:
    """Every fragment must appear in the message; ``web`` / ``command`` replace them where
    that way in says it otherwise (Django's own check of an empty upload, for example)."""

    fragments: tuple[str, ...]
    web: tuple[str, ...] | None = None
    command: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Accepted:
    created: int


EMPTY_UPLOAD = ("Le fichier soumis est vide.",)
NOT_TEXT_UPLOAD = ("Ce fichier n'est pas un fichier texte CSV.",)
NOT_A_LIST = ("une liste de fiches est attendue",)

PRACTICES = {
    # CSV
    "vide.csv": Refused(("Le fichier est vide.",), web=EMPTY_UPLOAD),
    "blancs.csv": Refused(("Le fichier est vide.",)),
    "entete_seule.csv": Accepted(0),
    "une_colonne.csv": Refused(("ligne 2, champ « summary » : le résumé est obligatoire",)),
    "premiere_ligne_vide.csv": Refused(("Ligne 1 : la colonne « title » est obligatoire",)),
    "separateur_barre.csv": Refused(("Ligne 1 : séparateur non reconnu",)),
    "separateur_espace.csv": Refused(("Ligne 1 : séparateur non reconnu",)),
    "latin1.csv": Refused(("Ligne 2 : encodage non reconnu (octet 0xe8)", "enregistrez le fichier en UTF-8")),
    "utf16.csv": Refused(("Ligne 1 : encodage non reconnu (octet 0xff)", "UTF-8")),
    "image_png.csv": Refused(("Ligne 1 : encodage non reconnu (octet 0x89)",)),
    "ligne_tronquee.csv": Refused(("Ligne 3 : 2 valeur(s) au lieu de 6 (ligne tronquée ?)",)),
    "valeurs_en_trop.csv": Refused(("Ligne 3 : plus de valeurs que de colonnes",)),
    "colonne_inconnue.csv": Refused(("Ligne 1 : colonne(s) inconnue(s) couleur",)),
    "sans_colonne_title.csv": Refused(("Ligne 1 : la colonne « title » est obligatoire",)),
    "champ_enorme.csv": Refused(("Ligne 3 : CSV mal formé (une valeur dépasse 131072 caractères)",)),
    "entete_enorme.csv": Refused(("Ligne 1 : CSV mal formé (une valeur dépasse 131072 caractères)",)),
    "octet_nul.csv": Refused(("Ligne 3 : caractère nul (octet 0x00)",)),
    "guillemet_ouvert.csv": Refused(("Ligne 3 : CSV mal formé (guillemet ouvert jamais refermé)",)),
    "bom.csv": Accepted(3),
    "point_virgule.csv": Accepted(3),
    "valeurs_fausses.csv": Refused((
        "ligne 2, champ « territory » : territoire commune/99999 introuvable",
        "ligne 3, champ « domains » : valeur(s) inconnue(s) cuisine",
        "ligne 3, champ « year_started » : année invalide « deux mille »",
        "ligne 4, champ « summary » : le résumé est obligatoire",
        "ligne 4, champ « territory » : niveau « pays » inconnu",
        "ligne 4, champ « year_started » : année invalide « 1066 »",
    )),
    "slug_invalide.csv": Refused(("ligne 2, champ « slug » : « une fiche/à part »",)),
    "titre_sans_lettres.csv": Refused(("ligne 2, champ « slug » : impossible de le tirer du titre",)),
    "textes_trop_longs.csv": Refused((
        "ligne 2, champ « summary » : 1000 caractères au plus (1001)",
        "ligne 2, champ « carrier » : 200 caractères au plus (201)",
        "ligne 2, champ « website » : adresse web invalide",
    )),
    # JSON
    "vide.json": Refused(("JSON invalide ligne 1, colonne 1",), web=EMPTY_UPLOAD),
    "tronque.json": Refused(("JSON invalide ligne 1",)),
    "objet_sans_fiches.json": Refused(NOT_A_LIST),
    "nombre.json": Refused(NOT_A_LIST),
    "fiches_pas_une_liste.json": Refused(NOT_A_LIST),
    "liste_de_textes.json": Refused(("fiche n° 1 : objet attendu", "fiche n° 2 : objet attendu", "fiche n° 3 : objet attendu"),
                                    command=("fiche n° 1 (?) : objet attendu", "fiche n° 3 (?) : objet attendu")),
    "types_faux.json": Refused(tuple(f"champ « {name} »" for name in (
        "title", "summary", "places", "organisations", "domains", "partnership_types", "metiers", "source",
        "figures", "year_started", "territory", "carrier_status", "category", "slug")) + ("fiche n° 1",)),
    "source_types_faux.json": Refused(("fiche n° 1", "champ « source_document » : texte attendu",
                                       "champ « documented_year » : année invalide « l'an dernier »")),
    "figures_nombres.json": Refused(("fiche n° 1", "champ « figures » : liste de {label, value} attendue")),
    "profond_liste.json": Refused(("JSON trop profondément imbriqué",)),
    "profond_objet.json": Refused(("JSON trop profondément imbriqué",)),
    "profond_champ.json": Refused(("fiche n° 1", "champ « places » : liste de textes attendue")),
    "annee_infinie.json": Refused(("fiche n° 1", "champ « year_started » : année invalide « inf »")),
    "annee_nan.json": Refused(("fiche n° 1", "champ « year_started » : année invalide « nan »")),
    "annee_enorme.json": Refused(("fiche n° 1", "champ « documented_year » : année invalide « 9999999")),
    "caractere_nul.json": Refused(("fiche n° 1", "champ « summary » : caractère nul")),
    "latin1.json": Refused(("Ligne 1 : encodage non reconnu (octet 0xe9)",)),
    "bom.json": Accepted(1),
}

REGISTERS = {
    "rna_vide.csv": Refused(("rna_vide.csv, ligne 1 : fichier vide",), web=EMPTY_UPLOAD),
    "rna_entete_seule.csv": Accepted(0),
    "rna_virgules.csv": Refused(("rna_virgules.csv, ligne 1 : une seule colonne lue, le séparateur attendu est « ; » ; "
                                 "le fichier semble séparé par « , »",)),
    "rna_latin1.csv": Refused(("rna_latin1.csv, ligne 2, colonne « titre » : octet 0xe9 illisible en utf-8",)),
    "rna_utf16.csv": Refused(("rna_utf16.csv, ligne 1, en-tête : octet 0xff illisible en utf-8",), web=NOT_TEXT_UPLOAD),
    "rna_image_png.csv": Refused(("rna_image_png.csv, ligne 1, en-tête : octet 0x89 illisible en utf-8",),
                                 web=NOT_TEXT_UPLOAD),
    "rna_ligne_tronquee.csv": Refused(("rna_ligne_tronquee.csv, ligne 4 : 13 champ(s) au lieu de 39",)),
    "rna_valeurs_en_trop.csv": Refused(("rna_valeurs_en_trop.csv, ligne 2 : 41 champ(s) au lieu de 39",)),
    "rna_colonne_manquante.csv": Refused(("rna_colonne_manquante.csv, ligne 1 : colonne(s) manquante(s) : « titre »",)),
    "rna_champ_enorme.csv": Refused(("rna_champ_enorme.csv, ligne 2 : CSV illisible (une valeur dépasse 131072 caractères)",)),
    "rna_octet_nul.csv": Refused(("rna_octet_nul.csv, ligne 9, colonne « titre » : caractère nul (octet 0x00)",)),
    "rna_guillemet_ouvert.csv": Refused(("rna_guillemet_ouvert.csv, ligne 4 : ", "champ(s) au lieu de 39")),
    "rna_valeurs_fausses.csv": Refused((
        "rna_valeurs_fausses.csv, ligne 3, colonne « id » : Numéro RNA « W94-13579 »",
        "rna_valeurs_fausses.csv, ligne 4, colonne « date_disso » : date « hier » : AAAA-MM-JJ attendue",
        "rna_valeurs_fausses.csv, ligne 5, colonne « adrs_codeinsee » : code commune INSEE « 9401 »",
    )),
    "rna_bom.csv": Accepted(0),
    "rna_fins_de_ligne_crlf.csv": Accepted(0),
    "sirene_vide.csv": Refused(("sirene_vide.csv, ligne 1 : fichier vide",), web=EMPTY_UPLOAD),
    "sirene_point_virgules.csv": Refused(("sirene_point_virgules.csv, ligne 1 : une seule colonne lue, le séparateur "
                                          "attendu est « , » ; le fichier semble séparé par « ; »",)),
    "sirene_utf16.csv": Refused(("sirene_utf16.csv, ligne 1, en-tête : octet 0xff illisible en utf-8",), web=NOT_TEXT_UPLOAD),
    "sirene_image_png.csv": Refused(("sirene_image_png.csv, ligne 1, en-tête : octet 0x89",), web=NOT_TEXT_UPLOAD),
    "sirene_ligne_tronquee.csv": Refused(("sirene_ligne_tronquee.csv, ligne 3 : ", "champ(s) au lieu de 54")),
    "sirene_colonne_manquante.csv": Refused(("sirene_colonne_manquante.csv, ligne 1 : colonne(s) manquante(s) : « siret »",)),
    "sirene_siret_faux.csv": Refused(("sirene_siret_faux.csv, ligne 3, colonne « siret » : SIRET « 92345678400028 » : "
                                      "la clé de contrôle ne correspond pas",)),
    "sirene_valeurs_fausses.csv": Refused((
        "ligne 2, colonne « coordonneeLambertAbscisseEtablissement » : « six cent mille » : nombre attendu",
        "ligne 3, colonne « coordonneeLambertAbscisseEtablissement » : coordonnée manquante",
        "ligne 4, colonne « etatAdministratifEtablissement » : « X » : A (actif) ou F (fermé) attendu",
        "ligne 5, colonne « trancheEffectifsEtablissement » : tranche d'effectif « 99 » inconnue",
    )),
    "sirene_champ_enorme.csv": Refused(("sirene_champ_enorme.csv, ligne 2 : CSV illisible (une valeur dépasse 131072 caractères)",)),
    "sirene_octet_nul.csv": Refused(("sirene_octet_nul.csv, ligne 7, colonne « denominationUsuelleEtablissement » : "
                                     "caractère nul (octet 0x00)",)),
    "sirene_bom.csv": Accepted(0),
}


def test_every_corpus_file_has_an_expectation_and_the_other_way_round():
    assert {p.name for p in (CORPUS / "practices").iterdir()} == set(PRACTICES)
    assert {p.name for p in (CORPUS / "registers").iterdir()} == set(REGISTERS)


def assert_says(message: str, fragments: tuple[str, ...]) -> None:
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{missing} absent(s) de :\n{message[:3000]}"


# --- The fiches: the import page and load_practices --------------------------------------------


@pytest.fixture(scope="module")
def fiches(django_db_setup, django_db_blocker):
    """The sample territories and three published fiches (once for the module)."""
    with module_data(django_db_blocker):
        load_sample_territories()
        save_rows(clean_rows(FICHES))
        yield


def post_fiches(client, name: str):
    upload = SimpleUploadedFile(name, (CORPUS / "practices" / name).read_bytes())
    return client.post(reverse("practices:import"), {"file": upload, "status": "draft"})


@pytest.mark.parametrize("name", sorted(PRACTICES))
def test_fiche_import_page(client, fiches, db, editor, fingerprint, name):
    expected = PRACTICES[name]
    client.force_login(editor)
    before = fingerprint()
    response = post_fiches(client, name)
    if isinstance(expected, Accepted):
        assert response.status_code == 302, page_text(response)[:2000]
        message = page_text(client.get(response["Location"]))
        assert f"Import réussi : {expected.created} fiche(s) créée(s), 0 mise(s) à jour." in message
        assert CaseStudy.objects.count() == 3 + expected.created
        return
    assert response.status_code == 200
    message = page_text(response)
    assert_says(message, expected.web or expected.fragments)
    if expected.web is None:
        assert "rien n'a été importé" in message
    assert not changed_tables(before, fingerprint())


JSON_FILES = sorted(name for name in PRACTICES if name.endswith(".json"))


@pytest.mark.parametrize("name", JSON_FILES)
def test_load_practices_command(fiches, db, fingerprint, name):
    expected = PRACTICES[name]
    path = CORPUS / "practices" / name
    before = fingerprint()
    out = io.StringIO()
    if isinstance(expected, Accepted):
        call_command("load_practices", file=path, stdout=out)
        assert f"Pratiques innovantes : {expected.created} créées" in out.getvalue()
        return
    with pytest.raises(CommandError) as refused:
        call_command("load_practices", file=path, stdout=out)
    assert_says(str(refused.value), expected.command or expected.fragments)
    assert not changed_tables(before, fingerprint())


# --- The registers: the commands and the upload page -------------------------------------------


@pytest.fixture(scope="module")
def registers(django_db_setup, django_db_blocker):
    """The sample territories with their centres, and the valid RNA and SIRENE files
    already imported (once for the module): a refused file must leave these organisations
    as they are."""
    with module_data(django_db_blocker):
        load_sample_territories()
        import_commune_centres()
        import_rna(VALID_REGISTERS / "rna_waldec_94.csv", "departement/94")
        import_sirene(VALID_REGISTERS / "sirene_etablissements_94.csv", "departement/94")
        yield


@pytest.mark.parametrize("name", sorted(REGISTERS))
def test_register_command_and_upload_page(client, registers, db, editor, fingerprint, name):
    expected = REGISTERS[name]
    register = name.split("_")[0]
    path = CORPUS / "registers" / name
    before = fingerprint()

    out = io.StringIO()
    if isinstance(expected, Accepted):
        call_command(f"import_{register}", str(path), territoire="departement/94", no_progress=True, stdout=out)
        assert "organisations créées" in out.getvalue()
        assert f"organisations créées {expected.created:>9}".split() == \
            next(line for line in out.getvalue().splitlines() if "organisations créées" in line).split()
    else:
        with pytest.raises(CommandError) as refused:
            call_command(f"import_{register}", str(path), territoire="departement/94", no_progress=True, stdout=out)
        assert_says(str(refused.value), expected.command or expected.fragments)
        assert "aucune donnée modifiée" in str(refused.value)
    assert not changed_tables(before, fingerprint())

    client.force_login(editor)
    before = fingerprint()
    upload = SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")
    response = client.post(reverse("actors:import"), {"register": register, "file": upload, "territory": "departement/94",
                                                      "encoding": "utf-8"})
    message = page_text(response)
    if isinstance(expected, Accepted):
        assert response.status_code == 200, message[:2000]
        assert "Import terminé" in message
    else:
        assert response.status_code == 400
        assert_says(message, expected.web or expected.fragments)
    assert not changed_tables(before, fingerprint())
