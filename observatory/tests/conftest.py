import pytest

from observatory import cache


@pytest.fixture(autouse=True)
def _fresh_observatory_cache():
    """Figures are memoised per process and data version; tests roll back, so start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def sample_reference_values():
    """The rows of the real reference files that concern the sample territories, read once
    per test session (reading all 750,000 takes seconds)."""
    import json

    from observatory.communes import current_commune_codes
    from observatory.sources import NATIONAL, reference_values
    from conftest import SAMPLE_DIR

    wanted = {
        level: {entry["code"] for entry in json.loads((SAMPLE_DIR / f"{name}.json").read_text(encoding="utf-8"))}
        for level, name in (("commune", "communes"), ("departement", "departements"), ("region", "regions"))
    }
    communes = current_commune_codes()
    return [
        row for row in reference_values()
        if row.level == NATIONAL
        or (row.level == "commune" and communes.get(row.code, row.code) in wanted["commune"])
        or row.code in wanted.get(row.level, ())
    ]


@pytest.fixture
def observatory_data(sample_territories, sample_reference_values, monkeypatch):
    """The real reference figures loaded onto the sample territories (Orléans, Loiret,
    Nouvelle-Aquitaine…) by the loader ``make run`` uses."""
    from observatory import loading

    monkeypatch.setattr(loading, "reference_values", lambda: iter(sample_reference_values))
    loading.load_reference(progress=False)
    cache.clear()
