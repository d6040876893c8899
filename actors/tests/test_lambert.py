"""Lambert-93 → WGS84: the cone's constants against IGN's, the origin, known points."""

import math

import pytest

from actors.importers import lambert
from actors.importers.lambert import lambert93_to_wgs84, wgs84_to_lambert93

# The constants IGN publishes for Lambert-93 (notes NTG 71 / « Projections
# cartographiques conformes de Lambert »): exponent, constant, pole coordinates.
IGN_N = 0.7256077650
IGN_C = 11_754_255.426
IGN_XS = 700_000.0
IGN_YS = 12_655_612.050

# Landmarks (WGS84, decimal degrees) spread over metropolitan France and Corsica.
NOTRE_DAME_DE_PARIS = (48.852968, 2.349902)
STRASBOURG_CATHEDRAL = (48.581825, 7.750778)
BREST_CASTLE = (48.383600, -4.495300)
AJACCIO_CITADEL = (41.917300, 8.740900)
MENTON_HARBOUR = (43.776000, 7.507000)


def ign_forward(latitude: float, longitude: float) -> tuple[float, float]:
    """Lambert-93 with IGN's published constants (independent of the module's derivation)."""
    e = lambert.ECCENTRICITY
    phi = math.radians(latitude)
    isometric = math.log(math.tan(math.pi / 4 + phi / 2) * ((1 - e * math.sin(phi)) / (1 + e * math.sin(phi))) ** (e / 2))
    radius = IGN_C * math.exp(-IGN_N * isometric)
    gamma = IGN_N * (math.radians(longitude) - math.radians(3))
    return IGN_XS + radius * math.sin(gamma), IGN_YS - radius * math.cos(gamma)


def test_the_derived_cone_matches_the_constants_ign_publishes():
    assert lambert.CONE_EXPONENT == pytest.approx(IGN_N, abs=1e-10)
    assert lambert.CONE_CONSTANT == pytest.approx(IGN_C, abs=1e-3)
    assert lambert.POLE_NORTHING == pytest.approx(IGN_YS, abs=1e-3)


def test_the_projection_origin_is_46_30_north_3_east():
    latitude, longitude = lambert93_to_wgs84(700_000, 6_600_000)
    assert latitude == pytest.approx(46.5, abs=1e-10)
    assert longitude == pytest.approx(3.0, abs=1e-10)


@pytest.mark.parametrize("point", [NOTRE_DAME_DE_PARIS, STRASBOURG_CATHEDRAL, BREST_CASTLE, AJACCIO_CITADEL, MENTON_HARBOUR])
def test_known_points_come_back_to_their_latitude_and_longitude(point):
    easting, northing = ign_forward(*point)
    latitude, longitude = lambert93_to_wgs84(easting, northing)
    # 1e-7 degree is about a centimetre.
    assert latitude == pytest.approx(point[0], abs=1e-7)
    assert longitude == pytest.approx(point[1], abs=1e-7)


def test_notre_dame_de_paris_in_lambert_93():
    easting, northing = wgs84_to_lambert93(*NOTRE_DAME_DE_PARIS)
    # Paris is about 48 km west and 262 km north of the projection origin.
    assert (easting, northing) == (pytest.approx(652_297, abs=1), pytest.approx(6_861_633, abs=1))
    assert (easting, northing) == (pytest.approx(ign_forward(*NOTRE_DAME_DE_PARIS)[0], abs=0.01),
                                   pytest.approx(ign_forward(*NOTRE_DAME_DE_PARIS)[1], abs=0.01))


def test_the_metropolitan_range_excludes_other_projections():
    assert lambert.in_metropolitan_range(652_297, 6_861_633)
    assert not lambert.in_metropolitan_range(652_297, 1_861_633)  # UTM northing of the Antilles
