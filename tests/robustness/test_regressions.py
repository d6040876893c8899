"""One regular test per bug found by the corpus, the property tests and schemathesis; each
failed before its fix (the bug is said in the docstring).

The fixes: practices/exchange.py, practices/importer.py, practices/management/commands/
load_practices.py, actors/importers/common.py, search/text.py, search/backends.py,
territories/forms.py, catalyseur/middleware.py (+ settings.MIDDLEWARE), catalyseur/api.py,
practices/api.py, actors/api.py, actors/network_api.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.wsgi import get_wsgi_application
from django.core.exceptions import ValidationError
from django.urls import reverse

from actors.importers import import_rna
from actors.models import Organization
from practices.models import CaseStudy
from search.text import _WORD, analyze
from territories.centres import import_commune_centres
from territories.forms import TerritoryCodeField

from .conftest import (
    changed_tables, database_fingerprint, load_sample_territories, module_data, nul_queries, page_text,
)

pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
RNA_FILE = Path(__file__).resolve().parents[2] / "actors" / "tests" / "data" / "rna_waldec_94.csv"


@pytest.fixture(scope="module")
def territories(django_db_setup, django_db_blocker):
    """The sample territories and their centres, once for the module."""
    with module_data(django_db_blocker):
        load_sample_territories()
        import_commune_centres()
        yield


def import_fiches(client, editor, name: str, content: bytes, status: str = "draft"):
    client.force_login(editor)
    return client.post(reverse("practices:import"), {"file": SimpleUploadedFile(name, content), "status": status})


def problems_of(response) -> str:
    assert response.status_code == 200, response.status_code
    text = page_text(response)
    assert "rien n'a été importé" in text
    return text


# --- The fiche import ---------------------------------------------------------------------------


@pytest.mark.parametrize("content, message", [
    (b"title\nUne fiche\n", "ligne 2, champ « summary » : le résumé est obligatoire"),
    (b"title summary\nA B\n", "Ligne 1 : séparateur non reconnu"),
    (b"\n\ntitle,summary\nA,B\n", "Ligne 1 : la colonne « title » est obligatoire"),
])
def test_a_csv_whose_separator_cannot_be_guessed_is_answered_not_a_500(client, territories, db, editor, content, message):
    """csv.Sniffer raised csv.Error (« Could not determine delimiter ») out of the view: 500."""
    assert message in problems_of(import_fiches(client, editor, "f.csv", content))


def test_a_csv_header_past_the_csv_field_limit_is_refused(client, territories, db, editor):
    """The header was read outside the try: csv.Error (« field larger than field limit ») gave a 500."""
    content = b"title," + b"x" * 140_000 + b"\nA,B\n"
    assert "Ligne 1 : CSV mal formé (une valeur dépasse 131072 caractères)" in problems_of(import_fiches(client, editor, "f.csv", content))


def test_deeply_nested_json_is_refused(client, territories, db, editor):
    """json.loads raised RecursionError: a 500."""
    assert "JSON trop profondément imbriqué" in problems_of(import_fiches(client, editor, "f.json", b"[" * 20_000 + b"]" * 20_000))


def test_json_values_of_the_wrong_type_are_named_not_a_500(client, territories, db, editor):
    """``places: 5`` (TypeError), ``domains: [["x"]]`` (unhashable list), ``source: "x"``
    (AttributeError), ``year_started: Infinity`` (OverflowError): each was a 500."""
    content = b'[{"title": "T", "summary": "S", "places": 5, "domains": [["numerique"]], "source": "x", "year_started": Infinity}]'
    text = problems_of(import_fiches(client, editor, "f.json", content))
    for field in ("places", "domains", "source", "year_started"):
        assert f"fiche n° 1, champ « {field} »" in text


def test_a_documentation_year_beyond_the_database_integer_is_refused(client, territories, db, editor):
    """No range check: SQLite raised OverflowError on save (« Python int too large »), a 500."""
    content = ('[{"title": "T", "summary": "S", "source": {"year": ' + "9" * 30 + "}}]").encode()
    assert "fiche n° 1, champ « documented_year » : année invalide" in problems_of(import_fiches(client, editor, "f.json", content))
    assert not CaseStudy.objects.exists()


def test_an_exported_text_with_double_quotes_imports_back_unchanged(client, territories, db, editor):
    """The sniffed dialect had ``doublequote = False``: « dit "bonjour" » came back as
    « dit "bonjour"" » (or worse) after an export and an import."""
    summary = 'Un atelier « ouvert », dit "le jeudi" ; suite'
    content = f'title,summary\n"Une fiche","{summary.replace(chr(34), chr(34) * 2)}"\n'.encode()
    assert import_fiches(client, editor, "f.csv", content).status_code == 302
    assert CaseStudy.objects.get().summary == summary


