"""Kelurahan boundaries: which kelurahan holds a report's point (routing rule 2).

The layer is any GeoJSON FeatureCollection (WGS84 lon/lat) whose features carry a
Kemendagri `code` property. This module takes the parsed dict and never reads files;
`chalicelib.adapters.boundaries` does the I/O.

Decisions, in the order `locate` applies them:

1. Inside (or on the edge of) a kelurahan: that kelurahan. A point on an edge or
   vertex shared by several kelurahan (or in a sliver where published polygons
   overlap) goes to the lowest code, so the answer never depends on file order.
2. In a zone where a kelurahan missing from a partial layer may lie: `UNCOVERED`.
   Routing then falls through to place names and triage. Snapping to the nearest
   kelurahan there would be wrong (the point is likely in the missing one), and
   so would declaring it outside Jakarta. The zone, per kota with missing
   kelurahan, is the convex hull of its present kelurahan widened by 1 km (the
   province's box if most of the kota is missing). It is deliberately generous:
   land just across the border of such a kota goes to triage, not closure. A
   complete layer has no such zone.
3. Within 500 m of a kelurahan (the sea off the coast or the islands, slivers
   between polygons): the nearest kelurahan, ties to the lowest code.
4. Otherwise: `OUTSIDE`, clearly outside DKI Jakarta.

Unknown, duplicate or missing codes make the whole layer invalid (`BoundaryError`,
listing every problem): a boundary for a code the registry does not know would
route reports to a unit that does not exist, so the operator must fix the file
rather than have parts of it silently ignored.

Distances are in metres on a local equirectangular projection around Jakarta,
using the WGS84 ellipsoid's radii of curvature at 6.2 deg S. Over the province
(5.2-6.4 deg S, with Kepulauan Seribu) the scale error is below 0.2%, under 1 m at
the 500 m threshold, so no projection library is needed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from chalicelib.domain.wilayah import Wilayah

NEAREST_MAX_M = 500.0
# How far a kelurahan missing from a partial layer may reach beyond the convex hull
# of its kota's present kelurahan (kelurahan on the province border stick out).
GAP_MARGIN_M = 1000.0
# A coarse lon/lat box around the whole province, Kepulauan Seribu included. Used
# when a whole kota is missing from the layer, and to reject layers that are not
# WGS84 lon/lat around Jakarta (swapped axes, a projected CRS).
DKI_EXTENT = (106.30, -6.45, 107.05, -5.10)  # min lon, min lat, max lon, max lat

# Local projection origin: the middle of mainland Jakarta.
_ORIGIN_LAT = -6.2
_ORIGIN_LON = 106.83
_WGS84_A = 6378137.0
_WGS84_E2 = 0.00669437999014


def _metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, of latitude) at `lat` on the WGS84 ellipsoid."""
    phi = math.radians(lat)
    w = 1.0 - _WGS84_E2 * math.sin(phi) ** 2
    prime_vertical = _WGS84_A / math.sqrt(w)
    meridian = _WGS84_A * (1.0 - _WGS84_E2) / w ** 1.5
    return prime_vertical * math.cos(phi) * math.pi / 180, meridian * math.pi / 180


_KX, _KY = _metres_per_degree(_ORIGIN_LAT)


def to_metres(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Local planar coordinates in metres (scalars or numpy arrays)."""
    return (lon - _ORIGIN_LON) * _KX, (lat - _ORIGIN_LAT) * _KY


def _project(coords: np.ndarray) -> np.ndarray:
    x, y = to_metres(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


class LocationKind(StrEnum):
    INSIDE = "inside"
    NEAREST = "nearest"
    UNCOVERED = "uncovered"
    OUTSIDE = "outside"


@dataclass(frozen=True)
class Location:
    kind: LocationKind
    kelurahan_code: str | None = None
    distance_m: float = 0.0  # to the kelurahan's boundary; 0 inside


class BoundaryError(ValueError):
    """The layer cannot be used; `problems` lists every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:20])
        more = f" (+{len(self.problems) - 20} more)" if len(self.problems) > 20 else ""
        super().__init__(f"invalid kelurahan boundary layer: {shown}{more}")


