"""Property-based tests (hypothesis) of the parsers and validators that read what users
and files give: official identifiers, territory codes, years, the French text analysis,
the register files and their values, the fiche import, the map's bounding box and the
API's query parameters.

Each property holds for any input: the function answers (a value, or its own refusal:
``ValidationError``, ``FileRejected``, ``ImportRejected``, ``ImportRefused``,
``BBoxError``…) and never lets another exception escape. Generated valid values
round-trip. Example counts stay modest and the runs are derandomised (reproducible).
"""

from __future__ import annotations

import io
import json
import math
import re
import string

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from actors.identifiers import (
    LA_POSTE_SIREN, digits_only, luhn_ok, rna_problem, siren_problem, siret_problem, validate_rna, validate_siren,
    validate_siret,
)
from actors.importers.common import (
    CsvFile, ImportRefused, Row, commune_code_problem, commune_of_code, iso_date_problem, postal_code, street_address,
    website,
)
from actors.importers.lambert import EASTING_RANGE, NORTHING_RANGE, in_metropolitan_range, lambert93_to_wgs84
from actors.importers.rna import RnaRegister
from actors.importers.sirene import COLUMNS as SIRENE_COLUMNS
from actors.importers.sirene import SireneRegister
from actors.map import MapFilterForm
from actors.map_grid import BBox, BBoxError
from actors.models import Organization
from practices.exchange import FileRejected, read_upload
from practices.importer import ImportRejected, clean_rows
from practices.search import YearsField
from search.text import STOPWORDS, _WORD, analyze, fold, highlight, query_terms, strip_accents, words
from territories.forms import TerritoryCodeField
from territories.models import Level, Territory
from territories.projects import MemberError, parse_picks

from .conftest import build_world, examples, module_data, nul_queries

pytestmark = pytest.mark.fuzz

SOME = settings(max_examples=examples(100), deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FEW = settings(SOME, max_examples=examples(40))
DIGITS = string.digits


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        yield build_world()


# --- SIREN, SIRET, RNA ------------------------------------------------------------------------


def with_check_digit(body: str) -> str:
    return next(body + d for d in DIGITS if luhn_ok(body + d))


sirens = st.text(DIGITS, min_size=8, max_size=8).map(with_check_digit).filter(lambda s: s != LA_POSTE_SIREN)
nics = st.text(DIGITS, min_size=4, max_size=4)


@SOME
@given(sirens, nics)
def test_generated_siren_and_siret_are_valid_and_one_wrong_digit_is_caught(siren, nic):
    siret = with_check_digit(siren + nic)
    assert siren_problem(siren) is None and siret_problem(siret) is None
    validate_siren(siren)
    validate_siret(siret)
    for number, problem in ((siren, siren_problem), (siret, siret_problem)):
        position = len(number) // 2
        wrong = number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1:]
        assert "clé de contrôle" in problem(wrong)


@SOME
@given(nics, st.sampled_from(DIGITS))
def test_la_poste_establishments_follow_their_own_rule(nic, last):
    siret = LA_POSTE_SIREN + nic + last
    valid = sum(map(int, siret)) % 5 == 0
    assert (siret_problem(siret) is None) == valid


rna_numbers = st.builds(lambda d, two, six: f"W{d}{two}{six}", st.sampled_from(DIGITS),
                        st.text(DIGITS + string.ascii_uppercase, min_size=2, max_size=2),
                        st.text(DIGITS, min_size=6, max_size=6))


@SOME
@given(rna_numbers, st.lists(st.sampled_from([" ", ".", "\u00a0"]), min_size=0, max_size=3))
def test_generated_rna_numbers_are_valid_and_spacing_is_ignored(number, separators):
    assert rna_problem(number) is None
    validate_rna(number)
    spaced = number
    for i, separator in enumerate(separators, start=1):
        spaced = spaced[: 3 * i + i - 1] + separator + spaced[3 * i + i - 1:]
    assert digits_only(spaced) == number


@SOME
@given(st.text(max_size=30))
@example("5521005541\n")
@example("٥٥٢١٠٠٥٥٤")  # Arabic-Indic digits are not SIREN digits
def test_any_text_gets_an_answer_from_the_identifier_checks(text):
    for problem, validate in ((siren_problem, validate_siren), (siret_problem, validate_siret), (rna_problem, validate_rna)):
        message = problem(text)
        assert message is None or message.startswith(("SIREN « ", "SIRET « ", "Numéro RNA « "))
        if message is None:
            validate(text)
            assert text.isascii() and text.strip() == text
        else:
            with pytest.raises(ValidationError):
                validate(text)


