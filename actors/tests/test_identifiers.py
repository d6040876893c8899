import pytest
from django.core.exceptions import ValidationError

from actors.identifiers import digits_only, rna_problem, siren_problem, siret_problem, validate_siret


@pytest.mark.parametrize("siren", ["443061841", "552100554", "542065479", "356000000"])
def test_real_sirens_pass_their_luhn_check(siren):
    assert siren_problem(siren) is None


def test_a_mistyped_siren_is_refused_with_the_reason():
    assert "clé de contrôle" in siren_problem("443061842")
    assert "9 chiffres" in siren_problem("44306184")
    assert "9 chiffres" in siren_problem("44306184A")


def test_siret_luhn_and_the_la_poste_exception():
    assert siret_problem("44306184100047") is None
    assert "clé de contrôle" in siret_problem("44306184100048")
    # La Poste's establishments: the digits add up to a multiple of 5 instead.
    assert siret_problem("35600000049837") is None
    assert "clé de contrôle" in siret_problem("35600000000048")
    with pytest.raises(ValidationError, match="14 chiffres"):
        validate_siret("4430618410004")


def test_rna_numbers_are_checked_by_their_form():
    assert rna_problem("W941001234") is None
    assert rna_problem("W2A1000123") is None
    assert rna_problem("W9T1002867") is None  # Mayotte
    assert "« W » suivi de 9 caractères" in rna_problem("X941001234")
    assert rna_problem("W94100123") is not None


def test_numbers_are_read_as_people_write_them():
    assert digits_only("443 061 841") == "443061841"
    assert digits_only("443.061.841\u00a000047") == "44306184100047"
