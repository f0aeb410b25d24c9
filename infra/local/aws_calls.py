"""Tell, from a raw WSGI request to moto, which AWS operation it is and whether it changes state."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

# Operations named like this only read. Everything else that names an operation is a write.
READ_PREFIXES = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "TransactGet", "Head",
                 "Check")
# SQS ReceiveMessage changes visibility, but only in a way clients must tolerate after a restart
# anyway (messages become visible again); it can also long-poll for 20 s, so it must not hold
# the apply lock and it is not journaled.
UNLOCKED_ACTIONS = frozenset({"ReceiveMessage"})
# moto hands out random ids here that a later issue re-creates at every start instead.
# Cognito is journaled too: replay seeds moto's ids, so the pool keeps its id and the
# officers' tokens stay valid across restarts.
UNJOURNALED_SERVICES = frozenset({"cognito-identity"})

_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_RPC_V2_PATH = re.compile(r"/service/[^/]+/operation/([A-Za-z0-9]+)$")


@dataclass(frozen=True)
class AwsCall:
    method: str
    service: str | None  # signing name from SigV4 (None for unsigned, e.g. browser S3 POSTs)
    action: str | None  # operation name for RPC-style protocols; None for REST ones (S3, SESv2)

    @property
    def mutates(self) -> bool:
        if self.action is not None:
            if self.action in UNLOCKED_ACTIONS:
                return False
            return not self.action.startswith(READ_PREFIXES)
        return self.method not in ("GET", "HEAD", "OPTIONS")

    @property
    def journaled(self) -> bool:
        return self.mutates and self.service not in UNJOURNALED_SERVICES

    @property
    def needs_lock(self) -> bool:
        return self.action not in UNLOCKED_ACTIONS


def classify(environ: dict[str, Any], body: bytes) -> AwsCall:
    method = environ.get("REQUEST_METHOD", "GET").upper()
    return AwsCall(method=method, service=_service(environ), action=_action(environ, body))


def _service(environ: dict[str, Any]) -> str | None:
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    match = _CREDENTIAL.search(auth)
    if match is None:  # presigned URL: the credential scope travels in the query string
        credential = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
        match = _CREDENTIAL.search("Credential=" + credential[0]) if credential else None
    return match.group(2).lower() if match else None


def _action(environ: dict[str, Any], body: bytes) -> str | None:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:  # JSON protocols: "DynamoDB_20120810.PutItem", "AmazonSQS.SendMessage"
        return target.rsplit(".", 1)[-1]
    rpc = _RPC_V2_PATH.search(environ.get("PATH_INFO", ""))
    if rpc:  # smithy rpc-v2-cbor: POST /service/<Service>/operation/<Operation>
        return rpc.group(1)
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    content_type = environ.get("CONTENT_TYPE", "")
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        # Query protocol (SNS, SES v1, STS): Action=Publish&...
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return None
