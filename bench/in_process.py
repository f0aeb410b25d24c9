"""moto in this process, for benchmarks of the store's access patterns (no HTTP, no stack).

Import this module before anything that creates a boto3 client.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                  AWS_DEFAULT_REGION="ap-southeast-3", AWS_REGION="ap-southeast-3",
                  AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled", CRM_STAGE="test")
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.adapters.table import create_table  # noqa: E402
from chalicelib.config import settings  # noqa: E402
from chalicelib.services.deps import Deps, build_deps  # noqa: E402
from infra.local.moto_patches import install as install_moto_patches  # noqa: E402


@contextmanager
def moto_deps(now: datetime | Callable[[], datetime]) -> Iterator[Deps]:
    """The app's Deps on a fresh table in in-process moto, its clock fixed at `now`.

    moto's transactions get the local stack's O(1) rollback patch; without it each
    TransactWriteItems deep-copies the table and timings measure only that.
    """
    install_moto_patches()
    clock = now if callable(now) else (lambda: now)
    with mock_aws():
        create_table(boto3.client("dynamodb"), settings().table_name)
        yield build_deps(settings(), clock=clock)