# --- Territory codes ------------------------------------------------------------------------------

territory_texts = st.one_of(
    st.text(max_size=40),
    st.builds(lambda level, sep, code: f"{level}{sep}{code}",
              st.sampled_from([*Level.values, "pays", "Commune", ""]), st.sampled_from(["/", ":", " / ", "//"]),
              st.one_of(st.text(max_size=12), st.sampled_from(["94018", "94", "11", "2A004", "200054781", "94\x00"]))),
)


@pytest.mark.django_db
@FEW
@given(text=territory_texts)
@example(text="commune/94018\x00")
@example(text="94018\x00")
def test_territory_code_field_finds_a_territory_or_says_why(world, text):
    field = TerritoryCodeField(required=False)
    with nul_queries() as reaching:  # PostgreSQL refuses a NUL in a query
        try:
            territory = field.clean(text)
        except ValidationError as error:
            assert error.messages[0].startswith(("Indiquez le territoire", "Territoire « ", "Null characters"))
            territory = None
    assert not reaching
    assert territory is None or isinstance(territory, Territory)


@pytest.mark.django_db
def test_every_public_territory_round_trips_through_its_code(world):
    field = TerritoryCodeField(required=False)
    for territory in Territory.objects.all():
        code = field.prepare_value(territory)
        if territory.level == Level.PROJECT and territory.is_private:
            with pytest.raises(ValidationError, match="introuvable"):
                field.clean(code)
            continue
        assert field.clean(f"  {code} ") == territory
        if territory.level == Level.COMMUNE:
            assert field.clean(territory.code) == territory


@pytest.mark.django_db
@FEW
@given(text=territory_texts)
@example(text="région 11")
def test_the_map_filter_and_the_project_picks_parse_any_territory_text(world, text):
    form = MapFilterForm({"territoire": text}, user=None)
    form.is_valid()  # a result or an error message, nothing else
    assert form.errors.keys() <= {"territoire"}
    try:
        picks = parse_picks([text])
    except MemberError as error:
        assert all(problem.startswith("« ") for problem in error.problems)
    else:
        assert all(pick.level in Level.values and 2 <= len(pick.code) <= 9 for pick in picks)


# --- Years of the fiches' facet ---------------------------------------------------------------


@SOME
@given(st.lists(st.one_of(st.integers(1800, timezone.now().year + 1).map(str), st.text(max_size=8),
                          st.integers().map(str)), max_size=4))
@example(["1" * 5000])
@example(["2_020"])
def test_years_field_keeps_real_years_or_says_which_one_is_wrong(values):
    field = YearsField(required=False)
    try:
        years = field.clean(values)
    except ValidationError as error:
        assert error.messages[0].startswith(("Année invalide : « ", "Année hors limites : « "))
        return
    assert all(1800 <= year <= timezone.now().year + 1 for year in years)
    assert len(years) == len(values)


@SOME
@given(st.integers(1800, timezone.now().year + 1))
def test_every_possible_year_round_trips(year):
    assert YearsField(required=False).clean([str(year), f" {year} "]) == [year, year]


# --- French text analysis ---------------------------------------------------------------------


@SOME
@given(st.text())
@example("ͺ ͺa ⑴x ½ ﷺ")  # compatibility decompositions that bring spaces or parentheses
@example("L'été, les numériques !")
def test_analysis_gives_single_word_terms_for_any_text(text):
    terms = analyze(text)
    for term in terms:
        assert _WORD.fullmatch(term), (text, term)  # one token for FTS5 and to_tsquery alike
        assert term not in STOPWORDS
    distinct = query_terms(text)
    assert distinct == list(dict.fromkeys(terms))
    assert query_terms(" ".join(words(text))) == distinct  # what is not a word does not count


@SOME
@given(st.text())
def test_folding_and_word_splitting_are_idempotent(text):
    assert strip_accents(strip_accents(text)) == strip_accents(text)
    for word in words(text):
        assert fold(fold(word)) == fold(word)
    assert words(" ".join(words(text))) == words(text)


FRENCH = string.ascii_letters + "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ' -,."


@SOME
@given(st.text(FRENCH, max_size=60))
def test_case_and_accents_do_not_change_the_terms_of_french_text(text):
    assert analyze(text.upper()) == analyze(text.lower()) == analyze(text)


@SOME
@given(st.text(max_size=300), st.text(max_size=30))
def test_highlight_escapes_everything_but_its_marks(text, query):
    html = str(highlight(text, query_terms(query)))
    assert "<" not in re.sub(r"</?mark>", "", html)


