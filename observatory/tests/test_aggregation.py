"""The core of the observatory against numbers computed by hand, on a small world: the
sample territories with round populations, and a handful of indicators with values for
the communes of two départements (Loiret, Pyrénées-Atlantiques) and one commune overseas.

Communes (population; values of 2020):

=====================  ========  ====  =======  ======  =========  =========  ==============
commune                pop.      km²   chômeurs  actifs  niveau vie  pauvreté   établissements
=====================  ========  ====  =======  ======  =========  =========  ==============
Orléans      45234     100 000   25    5 000    50 000  20 000     20         8 000
Olivet       45232      20 000   20      500    10 000  25 000     10         1 500
Fleury       45147      20 000   10    1 500    10 000  secret     secret     1 200
St-Jean-de-B 45284      20 000   10    1 000    10 000  22 000     15         1 000
Saran        45302      20 000   20    2 000    10 000  (no row)   (no row)   1 300
Pithiviers   45252      10 000   50    1 000     5 000  secret     secret     secret
Pau          64445      80 000   30    6 000    40 000  19 000     25         7 000
Lescar       64335      10 000   10      500     5 000  24 000     12           600
Les Abymes   97101      50 000   80   10 000    20 000  15 000     35         3 000
=====================  ========  ====  =======  ======  =========  =========  ==============

Territories above: Orléans Métropole (the first five communes; its population is set to
175 000, an older vintage than its communes' 180 000), CC du Pithiverais (Pithiviers),
Loiret (190 000), CA Pau Béarn Pyrénées and Pyrénées-Atlantiques (90 000), Nouvelle-
Aquitaine (95 000 with Pauillac, which has no row).
"""

from __future__ import annotations

import math
import statistics

import pytest

from observatory import cache
from observatory.aggregation import aggregate, aggregate_territory
from observatory.figures import PRIORITY_THRESHOLD, domain_scores, territory_figures
from observatory.models import Indicator, NationalValue, Run, Value
from observatory.sources import SourceValue
from observatory.store import write_source_values
from observatory.peers import PEER_COVERAGE_RULE, peer_figures, suggested_peers
from taxonomy.models import Domain
from territories.models import Level, Territory
from territories.projects import save_project

pytestmark = pytest.mark.django_db

YEAR = 2020
COMMUNES = {
    #        code: (population, km², chômeurs, actifs, niveau de vie, pauvreté, établissements); "-" = no row
    "45234": (100_000, 25, 5000, 50000, 20000, 20, 8000),
    "45232": (20_000, 20, 500, 10000, 25000, 10, 1500),
    "45147": (20_000, 10, 1500, 10000, None, None, 1200),
    "45284": (20_000, 10, 1000, 10000, 22000, 15, 1000),
    "45302": (20_000, 20, 2000, 10000, "-", "-", 1300),
    "45252": (10_000, 50, 1000, 5000, None, None, None),
    "64445": (80_000, 30, 6000, 40000, 19000, 25, 7000),
    "64335": (10_000, 10, 500, 5000, 24000, 12, 600),
    "97101": (50_000, 80, 10000, 20000, 15000, 35, 3000),
}
CODES = ("population", "superficie", "chomeurs", "actifs", "niveau_vie_median", "taux_pauvrete", "etablissements")
# Sample communes without any row, with the populations set by the fixture.
OTHERS = {"33314": 5_000, "01015": 1_000, "94018": 30_000, "94038": 30_000, "94046": 60_000, "94069": 15_000,
          "97105": 10_000}
METRO_TOTAL = sum(p[0] for code, p in COMMUNES.items() if code != "97101") + sum(
    p for code, p in OTHERS.items() if code != "97105")  # 280 000 + 141 000


def t(level: str, code: str) -> Territory:
    return Territory.objects.get(level=level, code=code)


def value(level: str, code: str, indicator: str, year: int = YEAR) -> Value:
    return Value.objects.get(territory__level=level, territory__code=code, indicator__code=indicator, year=year)


