"""The audit archive of what the channels delivered, and SES's stored mail, in S3.

Every accepted delivery is written as received (bytes, before any parsing decides what it
means) to `raw/<channel>/<yyyy>/<mm>/<dd>/<message id>.<json|eml>` in the media bucket,
before the webhook answers 2xx: if anything is ever disputed, the platform's own payload
is there. A redelivery writes the same key again with the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.store import StoreUnavailable

CONTENT_TYPES = {"json": "application/json", "eml": "message/rfc822"}
MAX_FETCH_BYTES = 40 * 1024 * 1024  # SES receives mail up to 40 MB
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]")


def archive_key(channel: str, received: datetime, name: str, suffix: str) -> str:
    """A readable, collision-free S3 key for a delivery named by its message id."""
    safe = _UNSAFE.sub("_", name)[:150]
    if safe != name:  # ids that had to be changed keep a hash so two never meet
        safe += "-" + hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"raw/{channel}/{received:%Y/%m/%d}/{safe}.{suffix}"


class RawArchive:
    def __init__(self, bucket: str, region: str, endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self._s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint_url)

    def put(self, key: str, body: bytes, suffix: str) -> None:
        try:
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=body,
                                ContentType=CONTENT_TYPES.get(suffix, "application/octet-stream"))
        except (ClientError, BotoCoreError) as exc:
            # Nothing is filed without its archive: the platform will redeliver.
            raise StoreUnavailable(f"archive {key}: {exc}") from exc

    def put_photo(self, key: str, body: bytes, content_type: str) -> None:
        try:
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(f"photo {key}: {exc}") from exc

    def get(self, key: str) -> bytes | None:
        """An archived delivery (audit, tests), or None."""
        return self.fetch(self.bucket, key)

    def fetch(self, bucket: str, key: str) -> bytes | None:
        """An object of another bucket (SES's inbound mail), or None if it is not there."""
        try:
            answer = self._s3.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise StoreUnavailable(f"fetch s3://{bucket}/{key}: {exc}") from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(f"fetch s3://{bucket}/{key}: {exc}") from exc
        if int(answer.get("ContentLength") or 0) > MAX_FETCH_BYTES:
            raise ValueError(f"s3://{bucket}/{key} is larger than {MAX_FETCH_BYTES} bytes")
        return answer["Body"].read()
