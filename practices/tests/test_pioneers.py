"""The real pioneer fiches, on the whole official territory file: the issue's acceptance."""

import pytest
from django.conf import settings
from django.core.management import call_command

from territories.importer import import_territories


@pytest.mark.slow
@pytest.mark.django_db
def test_the_pioneer_fiches_load_and_answer_the_first_searches(client):
    import_territories(settings.DECOUPAGE_DATA_DIR, force=True)
    call_command("load_practices", stdout=open("/dev/null", "w"))
    call_command("load_practices", stdout=open("/dev/null", "w"))  # idempotent

    body = client.get("/api/practices", {"q": "fracture numérique seniors"}).json()
    assert body["results"][0]["id"] == "silvergeek"

    in_idf = client.get("/api/practices", {"territory": "region/11"}).json()
    assert {r["id"] for r in in_idf["results"]} == {"coordin-actions", "agir-ensemble-charenton-saint-maurice"}

    page = client.get("/pratiques/coordin-actions/").content.decode()
    assert "Le RAMEAU" in page and "démonstration" not in page


def test_a_bad_fiche_file_is_refused_whole(db, tmp_path):
    from django.core.management import CommandError

    from practices.models import CaseStudy

    bad = tmp_path / "bad.json"
    bad.write_text('{"fiches": [{"title": "", "summary": "x"}, {"title": "Ok", "summary": "y", "domains": ["cuisine"], "territory": "commune/00000"}]}')
    with pytest.raises(CommandError) as error:
        call_command("load_practices", file=bad)
    message = str(error.value)
    assert "fiche n° 1" in message and "« title » : le titre est obligatoire" in message
    assert "« domains » : valeur(s) inconnue(s) cuisine" in message
    assert "territoire commune/00000 introuvable" in message
    assert not CaseStudy.objects.exists()