@dataclass(frozen=True)
class LayerSummary:
    covered: tuple[str, ...]
    missing: tuple[str, ...]  # kelurahan of the registry without a boundary
    repaired: tuple[str, ...]  # invalid polygons fixed with make_valid
    warnings: tuple[str, ...]  # e.g. a feature's name differs from the registry's


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the polygon parts (make_valid may add stray lines or points)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    if not polygons:
        return shapely.MultiPolygon()
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _read_features(collection: Mapping[str, Any], wilayah: Wilayah
                   ) -> tuple[dict[str, shapely.Geometry], list[str], list[str]]:
    """Geometries by code, the codes repaired, and warnings. Raises on any problem."""
    if not isinstance(collection, Mapping) or collection.get("type") != "FeatureCollection":
        raise BoundaryError(["expected a GeoJSON FeatureCollection"])
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError(["the FeatureCollection has no features"])
    problems: list[str] = []
    warnings: list[str] = []
    repaired: list[str] = []
    geoms: dict[str, shapely.Geometry] = {}
    for index, feature in enumerate(features):
        props = (feature or {}).get("properties") or {}
        code = props.get("code")
        if not isinstance(code, str) or not code.strip():
            problems.append(f"feature {index} has no 'code' property")
            continue
        code = code.strip()
        region = wilayah.kelurahan(code)
        if region is None:
            problems.append(f"unknown kelurahan code {code!r} (feature {index})")
            continue
        if code in geoms:
            problems.append(f"duplicate kelurahan code {code!r} (feature {index})")
            continue
        try:
            geom = shape(feature["geometry"])
        except Exception as exc:  # shapely raises several types for bad GeoJSON
            problems.append(f"{code}: unreadable geometry ({exc})")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(f"{code}: geometry is a {geom.geom_type}, expected a polygon")
            continue
        if not geom.is_valid:
            # Published layers have self-intersections; repair rather than reject.
            geom = _polygonal(shapely.make_valid(geom, method="structure",
                                                 keep_collapsed=False))
            repaired.append(code)
        if geom.is_empty or geom.area == 0:
            problems.append(f"{code}: empty geometry")
            continue
        name = props.get("name")
        if isinstance(name, str) and _squash(name) != _squash(region.name):
            warnings.append(f"{code}: name {name!r} differs from the registry's {region.name!r}")
        geoms[code] = geom
    if problems:
        raise BoundaryError(problems)
    minx, miny, maxx, maxy = shapely.total_bounds(list(geoms.values()))
    ex_minx, ex_miny, ex_maxx, ex_maxy = DKI_EXTENT
    if maxx < ex_minx or minx > ex_maxx or maxy < ex_miny or miny > ex_maxy:
        raise BoundaryError([
            f"the layer's bounds ({minx:.3f}, {miny:.3f}, {maxx:.3f}, {maxy:.3f}) are not "
            "around Jakarta: coordinates must be WGS84 longitude, latitude"])
    return geoms, repaired, warnings


class KelurahanBoundaries:
    """A spatial index of kelurahan polygons; build once per process, then `locate`."""

    def __init__(self, collection: Mapping[str, Any], wilayah: Wilayah) -> None:
        geoms, repaired, warnings = _read_features(collection, wilayah)
        # Sorted by code, so "lowest index" is "lowest code" in every tie-break.
        self._codes: list[str] = sorted(geoms)
        self._geoms = np.array([geoms[c] for c in self._codes], dtype=object)
        self._metric = shapely.transform(self._geoms, _project)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._metric_tree = shapely.STRtree(self._metric)
        all_codes = [r.code for r in wilayah.of_level("kelurahan")]
        missing = tuple(c for c in all_codes if c not in geoms)
        self._uncovered = self._uncovered_zone(missing, wilayah)
        self.summary = LayerSummary(tuple(self._codes), missing, tuple(sorted(repaired)),
                                    tuple(warnings))

    def __len__(self) -> int:
        return len(self._codes)

    def _uncovered_zone(self, missing: Sequence[str], wilayah: Wilayah
                        ) -> shapely.Geometry | None:
        """In metres: where the kelurahan absent from the layer may lie, or None if complete.

        A missing kelurahan lies within its kota, next to the kota's other kelurahan:
        the convex hull of the kota's present kelurahan, widened by GAP_MARGIN_M, holds
        it. If most of a kota is missing, what is present says little about where the
        rest lies, and only the province's box bounds it.
        """
        if not missing:
            return None
        missing_by_kota = Counter(wilayah.ancestors(c)[-1].code for c in missing)
        zones = []
        for kota, absent in sorted(missing_by_kota.items()):
            present = [g for c, g in zip(self._codes, self._metric, strict=True)
                       if c.startswith(kota + ".")]
            if len(present) >= absent:
                hull = shapely.convex_hull(shapely.geometrycollections(present))
                zones.append(shapely.buffer(hull, GAP_MARGIN_M))
            else:
                minx, miny = to_metres(DKI_EXTENT[0], DKI_EXTENT[1])
                maxx, maxy = to_metres(DKI_EXTENT[2], DKI_EXTENT[3])
                zones.append(shapely.box(minx, miny, maxx, maxy))
        zone = shapely.union_all(zones)
        shapely.prepare(zone)
        return zone

    def locate(self, lat: float, lon: float) -> Location:
        """Where a WGS84 point falls; see the module docstring for the order of decisions."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError(f"not a coordinate: {lat}, {lon}")
        candidates = self._tree.query(shapely.Point(lon, lat))
        if candidates.size:
            # intersects (not contains): a point on an edge belongs to both sides,
            # and the tie-break below then picks one.
            hits = candidates[shapely.intersects_xy(self._geoms[candidates], lon, lat)]
            if hits.size:
                return Location(LocationKind.INSIDE, self._codes[int(hits.min())])
        x, y = to_metres(lon, lat)
        if self._uncovered is not None and shapely.intersects_xy(self._uncovered, x, y):
            return Location(LocationKind.UNCOVERED)
        # Envelope query, then exact distances to the few candidates: much faster
        # than STRtree.query_nearest on polygons with hundreds of vertices.
        r = NEAREST_MAX_M
        near = self._metric_tree.query(shapely.box(x - r, y - r, x + r, y + r))
        if near.size:
            dist = shapely.distance(self._metric[near], shapely.Point(x, y))
            best = float(dist.min())
            if best <= NEAREST_MAX_M:
                index = int(near[dist == best].min())
                return Location(LocationKind.NEAREST, self._codes[index], best)
        return Location(LocationKind.OUTSIDE)
