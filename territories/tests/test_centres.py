"""Commune centres: the committed points, the correspondences, bad files refused whole."""

import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from territories.centres import CENTRES_DIR, CentresError, import_commune_centres
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db


def commune(code):
    return Territory.objects.get(level=Level.COMMUNE, code=code)


def test_every_sample_commune_gets_its_point_from_the_committed_file(sample_territories):
    report = import_commune_centres()
    assert report.placed == Territory.objects.filter(level=Level.COMMUNE, latitude__isnull=False).count()
    orleans = commune("45234")
    assert (orleans.latitude, orleans.longitude) == (pytest.approx(47.8885, abs=1e-3), pytest.approx(1.9144, abs=1e-3))
    charenton = commune("94018")
    assert 48.8 < charenton.latitude < 48.85 and 2.38 < charenton.longitude < 2.44
    assert not charenton.centre_is_approximate
    # Idempotent: nothing to change the second time.
    assert import_commune_centres().changed == 0


def test_a_commune_with_a_new_code_takes_its_2022_point(sample_territories, tmp_path):
    directory = tmp_path / "centres"
    shutil.copytree(CENTRES_DIR, directory)
    (directory / "correspondances_codes_cog2022_cog2026.csv").write_text(
        "code_actuel,nom_actuel,code_2022,nom_2022,relation,note\n"
        "94018,Charenton-le-Pont,45234,Orléans,partie_de,essai\n", encoding="utf-8")
    rows = (directory / "centroides_communes_cog2022.csv").read_text(encoding="utf-8").splitlines()
    (directory / "centroides_communes_cog2022.csv").write_text(
        "\n".join(r for r in rows if not r.startswith("94018,")) + "\n", encoding="utf-8")
    import_commune_centres(directory)
    charenton = commune("94018")
    assert charenton.latitude == pytest.approx(commune("45234").latitude)
    assert charenton.centre_is_approximate


def test_a_bad_row_is_reported_with_its_line_and_column_and_nothing_changes(sample_territories, tmp_path):
    directory = tmp_path / "centres"
    directory.mkdir()
    (directory / "centroides_communes_cog2022.csv").write_text(
        "code_insee,latitude,longitude\n45234,47.9,1.9\n94018,quarante-huit,2.4\n", encoding="utf-8")
    shutil.copy(CENTRES_DIR / "correspondances_codes_cog2022_cog2026.csv", directory)
    with pytest.raises(CentresError) as error:
        import_commune_centres(directory)
    assert error.value.problems == ["centroides_communes_cog2022.csv, ligne 3, colonne « latitude » : nombre attendu, lu « quarante-huit »."]
    assert commune("45234").latitude is None
    with pytest.raises(CommandError, match="ligne 3"):
        call_command("import_commune_centres", source=directory, no_progress=True)
