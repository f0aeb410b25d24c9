"""Point-in-kelurahan: a synthetic grid layer, then the real (partial) layer if present."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.geo import (
    NEAREST_MAX_M,
    BoundaryError,
    KelurahanBoundaries,
    LocationKind,
)
from chalicelib.registry import registry

SHARED_GEO = Path(__file__).resolve().parents[2] / ".." / "shared" / "geo"
REAL_LAYER = SHARED_GEO / "jakarta-kelurahan-partial.geojson"

# The synthetic layer: one 0.01 deg square per kelurahan, row-major in code order,
# over mainland Jakarta's latitude. Codes are real so the registry accepts them.
GRID_LON, GRID_LAT, CELL, COLUMNS = 106.70, -6.30, 0.01, 17
ALL_CODES = [r.code for r in registry().wilayah.of_level("kelurahan")]
EARTH_RADIUS_M = 6371008.8


def square(lon: float, lat: float, size: float = CELL) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
            [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": geometry}


def cell_origin(index: int) -> tuple[float, float]:
    """(lon, lat) of the south-west corner of the index-th square."""
    row, col = divmod(index, COLUMNS)
    return GRID_LON + col * CELL, GRID_LAT + row * CELL


def grid_collection(codes: list[str] | None = None) -> dict[str, Any]:
    """Squares for `codes` (default: all 267), each at its place in the full grid."""
    wanted = set(ALL_CODES if codes is None else codes)
    return {"type": "FeatureCollection", "features": [
        feature(code, square(*cell_origin(i))) for i, code in enumerate(ALL_CODES)
        if code in wanted]}


def grid_layer(codes: list[str] | None = None) -> KelurahanBoundaries:
    return KelurahanBoundaries(grid_collection(codes), registry().wilayah)


def east_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    """The point `metres` due east on a sphere (independent of the module's projection)."""
    return lat, lon + math.degrees(metres / (EARTH_RADIUS_M * math.cos(math.radians(lat))))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def grid() -> KelurahanBoundaries:
    return grid_layer()


# -- synthetic layer ----------------------------------------------------------


def test_a_point_inside_a_square_is_in_that_kelurahan(grid):
    lon, lat = cell_origin(40)
    location = grid.locate(lat + CELL / 2, lon + CELL / 2)
    assert (location.kind, location.kelurahan_code) == (LocationKind.INSIDE, ALL_CODES[40])
    assert location.distance_m == 0


def test_a_shared_edge_goes_to_the_lowest_code_whatever_the_file_order():
    reversed_layer = KelurahanBoundaries(
        {"type": "FeatureCollection",
         "features": list(reversed(grid_collection()["features"]))},
        registry().wilayah)
    lon, lat = cell_origin(41)  # the west edge of square 41 is the east edge of square 40
    for layer in (grid_layer(), reversed_layer):
        on_edge = layer.locate(lat + CELL / 2, lon)
        assert on_edge.kelurahan_code == min(ALL_CODES[40], ALL_CODES[41])
        # A vertex shared by four squares: 41, 40 and the two below them.
        corner = layer.locate(lat, lon)
        assert corner.kelurahan_code == min(ALL_CODES[i] for i in (23, 24, 40, 41))


def test_the_sea_within_500_m_goes_to_the_nearest_kelurahan_and_beyond_is_outside(grid):
    # Square 16 ends the first row: east of it there is nothing.
    lon, lat = cell_origin(16)
    edge_lon, mid_lat = lon + CELL, lat + CELL / 2
    near = grid.locate(*east_of(mid_lat, edge_lon, 400))
    assert (near.kind, near.kelurahan_code) == (LocationKind.NEAREST, ALL_CODES[16])
    assert near.distance_m == pytest.approx(400, rel=0.005)
    assert grid.locate(*east_of(mid_lat, edge_lon, 480)).kind == LocationKind.NEAREST
    assert grid.locate(*east_of(mid_lat, edge_lon, 600)).kind == LocationKind.OUTSIDE
    assert grid.locate(-6.9175, 107.6191).kind == LocationKind.OUTSIDE  # Bandung


def test_distances_agree_with_the_haversine_formula(grid):
    lon, lat = cell_origin(16)
    for metres in (50, 250, 450):
        point = east_of(lat + CELL / 2, lon + CELL, metres)
        expected = haversine_m(*point, lat + CELL / 2, lon + CELL)
        # Sphere vs WGS84 ellipsoid differ by ~0.1% here; the threshold is what matters.
        assert grid.locate(*point).distance_m == pytest.approx(expected, rel=0.003)


def test_equidistant_nearest_kelurahan_tie_breaks_to_the_lowest_code(grid):
    # Due east of the corner shared by squares 16 and 33 (end of rows 0 and 1).
    lon, lat = cell_origin(33)
    location = grid.locate(*east_of(lat, lon + CELL, 300))
    assert location.kind == LocationKind.NEAREST
    assert location.kelurahan_code == min(ALL_CODES[16], ALL_CODES[33])


def test_an_invalid_polygon_is_repaired_not_rejected():
    bow_tie = {"type": "Polygon", "coordinates": [[
        [106.90, -6.20], [106.92, -6.18], [106.92, -6.20], [106.90, -6.18], [106.90, -6.20]]]}
    collection = grid_collection([c for c in ALL_CODES if c != "31.71.01.1001"])
    collection["features"] = [feature("31.71.01.1001", bow_tie)] + [
        f for f in collection["features"] if not f["properties"]["code"].startswith("31.71")]
    layer = KelurahanBoundaries(collection, registry().wilayah)
    assert layer.summary.repaired == ("31.71.01.1001",)
    # Both lobes of the bow tie (east of the grid, so nothing else is there).
    assert layer.locate(-6.19, 106.903).kelurahan_code == "31.71.01.1001"
    assert layer.locate(-6.19, 106.917).kelurahan_code == "31.71.01.1001"


def test_unknown_duplicate_and_missing_codes_are_rejected_all_at_once():
    features = grid_collection(ALL_CODES[:2])["features"]
    features += [feature("31.71.99.1001", square(106.9, -6.1)),
                 feature("99.99", square(106.9, -6.2)),
                 feature(ALL_CODES[0], square(106.9, -6.3)),
                 {"type": "Feature", "properties": {}, "geometry": square(106.9, -6.4)}]
    with pytest.raises(BoundaryError) as raised:
        KelurahanBoundaries({"type": "FeatureCollection", "features": features},
                            registry().wilayah)
    problems = "\n".join(raised.value.problems)
    assert "'31.71.99.1001'" in problems and "'99.99'" in problems
    assert f"duplicate kelurahan code '{ALL_CODES[0]}'" in problems
    assert "feature 5 has no 'code'" in problems


@pytest.mark.parametrize("collection", [
    {"type": "Feature"},
    {"type": "FeatureCollection", "features": []},
    {"type": "FeatureCollection", "features": [feature("31.71.01.1001", {
        "type": "Point", "coordinates": [106.8, -6.2]})]},
    # Metres (a projected CRS), not longitude/latitude.
    {"type": "FeatureCollection", "features": [feature("31.71.01.1001", square(700000, 9300000,
                                                                                 1000))]},
])
def test_layers_that_are_not_kelurahan_polygons_in_lon_lat_are_rejected(collection):
    with pytest.raises(BoundaryError):
        KelurahanBoundaries(collection, registry().wilayah)


def test_a_name_that_differs_from_the_registry_is_a_warning_not_an_error():
    collection = grid_collection()
    collection["features"][0]["properties"]["name"] = "Pulau Entah"
    layer = KelurahanBoundaries(collection, registry().wilayah)
    assert len(layer.summary.warnings) == 1 and "Pulau Entah" in layer.summary.warnings[0]


# -- partial layers -----------------------------------------------------------


def test_a_hole_left_by_missing_kelurahan_is_not_outside_jakarta():
    missing = ALL_CODES[100:103]  # three neighbouring squares, all in one kota
    layer = grid_layer([c for c in ALL_CODES if c not in missing])
    assert layer.summary.missing == tuple(missing)
    lon, lat = cell_origin(101)
    assert layer.locate(lat + CELL / 2, lon + CELL / 2).kind == LocationKind.UNCOVERED
    # Even 100 m from a present kelurahan: it is more likely in the missing one.
    lon, lat = cell_origin(100)
    assert layer.locate(lat + CELL / 2, lon + 0.001).kind == LocationKind.UNCOVERED


def test_beyond_a_partial_kota_only_far_points_are_outside():
    kota = "31.74"
    missing = [c for c in ALL_CODES if c.startswith(kota)][:5]
    layer = grid_layer([c for c in ALL_CODES if c not in missing])
    kota_cells = [i for i, c in enumerate(ALL_CODES) if c.startswith(kota) and c not in missing]
    # The grid's east edge, next to the partial kota: its missing kelurahan may reach here.
    east_cell = max(i for i in kota_cells if i % COLUMNS == COLUMNS - 1)
    lon, lat = cell_origin(east_cell)
    assert layer.locate(*east_of(lat + CELL / 2, lon + CELL, 600)).kind == \
        LocationKind.UNCOVERED
    assert layer.locate(*east_of(lat + CELL / 2, lon + CELL, 5000)).kind == \
        LocationKind.OUTSIDE


@pytest.mark.parametrize("kept", [0, 1])
def test_a_kota_mostly_missing_keeps_the_province_box_undecided(kept):
    islands = [c for c in ALL_CODES if c.startswith("31.01.")][kept:]
    layer = grid_layer([c for c in ALL_CODES if c not in islands])
    assert layer.locate(-5.7453, 106.6136).kind == LocationKind.UNCOVERED  # Pulau Pramuka
    assert layer.locate(-6.9175, 107.6191).kind == LocationKind.OUTSIDE  # Bandung


# -- the real layer (../shared/geo), when present ------------------------------

needs_real_layer = pytest.mark.skipif(not REAL_LAYER.is_file(),
                                      reason=f"no real boundary layer at {REAL_LAYER}")


@pytest.fixture(scope="module")
def real_collection() -> dict[str, Any]:
    return json.loads(REAL_LAYER.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def real(real_collection) -> KelurahanBoundaries:
    return KelurahanBoundaries(real_collection, registry().wilayah)


@needs_real_layer
def test_the_real_layer_loads_with_its_invalid_polygons_repaired(real):
    assert len(real.summary.covered) + len(real.summary.missing) == 267
    assert {"31.71.01.1006", "31.73.03.1002", "31.73.04.1002"} <= set(real.summary.repaired)


@needs_real_layer
@pytest.mark.parametrize(("place", "lat", "lon", "code"), [
    ("Monas", -6.1754, 106.8272, "31.71.01.1001"),  # Kel. Gambir
    ("Pulau Pramuka, Kepulauan Seribu", -5.7453, 106.6136, "31.01.01.1001"),  # Pulau Panggang
])
def test_known_places_fall_in_their_kelurahan(real, place, lat, lon, code):
    location = real.locate(lat, lon)
    assert (location.kind, location.kelurahan_code) == (LocationKind.INSIDE, code), place


@needs_real_layer
@pytest.mark.parametrize(("code", "name"), [("31.72.04.1003", "Marunda"),
                                            ("31.72.01.1002", "Kamal Muara")])
def test_the_java_sea_off_a_coastal_kelurahan(real, real_collection, code, name):
    """300 m north of the kelurahan's northernmost vertex: that kelurahan; 700 m: outside."""
    feature_ = next(f for f in real_collection["features"] if f["properties"]["code"] == code)
    assert feature_["properties"]["name"] == name
    lon, lat = max(_vertices(feature_["geometry"]), key=lambda v: v[1])
    metres_per_deg_lat = 110_574  # at 6 deg S on WGS84
    near = real.locate(lat + 300 / metres_per_deg_lat, lon)
    assert (near.kind, near.kelurahan_code) == (LocationKind.NEAREST, code)
    assert near.distance_m == pytest.approx(300, abs=3)
    assert real.locate(lat + 700 / metres_per_deg_lat, lon).kind == LocationKind.OUTSIDE


@needs_real_layer
@pytest.mark.parametrize(("place", "lat", "lon"), [
    ("Bandung", -6.9175, 107.6191),
    ("Bogor", -6.5950, 106.8160),
    ("Tangerang city centre", -6.1780, 106.6300),
    ("the Java Sea, 10 km off Ancol", -6.0000, 106.8500),
])
def test_places_clearly_outside_jakarta(real, place, lat, lon):
    assert real.locate(lat, lon).kind == LocationKind.OUTSIDE, place


@needs_real_layer
@pytest.mark.parametrize(("place", "lat", "lon"), [
    ("Setiabudi (kecamatan missing from the layer)", -6.2150, 106.8300),
    ("Mampang Prapatan (missing)", -6.2400, 106.8220),
    ("Kalisari, Pasar Rebo, on the Depok border (missing)", -6.3380, 106.8580),
    ("Penggilingan, Cakung (missing)", -6.2050, 106.9350),
])
def test_points_in_kelurahan_missing_from_the_layer_are_not_outside(real, place, lat, lon):
    assert real.locate(lat, lon).kind == LocationKind.UNCOVERED, place


@needs_real_layer
def test_a_vertex_shared_by_real_kelurahan_goes_to_the_lowest_code(real, real_collection):
    import shapely
    from shapely.geometry import shape

    shapes = {f["properties"]["code"]: shapely.make_valid(shape(f["geometry"]))
              for f in real_collection["features"]}
    gambir = next(f for f in real_collection["features"]
                  if f["properties"]["code"] == "31.71.01.1001")
    checked = 0
    for lon, lat in _vertices(gambir["geometry"])[::25]:
        owners = sorted(c for c, g in shapes.items() if shapely.intersects_xy(g, lon, lat))
        if len(owners) > 1:
            assert real.locate(lat, lon).kelurahan_code == owners[0]
            checked += 1
    assert checked > 0


def test_the_nearest_threshold_is_500_m():
    assert NEAREST_MAX_M == 500


def _vertices(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
        geometry["coordinates"]]
    return [tuple(v) for polygon in polygons for ring in polygon for v in ring]
