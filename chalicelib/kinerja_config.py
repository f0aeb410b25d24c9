"""Loads the kinerja score configuration (weights, minimum reports, tie rule).

The only I/O of the kinerja feature: `chalicelib/data/kinerja.json`, read once per
Lambda container. The formula it configures is documented in chalicelib/domain/kinerja.py.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from chalicelib.domain.kinerja import KinerjaConfig

KINERJA_JSON = Path(__file__).parent / "data" / "kinerja.json"


def load_kinerja_config(path: Path = KINERJA_JSON) -> KinerjaConfig:
    return KinerjaConfig.model_validate_json(path.read_text(encoding="utf-8"))


@cache
def kinerja_config() -> KinerjaConfig:
    return load_kinerja_config()
