"""Schemathesis against /api/openapi.json, in process (the Django WSGI application), on a
populated database (``build_world``).

* Every operation is fuzzed with schema-valid requests (positive) and with requests that
  break the schema (negative), a bounded number of examples each, derandomised so that a
  failure is reproducible. The default checks run: no server error, status code, content
  type, headers and body conformant to the schema, invalid data refused (4xx) — except
  ``positive_data_acceptance``: codes of domains, métiers, partnership types and
  territories are data, which the schema cannot enumerate, and the API refuses an unknown
  one with 422 (or 404 for a territory), on purpose.
* Every operation is also called with real data (existing codes, slugs, filters) so that
  the full answers, not only the errors, are checked against the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from actors.map_grid import COMMUNE_CENTRES

from .conftest import build_world, connection_kept_across_requests, examples, module_data

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
LOADED = list(SCHEMA.get_all_operations())
OPERATIONS = {operation.label: operation for operation in (result.ok() for result in LOADED)}
EXCLUDED = [positive_data_acceptance]
CONSTRAINTS = {"enum", "$ref", "anyOf", "allOf", "minimum", "maximum", "minLength", "maxLength", "pattern"}
FUZZ = settings(max_examples=examples(25), deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.function_scoped_fixture])


def can_be_invalid(label: str) -> bool:
    """Whether a request can break the schema: some parameter has a type or a constraint
    (a plain string in the path cannot be made invalid)."""
    operation = OPERATIONS[label]
    raw = SCHEMA.raw_schema["paths"][operation.path][operation.method.lower()]
    for parameter in raw.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter["in"] == "query" or schema.get("type") not in (None, "string") or set(schema) & CONSTRAINTS:
            return True
    return False


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The data (once for the module), the caches emptied around it, and the WSGI
    application called without closing the connection that holds the data."""
    cache.clear()
    COMMUNE_CENTRES.loaded_at = float("-inf")
    try:
        with connection_kept_across_requests(), module_data(django_db_blocker):
            yield build_world()
    finally:
        cache.clear()
        COMMUNE_CENTRES.loaded_at = float("-inf")


def test_the_schema_loads_whole():
    """Every operation is fuzzed (the list comes from the schema: a new one is covered too)."""
    assert {
        "GET /api/territories", "GET /api/territories/{level}/{code}", "GET /api/territories/{level}/{code}/network",
        "GET /api/practices", "GET /api/practices/{slug}", "GET /api/organizations", "GET /api/organizations/{slug}",
        "GET /api/catalysts", "GET /api/map",
    } <= set(OPERATIONS)


CASES = [(label, GenerationMode.POSITIVE) for label in OPERATIONS]
CASES += [(label, GenerationMode.NEGATIVE) for label in OPERATIONS if can_be_invalid(label)]


@pytest.mark.parametrize("label, mode", CASES, ids=[f"{label} {mode.value}" for label, mode in CASES])
def test_fuzzed_requests(world, db, label, mode):
    @FUZZ
    @given(case=OPERATIONS[label].as_strategy(mode))
    def check(case):
        case.call_and_validate(excluded_checks=EXCLUDED)

    check()


def real_requests(world) -> list[tuple[str, dict, dict]]:
    project, private = world["public_project"], world["private_project"]
    return [
        ("GET /api/territories", {}, {"q": "charenton"}),
        ("GET /api/territories", {}, {"q": "94", "level": ["departement", "commune"], "limit": 50}),
        ("GET /api/territories/{level}/{code}", {"level": "commune", "code": "94018"}, {}),
        ("GET /api/territories/{level}/{code}", {"level": "region", "code": "11"}, {}),
        ("GET /api/territories/{level}/{code}", {"level": "project", "code": project}, {}),
        ("GET /api/territories/{level}/{code}", {"level": "project", "code": private}, {}),  # 404: private
        ("GET /api/territories/{level}/{code}/network", {"level": "departement", "code": "94"}, {}),
        ("GET /api/territories/{level}/{code}/network", {"level": "project", "code": project}, {}),
        ("GET /api/territories/{level}/{code}/network", {"level": "pays", "code": "fr"}, {}),
        ("GET /api/practices", {}, {}),
        ("GET /api/practices", {}, {"q": "seniors numérique", "domain": "numerique", "sort": "date"}),
        ("GET /api/practices", {}, {"territory": "region/24", "year": "2010", "category": "impulsion"}),
        ("GET /api/practices", {}, {"year": "deux mille", "page": "0"}),  # 422
        ("GET /api/practices/{slug}", {"slug": "silver"}, {}),
        ("GET /api/practices/{slug}", {"slug": "inconnue"}, {}),
        ("GET /api/organizations", {}, {}),
        ("GET /api/organizations", {}, {"territory": "departement/94", "domain": "numerique", "q": "aidants"}),
        ("GET /api/organizations", {}, {"territory": "departement/94", "format": "geojson"}),
        ("GET /api/organizations", {}, {"territory": f"project/{private}"}),  # 404
        ("GET /api/organizations/{slug}", {"slug": "aidants"}, {}),
        ("GET /api/organizations/{slug}", {"slug": "pont-numerique"}, {}),
        ("GET /api/organizations/{slug}", {"slug": "sans-commune"}, {}),
        ("GET /api/catalysts", {}, {}),
        ("GET /api/catalysts", {}, {"territory": "departement/45", "metier": "accompagnements"}),
        ("GET /api/map", {}, {}),
        ("GET /api/map", {}, {"territory": "departement/94", "zoom": 14}),
        ("GET /api/map", {}, {"bbox": "2.38,48.80,2.47,48.84", "zoom": 12, "layer": ["organisations", "pratiques"]}),
        ("GET /api/map", {}, {"bbox": "est,sud,ouest,nord"}),  # 422
    ]


def test_real_requests_are_answered_as_the_schema_says(world, db):
    statuses = []
    for label, path_parameters, query in real_requests(world):
        case = OPERATIONS[label].Case(path_parameters=path_parameters, query=query)
        response = case.call_and_validate(excluded_checks=EXCLUDED)
        statuses.append(response.status_code)
    assert statuses.count(200) >= 20 and set(statuses) <= {200, 404, 422}