def test_a_slug_that_cannot_be_an_address_is_refused(client, territories, db, editor):
    """The slug was taken as given: « une fiche/à part » was saved, and every page listing the
    fiche failed to build its address (NoReverseMatch, a 500)."""
    content = "slug,title,summary\nune fiche/à part,Une fiche,Un résumé\n,!!!,Un résumé\n".encode()
    text = problems_of(import_fiches(client, editor, "f.csv", content, status="published"))
    assert "ligne 2, champ « slug » : « une fiche/à part »" in text
    assert "ligne 3, champ « slug » : impossible de le tirer du titre" in text
    assert client.get(reverse("practices:index")).status_code == 200


def test_numeric_figures_from_json_are_kept_as_text_and_served_by_the_api(client, territories, db, editor):
    """``{"value": 150}`` was stored as a number: the API's Figure (value: str) failed to
    validate the answer of /api/practices/<slug>, a 500."""
    content = b'[{"slug": "chiffres", "title": "T", "summary": "S", "figures": [{"value": 150, "label": "seniors"}]}]'
    assert import_fiches(client, editor, "f.json", content, status="published").status_code == 302
    response = client.get("/api/practices/chiffres")
    assert response.status_code == 200
    assert response.json()["figures"] == [{"value": "150", "label": "seniors"}]


def test_nul_characters_are_refused_by_the_fiche_import(client, territories, db, editor):
    """A NUL was imported (PostgreSQL then refuses the whole transaction: a 500)."""
    assert "Ligne 2 : caractère nul (octet 0x00)" in problems_of(import_fiches(client, editor, "f.csv", b"title,summary\nA\x00,B\n"))
    text = problems_of(import_fiches(client, editor, "f.json", b'[{"title": "A", "summary": "B\\u0000"}]'))
    assert "fiche n° 1, champ « summary » : caractère nul" in text


def test_texts_longer_than_their_column_and_unsafe_websites_are_refused(client, territories, db, editor):
    """Lengths were not checked (PostgreSQL: « value too long », a 500) nor the web address
    (« javascript:… » was imported as a link)."""
    content = f"title,summary,carrier,website\nT,{'r' * 1001},{'p' * 201},javascript:alert(1)\n".encode()
    text = problems_of(import_fiches(client, editor, "f.csv", content))
    assert "ligne 2, champ « summary » : 1000 caractères au plus (1001)" in text
    assert "ligne 2, champ « carrier » : 200 caractères au plus (201)" in text
    assert "ligne 2, champ « website » : adresse web invalide" in text


def test_a_truncated_csv_line_is_refused_with_its_number(client, territories, db, editor):
    """A line cut short was imported with its last fields empty, silently."""
    content = b"title,summary,year_started,category\nUne fiche,Un r\xc3\xa9sum\xc3\xa9,2020,impulsion\nDeux,R\xc3\xa9sum\xc3\xa9\n"
    assert "Ligne 3 : 2 valeur(s) au lieu de 4 (ligne tronquée ?)" in problems_of(import_fiches(client, editor, "f.csv", content))


def test_an_unclosed_quote_is_refused_with_the_line_where_it_opens(client, territories, db, editor):
    """The quote swallowed the rest of the file into one value: one fiche imported instead
    of three, silently."""
    content = 'title,summary\nUne,"Un résumé\nDeux,Résumé\nTrois,Résumé\n'.encode()
    assert "Ligne 2 : CSV mal formé (guillemet ouvert jamais refermé)" in problems_of(import_fiches(client, editor, "f.csv", content))
    assert not CaseStudy.objects.exists()


@pytest.mark.parametrize("content, message", [
    (b'["une fiche"]', "fiche n° 1 (?) : objet attendu"),
    (b"[" * 20_000, "JSON trop profondément imbriqué"),
    (b'{"fiches": [{"title": "T", "summary": "S", "source": ["x"]}]}', "champ « source »"),
    (b'{"sources": [], "fiches": []}', "une liste de fiches est attendue"),
])
def test_load_practices_refuses_a_malformed_file_with_a_command_error(territories, db, tmp_path, content, message):
    """AttributeError (list.get, str.setdefault) or RecursionError escaped the command."""
    path = tmp_path / "fiches.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("load_practices", file=path, stdout=io.StringIO())


# --- The register import ------------------------------------------------------------------------


def test_a_nul_byte_past_the_first_2_kib_is_refused_naming_its_line_and_column(client, territories, db, editor, tmp_path):
    """The upload form looked for NUL in the first 2 KiB only, the command not at all: the
    NUL was imported (and PostgreSQL refuses it: a 500 in the middle of the transaction)."""
    lines = RNA_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    lines += [lines[1].replace("W941012345", "W94109999" + str(i)) for i in range(6)]
    lines[9] = lines[9].replace("Association des jardins", "Association\x00 des jardins")
    path = tmp_path / "rna_nul.csv"
    path.write_text("".join(lines), encoding="utf-8")
    expected = "rna_nul.csv, ligne 10, colonne « titre » : caractère nul (octet 0x00)"
    with pytest.raises(CommandError, match=r"ligne 10, colonne « titre » : caractère nul"):
        call_command("import_rna", str(path), territoire="departement/94", no_progress=True, stdout=io.StringIO())
    client.force_login(editor)
    response = client.post(reverse("actors:import"), {"register": "rna", "territory": "departement/94", "encoding": "utf-8",
                                                      "file": SimpleUploadedFile(path.name, path.read_bytes())})
    assert response.status_code == 400 and expected in page_text(response)
    assert not Organization.objects.exists()