@pytest.fixture
def world(sample_territories):
    """The sample territories with the round populations above, the indicators and their
    commune values, aggregated once."""
    for code, row in COMMUNES.items():
        Territory.objects.filter(level=Level.COMMUNE, code=code).update(population=row[0])
    for code, population in OTHERS.items():
        Territory.objects.filter(level=Level.COMMUNE, code=code).update(population=population)
    populations = {
        (Level.EPCI, "244500468"): 175_000, (Level.EPCI, "200066280"): 10_000, (Level.EPCI, "200067254"): 90_000,
        (Level.DEPARTEMENT, "45"): 190_000, (Level.DEPARTEMENT, "64"): 90_000, (Level.DEPARTEMENT, "33"): 5_000,
        (Level.REGION, "24"): 190_000, (Level.REGION, "75"): 95_000,
    }
    for (level, code), population in populations.items():
        Territory.objects.filter(level=level, code=code).update(population=population)

    emploi, pauvrete = Domain.objects.get(code="emploi"), Domain.objects.get(code="pauvrete_precarite")
    common = {"producer": "Test", "source": "Valeurs du test", "definition": "—"}
    make = lambda code, **kw: Indicator.objects.create(code=code, name=code, **common, **kw)  # noqa: E731
    indicators = {
        "population": make("population", aggregation="sum", position=1),
        "superficie": make("superficie", aggregation="sum", position=2),
        "etablissements": make("etablissements", aggregation="sum", position=3),
        "chomeurs": make("chomeurs", aggregation="sum", domain=emploi, is_component=True, position=4),
        "actifs": make("actifs", aggregation="sum", domain=emploi, is_component=True, position=5),
        "niveau_vie_median": make("niveau_vie_median", aggregation="weighted_mean", domain=pauvrete,
                                  direction="higher_better", position=8),
        "taux_pauvrete": make("taux_pauvrete", aggregation="weighted_mean", domain=pauvrete,
                              direction="higher_worse", position=9),
    }
    indicators["densite"] = make("densite", aggregation="ratio", numerator=indicators["population"],
                                 denominator=indicators["superficie"], scale=1, position=6)
    indicators["taux_chomage"] = make("taux_chomage", aggregation="ratio", numerator=indicators["chomeurs"],
                                      denominator=indicators["actifs"], scale=100, domain=emploi,
                                      direction="higher_worse", position=7)
    # Through the one write path of source values, which ranks them within their slice.
    rows = [
        SourceValue(indicator, Level.COMMUNE, code, YEAR, figure)
        for code, row in COMMUNES.items() for indicator, figure in zip(CODES, row) if figure != "-"
    ]
    # A second year for the population, to check that each year aggregates on its own.
    rows.append(SourceValue("population", Level.COMMUNE, "45234", 2015, 90_000))
    report = write_source_values(rows, indicators)
    assert not report.unknown
    aggregate()
    cache.clear()
    return indicators


# --- Aggregation rules ------------------------------------------------------------------------


def test_sum_of_the_known_values_with_their_coverage(world):
    assert value("departement", "45", "population").value == 190_000
    assert value("departement", "45", "population").coverage == 1
    assert value("region", "75", "population").value == 90_000  # Pau + Lescar; Pauillac has no row
    assert value("region", "75", "population").coverage == pytest.approx(90_000 / 95_000)
    # Pithiviers' count is secret: Loiret sums the others and says what it covers.
    loiret = value("departement", "45", "etablissements")
    assert loiret.value == 8000 + 1500 + 1200 + 1000 + 1300 and loiret.coverage == pytest.approx(180_000 / 190_000)
    # Communes of 180 000 in an EPCI of 175 000 (another vintage): coverage stops at 1.
    assert value("epci", "244500468", "population").value == 180_000
    assert value("epci", "244500468", "population").coverage == 1
    # Each year on its own: 2015 has Orléans alone.
    assert value("departement", "45", "population", 2015).value == 90_000
    assert value("departement", "45", "population", 2015).coverage == pytest.approx(100_000 / 190_000)


