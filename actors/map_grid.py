"""The map's grid: the view (bounding box), the cells the database groups the matches
into, and what keeps that grouping fast on a table of half a million organisations.

* Each layer's matches are grouped by one ``GROUP BY`` on an integer cell number
  computed in SQL (``GridKey``): count, mean position and the lowest id (a cell holding
  one match is shown as that point). The extent of each cell's points and the communes
  they lie in cost one aggregate each per row: they are asked for at high zoom only.
* A view without a territory filter is narrowed to the communes it holds, so the
  commune index serves it instead of a scan of the whole table (there is no index on
  the coordinates) — unless it holds a large share of the population (a big région,
  the country): the scan is then cheaper, and its result is kept ``WIDE_VIEW_SECONDS``
  in the cache, keyed by the full-text indexes' tokens (renewed by every write of an
  organisation or a fiche; catalysts and partnerships may lag that long).
* A view that holds a whole territory does not compare each row with the bbox.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Avg, Count, Func, IntegerField, Max, Min, Q

from territories.models import Level, Territory

MAX_POPULATION_SHARE = 0.08  # a view over more of the population scans the table
COMMUNE_MARGIN = 0.2  # degrees: how far from its commune's centre an address may lie
WIDE_VIEW_SECONDS = 60
CELL_PIXELS = 64  # width of a grid cell on screen


class BBoxError(ValueError):
    pass


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        """``ouest,sud,est,nord`` in degrees (longitude, latitude, as GeoJSON orders a bbox)."""
        parts = [p.strip() for p in (text or "").split(",")]
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise BBoxError("quatre nombres attendus : ouest,sud,est,nord (longitudes et latitudes en degrés)") from None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise BBoxError("coordonnées non finies")
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
            raise BBoxError("longitudes entre -180 et 180, latitudes entre -90 et 90")
        if west > east or south > north:
            raise BBoxError("l'ouest doit précéder l'est et le sud le nord")
        return cls(west, south, east, north)


@dataclass(frozen=True)
class Grid:
    """Cells ``lon_size`` degrees wide and ``lat_size`` high, counted from (-180, -90); a
    cell is numbered ``row × columns + column``."""

    lat_size: float
    lon_size: float

    @classmethod
    def for_view(cls, zoom: int, bbox: BBox | None) -> Grid:
        """Cells ``CELL_PIXELS`` wide on screen at this zoom (tiles are 256 pixels)."""
        lon_size = 360.0 * CELL_PIXELS / (256 * 2 ** zoom)
        # Web Mercator stretches latitudes by 1/cos: square cells on screen. The factor is
        # rounded so that a small pan keeps the same grid (and the same clusters).
        middle = (bbox.south + bbox.north) / 2 if bbox else 46.5
        factor = max(0.05, round(math.cos(math.radians(middle)) * 20) / 20)
        return cls(lat_size=lon_size * factor, lon_size=lon_size)

    @property
    def columns(self) -> int:
        return math.ceil(360 / self.lon_size) + 1

    def rectangle(self, key: int) -> BBox:
        row, column = divmod(key, self.columns)
        west, south = -180 + column * self.lon_size, -90 + row * self.lat_size
        return BBox(west=max(-180.0, west), south=max(-90.0, south),
                    east=min(180.0, west + self.lon_size), north=min(90.0, south + self.lat_size))

    def snap(self, bbox: BBox) -> BBox:
        """The bbox grown to whole cells, so that the cells at its edges are counted whole."""
        def down(v, origin, size):
            return origin + math.floor((v - origin) / size) * size

        def up(v, origin, size):
            return origin + math.ceil((v - origin) / size) * size

        return BBox(west=max(-180.0, down(bbox.west, -180, self.lon_size)), south=max(-90.0, down(bbox.south, -90, self.lat_size)),
                    east=min(180.0, up(bbox.east, -180, self.lon_size)), north=min(90.0, up(bbox.north, -90, self.lat_size)))


class GridKey(Func):
    """The number of the grid cell holding a point, computed by the database.

    One integer key sorts faster than a (row, column) pair in SQLite's GROUP BY. The
    origins lie below every coordinate, so the quotients are never negative and SQLite's
    ``CAST(… AS INTEGER)``, which truncates, is a floor."""

    output_field = IntegerField()

    def __init__(self, latitude, longitude, *, grid: Grid):
        super().__init__(latitude, longitude)
        self.grid = grid

    def as_sql(self, compiler, connection, floor="CAST({} AS INTEGER)", **extra_context):
        (lat_sql, lat_params), (lon_sql, lon_params) = (compiler.compile(e) for e in self.source_expressions)
        row = floor.format(f"((({lat_sql}) + 90.0) / %s)")
        column = floor.format(f"((({lon_sql}) + 180.0) / %s)")
        params = [*lat_params, self.grid.lat_size, self.grid.columns, *lon_params, self.grid.lon_size]
        return f"({row} * %s + {column})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, floor="FLOOR({})::bigint")


def in_bbox(qs, bbox: BBox | None):
    if bbox is None:
        return qs
    return qs.filter(map_lat__gte=bbox.south, map_lat__lte=bbox.north, map_lon__gte=bbox.west, map_lon__lte=bbox.east)


def covers(outer: BBox, bounds: list[float] | None) -> bool:
    if bounds is None:
        return False
    west, south, east, north = bounds
    return outer.west <= west and outer.south <= south and outer.east >= east and outer.north >= north


@dataclass
class Cell:
    rectangle: BBox
    count: int = 0
    lat_sum: float = 0.0
    lon_sum: float = 0.0
    extent: list[float] | None = None  # [west, south, east, north] of its points, when asked
    communes: set | None = None  # the communes its points lie in, when asked
    counts: dict = field(default_factory=dict)
    single: tuple[str, int] | None = None  # (layer, pk) of a cell holding one point

    def add(self, layer: str, row: dict) -> None:
        n = row["n"]
        self.count += n
        self.counts[layer] = self.counts.get(layer, 0) + n
        self.lat_sum += row["lat"] * n
        self.lon_sum += row["lon"] * n
        self.single = (layer, row["first"]) if self.count == 1 else None
        if "south" in row:
            e = self.extent or [180.0, 90.0, -180.0, -90.0]
            self.extent = [min(e[0], row["west"]), min(e[1], row["south"]), max(e[2], row["east"]), max(e[3], row["north"])]
            self.communes = (self.communes or set()) | {row["commune_min"], row["commune_max"]}


LEAN = {"n": Count("*"), "lat": Avg("map_lat"), "lon": Avg("map_lon"), "first": Min("pk")}
DETAILED = {**LEAN, "south": Min("map_lat"), "north": Max("map_lat"), "west": Min("map_lon"), "east": Max("map_lon"),
            "commune_min": Min("map_commune"), "commune_max": Max("map_commune")}


def cells_of(querysets: dict, grid: Grid, *, detailed: bool) -> dict[int, Cell]:
    """Count and mean position of every non-empty cell, one GROUP BY per layer; with
    ``detailed``, also the extent of its points and the communes they lie in (each extra
    aggregate costs: they are asked for at high zoom only, where the rows are fewer)."""
    cells: dict[int, Cell] = {}
    for layer, qs in querysets.items():
        rows = (qs.annotate(cell=GridKey("map_lat", "map_lon", grid=grid)).values("cell")
                .annotate(**(DETAILED if detailed else LEAN)).order_by())
        for row in rows:
            key = row["cell"]
            if key not in cells:
                cells[key] = Cell(grid.rectangle(key))
            cells[key].add(layer, row)
    return cells




class CommuneCentres:
    """Every commune's centre and population, sorted by latitude, kept in memory by each
    process (35,000 rows; reloaded every ``REFRESH_SECONDS``: they change with the
    official territories only). Which communes lie near a view is then two bisections
    and a short loop."""

    REFRESH_SECONDS = 3600

    def __init__(self):
        self.loaded_at = -math.inf
        self.latitudes: list[float] = []
        self.rows: list[tuple[float, float, int, int]] = []
        self.population = 0

    def _load(self) -> None:
        rows = Territory.objects.filter(level=Level.COMMUNE, latitude__isnull=False).values_list(
            "latitude", "longitude", "pk", "population")
        self.rows = sorted((lat, lon, pk, population or 0) for lat, lon, pk, population in rows)
        self.latitudes = [row[0] for row in self.rows]
        self.population = sum(row[3] for row in self.rows) or 1
        self.loaded_at = time.monotonic()

    def near(self, view: BBox, margin: float) -> tuple[list[int], float]:
        """The communes centred in the view grown by ``margin``, and their share of the population."""
        if time.monotonic() - self.loaded_at > self.REFRESH_SECONDS:
            self._load()
        low = bisect.bisect_left(self.latitudes, view.south - margin)
        high = bisect.bisect_right(self.latitudes, view.north + margin)
        west, east = view.west - margin, view.east + margin
        found = [(pk, population) for _lat, lon, pk, population in self.rows[low:high] if west <= lon <= east]
        return [pk for pk, _ in found], sum(population for _, population in found) / self.population


COMMUNE_CENTRES = CommuneCentres()


def narrowed_to_communes(qs, view: BBox):
    """Organisations of the communes whose centre lies in or near the view (and those
    without a commune), through the commune index; or None when the view holds so large
    a share of the population (of the organisations, roughly) that scanning the table is
    cheaper than fetching its rows one by one. An organisation placed at its address lies
    within ``COMMUNE_MARGIN`` of its commune's centre (true of every commune but a few
    giant ones overseas)."""
    communes, share = COMMUNE_CENTRES.near(view, COMMUNE_MARGIN)
    if share > MAX_POPULATION_SHARE:
        return None
    return qs.filter(Q(commune__in=communes) | Q(commune__isnull=True))


def cached_cells(key_parts: tuple, compute) -> dict[int, Cell]:
    """The cells of a wide view, computed once per ``WIDE_VIEW_SECONDS`` and data version."""
    from actors.indexing import INDEX as ORGANIZATIONS_INDEX
    from practices.indexing import INDEX as PRACTICES_INDEX

    version = (ORGANIZATIONS_INDEX.token(), PRACTICES_INDEX.token())
    key = "actors-map:cells:" + hashlib.sha256(repr((version, key_parts)).encode()).hexdigest()
    cells = cache.get(key)
    if cells is None:
        cells = compute()
        cache.set(key, cells, WIDE_VIEW_SECONDS)
    return cells
