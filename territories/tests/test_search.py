import pytest

from territories.models import Level
from territories.projects import save_project
from territories.search import search_territories


def names(text, **kwargs):
    return [t.name for t in search_territories(text, **kwargs)]


pytestmark = pytest.mark.django_db


def test_pau_returns_the_commune_of_pau_first(sample_territories):
    assert names("pau")[:2] == ["Pau", "Pauillac"]


def test_it_ignores_accents_and_case(sample_territories):
    assert names("ORLEANS")[0] == "Orléans"
    assert names("orléans")[0] == "Orléans"
    assert names("l'hay")[0] == "L'Haÿ-les-Roses"


def test_exact_name_comes_before_longer_names_even_when_smaller(sample_territories):
    # "Orléans Métropole" is larger than Orléans, but the exact name wins.
    assert names("orleans")[:2] == ["Orléans", "Orléans Métropole"]


def test_names_containing_the_text_come_after_those_starting_with_it(sample_territories):
    assert names("maurice") == ["Saint-Maurice"]
    # Exact name, then the name starting with "pau", then the larger EPCI that only contains it.
    assert names("pau") == ["Pau", "Pauillac", "CA Pau Béarn Pyrénées"]


def test_it_finds_by_official_code_and_postal_code(sample_territories):
    assert names("45234") == ["Orléans"]
    assert names("94220") == ["Charenton-le-Pont"]
    assert "Orléans" in names("450")


def test_it_filters_by_level(sample_territories):
    found = search_territories("orleans", levels=[Level.EPCI])
    assert [t.level for t in found] == ["epci"]


def test_blank_or_punctuation_only_text_finds_nothing(sample_territories):
    assert names("") == [] and names("  -- ") == []


def test_private_projects_show_only_to_their_owner(sample_territories, member, other_member):
    commune = search_territories("pau")[0]
    save_project(owner=member, name="Pau secret", description="", is_private=True, commune_ids=[commune.pk])
    save_project(owner=member, name="Pau partagé", description="", is_private=False, commune_ids=[commune.pk])
    assert "Pau secret" in names("pau", user=member)
    assert "Pau secret" not in names("pau", user=other_member)
    assert "Pau secret" not in names("pau")
    assert "Pau partagé" in names("pau")


def test_the_limit_is_honoured(sample_territories):
    assert len(search_territories("a", limit=3)) == 3


def test_prefix_search_uses_a_bytewise_index_on_every_database(sample_territories):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'territories_territory' AND column_name = 'search_name'"
            )
            assert cursor.fetchone()[0] == "C"
        else:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM territories_territory WHERE search_name > %s AND search_name < %s",
                ["pau", "pau~"],
            )
            assert "territory_search_name_idx" in " ".join(str(row) for row in cursor.fetchall())
