"""Lambert-93 (RGF93, EPSG:2154) to latitude / longitude, without any dependency.

Lambert-93 is a Lambert conformal conic projection of the GRS80 ellipsoid with two
standard parallels, 44° N and 49° N, its origin at 46° 30' N, 3° E, and false easting and
northing of 700 000 m and 6 600 000 m. The constants of the cone (``n``, ``F``, ``ρ0``)
are derived below from those definitions; they match the constants IGN publishes
(n = 0.7256077650, C = 11 754 255.426 m, Ys = 12 655 612.050 m), which the tests check.

The inverse is closed-form: the polar coordinates on the cone give the longitude and the
isometric latitude directly; the geodetic latitude is then obtained from the conformal
latitude by the usual trigonometric series in the eccentricity (to e⁸), whose error is
far below a millimetre in France.

RGF93 and WGS84 differ by a few centimetres at most: the result is used as WGS84.
"""

from __future__ import annotations

import math

# GRS80 ellipsoid.
SEMI_MAJOR_AXIS = 6_378_137.0
FLATTENING = 1 / 298.257222101
ECCENTRICITY = math.sqrt(FLATTENING * (2 - FLATTENING))

# Lambert-93 definition.
STANDARD_PARALLEL_1 = math.radians(44.0)
STANDARD_PARALLEL_2 = math.radians(49.0)
ORIGIN_LATITUDE = math.radians(46.5)
CENTRAL_MERIDIAN = math.radians(3.0)
FALSE_EASTING = 700_000.0
FALSE_NORTHING = 6_600_000.0

# Where Lambert-93 coordinates of metropolitan France fall (with a generous margin).
EASTING_RANGE = (0.0, 1_300_000.0)
NORTHING_RANGE = (6_000_000.0, 7_200_000.0)


def _m(latitude: float) -> float:
    sin = math.sin(latitude)
    return math.cos(latitude) / math.sqrt(1 - (ECCENTRICITY * sin) ** 2)


def _t(latitude: float) -> float:
    """exp(-isometric latitude)."""
    e_sin = ECCENTRICITY * math.sin(latitude)
    return math.tan(math.pi / 4 - latitude / 2) / ((1 - e_sin) / (1 + e_sin)) ** (ECCENTRICITY / 2)


# The cone: exponent n, scale F, and the radius of the origin's parallel.
CONE_EXPONENT = (math.log(_m(STANDARD_PARALLEL_1)) - math.log(_m(STANDARD_PARALLEL_2))) / (
    math.log(_t(STANDARD_PARALLEL_1)) - math.log(_t(STANDARD_PARALLEL_2))
)
_F = _m(STANDARD_PARALLEL_1) / (CONE_EXPONENT * _t(STANDARD_PARALLEL_1) ** CONE_EXPONENT)
CONE_CONSTANT = SEMI_MAJOR_AXIS * _F  # IGN's "C"
ORIGIN_RADIUS = CONE_CONSTANT * _t(ORIGIN_LATITUDE) ** CONE_EXPONENT
POLE_NORTHING = FALSE_NORTHING + ORIGIN_RADIUS  # IGN's "Ys": where the cone's apex projects

# Conformal latitude χ → geodetic latitude φ: φ = χ + Σ cₖ sin(2kχ).
_E2 = ECCENTRICITY**2
_SERIES = (
    _E2 / 2 + 5 * _E2**2 / 24 + _E2**3 / 12 + 13 * _E2**4 / 360,
    7 * _E2**2 / 48 + 29 * _E2**3 / 240 + 811 * _E2**4 / 11520,
    7 * _E2**3 / 120 + 81 * _E2**4 / 1120,
    4279 * _E2**4 / 161280,
)


def lambert93_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """(latitude, longitude) in decimal degrees of a Lambert-93 point (metres)."""
    dx = easting - FALSE_EASTING
    dy = ORIGIN_RADIUS - (northing - FALSE_NORTHING)
    radius = math.hypot(dx, dy)
    theta = math.atan2(dx, dy)
    longitude = CENTRAL_MERIDIAN + theta / CONE_EXPONENT
    t = (radius / CONE_CONSTANT) ** (1 / CONE_EXPONENT)
    conformal = math.pi / 2 - 2 * math.atan(t)
    latitude = conformal + sum(c * math.sin(2 * (k + 1) * conformal) for k, c in enumerate(_SERIES))
    return math.degrees(latitude), math.degrees(longitude)


def wgs84_to_lambert93(latitude: float, longitude: float) -> tuple[float, float]:
    """The forward projection (degrees → metres), for tests and checks."""
    radius = CONE_CONSTANT * _t(math.radians(latitude)) ** CONE_EXPONENT
    theta = CONE_EXPONENT * (math.radians(longitude) - CENTRAL_MERIDIAN)
    return FALSE_EASTING + radius * math.sin(theta), FALSE_NORTHING + ORIGIN_RADIUS - radius * math.cos(theta)


def in_metropolitan_range(easting: float, northing: float) -> bool:
    return EASTING_RANGE[0] <= easting <= EASTING_RANGE[1] and NORTHING_RANGE[0] <= northing <= NORTHING_RANGE[1]
