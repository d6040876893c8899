"""The whole official file, as `make run` imports it."""

import pytest
from django.conf import settings

from territories.importer import import_territories
from territories.models import Level, Territory


@pytest.mark.slow
@pytest.mark.django_db
def test_the_whole_file_imports_every_level_of_france():
    report = import_territories(settings.DECOUPAGE_DATA_DIR, force=True)
    assert report.created[Level.COMMUNE] == 34969  # 34,875 metropolitan + DROM, 94 in the COM
    assert report.created[Level.EPCI] == 1255
    assert report.created[Level.DEPARTEMENT] == 109
    assert report.created[Level.REGION] == 26
    orleans = Territory.objects.get(level=Level.COMMUNE, code="45234")
    assert [(t.level, t.code) for t in orleans.parents()] == [("region", "24"), ("departement", "45"), ("epci", "244500468")]
    france_metro = Territory.objects.filter(level=Level.REGION, zone="metro")
    assert france_metro.count() == 13
    idf = Territory.objects.get(level=Level.REGION, code="11")
    assert 12_000_000 < idf.population < 12_500_000
    assert Territory.objects.inside(idf).filter(level=Level.COMMUNE).count() == 1265 or Territory.objects.inside(idf).filter(level=Level.COMMUNE).count() > 1200
    # A second pass finds nothing to change.
    again = import_territories(settings.DECOUPAGE_DATA_DIR, force=True)
    assert sum(again.created.values()) == sum(again.changed.values()) == again.links_added == again.links_removed == 0
