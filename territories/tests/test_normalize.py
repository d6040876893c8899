import pytest

from territories.normalize import searchable


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Orléans", "orleans"),
        ("ORLEANS", "orleans"),
        ("Saint-Étienne-du-Rouvray", "saint etienne du rouvray"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
        ("  Provence-Alpes-Côte d'Azur ", "provence alpes cote d azur"),
        ("", ""),
    ],
)
def test_it_lowercases_strips_accents_and_punctuation(name, expected):
    assert searchable(name) == expected


def test_it_keeps_only_ascii_letters_digits_and_single_spaces():
    assert searchable("Île-d’Yeu — 85113") == "ile d yeu 85113"