@pytest.mark.django_db
@FEW
@given(title=st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"]), min_size=1, max_size=30))
@example(title="Seniors connectés, l'été 2024, le 3ème âge")
@example(title="Web 2.0, -5 %, contact@asso.fr, µ ³ º")
@example(title="đ")
def test_a_document_is_found_by_its_own_words(world, title):
    """On both engines: SQLite FTS5 (our stemming) and PostgreSQL (its parser and stemmer,
    on the words our queries are made of)."""
    from practices.indexing import INDEX
    from search.backends import Document

    INDEX.replace([Document(10_000, title, "", "")])
    terms = INDEX.terms(title)
    if terms and not only_stopwords_for_postgresql(terms):
        assert 10_000 in INDEX.matching_ids(terms)
    INDEX.delete([10_000])


def only_stopwords_for_postgresql(terms: list[str]) -> bool:
    """« đ » is « d » once unaccented, a French stopword for PostgreSQL: a query of such
    words finds nothing, and says so (a NOTICE), on purpose."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(to_tsquery('french_unaccent', %s))", [" & ".join(terms)])
        return cursor.fetchone()[0] == 0


@pytest.mark.django_db
@FEW
@given(text=st.text(max_size=40))
@example(text="ͺ ͺa")
@example(text="⑴x ½ ﷺ & | ! ( ) : * ' \\")
def test_searching_any_text_answers(world, text):
    from practices.indexing import INDEX

    assert isinstance(INDEX.matching_ids(INDEX.terms(text)) if INDEX.terms(text) else [], list)
    INDEX.ranked(INDEX.terms(text), limit=5) if INDEX.terms(text) else None


# --- The register files: any bytes, any values ------------------------------------------------------


@SOME
@given(st.binary(max_size=400), st.sampled_from([RnaRegister, SireneRegister]), st.sampled_from(["utf-8", "latin-1"]))
@example(";".join(RnaRegister.required_columns).encode() + b"\nW941012345;Nom\x00;x\n", RnaRegister, "utf-8")
@example(b'siren,siret\n"1,2\n', SireneRegister, "utf-8")
def test_any_bytes_are_read_as_rows_or_refused_with_the_line(data, register, encoding):
    file = CsvFile(io.BytesIO(data), delimiter=register.delimiter, required=register.required_columns, encoding=encoding)
    try:
        for row in file.rows():
            assert row.line >= 2
            assert all("\x00" not in value for value in row.fields)
    except ImportRefused as refused:
        assert re.search(r", ligne \d+", refused.problems[0]), refused.problems


def register_rows(register, columns):
    values = st.one_of(st.text(max_size=20), st.sampled_from(["", "[ND]", "94018", "75056", "0001-01-01", "A", "F",
                                                              "O", "P", "NN", "11", "656883.4", "inf", "nan", "1e400"]))
    return st.lists(values, min_size=len(columns), max_size=len(columns)).map(
        lambda fields: Row(2, fields, {name: i for i, name in enumerate(columns)}))


MAX_LENGTHS = {f.name: f.max_length for f in Organization._meta.concrete_fields if getattr(f, "max_length", None)}


@pytest.mark.parametrize("register", [RnaRegister(), SireneRegister()], ids=["rna", "sirene"])
def test_register_values_of_any_row_fit_the_database(register):
    from actors.importers.rna import COLUMNS as RNA_COLUMNS

    columns = RNA_COLUMNS if isinstance(register, RnaRegister) else SIRENE_COLUMNS

    @SOME
    @given(register_rows(register, columns))
    def check(row):
        problems = register.problems(row)
        assert all(isinstance(reason, str) for _column, reason in problems)
        register.is_closed(row)
        register.domains(row)
        if problems:
            return
        for name, value in register.values(row).items():
            assert len(value) <= MAX_LENGTHS[name], (name, value)
        point = register.point(row)
        if point is not None:
            latitude, longitude = point
            assert 41 <= latitude <= 52 and -6 <= longitude <= 10

    check()


@SOME
@given(st.text(max_size=60))
@example("https://[::1")
@example("www." + "a" * 300 + ".fr")
def test_register_value_helpers_answer_any_text(text):
    assert website(text) == "" or (website(text).startswith(("http://", "https://", "HTTP")) and len(website(text)) <= 200)
    assert postal_code(text) in ("", text) and (postal_code(text) == "" or re.fullmatch(r"[0-9]{5}", text))
    assert commune_code_problem(text) is None or text in commune_code_problem(text)
    assert isinstance(commune_of_code(text), str)
    assert iso_date_problem(text) is None or "AAAA-MM-JJ" in iso_date_problem(text)
    assert len(street_address(number=text, repetition=text[:1], street_type=text[:3], street=text, extra=[text])) <= 300


@SOME
@given(st.floats(*EASTING_RANGE), st.floats(*NORTHING_RANGE))
def test_lambert_93_points_of_metropolitan_france_land_in_france(easting, northing):
    assert in_metropolitan_range(easting, northing)
    latitude, longitude = lambert93_to_wgs84(easting, northing)
    assert math.isfinite(latitude) and math.isfinite(longitude)
    assert 38 <= latitude <= 54 and -10 <= longitude <= 14


@SOME
@given(st.one_of(st.text(max_size=40), st.lists(st.one_of(st.floats(), st.integers(-200, 200)), min_size=3, max_size=5)
                 .map(lambda values: ",".join(map(str, values)))))
@example("1e400,0,2,1")
@example("nan,0,1,1")
def test_a_bounding_box_is_parsed_or_refused(text):
    try:
        box = BBox.parse(text)
    except BBoxError as problem:
        assert str(problem)
    else:
        assert -180 <= box.west <= box.east <= 180 and -90 <= box.south <= box.north <= 90


# --- The fiche import: any file, any JSON ----------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)
FICHE_KEYS = ["title", "summary", "slug", "territory", "places", "organisations", "figures", "domains",
              "partnership_types", "metiers", "category", "carrier_status", "year_started", "source", "website", "objet"]
fiches = st.lists(st.dictionaries(st.sampled_from(FICHE_KEYS), json_values, max_size=8), max_size=3)


@pytest.mark.django_db
@FEW
@given(fiches=fiches)
@example(fiches=[{"title": "T", "summary": "S", "places": 5, "domains": [["x"]], "source": "x", "year_started": 1e400}])
def test_any_json_fiches_are_cleaned_or_refused_field_by_field(world, fiches):
    try:
        rows, label = read_upload("f.json", json.dumps(fiches).encode())
        clean_rows(rows, label=label)
    except FileRejected:
        pass
    except ImportRejected as rejected:
        assert all(re.match(r"fiche n° \d+( :|, champ « )", problem) for problem in rejected.problems), rejected.problems


@pytest.mark.django_db
@FEW
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)), name=st.sampled_from(["f.csv", "f.json"]))
@example(data=b"title\n", name="f.csv")
@example(data=b"[" * 5000, name="f.json")
def test_any_uploaded_bytes_are_read_or_refused_with_the_line(world, data, name):
    try:
        rows, label = read_upload(name, data)
        clean_rows(rows, label=label)
    except FileRejected as rejected:
        assert re.match(r"(Ligne \d+|JSON|Le fichier est vide)", str(rejected)), str(rejected)
    except ImportRejected as rejected:
        assert all(re.match(r"(ligne|fiche n°) \d+", problem) for problem in rejected.problems), rejected.problems


# --- The API's query parameters ---------------------------------------------------------------------

param_values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["numerique", "emploi", "mecenat", "association", "entreprise", "commune/94018", "departement/94",
                     "region/24", "project/x", "2014", "0", "-1", "501", "date", "pertinence", "geojson", "organisations",
                     "2.3,48.8,2.5,48.9", "seniors", "é", "ͺ ͺa"]),
)
ENDPOINTS = {
    "/api/practices": ["q", "domain", "type", "category", "status", "year", "territory", "sort", "page"],
    "/api/organizations": ["q", "kind", "territory", "domain", "type", "page", "format"],
    "/api/catalysts": ["metier", "territory", "kind", "page"],
    "/api/map": ["kind", "metier", "domain", "type", "territory", "layer", "bbox", "zoom"],
    "/api/territories": ["q", "level", "limit"],
}


@pytest.mark.django_db
@FEW
@given(endpoint=st.sampled_from(sorted(ENDPOINTS)), data=st.data())
def test_api_query_parameters_are_answered_or_refused_in_french(client, world, endpoint, data):
    query = data.draw(st.dictionaries(st.sampled_from(ENDPOINTS[endpoint]), st.lists(param_values, min_size=1, max_size=2),
                                      max_size=4))
    response = client.get(endpoint, query)
    assert response.status_code in (200, 404, 422), response.content[:500]
    body = json.loads(response.content)
    if response.status_code == 422:
        assert body["detail"] == "Paramètres invalides." and body["errors"]