def test_a_ratio_is_the_ratio_of_the_sums_not_the_mean_of_the_ratios(world):
    metropole = value("epci", "244500468", "taux_chomage")
    # 100 × (5000 + 500 + 1500 + 1000 + 2000) ÷ (50000 + 4 × 10000) = 11.11…, where the mean
    # of the five communes' rates (10, 5, 15, 10, 20) would be 12.
    assert metropole.value == pytest.approx(100 * 10_000 / 90_000)
    assert metropole.value != pytest.approx(12)
    assert value("departement", "45", "taux_chomage").value == pytest.approx(100 * 11_000 / 95_000)
    assert value("departement", "64", "taux_chomage").value == pytest.approx(100 * 6_500 / 45_000)
    # At the communes too, and the density the same way.
    assert value("commune", "45234", "taux_chomage").value == pytest.approx(10)
    assert value("epci", "244500468", "densite").value == pytest.approx(180_000 / 85)
    assert value("departement", "45", "densite").value == pytest.approx(190_000 / 135)


def test_population_weighted_mean_leaves_secret_communes_out_and_says_so(world):
    # Orléans, Olivet, Saint-Jean-de-Braye are known; Fleury is secret, Saran has no row.
    metropole = value("epci", "244500468", "niveau_vie_median")
    assert metropole.value == pytest.approx((20000 * 100_000 + 25000 * 20_000 + 22000 * 20_000) / 140_000)  # 21 000
    assert metropole.value == pytest.approx(21_000)
    assert metropole.coverage == pytest.approx(140_000 / 175_000)  # 0.8
    poverty = value("departement", "45", "taux_pauvrete")
    assert poverty.value == pytest.approx((20 * 100_000 + 10 * 20_000 + 15 * 20_000) / 140_000)
    assert poverty.coverage == pytest.approx(140_000 / 190_000) and poverty.coverage < 1
    assert value("departement", "64", "niveau_vie_median").value == pytest.approx((19000 * 80_000 + 24000 * 10_000) / 90_000)


def test_a_secret_value_stays_blank_never_zero(world):
    fleury = value("commune", "45147", "niveau_vie_median")
    assert fleury.value is None and not fleury.is_computed
    # The Pithiverais has Pithiviers alone, secret: a blank covering nobody, not a 0.
    for indicator in ("niveau_vie_median", "taux_pauvrete", "etablissements"):
        pithiverais = value("epci", "200066280", indicator)
        assert pithiverais.value is None and pithiverais.coverage == 0, indicator
    assert not Value.objects.filter(territory__code="45302", indicator__code="niveau_vie_median").exists()


def test_national_values_metro_and_france(world):
    def national(code, scope):
        return NationalValue.objects.get(indicator__code=code, scope=scope, year=YEAR)

    assert national("population", "metro").value == 280_000
    assert national("population", "france").value == 330_000  # with Les Abymes
    assert national("population", "metro").coverage == pytest.approx(280_000 / METRO_TOTAL)
    assert national("population", "france").coverage == pytest.approx(330_000 / (METRO_TOTAL + 60_000))
    known = {"45234": 20000, "45232": 25000, "45284": 22000, "64445": 19000, "64335": 24000}
    metro = sum(v * COMMUNES[c][0] for c, v in known.items()) / sum(COMMUNES[c][0] for c in known)
    assert national("niveau_vie_median", "metro").value == pytest.approx(metro)  # 20 434.8
    assert national("niveau_vie_median", "france").value == pytest.approx(
        (metro * 230_000 + 15000 * 50_000) / 280_000)
    # Secret, missing rows and communes without data all count as not covered.
    assert national("niveau_vie_median", "metro").coverage == pytest.approx(230_000 / METRO_TOTAL)
    assert national("taux_chomage", "metro").value == pytest.approx(100 * 17_500 / 140_000)
    assert national("taux_chomage", "france").value == pytest.approx(100 * 27_500 / 160_000)


def test_aggregating_again_gives_the_same_values(world):
    def snapshot():
        return (
            sorted(Value.objects.filter(is_computed=True).values_list("indicator_id", "territory_id", "year", "value", "coverage")),
            sorted(NationalValue.objects.values_list("indicator_id", "scope", "year", "value", "coverage")),
        )

    before = snapshot()
    written = aggregate()
    assert snapshot() == before
    # Every computed value but the communes' ratios, which are written with their counts.
    communes_ratios = Value.objects.filter(level=Level.COMMUNE, is_computed=True)
    assert communes_ratios.count() == 2 * 9
    assert written == len(before[0]) - 2 * 9 and Value.objects.filter(is_computed=False).count() == 9 * 7 - 2 + 1
    assert Run.objects.filter(kind=Run.Kind.AGGREGATE).count() == 2


