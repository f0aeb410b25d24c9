"""Photos and archived payloads in S3: presigned uploads, metadata checks, viewing links."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
UPLOAD_EXPIRES_SECONDS = 15 * 60
VIEW_EXPIRES_SECONDS = 60 * 60


class Media:
    def __init__(self, bucket: str, region: str, endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self._s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint_url,
                                config=Config(signature_version="s3v4"))

    def presign_upload(self, key: str, content_type: str,
                       max_bytes: int = MAX_PHOTO_BYTES) -> dict[str, Any]:
        """A browser form upload S3 itself limits to this key, type and size."""
        post = self._s3.generate_presigned_post(
            self.bucket, key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=UPLOAD_EXPIRES_SECONDS,
        )
        return {"url": post["url"], "fields": post["fields"], "key": key,
                "expires_in": UPLOAD_EXPIRES_SECONDS, "max_bytes": max_bytes}

    def describe(self, key: str) -> tuple[str, int] | None:
        """(content type, size) of a stored object, or None if there is none."""
        try:
            head = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head.get("ContentType", ""), int(head.get("ContentLength", 0))

    def view_url(self, key: str, expires_in: int = VIEW_EXPIRES_SECONDS) -> str:
        return self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in)

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
