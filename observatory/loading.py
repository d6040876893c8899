"""``load_observatory``: the catalogue, the real reference values, the demo values, then the
aggregation; idempotent (each run replaces what the previous one wrote)."""

from __future__ import annotations

import time

from django.db import transaction
from tqdm import tqdm

from observatory.aggregation import aggregate
from observatory.catalogue import DEMO_DOMAINS, INDICATORS, demo_indicator
from observatory.demo import demo_values
from observatory.models import Indicator, Run
from observatory.sources import reference_values
from observatory.store import write_source_values
from observatory.surveys import load_surveys
from taxonomy.models import Domain

FIELDS = (
    "name", "short_name", "unit", "decimals", "direction", "aggregation", "base_level", "scale",
    "is_component", "is_demo", "vintage", "definition", "formula", "limits",
)


def catalogue_entries() -> list[dict]:
    labels = dict(Domain.objects.values_list("code", "label"))
    return INDICATORS + [demo_indicator(code, labels[code]) for code in DEMO_DOMAINS if code in labels]


def write_catalogue() -> dict[str, Indicator]:
    """Upsert every indicator of the catalogue; ratios are linked once their parts exist."""
    domains = {domain.code: domain for domain in Domain.objects.all()}
    indicators: dict[str, Indicator] = {}
    entries = catalogue_entries()
    for position, entry in enumerate(entries, start=1):
        defaults = {name: entry[name] for name in FIELDS if name in entry}
        defaults.update(entry["source"])
        defaults.setdefault("vintage", entry.get("vintage", ""))
        defaults["vintage"] = entry.get("vintage", defaults["vintage"])
        defaults["domain"] = domains.get(entry["domain"]) if entry.get("domain") else None
        defaults["position"] = position
        indicators[entry["code"]], _ = Indicator.objects.update_or_create(code=entry["code"], defaults=defaults)
    for entry in entries:
        if entry.get("aggregation") == "ratio":
            indicator = indicators[entry["code"]]
            indicator.numerator = indicators[entry["numerator"]]
            indicator.denominator = indicators[entry["denominator"]]
            indicator.save(update_fields=["numerator", "denominator"])
    return indicators


def load_reference(progress: bool = True, out=None) -> str:
    started = time.perf_counter()
    with transaction.atomic():
        indicators = write_catalogue()
        rows = tqdm(reference_values(), desc="Valeurs de référence", unit=" valeurs", disable=not progress, mininterval=1)
        real = write_source_values(rows, indicators)
        demo = write_source_values(demo_values(), indicators)
        with tqdm(total=len(indicators), desc="Agrégation", unit=" indicateurs", disable=not progress) as bar:
            computed = aggregate(progress=lambda indicator: bar.update())
        Run.objects.create(kind=Run.Kind.LOAD, source="observatory/data", values_written=real.written + demo.written)
        surveys = load_surveys()  # the Observatoire des partenariats' published survey results (surveys_data.py)
    unknown = sum(real.unknown.values())
    return (
        f"Observatoire : {len(indicators)} indicateurs, {real.written} valeurs réelles "
        f"({unknown} lignes sans territoire actuel écartées), {demo.written} valeurs de démonstration, "
        f"{computed} valeurs agrégées, en {time.perf_counter() - started:.0f} s. {surveys}"
    )
