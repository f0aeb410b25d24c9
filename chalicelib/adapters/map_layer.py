"""The kelurahan boundaries as a light GeoJSON for the pages' maps.

There is no tile server offline (DESIGN section 11), so maps draw the kelurahan as
vector shapes on a plain background. The routing layer (adapters/boundaries.py) is
metres-accurate and several MB; a browser needs a sketch: geometries simplified to
about 20 m, coordinates rounded to 5 decimals (about 1 m), properties cut to
code and names. Built once per container from the same source routing uses.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from chalicelib.adapters.boundaries import ENV_PATH, S3_KEY, s3_client
from chalicelib.config import Settings

log = logging.getLogger("crm.map_layer")

SIMPLIFY_DEGREES = 0.0002  # about 20 m in Jakarta
PROPERTIES = ("code", "name", "kecamatan", "kota")

_lock = threading.Lock()
_cache: dict[tuple[Any, ...], bytes | None] = {}


def _round(coords: Any) -> Any:
    if isinstance(coords, int | float):
        return round(coords, 5)
    return [_round(c) for c in coords]


def _polygons(geom: Any) -> Any:
    """Only the polygon parts (make_valid may add stray lines or points)."""
    parts = [q for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")
             for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()


def sketch(collection: dict[str, Any]) -> bytes:
    """A simplified copy of a kelurahan FeatureCollection, as compact JSON bytes."""
    features = []
    for feature in collection.get("features") or []:
        try:
            geom = shape(feature["geometry"])
        except Exception:  # an unreadable feature: routing's loader reports it, maps skip it
            continue
        if not geom.is_valid:
            geom = _polygons(shapely.make_valid(geom))
        simple = geom.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        if simple.is_empty:
            continue
        geometry = mapping(simple)
        props = feature.get("properties") or {}
        features.append({
            "type": "Feature",
            "properties": {k: props[k] for k in PROPERTIES if k in props},
            "geometry": {"type": geometry["type"],
                         "coordinates": _round(geometry["coordinates"])},
        })
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":")).encode()


def _raw(config: Settings) -> bytes | None:
    path = os.environ.get(ENV_PATH) or None
    if path:
        return Path(path).read_bytes()
    try:
        return s3_client(config).get_object(Bucket=config.bucket, Key=S3_KEY)["Body"].read()
    except Exception:  # no layer uploaded (or no bucket): maps show points only
        log.info("no kelurahan boundaries for the maps")
        return None


def kelurahan_sketch(config: Settings) -> bytes | None:
    """The sketch of this process (None when no layer is configured)."""
    key = (os.environ.get(ENV_PATH), config.bucket, config.endpoint_url)
    with _lock:
        if key not in _cache:
            raw = _raw(config)
            _cache[key] = sketch(json.loads(raw)) if raw else None
        return _cache[key]


def clear_cache() -> None:
    with _lock:
        _cache.clear()
