"""The observatory's API on the real INSEE files loaded onto the sample territories: the
numbers are those the pages compute (``territory_figures``, ``domain_scores``,
``suggested_peers``, ``build_portrait``), private project territories stay private, bad
parameters are a 400 in French, and every answer matches /api/openapi.json."""

from __future__ import annotations

import io
from pathlib import Path

import jsonschema_rs
import pytest
from django.core.management import call_command
from django.db import transaction

from observatory import cache
from observatory.figures import domain_scores, parent_of, territory_figures
from observatory.models import Aggregation, Indicator, NationalValue, Value
from observatory.peers import PEER_COUNT, peer_figures, suggested_peers
from observatory.portrait import build_portrait
from territories.models import Territory
from territories.projects import save_project

pytestmark = pytest.mark.django_db

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "territories" / "tests" / "data" / "decoupage-sample"


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The sample territories and the reference files, loaded once for the module inside a
    transaction rolled back at its end (each test runs in a savepoint on top of it)."""
    from observatory.loading import load_reference

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("import_territories", source=SAMPLE_DIR, no_progress=True, force=True, stdout=io.StringIO())
            load_reference(progress=False)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def territory(level: str, code: str) -> Territory:
    return Territory.objects.get(level=level, code=code)


# --- Schema ---------------------------------------------------------------------------------


@pytest.fixture
def openapi(client):
    return client.get("/api/openapi.json").json()


def check_schema(openapi: dict, path: str, response) -> None:
    """The answer is one the schema declares for this path and status, field by field."""
    declared = openapi["paths"][path]["get"]["responses"]
    assert str(response.status_code) in declared, f"{path}: {response.status_code} absent du schéma"
    schema = declared[str(response.status_code)]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": openapi["components"]})
    errors = [str(error) for error in validator.iter_errors(response.json())]
    assert not errors, f"{path} {response.status_code} : {errors[:3]}"


def test_every_answer_matches_the_openapi_schema(client, loaded, openapi, member):
    project = save_project(owner=member, name="Orléans et Olivet", description="", is_private=False,
                           commune_ids=[territory("commune", c).pk for c in ("45234", "45232")])
    cases = [
        ("/api/indicators", "/api/indicators", 200),
        ("/api/indicators/{code}", "/api/indicators/taux_chomage_rp", 200),
        ("/api/indicators/{code}", "/api/indicators/part_75_plus", 200),
        ("/api/indicators/{code}", "/api/indicators/inconnu", 404),
    ]
    for level, code in (("region", "75"), ("departement", "45"), ("epci", "244500468"), ("commune", "45234"),
                        ("commune", "01015"), ("project", project.code)):
        for suffix in ("indicators", "peers", "portrait"):
            cases.append((f"/api/territories/{{level}}/{{code}}/{suffix}", f"/api/territories/{level}/{code}/{suffix}", 200))
    for suffix in ("indicators", "peers", "portrait"):
        path = f"/api/territories/{{level}}/{{code}}/{suffix}"
        cases += [(path, f"/api/territories/canton/45/{suffix}", 400), (path, f"/api/territories/commune/99999/{suffix}", 404)]
    cases += [
        ("/api/territories/{level}/{code}/indicators", "/api/territories/departement/45/indicators?year=2013", 200),
        ("/api/territories/{level}/{code}/indicators", "/api/territories/departement/45/indicators?year=1950", 200),
        ("/api/territories/{level}/{code}/indicators", "/api/territories/departement/45/indicators?year=deux", 400),
        ("/api/territories/{level}/{code}/peers", "/api/territories/departement/45/peers?pairs=departement/64", 200),
        ("/api/territories/{level}/{code}/peers", "/api/territories/departement/45/peers?pairs=region/24", 400),
        ("/api/territories/{level}/{code}/portrait", "/api/territories/departement/45/portrait?pairs=departement/64", 200),
    ]
    for path, url, status in cases:
        response = client.get(url)
        assert response.status_code == status, url
        check_schema(openapi, path, response)


def test_the_schema_documents_the_parameters_and_the_error_answers(openapi):
    operation = openapi["paths"]["/api/territories/{level}/{code}/indicators"]["get"]
    year = next(p for p in operation["parameters"] if p["name"] == "year")
    assert year["in"] == "query" and year["schema"]["type"] == "integer"
    assert {"200", "400", "404"} <= set(operation["responses"])
    for suffix in ("peers", "portrait"):
        operation = openapi["paths"][f"/api/territories/{{level}}/{{code}}/{suffix}"]["get"]
        pairs = next(p for p in operation["parameters"] if p["name"] == "pairs")
        assert pairs["schema"]["type"] == "array" and {"200", "400", "404"} <= set(operation["responses"])


# --- Catalogue ------------------------------------------------------------------------------


def test_catalogue_lists_every_indicator_with_its_years_and_demo_flag(client, loaded):
    body = client.get("/api/indicators").json()
    assert [row["code"] for row in body] == list(Indicator.objects.order_by("position", "code").values_list("code", flat=True))
    by_code = {row["code"]: row for row in body}
    population = by_code["population"]
    assert population["years"] == [2013, 2018] and population["domain"] is None and population["aggregation"] == "sum"
    assert population["vintage"] and population["source"].startswith("Insee")
    poverty = by_code["taux_pauvrete"]
    assert poverty["direction"] == "higher_worse" and poverty["aggregation"] == "weighted_mean"
    assert poverty["domain"]["code"] and poverty["is_demo"] is False
    for row in body:
        expected = sorted(set(Value.objects.filter(indicator__code=row["code"]).values_list("year", flat=True)))
        assert row["years"] == expected, row["code"]
    demo = [row for row in body if row["is_demo"]]
    assert len(demo) == Indicator.objects.filter(is_demo=True).count() > 0
    assert all(row["source"].startswith("Données de démonstration") for row in demo)


def test_methodology_of_a_ratio_with_its_parts_and_national_values(client, loaded):
    body = client.get("/api/indicators/taux_chomage_rp").json()
    assert body["numerator"] == {"code": "chomeurs_15_64", "name": Indicator.objects.get(code="chomeurs_15_64").name}
    assert body["denominator"]["code"] == "actifs_15_64" and body["scale"] == 100
    assert "sommé" in body["formula"] and body["licence"].startswith("Licence Ouverte") and body["limits"]
    metro = NationalValue.objects.get(indicator__code="taux_chomage_rp", scope="metro", year=2018)
    assert {"scope": "metro", "year": 2018, "value": metro.value, "coverage": metro.coverage} in body["national"]
    assert {row["scope"] for row in body["national"]} == {"metro", "france"}
    missing = client.get("/api/indicators/inconnu")
    assert missing.status_code == 404 and missing.json() == {"detail": "Ressource introuvable."}


# --- A territory's figures --------------------------------------------------------------------


def test_values_are_those_of_territory_figures(client, loaded):
    loiret = territory("departement", "45")
    body = client.get("/api/territories/departement/45/indicators").json()
    parent = parent_of(loiret)
    assert body["territory"] == {"level": "departement", "code": "45", "name": "Loiret"}
    assert body["parent"] == {"level": "region", "code": "24", "name": "Centre-Val de Loire"} and body["year"] is None
    figures = territory_figures(loiret, parent)
    peers = suggested_peers(loiret)
    assert [p["code"] for p in body["peers"]] == [p.code for p in peers]
    stats = peer_figures(peers, [(f.indicator.pk, f.year) for f in figures])
    assert [row["code"] for row in body["indicators"]] == [f.indicator.code for f in figures]
    for row, f in zip(body["indicators"], figures):
        with_index = f.indicator.aggregation != Aggregation.SUM
        assert (row["year"], row["value"], row["coverage"], row["is_computed"]) == (f.year, f.value, f.coverage, f.is_computed)
        assert (row["national"], row["parent_value"]) == (f.national, f.parent_value)
        assert row["index_france"] == (f.index_france if with_index else None)
        assert row["index_parent"] == (f.index_parent if with_index else None)
        assert (row["rank"], row["count"], row["decile"], row["fragility"]) == (f.rank, f.count, f.decile, f.fragility)
        assert row["series"] == [{"year": y, "value": v} for y, v in f.series]
        assert (row["is_demo"], row["source"], row["vintage"]) == (f.indicator.is_demo, f.indicator.source, f.indicator.vintage)
        peer = stats.get((f.indicator.pk, f.year))
        if not f.indicator.is_component:
            assert (row["peer_median"], row["peer_low"], row["peer_high"], row["peer_with_data"], row["peer_count"]) == (
                peer.median, peer.low, peer.high, peer.with_data, peer.peers)
    poverty = next(row for row in body["indicators"] if row["code"] == "taux_pauvrete")
    assert poverty["index_france"] == pytest.approx(100 * poverty["value"] / poverty["national"])
    assert poverty["rank"] is not None and 1 <= poverty["decile"] <= 10
    scores = domain_scores(figures)
    assert [(s["domain"]["code"], s["score"], s["is_priority"], s["is_demo"]) for s in body["scores"]] == [
        (s.domain.code, s.score, s.is_priority, s.is_demo) for s in scores]
    assert body["scores"][0]["indicators"] == [f.indicator.code for f in scores[0].figures]


def test_a_blank_under_secrecy_stays_a_blank(client, loaded):
    body = client.get("/api/territories/commune/01015/indicators").json()
    poverty = next(row for row in body["indicators"] if row["code"] == "taux_pauvrete")
    assert poverty["value"] is None and poverty["rank"] is None and poverty["index_france"] is None
    ain = client.get("/api/territories/departement/01/indicators?year=2021").json()
    poverty = next(row for row in ain["indicators"] if row["code"] == "taux_pauvrete")
    assert poverty["value"] is None and poverty["coverage"] == 0


def test_year_picks_that_year_and_a_year_without_values_is_an_empty_list(client, loaded):
    loiret = territory("departement", "45")
    body = client.get("/api/territories/departement/45/indicators", {"year": 2013}).json()
    assert body["year"] == 2013 and body["indicators"]
    assert {row["year"] for row in body["indicators"]} == {2013}
    expected = territory_figures(loiret, parent_of(loiret), year=2013)
    assert [(row["code"], row["value"], row["rank"]) for row in body["indicators"]] == [
        (f.indicator.code, f.value, f.rank) for f in expected]
    population = next(row for row in body["indicators"] if row["code"] == "population")
    assert population["value"] == Value.objects.get(territory=loiret, indicator__code="population", year=2013).value
    empty = client.get("/api/territories/departement/45/indicators?year=1950").json()
    assert empty["indicators"] == [] and empty["scores"] == [] and empty["year"] == 1950


@pytest.mark.parametrize("year, message", [
    ("deux mille", "année attendue : un nombre entier, par exemple 2021"),
    ("2018.5", "année attendue : un nombre entier, par exemple 2021"),
    ("", "année attendue : un nombre entier, par exemple 2021"),
    ("3000", "année hors limites : entre 1900 et 2100"),
])
def test_a_bad_year_is_a_400_in_french(client, loaded, year, message):
    response = client.get("/api/territories/departement/45/indicators", {"year": year})
    assert response.status_code == 400
    assert response.json() == {"detail": "Paramètres invalides.", "errors": [{"field": "year", "message": message}]}


@pytest.mark.parametrize("suffix", ["indicators", "peers", "portrait"])
def test_a_bad_level_is_a_400_and_an_unknown_territory_a_404(client, loaded, suffix):
    response = client.get(f"/api/territories/canton/45/{suffix}")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "level", "message": "niveau inconnu ; niveaux possibles : region, departement, epci, commune, project"}]
    missing = client.get(f"/api/territories/commune/99999/{suffix}")
    assert missing.status_code == 404 and missing.json() == {"detail": "Ressource introuvable."}


@pytest.mark.parametrize("suffix", ["indicators", "peers", "portrait"])
def test_a_private_project_is_a_404_for_everyone_but_its_owner(client, loaded, member, other_member, suffix):
    communes = [territory("commune", code).pk for code in ("45234", "45232")]
    project = save_project(owner=member, name="Projet privé", description="", is_private=True, commune_ids=communes)
    url = f"/api/territories/project/{project.code}/{suffix}"
    assert client.get(url).status_code == 404
    client.force_login(other_member)
    assert client.get(url).status_code == 404
    client.force_login(member)
    body = client.get(url).json()
    assert body["territory"] == {"level": "project", "code": project.code, "name": "Projet privé"}


def test_a_project_territory_gets_values_of_its_own(client, loaded, member):
    communes = [territory("commune", code) for code in ("45234", "45232")]
    project = save_project(owner=member, name="Orléans et Olivet", description="", is_private=False,
                           commune_ids=[c.pk for c in communes])
    body = client.get(f"/api/territories/project/{project.code}/indicators").json()
    population = next(row for row in body["indicators"] if row["code"] == "population" and row["year"] == 2018)
    parts = Value.objects.filter(territory__in=communes, indicator__code="population", year=2018)
    assert population["value"] == pytest.approx(sum(v.value for v in parts)) and population["is_computed"]
    assert population["rank"] is None  # a project territory is not ranked
    assert all(p["level"] == "epci" for p in body["peers"])


# --- Peers ----------------------------------------------------------------------------------


def test_suggested_peers_with_the_method(client, loaded):
    loiret = territory("departement", "45")
    body = client.get("/api/territories/departement/45/peers").json()
    assert body["chosen"] is False and body["level"] == "departement" and body["coverage_rule"] == 0.75
    assert [p["code"] for p in body["peers"]] == [p.code for p in suggested_peers(loiret)]
    assert len(body["peers"]) <= PEER_COUNT and "45" not in [p["code"] for p in body["peers"]]
    assert "population" in body["method"] and "niveau de vie médian" in body["method"] and body["method"].endswith(".")
    distances = [p["distance"] for p in body["peers"]]
    assert distances == sorted(distances) and all(d is not None and d > 0 for d in distances)
    gironde = next(p for p in body["peers"] if p["code"] == "33")
    assert gironde["population"] == Value.objects.filter(
        territory__level="departement", territory__code="33", indicator__code="population").order_by("-year").first().value
    assert body["indicators"] and all(row["peer_count"] == len(body["peers"]) for row in body["indicators"])


def test_a_chosen_group_is_evaluated_under_the_coverage_rule(client, loaded):
    body = client.get("/api/territories/departement/45/peers?pairs=departement/64,departement/33&pairs=departement/01").json()
    assert body["chosen"] is True and [p["code"] for p in body["peers"]] == ["64", "33", "01"]
    assert body["method"].startswith("Groupe choisi")
    peers = [territory("departement", code) for code in ("64", "33", "01")]
    for row in body["indicators"]:
        indicator = Indicator.objects.get(code=row["code"])
        stats = peer_figures(peers, [(indicator.pk, row["year"])])[(indicator.pk, row["year"])]
        assert (row["peer_median"], row["peer_with_data"], row["shown"]) == (stats.median, stats.with_data, stats.shown)
        assert row["shown"] == (row["peer_with_data"] >= 0.75 * 3)
    bad = client.get("/api/territories/departement/45/peers?pairs=departement/64,region/24,departement/zz")
    assert bad.status_code == 400
    assert bad.json()["errors"] == [{
        "field": "pairs",
        "message": "ne désignent aucun territoire comparable (niveau attendu : departement) : region/24, departement/zz"}]


# --- Portrait -------------------------------------------------------------------------------


def test_portrait_is_the_one_the_page_shows(client, loaded):
    region = territory("region", "75")
    body = client.get("/api/territories/region/75/portrait").json()
    portrait = build_portrait(region)
    assert body["territory"]["name"] == "Nouvelle-Aquitaine" and body["parent"] is None
    assert [p["code"] for p in body["peers"]] == [p.code for p in portrait.peers] and body["peers_chosen"] is False
    assert body["profile"]["communes"] == portrait.communes == 3  # Pauillac, Pau, Lescar
    assert [f["code"] for f in body["profile"]["figures"]] == [f.indicator.code for f in portrait.profile]
    assert [(r["code"], r["value"], r["rank"], r["peer_median"]) for r in body["rows"]] == [
        (r.figure.indicator.code, r.figure.value, r.figure.rank, r.peers.median if r.peers else None) for r in portrait.rows]
    assert [s["domain"]["code"] for s in body["scores"]] == [s.domain.code for s in portrait.scores]
    assert body["priorities"] == [s for s in body["scores"] if s["is_priority"]]
    assert body["has_demo"] is True and body["url"] == "/territoires/region/75/portrait/"
    assert body["pdf"] == "/territoires/region/75/portrait.pdf"
    chosen = client.get("/api/territories/region/75/portrait?pairs=region/24").json()
    assert chosen["peers_chosen"] is True and [p["code"] for p in chosen["peers"]] == ["24"]
