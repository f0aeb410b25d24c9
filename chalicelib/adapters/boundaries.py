"""The kelurahan boundary layer: read once per process from a file or from S3.

Where it comes from, first match wins:
- `CRM_BOUNDARIES=PATH`: a GeoJSON file (the local stack, tests);
- `s3://<bucket>/config/kelurahan.geojson`, uploaded by `crm geo load PATH`;
- nowhere: None, and routing skips the point rule (names, then triage).

A layer that fails validation raises: routing must not silently run without the
boundaries someone configured.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.config import Settings
from chalicelib.domain.geo import KelurahanBoundaries
from chalicelib.domain.wilayah import Wilayah

log = logging.getLogger("crm.boundaries")

S3_KEY = "config/kelurahan.geojson"
ENV_PATH = "CRM_BOUNDARIES"
_ABSENT = ("404", "NoSuchKey", "NotFound", "NoSuchBucket")

_lock = threading.Lock()
_cache: dict[tuple[Any, ...], KelurahanBoundaries | None] = {}


def parse_layer(raw: bytes | str, wilayah: Wilayah) -> KelurahanBoundaries:
    """Validate and index a GeoJSON FeatureCollection (raises `BoundaryError`)."""
    return KelurahanBoundaries(json.loads(raw), wilayah)


def s3_client(config: Settings) -> Any:
    return boto3.client("s3", region_name=config.region, endpoint_url=config.endpoint_url)


def _from_s3(config: Settings, wilayah: Wilayah) -> KelurahanBoundaries | None:
    try:
        body = s3_client(config).get_object(Bucket=config.bucket, Key=S3_KEY)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _ABSENT:
            return None
        raise  # anything else (permissions, network) must not pass for "no layer"
    return parse_layer(body, wilayah)


def load_boundaries(config: Settings, wilayah: Wilayah) -> KelurahanBoundaries | None:
    """The layer of this process, loaded on first use and then kept (also when absent).

    Parsing and indexing the file takes a fraction of a second, so it happens once
    per Lambda container, not per report. A new upload takes effect in new containers.
    """
    path = os.environ.get(ENV_PATH) or None
    key = (path, None, None) if path else (None, config.bucket, config.endpoint_url)
    key = (*key, id(wilayah))
    with _lock:
        if key in _cache:
            return _cache[key]
        if path:
            layer: KelurahanBoundaries | None = parse_layer(Path(path).read_bytes(), wilayah)
        else:
            layer = _from_s3(config, wilayah)
        if layer is None:
            log.info("no kelurahan boundaries configured: routing skips the point rule")
        else:
            log.info("kelurahan boundaries loaded: %d of %d kelurahan", len(layer),
                     len(layer) + len(layer.summary.missing))
        _cache[key] = layer
        return layer


def clear_cache() -> None:
    """Forget loaded layers (tests, and after `crm geo load` in the same process)."""
    with _lock:
        _cache.clear()


def upload(config: Settings, raw: bytes) -> str:
    """Store a validated layer where every Lambda container will find it."""
    s3_client(config).put_object(Bucket=config.bucket, Key=S3_KEY, Body=raw,
                                 ContentType="application/geo+json")
    return f"s3://{config.bucket}/{S3_KEY}"