def test_project_territories_are_aggregated_like_the_others(world, member):
    orleans, pau = t("commune", "45234"), t("commune", "64445")
    before = sorted(Value.objects.values_list("territory_id", "indicator_id", "year", "value", "coverage"))
    project = save_project(owner=member, name="Orléans et Pau", description="", is_private=False,
                           commune_ids=[orleans.pk, pau.pk])
    assert not Value.objects.filter(territory=project).exists()
    written = aggregate_territory(project)
    mine = {v.indicator.code: v for v in Value.objects.filter(territory=project, year=YEAR).select_related("indicator")}
    assert written == Value.objects.filter(territory=project).count()
    assert mine["population"].value == 180_000 and mine["population"].coverage == 1
    assert mine["taux_chomage"].value == pytest.approx(100 * 11_000 / 90_000)
    assert mine["niveau_vie_median"].value == pytest.approx((20000 * 100_000 + 19000 * 80_000) / 180_000)
    # Nobody else changed.
    others = sorted(Value.objects.exclude(territory=project).values_list("territory_id", "indicator_id", "year", "value", "coverage"))
    assert others == before
    # A full aggregation gives the project the same values.
    aggregate()
    again = {v.indicator.code: v.value for v in Value.objects.filter(territory=project, year=YEAR).select_related("indicator")}
    assert again == {code: v.value for code, v in mine.items()}


# --- Ranks, deciles, domain scores ------------------------------------------------------------