def test_importing_the_same_register_file_again_writes_nothing(territories, db):
    """The suggested domains of every organisation were deleted and written again on each
    import (new link rows), against the contract « réimporter le même fichier ne change rien »."""
    import_rna(RNA_FILE, "departement/94")
    assert Organization.domains.through.objects.exists()
    before = database_fingerprint()
    report = import_rna(RNA_FILE, "departement/94")
    assert report.created == report.updated == 0
    assert not changed_tables(before, database_fingerprint())


# --- Search terms, territory codes and NUL characters -------------------------------------------------


def test_search_terms_are_single_words(client, territories, db):
    """« ͺ » (U+037A) decomposes to a space and a combining mark, « ⑴ » to « (1) »: terms with
    spaces or parentheses made PostgreSQL's to_tsquery fail (« syntax error in tsquery »,
    a 500 on /api/practices?q=ͺ ͺa and on the directory)."""
    for text in ("ͺ ͺa", "⑴x ½", "ﷺ"):
        assert all(_WORD.fullmatch(term) for term in analyze(text)), analyze(text)
        assert client.get("/api/practices", {"q": text}).status_code == 200
        assert client.get("/api/organizations", {"q": text}).status_code in (200, 422)


@pytest.mark.parametrize("query", ["3ème âge", "3eme age", "1ère", "1ERE EDITION", "web 2.0", "contact asso", "µ", "³"])
def test_a_document_is_found_by_the_words_it_is_written_with(territories, db, query):
    """PostgreSQL parsed the documents itself while the queries were split by
    search.text.words and folded: « 3ème » kept its accent (a numword, not unaccented by
    french_unaccent), « 2.0 » and « contact@asso.fr » stayed whole, « µ », « ³ » were not
    folded: none of these was ever found. (SQLite was right.)"""
    from practices.indexing import INDEX
    from search.backends import Document

    INDEX.replace([Document(10_001, "Le 3ème âge, web 2.0", "La 1ère édition : contact@asso.fr", "5 µ ³")])
    assert 10_001 in INDEX.matching_ids(INDEX.terms(query))


NUL_REQUESTS = [
    ("/api/territories/commune/94018%00", 404), ("/api/practices/silver%00", 404), ("/api/organizations/a%00", 404),
    ("/api/territories/commune/94018%00/network", 404), ("/api/organizations?territory=commune/94018%00", 422),
    ("/api/territories?q=a%00", 422), ("/territoires/commune/94018%00/", 404), ("/acteurs/?territoire=commune/94%00", 400),
    ("/pratiques/?q=%00", 400),
]


@pytest.mark.parametrize("url, status", NUL_REQUESTS)
def test_a_nul_character_in_an_address_never_reaches_the_database(client, territories, db, url, status):
    """PostgreSQL refuses a NUL in a query (DataError): /api/territories/commune/94%00,
    /api/practices/x%00, /territoires/commune/x%00/, ?territory=…%00 and others were 500s."""
    with nul_queries() as reaching:
        response = client.get(url)
    assert response.status_code == status
    assert not reaching
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")


def test_the_territory_field_refuses_a_nul_before_querying(territories, db):
    """Posted forms (a fiche, a register import) looked the code up with its NUL: a 500 on PostgreSQL."""
    with nul_queries() as reaching:
        with pytest.raises(ValidationError, match="niveau/code"):
            TerritoryCodeField().clean("commune/94018\x00")
    assert not reaching


# --- The API's schema ---------------------------------------------------------------------------------


@pytest.mark.parametrize("label, path_parameters, query", [
    ("GET /api/territories", {}, {"q": "charenton", "limit": 0}),  # 422 was not in the schema
    ("GET /api/territories/{level}/{code}", {"level": "pays", "code": "fr"}, {}),  # 422 neither
    ("GET /api/practices/{slug}", {"slug": "inconnue"}, {}),  # 404 was not in the schema
    ("GET /api/territories/{level}/{code}/network", {"level": "region", "code": "00"}, {}),  # 404 neither
    ("GET /api/map", {}, {}),  # application/geo+json was not in the schema
    ("GET /api/organizations", {}, {"format": "geojson"}),  # neither
])
def test_the_schema_documents_what_the_api_answers(territories, db, wsgi_calls, label, path_parameters, query):
    """Schemathesis: ST103 « Undocumented status code » and ST105 « Undocumented Content-Type »."""
    operation = next(result.ok() for result in SCHEMA.get_all_operations() if result.ok().label == label)
    operation.Case(path_parameters=path_parameters, query=query).call_and_validate()
