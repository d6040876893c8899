"""The observatory's pages in English, for a visitor who picked English in the footer (the
choice is kept in the language cookie); French stays the language of everyone else."""

import pytest

pytestmark = pytest.mark.django_db

PORTRAIT = "/territoires/commune/45234/portrait/"
INDICATORS = "/observatoire/indicateurs/"


@pytest.fixture
def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_portrait_in_english(english, observatory_data):
    response = english.get(PORTRAIT)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    for english_text, french_text in (
        ("Territory portrait: Orléans", "Portrait de territoire : Orléans"),
        ("Priority fragilities", "Fragilités prioritaires"),
        ("Comparable territories", "Territoires comparables"),
        ("Download (CSV)", "Télécharger (CSV)"),
        ("Indicator methodology", "Méthodologie des indicateurs"),
    ):
        assert english_text in page, english_text
        assert french_text not in page, french_text


def test_indicators_page_in_english(english, observatory_data):
    page = english.get(INDICATORS).content.decode()
    for english_text, french_text in (
        ("Observatory: indicators and methodology", "Observatoire : indicateurs et méthodologie"),
        ("Aggregated values", "Valeurs agrégées"),
        ("Rank, decile and score by domain", "Rang, décile et score par domaine"),
        ("Source and vintage", "Source et millésime"),
    ):
        assert english_text in page, english_text
        assert french_text not in page, french_text
    # Data from the database is not translated: the indicators keep their French names.
    assert "Niveau de vie médian" in page


def test_the_same_pages_stay_in_french_without_the_choice(client, observatory_data):
    portrait = client.get(PORTRAIT, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Portrait de territoire : Orléans" in portrait and "Fragilités prioritaires" in portrait
    assert "Territory portrait" not in portrait
    indicators = client.get(INDICATORS).content.decode()
    assert "Observatoire : indicateurs et méthodologie" in indicators and "Aggregated values" not in indicators