def test_ranks_deciles_and_domain_scores(world):
    # Communes' unemployment rates: Les Abymes 50; Saran, Pithiviers 20; Fleury, Pau 15;
    # Orléans, Saint-Jean-de-Braye, Lescar 10; Olivet 5. Rank 1 = highest, ties share it.
    figures = {f.indicator.code: f for f in territory_figures(t("commune", "45234"))}
    unemployment = figures["taux_chomage"]
    assert (unemployment.value, unemployment.rank, unemployment.count) == (pytest.approx(10), 6, 9)
    assert unemployment.decile == 1 + (6 - 1) * 10 // 9 == 6
    assert unemployment.fragility == pytest.approx(100 * (1 - 5 / 8))  # higher is worse: 37.5
    # Income (higher is better) 25000, 24000, 22000 above Orléans' 20000; 6 communes known.
    income = figures["niveau_vie_median"]
    assert (income.rank, income.count, income.decile) == (4, 6, 6)
    assert income.fragility == pytest.approx(100 * 3 / 5)  # 60
    poverty = figures["taux_pauvrete"]
    assert (poverty.rank, poverty.count) == (3, 6) and poverty.fragility == pytest.approx(100 * (1 - 2 / 5))
    # Components and profile figures are not ranked.
    assert figures["chomeurs"].rank is None and figures["population"].fragility is None
    scores = {s.domain.code: s for s in domain_scores(list(figures.values()))}
    assert scores["pauvrete_precarite"].score == pytest.approx(60) and not scores["pauvrete_precarite"].is_priority
    assert scores["emploi"].score == pytest.approx(37.5)
    assert [s.domain.code for s in domain_scores(list(figures.values()))] == ["pauvrete_precarite", "emploi"]
    # Les Abymes is the most fragile commune on all three: every domain is a priority.
    abymes = domain_scores(territory_figures(t("commune", "97101")))
    assert {s.domain.code: s.score for s in abymes} == {"emploi": 100, "pauvrete_precarite": 100}
    assert all(s.is_priority for s in abymes) and PRIORITY_THRESHOLD == pytest.approx(200 / 3)
    # Départements: Guadeloupe 50 %, Pyrénées-Atlantiques 14.4 %, Loiret 11.6 %.
    loiret = {f.indicator.code: f for f in territory_figures(t("departement", "45"))}["taux_chomage"]
    assert (loiret.rank, loiret.count, loiret.decile) == (3, 3, 1 + 2 * 10 // 3)


def test_figures_of_a_given_year(world):
    orleans = t("commune", "45234")
    figures = territory_figures(orleans, year=2015)
    assert [(f.indicator.code, f.value) for f in figures] == [("population", 90_000)]
    assert figures[0].series == [(2015, 90_000), (2020, 100_000)]
    assert territory_figures(orleans, year=1999) == []
    latest = {f.indicator.code: f.year for f in territory_figures(orleans)}
    assert latest["population"] == 2020


# --- Peers ----------------------------------------------------------------------------------


def test_peers_are_the_nearest_in_the_standardised_space_of_the_same_zone(world):
    # The communes with population, density and income: log population, log density and
    # income, each standardised over the six (mean 0, standard deviation 1).
    known = {code: row for code, row in COMMUNES.items() if isinstance(row[4], int)}
    raw = {code: (math.log(row[0]), math.log(row[0] / row[1]), row[4]) for code, row in known.items()}
    columns = list(zip(*raw.values()))
    centres = [statistics.fmean(column) for column in columns]
    spreads = [statistics.pstdev(column) for column in columns]
    point = {code: [(x - c) / s for x, c, s in zip(p, centres, spreads)] for code, p in raw.items()}
    distance = {code: math.dist(point[code], point["45234"]) for code in point if code != "45234"}
    # Pau 0.75, Saint-Jean-de-Braye 2.30, Olivet 3.27, Les Abymes 3.37, Lescar 3.72.
    assert [code for code, _ in sorted(distance.items(), key=lambda item: item[1])] == [
        "64445", "45284", "45232", "97101", "64335"]
    assert distance["64445"] == pytest.approx(0.750, abs=1e-3)

    assert [p.code for p in suggested_peers(t("commune", "45234"), count=3)] == ["64445", "45284", "45232"]
    # Les Abymes is overseas: never a peer of a metropolitan commune, even when close enough.
    assert [p.code for p in suggested_peers(t("commune", "45234"), count=5)] == ["64445", "45284", "45232", "64335"]
    assert suggested_peers(t("commune", "97101")) == []
    # Fleury's income is secret: it has no point, and is nobody's peer.
    assert "45147" not in [p.code for p in suggested_peers(t("commune", "45232"), count=10)]


def test_a_project_territory_is_compared_with_epci(world, member):
    project = save_project(owner=member, name="Orléans et Olivet", description="", is_private=False,
                           commune_ids=[t("commune", "45234").pk, t("commune", "45232").pk])
    aggregate_territory(project)
    peers = suggested_peers(project)
    assert peers and all(p.level == Level.EPCI for p in peers)
    # EPCI with the three figures: Orléans Métropole and Pau (the Pithiverais' income is blank).
    assert {p.code for p in peers} == {"244500468", "200067254"}
    # An EPCI takes its communes' zone: CA Cap Excellence (Les Abymes) stays with overseas EPCI.
    assert [p.code for p in suggested_peers(t("epci", "244500468"))] == ["200067254"]
    assert suggested_peers(t("epci", "200018653")) == []


def test_peer_figures_follow_the_75_percent_coverage_rule(world):
    ids = {code: indicator.pk for code, indicator in world.items()}
    four = [t("commune", code) for code in ("45232", "45147", "45284", "45302")]  # Olivet, Fleury, St-Jean, Saran
    figures = peer_figures(four, [(ids["taux_chomage"], YEAR), (ids["niveau_vie_median"], YEAR)])
    unemployment = figures[(ids["taux_chomage"], YEAR)]  # 5, 15, 10, 20: all four
    assert (unemployment.median, unemployment.low, unemployment.high) == (12.5, 5, 20)
    assert (unemployment.with_data, unemployment.peers, unemployment.shown) == (4, 4, True)
    income = figures[(ids["niveau_vie_median"], YEAR)]  # Olivet and St-Jean only: 2 of 4 < 75 %
    assert (income.median, income.low, income.high, income.with_data, income.shown) == (None, None, None, 2, False)
    three_of_four = [t("commune", code) for code in ("45232", "45284", "64335", "45147")]  # 10, 15, 12, secret
    poverty = peer_figures(three_of_four, [(ids["taux_pauvrete"], YEAR)])[(ids["taux_pauvrete"], YEAR)]
    assert 3 >= PEER_COVERAGE_RULE * 4
    assert (poverty.median, poverty.low, poverty.high, poverty.with_data, poverty.shown) == (12, 10, 15, 3, True)
    assert peer_figures([], [(ids["taux_pauvrete"], YEAR)]) == {}


# --- Stored ranks -----------------------------------------------------------------------------


def expected_ranks() -> dict[int, tuple[int | None, int | None]]:
    """Every value's rank and count, recounted from the values themselves."""
    rows = list(Value.objects.values_list("id", "indicator_id", "year", "level", "value"))
    known: dict[tuple, list[float]] = {}
    for _id, indicator_id, year, level, value in rows:
        if value is not None and level != Level.PROJECT:
            known.setdefault((indicator_id, year, level), []).append(value)
    expected = {}
    for pk, indicator_id, year, level, value in rows:
        if value is None or level == Level.PROJECT:
            expected[pk] = (None, None)
        else:
            others = known[(indicator_id, year, level)]
            expected[pk] = (1 + sum(other > value for other in others), len(others))
    return expected


def stored_ranks() -> dict[int, tuple[int | None, int | None]]:
    return {pk: (rank, count) for pk, rank, count in Value.objects.values_list("id", "level_rank", "level_count")}


def test_every_value_is_stored_with_its_rank_in_its_level(world, member):
    save_project(owner=member, name="Orléans et Pau", description="", is_private=False,
                 commune_ids=[t("commune", "45234").pk, t("commune", "64445").pk])
    aggregate()
    assert Value.objects.filter(level=Level.PROJECT).exists()
    assert Value.objects.filter(level=Level.EPCI, level_rank__isnull=False).exists()
    assert stored_ranks() == expected_ranks()
    # A slice imported again: its source values are ranked anew, the computed ones with them.
    indicators = {i.code: i for i in Indicator.objects.all()}
    write_source_values([SourceValue("taux_pauvrete", Level.COMMUNE, code, YEAR, 30.0 + i)
                         for i, code in enumerate(("45234", "45302", "64445"))], indicators)
    aggregate([indicators["taux_pauvrete"]])
    assert stored_ranks() == expected_ranks()


def test_the_migration_ranks_the_values_already_stored(world):
    from importlib import import_module

    from django.db import connection

    fill = import_module("observatory.migrations.0003_value_ranks").FILL_RANKS
    expected = stored_ranks()
    Value.objects.update(level_rank=None, level_count=None)
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert stored_ranks() == expected == expected_ranks()


def test_the_peers_space_takes_each_territorys_latest_known_value(world):
    from observatory.peers import latest_values

    indicators = {i.code: i for i in Indicator.objects.all()}
    orleans, saran, olivet = (t("commune", code) for code in ("45234", "45302", "45232"))
    # A newer year where Orléans is blank and Olivet has no row: both keep their YEAR value.
    write_source_values([SourceValue("niveau_vie_median", Level.COMMUNE, "45234", YEAR + 1, None),
                         SourceValue("niveau_vie_median", Level.COMMUNE, "45302", YEAR + 1, 30_000)], indicators)
    communes = Territory.objects.current().filter(level=Level.COMMUNE).values_list("pk", flat=True)
    latest = latest_values(Level.COMMUNE, "niveau_vie_median", communes)
    assert latest[saran.pk] == 30_000
    assert latest[orleans.pk] == 20_000 and latest[olivet.pk] == 25_000
    assert latest == {**{pk: v for pk, v in Value.objects.filter(
        indicator__code="niveau_vie_median", level=Level.COMMUNE, year=YEAR, value__isnull=False
    ).values_list("territory_id", "value")}, saran.pk: 30_000}
    assert latest_values(Level.REGION, "unknown_code", []) == {}


# --- Ratios at the base level, written with their counts --------------------------------------


def test_a_communes_ratio_is_written_with_its_counts_for_the_years_written_only(world):
    indicators = {i.code: i for i in Indicator.objects.all()}
    density_2020 = dict(Value.objects.filter(indicator__code="densite", level=Level.COMMUNE, year=YEAR)
                        .values_list("id", "value"))
    # Orléans' area in 2015: its density that year follows at once, with no aggregation.
    report = write_source_values([SourceValue("superficie", Level.COMMUNE, "45234", 2015, 25)], indicators)
    assert report.ratios == 1
    density = value("commune", "45234", "densite", 2015)
    assert density.value == pytest.approx(90_000 / 25) and density.is_computed
    assert (density.level_rank, density.level_count) == (1, 1)
    # 2020 was not written: its rows are the same rows, not written again.
    assert dict(Value.objects.filter(indicator__code="densite", level=Level.COMMUNE, year=YEAR)
                .values_list("id", "value")) == density_2020
    # The 2020 job seekers of two communes only: the slice is replaced, so the rate is left
    # to those two, ranked between them.
    write_source_values([SourceValue("chomeurs", Level.COMMUNE, "45234", YEAR, 2_500),
                         SourceValue("chomeurs", Level.COMMUNE, "64445", YEAR, 8_000)], indicators)
    rates = Value.objects.filter(indicator__code="taux_chomage", level=Level.COMMUNE, year=YEAR)
    assert sorted(rates.values_list("territory__code", "value", "level_rank", "level_count")) == [
        ("45234", pytest.approx(5.0), 2, 2), ("64445", pytest.approx(20.0), 1, 2)]
    assert stored_ranks() == expected_ranks()
    # The levels above wait for the aggregation, which leaves the communes' rows alone.
    aggregate([indicators["chomeurs"], indicators["taux_chomage"]])
    # Lescar has no row left: Pau alone over both communes' active residents (coverage says so).
    assert value("departement", "64", "taux_chomage").value == pytest.approx(100 * 8_000 / 45_000)
    assert rates.count() == 2


def test_a_ratio_whose_counts_come_in_two_writes_and_a_ratio_of_ratios(world):
    indicators = {i.code: i for i in Indicator.objects.all()}
    common = {"producer": "Test", "source": "Valeurs du test", "definition": "—"}
    jobs = Indicator.objects.create(code="emplois", name="emplois", aggregation="sum", position=20, **common)
    per_active = Indicator.objects.create(code="emplois_par_actif", name="e/a", aggregation="ratio", numerator=jobs,
                                          denominator=indicators["actifs"], scale=100, position=21, **common)
    # The density per point of unemployment: a ratio of two ratios.
    odd = Indicator.objects.create(code="densite_par_chomage", name="d/c", aggregation="ratio",
                                   numerator=indicators["densite"], denominator=indicators["taux_chomage"],
                                   scale=1, position=22, **common)
    indicators.update({i.code: i for i in (jobs, per_active, odd)})
    write_source_values([SourceValue("emplois", Level.COMMUNE, code, YEAR, 40_000) for code in ("45234", "64445")],
                        indicators)
    assert value("commune", "45234", "emplois_par_actif").value == pytest.approx(80.0)
    # Orléans' population again: its density, then the ratio that reads it.
    write_source_values([SourceValue("population", Level.COMMUNE, code, YEAR, figures[0] * 2)
                         for code, figures in COMMUNES.items()], indicators)
    assert value("commune", "45234", "densite").value == pytest.approx(200_000 / 25)
    assert value("commune", "45234", "densite_par_chomage").value == pytest.approx(8_000 / 10)
    aggregate()
    metropole = value("epci", "244500468", "densite_par_chomage").value
    assert metropole == pytest.approx((360_000 / 85) / (100 * 10_000 / 90_000))
    assert stored_ranks() == expected_ranks()


def test_every_ratio_of_the_catalogue_has_the_base_level_of_its_counts():
    from observatory.catalogue import INDICATORS

    by_code = {entry["code"]: entry for entry in INDICATORS}
    base = lambda entry: entry.get("base_level", Level.COMMUNE)  # noqa: E731
    ratios = [entry for entry in INDICATORS if entry.get("aggregation") == "ratio"]
    assert ratios
    for entry in ratios:
        assert base(entry) == base(by_code[entry["numerator"]]) == base(by_code[entry["denominator"]]), entry["code"]
